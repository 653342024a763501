//! The promise as a time, end to end: a callback posted while the demo site
//! is closed (the stack pins the hours clock to a Saturday noon in Moscow)
//! is answered with the next opening, and the webhook carries the same time.
//! And the console's "send a test lead": it reaches the receiver, a refusal
//! is its answer, nothing is stored.

use serde_json::Value;
use uuid::Uuid;

use crate::api::{lead, post, Answer};
use crate::faults::admin;
use crate::support::{demo_hours, saturday_noon_in_moscow, Stack, DELIVERY_TIMEOUT, ORIGIN};

/// The demo site's next opening after the stack's pinned clock, in UTC:
/// worked out here from the hours, and checked to be a Monday at 09:00 in Moscow.
fn next_opening() -> String {
    let now = jiff::Timestamp::from_millisecond(saturday_noon_in_moscow()).expect("the pinned clock");
    let due = lead::hours::due(&demo_hours(), now, None).expect("the demo site opens within 60 days");
    let local = due.in_tz("Europe/Moscow").expect("Moscow's zone");
    assert_eq!(
        (local.weekday(), local.hour(), local.minute()),
        (jiff::civil::Weekday::Monday, 9, 0),
        "the demo site opens on Monday at 09:00: {local}"
    );
    due.to_string()
}

pub fn an_off_hours_callback_is_promised_the_next_opening(stack: &Stack) {
    let expected = next_opening();
    let id = Uuid::new_v4();
    let answer = post(stack, "text/plain", Some(ORIGIN), lead(&id).to_string());
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.body["id"], id.to_string(), "{}", answer.body);
    assert_eq!(
        answer.body["expected_response_by"], expected,
        "the 202 names the next opening: {}",
        answer.body
    );
    let delivery = stack
        .receiver
        .wait_for("the off-hours callback at the receiver", DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(id.to_string().as_str())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let data = &delivery.event.as_ref().expect("a JSON event")["data"];
    assert_eq!(data["expected_response_by"], expected, "the webhook's data: {data}");
}

fn test_lead(stack: &Stack, site: &str, destination: &str) -> Answer {
    admin(
        stack,
        "POST",
        &format!("sites/{site}/destinations/{destination}/test"),
        None,
    )
}

pub fn a_test_lead_reaches_the_destination_and_a_refusal_is_the_answer(stack: &Stack) {
    let sent = test_lead(stack, "demo", "demo-crm");
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(
        (&sent.body["ok"], &sent.body["status"], &sent.body["reason"]),
        (&Value::Bool(true), &Value::from(200), &Value::Null),
        "{}",
        sent.body
    );
    assert!(
        sent.body["duration_ms"].as_i64().is_some_and(|ms| ms >= 0),
        "{}",
        sent.body
    );
    let id = sent.body["lead_id"].as_str().expect("the test lead's id").to_owned();
    let delivery = stack
        .receiver
        .wait_for("the test lead at the receiver", DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(id.as_str())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(delivery.verified, "the test lead is signed as any lead");
    let data = &delivery.event.as_ref().expect("a JSON event")["data"];
    assert_eq!(data["contact"]["name"], lead::destination::sample::TEST_NAME, "{data}");
    assert_eq!(data["expected_response_by"], next_opening(), "{data}");
    let stored =
        |table: &str, column: &str| stack.count(&format!("SELECT count(*) AS n FROM {table} WHERE {column} = '{id}'"));
    assert_eq!(
        (stored("leads", "id"), stored("deliveries", "lead_id")),
        (0, 0),
        "a test lead is not stored"
    );

    stack.receiver.answer_with(500);
    let refused = test_lead(stack, "demo", "demo-crm");
    stack.receiver.answer_with(200);
    assert_eq!(refused.status, 200, "the result is the answer: {}", refused.body);
    assert_eq!(
        (&refused.body["ok"], &refused.body["status"], &refused.body["reason"]),
        (
            &Value::Bool(false),
            &Value::from(500),
            &Value::from("answered HTTP 500")
        ),
        "{}",
        refused.body
    );

    for (site, destination, field) in [
        ("demo", "no-such-destination", "destination"),
        ("no-such-site", "demo-crm", "site"),
    ] {
        let unknown = test_lead(stack, site, destination);
        assert_eq!(unknown.status, 404, "{site}/{destination}: {}", unknown.body);
        assert_eq!(
            unknown.body["error"]["fields"][0]["field"], field,
            "{site}/{destination}: {}",
            unknown.body
        );
    }
}
