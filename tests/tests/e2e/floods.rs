//! Floods, on the `floods` site of edge/sites.toml (5 leads an hour per
//! client address, 1 per phone number every 5 s): a burst from one address is
//! held to the limit with 429 and `Retry-After` while another address still
//! gets in, and a visitor whose lead is answered 429 keeps it, is told, and
//! sees it arrive after the wait.
//!
//! Where a request comes from: Cloudflare sets `CF-Connecting-IP`; `wrangler
//! dev` sets it to the socket's address (127.0.0.1) only when the client sent
//! none, so each API request here names its own, from the documentation
//! ranges of RFC 5737 that no other case uses. The browser sends none: it is
//! 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use leadwire_tests::receiver::http_agent;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{block_on, Stack, DELIVERY_TIMEOUT, ORIGIN};

const SITE: &str = "floods";
/// The site's `[site.limits]`.
const CLIENT_LEADS: usize = 5;
const PHONE_SECONDS: u64 = 5;
const BURST: usize = 1_000;
/// Requests in flight at once: enough to keep wrangler dev busy on two cores.
const PARALLEL: usize = 16;

struct Answer {
    status: u16,
    body: Value,
    retry_after: Option<u64>,
    exposed: Option<String>,
}

fn lead(phone: &str, case: &str) -> Value {
    json!({
        "v": 1, "id": Uuid::new_v4(), "site": SITE, "kind": "callback",
        "contact": {"phone": phone},
        "page": {"url": format!("{ORIGIN}/floods.html?case={case}")},
    })
}

/// POSTs `body` as the client at `address`; a 202 joins the run's accepted leads.
fn post_from(stack: &Stack, agent: &ureq::Agent, address: &str, body: &Value) -> Answer {
    let mut response = agent
        .post(format!("{}v1/leads", stack.collector_url))
        .header("content-type", "text/plain")
        .header("origin", ORIGIN)
        .header("cf-connecting-ip", address)
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("POST /v1/leads from {address}: {e}"));
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (retry_after, exposed) = (header("retry-after"), header("access-control-expose-headers"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    if status == 202 {
        if let Some(id) = body["id"].as_str() {
            stack
                .accepted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id.to_owned());
        }
    }
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        retry_after: retry_after.and_then(|r| r.parse().ok()),
        exposed,
    }
}

fn stored(stack: &Stack) -> i64 {
    stack.count(&format!("SELECT count(*) AS n FROM leads WHERE site = '{SITE}'"))
}

/// A refusal as the API documents it: 429, the one error shape, a wait the page may read.
fn assert_limited(answer: &Answer, max_wait: u64, field: Option<&str>) {
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], "rate_limited", "{}", answer.body);
    let wait = answer.retry_after.expect("Retry-After on a 429");
    assert!((1..=max_wait).contains(&wait), "Retry-After {wait}, at most {max_wait}");
    assert_eq!(answer.exposed.as_deref(), Some("retry-after"), "the widget may read it");
    let fields = answer.body["error"]["fields"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        fields.iter().map(|f| f["field"].as_str()).collect::<Vec<_>>(),
        field.into_iter().map(Some).collect::<Vec<_>>(),
        "{}",
        answer.body
    );
}

pub fn a_burst_from_one_address_is_held_to_the_limit_while_another_gets_in(stack: &Stack) {
    let before = stored(stack);
    let case = Uuid::new_v4().simple().to_string();
    let next = AtomicUsize::new(0);
    let answers = Mutex::new(Vec::with_capacity(BURST));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| {
                let agent = http_agent(Duration::from_secs(30));
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= BURST {
                        break;
                    }
                    // A number of its own per request: only the client's limit applies.
                    let phone = format!("+7912100{i:04}");
                    let answer = post_from(stack, &agent, "203.0.113.7", &lead(&phone, &case));
                    answers.lock().unwrap_or_else(|p| p.into_inner()).push(answer);
                }
            });
        }
    });
    let took = started.elapsed();
    let answers = answers.into_inner().unwrap_or_else(|p| p.into_inner());
    let accepted = answers.iter().filter(|a| a.status == 202).count();
    let limited: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    eprintln!(
        "floods: {BURST} requests from one address in {took:?}: {accepted} accepted, {} limited",
        limited.len()
    );
    let others: Vec<(u16, &Value)> = answers
        .iter()
        .filter(|a| a.status != 202 && a.status != 429)
        .map(|a| (a.status, &a.body))
        .collect();
    assert!(others.is_empty(), "neither 202 nor 429: {others:?}");
    assert_eq!(
        (accepted, limited.len()),
        (CLIENT_LEADS, BURST - CLIENT_LEADS),
        "accepted, limited"
    );
    for answer in limited {
        assert_limited(answer, 3_600, None);
    }

    // Another address is still welcome, and its number is then spoken for (5 s).
    let agent = http_agent(Duration::from_secs(30));
    let phone = "+7 912 200-00-01";
    let other = post_from(stack, &agent, "198.51.100.1", &lead(phone, &case));
    assert_eq!(other.status, 202, "{}", other.body);
    let same_phone = post_from(stack, &agent, "198.51.100.2", &lead(phone, &case));
    assert_limited(&same_phone, PHONE_SECONDS, Some("contact.phone"));

    assert_eq!(
        stored(stack) - before,
        CLIENT_LEADS as i64 + 1,
        "a limited lead was stored"
    );
    let log = stack.collector().log_tail(2_000);
    assert!(
        !log.contains("rate limiter binding"),
        "the rate limiting binding failed:\n{log}"
    );
}

pub fn a_limited_lead_waits_in_the_outbox_and_arrives_after_the_wait(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    let phone = "+7 912 300-00-01";
    // The number's one lead per window, from another address.
    let first = post_from(
        stack,
        &http_agent(Duration::from_secs(30)),
        "198.51.100.3",
        &lead(phone, &case),
    );
    assert_eq!(first.status, 202, "{}", first.body);
    let first_id = first.body["id"].as_str().expect("the first lead's id").to_owned();
    block_on(async {
        let browser = stack.driver.session().await;
        browser
            .goto(&format!("{}floods.html?case={case}", stack.site.url))
            .await;
        let said = browser.request_callback(phone).await;
        assert!(
            said.contains("saved and will be sent automatically"),
            "the visitor is told the lead waits: {said}"
        );
        let kept = browser.run("return localStorage.getItem('leadwire:outbox')").await;
        assert!(
            kept.as_str().is_some_and(|o| o.contains(&case)),
            "the lead waits in the outbox: {kept}"
        );
        let from_the_page = |d: &leadwire_tests::receiver::Delivery| {
            d.body.contains(&case) && d.lead_id() != Some(first_id.as_str()) && d.answered == 200
        };
        assert!(
            !stack.receiver.deliveries().iter().any(from_the_page),
            "nothing from the page before the wait"
        );
        let arrived = stack
            .receiver
            .wait_for("the page's lead after the wait", DELIVERY_TIMEOUT, from_the_page)
            .unwrap();
        let data = &arrived.event.expect("JSON")["data"];
        assert_eq!(data["contact"]["phone"], "+79123000001");
        // The collector took it only once the number's window had ended.
        let first_at = stack
            .receiver
            .wait_for("the first lead", DELIVERY_TIMEOUT, |d| {
                d.lead_id() == Some(first_id.as_str())
            })
            .unwrap()
            .event
            .expect("JSON")["data"]["received_at"]
            .clone();
        let ms = |v: &Value| {
            v.as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|t| t.as_millisecond())
                .unwrap_or_else(|| panic!("a received_at: {v}"))
        };
        let waited = ms(&data["received_at"]) - ms(&first_at);
        assert!(
            waited >= (PHONE_SECONDS * 1000) as i64,
            "sent again after {waited} ms, before the window ended"
        );
        browser
            .until_page(
                "the outbox to empty",
                &format!("const o = localStorage.getItem('leadwire:outbox'); return !o || !o.includes('{case}');"),
            )
            .await;
        browser.close().await;
    });
}
