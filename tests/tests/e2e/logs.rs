//! Secrets and personal data never reach a log line or an error answer.
//! Runs traffic that touches every secret the Worker holds (the admin token,
//! the webhook signing key, each product's token or secret URL) with phones
//! and emails of its own, through accepted leads, refused ones, a failing and
//! a throttled destination, a slow one and the admin API, then reads
//! wrangler's whole log (tests/artifacts/wrangler.log) and every error answer,
//! and looks for each secret and each phone and email in every form it was
//! sent or stored in.

use std::time::Duration;

use leadwire_tests::receiver::Behaviour;
use leadwire_tests::standins::{self, Product};
use leadwire_tests::wait::until;
use leadwire_tests::DEMO_SECRET;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{call, post, CONSENT};
use crate::support::{Stack, ADMIN_TOKEN, DELIVERY_TIMEOUT, ORIGIN, SITES_KEY};

/// (as typed, E.164, the national number): each form a log could show.
const PHONES: &[(&str, &str, &str)] = &[
    ("8 (913) 555-01-23", "+79135550123", "9135550123"),
    ("+7 913 555-02-34", "+79135550234", "9135550234"),
    ("+7 (913) 555-03-45", "+79135550345", "9135550345"),
    ("913 555 04 56", "+79135550456", "9135550456"),
];
/// Refused numbers: never valid, but still a person's digits.
const BAD_PHONES: &[&str] = &["+7 913 555-09", "8913555098765432"];
const EMAILS: &[&str] = &[
    "Leak.Probe.One@Example.com",
    "leak.probe.two@example.com",
    "leak.probe.three@example.com",
    "leak-probe-four@",
];

/// Every secret the stack gives the Worker (tests/tests/e2e/support/mod.rs).
fn secrets() -> Vec<(&'static str, String)> {
    let key = DEMO_SECRET.trim_start_matches("whsec_");
    vec![
        ("ADMIN_TOKEN", ADMIN_TOKEN.into()),
        ("SITES_KEY", SITES_KEY.into()),
        ("DEMO_WEBHOOK_SECRET", DEMO_SECRET.into()),
        ("DEMO_WEBHOOK_SECRET's key", key.into()),
        ("EXAMPLE_BITRIX24_URL's code", standins::BITRIX24_CODE.into()),
        ("EXAMPLE_AMOCRM_TOKEN", standins::AMOCRM_TOKEN.into()),
        ("EXAMPLE_TELEGRAM_TOKEN", standins::TELEGRAM_TOKEN.into()),
        (
            "EXAMPLE_TELEGRAM_TOKEN's secret part",
            standins::TELEGRAM_TOKEN.split(':').nth(1).unwrap_or_default().into(),
        ),
        ("EXAMPLE_EMAIL_TOKEN", standins::EMAIL_TOKEN.into()),
        ("EXAMPLE_SLACK_URL's path", standins::SLACK_HOOK.into()),
        ("TURNSTILE secret", leadwire_tests::turnstile::SECRET.into()),
    ]
}

/// Every phone and email form that must not show, lower-cased.
fn personal() -> Vec<String> {
    let mut all: Vec<String> = PHONES
        .iter()
        .flat_map(|(typed, e164, national)| [typed.to_string(), e164.to_string(), national.to_string()])
        .chain(BAD_PHONES.iter().map(|p| p.to_string()))
        .chain(
            BAD_PHONES
                .iter()
                .map(|p| p.chars().filter(char::is_ascii_digit).collect()),
        )
        .chain(EMAILS.iter().map(|e| e.to_string()))
        .map(|s| s.to_lowercase())
        .collect();
    all.sort();
    all.dedup();
    all
}

fn lead(site: &str, kind: &str, phone: &str, email: &str) -> Value {
    json!({
        "v": 1, "id": Uuid::new_v4(), "site": site, "kind": kind,
        "contact": {"phone": phone, "email": email, "name": "Leak Probe"},
        "message": format!("call {phone} or write to {email}"),
        "page": {"url": "http://127.0.0.1:8080/?utm_source=logs", "referrer": "https://yandex.ru/"},
        "consent": {"text": CONSENT, "accepted": true},
        "signals": {"honeypot": "", "elapsed_ms": 24_000},
        "locale": "en"
    })
}

pub fn no_secret_phone_or_email_reaches_the_log_or_an_error_answer(stack: &Stack) {
    let mut answers: Vec<(String, String)> = Vec::new();
    let mut note = |what: &str, status: u16, body: &Value| {
        if status >= 400 {
            answers.push((format!("{what} ({status})"), body.to_string()));
        }
    };

    // A destination that fails, then recovers: the demo CRM answers 500 to the first attempt.
    stack.receiver.behave(Behaviour::Answer(500));
    let demo = lead("demo", "form", PHONES[0].0, EMAILS[0]);
    let demo_id = demo["id"].as_str().unwrap_or_default().to_owned();
    let answer = post(stack, "text/plain", Some(ORIGIN), demo.to_string());
    assert_eq!(answer.status, 202, "{}", answer.body);
    until("the demo CRM's refusal", DELIVERY_TIMEOUT, || {
        stack
            .receiver
            .deliveries_of(&demo_id)
            .iter()
            .any(|d| d.answered == 500)
            .then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    stack.receiver.behave(Behaviour::Answer(200));

    // Every product at once, Telegram throttling and Bitrix24 too slow to answer in time.
    stack.standins.calm();
    stack.standins.throttle(Product::Telegram, 1);
    stack.standins.answer_late(Product::Bitrix24, Duration::from_secs(4));
    let every = lead("every-kind", "callback", PHONES[1].0, EMAILS[1]);
    let every_id = every["id"].as_str().unwrap_or_default().to_owned();
    let answer = post(stack, "text/plain", None, every.to_string());
    assert_eq!(answer.status, 202, "{}", answer.body);

    // Refusals that carry a person's data: a short and a long number, a bad
    // email, a phone sent as a JSON number, a wrong Origin.
    let refused: Vec<(&str, Value, Option<&str>)> = vec![
        (
            "a short phone",
            lead("demo", "callback", BAD_PHONES[0], EMAILS[2]),
            Some(ORIGIN),
        ),
        (
            "a long phone",
            lead("demo", "callback", BAD_PHONES[1], EMAILS[2]),
            Some(ORIGIN),
        ),
        (
            "a bad email",
            lead("demo", "form", PHONES[2].0, EMAILS[3]),
            Some(ORIGIN),
        ),
        (
            "a wrong origin",
            lead("demo", "form", PHONES[2].0, EMAILS[2]),
            Some("https://evil.example"),
        ),
        (
            "an unknown site",
            lead("nope", "form", PHONES[2].0, EMAILS[2]),
            Some(ORIGIN),
        ),
        (
            "a phone as a number",
            {
                let mut l = lead("demo", "callback", "", EMAILS[2]);
                l["contact"]["phone"] = json!(79135550345_u64);
                l
            },
            Some(ORIGIN),
        ),
        (
            "an email as a number",
            {
                let mut l = lead("demo", "form", PHONES[2].0, "");
                l["contact"]["email"] = json!(9135550345_u64);
                l
            },
            Some(ORIGIN),
        ),
    ];
    for (what, body, origin) in refused {
        let answer = post(stack, "text/plain", origin, body.to_string());
        assert!(answer.status >= 400, "{what} was accepted");
        note(what, answer.status, &answer.body);
    }

    // The admin API: with the token, with a wrong one, and an erasure by phone.
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let detail = call(
        stack,
        "GET",
        &format!("v1/admin/leads/{demo_id}"),
        &[("authorization", &auth)],
        None,
    );
    assert_eq!(detail.status, 200, "{}", detail.body);
    for (what, header) in [
        ("a wrong token", "Bearer wrong-token"),
        ("the token in the wrong scheme", &format!("Basic {ADMIN_TOKEN}") as &str),
    ] {
        let answer = call(stack, "GET", "v1/admin/leads", &[("authorization", header)], None);
        note(what, answer.status, &answer.body);
    }
    let erase = json!({"phone": PHONES[3].0, "site": "demo"}).to_string();
    let answer = call(
        stack,
        "POST",
        "v1/admin/erase",
        &[("authorization", &auth), ("content-type", "application/json")],
        Some(erase),
    );
    note("an erasure by phone", answer.status, &answer.body);

    // Until every attempt has been logged: the demo CRM's retry, Telegram after its wait, every product.
    until(
        "the demo lead delivered after its failure",
        DELIVERY_TIMEOUT * 2,
        || {
            stack
                .receiver
                .deliveries_of(&demo_id)
                .iter()
                .any(|d| d.answered == 200)
                .then_some(())
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let log_path = stack.artifacts.join("wrangler.log");
    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    until(
        "every destination of the every-kind lead in the log as delivered",
        DELIVERY_TIMEOUT * 2,
        || {
            let log = read_log();
            let delivered = log
                .lines()
                .filter(|l| l.contains(&every_id) && l.contains(" delivered"))
                .count();
            (delivered >= 7).then_some(())
        },
    )
    .unwrap_or_else(|e| panic!("{e}; the log ends:\n{}", stack.collector().log_tail(30)));

    let log = read_log();
    let failing_lines = log
        .lines()
        .filter(|l| l.contains(&every_id) || l.contains(&demo_id))
        .filter(|l| l.contains("pending"))
        .count();
    assert!(
        failing_lines >= 2,
        "the error paths were not logged (500, 429, timeout):\n{}",
        stack.collector().log_tail(40)
    );
    let mut leaks = Vec::new();
    let lower_log = log.to_lowercase();
    for (name, secret) in secrets() {
        for (i, line) in log.lines().enumerate().filter(|(_, l)| l.contains(secret.as_str())) {
            leaks.push(format!("wrangler.log:{}: {name}: {line}", i + 1));
        }
        for (what, body) in &answers {
            if body.contains(secret.as_str()) {
                leaks.push(format!("the answer to {what}: {name}: {body}"));
            }
        }
    }
    for needle in personal() {
        for (i, line) in lower_log
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle.as_str()))
        {
            leaks.push(format!("wrangler.log:{}: {needle}: {line}", i + 1));
        }
        for (what, body) in &answers {
            if body.to_lowercase().contains(needle.as_str()) {
                leaks.push(format!("the answer to {what}: {needle}: {body}"));
            }
        }
    }
    println!(
        "logs: read {} log lines and {} error answers for {} secrets and {} phone and email forms",
        log.lines().count(),
        answers.len(),
        secrets().len(),
        personal().len()
    );
    assert!(leaks.is_empty(), "{} leaks:\n  {}", leaks.len(), leaks.join("\n  "));
}
