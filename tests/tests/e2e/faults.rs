//! The fault matrix: every lead accepted with a 2xx reaches the receiver
//! through errors, hangs, outages, throttling, a disabled endpoint and a
//! collector restart. Each case posts a stream of leads and checks that the
//! set of lead ids delivered (answered 2xx) equals the accepted set, and that
//! none was delivered twice (the receiver answers a request that hung with
//! 503, so even the cases whose attempts time out or die with the collector
//! have no 2xx a second attempt could repeat).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use leadwire_tests::receiver::Behaviour;
use leadwire_tests::wait::until;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{call, lead, post};
use crate::support::{Stack, ADMIN_TOKEN, ORIGIN};

/// The outages the matrix names.
const ERRORS_FOR: Duration = Duration::from_secs(60);
const DOWN_FOR: Duration = Duration::from_secs(120);
/// After recovery, retries (≤ 5 s apart in the test schedule) and sweeps
/// (every 2 s, a lease being the 2 s timeout + 15 s) must drain everything.
const DRAIN: Duration = Duration::from_secs(90);

/// Posts `count` leads, one every `every`, and returns the ids accepted with 202.
fn stream(stack: &Stack, count: usize, every: Duration) -> Vec<String> {
    let started = Instant::now();
    let mut accepted = Vec::new();
    for i in 0..count {
        // Paces the stream (load shape, not a wait for a condition).
        let due = started + every * i as u32;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let id = Uuid::new_v4();
        let answer = post(stack, "text/plain", Some(ORIGIN), lead(&id).to_string());
        if answer.status == 202 {
            accepted.push(id.to_string());
        }
    }
    assert_eq!(
        accepted.len(),
        count,
        "the collector must accept every lead even while the CRM fails"
    );
    accepted
}

/// Waits until every accepted lead was answered 2xx at the receiver, then
/// checks the delivered set equals the accepted set, each delivered once.
fn all_delivered(stack: &Stack, accepted: &[String], since: Instant, timeout: Duration) {
    let wanted: BTreeSet<&str> = accepted.iter().map(String::as_str).collect();
    let delivered = || -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for d in stack.receiver.deliveries() {
            if d.at >= since && (200..300).contains(&d.answered) {
                if let Some(id) = d.lead_id() {
                    *counts.entry(id.to_owned()).or_insert(0) += 1;
                }
            }
        }
        counts
    };
    let result = until("every accepted lead at the receiver", timeout, || {
        let got = delivered();
        wanted.iter().all(|id| got.contains_key(*id)).then_some(got)
    });
    let got = result.unwrap_or_else(|e| {
        let got = delivered();
        let missing: Vec<&&str> = wanted.iter().filter(|id| !got.contains_key(**id)).collect();
        panic!(
            "{e}: {} of {} missing, e.g. {:?}",
            missing.len(),
            wanted.len(),
            missing.first()
        )
    });
    // A lead that nobody posted would be a phantom.
    let known = stack.accepted.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let seen_before: BTreeSet<String> = stack
        .receiver
        .deliveries()
        .iter()
        .filter(|d| d.at < since)
        .filter_map(|d| d.lead_id().map(str::to_owned))
        .collect();
    let phantoms: Vec<&String> = got
        .keys()
        .filter(|id| !wanted.contains(id.as_str()) && !known.contains(*id) && !seen_before.contains(*id))
        .collect();
    assert!(phantoms.is_empty(), "leads delivered that no case posted: {phantoms:?}");
    for d in stack
        .receiver
        .deliveries()
        .iter()
        .filter(|d| d.at >= since && (200..300).contains(&d.answered))
    {
        assert!(d.verified, "a delivery's signature does not verify: {}", d.webhook_id);
    }
    let ids = accepted
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!("SELECT count(*) AS n FROM deliveries WHERE state = 'delivered' AND lead_id IN ({ids})");
    // The collector records the attempt just after the receiver's answer.
    until("D1 to show every delivery delivered", Duration::from_secs(30), || {
        (stack.count(&sql) == accepted.len() as i64).then_some(())
    })
    .unwrap();
    // Counted after D1 caught up, so a repeat has had time to arrive. Every
    // 2xx beyond a lead's first is a duplicate, a late one of an earlier
    // case's lead included (the demo site has one destination, so a lead id
    // stands for its webhook-id).
    let delivered_before: BTreeSet<String> = stack
        .receiver
        .deliveries()
        .iter()
        .filter(|d| d.at < since && (200..300).contains(&d.answered))
        .filter_map(|d| d.lead_id().map(str::to_owned))
        .collect();
    let duplicates: BTreeMap<String, usize> = delivered()
        .into_iter()
        .map(|(id, n)| {
            let before = usize::from(delivered_before.contains(&id));
            (id, n + before - 1)
        })
        .filter(|(_, extra)| *extra > 0)
        .collect();
    assert!(
        duplicates.is_empty(),
        "leads delivered more than once (lead id: extra 2xx deliveries): {duplicates:?}"
    );
}

/// The attempts D1 recorded for a lead, oldest first: (at ms, status, error).
fn attempts(stack: &Stack, id: &str) -> Vec<(i64, Option<i64>, Option<String>)> {
    let rows = stack
        .collector()
        .query(&format!(
            "SELECT at, status, error FROM attempts WHERE lead_id = '{id}' ORDER BY n"
        ))
        .unwrap_or_else(|e| panic!("attempts of {id}: {e}"));
    rows.iter()
        .map(|r| {
            (
                r["at"].as_i64().unwrap_or(0),
                r["status"].as_i64(),
                r["error"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

pub fn admin(stack: &Stack, method: &str, path: &str, body: Option<Value>) -> crate::api::Answer {
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    call(
        stack,
        method,
        &format!("v1/admin/{path}"),
        &headers,
        body.map(|b| b.to_string()),
    )
}

pub fn receiver_errors_for_a_minute_then_recovers(stack: &Stack) {
    let since = Instant::now();
    stack.receiver.answer_with(500);
    let accepted = stream(stack, 20, ERRORS_FOR / 20);
    stack.receiver.answer_with(200);
    all_delivered(stack, &accepted, since, DRAIN);
    let first = attempts(stack, &accepted[0]);
    assert!(
        first.len() >= 3,
        "the first lead was tried through the outage: {first:?}"
    );
    assert_eq!(first[0].1, Some(500));
}

pub fn receiver_hangs_past_the_timeout(stack: &Stack) {
    let since = Instant::now();
    stack.receiver.behave(Behaviour::Hang);
    let accepted = stream(stack, 5, Duration::from_millis(200));
    let timed_out = || {
        accepted
            .iter()
            .all(|id| {
                attempts(stack, id)
                    .iter()
                    .any(|a| a.2.as_deref().is_some_and(|e| e == "timeout"))
            })
            .then_some(())
    };
    until("every lead to time out once", Duration::from_secs(60), timed_out).unwrap();
    stack.receiver.answer_with(200);
    all_delivered(stack, &accepted, since, DRAIN);
}

pub fn receiver_down_for_two_minutes_then_back(stack: &Stack) {
    let since = Instant::now();
    stack.receiver.go_down();
    let accepted = stream(stack, 20, DOWN_FOR / 20);
    stack.receiver.come_back().unwrap();
    all_delivered(stack, &accepted, since, DRAIN);
    let first = attempts(stack, &accepted[0]);
    assert!(
        first.len() >= 3 && first[0].1.is_none(),
        "refused connections were retried: {first:?}"
    );
}

pub fn receiver_throttles_with_retry_after(stack: &Stack) {
    const RETRY_AFTER: u64 = 4;
    let since = Instant::now();
    stack.receiver.behave(Behaviour::AnswerRetryAfter(429, RETRY_AFTER));
    let accepted = stream(stack, 3, Duration::from_millis(200));
    let throttled = || accepted.iter().all(|id| !attempts(stack, id).is_empty()).then_some(());
    until("every lead to be throttled once", Duration::from_secs(30), throttled).unwrap();
    stack.receiver.answer_with(200);
    all_delivered(stack, &accepted, since, DRAIN);
    for id in &accepted {
        let tries = attempts(stack, id);
        assert_eq!(tries[0].1, Some(429), "{id}: {tries:?}");
        let gap = tries[1].0 - tries[0].0;
        // The schedule alone would retry after 1 s.
        assert!(
            gap >= RETRY_AFTER as i64 * 1000,
            "{id}: retried after {gap} ms despite Retry-After: {RETRY_AFTER}"
        );
    }
}

pub fn receiver_gone_disables_the_destination_until_replayed(stack: &Stack) {
    let since = Instant::now();
    let since_wall = jiff::Timestamp::now();
    stack.receiver.answer_with(410);
    let first = stream(stack, 1, Duration::ZERO);
    let disabled = || {
        let answer = admin(stack, "GET", "destinations", None);
        let list = answer.body["destinations"].as_array().cloned().unwrap_or_default();
        list.iter()
            .any(|d| d["id"] == "demo-crm" && d["state"] == "disabled")
            .then_some(())
    };
    until("the destination to be disabled", Duration::from_secs(30), disabled).unwrap();
    let arrivals = stack.receiver.arrivals();
    let second = stream(stack, 1, Duration::ZERO);
    let state_of = |id: &str| {
        let detail = admin(stack, "GET", &format!("leads/{id}"), None);
        detail.body["deliveries"][0]["state"].as_str().map(str::to_owned)
    };
    for id in first.iter().chain(&second) {
        until(
            "the delivery to show disabled in admin",
            Duration::from_secs(30),
            || (state_of(id).as_deref() == Some("disabled")).then_some(()),
        )
        .unwrap();
    }
    assert_eq!(
        stack.receiver.arrivals(),
        arrivals,
        "nothing is sent to a disabled destination"
    );
    stack.receiver.answer_with(200);
    let enabled = admin(stack, "POST", "sites/demo/destinations/demo-crm/enable", None);
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let replay = admin(
        stack,
        "POST",
        "replay",
        Some(json!({ "since": since_wall.to_string(), "site": "demo" })),
    );
    assert_eq!(
        (replay.status, replay.body["replayed"].as_u64()),
        (202, Some(2)),
        "{}",
        replay.body
    );
    let accepted: Vec<String> = first.into_iter().chain(second).collect();
    all_delivered(stack, &accepted, since, DRAIN);
}

pub fn collector_killed_mid_delivery_loses_nothing(stack: &Stack) {
    let since = Instant::now();
    stack.receiver.behave(Behaviour::Hang);
    let accepted = stream(stack, 10, Duration::from_millis(100));
    until("deliveries to be in flight", Duration::from_secs(30), || {
        (stack.receiver.arrivals() > 0).then_some(())
    })
    .unwrap();
    stack.restart_collector();
    stack.receiver.answer_with(200);
    all_delivered(stack, &accepted, since, DRAIN);
}

pub fn admin_api_lists_pages_and_explains(stack: &Stack) {
    let unauthorized = call(
        stack,
        "GET",
        "v1/admin/leads",
        &[("authorization", "Bearer wrong")],
        None,
    );
    assert_eq!(
        (unauthorized.status, unauthorized.body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let since = jiff::Timestamp::now();
    let ids = stream(stack, 3, Duration::ZERO);
    for id in &ids {
        stack
            .receiver
            .wait_for("delivery", DRAIN, |d| d.lead_id() == Some(id) && d.answered == 200)
            .unwrap();
    }
    // Two pages of newest-first leads since the start of this case.
    let first = admin(stack, "GET", &format!("leads?site=demo&since={since}&limit=2"), None);
    assert_eq!(first.status, 200, "{}", first.body);
    let cursor = first.body["next_cursor"].as_str().expect("a next page").to_owned();
    let second = admin(
        stack,
        "GET",
        &format!("leads?since={since}&limit=2&cursor={cursor}"),
        None,
    );
    let listed: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|page| page.body["leads"].as_array().cloned().unwrap_or_default())
        .filter_map(|l| l["id"].as_str().map(str::to_owned))
        .collect();
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(listed, expected, "newest first, each lead once");
    let failed = admin(stack, "GET", &format!("leads?state=failed&since={since}"), None);
    assert_eq!(failed.body["leads"].as_array().map(Vec::len), Some(0));
    let detail = admin(stack, "GET", &format!("leads/{}", ids[0]), None);
    assert_eq!(detail.body["lead"]["contact"]["phone"], "+79123456789");
    assert_eq!(detail.body["attempts"][0]["status"], 200);
    let replayed = admin(stack, "POST", &format!("leads/{}/replay", ids[0]), None);
    assert_eq!((replayed.status, replayed.body["replayed"].as_u64()), (202, Some(1)));
    until("the replayed lead to arrive again", DRAIN, || {
        (stack.receiver.deliveries_of(&ids[0]).len() >= 2).then_some(())
    })
    .unwrap();
    let explained = admin(
        stack,
        "GET",
        "attribute?url=https%3A%2F%2Fshop.example%2F%3Fyclid%3D42",
        None,
    );
    assert_eq!(
        (explained.body["source"].as_str(), explained.body["channel"].as_str()),
        (Some("yandex"), Some("paid_search"))
    );
    assert!(
        explained.body["rule"].as_str().is_some_and(|r| r.contains("yclid")),
        "{}",
        explained.body
    );
    for (path, field) in [
        ("attribute", "url"),
        ("leads?state=lost", "state"),
        ("leads?since=yesterday", "since"),
        ("leads?limit=0", "limit"),
        ("leads/nope", "id"),
    ] {
        let bad = admin(stack, "GET", path, None);
        assert_eq!(bad.status, 400, "{path}");
        assert_eq!(bad.body["error"]["fields"][0]["field"], field, "{path}");
    }
}
