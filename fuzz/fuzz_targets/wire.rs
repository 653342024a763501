//! `POST /v1/leads` from the body on: `parse_submission`, then `validate` for
//! the site the body names (edge/sites.toml). Invariants: nothing panics; a
//! body that parses is exactly one JSON value; a refusal names its reasons; an
//! accepted lead has an E.164 phone, an http(s) page, no control or bidi
//! characters in what a visitor typed, and loads back from the JSON it is stored as.

#![no_main]

#[path = "common.rs"]
mod common;

use lead::wire::{parse_submission, FieldValue, Lead};
use libfuzzer_sys::fuzz_target;

/// A fixed "now" (2026-06-01): validation reads no clock.
const RECEIVED_AT_MS: i64 = 1_780_272_000_000;

fuzz_target!(|body: &[u8]| {
    let submission = match parse_submission(body) {
        Ok(s) => s,
        Err(field) => {
            assert!(
                !field.code.is_empty() && !field.message.is_empty(),
                "a refusal without a reason"
            );
            return;
        }
    };
    assert!(
        serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok(),
        "a body with text after its JSON was parsed as a lead"
    );
    let sites = common::sites();
    let Some(site) = sites.site(&submission.site).or_else(|| sites.site("demo")) else {
        return;
    };
    let id = submission.id.to_string();
    match lead::validate::validate(submission, site, RECEIVED_AT_MS) {
        Ok(lead) => accepted(&lead, id),
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without a reason");
            assert!(errors.iter().all(|e| !e.code.is_empty() && !e.message.is_empty()));
        }
    }
});

fn accepted(lead: &Lead, id: String) {
    assert_eq!(lead.id.to_string(), id);
    assert!(!lead.id.is_nil(), "the nil UUID was accepted as a lead id");
    if let Some(phone) = &lead.contact.phone {
        assert!(common::is_e164(phone), "stored phone {phone:?} is not E.164");
    }
    let url = &lead.page.url;
    assert!(
        url.starts_with("http://") || url.starts_with("https://"),
        "page.url {url:?} is not a web address"
    );
    let one_line = [
        ("contact.name", lead.contact.name.as_deref()),
        ("contact.email", lead.contact.email.as_deref()),
        ("product", lead.product.as_deref()),
        ("page.title", lead.page.title.as_deref()),
    ];
    let mut texts: Vec<(&str, &str, bool)> = one_line.iter().filter_map(|(f, t)| t.map(|t| (*f, t, false))).collect();
    texts.extend(lead.message.as_deref().map(|t| ("message", t, true)));
    texts.extend(lead.consent.as_ref().map(|c| ("consent.text", c.text.as_str(), true)));
    texts.extend(lead.transcript.iter().map(|t| ("transcript", t.text.as_str(), true)));
    texts.extend(lead.fields.values().filter_map(|v| match v {
        FieldValue::Text(t) => Some(("fields", t.as_str(), true)),
        FieldValue::Flag(_) => None,
    }));
    for (field, text, lines) in texts {
        assert!(
            !text.chars().any(|c| common::is_forbidden(c, lines)),
            "{field} keeps a control or bidi character: {text:?}"
        );
    }
    let stored = serde_json::to_string(lead).expect("a lead serialises");
    let loaded: Lead = serde_json::from_str(&stored).expect("a stored lead loads");
    assert_eq!(&loaded, lead, "a lead changed on its way through the store");
}
