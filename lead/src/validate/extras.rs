//! A lead's extra parts, beyond contact and page, checked against the site's
//! `[site.widget]` and `[site.hours]`: custom fields, the callback slot,
//! consent, the chat transcript, the messenger click, product and locale.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::kinds::{Carry, KindRules};
use crate::hours::{check_slot, BusinessHours, Slot};
use crate::limits::{self, truncate};
use crate::widget::{FieldKind, FormField, WidgetSettings};
use crate::wire::{ChatTurn, Consent, FieldError, FieldValue, MessengerClick};

/// Refuses a part the kind does not carry.
fn not_allowed(field: &str, carry: Carry, sent: bool, what: &str, errors: &mut Vec<FieldError>) -> bool {
    let refused = sent && carry == Carry::No;
    if refused {
        errors.push(FieldError::new(field, "not_allowed", format!("Only {what}.")));
    }
    refused
}

/// Answers to the site's own form fields: known ids, the right type, an
/// offered option; for a form, every required field answered. Blank text is absent.
pub(super) fn custom_fields(
    given: &BTreeMap<String, FieldValue>,
    widget: &WidgetSettings,
    rules: &KindRules,
    errors: &mut Vec<FieldError>,
) -> BTreeMap<String, FieldValue> {
    let what = "a form or a chat has custom fields";
    if not_allowed("fields", rules.fields, !given.is_empty(), what, errors) {
        return BTreeMap::new();
    }
    let defined = &widget.form.fields;
    let mut kept = BTreeMap::new();
    let mut refused = Vec::new();
    for (id, value) in given {
        let path = format!("fields.{id}");
        let Some(field) = defined.iter().find(|f| &f.id == id) else {
            errors.push(FieldError::new(&path, "unknown", "This form has no such field."));
            refused.push(id);
            continue;
        };
        match answer(field, value) {
            Ok(Some(value)) => {
                kept.insert(id.clone(), value);
            }
            Ok(None) => {}
            Err((code, message)) => {
                errors.push(FieldError::new(&path, code, message));
                refused.push(id);
            }
        }
    }
    if rules.fields == Carry::Required {
        for field in defined.iter().filter(|f| f.required && !refused.contains(&&f.id)) {
            let answered = match kept.get(&field.id) {
                Some(FieldValue::Flag(checked)) => *checked,
                Some(FieldValue::Text(_)) => true,
                None => false,
            };
            if !answered {
                let message = match field.kind {
                    FieldKind::Checkbox => "Tick this box to send the form.",
                    FieldKind::Select => "Choose one of the options.",
                    FieldKind::Text => "Fill this in.",
                };
                errors.push(FieldError::new(&format!("fields.{}", field.id), "required", message));
            }
        }
    }
    kept
}

/// One answer as kept, `None` when blank, or the error code and message.
fn answer(field: &FormField, value: &FieldValue) -> Result<Option<FieldValue>, (&'static str, String)> {
    match (field.kind, value) {
        (FieldKind::Checkbox, FieldValue::Flag(checked)) => Ok(Some(FieldValue::Flag(*checked))),
        (FieldKind::Checkbox, FieldValue::Text(_)) => Err(("invalid", "A checkbox is true or false.".into())),
        (FieldKind::Text | FieldKind::Select, FieldValue::Flag(_)) => {
            Err(("invalid", "This answer is text, not true or false.".into()))
        }
        (_, FieldValue::Text(text)) if text.trim().is_empty() => Ok(None),
        (FieldKind::Text, FieldValue::Text(text)) if text.trim().chars().count() > limits::FIELD_TEXT => {
            Err(("too_long", format!("At most {} characters.", limits::FIELD_TEXT)))
        }
        (FieldKind::Text, FieldValue::Text(text)) => Ok(Some(FieldValue::Text(text.trim().to_owned()))),
        (FieldKind::Select, FieldValue::Text(text)) => {
            let text = text.trim();
            if field.options.iter().any(|o| o.value == text) {
                Ok(Some(FieldValue::Text(text.to_owned())))
            } else {
                Err(("invalid", "Choose one of the options offered.".into()))
            }
        }
    }
}

/// A callback's chosen time: one the site's hours offer and not over.
pub(super) fn slot(
    slot: Option<Slot>,
    hours: Option<&BusinessHours>,
    rules: &KindRules,
    now: Timestamp,
    errors: &mut Vec<FieldError>,
) -> Option<Slot> {
    let slot = slot?;
    if not_allowed("slot", rules.slot, true, "a callback has a time to call", errors) {
        return None;
    }
    let Some(hours) = hours else {
        errors.push(FieldError::new(
            "slot",
            "not_offered",
            "This site books no callback times; send the request without one.",
        ));
        return None;
    };
    match check_slot(hours, &slot, now) {
        Ok(()) => Some(slot),
        Err(e) => {
            errors.push(FieldError::new("slot", e.code(), e.to_string()));
            None
        }
    }
}

/// The consent as given (its text is what the visitor saw); required when the
/// site asks for consent and the kind collects personal data.
pub(super) fn consent(
    consent: Option<&Consent>,
    widget: &WidgetSettings,
    rules: &KindRules,
    errors: &mut Vec<FieldError>,
) -> Option<Consent> {
    if rules.consent && widget.consent.is_some() && !consent.is_some_and(|c| c.accepted) {
        errors.push(FieldError::new(
            "consent",
            "required",
            "Agree to the processing of your personal data to send this.",
        ));
    }
    let consent = consent?;
    if consent.text.chars().count() > limits::CONSENT {
        errors.push(FieldError::new(
            "consent.text",
            "too_long",
            format!("At most {} characters.", limits::CONSENT),
        ));
        return None;
    }
    Some(consent.clone())
}

/// The chat, kept as it was said, within its limits.
pub(super) fn transcript(turns: &[ChatTurn], rules: &KindRules, errors: &mut Vec<FieldError>) -> Vec<ChatTurn> {
    if not_allowed(
        "transcript",
        rules.transcript,
        !turns.is_empty(),
        "a chat has a transcript",
        errors,
    ) {
        return Vec::new();
    }
    if turns.len() > limits::TRANSCRIPT_TURNS {
        errors.push(FieldError::new(
            "transcript",
            "too_long",
            format!("At most {} turns.", limits::TRANSCRIPT_TURNS),
        ));
        return Vec::new();
    }
    let before = errors.len();
    for (i, turn) in turns.iter().enumerate() {
        if turn.text.chars().count() > limits::TURN {
            errors.push(FieldError::new(
                &format!("transcript[{i}].text"),
                "too_long",
                format!("At most {} characters.", limits::TURN),
            ));
        }
    }
    if errors.len() > before {
        return Vec::new();
    }
    turns.to_vec()
}

/// Which messenger button was clicked: one the site shows, with a well-formed ref code.
pub(super) fn messenger(
    click: Option<&MessengerClick>,
    widget: &WidgetSettings,
    rules: &KindRules,
    errors: &mut Vec<FieldError>,
) -> Option<MessengerClick> {
    if rules.messenger == Carry::Required && click.is_none() {
        errors.push(FieldError::new(
            "messenger",
            "required",
            "Name the messenger that was clicked and its ref code.",
        ));
    }
    let click = click?;
    if not_allowed(
        "messenger",
        rules.messenger,
        true,
        "a messenger click names a messenger",
        errors,
    ) {
        return None;
    }
    let mut ok = true;
    if !is_ref_code(&click.ref_code) {
        errors.push(FieldError::new(
            "messenger.ref_code",
            "invalid",
            format!(
                "A ref code is {} to {} letters and digits.",
                limits::REF_CODE.start(),
                limits::REF_CODE.end()
            ),
        ));
        ok = false;
    }
    if !widget.messengers.iter().any(|m| m.channel == click.channel) {
        errors.push(FieldError::new(
            "messenger.channel",
            "not_offered",
            "This site shows no button for this messenger.",
        ));
        ok = false;
    }
    ok.then(|| click.clone())
}

fn is_ref_code(code: &str) -> bool {
    limits::REF_CODE.contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The product name, cut to its limit; blank is absent.
pub(super) fn product(product: Option<&str>) -> Option<String> {
    product
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| truncate(p, limits::PRODUCT))
}

/// `ru` or `en`; anything else is dropped (the lead is not refused for it).
pub(super) fn locale(locale: Option<&str>) -> Option<String> {
    let locale = locale?.trim().to_ascii_lowercase();
    matches!(locale.as_str(), "ru" | "en").then_some(locale)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::validate;
    use crate::site::Site;
    use crate::widget::Messenger;
    use crate::wire::{LeadKind, Page, RawContact, Speaker, Submission};

    use super::*;

    /// Monday 2025-11-24, 10:00 in Moscow: open.
    const MONDAY_10_MSK: i64 = 1_763_967_600_000;

    fn site() -> Site {
        serde_json::from_value(json!({
            "id": "demo", "origins": [], "default_country": "RU",
            "hours": {
                "time_zone": "Europe/Moscow",
                "week": { "mon": ["09:00-13:00", "14:00-18:00"], "tue": ["09:00-18:00"] },
            },
            "widget": {
                "form": {
                    "require": ["phone"],
                    "field": [
                        { "id": "service", "label": { "en": "Service" }, "type": "select", "required": true,
                          "options": [ { "value": "windows", "label": { "en": "Windows" } },
                                       { "value": "doors", "label": { "en": "Doors" } } ] },
                        { "id": "measure_visit", "label": { "en": "Measure" }, "type": "checkbox" },
                        { "id": "floor", "label": { "en": "Floor" }, "type": "text" },
                        { "id": "agree_terms", "label": { "en": "Terms" }, "type": "checkbox", "required": true },
                    ],
                },
                "consent": { "text": { "en": "I agree", "ru": "Я согласен" } },
                "messenger": [ { "channel": "telegram", "target": "leadwire_demo_bot" } ],
            },
        }))
        .expect("the test site parses")
    }

    fn at(ts: &str) -> Timestamp {
        ts.parse().expect("a timestamp")
    }

    /// A submission of `kind` that passes, to break one thing at a time.
    fn good(kind: LeadKind) -> Submission {
        let page = Page {
            url: "https://demo.example/".into(),
            title: None,
            referrer: None,
        };
        let mut sub = Submission::new(uuid::Uuid::from_u128(9), "demo", kind, page);
        let consent = Some(Consent {
            text: "I agree".into(),
            accepted: true,
        });
        match kind {
            LeadKind::Callback | LeadKind::Chat => {
                sub.contact.phone = Some("+79123456789".into());
                sub.consent = consent;
            }
            LeadKind::Form => {
                sub.contact.phone = Some("+79123456789".into());
                sub.consent = consent;
                sub.fields = [
                    ("service".to_owned(), FieldValue::Text("windows".into())),
                    ("agree_terms".to_owned(), FieldValue::Flag(true)),
                ]
                .into();
            }
            LeadKind::MessengerClick => {
                sub.messenger = Some(MessengerClick {
                    channel: Messenger::Telegram,
                    ref_code: "AB12cd34".into(),
                })
            }
            LeadKind::PhoneClick => {}
        }
        sub
    }

    fn text(s: &str) -> FieldValue {
        FieldValue::Text(s.into())
    }

    fn turn(text: &str) -> ChatTurn {
        ChatTurn {
            from: Speaker::Visitor,
            text: text.into(),
        }
    }

    type Case = (
        &'static str,
        LeadKind,
        fn(&mut Submission),
        &'static [(&'static str, &'static str)],
    );

    #[test]
    fn each_part_is_checked_against_the_site() {
        let cases: &[Case] = &[
            ("a good callback", LeadKind::Callback, |_| {}, &[]),
            ("a good form", LeadKind::Form, |_| {}, &[]),
            ("a good chat", LeadKind::Chat, |_| {}, &[]),
            ("a good messenger click", LeadKind::MessengerClick, |_| {}, &[]),
            ("a good phone click", LeadKind::PhoneClick, |_| {}, &[]),
            // Contact rules: the form requires a phone; a chat takes a phone or an email.
            (
                "form, email only",
                LeadKind::Form,
                |s| {
                    s.contact = RawContact {
                        phone: None,
                        name: None,
                        email: Some("a@b.example".into()),
                    };
                },
                &[("contact.phone", "required")],
            ),
            (
                "chat, email only",
                LeadKind::Chat,
                |s| {
                    s.contact = RawContact {
                        phone: None,
                        name: None,
                        email: Some("a@b.example".into()),
                    };
                },
                &[],
            ),
            (
                "chat, no contact",
                LeadKind::Chat,
                |s| s.contact = RawContact::default(),
                &[("contact", "required")],
            ),
            // Custom fields.
            (
                "unknown field",
                LeadKind::Form,
                |s| {
                    s.fields.insert("colour".into(), text("red"));
                },
                &[("fields.colour", "unknown")],
            ),
            (
                "select value not offered",
                LeadKind::Form,
                |s| {
                    s.fields.insert("service".into(), text("roof"));
                },
                &[("fields.service", "invalid")],
            ),
            (
                "required select missing",
                LeadKind::Form,
                |s| {
                    s.fields.remove("service");
                },
                &[("fields.service", "required")],
            ),
            (
                "required select blank",
                LeadKind::Form,
                |s| {
                    s.fields.insert("service".into(), text("  "));
                },
                &[("fields.service", "required")],
            ),
            (
                "required checkbox unticked",
                LeadKind::Form,
                |s| {
                    s.fields.insert("agree_terms".into(), FieldValue::Flag(false));
                },
                &[("fields.agree_terms", "required")],
            ),
            (
                "checkbox as text",
                LeadKind::Form,
                |s| {
                    s.fields.insert("measure_visit".into(), text("yes"));
                },
                &[("fields.measure_visit", "invalid")],
            ),
            (
                "text as a flag",
                LeadKind::Form,
                |s| {
                    s.fields.insert("floor".into(), FieldValue::Flag(true));
                },
                &[("fields.floor", "invalid")],
            ),
            (
                "text too long",
                LeadKind::Form,
                |s| {
                    s.fields
                        .insert("floor".into(), text(&"э".repeat(limits::FIELD_TEXT + 1)));
                },
                &[("fields.floor", "too_long")],
            ),
            (
                "text at the limit",
                LeadKind::Form,
                |s| {
                    s.fields.insert("floor".into(), text(&"э".repeat(limits::FIELD_TEXT)));
                },
                &[],
            ),
            (
                "a chat may answer fields, required or not",
                LeadKind::Chat,
                |s| {
                    s.fields.insert("floor".into(), text("5"));
                },
                &[],
            ),
            (
                "a click has no fields",
                LeadKind::PhoneClick,
                |s| {
                    s.fields.insert("floor".into(), text("5"));
                },
                &[("fields", "not_allowed")],
            ),
            // Slots: Monday 10:00 in Moscow, slots of 30 minutes from 09:00 and 14:00.
            (
                "an offered slot",
                LeadKind::Callback,
                |s| {
                    s.slot = Some(Slot {
                        start: at("2025-11-24T11:00:00Z"),
                        end: at("2025-11-24T11:30:00Z"),
                    });
                },
                &[],
            ),
            (
                "a slot that is over",
                LeadKind::Callback,
                |s| {
                    s.slot = Some(Slot {
                        start: at("2025-11-24T06:00:00Z"),
                        end: at("2025-11-24T06:30:00Z"),
                    });
                },
                &[("slot", "slot_over")],
            ),
            (
                "a slot in the lunch break",
                LeadKind::Callback,
                |s| {
                    s.slot = Some(Slot {
                        start: at("2025-11-24T10:00:00Z"),
                        end: at("2025-11-24T10:30:00Z"),
                    });
                },
                &[("slot", "slot_not_offered")],
            ),
            (
                "a slot too far ahead",
                LeadKind::Callback,
                |s| {
                    s.slot = Some(Slot {
                        start: at("2026-11-24T07:00:00Z"),
                        end: at("2026-11-24T07:30:00Z"),
                    });
                },
                &[("slot", "slot_too_far")],
            ),
            (
                "a slot on a form",
                LeadKind::Form,
                |s| {
                    s.slot = Some(Slot {
                        start: at("2025-11-24T11:00:00Z"),
                        end: at("2025-11-24T11:30:00Z"),
                    });
                },
                &[("slot", "not_allowed")],
            ),
            // Consent: the site asks for it.
            (
                "no consent",
                LeadKind::Callback,
                |s| s.consent = None,
                &[("consent", "required")],
            ),
            (
                "consent refused",
                LeadKind::Form,
                |s| {
                    s.consent = Some(Consent {
                        text: "I agree".into(),
                        accepted: false,
                    });
                },
                &[("consent", "required")],
            ),
            (
                "consent text too long",
                LeadKind::Chat,
                |s| {
                    s.consent = Some(Consent {
                        text: "x".repeat(limits::CONSENT + 1),
                        accepted: true,
                    });
                },
                &[("consent.text", "too_long")],
            ),
            (
                "a click needs no consent",
                LeadKind::MessengerClick,
                |s| s.consent = None,
                &[],
            ),
            // Transcripts.
            (
                "a chat transcript",
                LeadKind::Chat,
                |s| s.transcript = vec![turn("hi"); limits::TRANSCRIPT_TURNS],
                &[],
            ),
            (
                "too many turns",
                LeadKind::Chat,
                |s| {
                    s.transcript = vec![turn("hi"); limits::TRANSCRIPT_TURNS + 1];
                },
                &[("transcript", "too_long")],
            ),
            (
                "a turn too long",
                LeadKind::Chat,
                |s| {
                    s.transcript = vec![turn("hi"), turn(&"x".repeat(limits::TURN + 1))];
                },
                &[("transcript[1].text", "too_long")],
            ),
            (
                "a transcript on a callback",
                LeadKind::Callback,
                |s| s.transcript = vec![turn("hi")],
                &[("transcript", "not_allowed")],
            ),
            // Messenger clicks.
            (
                "no messenger",
                LeadKind::MessengerClick,
                |s| s.messenger = None,
                &[("messenger", "required")],
            ),
            (
                "ref code too short",
                LeadKind::MessengerClick,
                |s| {
                    s.messenger = Some(MessengerClick {
                        channel: Messenger::Telegram,
                        ref_code: "AB1".into(),
                    });
                },
                &[("messenger.ref_code", "invalid")],
            ),
            (
                "ref code too long",
                LeadKind::MessengerClick,
                |s| {
                    s.messenger = Some(MessengerClick {
                        channel: Messenger::Telegram,
                        ref_code: "A".repeat(17),
                    });
                },
                &[("messenger.ref_code", "invalid")],
            ),
            (
                "ref code not alphanumeric",
                LeadKind::MessengerClick,
                |s| {
                    s.messenger = Some(MessengerClick {
                        channel: Messenger::Telegram,
                        ref_code: "AB-12".into(),
                    });
                },
                &[("messenger.ref_code", "invalid")],
            ),
            (
                "a messenger the site does not show",
                LeadKind::MessengerClick,
                |s| {
                    s.messenger = Some(MessengerClick {
                        channel: Messenger::Viber,
                        ref_code: "AB12".into(),
                    });
                },
                &[("messenger.channel", "not_offered")],
            ),
            (
                "a messenger on a callback",
                LeadKind::Callback,
                |s| {
                    s.messenger = Some(MessengerClick {
                        channel: Messenger::Telegram,
                        ref_code: "AB12".into(),
                    });
                },
                &[("messenger", "not_allowed")],
            ),
        ];
        for (name, kind, change, want) in cases {
            let mut sub = good(*kind);
            change(&mut sub);
            let got = match validate(sub, &site(), MONDAY_10_MSK) {
                Ok(_) => vec![],
                Err(errors) => errors,
            };
            let got: Vec<(&str, &str)> = got.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
            assert_eq!(got, *want, "{name}");
        }
    }

    #[test]
    fn a_bad_slot_says_why_in_words() {
        let mut sub = good(LeadKind::Callback);
        sub.slot = Some(Slot {
            start: at("2025-11-24T06:00:00Z"),
            end: at("2025-11-24T06:30:00Z"),
        });
        let errors = validate(sub, &site(), MONDAY_10_MSK).expect_err("over");
        assert_eq!(errors[0].message, crate::hours::SlotError::Over.to_string());
    }

    #[test]
    fn without_hours_or_consent_settings() {
        let mut bare = site();
        bare.hours = None;
        bare.widget.consent = None;
        let mut sub = good(LeadKind::Callback);
        sub.consent = None;
        assert!(validate(sub.clone(), &bare, MONDAY_10_MSK).is_ok(), "no consent asked");
        sub.slot = Some(Slot {
            start: at("2025-11-24T11:00:00Z"),
            end: at("2025-11-24T11:30:00Z"),
        });
        let errors = validate(sub, &bare, MONDAY_10_MSK).expect_err("no hours");
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            ("slot", "not_offered")
        );
    }

    #[test]
    fn what_a_lead_keeps() {
        let mut sub = good(LeadKind::Form);
        sub.product = Some(format!("  {}  ", "w".repeat(limits::PRODUCT + 5)));
        sub.fields.insert("floor".into(), text("  5th "));
        sub.fields.insert("measure_visit".into(), FieldValue::Flag(false));
        sub.locale = Some("RU".into());
        let lead = validate(sub, &site(), MONDAY_10_MSK).expect("valid");
        assert_eq!(lead.product.map(|p| p.chars().count()), Some(limits::PRODUCT));
        assert_eq!(lead.fields.get("floor"), Some(&text("5th")));
        assert_eq!(lead.fields.get("measure_visit"), Some(&FieldValue::Flag(false)));
        assert_eq!(lead.fields.get("service"), Some(&text("windows")));
        assert_eq!(lead.consent.map(|c| c.text), Some("I agree".to_owned()));
        assert_eq!(lead.locale.as_deref(), Some("ru"));
        for (given, kept) in [
            (Some("en"), Some("en")),
            (Some("de"), None),
            (Some(""), None),
            (None, None),
        ] {
            assert_eq!(locale(given).as_deref(), kept, "{given:?}");
        }
        assert_eq!(product(Some("   ")), None);
    }

    /// Destinations map the same keys on every lead: absent parts are null or empty, never missing.
    #[test]
    fn the_webhook_names_every_part() {
        let lead = validate(good(LeadKind::PhoneClick), &site(), MONDAY_10_MSK).expect("valid");
        let event = serde_json::to_value(crate::wire::WebhookEvent::lead_created(lead)).expect("serialises");
        let data = &event["data"];
        for (key, empty) in [
            ("product", json!(null)),
            ("fields", json!({})),
            ("slot", json!(null)),
            ("consent", json!(null)),
            ("transcript", json!([])),
            ("messenger", json!(null)),
            ("locale", json!(null)),
        ] {
            assert_eq!(data.get(key), Some(&empty), "{key} in {data}");
        }
        assert_eq!(data["kind"], "phone_click");
    }
}
