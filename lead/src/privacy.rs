//! Personal data over time: when a second post of one lead id is the same
//! lead, how long a site's leads are kept, and how an erasure request's phone
//! or email finds the leads that carry it.
//!
//! * [`fingerprint`]: what a visitor sent, hashed, stored beside the lead. A
//!   repeat with the same fingerprint is the widget retrying (an idempotent
//!   202); another fingerprint under a known id is a client reusing ids (409).
//! * [`retention_cutoff_ms`]: leads received before it are due for deletion.
//! * [`phone_key`] and [`email_key`]: the form a lead stores its contact in,
//!   so `+7 (912) 345-67-89` finds `+79123456789` and `Ivan@Mail.RU` finds `ivan@mail.ru`.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::hours::Slot;
use crate::phone;
use crate::wire::{ChatTurn, Consent, Contact, FieldError, FieldValue, Lead, LeadKind, MessengerClick, Page};

/// Days a site keeps its leads when `retention_days` is not set: as long as
/// the widget keeps a visitor's touches (`attribution.expiry_days`' default),
/// and the figure issue 11 names. Long enough to replay and to answer "what
/// happened to my lead?"; the CRM holds the lead after that.
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

/// The longest `retention_days` a site may set (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Names the definition below: a fingerprint of another version says nothing
/// about this one's, so a lead stored under it counts as the same.
const VERSION: &str = "v1:";

/// What the visitor sent, as validated: everything but the collector's
/// receiving time and the attribution, which is derived from the touches by
/// rules that may change between a post and its retry (a retry across a
/// deploy must stay a 202). Field order is fixed, maps are sorted: the JSON
/// of one content is always the same bytes.
#[derive(Serialize)]
struct Content<'a> {
    site: &'a str,
    kind: LeadKind,
    contact: &'a Contact,
    message: &'a Option<String>,
    page: &'a Page,
    product: &'a Option<String>,
    fields: &'a BTreeMap<String, FieldValue>,
    slot: &'a Option<Slot>,
    consent: &'a Option<Consent>,
    transcript: &'a [ChatTurn],
    messenger: &'a Option<MessengerClick>,
    locale: &'a Option<String>,
}

/// The lead's content fingerprint: `v1:` and the SHA-256 of its [`Content`] in hex.
pub fn fingerprint(lead: &Lead) -> String {
    let content = Content {
        site: &lead.site,
        kind: lead.kind,
        contact: &lead.contact,
        message: &lead.message,
        page: &lead.page,
        product: &lead.product,
        fields: &lead.fields,
        slot: &lead.slot,
        consent: &lead.consent,
        transcript: &lead.transcript,
        messenger: &lead.messenger,
        locale: &lead.locale,
    };
    // Serialising borrowed plain data cannot fail; an empty input would still
    // be a fingerprint, just one every such lead shares.
    let json = serde_json::to_vec(&content).unwrap_or_default();
    let digest = Sha256::digest(&json);
    let mut out = String::with_capacity(VERSION.len() + 64);
    out.push_str(VERSION);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Whether a lead posted again under a stored id is the stored lead. A lead
/// stored before fingerprints (`None`) or under another definition is taken
/// to be the same: refusing a genuine retry would cost more than keeping a
/// reused id's second lead out, as before.
pub fn same_content(stored: Option<&str>, posted: &str) -> bool {
    match stored {
        Some(stored) if stored.starts_with(VERSION) && posted.starts_with(VERSION) => stored == posted,
        _ => true,
    }
}

/// The first millisecond a lead must have been received at to be kept, for
/// a site keeping leads `retention_days` (0 reads as 1: a day is the least).
pub fn retention_cutoff_ms(now_ms: i64, retention_days: u32) -> i64 {
    now_ms.saturating_sub(i64::from(retention_days.max(1)) * DAY_MS)
}

/// An email as leads store it for look-up: trimmed, lower case. Mailbox
/// names are case-insensitive at every provider in practice, and an erasure
/// request must find `Ivan@Mail.ru` when the visitor typed `ivan@mail.ru`.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A phone in E.164, as leads store it, from an erasure request's number.
/// Read in `country` when given; without one the number must read the same
/// in any country (international: `+7 …`, `00 7 …`), since `8 912 …` is
/// Russian only to a Russian.
pub fn phone_key(raw: &str, country: Option<&str>) -> Result<String, FieldError> {
    let field = |code: &str, message: &str| FieldError::new("phone", code, message);
    if let Some(country) = country {
        return phone::normalize(raw, country).map(|p| p.e164).map_err(|e| match e {
            phone::PhoneError::UnknownCountry => FieldError::new(
                "country",
                e.code(),
                "Give the country as ISO 3166-1 alpha-2 (RU, KZ, US …).",
            ),
            _ => field(e.code(), e.message()),
        });
    }
    // Two countries with different national formats: an international number
    // reads the same in both, a national one does not.
    match (phone::normalize(raw, "RU"), phone::normalize(raw, "US")) {
        (Ok(a), Ok(b)) if a.e164 == b.e164 => Ok(a.e164),
        (Err(e @ (phone::PhoneError::Empty | phone::PhoneError::BadCharacters)), _) => {
            Err(field(e.code(), e.message()))
        }
        _ => Err(field(
            "country_needed",
            "Give the number in international form (+7 912 …), or the country to read it in (\"country\": \"RU\").",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> Lead {
        serde_json::from_value(serde_json::json!({
            "id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b", "site": "demo", "kind": "callback",
            "contact": {"phone": "+79123456789", "name": "Ivan", "email": "ivan@mail.ru"},
            "message": "Call after six", "page": {"url": "https://shop.example/", "title": "Shop", "referrer": null},
            "attribution": {"channel": "direct", "source": null, "medium": null, "campaign": null, "term": null,
                "content": null, "referrer": null, "landing_page": null, "first_touch": null, "last_touch": null,
                "visits": 1},
            "received_at": "2026-11-23T15:59:47.681Z",
            "fields": {"service": "balcony", "measure_visit": true}
        }))
        .expect("a lead")
    }

    #[test]
    fn the_same_content_has_the_same_fingerprint_whenever_it_arrives() {
        let first = lead();
        let mut retry = lead();
        retry.received_at = "2026-11-24T09:00:00Z".into();
        retry.attribution.deciding.channel = crate::attribution::Channel::PaidSearch;
        retry.attribution.visits = Some(4);
        assert_eq!(fingerprint(&first), fingerprint(&retry));
        assert!(same_content(Some(&fingerprint(&first)), &fingerprint(&retry)));
        let print = fingerprint(&first);
        assert!(print.starts_with("v1:") && print.len() == 3 + 64, "{print}");
    }

    /// Each change a client reusing an id might make is another lead.
    #[test]
    fn any_visitor_supplied_change_is_another_lead() {
        type Change = fn(&mut Lead);
        let changes: &[(&str, Change)] = &[
            ("phone", |l| l.contact.phone = Some("+79123456780".into())),
            ("extension", |l| l.contact.extension = Some("12".into())),
            ("name", |l| l.contact.name = Some("Olga".into())),
            ("email", |l| l.contact.email = None),
            ("message", |l| l.message = Some("Call after seven".into())),
            ("kind", |l| l.kind = LeadKind::Form),
            ("site", |l| l.site = "shop".into()),
            ("page url", |l| l.page.url = "https://shop.example/doors".into()),
            ("product", |l| l.product = Some("Door".into())),
            ("a field", |l| {
                l.fields.insert("measure_visit".into(), FieldValue::Flag(false));
            }),
            ("locale", |l| l.locale = Some("ru".into())),
            ("consent", |l| {
                l.consent = Some(Consent {
                    text: "I agree".into(),
                    accepted: true,
                })
            }),
        ];
        let original = fingerprint(&lead());
        for (what, change) in changes {
            let mut other = lead();
            change(&mut other);
            let changed = fingerprint(&other);
            assert!(!same_content(Some(&original), &changed), "{what}");
        }
    }

    #[test]
    fn a_lead_stored_without_a_fingerprint_or_under_another_version_is_the_same() {
        let posted = fingerprint(&lead());
        let cases: &[(Option<&str>, bool)] = &[
            (None, true),
            (Some("v0:0123"), true),
            (Some(""), true),
            (Some(posted.as_str()), true),
            (
                Some("v1:0000000000000000000000000000000000000000000000000000000000000000"),
                false,
            ),
        ];
        for (stored, same) in cases {
            assert_eq!(same_content(*stored, &posted), *same, "{stored:?}");
        }
    }

    #[test]
    fn the_cutoff_is_the_retention_before_now() {
        const NOW: i64 = 1_795_449_600_000;
        let cases: &[(u32, i64)] = &[
            (180, NOW - 180 * DAY_MS),
            (1, NOW - DAY_MS),
            (0, NOW - DAY_MS),
            (MAX_RETENTION_DAYS, NOW - 3650 * DAY_MS),
        ];
        for (days, cutoff) in cases {
            assert_eq!(retention_cutoff_ms(NOW, *days), *cutoff, "{days} days");
        }
        assert_eq!(retention_cutoff_ms(i64::MIN, 1), i64::MIN, "saturates");
    }

    #[test]
    fn emails_are_found_whatever_their_case_and_spaces() {
        let cases: &[(&str, &str)] = &[
            ("ivan@mail.ru", "ivan@mail.ru"),
            ("  Ivan@Mail.RU ", "ivan@mail.ru"),
            ("ИВАН@ПОЧТА.РФ", "иван@почта.рф"),
        ];
        for (given, key) in cases {
            assert_eq!(email_key(given), *key, "{given:?}");
        }
    }

    #[test]
    fn an_erasure_phone_reads_as_leads_store_it() {
        let cases: &[(&str, Option<&str>, Result<&str, (&str, &str)>)] = &[
            ("+7 (912) 345-67-89", None, Ok("+79123456789")),
            ("+79123456789", None, Ok("+79123456789")),
            ("00 7 912 345 67 89", None, Ok("+79123456789")),
            ("tel:+79123456789", None, Ok("+79123456789")),
            ("8 (912) 345-67-89", Some("RU"), Ok("+79123456789")),
            ("8 (912) 345-67-89", None, Err(("phone", "country_needed"))),
            ("(212) 555-0123", None, Err(("phone", "country_needed"))),
            ("", None, Err(("phone", "required"))),
            ("call me", None, Err(("phone", "invalid"))),
            ("12", Some("RU"), Err(("phone", "too_short"))),
            ("8 912 345 67 89", Some("XX"), Err(("country", "unknown_country"))),
        ];
        for (raw, country, want) in cases {
            let got = phone_key(raw, *country);
            let got = got.as_deref().map_err(|e| (e.field.as_str(), e.code.as_str()));
            assert_eq!(got, *want, "{raw:?} in {country:?}");
        }
    }
}
