//! Delivery: queue messages name a lead and a destination; the consumer
//! claims the delivery in D1, sends, records the attempt and schedules the
//! next. D1 is the truth, the queue only a prompt: a lost or undecodable
//! message costs nothing, because the sweeper re-enqueues what is due.

use std::pin::pin;
use std::time::Duration;

use futures_util::future::{join_all, select, Either};
use lead::delivery::{decide, parse_retry_after, DeliveryState};
use lead::signing::WebhookSecret;
use lead::site::Destination;
use lead::wire::Lead;
use worker::{
    console_error, console_log, AbortController, Delay, Env, Fetch, Headers, MessageBatch, MessageBuilder, MessageExt,
    Method, Request, RequestInit, RequestRedirect,
};

use crate::destinations::{webhook, OutboundRequest, Target};
use crate::settings::{env_string, now_ms, Settings};
use crate::sites;
use crate::store::{Attempt, DeliveryKey, LeadStore};

pub const QUEUE_BINDING: &str = "DELIVERIES";
/// Queues cap a message's delay; longer waits are left to the sweeper.
const MAX_QUEUE_DELAY_SECS: u64 = 12 * 3600;
/// Queues take at most 100 messages per batch send.
const SEND_BATCH: usize = 100;

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

/// The queue consumer: every message of the batch at once (outbound calls
/// wait on the network, not the CPU).
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
    let work = messages.iter().map(|m| process(&env, &settings, store, m.body()));
    for (message, result) in messages.iter().zip(join_all(work).await) {
        match result {
            Ok(()) => message.ack(),
            Err(e) => {
                console_error!("lead {} → {}: {e}", message.body().lead_id, message.body().destination);
                message.retry();
            }
        }
    }
}

/// One delivery attempt, if the delivery is still due and nobody else holds it.
pub async fn process(env: &Env, settings: &Settings, store: &impl LeadStore, key: &DeliveryKey) -> Result<(), String> {
    let store_error = |e: crate::store::StoreError| e.0;
    let started = now_ms();
    let Some(claimed) = store
        .claim(key, started, settings.lease_ms())
        .await
        .map_err(store_error)?
    else {
        return Ok(()); // delivered, not yet due, or being sent by another consumer
    };
    let site = sites::all().site(&claimed.lead.site);
    let Some(destination) = site.and_then(|s| s.destinations.iter().find(|d| d.id == key.destination)) else {
        let reason = "the destination is no longer in sites.toml";
        return store
            .settle_without_attempt(key, DeliveryState::Failed, reason, started)
            .await
            .map_err(store_error);
    };
    if claimed.destination_disabled {
        let reason = "the destination is disabled; re-enable it, then replay";
        return store
            .settle_without_attempt(key, DeliveryState::Disabled, reason, started)
            .await
            .map_err(store_error);
    }
    let answer = attempt(env, destination, &claimed.lead, settings.timeout).await;
    let finished = now_ms();
    let decision = decide(
        claimed.attempts_made + 1,
        answer.status,
        answer.retry_after_secs,
        &settings.schedule,
    );
    if decision.disable_destination {
        store
            .set_destination_enabled(
                &claimed.lead.site,
                &key.destination,
                false,
                "answered 410 Gone",
                finished,
            )
            .await
            .map_err(store_error)?;
    }
    let record = Attempt {
        n: claimed.attempts_made + 1,
        at_ms: started,
        duration_ms: finished - started,
        status: answer.status,
        error: answer.error,
        state: decision.state,
        next_attempt_at_ms: decision.retry_in_secs.map(|s| finished + s as i64 * 1000),
    };
    console_log!(
        "lead {} → {}: attempt {} {} (status {:?}{}){}",
        key.lead_id,
        key.destination,
        record.n,
        record.state.as_str(),
        record.status,
        record.error.as_deref().map(|e| format!(", {e}")).unwrap_or_default(),
        decision
            .retry_in_secs
            .map(|s| format!(", next in {s} s"))
            .unwrap_or_default()
    );
    store.record_attempt(key, &record).await.map_err(store_error)?;
    if let Some(secs) = decision.retry_in_secs {
        if let Err(e) = enqueue(env, std::slice::from_ref(key), secs).await {
            console_error!(
                "lead {} → {}: retry not queued ({e}); the sweeper will",
                key.lead_id,
                key.destination
            );
        }
    }
    Ok(())
}

/// What came back from one send.
struct Answer {
    status: Option<u16>,
    retry_after_secs: Option<u64>,
    error: Option<String>,
}

impl Answer {
    fn failed(error: String) -> Self {
        Answer {
            status: None,
            retry_after_secs: None,
            error: Some(error),
        }
    }
}

async fn attempt(env: &Env, destination: &Destination, lead: &Lead, timeout: Duration) -> Answer {
    let now = now_ms();
    let target = match resolve(env, destination) {
        Ok(t) => t,
        Err(e) => return Answer::failed(e),
    };
    match webhook::request(lead, &destination.id, &target, now / 1000) {
        Ok(request) => send(request, timeout).await,
        Err(e) => Answer::failed(e),
    }
}

/// Reads the destination's endpoint and key from Worker secrets (or vars).
fn resolve(env: &Env, destination: &Destination) -> Result<Target, String> {
    let url = match (&destination.url, &destination.url_secret) {
        (Some(url), _) => url.clone(),
        (None, Some(name)) => env_string(env, name)?,
        (None, None) => return Err("the destination has no url".into()),
    };
    let secret = WebhookSecret::parse(&env_string(env, &destination.secret)?)
        .map_err(|e| format!("secret {}: {e}", destination.secret))?;
    Ok(Target { url, secret })
}

/// Sends one request, giving up after `timeout`.
async fn send(out: OutboundRequest, timeout: Duration) -> Answer {
    let headers = Headers::new();
    for (name, value) in &out.headers {
        if let Err(e) = headers.set(name, value) {
            return Answer::failed(e.to_string());
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(out.body.into()));
    let Ok(request) = Request::new_with_init(&out.url, &init) else {
        return Answer::failed("the destination url is not valid".into());
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sending = pin!(fetch.send_with_signal(&signal));
    match select(sending, pin!(Delay::from(timeout))).await {
        Either::Left((Ok(response), _)) => {
            let status = response.status_code();
            let retry_after = response.headers().get("retry-after").ok().flatten();
            Answer {
                status: Some(status),
                retry_after_secs: retry_after.and_then(|r| parse_retry_after(&r, now_ms())),
                error: (!(200..300).contains(&status)).then(|| format!("answered HTTP {status}")),
            }
        }
        Either::Left((Err(e), _)) => Answer::failed(format!("no answer: {e}")),
        Either::Right(_) => {
            controller.abort();
            Answer::failed(format!("no answer within {} ms", timeout.as_millis()))
        }
    }
}
