//! A closed-loop HTTP load generator: N threads, each sending its next
//! request as soon as the last is answered.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadwire_tests::receiver::http_agent;

#[derive(Clone, Copy)]
pub enum Target {
    Echo,
    InsertOnly,
    Leads,
}

pub struct Plan {
    pub concurrency: usize,
    pub warmup: Duration,
    pub measure: Duration,
}

pub struct Result {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
}

pub const ORIGIN: &str = "http://127.0.0.1:8080";

pub fn lead_body(id: &uuid::Uuid) -> String {
    serde_json::json!({
        "v": 1, "id": id, "site": "demo", "kind": "callback",
        "contact": {"phone": "8 (912) 345-67-89", "name": "Bench"},
        "consent": {"text": "I agree to the processing of my personal data under the privacy policy.", "accepted": true},
        "page": {"url": "http://127.0.0.1:8080/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
                 "title": "Sunny Windows", "referrer": "https://yandex.ru/"},
        "touches": {"first": {"url": "http://127.0.0.1:8080/?utm_source=yandex&utm_medium=cpc", "at": 1_700_000_000_000_i64}, "visits": 1}
    })
    .to_string()
}

/// One request; `true` if it got the expected 2xx.
fn send(agent: &ureq::Agent, base: &str, target: Target) -> bool {
    let id = uuid::Uuid::new_v4();
    let body = lead_body(&id);
    let answer = match target {
        Target::Echo => agent.post(format!("{base}__bench/echo")).send(body.as_str()),
        Target::InsertOnly => agent
            .post(format!("{base}__bench/insert"))
            .header("x-lead-id", id.to_string())
            .send(body.as_str()),
        Target::Leads => agent
            .post(format!("{base}v1/leads"))
            .header("content-type", "text/plain")
            .header("origin", ORIGIN)
            .send(body.as_str()),
    };
    answer.is_ok_and(|r| r.status().is_success())
}

pub fn run(base: &str, target: Target, plan: &Plan) -> std::result::Result<Result, String> {
    if !send(&http_agent(Duration::from_secs(30)), base, target) {
        return Err(format!(
            "{base}: the route did not answer 2xx; is the bench build running?"
        ));
    }
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..plan.concurrency)
        .map(|_| {
            let (base, measuring, stop) = (base.to_owned(), Arc::clone(&measuring), Arc::clone(&stop));
            std::thread::spawn(move || {
                let agent = http_agent(Duration::from_secs(30));
                let (mut latencies, mut errors) = (Vec::new(), 0usize);
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let ok = send(&agent, &base, target);
                    if measuring.load(Ordering::Relaxed) {
                        latencies.push(started.elapsed());
                        errors += usize::from(!ok);
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    std::thread::sleep(plan.warmup); // ok: the load runs on other threads meanwhile
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(plan.measure); // ok: as above
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for t in threads {
        let (l, e) = t.join().map_err(|_| "a load thread panicked".to_owned())?;
        latencies.extend(l);
        errors += e;
    }
    latencies.sort();
    Ok(Result {
        per_second: (latencies.len() - errors) as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        errors,
    })
}

/// Nearest-rank percentile of sorted latencies, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}
