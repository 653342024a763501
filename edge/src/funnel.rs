//! Funnel counts (`lead::funnel`): the widget's beacons at
//! `POST /v1/sites/{site}/events`, and the collector's own events (a lead
//! accepted, a delivery settled), added up in this isolate and written to D1
//! as one batch at most every `FUNNEL_FLUSH_SECONDS` (default 10), after the
//! answer, so no request waits on D1 per event.
//!
//! What this costs: an isolate that dies between a count and its write
//! (evicted, crashed, redeployed) loses those seconds of anonymous counts.
//! Never a lead: leads are stored before they are answered, counts are not.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use lead::delivery::DeliveryState;
use lead::funnel::{day, site_zone, Beacon, Event, Key, Tally, BEACON_BYTES};
use lead::site::{Destination, Site};
use lead::wire::{FieldError, Lead};
use uuid::Uuid;
use worker::{console_error, Context, Env, Request, Response, Result};

use crate::store::funnel::FunnelStore;
use crate::store::{Attempt, Claimed, DeliveryKey, LeadStore, StoreError, Stored};
use crate::{answer, sites};

/// Seconds between two writes unless `FUNNEL_FLUSH_SECONDS` says otherwise.
const DEFAULT_FLUSH_SECONDS: i64 = 10;
/// A delayed write runs in `wait_until`, which lasts 30 s past the answer.
const MAX_FLUSH_SECONDS: i64 = 25;

thread_local! {
    /// This isolate's counts since its last write.
    static TALLY: RefCell<Tally> = RefCell::new(Tally::default());
    /// When this isolate last wrote, and when a waiting write started waiting (0: none).
    static FLUSH: Cell<(i64, i64)> = const { Cell::new((0, 0)) };
}

/// `POST /v1/sites/{site}/events`: a beacon of the widget's counts → 204.
pub async fn post_events(mut req: Request, env: Env, ctx: Context, site_id: &str) -> Result<Response> {
    let origin = req.headers().get("origin")?;
    let response = accept(&mut req, &env, &ctx, site_id, origin.as_deref()).await?;
    // As for leads: error answers carry nothing private, so any page may read why.
    answer::allow_origin(response, origin.as_deref())
}

async fn accept(req: &mut Request, env: &Env, ctx: &Context, site_id: &str, origin: Option<&str>) -> Result<Response> {
    let site = match sites::get(env, site_id).await {
        Ok(site) => site,
        Err(e) => {
            console_error!("site {site_id:?} not read: {}", e.0);
            let message = "The site's settings could not be read just now; try again shortly.";
            return answer::error(503, "unavailable", message, vec![]);
        }
    };
    let Some(site) = site else {
        let field = FieldError::new("site", "not_found", format!("No site {site_id:?} is configured."));
        return answer::field_error(404, "site_not_found", "Unknown site.", field);
    };
    if let Some(o) = origin.filter(|o| !site.allows_origin(o)) {
        let field = FieldError::new(
            "origin",
            "not_allowed",
            format!("{o} is not among the origins of site {site_id:?}."),
        );
        return answer::field_error(
            403,
            "origin_not_allowed",
            "This page may not count for this site.",
            field,
        );
    }
    let too_large = || {
        let field = FieldError::new("body", "too_large", format!("At most {} KB.", BEACON_BYTES / 1024));
        answer::field_error(413, "payload_too_large", "The beacon is too large.", field)
    };
    let declared = req
        .headers()
        .get("content-length")?
        .and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|l| l > BEACON_BYTES) {
        return too_large();
    }
    let content_type = req.headers().get("content-type")?.unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !["text/plain", "application/json"].contains(&media_type.as_str()) {
        let message = "Send the beacon as JSON, with Content-Type text/plain (what sendBeacon sends a string as).";
        return answer::error(415, "unsupported_media_type", message, vec![]);
    }
    let Ok(body) = req.bytes().await else {
        return answer::error(400, "unreadable_body", "The request body could not be read.", vec![]);
    };
    if body.len() > BEACON_BYTES {
        return too_large();
    }
    let beacon = match Beacon::parse(&body) {
        Ok(beacon) => beacon,
        Err(fields) => return answer::error(400, "invalid_beacon", "Some counts need another look.", fields),
    };
    let today = day(crate::settings::now_ms(), site_zone(&site));
    add(beacon.keys(&site.id, &today));
    flush_later(env, ctx);
    Ok(Response::empty()?.with_status(204))
}

fn add(counts: Vec<(Key, u64)>) {
    TALLY.with(|t| {
        let mut tally = t.borrow_mut();
        for (key, n) in counts {
            tally.add(key, n);
        }
    });
}

/// Counts one of the collector's events about `lead` of `site`, on the site's day of `at_ms`.
pub fn count_lead(site: &Site, lead: &Lead, event: Event, at_ms: i64) {
    let day = day(at_ms, site_zone(site));
    add(vec![(Key::of_lead(lead, &day, event), 1)]);
}

/// After the answer (`ctx.wait_until`): writes what this isolate has counted,
/// unless a write is already waiting to.
pub fn flush_later(env: &Env, ctx: &Context) {
    if !TALLY.with(|t| t.borrow().is_empty()) && !waiting(crate::settings::now_ms()) {
        ctx.wait_until(flush(env.clone()));
    }
}

/// Writes what this isolate has counted, once `FUNNEL_FLUSH_SECONDS` have
/// passed since its last write (waiting until then); counts made meanwhile
/// join this write. Does nothing when a write is already waiting.
pub async fn flush(env: Env) {
    let now = crate::settings::now_ms();
    if waiting(now) || TALLY.with(|t| t.borrow().is_empty()) {
        return;
    }
    let last = FLUSH.get().0;
    FLUSH.set((last, now));
    let wait = wait_ms(last, now, flush_seconds(&env));
    if wait > 0 {
        worker::Delay::from(std::time::Duration::from_millis(wait as u64)).await;
    }
    flush_now(&env).await;
}

/// Writes what this isolate has counted, now: at the end of a queue batch,
/// which is no visitor's request.
pub async fn flush_now(env: &Env) {
    FLUSH.set((crate::settings::now_ms(), 0));
    match crate::store::open(env) {
        Ok(store) => write(&store).await,
        Err(e) => console_error!("funnel: no database ({}); counts kept for the next write", e.0),
    }
}

/// One batch of the tally to `store`; on failure the counts go back for the next write.
async fn write(store: &impl FunnelStore) {
    let (counts, dropped) = TALLY.with(|t| t.borrow_mut().take());
    if dropped > 0 {
        log_error(&format!(
            "funnel: {dropped} counts dropped (over {} keys between writes)",
            lead::funnel::MAX_KEYS
        ));
    }
    if counts.is_empty() {
        return;
    }
    if let Err(e) = store.add_counts(&counts).await {
        log_error(&format!(
            "funnel: {} counters not written ({}); kept for the next write",
            counts.len(),
            e.0
        ));
        add(counts);
    }
}

/// The Worker's error log (and nothing natively: tests read the tally instead).
fn log_error(line: &str) {
    #[cfg(target_arch = "wasm32")]
    console_error!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    let _ = line;
}

/// Whether a write is waiting. One whose `wait_until` the runtime cut off
/// (30 s past its answer) never clears its mark: after that it no longer counts.
fn waiting(now_ms: i64) -> bool {
    let since = FLUSH.get().1;
    since != 0 && now_ms - since < (MAX_FLUSH_SECONDS + 5) * 1000
}

/// How long to wait before writing: until `period_s` after the last write.
fn wait_ms(last_ms: i64, now_ms: i64, period_s: i64) -> i64 {
    (last_ms + period_s * 1000 - now_ms).clamp(0, period_s * 1000)
}

fn flush_seconds(env: &Env) -> i64 {
    env.var("FUNNEL_FLUSH_SECONDS")
        .ok()
        .and_then(|v| v.to_string().parse::<i64>().ok())
        .unwrap_or(DEFAULT_FLUSH_SECONDS)
        .clamp(0, MAX_FLUSH_SECONDS)
}

/// The store a round of attempts records through, counting each delivery
/// that settles `delivered` or `failed` under its lead's kind and attribution.
pub struct Settling<'a, S> {
    inner: &'a S,
    /// Each attempted lead's key (its day and event filled in when it settles) and its site's zone.
    leads: BTreeMap<Uuid, (Key, Option<String>)>,
}

impl<'a, S: LeadStore> Settling<'a, S> {
    pub fn new(inner: &'a S, claimed: &[Claimed], site: &dyn Fn(&str) -> Option<Rc<Site>>) -> Self {
        let leads = claimed
            .iter()
            .filter_map(|c| c.lead.as_ref().ok())
            .map(|lead| {
                let zone = site(&lead.site).and_then(|s| site_zone(&s).map(str::to_owned));
                (lead.id, (Key::of_lead(lead, "", Event::Delivered), zone))
            })
            .collect();
        Settling { inner, leads }
    }

    fn count(&self, key: &DeliveryKey, state: DeliveryState, at_ms: i64) {
        let event = match state {
            DeliveryState::Delivered => Event::Delivered,
            DeliveryState::Failed => Event::Failed,
            DeliveryState::Pending | DeliveryState::Disabled => return,
        };
        if let Some((template, zone)) = self.leads.get(&key.lead_id) {
            let key = Key {
                day: day(at_ms, zone.as_deref()),
                event,
                ..template.clone()
            };
            add(vec![(key, 1)]);
        }
    }
}

impl<S: LeadStore> LeadStore for Settling<'_, S> {
    async fn insert_lead(
        &self,
        lead: &Lead,
        destinations: &[&Destination],
        received_at_ms: i64,
        spam: Option<&str>,
        lease_until_ms: i64,
    ) -> std::result::Result<Stored, StoreError> {
        (self.inner)
            .insert_lead(lead, destinations, received_at_ms, spam, lease_until_ms)
            .await
    }

    async fn claim(
        &self,
        keys: &[DeliveryKey],
        now_ms: i64,
        lease_ms: i64,
    ) -> std::result::Result<Vec<Claimed>, StoreError> {
        self.inner.claim(keys, now_ms, lease_ms).await
    }

    async fn record_attempts(&self, attempts: &[(DeliveryKey, Attempt)]) -> std::result::Result<(), StoreError> {
        self.inner.record_attempts(attempts).await?;
        for (key, attempt) in attempts {
            self.count(key, attempt.state, attempt.at_ms);
        }
        Ok(())
    }

    async fn settle_without_attempt(
        &self,
        key: &DeliveryKey,
        state: DeliveryState,
        reason: &str,
        now_ms: i64,
    ) -> std::result::Result<(), StoreError> {
        self.inner.settle_without_attempt(key, state, reason, now_ms).await?;
        self.count(key, state, now_ms);
        Ok(())
    }

    async fn due(&self, now_ms: i64, limit: u32) -> std::result::Result<Vec<DeliveryKey>, StoreError> {
        self.inner.due(now_ms, limit).await
    }

    async fn set_destination_enabled(
        &self,
        site: &str,
        destination: &str,
        enabled: bool,
        reason: &str,
        now_ms: i64,
    ) -> std::result::Result<(), StoreError> {
        (self.inner)
            .set_destination_enabled(site, destination, enabled, reason, now_ms)
            .await
    }
}

#[cfg(test)]
mod tests;
