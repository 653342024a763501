//! The collector's side of the full widget, spoken to directly: custom form
//! fields, chat transcripts, callback slots, consent, messenger clicks, spam
//! and the callback times in the site config. The demo site's settings are
//! those of edge/sites.toml.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{call, post, CONSENT};
use crate::faults::admin;
use crate::support::{saturday_noon_in_moscow, Stack, DELIVERY_TIMEOUT, ORIGIN};

/// A lead of `kind` that the demo site accepts, with a fresh id.
fn submission(kind: &str) -> Value {
    let mut body = json!({
        "v": 1, "id": Uuid::new_v4(), "site": "demo", "kind": kind,
        "page": {"url": "http://127.0.0.1:8080/?utm_source=yandex&utm_medium=cpc", "title": "Sunny Windows"},
        "signals": {"honeypot": "", "elapsed_ms": 24_000},
    });
    match kind {
        "messenger_click" => body["messenger"] = json!({"channel": "telegram", "ref_code": "Tg7Ks2Qp"}),
        "phone_click" => {}
        _ => {
            body["contact"] = json!({"phone": "8 (912) 345-67-89", "name": "Anna"});
            body["consent"] = json!({"text": CONSENT, "accepted": true});
        }
    }
    body
}

/// `body` with each `(JSON pointer, value)` set, or removed for `None`.
fn with(mut body: Value, changes: &[(&str, Option<Value>)]) -> Value {
    for (pointer, value) in changes {
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        let parent = body.pointer_mut(parent).expect("the parent exists");
        match value {
            Some(v) => parent[key] = v.clone(),
            None => {
                parent.as_object_mut().map(|o| o.remove(key));
            }
        }
    }
    body
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

/// Posts `body` from the demo site's origin and expects a 202 with its id.
fn accepted(stack: &Stack, body: &Value) -> String {
    let answer = post(stack, "text/plain", Some(ORIGIN), body.to_string());
    assert_eq!(answer.status, 202, "{body}: {}", answer.body);
    assert_eq!(answer.body["id"], body["id"]);
    id_of(body)
}

/// The `data` of the lead's first delivery, signed.
fn delivered(stack: &Stack, id: &str) -> Value {
    let delivery = stack
        .receiver
        .wait_for(&format!("lead {id} at the receiver"), DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(id)
        })
        .unwrap();
    assert!(delivery.verified, "{id}: the signature does not verify");
    delivery.event.expect("a JSON event")["data"].clone()
}

pub fn form_and_chat_leads_reach_the_crm_with_their_answers(stack: &Stack) {
    let form = with(
        submission("form"),
        &[
            ("/message", Some(json!("Two windows on the 5th floor"))),
            ("/product", Some(json!("PVC window 1200×1500"))),
            ("/fields", Some(json!({"service": "balcony", "measure_visit": true}))),
            ("/locale", Some(json!("ru"))),
        ],
    );
    let chat = with(
        submission("chat"),
        &[(
            "/transcript",
            Some(json!([
                {"from": "bot", "text": "Здравствуйте! Как к вам обращаться?"},
                {"from": "visitor", "text": "Анна"},
                {"from": "bot", "text": "По какому номеру вам перезвонить?"},
                {"from": "visitor", "text": "8 (912) 345-67-89"},
            ])),
        )],
    );
    let (form_id, chat_id) = (accepted(stack, &form), accepted(stack, &chat));

    let data = delivered(stack, &form_id);
    assert_eq!(data["kind"], "form");
    assert_eq!(data["contact"]["phone"], "+79123456789");
    assert_eq!(data["fields"], json!({"service": "balcony", "measure_visit": true}));
    assert_eq!(data["product"], "PVC window 1200×1500");
    assert_eq!(data["consent"], json!({"text": CONSENT, "accepted": true}));
    assert_eq!(data["locale"], "ru");
    // Parts a form does not have are there, empty: a CRM mapping sees the same keys.
    assert_eq!(
        (&data["slot"], &data["transcript"], &data["messenger"]),
        (&Value::Null, &json!([]), &Value::Null)
    );

    let data = delivered(stack, &chat_id);
    assert_eq!(data["kind"], "chat");
    assert_eq!(data["transcript"], chat["transcript"]);
    assert_eq!(data["fields"], json!({}));
}

/// (what is wrong, the lead, the field named, its code)
type Refused = (&'static str, Value, &'static str, &'static str);

pub fn bad_fields_slots_and_missing_consent_are_refused_by_name(stack: &Stack) {
    let leads_before = stack.count("SELECT count(*) AS n FROM leads");
    let form = || submission("form");
    let callback = || submission("callback");
    let slot = |start: &str, end: &str| Some(json!({"start": start, "end": end}));
    let cases: Vec<Refused> = vec![
        (
            "an unknown field",
            with(form(), &[("/fields", Some(json!({"colour": "red"})))]),
            "fields.colour",
            "unknown",
        ),
        (
            "a choice not offered",
            with(form(), &[("/fields", Some(json!({"service": "roof"})))]),
            "fields.service",
            "invalid",
        ),
        (
            "a checkbox answered in text",
            with(form(), &[("/fields", Some(json!({"measure_visit": "yes"})))]),
            "fields.measure_visit",
            "invalid",
        ),
        (
            "a form without the phone it requires",
            with(form(), &[("/contact", Some(json!({"email": "anna@example.com"})))]),
            "contact.phone",
            "required",
        ),
        (
            "a slot that is over",
            with(
                callback(),
                &[("/slot", slot("2020-01-06T07:00:00Z", "2020-01-06T07:30:00Z"))],
            ),
            "slot",
            "slot_over",
        ),
        (
            "a slot a year ahead",
            with(
                callback(),
                &[("/slot", slot("2099-01-05T07:00:00Z", "2099-01-05T07:30:00Z"))],
            ),
            "slot",
            "slot_too_far",
        ),
        (
            "a slot on a form",
            with(
                form(),
                &[("/slot", slot("2099-01-05T07:00:00Z", "2099-01-05T07:30:00Z"))],
            ),
            "slot",
            "not_allowed",
        ),
        (
            "no consent",
            with(callback(), &[("/consent", None)]),
            "consent",
            "required",
        ),
        (
            "consent refused",
            with(callback(), &[("/consent/accepted", Some(json!(false)))]),
            "consent",
            "required",
        ),
        (
            "a transcript on a callback",
            with(
                callback(),
                &[("/transcript", Some(json!([{"from": "visitor", "text": "hi"}])))],
            ),
            "transcript",
            "not_allowed",
        ),
        (
            "a ref code with a dash",
            with(
                submission("messenger_click"),
                &[("/messenger/ref_code", Some(json!("ab-12")))],
            ),
            "messenger.ref_code",
            "invalid",
        ),
        (
            "a messenger click without the messenger",
            with(submission("messenger_click"), &[("/messenger", None)]),
            "messenger",
            "required",
        ),
    ];
    for (what, body, field, code) in cases {
        let answer = post(stack, "text/plain", Some(ORIGIN), body.to_string());
        assert_eq!(
            (answer.status, answer.body["error"]["code"].as_str()),
            (422, Some("invalid_lead")),
            "{what}: {}",
            answer.body
        );
        let fields = answer.body["error"]["fields"].as_array().cloned().unwrap_or_default();
        assert!(
            fields.iter().any(|f| f["field"] == field
                && f["code"] == code
                && f["message"].as_str().is_some_and(|m| !m.is_empty())),
            "{what}: ({field}, {code}) not in {}",
            answer.body
        );
    }
    assert_eq!(
        stack.count("SELECT count(*) AS n FROM leads"),
        leads_before,
        "a refused lead was stored"
    );
}

pub fn spam_gets_the_same_202_is_kept_and_never_delivered(stack: &Stack) {
    let since = jiff::Timestamp::now();
    let honeypot = with(
        submission("callback"),
        &[("/signals/honeypot", Some(json!("http://cheap-pills.example")))],
    );
    let hasty = with(submission("form"), &[("/signals/elapsed_ms", Some(json!(500)))]);
    let person = submission("callback");
    let spam = [accepted(stack, &honeypot), accepted(stack, &hasty)];
    let person = accepted(stack, &person);
    // The person's lead, posted last, arrives: anything queued before it would have had its chance.
    delivered(stack, &person);
    for id in &spam {
        assert!(
            stack.receiver.deliveries_of(id).is_empty(),
            "spam {id} reached the receiver"
        );
        assert_eq!(
            stack.count(&format!("SELECT count(*) AS n FROM deliveries WHERE lead_id = '{id}'")),
            0,
            "spam {id} has deliveries"
        );
    }

    let listed = |query: &str| -> Vec<(String, Value)> {
        let answer = admin(stack, "GET", &format!("leads?since={since}{query}"), None);
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        answer.body["leads"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|l| {
                (
                    l["id"].as_str().unwrap_or_default().to_owned(),
                    l["spam_reason"].clone(),
                )
            })
            .collect()
    };
    let mut spam_listed = listed("&spam=true");
    spam_listed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected = vec![
        (spam[0].clone(), json!("honeypot filled")),
        (spam[1].clone(), json!("submitted faster than a person")),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(spam_listed, expected, "?spam=true lists the spam, with its reasons");
    let plain = listed("");
    assert!(plain.iter().any(|(id, _)| *id == person), "the person's lead is listed");
    assert!(
        plain.iter().all(|(id, _)| !spam.contains(id)),
        "spam is hidden by default: {plain:?}"
    );
    assert_eq!(listed("&spam=false").len(), plain.len());

    let detail = admin(stack, "GET", &format!("leads/{}", spam[0]), None);
    assert_eq!(
        (
            &detail.body["spam"],
            &detail.body["spam_reason"],
            &detail.body["deliveries"]
        ),
        (&json!(true), &json!("honeypot filled"), &json!([])),
        "{}",
        detail.body
    );
    let detail = admin(stack, "GET", &format!("leads/{person}"), None);
    assert_eq!(
        (&detail.body["spam"], &detail.body["spam_reason"]),
        (&json!(false), &Value::Null)
    );
    let bad = admin(stack, "GET", "leads?spam=maybe", None);
    assert_eq!(
        (bad.status, &bad.body["error"]["fields"][0]["field"]),
        (400, &json!("spam"))
    );
}

pub fn config_promises_a_callback_in_the_visitors_zone_and_language(stack: &Stack) {
    let config = |query: &str| {
        let answer = call(
            stack,
            "GET",
            &format!("v1/sites/demo/config{query}"),
            &[("origin", ORIGIN)],
            None,
        );
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        assert_eq!(answer.cache_control.as_deref(), Some("public, max-age=30"), "{query}");
        answer.body
    };
    // The collector's clock is pinned to a Saturday noon in Moscow
    // (support::saturday_noon_in_moscow): the demo site (Mon–Fri from 09:00
    // Moscow) is closed, and offers Monday's first slots, labelled in
    // Vladivostok's time (Moscow + 7 h).
    const MINUTE_MS: i64 = 60_000;
    let monday_nine = saturday_noon_in_moscow() + (2 * 24 - 3) * 60 * MINUTE_MS;
    let ru = config("?tz=Asia/Vladivostok&lang=ru");
    let callback = &ru["callback"];
    let expected: Vec<Value> = ["16:00", "16:30", "17:00", "17:30", "18:00", "18:30"]
        .iter()
        .enumerate()
        .map(|(i, time)| {
            let start = monday_nine + 30 * MINUTE_MS * i as i64;
            json!({"start_ms": start, "end_ms": start + 30 * MINUTE_MS, "label": format!("в понедельник в {time}")})
        })
        .collect();
    assert_eq!(expected.len(), lead::widget::OFFERED_SLOTS);
    assert_eq!(
        callback,
        &json!({"open": false, "promise": "Перезвоним в понедельник в 16:00", "slots": expected}),
        "closed on Saturday: Monday's slots in Vladivostok's time"
    );
    // The widget's settings travel with the config.
    assert_eq!(ru["widget"]["modes"], json!(["callback", "form", "chat"]));
    assert_eq!(ru["widget"]["form"]["require"], json!(["phone"]));

    // Absent language: the widget's locale, else English; unknown zone: the site's.
    for query in ["", "?tz=Nowhere/Atlantis", "?lang=en&tz=Europe/Moscow"] {
        let en = config(query);
        assert_eq!(
            en["callback"]["promise"], "We'll call you back on Monday at 09:00",
            "{query}: an English promise in Moscow's time: {en}"
        );
    }

    // A slot the config offers is one a callback may book.
    let offered = &callback["slots"][0];
    let at = |key: &str| {
        offered[key]
            .as_i64()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .unwrap_or_else(|| panic!("{key} in {offered}"))
            .to_string()
    };
    let booked = with(
        submission("callback"),
        &[("/slot", Some(json!({"start": at("start_ms"), "end": at("end_ms")})))],
    );
    let id = accepted(stack, &booked);
    let data = delivered(stack, &id);
    let start: jiff::Timestamp = data["slot"]["start"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .expect("a time");
    assert_eq!(start.to_string(), at("start_ms"));
}

pub fn a_messenger_click_is_delivered_with_its_ref_code(stack: &Stack) {
    let click = submission("messenger_click");
    let id = accepted(stack, &click);
    let data = delivered(stack, &id);
    assert_eq!(data["kind"], "messenger_click");
    assert_eq!(
        data["messenger"],
        json!({"channel": "telegram", "ref_code": "Tg7Ks2Qp"})
    );
    assert_eq!(
        data["contact"],
        json!({"phone": null, "extension": null, "name": null, "email": null})
    );
    assert_eq!(data["attribution"]["source"], "yandex");
    for (key, empty) in [
        ("product", Value::Null),
        ("fields", json!({})),
        ("slot", Value::Null),
        ("consent", Value::Null),
        ("transcript", json!([])),
        ("locale", Value::Null),
    ] {
        assert_eq!(data.get(key), Some(&empty), "{key} in {data}");
    }
}
