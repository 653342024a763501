//! From an untrusted [`Submission`] to a [`Lead`] fit to store and deliver.
//!
//! Contact fields are refused with a field error when wrong: a visitor can fix
//! them. Page and touch data are only trimmed to their limits: attribution is
//! best effort and never costs a lead. What each kind needs and may carry is
//! one table (`kinds.rs`); the widget's extras (custom fields, slot, consent,
//! transcript, messenger click) are checked against the site in `extras.rs`.
//! Before any check, visitor text is tidied ([`crate::tidy`]) and addresses
//! are checked (`addresses.rs`): the page's own URL must be http(s); a
//! referrer or touch that is not a web address is dropped, as attribution
//! never costs a lead.

mod addresses;
mod extras;
mod kinds;

use crate::attribution::{attribute, bounded_url};
use crate::limits::{self, truncate};
use crate::phone;
use crate::site::Site;
use crate::tidy;
use crate::wire::{Contact, FieldError, FieldValue, Lead, Page, Submission, Touch, Touches, WIRE_VERSION};
use kinds::{rules, Needs};

/// Validates and normalises a submission for `site`, stamping it `received_at_ms`.
pub fn validate(sub: Submission, site: &Site, received_at_ms: i64) -> Result<Lead, Vec<FieldError>> {
    let mut errors = Vec::new();
    let sub = addresses::checked(tidied(sub), received_at_ms, &mut errors);
    if sub.id.is_nil() {
        errors.push(FieldError::new(
            "id",
            "invalid",
            "The lead id must be a random UUID, not the nil UUID.",
        ));
    }
    if sub.v != WIRE_VERSION {
        errors.push(FieldError::new(
            "v",
            "unsupported_version",
            format!("Only wire version {WIRE_VERSION} is accepted."),
        ));
    }
    if sub.site != site.id {
        errors.push(FieldError::new(
            "site",
            "mismatch",
            "The lead names another site than the one it was posted to.",
        ));
    }
    let rules = rules(sub.kind);
    let now = jiff::Timestamp::from_millisecond(received_at_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let contact = contact(&sub, site, rules.contact.needs(&site.widget.form), &mut errors);
    let message = optional_text(sub.message.as_deref(), "message", limits::MESSAGE, &mut errors);
    let fields = extras::custom_fields(&sub.fields, &site.widget, &rules, &mut errors);
    let slot = extras::slot(sub.slot, site.hours.as_ref(), &rules, now, &mut errors);
    let consent = extras::consent(sub.consent.as_ref(), &site.widget, &rules, &mut errors);
    let transcript = extras::transcript(&sub.transcript, &rules, &mut errors);
    let messenger = extras::messenger(sub.messenger.as_ref(), &site.widget, &rules, &mut errors);
    let page = Page {
        url: truncate(&sub.page.url, limits::URL),
        title: sub.page.title.as_deref().map(|t| truncate(t, limits::TITLE)),
        referrer: sub.page.referrer.as_deref().map(|r| truncate(r, limits::URL)),
    };
    let received_at = now.to_string();
    if !errors.is_empty() {
        return Err(errors);
    }
    let touches = Touches {
        first: sub.touches.first.as_ref().map(bounded_touch),
        last: sub.touches.last.as_ref().map(bounded_touch),
        visits: sub.touches.visits,
    };
    // The page as attribution reads it: cut down to its tags rather than cut off.
    let landed = Page {
        url: bounded_url(&sub.page.url),
        title: None,
        referrer: sub.page.referrer.as_deref().map(bounded_url),
    };
    Ok(Lead {
        id: sub.id,
        site: site.id.clone(),
        kind: sub.kind,
        attribution: attribute(&touches, &landed),
        contact,
        message,
        page,
        received_at,
        product: extras::product(sub.product.as_deref()),
        fields,
        slot,
        consent,
        transcript,
        messenger,
        locale: extras::locale(sub.locale.as_deref()),
        // Stamped by the collector on the clock its hours are read with (`crate::hours::expected_response_by`).
        expected_response_by: None,
    })
}

fn contact(sub: &Submission, site: &Site, needs: Needs, errors: &mut Vec<FieldError>) -> Contact {
    let raw = &sub.contact;
    let typed_phone = raw.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let phone = match typed_phone {
        None if needs.phone => {
            errors.push(FieldError::new(
                "contact.phone",
                "required",
                phone::PhoneError::Empty.message(),
            ));
            None
        }
        None => None,
        Some(p) if p.chars().count() > limits::PHONE_AS_TYPED => {
            errors.push(FieldError::new(
                "contact.phone",
                "too_long",
                phone::PhoneError::TooLong.message(),
            ));
            None
        }
        Some(p) => match phone::normalize(p, &site.default_country) {
            Ok(phone) => Some(phone),
            Err(e) => {
                errors.push(FieldError::new("contact.phone", e.code(), e.message()));
                None
            }
        },
    };
    let email = optional_text(raw.email.as_deref(), "contact.email", limits::EMAIL, errors);
    if needs.email && raw.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
        errors.push(FieldError::new("contact.email", "required", "Enter an email address."));
    }
    if let Some(e) = &email {
        if !looks_like_email(e) {
            errors.push(FieldError::new(
                "contact.email",
                "invalid",
                "Enter an email address like name@example.com.",
            ));
        }
    }
    if needs.phone_or_email && typed_phone.is_none() && email.is_none() {
        errors.push(FieldError::new(
            "contact",
            "required",
            "Enter a phone number or an email address.",
        ));
    }
    let name = optional_text(raw.name.as_deref(), "contact.name", limits::NAME, errors);
    if needs.name && raw.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        errors.push(FieldError::new("contact.name", "required", "Enter your name."));
    }
    let (phone, extension) = match phone {
        Some(phone::Phone { e164, extension }) => (Some(e164), extension),
        None => (None, None),
    };
    Contact {
        phone,
        extension,
        name,
        email,
    }
}

/// Every free text of the submission as [`tidy`] keeps it: one line where a
/// product shows one line, lines where a visitor may write them.
fn tidied(mut sub: Submission) -> Submission {
    let line = |t: &mut Option<String>| {
        if let Some(t) = t {
            *t = tidy::line(t);
        }
    };
    line(&mut sub.contact.name);
    line(&mut sub.contact.email);
    line(&mut sub.page.title);
    line(&mut sub.product);
    line(&mut sub.locale);
    if let Some(m) = &mut sub.message {
        *m = tidy::lines(m);
    }
    if let Some(c) = &mut sub.consent {
        c.text = tidy::lines(&c.text);
    }
    for value in sub.fields.values_mut() {
        if let FieldValue::Text(t) = value {
            *t = tidy::lines(t);
        }
    }
    for turn in &mut sub.transcript {
        turn.text = tidy::lines(&turn.text);
    }
    if let Some(m) = &mut sub.messenger {
        m.ref_code = tidy::line(&m.ref_code);
    }
    sub
}

/// Trims; empty is absent; over the limit is an error.
fn optional_text(value: Option<&str>, field: &str, limit: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > limit {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("At most {limit} characters."),
        ));
        return None;
    }
    Some(value.to_owned())
}

/// One `@` with something on both sides and a dot in the domain; the CRM does the rest.
fn looks_like_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Over-long touch URLs keep their tags (see [`bounded_url`]).
fn bounded_touch(t: &Touch) -> Touch {
    Touch {
        url: bounded_url(&t.url),
        referrer: t.referrer.as_deref().map(bounded_url),
        at: t.at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::Channel;
    use crate::wire::{LeadKind, RawContact};

    fn site() -> Site {
        Site {
            id: "demo".into(),
            origins: vec![],
            default_country: "RU".into(),
            destinations: vec![],
            attribution: Default::default(),
            hours: None,
            widget: Default::default(),
            turnstile: None,
            retention_days: crate::privacy::DEFAULT_RETENTION_DAYS,
            limits: Default::default(),
            secrets: Default::default(),
        }
    }

    fn submission(kind: LeadKind, phone: Option<&str>, email: Option<&str>) -> Submission {
        let page = Page {
            url: "https://demo.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring".into(),
            title: Some("Demo".into()),
            referrer: None,
        };
        Submission {
            contact: RawContact {
                phone: phone.map(Into::into),
                name: Some("  Ivan ".into()),
                email: email.map(Into::into),
            },
            ..Submission::new(uuid::Uuid::from_u128(7), "demo", kind, page)
        }
    }

    const NOON: i64 = 1_763_899_200_000; // 2025-11-23T12:00:00Z

    #[test]
    fn a_callback_becomes_a_normalised_attributed_lead() {
        let lead = validate(
            submission(LeadKind::Callback, Some("8 (912) 345-67-89"), None),
            &site(),
            NOON,
        )
        .expect("valid");
        assert_eq!(lead.contact.phone.as_deref(), Some("+79123456789"));
        assert_eq!(lead.contact.name.as_deref(), Some("Ivan"));
        assert_eq!(lead.attribution.deciding.channel, Channel::PaidSearch);
        assert_eq!(lead.attribution.deciding.campaign.as_deref(), Some("spring"));
        assert_eq!(lead.received_at, "2025-11-23T12:00:00Z");
    }

    /// A pasted number keeps its extension, in its own field beside the E.164.
    #[test]
    fn a_pasted_phone_keeps_its_extension() {
        let cases: &[(&str, (&str, Option<&str>))] = &[
            ("+7 912 345 67 89 доб. 12", ("+79123456789", Some("12"))),
            ("+79123456789 ext. 123", ("+79123456789", Some("123"))),
            ("tel:+79123456789;ext=7", ("+79123456789", Some("7"))),
            ("tel:+79123456789", ("+79123456789", None)),
            ("++79123456789", ("+79123456789", None)),
            ("＋７９１２３４５６７８９", ("+79123456789", None)),
        ];
        for (typed, (phone, extension)) in cases {
            let lead = validate(submission(LeadKind::Callback, Some(typed), None), &site(), NOON).expect(typed);
            let got = (lead.contact.phone.as_deref(), lead.contact.extension.as_deref());
            assert_eq!(got, (Some(*phone), *extension), "{typed:?}");
        }
    }

    #[test]
    fn contact_rules_per_kind() {
        let cases: &[(LeadKind, Option<&str>, Option<&str>, &[(&str, &str)])] = &[
            (LeadKind::Callback, None, None, &[("contact.phone", "required")]),
            (LeadKind::Callback, Some("   "), None, &[("contact.phone", "required")]),
            (
                LeadKind::Callback,
                None,
                Some("a@b.example"),
                &[("contact.phone", "required")],
            ),
            (LeadKind::Callback, Some("12"), None, &[("contact.phone", "too_short")]),
            (
                LeadKind::Callback,
                Some("call me"),
                None,
                &[("contact.phone", "invalid")],
            ),
            (LeadKind::Form, None, None, &[("contact", "required")]),
            (LeadKind::Form, None, Some("a@b.example"), &[]),
            (
                LeadKind::Form,
                None,
                Some("not-an-email"),
                &[("contact.email", "invalid")],
            ),
            (LeadKind::Chat, Some("+7 912 345 67 89"), None, &[]),
        ];
        for (kind, phone, email, want) in cases {
            let got = match validate(submission(*kind, *phone, *email), &site(), NOON) {
                Ok(_) => vec![],
                Err(errors) => errors,
            };
            let got: Vec<(&str, &str)> = got.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
            assert_eq!(got, *want, "{kind:?} phone={phone:?} email={email:?}");
        }
    }

    #[test]
    fn wrong_version_site_and_oversized_fields_are_named() {
        let mut sub = submission(LeadKind::Callback, Some("+79123456789"), None);
        sub.v = 2;
        sub.site = "other".into();
        sub.message = Some("x".repeat(limits::MESSAGE + 1));
        sub.contact.name = Some("я".repeat(limits::NAME + 1));
        let fields: Vec<String> = validate(sub, &site(), NOON)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["v", "site", "contact.name", "message"]);
    }

    #[test]
    fn the_nil_uuid_is_not_a_lead_id() {
        let mut sub = submission(LeadKind::Callback, Some("+79123456789"), None);
        sub.id = uuid::Uuid::nil();
        let errors = validate(sub, &site(), NOON).expect_err("refused");
        let named: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(named, [("id", "invalid")]);
    }

    /// What reaches a CRM holds no control, bidi or invisible character and
    /// is NFC, in every free text of the lead.
    #[test]
    fn visitor_text_is_tidied_before_it_is_kept() {
        let mut sub = submission(LeadKind::Form, Some("+79123456789"), None);
        sub.contact.name = Some("Iv\u{0}an\r\nBcc: x\u{202E}".into());
        sub.message = Some("line 1\r\nline\u{200B} 2\u{7}".into());
        sub.product = Some("Sofa\u{202E}\u{FEFF}".into());
        sub.page.title = Some("T\u{0438}\u{0306}tle\n".into());
        let lead = validate(sub, &site(), NOON).expect("valid");
        assert_eq!(lead.contact.name.as_deref(), Some("Ivan  Bcc: x"));
        assert_eq!(lead.message.as_deref(), Some("line 1\nline 2"));
        assert_eq!(lead.product.as_deref(), Some("Sofa"));
        assert_eq!(lead.page.title.as_deref(), Some("T\u{0439}tle "));
    }

    #[test]
    fn a_page_that_is_not_a_web_address_is_named() {
        let mut sub = submission(LeadKind::Callback, Some("+79123456789"), None);
        sub.page.url = "javascript:alert(1)".into();
        let errors = validate(sub, &site(), NOON).expect_err("refused");
        let named: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(named, [("page.url", "invalid_url")]);
    }

    #[test]
    fn page_data_is_trimmed_never_refused() {
        let mut sub = submission(LeadKind::Callback, Some("+79123456789"), None);
        sub.page.url = format!("https://demo.example/?q={}", "%".repeat(10_000));
        sub.page.referrer = Some("javascript:alert(1)".into());
        sub.page.title = Some("т".repeat(1_000));
        let lead = validate(sub, &site(), NOON).expect("still a lead");
        assert_eq!(lead.page.url.chars().count(), limits::URL);
        assert_eq!(lead.page.title.map(|t| t.chars().count()), Some(limits::TITLE));
        assert_eq!(lead.attribution.deciding.channel, Channel::Direct);
    }

    #[test]
    fn an_over_long_touch_keeps_its_tags() {
        let mut sub = submission(LeadKind::Callback, Some("+79123456789"), None);
        let url = format!(
            "https://demo.example/?n={}&utm_source=vk&utm_medium=cpc",
            "x".repeat(5_000)
        );
        sub.touches.first = Some(Touch {
            url,
            referrer: None,
            at: Some(NOON),
        });
        let lead = validate(sub, &site(), NOON).expect("valid");
        let first = lead.attribution.first_touch.expect("the first touch");
        assert_eq!(
            first.classification.landing_page.as_deref(),
            Some("https://demo.example/?utm_source=vk&utm_medium=cpc")
        );
        assert_eq!(lead.attribution.deciding.channel, Channel::PaidSocial);
    }
}
