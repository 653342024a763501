//! What the kinds' golden tests share: one lead as the collector stores it,
//! its site, destinations written as in `sites.toml`, and secrets by name.

use std::collections::BTreeMap;

use crate::site::{Destination, Site};
use crate::wire::Lead;

use super::{Answer, Delivery, Kind, Outcome, Request};

/// 2026-11-23T15:59:47Z, the lead's arrival; attempts happen a little later.
pub const NOW_SECS: i64 = 1_795_449_600;

/// A callback lead from a Yandex ad, with a form field, an off-hours slot and a product.
pub fn lead() -> Lead {
    serde_json::from_str(
        r#"{
        "id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
        "site": "shop",
        "kind": "callback",
        "contact": {"phone": "+79123456789", "name": "Ivan Petrov", "email": "ivan@example.com"},
        "message": "Please call after lunch",
        "page": {"url": "https://shop.example/windows?utm_source=yandex", "title": "PVC windows", "referrer": "https://yandex.ru/"},
        "attribution": {
            "channel": "paid_search", "source": "yandex", "medium": "cpc", "campaign": "spring",
            "term": "pvc windows", "content": "ad1", "click_ids": {"yclid": "8412395817"},
            "referrer": "https://yandex.ru/",
            "landing_page": "https://shop.example/windows?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
            "first_touch": null, "last_touch": null, "visits": 2
        },
        "received_at": "2026-11-23T15:59:47.681Z",
        "product": "PVC window 1200x1500",
        "fields": {"service": "balcony", "measure_visit": true},
        "slot": {"start": "2026-11-24T06:00:00Z", "end": "2026-11-24T06:30:00Z"},
        "consent": {"text": "I agree.", "accepted": true},
        "transcript": [],
        "messenger": null,
        "locale": "ru",
        "expected_response_by": "2026-11-24T06:00:00Z"
    }"#,
    )
    .expect("the fixture lead parses")
}

/// A lead whose visitor typed everything a product might mistake for markup.
pub fn hostile_lead() -> Lead {
    let mut lead = lead();
    lead.contact.name = Some("<script>alert(1)</script> *bold* _it_ `code` [x](http://evil) & <b>\u{202E}RTL".into());
    lead.message = Some(format!(
        "line 1\nline 2 <a href=\"x\">&amp;</a> @channel <!here> 🙂 {}",
        "x".repeat(5000)
    ));
    lead.product = Some("<i>product</i> & \"quotes\"".into());
    lead
}

/// The site the leads belong to, open 09:00-18:00 Moscow time on weekdays.
pub fn site() -> Site {
    toml::from_str(
        r#"id = "shop"
           origins = ["https://shop.example"]
           default_country = "RU"
           [hours]
           time_zone = "Europe/Moscow"
           [hours.week]
           mon = ["09:00-18:00"]
           tue = ["09:00-18:00"]
           wed = ["09:00-18:00"]
           thu = ["09:00-18:00"]
           fri = ["09:00-18:00"]"#,
    )
    .expect("the fixture site parses")
}

/// A destination as `[[site.destination]]` writes it.
pub fn destination(toml_text: &str) -> Destination {
    toml::from_str(toml_text).expect("the fixture destination parses")
}

/// Secrets the fixtures' destinations name.
pub fn secrets() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("CRM_URL", "https://crm.example/hooks/leads"),
        ("CRM_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("B24_URL", "https://shop.bitrix24.ru/rest/1/abc123secret/"),
        ("AMO_TOKEN", "amo-long-lived-token"),
        ("TG_TOKEN", "123456:ABC-telegram-token"),
        ("EMAIL_TOKEN", "re_email_api_key"),
        ("SLACK_URL", "https://hooks.slack.com/services/T000/B000/XXXX"),
    ])
}

/// Builds `kind`'s request for `lead` at `destination`, with the fixture secrets.
pub fn request(kind: &dyn Kind, lead: &Lead, destination: &Destination) -> Request {
    request_at(kind, lead, destination, NOW_SECS)
}

/// The same, attempted at `now_secs`.
pub fn request_at(kind: &dyn Kind, lead: &Lead, destination: &Destination, now_secs: i64) -> Request {
    deliver(lead, destination, now_secs, None, |delivery| kind.request(delivery)).expect("the fixture request builds")
}

/// Runs `f` with a delivery of `lead` to `destination`, the fixture site and
/// secrets, attempted at [`NOW_SECS`].
pub fn with_delivery<R>(lead: &Lead, destination: &Destination, f: impl FnOnce(&Delivery) -> R) -> R {
    deliver(lead, destination, NOW_SECS, None, f)
}

/// The same, with the secret `name` holding `value` instead (`None`: not set).
pub fn with_secret<R>(
    lead: &Lead,
    destination: &Destination,
    name: &str,
    value: Option<&str>,
    f: impl FnOnce(&Delivery) -> R,
) -> R {
    deliver(lead, destination, NOW_SECS, Some((name, value)), f)
}

fn deliver<R>(
    lead: &Lead,
    destination: &Destination,
    now_secs: i64,
    replaced: Option<(&str, Option<&str>)>,
    f: impl FnOnce(&Delivery) -> R,
) -> R {
    let secrets = secrets();
    let secret = |name: &str| match replaced {
        Some((replaced, value)) if replaced == name => value.map(str::to_owned),
        _ => secrets.get(name).map(|v| (*v).to_owned()),
    };
    let site = site();
    f(&Delivery {
        lead,
        site: &site,
        destination,
        secret: &secret,
        now_secs,
    })
}

/// The product's answer: `status`, a `Retry-After` of `retry_after_secs`, `body`.
pub fn answer(status: u16, retry_after_secs: Option<u64>, body: &str) -> Answer<'_> {
    Answer {
        status,
        retry_after_secs,
        body,
    }
}

/// An outcome's variant and wait ("retry Some(2)"), and its reason, for tables
/// of answers that check only some words of the reason.
pub fn shape(outcome: &Outcome) -> (String, String) {
    match outcome {
        Outcome::Delivered => ("delivered".into(), String::new()),
        Outcome::Retry { after_secs, reason } => (format!("retry {after_secs:?}"), reason.clone()),
        Outcome::Failed { reason } => ("failed".into(), reason.clone()),
        Outcome::Disable { reason } => ("disable".into(), reason.clone()),
    }
}

/// The request's body as JSON.
pub fn json_body(request: &Request) -> serde_json::Value {
    serde_json::from_str(request.body.as_deref().unwrap_or("null")).expect("a JSON body")
}
