//! Delivery: a lead's deliveries are attempted right after intake answers
//! (the lease taken when they were stored), and again from the queue and the
//! sweeper until each settles. D1 is the truth, the queue only a prompt: a
//! lost or undecodable message costs nothing, because the sweeper
//! re-enqueues what is due. What each product is sent and what its answer
//! means is `lead::destination`'s; a round of attempts is `attempt`'s (both
//! natively tested); this file is the Worker's side: fetch and the queue.

use std::collections::BTreeMap;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use futures_util::future::{select, Either};
use lead::delivery::parse_retry_after;
use lead::destination::{self, Request as Outbound};
use lead::site::Site;
use worker::{
    console_error, AbortController, Delay, Env, Fetch, Headers, MessageBatch, MessageBuilder, MessageExt, Method,
    Request, RequestInit, RequestRedirect,
};

use crate::attempt::{self, Reply, Round, Transport};
use crate::secrets;
use crate::settings::{now_ms, Settings};
use crate::sites;
use crate::store::{Claimed, DeliveryKey, LeadStore};

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

/// Attempts held deliveries with `fetch`, records them, and queues the retries.
pub async fn attempt_all(
    env: &Env,
    settings: &Settings,
    store: &impl LeadStore,
    claimed: Vec<Claimed>,
) -> Result<(), String> {
    // Each site once, before the round: the attempts themselves do no I/O but sending.
    let mut served: BTreeMap<String, Option<Rc<Site>>> = BTreeMap::new();
    for held in &claimed {
        let Ok(lead) = &held.lead else { continue };
        if !served.contains_key(&lead.site) {
            let site = sites::get(env, &lead.site)
                .await
                .map_err(|e| format!("site {} not read: {}", lead.site, e.0))?;
            served.insert(lead.site.clone(), site);
        }
    }
    let site = |id: &str| served.get(id).cloned().flatten();
    let secret = |site: &Site, name: &str| secrets::resolve(env, site, name);
    let round = Round {
        settings,
        site: &site,
        secret: &secret,
        now_ms: &now_ms,
    };
    let transport = Fetcher {
        timeout: settings.timeout,
    };
    let store = &crate::funnel::Settling::new(store, &claimed, &site); // counts deliveries as they settle
    let retries = attempt::attempt_all(&round, store, &transport, claimed).await?;
    let mut by_wait: BTreeMap<u64, Vec<DeliveryKey>> = BTreeMap::new();
    for (key, secs) in retries {
        by_wait.entry(secs).or_default().push(key);
    }
    for (secs, keys) in by_wait {
        if let Err(e) = enqueue(env, &keys, secs).await {
            console_error!("{} retries not queued ({e}); the sweeper will", keys.len());
        }
    }
    Ok(())
}

/// Requests through the Worker's `fetch`, each given up after `timeout`.
struct Fetcher {
    timeout: Duration,
}

impl Transport for Fetcher {
    async fn send(&self, request: Outbound) -> Result<Reply, &'static str> {
        send(request, self.timeout).await
    }
}

/// Sends one request, giving up after `timeout`. Failures are fixed codes:
/// the runtime's own words may quote the URL, and product URLs carry tokens.
pub(crate) async fn send(out: Outbound, timeout: Duration) -> Result<Reply, &'static str> {
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
pub async fn first_attempts(env: &Env, settings: &Settings, store: &impl LeadStore, held: Vec<Claimed>) {
    if let Err(e) = attempt_all(env, settings, store, held).await {
        console_error!("first attempts not recorded ({e}); the sweeper retries them");
    }
    crate::funnel::flush(env.clone()).await;
}
