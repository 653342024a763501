//! The test lead, natively: the compiled `every-kind` site, a transport that
//! answers from a script and keeps what it was sent.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::*;
use crate::tests::block_on;

/// Friday 2026-11-27 18:00 in Moscow (the every-kind site is open around the clock: 15 minutes are promised).
const FRIDAY_EVENING_MS: i64 = 1_795_791_600_000;

#[derive(Default)]
struct Script {
    replies: RefCell<VecDeque<Result<Reply, &'static str>>>,
    sent: RefCell<Vec<Request>>,
}

impl Script {
    fn answering(reply: Result<u16, &'static str>) -> Self {
        let script = Script::default();
        script.replies.borrow_mut().push_back(reply.map(|status| Reply {
            status,
            retry_after_secs: None,
            body: String::new(),
        }));
        script
    }
}

impl Transport for Script {
    async fn send(&self, request: Request) -> Result<Reply, &'static str> {
        self.sent.borrow_mut().push(request);
        self.replies
            .borrow_mut()
            .pop_front()
            .unwrap_or(Err("connection_failed"))
    }
}

fn every_kind() -> Site {
    crate::sites::compiled()
        .site("every-kind")
        .expect("sites.toml has the every-kind site")
        .clone()
}

fn secret(name: &str) -> Option<String> {
    match name {
        "DEMO_WEBHOOK_URL" => Some("https://crm.example/hooks/leads".into()),
        "DEMO_WEBHOOK_SECRET" => Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
        _ => None,
    }
}

fn private_url(name: &str) -> Option<String> {
    match name {
        "DEMO_WEBHOOK_URL" => Some("https://10.0.0.1/hooks".into()),
        other => secret(other),
    }
}

/// The test lead sent to `destination` through `script`, with the clock stepping 40 ms a reading.
fn test(destination: &str, secret: &dyn Fn(&str) -> Option<String>, script: &Script) -> TestResult {
    let site = every_kind();
    let target = site
        .destinations
        .iter()
        .find(|d| d.id == destination)
        .expect("every-kind has the destination")
        .clone();
    let clock = std::cell::Cell::new(FRIDAY_EVENING_MS);
    let now = || {
        clock.set(clock.get() + 40);
        clock.get()
    };
    let at = jiff::Timestamp::from_millisecond(FRIDAY_EVENING_MS).expect("a time");
    let lead = sample::test_lead(&site, &target, Uuid::from_u128(42), at);
    block_on(send_test(
        &site,
        &target,
        &lead,
        secret,
        Loopback::Refused,
        script,
        &now,
    ))
}

/// What, destination, reply → ok, status, reason, requests sent.
type Case = (
    &'static str,
    &'static str,
    Result<u16, &'static str>,
    bool,
    Option<u16>,
    Option<&'static str>,
    usize,
);

#[test]
fn the_answer_is_the_result_of_one_send() {
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("taken",                     "webhook", Ok(200),          true,  Some(200), None,                      1),
        ("a server error",            "webhook", Ok(500),          false, Some(500), Some("answered HTTP 500"), 1),
        ("gone",                      "webhook", Ok(410),          false, Some(410), Some("answered HTTP 410"), 1),
        ("no answer in time",         "webhook", Err("timeout"),   false, None,      Some("timeout"),           1),
        ("a secret not set: not sent", "amocrm", Ok(200),          false, None,      Some("secret_missing"),    0),
    ];
    for (what, destination, reply, ok, status, reason, sent) in cases {
        let script = Script::answering(*reply);
        let result = test(destination, &secret, &script);
        assert_eq!(
            (
                result.ok,
                result.status,
                result.reason.as_deref(),
                script.sent.borrow().len()
            ),
            (*ok, *status, *reason, *sent),
            "{what}: {result:?}"
        );
        assert_eq!(
            result.duration_ms, 40,
            "{what}: from the clock before the send to after it"
        );
        assert_eq!(result.detail.is_some(), !ok, "{what}");
    }
}

#[test]
fn a_private_address_is_refused_before_anything_leaves() {
    let script = Script::answering(Ok(200));
    let result = test("webhook", &private_url, &script);
    assert!(script.sent.borrow().is_empty(), "nothing sent");
    assert_eq!((result.ok, result.status), (false, None));
    assert!(result.reason.is_some(), "{result:?}");
}

#[test]
fn the_receiver_gets_a_signed_test_lead_with_its_promise() {
    let script = Script::answering(Ok(204));
    let result = test("webhook", &secret, &script);
    assert!(result.ok, "{result:?}");
    let sent = script.sent.borrow();
    let request = sent.first().expect("one request");
    assert_eq!(request.url, "https://crm.example/hooks/leads");
    assert!(request.headers.iter().any(|(name, _)| *name == "webhook-signature"));
    let event: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap_or("")).expect("a JSON body");
    let data = &event["data"];
    assert_eq!(data["id"], Uuid::from_u128(42).to_string());
    assert_eq!(data["contact"]["name"], lead::destination::sample::TEST_NAME);
    assert_eq!(data["site"], "every-kind");
    let promised = data["expected_response_by"].as_str().expect("a promise");
    let due = every_kind()
        .hours
        .as_ref()
        .and_then(|h| lead::hours::due(h, jiff::Timestamp::from_millisecond(FRIDAY_EVENING_MS).ok()?, None))
        .expect("the every-kind site has hours");
    assert_eq!(promised, due.to_string());
}

#[test]
fn the_answer_has_the_shape_the_console_reads() {
    let result = test("webhook", &secret, &Script::answering(Ok(500)));
    let json = serde_json::to_value(&result).expect("serialises");
    assert_eq!(
        json,
        serde_json::json!({
            "ok": false, "status": 500, "reason": "answered HTTP 500", "detail": "answered HTTP 500",
            "duration_ms": 40, "lead_id": Uuid::from_u128(42).to_string()
        })
    );
}
