//! One round of delivery attempts, generic over where leads are stored and how
//! requests travel, so it runs natively under `cargo test` with an in-memory
//! store and a scripted transport. What a product is sent and what its answer
//! means is `lead::destination`'s; this module settles, sends, and decides.

use std::rc::Rc;

use futures_util::stream::{self, StreamExt};
use lead::delivery::{decide, DeliveryState};
use lead::destination::{self, reach, Answer, Delivery, Found, Kind, Outcome, Request};
use lead::site::Site;

use crate::settings::Settings;
use crate::store::{Attempt, Claimed, DeliveryKey, LeadStore};

/// Attempts sent at once: below the six connections an invocation may hold
/// open (the D1 binding and the queue count too).
const MAX_OPEN_CONNECTIONS: usize = 4;

/// What came back from one request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub retry_after_secs: Option<u64>,
    pub body: String,
}

impl Reply {
    fn answer(&self) -> Answer<'_> {
        Answer {
            status: self.status,
            retry_after_secs: self.retry_after_secs,
            body: &self.body,
        }
    }
}

/// How requests reach the products: `fetch` in the Worker.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait Transport {
    /// The product's reply, or a fixed code (`timeout`, `connection_failed`,
    /// …) that never quotes the URL: product URLs carry tokens.
    async fn send(&self, request: Request) -> Result<Reply, &'static str>;
}

/// What a round needs besides the store and the transport.
pub struct Round<'a> {
    pub settings: &'a Settings,
    /// The site as served now, by id (read before the round: no I/O in here).
    pub site: &'a dyn Fn(&str) -> Option<Rc<Site>>,
    /// A secret a destination names, by the lead's site (its own secrets first).
    pub secret: &'a dyn Fn(&Site, &str) -> Option<String>,
    pub now_ms: &'a dyn Fn() -> i64,
}

/// Attempts held deliveries (just claimed, or leased at intake) at once,
/// records every attempt in one write, and returns the keys to retry with
/// their waits in seconds.
pub async fn attempt_all(
    round: &Round<'_>,
    store: &impl LeadStore,
    transport: &impl Transport,
    claimed: Vec<Claimed>,
) -> Result<Vec<(DeliveryKey, u64)>, String> {
    // A Worker invocation keeps at most six connections open and queues the
    // rest; an attempt's timeout must not be spent waiting in that queue.
    let work = claimed.into_iter().map(|c| attempt_one(round, store, transport, c));
    let results: Vec<_> = stream::iter(work)
        .buffer_unordered(MAX_OPEN_CONNECTIONS)
        .collect()
        .await;
    let mut records = Vec::new();
    for result in results {
        if let Some(record) = result? {
            records.push(record);
        }
    }
    store.record_attempts(&records).await.map_err(|e| e.0)?;
    let now = (round.now_ms)();
    Ok(records
        .into_iter()
        .filter_map(|(key, attempt)| {
            let at = attempt.next_attempt_at_ms?;
            // Rounded up: a retry never comes before the wait a product asked for.
            Some((key, ((at - now).max(0) as u64).div_ceil(1000)))
        })
        .collect())
}

/// One held delivery: settled without an attempt, or attempted and returned
/// for recording.
async fn attempt_one(
    round: &Round<'_>,
    store: &impl LeadStore,
    transport: &impl Transport,
    claimed: Claimed,
) -> Result<Option<(DeliveryKey, Attempt)>, String> {
    let key = claimed.key.clone();
    let started = (round.now_ms)();
    let settle = |state: DeliveryState, reason: String| async move {
        store
            .settle_without_attempt(&key, state, &reason, started)
            .await
            .map(|()| None)
            .map_err(|e| e.0)
    };
    let lead = match &claimed.lead {
        Ok(lead) => lead,
        // Retrying cannot make it decode: fail it visibly instead of circling.
        Err(e) => return settle(DeliveryState::Failed, format!("stored_lead_undecodable: {e}")).await,
    };
    // As of the lead's arrival: the destination it was accepted for, when the
    // delivery kept it; the site (hours, locale, its secrets) as it is now.
    let site = (round.site)(&lead.site);
    let found = site.as_deref().and_then(|s| {
        let current = || s.destinations.iter().find(|d| d.id == claimed.key.destination);
        let d = claimed.destination_config.as_ref().or_else(current)?;
        Some((s, d, destination::kind(&d.kind)?))
    });
    let Some((site, target, kind)) = found else {
        let reason = "destination_removed: the site or the destination is no longer configured";
        return settle(DeliveryState::Failed, reason.into()).await;
    };
    if claimed.destination_disabled {
        let reason = "destination_disabled: re-enable it, then replay";
        return settle(DeliveryState::Disabled, reason.into()).await;
    }
    let secret = |name: &str| (round.secret)(site, name);
    let delivery = Delivery {
        lead,
        site,
        destination: target,
        secret: &secret,
        now_secs: started / 1000,
    };
    let guarded = Guarded {
        transport,
        loopback: round.settings.loopback,
    };
    let (status, outcome) = run(kind, &delivery, claimed.last_outcome_unknown, &guarded).await;
    let finished = (round.now_ms)();
    let decision = decide(claimed.attempts_made + 1, &outcome, &round.settings.schedule);
    if decision.disable_destination {
        let reason = decision.reason.as_deref().unwrap_or("disabled by its answer");
        store
            .set_destination_enabled(&lead.site, &target.id, false, reason, finished)
            .await
            .map_err(|e| e.0)?;
    }
    let record = Attempt {
        n: claimed.attempts_made + 1,
        at_ms: started,
        duration_ms: finished - started,
        status,
        error: decision.reason.clone(),
        state: decision.state,
        next_attempt_at_ms: decision.retry_in_secs.map(|s| finished + s as i64 * 1000),
    };
    log(&format!(
        "lead {} → {} ({}): attempt {} {} (status {:?}{}){}",
        claimed.key.lead_id,
        claimed.key.destination,
        target.kind,
        record.n,
        record.state.as_str(),
        record.status,
        // Only the reason's code: the rest may quote the product's answer,
        // which may repeat the visitor's phone or email. The store keeps it all.
        record
            .error
            .as_deref()
            .map(|e| format!(", {}", e.split(':').next().unwrap_or(e)))
            .unwrap_or_default(),
        decision
            .retry_in_secs
            .map(|s| format!(", next in {s} s"))
            .unwrap_or_default()
    ));
    Ok(Some((claimed.key, record)))
}

/// Sends the lead, first asking the product whether it already has it when
/// the last attempt's outcome is unknown and the kind can be asked.
async fn run(
    kind: &dyn Kind,
    delivery: &Delivery<'_>,
    last_outcome_unknown: bool,
    transport: &impl Transport,
) -> (Option<u16>, Outcome) {
    if last_outcome_unknown {
        if let Some(Ok(lookup)) = kind.lookup(delivery) {
            match transport.send(lookup).await {
                Ok(reply) => match kind.found(&reply.answer()) {
                    Found::Yes => return (Some(reply.status), Outcome::Delivered),
                    Found::No => {}
                    Found::Unknown(reason) => return (Some(reply.status), retry(format!("lookup: {reason}"))),
                },
                Err(code) => return (None, retry(format!("lookup: {code}"))),
            }
        }
    }
    let request = match kind.request(delivery) {
        Ok(r) => r,
        Err(problem) => return (None, retry(problem.to_string())),
    };
    match transport.send(request).await {
        Ok(reply) => (Some(reply.status), kind.classify(&reply.answer())),
        Err(code) => (None, retry(code.into())),
    }
}

/// One send of a lead that is not stored (the console's test lead): the
/// request, the address guard and the reading of the answer of an attempt,
/// with nothing recorded.
pub async fn send_once(
    kind: &dyn Kind,
    delivery: &Delivery<'_>,
    loopback: reach::Loopback,
    transport: &impl Transport,
) -> (Option<u16>, Outcome) {
    run(kind, delivery, false, &Guarded { transport, loopback }).await
}

/// A transport that refuses, before anything leaves, any address a
/// destination may not call ([`reach`]): the settings were checked when
/// read, but an address is built from them and from secrets at send time.
struct Guarded<'a, T> {
    transport: &'a T,
    loopback: reach::Loopback,
}

impl<T: Transport> Transport for Guarded<'_, T> {
    async fn send(&self, request: Request) -> Result<Reply, &'static str> {
        reach::check_text(&request.url, self.loopback).map_err(reach::Refusal::code)?;
        self.transport.send(request).await
    }
}

fn retry(reason: String) -> Outcome {
    Outcome::Retry {
        after_secs: None,
        reason,
    }
}

/// The Worker's log (and nothing natively: tests read the store instead).
fn log(line: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_log!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    let _ = line;
}

#[cfg(test)]
mod tests;
