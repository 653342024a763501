//! Delivery: a lead's deliveries are attempted right after intake answers
//! (the lease taken when they were stored), and again from the queue and the
//! sweeper until each settles. D1 is the truth, the queue only a prompt: a
//! lost or undecodable message costs nothing, because the sweeper
//! re-enqueues what is due. What each product is sent and what its answer
//! means is `lead::destination`'s, natively tested; this file sends and records.

use std::collections::BTreeMap;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{join_all, select, Either};
use lead::delivery::{decide, parse_retry_after, DeliveryState};
use lead::destination::{self, Answer, Delivery, Found, Kind, Outcome, Request as Outbound};
use lead::site::Site;
use lead::wire::Lead;
use worker::{
    console_error, console_log, AbortController, Delay, Env, Fetch, Headers, MessageBatch, MessageBuilder, MessageExt,
    Method, Request, RequestInit, RequestRedirect,
};

use crate::settings::{now_ms, secret_or_var, Settings};
use crate::sites;
use crate::store::{Attempt, Claimed, DeliveryKey, LeadStore};

pub const QUEUE_BINDING: &str = "DELIVERIES";
/// Queues cap a message's delay; longer waits are left to the sweeper.
const MAX_QUEUE_DELAY_SECS: u64 = 12 * 3600;
/// Queues take at most 100 messages per batch send.
const SEND_BATCH: usize = 100;
/// Enough of a product's answer to read its error; the rest is not needed.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// Puts deliveries on the queue, `delay_secs` from now.
pub async fn enqueue(env: &Env, keys: &[DeliveryKey], delay_secs: u64) -> worker::Result<()> {
    let queue = env.queue(QUEUE_BINDING)?;
    let delay = delay_secs.min(MAX_QUEUE_DELAY_SECS) as u32;
    for chunk in keys.chunks(SEND_BATCH) {
        let messages: Vec<_> = chunk
            .iter()
            .map(|k| MessageBuilder::new(k.clone()).delay_seconds(delay).build())
            .collect();
        queue.send_batch(messages).await?;
    }
    Ok(())
}

/// The queue consumer: one claim for the whole batch, every attempt at once
/// (outbound calls wait on the network, not the CPU), one record.
pub async fn consume(batch: MessageBatch<DeliveryKey>, env: Env, store: &impl LeadStore) {
    let Ok(messages) = batch.messages() else {
        // Undecodable: nothing to lose, D1 still holds every pending delivery.
        console_error!("queue {}: a batch that does not decode; acknowledged", batch.queue());
        return batch.ack_all();
    };
    if batch.queue().ends_with("-dlq") {
        for m in &messages {
            console_error!(
                "dead letter: lead {} → {}; the sweeper retries it",
                m.body().lead_id,
                m.body().destination
            );
            m.ack();
        }
        return;
    }
    let settings = Settings::from_env(&env);
    let keys: Vec<DeliveryKey> = messages.iter().map(|m| m.body().clone()).collect();
    let claimed = match store.claim(&keys, now_ms(), settings.lease_ms()).await {
        Ok(claimed) => claimed,
        Err(e) => {
            console_error!("queue: claim failed ({}); messages retried", e.0);
            return batch.retry_all();
        }
    };
    // Keys not claimed are delivered, not yet due, or held by another
    // consumer: their messages are done either way.
    match attempt_all(&env, &settings, store, claimed).await {
        Ok(()) => batch.ack_all(),
        Err(e) => {
            console_error!("queue: attempts not recorded ({e}); messages retried");
            batch.retry_all();
        }
    }
}

/// Attempts deliveries the caller holds (just claimed, or leased at intake),
/// records every attempt in one write, and queues the retries.
pub async fn attempt_all(
    env: &Env,
    settings: &Settings,
    store: &impl LeadStore,
    claimed: Vec<Claimed>,
) -> Result<(), String> {
    let work = claimed.into_iter().map(|c| attempt_one(env, settings, store, c));
    let results = join_all(work).await;
    let mut records = Vec::new();
    for result in results {
        if let Some(record) = result? {
            records.push(record);
        }
    }
    store.record_attempts(&records).await.map_err(|e| e.0)?;
    let mut retries: BTreeMap<u64, Vec<DeliveryKey>> = BTreeMap::new();
    for (key, attempt) in &records {
        if let Some(at) = attempt.next_attempt_at_ms {
            let secs = ((at - now_ms()).max(0) / 1000) as u64;
            retries.entry(secs).or_default().push(key.clone());
        }
    }
    for (secs, keys) in retries {
        if let Err(e) = enqueue(env, &keys, secs).await {
            console_error!("{} retries not queued ({e}); the sweeper will", keys.len());
        }
    }
    Ok(())
}

/// One held delivery: settled without an attempt, or attempted and returned
/// for recording.
async fn attempt_one(
    env: &Env,
    settings: &Settings,
    store: &impl LeadStore,
    claimed: Claimed,
) -> Result<Option<(DeliveryKey, Attempt)>, String> {
    let key = claimed.key.clone();
    let started = now_ms();
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
    let site = sites::all().site(&lead.site);
    let found = site.and_then(|s| {
        let d = s.destinations.iter().find(|d| d.id == claimed.key.destination)?;
        Some((s, d, destination::kind(&d.kind)?))
    });
    let Some((site, target, kind)) = found else {
        let reason = "destination_removed: the destination is no longer in sites.toml";
        return settle(DeliveryState::Failed, reason.into()).await;
    };
    if claimed.destination_disabled {
        let reason = "destination_disabled: re-enable it, then replay";
        return settle(DeliveryState::Disabled, reason.into()).await;
    }
    let secret = |name: &str| secret_or_var(env, name);
    let delivery = Delivery {
        lead,
        site,
        destination: target,
        secret: &secret,
        now_secs: started / 1000,
    };
    let (status, outcome) = run(kind, &delivery, &claimed, settings.timeout).await;
    let finished = now_ms();
    let decision = decide(claimed.attempts_made + 1, &outcome, &settings.schedule);
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
    console_log!(
        "lead {} → {} ({}): attempt {} {} (status {:?}{}){}",
        claimed.key.lead_id,
        claimed.key.destination,
        target.kind,
        record.n,
        record.state.as_str(),
        record.status,
        record.error.as_deref().map(|e| format!(", {e}")).unwrap_or_default(),
        decision
            .retry_in_secs
            .map(|s| format!(", next in {s} s"))
            .unwrap_or_default()
    );
    Ok(Some((claimed.key, record)))
}

/// Sends the lead, first asking the product whether it already has it when
/// the last attempt's outcome is unknown and the kind can be asked.
async fn run(kind: &dyn Kind, delivery: &Delivery<'_>, claimed: &Claimed, timeout: Duration) -> (Option<u16>, Outcome) {
    if claimed.last_outcome_unknown {
        if let Some(Ok(lookup)) = kind.lookup(delivery) {
            match send(lookup, timeout).await {
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
    match send(request, timeout).await {
        Ok(reply) => (Some(reply.status), kind.classify(&reply.answer())),
        Err(code) => (None, retry(code.into())),
    }
}

fn retry(reason: String) -> Outcome {
    Outcome::Retry {
        after_secs: None,
        reason,
    }
}

/// What came back from one request.
struct Reply {
    status: u16,
    retry_after_secs: Option<u64>,
    body: String,
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

/// Sends one request, giving up after `timeout`. Failures are fixed codes:
/// the runtime's own words may quote the URL, and product URLs carry tokens.
async fn send(out: Outbound, timeout: Duration) -> Result<Reply, &'static str> {
    let headers = Headers::new();
    for (name, value) in &out.headers {
        headers.set(name, value).map_err(|_| "invalid_header")?;
    }
    let mut init = RequestInit::new();
    init.with_method(match out.method {
        destination::Method::Get => Method::Get,
        destination::Method::Post => Method::Post,
    })
    .with_headers(headers)
    .with_redirect(RequestRedirect::Manual);
    if let Some(body) = out.body {
        init.with_body(Some(body.into()));
    }
    let request = Request::new_with_init(&out.url, &init).map_err(|_| "invalid_url")?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sending = async move {
        let mut response = fetch.send_with_signal(&signal).await.map_err(|_| "connection_failed")?;
        let status = response.status_code();
        let retry_after = response.headers().get("retry-after").ok().flatten();
        let mut body = response.text().await.map_err(|_| "answer_unreadable")?;
        if body.len() > MAX_ANSWER_BYTES {
            let mut end = MAX_ANSWER_BYTES;
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body.truncate(end);
        }
        Ok(Reply {
            status,
            retry_after_secs: retry_after.and_then(|r| parse_retry_after(&r, now_ms())),
            body,
        })
    };
    match select(pin!(sending), pin!(Delay::from(timeout))).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => {
            controller.abort();
            Err("timeout")
        }
    }
}

/// The first attempt at a new lead's deliveries, right after intake's answer,
/// under the lease taken when they were stored.
pub async fn first_attempts(
    env: &Env,
    store: &impl LeadStore,
    lead: Lead,
    keys: Vec<DeliveryKey>,
    disabled: &[String],
) {
    let settings = Settings::from_env(env);
    let claimed = keys
        .into_iter()
        .map(|key| Claimed {
            destination_disabled: disabled.contains(&key.destination),
            key,
            lead: Ok(lead.clone()),
            attempts_made: 0,
            last_outcome_unknown: false,
        })
        .collect();
    if let Err(e) = attempt_all(env, &settings, store, claimed).await {
        console_error!(
            "lead {}: first attempts not recorded ({e}); the sweeper retries",
            lead.id
        );
    }
}

/// Which of the site's destinations take `lead` (their kinds and channels filters).
pub fn destinations_for<'a>(site: &'a Site, lead: &Lead) -> Vec<&'a str> {
    site.destinations
        .iter()
        .filter(|d| d.takes(lead))
        .map(|d| d.id.as_str())
        .collect()
}
