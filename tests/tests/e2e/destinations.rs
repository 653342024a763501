//! Every kind of destination, against stand-ins of the products on 127.0.0.1
//! (`leadwire_tests::standins`): the `every-kind` site of edge/sites.toml
//! sends each lead to a signed webhook, Bitrix24, amoCRM, Telegram, email
//! (Resend), HubSpot and Slack (Slack only for callbacks, forms and chats).
//! Each stand-in checks what its product requires and answers as the product
//! documents; these cases check that each product got the lead in its own
//! shape, once, and that D1 agrees.

use std::collections::BTreeMap;
use std::time::Duration;

use leadwire_tests::standins::{Call, Product};
use leadwire_tests::wait::until;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::post;
use crate::support::{Stack, DELIVERY_TIMEOUT, TEST_TIMEOUT_MS};

const SITE: &str = "every-kind";
const PHONE: &str = "+79123456789";
const EMAIL: &str = "anna@example.com";
/// The `every-kind` site's email destination.
const MAIL_TO: &str = "sales@shop.example";
const MAIL_FROM: &str = "Leadwire <leads@shop.example>";

/// Destinations the `every-kind` site has: the products and the webhook.
const ALL_DESTINATIONS: i64 = 7;

/// One lead posted for the `every-kind` site.
struct Posted {
    id: String,
    /// The id without dashes, also in the page URL (`case=`): a lead's request
    /// at a product carries one of the two, whatever the product keeps.
    marker: String,
}

impl Posted {
    fn carried_by(&self, call: &Call) -> bool {
        call.raw.contains(&self.id) || call.raw.contains(&self.marker)
    }
}

/// A lead of `kind` for the `every-kind` site, from a Yandex ad: a phone, a
/// name, an email, a message, a product and the site's own `service` field
/// (the contact parts only where the kind has them).
fn submission(kind: &str) -> (Value, Posted) {
    let id = Uuid::new_v4();
    let marker = id.simple().to_string();
    let landing =
        format!("http://127.0.0.1:8080/windows?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&case={marker}");
    let first_seen = jiff::Timestamp::now().as_millisecond() - 3_600_000;
    let mut body = json!({
        "v": 1, "id": id, "site": SITE, "kind": kind,
        "page": {"url": landing, "title": "PVC windows", "referrer": "https://yandex.ru/"},
        "touches": {
            "first": {"url": landing, "referrer": "https://yandex.ru/", "at": first_seen},
            "last": {"url": landing, "referrer": "https://yandex.ru/", "at": first_seen},
            "visits": 1
        },
        "signals": {"honeypot": "", "elapsed_ms": 24_000},
        "locale": "en",
    });
    match kind {
        "phone_click" => body["message"] = json!(format!("tel:{PHONE}")),
        _ => {
            body["contact"] = json!({"phone": "+7 912 345-67-89", "name": "Anna Petrova", "email": EMAIL});
            body["message"] = json!("Two windows on the 5th floor, please call after 18:00");
            body["product"] = json!("PVC window 1200×1500");
            body["fields"] = json!({"service": "balcony"});
        }
    }
    let posted = Posted {
        id: id.to_string(),
        marker,
    };
    (body, posted)
}

/// Posts the lead (no Origin: a server-side post) and expects a 202 with its id.
fn accepted(stack: &Stack, body: &Value) {
    let answer = post(stack, "application/json", None, body.to_string());
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.body["id"], body["id"]);
}

/// The request that made `product` keep the lead, once it has come.
fn kept_by(stack: &Stack, product: Product, lead: &Posted) -> Call {
    stack
        .standins
        .wait_for(product, DELIVERY_TIMEOUT, |c| c.stored && lead.carried_by(c))
        .unwrap_or_else(|e| {
            panic!(
                "lead {}: {e}; it got: {}",
                lead.id,
                shown(&stack.standins.calls_to(product))
            )
        })
}

/// Every request `product` got for the lead.
fn calls_for(stack: &Stack, product: Product, lead: &Posted) -> Vec<Call> {
    stack
        .standins
        .calls_to(product)
        .into_iter()
        .filter(|c| lead.carried_by(c))
        .collect()
}

/// Calls as a reader wants them in a failure: status, path, and the start of the answer.
fn shown(calls: &[Call]) -> String {
    let lines: Vec<String> = calls
        .iter()
        .map(|c| {
            let answer: String = c.answer.chars().take(200).collect();
            format!("\n  {} {} → {} {answer}", c.method, c.path, c.status)
        })
        .collect();
    if lines.is_empty() {
        "nothing".into()
    } else {
        lines.concat()
    }
}

/// Waits until D1 holds `n` delivered rows for the lead.
fn delivered_rows(stack: &Stack, lead: &Posted, n: i64) {
    let sql = format!(
        "SELECT count(*) AS n FROM deliveries WHERE lead_id = '{}' AND state = 'delivered'",
        lead.id
    );
    let reached = until(
        &format!("{n} delivered rows for lead {}", lead.id),
        DELIVERY_TIMEOUT,
        || (stack.count(&sql) == n).then_some(()),
    );
    if let Err(e) = reached {
        let rows = stack
            .collector()
            .query(&format!(
                "SELECT destination, state, attempts, last_status, last_error FROM deliveries WHERE lead_id = '{}'",
                lead.id
            ))
            .unwrap_or_default();
        panic!("{e}; D1 has {rows:?}");
    }
}

/// Each product kept the lead exactly once, and the webhook receiver got it
/// once. The one allowance is what the README promises: a kind that delivers
/// at least once (no idempotency key, no lookup) may show the lead again after
/// each attempt whose outcome was unknown (a timeout on a busy machine), and
/// only then.
fn kept_once_everywhere(stack: &Stack, lead: &Posted, products: &[Product]) {
    for product in products {
        let calls = calls_for(stack, *product, lead);
        let kept = calls.iter().filter(|c| c.stored).count();
        let at_least_once = lead::destination::kind(product.prefix())
            .is_some_and(|k| k.guarantee() == lead::destination::Guarantee::AtLeastOnce);
        let unknown = if at_least_once {
            stack.count(&format!(
                "SELECT count(*) AS n FROM attempts WHERE lead_id = '{}' AND destination = '{}' AND status IS NULL",
                lead.id,
                product.prefix()
            ))
        } else {
            0
        };
        assert!(
            kept >= 1 && kept as i64 <= 1 + unknown,
            "{product:?} kept lead {} {kept} times ({unknown} attempts with an unknown outcome): {}",
            lead.id,
            shown(&calls)
        );
    }
    assert_eq!(
        stack.receiver.deliveries_of(&lead.id).len(),
        1,
        "the webhook got it once"
    );
}

/// Every string in `value`, however deep.
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(members) => members.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// `field` of a JSON value: a string, or the strings of an array.
fn one_or_many(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Waits for the lead at every product in `products` and at the webhook receiver.
fn arrived(stack: &Stack, lead: &Posted, products: &[Product]) -> BTreeMap<Product, Call> {
    stack
        .receiver
        .wait_for(&format!("lead {} at the webhook", lead.id), DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(lead.id.as_str()) && d.answered == 200
        })
        .unwrap();
    products.iter().map(|p| (*p, kept_by(stack, *p, lead))).collect()
}

pub fn one_lead_reaches_every_kind_as_each_product_documents(stack: &Stack) {
    stack.standins.calm();
    let (body, lead) = submission("callback");
    accepted(stack, &body);
    let got = arrived(stack, &lead, &Product::ALL);

    let bitrix = got[&Product::Bitrix24].json()["fields"].clone();
    let phones = bitrix["PHONE"].as_array().cloned().unwrap_or_default();
    assert!(
        phones.len() == 1 && phones[0]["VALUE"] == PHONE && phones[0]["VALUE_TYPE"].is_string(),
        "Bitrix24 PHONE: {bitrix:#}"
    );
    assert_eq!(
        (&bitrix["UTM_SOURCE"], &bitrix["UTM_MEDIUM"], &bitrix["UTM_CAMPAIGN"]),
        (&json!("yandex"), &json!("cpc"), &json!("spring")),
        "Bitrix24 UTM: {bitrix:#}"
    );
    assert_eq!(bitrix["ORIGIN_ID"], lead.id.as_str(), "Bitrix24 ORIGIN_ID: {bitrix:#}");
    assert_eq!(
        bitrix["UF_CRM_SERVICE"], "balcony",
        "the site maps service to UF_CRM_SERVICE"
    );
    let emails = bitrix["EMAIL"].as_array().cloned().unwrap_or_default();
    assert!(emails.iter().any(|e| e["VALUE"] == EMAIL), "Bitrix24 EMAIL: {bitrix:#}");

    let amo = got[&Product::AmoCrm].json().clone();
    let contacts = amo[0]["_embedded"]["contacts"].as_array().cloned().unwrap_or_default();
    let has = |code: &str, wanted: &str| {
        contacts.iter().any(|c| {
            c["custom_fields_values"].as_array().is_some_and(|fields| {
                fields
                    .iter()
                    .any(|f| f["field_code"] == code && strings(&f["values"]).contains(&wanted))
            })
        })
    };
    assert!(has("PHONE", PHONE), "amoCRM contact phone: {amo:#}");
    assert!(has("EMAIL", EMAIL), "amoCRM contact email: {amo:#}");
    assert!(amo[0]["_embedded"]["leads"].is_array(), "an amoCRM lead: {amo:#}");

    let telegram = got[&Product::Telegram].json().clone();
    let text = telegram["text"].as_str().unwrap_or_default();
    assert_eq!(telegram["parse_mode"], "HTML", "{telegram:#}");
    assert_eq!(telegram["chat_id"].to_string().trim_matches('"'), "-1001234567890");
    assert!(
        text.contains(PHONE) && text.contains(&format!("tel:{PHONE}")),
        "Telegram text: {text}"
    );
    let shown_text = got[&Product::Telegram].answer_json().unwrap_or_default()["result"]["text"].clone();
    assert!(
        shown_text
            .as_str()
            .is_some_and(|t| t.contains("Anna Petrova") && t.contains("balcony")),
        "what Telegram shows: {shown_text}"
    );

    let email = got[&Product::Email].json().clone();
    let subject_or_text = format!("{} {}", email["subject"], email["text"]);
    assert!(subject_or_text.contains(PHONE), "the email names the phone: {email:#}");
    assert_eq!(
        one_or_many(&email["reply_to"]),
        vec![EMAIL],
        "reply to the visitor: {email:#}"
    );
    assert_eq!(one_or_many(&email["to"]), vec![MAIL_TO]);
    assert_eq!(email["from"], MAIL_FROM);

    let hubspot = got[&Product::HubSpot].json().clone();
    let field = |name: &str| {
        hubspot["fields"]
            .as_array()
            .and_then(|fields| fields.iter().find(|f| f["name"] == name))
            .map(|f| f["value"].clone())
    };
    assert_eq!(field("phone"), Some(json!(PHONE)), "HubSpot fields: {hubspot:#}");
    assert_eq!(field("email"), Some(json!(EMAIL)), "HubSpot fields: {hubspot:#}");

    let slack = got[&Product::Slack].json().clone();
    let said = strings(&json!([slack["text"], slack["blocks"]])).concat();
    assert!(said.contains(PHONE), "Slack text/blocks: {slack:#}");

    delivered_rows(stack, &lead, ALL_DESTINATIONS);
    kept_once_everywhere(stack, &lead, &Product::ALL);
}

pub fn a_phone_click_skips_a_destination_that_does_not_take_its_kind(stack: &Stack) {
    stack.standins.calm();
    // A click on a tel: link: Slack takes callbacks, forms and chats only.
    let (body, lead) = submission("phone_click");
    accepted(stack, &body);
    let others: Vec<Product> = Product::ALL.into_iter().filter(|p| *p != Product::Slack).collect();
    arrived(stack, &lead, &others);
    delivered_rows(stack, &lead, ALL_DESTINATIONS - 1);
    // Everything else is settled: a Slack request would have been sent by now.
    let slack = calls_for(stack, Product::Slack, &lead);
    assert!(slack.is_empty(), "Slack got the phone click: {}", shown(&slack));
    assert_eq!(
        stack.count(&format!(
            "SELECT count(*) AS n FROM deliveries WHERE lead_id = '{}' AND destination = 'slack'",
            lead.id
        )),
        0,
        "a delivery row for a destination that does not take the kind"
    );
    kept_once_everywhere(stack, &lead, &others);
}

pub fn an_unknown_outcome_at_bitrix24_leaves_exactly_one_lead_there(stack: &Stack) {
    stack.standins.calm();
    // Bitrix24 keeps the lead but answers after the collector has given up.
    let late = Duration::from_millis(TEST_TIMEOUT_MS * 3);
    stack.standins.answer_late(Product::Bitrix24, late);
    let (body, lead) = submission("callback");
    accepted(stack, &body);
    let sql = format!(
        "SELECT count(*) AS n FROM deliveries WHERE lead_id = '{}' AND destination = 'bitrix24' AND state = 'delivered'",
        lead.id
    );
    until("the Bitrix24 delivery to be delivered", DELIVERY_TIMEOUT + late, || {
        (stack.count(&sql) == 1).then_some(())
    })
    .unwrap_or_else(|e| {
        panic!(
            "{e}; Bitrix24 got: {}",
            shown(&stack.standins.calls_to(Product::Bitrix24))
        )
    });

    let held: Vec<_> = stack
        .standins
        .bitrix24_leads()
        .into_iter()
        .filter(|l| l.fields.get("ORIGIN_ID") == Some(&json!(lead.id)))
        .collect();
    let calls = stack.standins.calls_to(Product::Bitrix24);
    assert_eq!(
        held.len(),
        1,
        "Bitrix24 holds the lead {} times: {}",
        held.len(),
        shown(&calls)
    );
    let add = calls
        .iter()
        .find(|c| c.stored && lead.carried_by(c))
        .expect("the crm.lead.add that kept it");
    let asks_for_it = |c: &Call| {
        let filter = &c.json()["filter"];
        [&filter["ORIGIN_ID"], &filter["=ORIGIN_ID"]].contains(&&json!(lead.id))
    };
    let lookup = calls
        .iter()
        .find(|c| c.path.contains("crm.lead.list") && asks_for_it(c) && c.seq > add.seq);
    assert!(
        lookup.is_some(),
        "after the unanswered crm.lead.add, crm.lead.list was not asked by ORIGIN_ID: {}",
        shown(&calls)
    );
}

pub fn hostile_content_arrives_escaped_everywhere(stack: &Stack) {
    stack.standins.calm();
    // Telegram throttles the first attempt: retry_after 1, then it takes it.
    stack.standins.throttle(Product::Telegram, 1);
    let (mut body, lead) = submission("callback");
    let name = format!(
        "<script>alert(1)</script> <b>Anna</b> *md* _it_ <!channel> \u{202E}RTL 🙂 {}",
        lead.marker
    );
    let message = format!(
        "line 1\nline 2 <script>alert(1)</script> <b>bold</b> *md* `code` <!channel> <@U0123> & &amp; \u{202E} 🙂\n{}",
        "x".repeat(3000)
    );
    body["contact"]["name"] = json!(name);
    body["message"] = json!(message);
    accepted(stack, &body);
    let got = arrived(stack, &lead, &Product::ALL);

    let telegram = got[&Product::Telegram].json()["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !telegram.contains("<script"),
        "raw <script> in the Telegram HTML: {telegram}"
    );
    let shown_text = got[&Product::Telegram].answer_json().unwrap_or_default()["result"]["text"].clone();
    assert!(
        shown_text
            .as_str()
            .is_some_and(|t| t.contains("<script>alert(1)</script>")),
        "Telegram shows the name as typed, escaped rather than dropped: {shown_text}"
    );
    let attempts = calls_for(stack, Product::Telegram, &lead);
    let statuses: Vec<u16> = attempts.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses.first(),
        Some(&429),
        "the first attempt was throttled: {}",
        shown(&attempts)
    );
    assert_eq!(statuses.last(), Some(&200), "then delivered: {}", shown(&attempts));

    let email = got[&Product::Email].json().clone();
    let html = email["html"].as_str().unwrap_or_default();
    assert!(!html.contains("<script"), "raw <script> in the email's HTML");
    assert!(
        html.contains("&lt;script&gt;"),
        "the email's HTML shows the name escaped: {html}"
    );

    let slack = got[&Product::Slack].json().clone();
    for text in strings(&slack) {
        assert!(
            !text.contains("<script") && !text.contains("<!channel>") && !text.contains("<@U0123>"),
            "Slack would render or ping: {text}"
        );
    }

    delivered_rows(stack, &lead, ALL_DESTINATIONS);
    kept_once_everywhere(stack, &lead, &Product::ALL);
}
