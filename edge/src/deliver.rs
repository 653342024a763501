//! Forwarding a stored lead to each destination of its site, recording every attempt.

use std::pin::pin;
use std::time::Duration;

use futures_util::future::{select, Either};
use lead::delivery::{state_after, DeliveryState};
use lead::signing::WebhookSecret;
use lead::site::{Destination, Site};
use lead::wire::Lead;
use worker::{
    console_error, console_log, AbortController, Date, Delay, Env, Fetch, Headers, Method, Request, RequestInit,
    RequestRedirect,
};

use crate::destinations::{webhook, OutboundRequest, Target};
use crate::store::{Attempt, LeadStore};

/// Standard Webhooks asks receivers to answer within 15 to 30 s.
const TIMEOUT: Duration = Duration::from_secs(15);

pub async fn deliver_all(env: &Env, store: &impl LeadStore, site: &Site, lead: &Lead) {
    for destination in &site.destinations {
        let attempt = attempt(env, destination, lead).await;
        console_log!(
            "lead {} → {}: {} (status {:?}{})",
            lead.id,
            destination.id,
            attempt.state.as_str(),
            attempt.status,
            attempt.error.as_deref().map(|e| format!(", {e}")).unwrap_or_default()
        );
        if let Err(e) = store.record_attempt(&lead.id, &destination.id, &attempt).await {
            // The delivery row stays pending: a later sweep retries it.
            console_error!(
                "lead {} → {}: could not record the attempt: {}",
                lead.id,
                destination.id,
                e.0
            );
        }
    }
}

async fn attempt(env: &Env, destination: &Destination, lead: &Lead) -> Attempt {
    let now_ms = Date::now().as_millis() as i64;
    let failed = |error: String| Attempt {
        state: DeliveryState::Pending,
        status: None,
        error: Some(error),
        at_ms: now_ms,
    };
    let target = match resolve(env, destination) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let request = match webhook::request(lead, &destination.id, &target, now_ms / 1000) {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    match send(request).await {
        Ok(status) => Attempt {
            state: state_after(Some(status)),
            status: Some(status),
            error: (!(200..300).contains(&status)).then(|| format!("answered HTTP {status}")),
            at_ms: now_ms,
        },
        Err(e) => failed(e),
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

fn env_string(env: &Env, name: &str) -> Result<String, String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .map_err(|_| format!("the Worker secret {name} is not set"))
}

/// Sends one request; the status, or why none came back.
async fn send(out: OutboundRequest) -> Result<u16, String> {
    let headers = Headers::new();
    for (name, value) in &out.headers {
        headers.set(name, value).map_err(|e| e.to_string())?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(out.body.into()));
    let request = Request::new_with_init(&out.url, &init).map_err(|_| "the destination url is not valid".to_owned())?;
    let controller = AbortController::default();
    let fetch = Fetch::Request(request);
    let signal = controller.signal();
    let sending = pin!(fetch.send_with_signal(&signal));
    match select(sending, pin!(Delay::from(TIMEOUT))).await {
        Either::Left((Ok(response), _)) => Ok(response.status_code()),
        Either::Left((Err(e), _)) => Err(format!("no answer: {e}")),
        Either::Right(_) => {
            controller.abort();
            Err(format!("no answer within {} s", TIMEOUT.as_secs()))
        }
    }
}
