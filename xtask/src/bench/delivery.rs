//! Delivery end to end: how long a lead takes from `POST /v1/leads` to the
//! receiver on a healthy path, and how long a backlog takes to drain once an
//! unreachable receiver comes back (production retry schedule).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadwire_tests::collector::Collector;
use leadwire_tests::receiver::{http_agent, Receiver};
use leadwire_tests::wait::until;

use super::load::{lead_body, percentile, ORIGIN};

pub struct Healthy {
    pub per_second: u32,
    pub leads: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Deliveries still pending 10 s after the last 202.
    pub pending_after_10s: u64,
}

pub struct Recovery {
    pub backlog: usize,
    pub drain: Duration,
    pub duplicates: usize,
}

fn post(agent: &ureq::Agent, base: &str) -> Result<String, String> {
    let id = uuid::Uuid::new_v4();
    let response = agent
        .post(format!("{base}v1/leads"))
        .header("content-type", "text/plain")
        .header("origin", ORIGIN)
        .send(lead_body(&id).as_str())
        .map_err(|e| e.to_string())?;
    if response.status().as_u16() == 202 {
        Ok(id.to_string())
    } else {
        Err(format!("POST /v1/leads answered {}", response.status()))
    }
}

/// First 2xx arrival of each lead at the receiver.
fn arrivals(receiver: &Receiver) -> HashMap<String, Instant> {
    let mut first = HashMap::new();
    for d in receiver
        .deliveries()
        .into_iter()
        .filter(|d| (200..300).contains(&d.answered))
    {
        if let Some(id) = d.lead_id() {
            first.entry(id.to_owned()).or_insert(d.at);
        }
    }
    first
}

/// Waits until no delivery of a real lead is pending any more (the insert-only
/// baseline's rows name a destination that does not exist and never drain).
pub fn drained(collector: &Collector) -> Result<(), String> {
    let pending = "SELECT count(*) AS n FROM deliveries WHERE state = 'pending' AND destination != 'bench'";
    until("the delivery backlog to drain", Duration::from_secs(600), || {
        let rows = collector.query(pending).ok()?;
        (rows.first()?.get("n")?.as_u64()? == 0).then_some(())
    })
}

/// `leads` posted at `per_second` (from a few threads, so one slow answer does
/// not hold the pace back); latency from each POST to its first receipt.
pub fn healthy(
    base: &str,
    receiver: &Receiver,
    collector: &Collector,
    leads: usize,
    per_second: u32,
) -> Result<Healthy, String> {
    const THREADS: usize = 4;
    let started = Instant::now();
    let sent = Arc::new(Mutex::new(Vec::with_capacity(leads)));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (base, sent) = (base.to_owned(), Arc::clone(&sent));
            std::thread::spawn(move || -> Result<(), String> {
                let agent = http_agent(Duration::from_secs(30));
                for i in (t..leads).step_by(THREADS) {
                    let due = started + Duration::from_secs(1) * i as u32 / per_second;
                    std::thread::sleep(due.saturating_duration_since(Instant::now())); // ok: paces the load
                    let at = Instant::now();
                    let id = post(&agent, &base)?;
                    sent.lock().map_err(|_| "lock")?.push((id, at));
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| "a posting thread panicked".to_owned())??;
    }
    let last_answer = Instant::now();
    let sent: Vec<(String, Instant)> = sent.lock().map(|s| s.clone()).map_err(|_| "lock")?;
    let got = until("every lead at the receiver", Duration::from_secs(300), || {
        let got = arrivals(receiver);
        sent.iter().all(|(id, _)| got.contains_key(id)).then_some(got)
    })?;
    std::thread::sleep((last_answer + Duration::from_secs(10)).saturating_duration_since(Instant::now())); // ok: the budget is "10 s after"
    let pending = collector
        .query("SELECT count(*) AS n FROM deliveries WHERE state = 'pending' AND destination != 'bench'")?
        .first()
        .and_then(|r| r.get("n")?.as_u64())
        .unwrap_or(u64::MAX);
    let mut latencies: Vec<Duration> = sent
        .iter()
        .filter_map(|(id, at)| got.get(id).map(|r| r.duration_since(*at)))
        .collect();
    latencies.sort();
    Ok(Healthy {
        per_second,
        leads,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        pending_after_10s: pending,
    })
}

/// With the receiver down, `backlog` leads are accepted and each tried once;
/// then the receiver comes back and the drain is timed.
pub fn recovery(base: &str, receiver: &Receiver, collector: &Collector, backlog: usize) -> Result<Recovery, String> {
    receiver.go_down();
    let ids = Arc::new(Mutex::new(Vec::with_capacity(backlog)));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (base, ids) = (base.to_owned(), Arc::clone(&ids));
            std::thread::spawn(move || -> Result<(), String> {
                let agent = http_agent(Duration::from_secs(30));
                for _ in (t..backlog).step_by(8) {
                    let id = post(&agent, &base)?;
                    ids.lock().map_err(|_| "lock")?.push(id);
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| "a posting thread panicked".to_owned())??;
    }
    let ids: Vec<String> = ids.lock().map(|i| i.clone()).map_err(|_| "lock")?;
    let tried =
        "SELECT count(*) AS n FROM deliveries WHERE state = 'pending' AND attempts >= 1 AND destination != 'bench'";
    until(
        "every lead of the backlog to fail once",
        Duration::from_secs(300),
        || {
            let rows = collector.query(tried).ok()?;
            (rows.first()?.get("n")?.as_u64()? as usize >= backlog).then_some(())
        },
    )?;
    receiver.come_back()?;
    let back = Instant::now();
    until("the backlog to drain", Duration::from_secs(900), || {
        let got = arrivals(receiver);
        ids.iter().all(|id| got.contains_key(id)).then_some(())
    })?;
    let drain = back.elapsed();
    let mut per_lead: HashMap<String, usize> = HashMap::new();
    for d in receiver
        .deliveries()
        .into_iter()
        .filter(|d| (200..300).contains(&d.answered))
    {
        if let Some(id) = d.lead_id() {
            *per_lead.entry(id.to_owned()).or_insert(0) += 1;
        }
    }
    let duplicates = ids
        .iter()
        .map(|id| per_lead.get(id).copied().unwrap_or(1).saturating_sub(1))
        .sum();
    Ok(Recovery {
        backlog,
        drain,
        duplicates,
    })
}
