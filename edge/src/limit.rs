//! Rate limits on `POST /v1/leads`: the site's `[site.limits]` per client
//! address (before validation) and per phone number (after it), answered with
//! 429 and `Retry-After` before anything reaches D1.
//!
//! Two layers behind one small interface, [`Limiter`]: this isolate's own
//! counter ([`Isolate`], free: exact under `wrangler dev`, which runs one
//! isolate, and each production isolate's guard), then, for a client the
//! isolate let through, the Workers Rate Limiting binding `LEAD_LIMITER` when
//! it is bound ([`Binding`]: counted across a Cloudflare location's isolates,
//! at the limit wrangler.toml gives it). The rules themselves are
//! `lead::rate`'s.

use std::cell::RefCell;

use lead::rate::{self, Counter, Limits, Rule, Scope, Verdict};
use lead::site::Site;
use lead::wire::{FieldError, Lead};
use worker::{console_error, Env, Request, Response, Result};

use crate::answer;

/// The binding's name in wrangler.toml (`[[ratelimits]]`).
const BINDING: &str = "LEAD_LIMITER";
/// The binding says only yes or no; its windows are 10 or 60 s long, so 60 s is always enough to wait.
const BINDING_RETRY_AFTER_SECS: u32 = 60;
/// Keys one isolate remembers: ≈ 100 bytes each, so about a megabyte at most.
const ISOLATE_KEYS: usize = 10_000;

/// Counts one lead under a key and says whether it may come in.
pub trait Limiter {
    async fn hit(&self, key: &str, rule: Rule, now_ms: i64) -> Verdict;
}

/// This isolate's counter, kept for the isolate's life.
pub struct Isolate;

thread_local! {
    static COUNTER: RefCell<Counter> = RefCell::new(Counter::new(ISOLATE_KEYS));
}

impl Limiter for Isolate {
    async fn hit(&self, key: &str, rule: Rule, now_ms: i64) -> Verdict {
        COUNTER.with_borrow_mut(|counter| counter.hit(key, rule, now_ms))
    }
}

/// The Workers Rate Limiting binding. Its own limit applies (wrangler.toml),
/// not the site's: it is the ceiling over all isolates.
pub struct Binding(worker::RateLimiter);

impl Limiter for Binding {
    async fn hit(&self, key: &str, _rule: Rule, _now_ms: i64) -> Verdict {
        match self.0.limit(key.to_owned()).await {
            Ok(outcome) if !outcome.success => Verdict::Limited {
                retry_after_secs: BINDING_RETRY_AFTER_SECS,
            },
            Ok(_) => Verdict::Allowed,
            // A limiter that cannot answer must not cost a lead.
            Err(e) => {
                console_error!("rate limiter binding {BINDING}: {e}; the lead is let through");
                Verdict::Allowed
            }
        }
    }
}

/// Asks `first`, and `then` only about what `first` let through.
pub async fn decide(first: &impl Limiter, then: Option<&impl Limiter>, key: &str, rule: Rule, now_ms: i64) -> Verdict {
    match (first.hit(key, rule, now_ms).await, then) {
        (Verdict::Allowed, Some(then)) => then.hit(key, rule, now_ms).await,
        (verdict, _) => verdict,
    }
}

/// Before validation: the client's address (`CF-Connecting-IP`, which
/// Cloudflare sets and `wrangler dev` passes on when the client sends it).
/// `Some(429)` when the site has had enough from it.
pub async fn client(env: &Env, req: &Request, site: &Site) -> Result<Option<Response>> {
    let address = req.headers().get("cf-connecting-ip")?;
    let key = rate::key(Scope::Client, &site.id, &rate::client_key(address.as_deref()));
    let binding = env.rate_limiter(BINDING).ok().map(Binding);
    let rule = limits(site).rule(Scope::Client);
    refuse(
        decide(&Isolate, binding.as_ref(), &key, rule, crate::settings::now_ms()).await,
        Scope::Client,
    )
}

/// After validation: the lead's phone in E.164, when it has one; counted in
/// this isolate only (the number stays here).
pub async fn phone(site: &Site, lead: &Lead) -> Result<Option<Response>> {
    let Some(phone) = lead.contact.phone.as_deref() else {
        return Ok(None);
    };
    let key = rate::key(Scope::Phone, &site.id, phone);
    let rule = limits(site).rule(Scope::Phone);
    let none: Option<&Binding> = None;
    refuse(
        decide(&Isolate, none, &key, rule, crate::settings::now_ms()).await,
        Scope::Phone,
    )
}

/// The site's limits. The bench build (never deployed) posts hundreds of
/// leads a second from one address with one phone: it counts, but is never refused.
fn limits(site: &Site) -> Limits {
    if cfg!(feature = "bench-routes") {
        let open = Rule {
            leads: u32::MAX,
            seconds: 1,
        };
        return Limits {
            client: open,
            phone: open,
        };
    }
    site.limits
}

/// 429 in the one error shape, with `Retry-After` (readable across origins).
fn refuse(verdict: Verdict, scope: Scope) -> Result<Option<Response>> {
    let Verdict::Limited { retry_after_secs } = verdict else {
        return Ok(None);
    };
    let wait = format!("try again in {retry_after_secs} s");
    let mut response = match scope {
        Scope::Client => answer::error(
            429,
            "rate_limited",
            &format!("Too many leads from this address; {wait}."),
            vec![],
        )?,
        Scope::Phone => answer::field_error(
            429,
            "rate_limited",
            &format!("Too many leads for this phone number; {wait}."),
            FieldError::new(
                "contact.phone",
                "rate_limited",
                format!("This number was just sent; {wait}."),
            ),
        )?,
    };
    let headers = response.headers_mut();
    headers.set("retry-after", &retry_after_secs.to_string())?;
    headers.set("access-control-expose-headers", "retry-after")?;
    Ok(Some(response))
}

#[cfg(test)]
mod tests;
