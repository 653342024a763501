//! `hubspot`: a submission to a HubSpot form through the Forms API v3
//! (legacy "submit data to a form", unauthenticated:
//! `POST {base}/submissions/v3/integration/submit/{portalId}/{formGuid}`,
//! <https://developers.hubspot.com/docs/api-reference/legacy/marketing/forms/v3-legacy/submit-data-unauthenticated>).
//!
//! The endpoint takes no key, so the destination holds no secret; it accepts
//! only fields the HubSpot form declares (otherwise HubSpot answers
//! `FIELD_NOT_IN_FORM_DEFINITION`), so the form must declare the contact
//! properties this kind fills: `email`, `phone`, `firstname`, `lastname` and
//! `message` (hidden fields will do), and every property `fields` maps to.
//!
//! * `firstname`/`lastname`: the contact's name split at its first space
//!   ("Ivan Petrov" → "Ivan", "Petrov"; one word is a first name only). A
//!   name typed surname-first lands the other way round.
//! * `message`: the lead's readable rows ([`summary::plain`]), so the product,
//!   the callback slot, the promise and a chat reach the manager too.
//! * UTM values: HubSpot has no standard `utm_*` contact properties (its own
//!   source properties are set by its tracking code), so they are sent only
//!   where `fields` maps them to custom properties: a `fields` key names a
//!   site form field, else one of `utm_source`, `utm_medium`, `utm_campaign`,
//!   `utm_term`, `utm_content` (the lead's deciding touch, as attributed) or a
//!   click id the landing URL carried (`gclid`, `yclid`, …).
//!
//! HubSpot documents no idempotency key for submissions: a retry after an
//! attempt whose outcome was unknown may record the submission twice (on the
//! same contact when the lead has an email, since contacts are matched by it).

use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer};
use serde_json::json;

use crate::attribution::Classification;
use crate::site::Destination;
use crate::wire::{FieldValue, Lead};

use super::summary;
use super::text::is_web_address;
use super::{cut, Act, Answer, Delivery, Guarantee, Kind, Outcome, Problem, Request};

pub struct HubSpot;

/// HubSpot's forms API, when the destination names no other base.
const DEFAULT_BASE: &str = "https://api.hsforms.com";
/// The contact object: every field here is a contact property.
const CONTACT: &str = "0-1";
/// The submit endpoint takes "up to 1000 fields".
const MAX_FIELDS: usize = 1_000;
/// The properties this kind fills from the lead's contact and summary.
const STANDARD: &[&str] = &["email", "phone", "firstname", "lastname", "message"];
/// One value. The submit page names no limit; this is HubSpot's limit on a
/// text property's value, so a long chat summary is cut rather than refused.
const VALUE_MAX: usize = 65_536;
/// How much of HubSpot's own error message a reason keeps.
const REASON_MAX: usize = 300;

/// `[[site.destination]]` keys of a HubSpot destination.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The HubSpot account's number; `"12345678"` or `12345678`.
    #[serde(deserialize_with = "number_or_text")]
    portal_id: String,
    /// The form's id, from its editor URL.
    form_guid: String,
    /// The API base, when it is not HubSpot's own (a stand-in in tests).
    url: Option<String>,
    /// Or: the Worker secret holding it.
    url_secret: Option<String>,
}

/// TOML users write account numbers either way; serde's own error for the
/// wrong one would not name the key.
fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(u64),
        Text(String),
    }
    match NumberOrText::deserialize(d) {
        Ok(NumberOrText::Number(n)) => Ok(n.to_string()),
        Ok(NumberOrText::Text(t)) => Ok(t),
        // The settings' reader puts the key ("portal_id: ") in front.
        Err(_) => Err(serde::de::Error::custom("expected the portal's number")),
    }
}

/// Everything wrong with the settings, each naming its key.
fn problems(s: &Settings, destination: &Destination) -> Vec<String> {
    let mut problems = Vec::new();
    if s.portal_id.is_empty() || s.portal_id.len() > 20 || !s.portal_id.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(format!("portal_id: {:?} is not a portal number (digits)", s.portal_id));
    }
    if !is_uuid(&s.form_guid) {
        problems.push(format!(
            "form_guid: {:?} is not a form id like 0f3ab6f0-5c1d-4d0e-9a3b-2c4d6e8f0a1b",
            s.form_guid
        ));
    }
    if s.url.is_some() && s.url_secret.is_some() {
        problems.push("url, url_secret: give at most one of them".to_owned());
    }
    if let Some(url) = s.url.as_deref().filter(|u| !is_web_address(u)) {
        problems.push(format!("url: {url:?} is not an http(s) address"));
    }
    if destination.fields.len() > MAX_FIELDS - STANDARD.len() {
        problems.push(format!(
            "fields: at most {} (HubSpot takes {MAX_FIELDS} fields, {} are the contact's)",
            MAX_FIELDS - STANDARD.len(),
            STANDARD.len()
        ));
    }
    for (site_field, property) in &destination.fields {
        if property.trim().is_empty() || property.chars().any(|c| c.is_whitespace() || c.is_control()) {
            problems.push(format!(
                "fields.{site_field}: {property:?} is not a property's internal name"
            ));
        } else if STANDARD.contains(&property.as_str()) {
            problems.push(format!(
                "fields.{site_field}: {property:?} is already filled from the lead"
            ));
        }
    }
    problems
}

impl Kind for HubSpot {
    fn check(&self, destination: &Destination) -> Vec<String> {
        super::check_settings(destination, problems)
    }

    fn request(&self, delivery: &Delivery) -> Result<Request, Problem> {
        let s: Settings = delivery.checked_settings(problems)?;
        let base = delivery.endpoint(&s.url, &s.url_secret, Some(DEFAULT_BASE))?;
        let url = format!(
            "{}/submissions/v3/integration/submit/{}/{}",
            base.trim_end_matches('/'),
            s.portal_id,
            s.form_guid
        );
        let lead = delivery.lead;
        let contact = &lead.contact;
        let (first, last) = split_name(contact.name.as_deref().unwrap_or(""));
        let locale = summary::locale(None, lead);
        let summary = summary::plain(&summary::lines(delivery, locale));
        let standard = [
            ("email", contact.email.clone()),
            ("phone", contact.phone.clone()),
            ("firstname", first),
            ("lastname", last),
            ("message", Some(summary)),
        ];
        let mapped = delivery
            .destination
            .fields
            .iter()
            .map(|(site_field, property)| (property.as_str(), mapped_value(lead, site_field)));
        let mut names: Vec<&str> = Vec::new();
        let mut fields = Vec::new();
        for (name, value) in standard.into_iter().chain(mapped) {
            let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            // One value per property: a second would be ambiguous to HubSpot.
            if names.contains(&name) || fields.len() == MAX_FIELDS {
                continue;
            }
            names.push(name);
            fields.push(json!({"objectTypeId": CONTACT, "name": name, "value": cut(&value, VALUE_MAX)}));
        }
        let mut body = json!({ "fields": fields, "context": context(lead) });
        if let Some(ms) = lead
            .received_at
            .parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond())
        {
            // The sample request gives the millisecond timestamp as a string.
            body["submittedAt"] = json!(ms.to_string());
        }
        if let Some(consent) = lead
            .consent
            .as_ref()
            .filter(|c| c.accepted && !c.text.trim().is_empty())
        {
            body["legalConsentOptions"] = json!({
                "consent": {"consentToProcess": true, "text": cut(&consent.text, VALUE_MAX)}
            });
        }
        Ok(Request::post_json(url, &body))
    }

    fn classify(&self, answer: &Answer) -> Outcome {
        let error: Option<HubSpotError> = serde_json::from_str(answer.body).ok();
        let first = error.as_ref().and_then(|e| e.errors.first());
        let error_type = first.and_then(|e| e.error_type.as_deref());
        // The first error's words, else the body's own message.
        let message = first
            .and_then(|e| e.message.as_deref())
            .or(error.as_ref().and_then(|e| e.message.as_deref()));
        let reason = || match (error_type, message) {
            (Some(kind), Some(message)) => format!("HubSpot {kind}: {}", cut(message, REASON_MAX)),
            (None, Some(message)) => format!("HubSpot: {}", cut(message, REASON_MAX)),
            _ => format!("HubSpot answered HTTP {}", answer.status),
        };
        let act = ANSWERS
            .iter()
            .find(|(status, t, _)| status.contains(&answer.status) && t.is_none_or(|t| Some(t) == error_type))
            .map(|(_, _, act)| *act);
        match act {
            Some(act) => act.outcome(answer.retry_after_secs, reason()),
            None => Outcome::from_status(answer).with_reason(reason()),
        }
    }

    fn guarantee(&self) -> Guarantee {
        // No idempotency key is documented for submissions; see the module's doc.
        Guarantee::AtLeastOnce
    }
}

/// HubSpot's error body: `{"status":"error","message",…,"errors":[{"message","errorType"}]}`.
#[derive(Deserialize)]
struct HubSpotError {
    message: Option<String>,
    #[serde(default)]
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct FieldError {
    message: Option<String>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
}

/// HubSpot's documented answers to a submission: status, the first error's
/// `errorType` (`None`: any), and what it means. The first matching row decides.
const ANSWERS: &[(RangeInclusive<u16>, Option<&str>, Act)] = &[
    (200..=299, None, Act::Delivered),
    // A form with CAPTCHA on refuses every API submission until it is turned off.
    (400..=400, Some("FORM_HAS_RECAPTCHA_ENABLED"), Act::Disable),
    // INVALID_EMAIL, REQUIRED_FIELD, FIELD_NOT_IN_FORM_DEFINITION…: this lead.
    (400..=400, None, Act::Failed),
    // The portal is not allowed to post submissions.
    (403..=403, None, Act::Disable),
    // No such form in this portal.
    (404..=404, None, Act::Disable),
    // 50 requests per 10 seconds: wait out the window.
    (429..=429, None, Act::Retry(Some(10))),
    (500..=599, None, Act::Retry(None)),
];

/// The lead's attribution a `fields` key may name, by key.
const ATTRIBUTION: &[(&str, fn(&Classification) -> Option<&String>)] = &[
    ("utm_source", |a| a.source.as_ref()),
    ("utm_medium", |a| a.medium.as_ref()),
    ("utm_campaign", |a| a.campaign.as_ref()),
    ("utm_term", |a| a.term.as_ref()),
    ("utm_content", |a| a.content.as_ref()),
];

/// The value a `fields` key names: a site form field, else the attribution.
fn mapped_value(lead: &Lead, key: &str) -> Option<String> {
    if let Some(value) = lead.fields.get(key) {
        return Some(match value {
            FieldValue::Text(text) => text.clone(),
            // HubSpot's checkbox properties take "true" and "false".
            FieldValue::Flag(flag) => flag.to_string(),
        });
    }
    let deciding = &lead.attribution.deciding;
    match ATTRIBUTION.iter().find(|(name, _)| *name == key) {
        Some((_, read)) => read(deciding).cloned(),
        None => deciding.click_ids.get(key).cloned(),
    }
}

/// First name and last name: the name split at its first space.
fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let name = name.trim();
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    let part = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    (part(first), part(last))
}

/// The page the lead was sent from. A page address HubSpot would refuse
/// (`INVALID_PAGE_URI`) is left out rather than failing the lead.
fn context(lead: &Lead) -> serde_json::Value {
    let mut context = serde_json::Map::new();
    if is_web_address(&lead.page.url) {
        context.insert("pageUri".into(), json!(lead.page.url));
    }
    if let Some(title) = lead.page.title.as_deref().filter(|t| !t.trim().is_empty()) {
        context.insert("pageName".into(), json!(cut(title, VALUE_MAX)));
    }
    serde_json::Value::Object(context)
}

/// The hyphenated form HubSpot shows: 8-4-4-4-12 hex digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{answer, destination, hostile_lead, json_body, lead, request};
    use super::super::Method;
    use super::*;

    const GUID: &str = "0f3ab6f0-5c1d-4d0e-9a3b-2c4d6e8f0a1b";

    fn hs(extra: &str) -> Destination {
        destination(&format!(
            "id = \"hs\"\nkind = \"hubspot\"\nportal_id = \"12345678\"\nform_guid = \"{GUID}\"\n{extra}"
        ))
    }

    const MAPPED: &str = r#"[fields]
        service = "service_type"
        measure_visit = "measure_visit"
        utm_source = "utm_source"
        utm_campaign = "utm_campaign"
        yclid = "yclid"
        nowhere = "empty_property""#;

    #[test]
    fn the_fixture_lead_is_the_documented_submission() {
        let r = request(&HubSpot, &lead(), &hs(MAPPED));
        assert_eq!(r.method, Method::Post);
        assert_eq!(
            r.url,
            format!("https://api.hsforms.com/submissions/v3/integration/submit/12345678/{GUID}")
        );
        assert_eq!(
            r.headers,
            vec![
                ("content-type", "application/json".to_owned()),
                super::super::user_agent()
            ]
        );
        // The fixture visitor reads Russian: so does the summary.
        let message = [
            "Имя: Ivan Petrov",
            "Телефон: +79123456789",
            "Email: ivan@example.com",
            "Сообщение: Please call after lunch",
            "Товар: PVC window 1200x1500",
            "measure_visit: да",
            "service: balcony",
            "Перезвонить: 2026-11-24 09:00–09:30 Europe/Moscow",
            "Обещано: вт 24.11 09:00 (Europe/Moscow)",
            "Источник: paid_search · yandex / cpc / spring",
            "Страница: https://shop.example/windows?utm_source=yandex",
            "Откуда пришёл: https://yandex.ru/",
            "Заявка: 6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
        ]
        .join("\n");
        let field = |name: &str, value: &str| json!({"objectTypeId": "0-1", "name": name, "value": value});
        assert_eq!(
            json_body(&r),
            json!({
                "submittedAt": "1795449587681",
                "fields": [
                    field("email", "ivan@example.com"),
                    field("phone", "+79123456789"),
                    field("firstname", "Ivan"),
                    field("lastname", "Petrov"),
                    field("message", &message),
                    field("measure_visit", "true"),
                    field("service_type", "balcony"),
                    field("utm_campaign", "spring"),
                    field("utm_source", "yandex"),
                    field("yclid", "8412395817"),
                ],
                "context": {"pageUri": "https://shop.example/windows?utm_source=yandex", "pageName": "PVC windows"},
                "legalConsentOptions": {"consent": {"consentToProcess": true, "text": "I agree."}},
            })
        );
    }

    #[test]
    fn a_base_url_and_a_lead_without_details() {
        let mut bare = lead();
        bare.contact.email = None;
        bare.contact.name = Some("Cher".into());
        bare.consent = None;
        bare.page.title = None;
        let d = hs("url = \"http://127.0.0.1:8787/\"\nportal_id_note = 1");
        assert!(HubSpot.check(&d)[0].contains("portal_id_note"));
        let d = destination(&format!(
            "id = \"hs\"\nportal_id = 12345678\nform_guid = \"{GUID}\"\nurl = \"http://127.0.0.1:8787/\""
        ));
        let r = request(&HubSpot, &bare, &d);
        assert_eq!(
            r.url,
            format!("http://127.0.0.1:8787/submissions/v3/integration/submit/12345678/{GUID}")
        );
        let body = json_body(&r);
        let names: Vec<&str> = body["fields"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(names, ["phone", "firstname", "message"]);
        assert_eq!(body["fields"][1]["value"], "Cher");
        assert_eq!(body.get("legalConsentOptions"), None);
        assert_eq!(
            body["context"],
            json!({"pageUri": "https://shop.example/windows?utm_source=yandex"})
        );
    }

    #[test]
    fn a_hostile_lead_arrives_as_data_and_cut() {
        let mut hostile = hostile_lead();
        hostile.transcript = vec![
            crate::wire::ChatTurn {
                from: crate::wire::Speaker::Visitor,
                text: "y".repeat(40_000),
            };
            2
        ];
        let r = request(&HubSpot, &hostile, &hs(""));
        let raw = r.body.clone().unwrap_or_default();
        let body = json_body(&r);
        let value = |name: &str| {
            body["fields"]
                .as_array()
                .and_then(|f| f.iter().find(|f| f["name"] == name))
                .and_then(|f| f["value"].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        // JSON carries the text as text: quotes and line breaks are escaped,
        // markup stays inert characters for HubSpot to show as typed.
        assert_eq!(value("firstname"), "<script>alert(1)</script>");
        assert_eq!(
            value("lastname"),
            "*bold* _it_ `code` [x](http://evil) & <b>\u{202E}RTL"
        );
        assert!(raw.contains(r#"<a href=\"x\">&amp;</a>"#), "quotes are JSON-escaped");
        assert!(!raw.contains('\n'), "line breaks are JSON-escaped");
        let message = value("message");
        assert_eq!(message.chars().count(), VALUE_MAX);
        assert!(message.ends_with('…'));
        assert!(message.contains("line 1\nline 2 <a href=\"x\">&amp;</a> @channel <!here> 🙂 xxx"));
    }

    #[test]
    fn answers_are_classified_by_status_and_error_type() {
        let invalid = |error_type: &str, message: &str| {
            format!(
                r#"{{"status":"error","message":"The request is not valid","correlationId":"4a5b","type":"VALIDATION_ERROR","errors":[{{"message":"{message}","errorType":"{error_type}"}}]}}"#
            )
        };
        let cases: Vec<(u16, Option<u64>, String, Outcome)> = vec![
            (200, None, r#"{"inlineMessage":"Thanks for submitting the form."}"#.into(), Outcome::Delivered),
            (
                400,
                None,
                invalid("INVALID_EMAIL", "Error in 'fields.email'. Invalid email address"),
                Outcome::Failed {
                    reason: "HubSpot INVALID_EMAIL: Error in 'fields.email'. Invalid email address".into(),
                },
            ),
            (
                400,
                None,
                invalid("REQUIRED_FIELD", "Error in 'fields.email'. Required field 'email' is missing"),
                Outcome::Failed {
                    reason: "HubSpot REQUIRED_FIELD: Error in 'fields.email'. Required field 'email' is missing".into(),
                },
            ),
            (
                400,
                None,
                invalid(
                    "FORM_HAS_RECAPTCHA_ENABLED",
                    "Form can't receive API submissions as Captcha (SPAM prevention) is enabled.",
                ),
                Outcome::Disable {
                    reason: "HubSpot FORM_HAS_RECAPTCHA_ENABLED: Form can't receive API submissions as Captcha (SPAM prevention) is enabled.".into(),
                },
            ),
            (
                403,
                None,
                r#"{"status":"error","message":"Portal 12345678 is not allowed to post submissions"}"#.into(),
                Outcome::Disable {
                    reason: "HubSpot: Portal 12345678 is not allowed to post submissions".into(),
                },
            ),
            (
                404,
                None,
                String::new(),
                Outcome::Disable {
                    reason: "HubSpot answered HTTP 404".into(),
                },
            ),
            (
                429,
                None,
                r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT"}"#.into(),
                Outcome::Retry {
                    after_secs: Some(10),
                    reason: "HubSpot: You have reached your ten_secondly_rolling limit.".into(),
                },
            ),
            (
                429,
                Some(4),
                String::new(),
                Outcome::Retry {
                    after_secs: Some(4),
                    reason: "HubSpot answered HTTP 429".into(),
                },
            ),
            (
                502,
                None,
                "<html>Bad gateway</html>".into(),
                Outcome::Retry {
                    after_secs: None,
                    reason: "HubSpot answered HTTP 502".into(),
                },
            ),
            (
                401,
                None,
                String::new(),
                Outcome::Failed {
                    reason: "HubSpot answered HTTP 401".into(),
                },
            ),
        ];
        for (status, retry_after_secs, body, want) in cases {
            assert_eq!(
                HubSpot.classify(&answer(status, retry_after_secs, &body)),
                want,
                "{status} {body}"
            );
        }
        assert_eq!(HubSpot.guarantee(), Guarantee::AtLeastOnce);
    }

    #[test]
    fn settings_are_checked_by_key() {
        assert_eq!(HubSpot.check(&hs(MAPPED)), Vec::<String>::new());
        assert_eq!(HubSpot.check(&hs("url_secret = \"HS_URL\"")), Vec::<String>::new());
        let cases: &[(&str, &str)] = &[
            ("id = \"hs\"\nportal_id = \"1\"", "form_guid"),
            (&format!("id = \"hs\"\nform_guid = \"{GUID}\""), "portal_id"),
            (&format!("id = \"hs\"\nportal_id = \"12a\"\nform_guid = \"{GUID}\""), "portal_id:"),
            (&format!("id = \"hs\"\nportal_id = true\nform_guid = \"{GUID}\""), "portal_id:"),
            ("id = \"hs\"\nportal_id = \"1\"\nform_guid = \"0f3ab6f0\"", "form_guid:"),
            (
                &format!("id = \"hs\"\nportal_id = \"1\"\nform_guid = \"{GUID}\"\nurl = \"https://a.example\"\nurl_secret = \"X\""),
                "url, url_secret",
            ),
            (&format!("id = \"hs\"\nportal_id = \"1\"\nform_guid = \"{GUID}\"\nurl = \"api.hsforms.com\""), "url:"),
            (&format!("id = \"hs\"\nportal_id = \"1\"\nform_guid = \"{GUID}\"\ntoken_secret = \"X\""), "token_secret"),
            (
                &format!("id = \"hs\"\nportal_id = \"1\"\nform_guid = \"{GUID}\"\n[fields]\nservice = \"service type\""),
                "fields.service:",
            ),
            (
                &format!("id = \"hs\"\nportal_id = \"1\"\nform_guid = \"{GUID}\"\n[fields]\nnote = \"message\""),
                "fields.note:",
            ),
        ];
        for (toml_text, key) in cases {
            let got = HubSpot.check(&destination(toml_text));
            assert!(got.len() == 1 && got[0].contains(key), "{toml_text:?}: {got:?}");
        }
        let many: String = (0..=MAX_FIELDS - STANDARD.len())
            .map(|i| format!("f{i} = \"p{i}\"\n"))
            .collect();
        let got = HubSpot.check(&hs(&format!("[fields]\n{many}")));
        assert!(got.len() == 1 && got[0].starts_with("fields: at most 995"), "{got:?}");
    }
}
