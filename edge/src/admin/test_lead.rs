//! `POST /v1/admin/sites/{site}/destinations/{id}/test`: the console's "send a
//! test lead" button. A sample lead (`lead::destination::sample`) goes once,
//! right now, to that destination the way an attempt goes
//! (`attempt::send_once`: the site's secrets, the address guard, the kind's
//! reading of the answer), even while the destination is disabled. Nothing is
//! stored and no delivery is made: the answer is the result, 200 even when the
//! destination refused.

use lead::destination::reach::Loopback;
use lead::destination::{self, sample, Delivery, Outcome, Request};
use lead::site::{Destination, Site};
use lead::wire::{FieldError, Lead};
use serde::Serialize;
use uuid::Uuid;
use worker::Env;

use super::{AdminError, Answer};
use crate::answer;
use crate::attempt::{self, Reply, Transport};
use crate::settings::{now_ms, Settings};

/// A product's words kept in the answer: enough to read its error.
const DETAIL_MAX: usize = 500;

/// What the test did.
#[derive(Debug, Serialize, PartialEq)]
pub struct TestResult {
    /// The destination took the lead.
    pub ok: bool,
    /// The product's HTTP status; `null` when nothing was answered (refused address, timeout, …).
    pub status: Option<u16>,
    /// Why not, as a code (`answered HTTP 500`, `timeout`, `secret_missing`, …); `null` when ok.
    pub reason: Option<String>,
    /// The whole reason, with the product's own words.
    pub detail: Option<String>,
    pub duration_ms: i64,
    /// The test lead's id, as the destination received it.
    pub lead_id: Uuid,
}

pub async fn handle(env: &Env, site_id: &str, destination_id: &str) -> Answer {
    let Some(site) = crate::sites::get(env, site_id).await? else {
        return not_found("site", "site_not_found", &format!("No site {site_id:?} is configured."));
    };
    let Some(target) = site.destinations.iter().find(|d| d.id == destination_id) else {
        return not_found(
            "destination",
            "destination_not_found",
            &format!("Site {site_id:?} has no destination {destination_id:?}."),
        );
    };
    let mut random = [0u8; 16];
    if getrandom::fill(&mut random).is_err() {
        return Ok(answer::error(
            503,
            "unavailable",
            "No random id could be made just now.",
            vec![],
        )?);
    }
    let id = uuid::Builder::from_random_bytes(random).into_uuid();
    let now = jiff::Timestamp::from_millisecond(now_ms()).unwrap_or_default();
    let mut lead = sample::test_lead(&site, target, id, now);
    // The promise on the clock intake keeps it with, so it is the one a real lead would get now.
    let hours_now = jiff::Timestamp::from_millisecond(crate::settings::hours_now_ms(env)).unwrap_or_default();
    lead.expected_response_by = lead::hours::expected_response_by(&lead, site.hours.as_ref(), hours_now);
    let settings = Settings::from_env(env);
    let secret = |name: &str| crate::secrets::resolve(env, &site, name);
    let transport = Fetcher {
        timeout: settings.timeout,
    };
    let result = send_test(&site, target, &lead, &secret, settings.loopback, &transport, &now_ms).await;
    Ok(answer::json(200, &result)?)
}

/// Sends the test `lead` once to `target` and reads the answer.
pub async fn send_test(
    site: &Site,
    target: &Destination,
    lead: &Lead,
    secret: &dyn Fn(&str) -> Option<String>,
    loopback: Loopback,
    transport: &impl Transport,
    now_ms: &dyn Fn() -> i64,
) -> TestResult {
    let started = now_ms();
    let (status, outcome) = match destination::kind(&target.kind) {
        Some(kind) => {
            let delivery = Delivery {
                lead,
                site,
                destination: target,
                secret,
                now_secs: started / 1000,
            };
            attempt::send_once(kind, &delivery, loopback, transport).await
        }
        // Sites are checked when written; this is a site older than its kind.
        None => (
            None,
            Outcome::Failed {
                reason: format!("unknown_kind: {:?} is not a destination kind", target.kind),
            },
        ),
    };
    let reason = match outcome {
        Outcome::Delivered => None,
        Outcome::Retry { reason, .. } | Outcome::Failed { reason } | Outcome::Disable { reason } => Some(reason),
    };
    TestResult {
        ok: reason.is_none(),
        status,
        // The code before the details, as the attempt log writes it.
        reason: reason.as_deref().map(|r| r.split(':').next().unwrap_or(r).to_owned()),
        detail: reason.map(|r| destination::cut(&r, DETAIL_MAX)),
        duration_ms: now_ms() - started,
        lead_id: lead.id,
    }
}

fn not_found(field: &str, code: &str, message: &str) -> Answer {
    let refusal = answer::field_error(404, code, message, FieldError::new(field, "not_found", message));
    refusal.map_err(AdminError::Worker)
}

/// The Worker's `fetch`, with the delivery timeout.
struct Fetcher {
    timeout: std::time::Duration,
}

impl Transport for Fetcher {
    async fn send(&self, request: Request) -> Result<Reply, &'static str> {
        crate::deliver::send(request, self.timeout).await
    }
}

#[cfg(test)]
mod tests;
