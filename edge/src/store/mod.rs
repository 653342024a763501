//! Durable storage of leads and their deliveries, behind small interfaces so
//! that a self-hosted collector can bring its own database.

pub mod admin;
mod d1;
mod d1_sites;
pub mod funnel;
#[cfg(test)]
pub mod memory;
pub mod privacy;
pub mod sites;
pub mod stats;

pub use d1::D1Store;

/// The store this Worker uses: D1, bound as `DB`. The one place that names
/// the backend; everything else is written against [`LeadStore`],
/// [`admin::AdminStore`], [`privacy::PrivacyStore`] and [`sites::SiteStore`].
pub fn open(env: &worker::Env) -> Result<D1Store, StoreError> {
    Ok(D1Store::new(env.d1("DB")?))
}

use lead::delivery::DeliveryState;
use lead::site::Destination;
use lead::wire::Lead;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether an insert found the lead already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    New,
    Duplicate,
}

/// One lead at one destination: what a queue message names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryKey {
    pub lead_id: Uuid,
    pub destination: String,
}

/// A delivery this consumer may now attempt, alone until its lease ends.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub key: DeliveryKey,
    /// The stored lead, or why it no longer decodes.
    pub lead: Result<Lead, String>,
    pub attempts_made: u32,
    /// The last attempt got no answer (timeout, reset): it may have arrived.
    pub last_outcome_unknown: bool,
    pub destination_disabled: bool,
    /// The destination as it was when the lead arrived; `None` for deliveries
    /// stored before snapshots (the site's current one is used).
    pub destination_config: Option<Destination>,
}

/// What storing a lead found.
#[derive(Debug, Clone)]
pub struct Stored {
    pub insert: Insert,
    /// The site's destinations that are switched off (410, revoked token, by hand).
    pub disabled: Vec<String>,
    /// For a duplicate: the stored lead's fingerprint (`None` if it was stored
    /// before fingerprints), which says whether the post is the same lead.
    pub earlier_fingerprint: Option<String>,
}

/// One try at one destination, as recorded.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub n: u32,
    pub at_ms: i64,
    pub duration_ms: i64,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The delivery's state after it, and when to try next (for `Pending`).
    pub state: DeliveryState,
    pub next_attempt_at_ms: Option<i64>,
}

/// The storage error, with the backend's words for the log.
#[derive(Debug, Clone)]
pub struct StoreError(pub String);

impl From<worker::Error> for StoreError {
    fn from(e: worker::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// What intake and delivery need.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait LeadStore {
    /// Stores the lead and one pending delivery per destination, atomically,
    /// unless a lead with its id is already stored. The new deliveries are
    /// leased until `lease_until_ms` to the caller, who attempts them at once;
    /// should it not, the sweeper takes them once the lease ends. A lead judged
    /// spam is stored flagged with `spam` (the reason) and gets no deliveries.
    /// Beside the lead go its `lead::privacy::fingerprint` and its contact as
    /// [`privacy::PrivacyStore::leads_with`] finds it. Each delivery keeps its
    /// destination as of now (its JSON, secrets by name only). A duplicate
    /// changes nothing and gets no new deliveries.
    async fn insert_lead(
        &self,
        lead: &Lead,
        destinations: &[&Destination],
        received_at_ms: i64,
        spam: Option<&str>,
        lease_until_ms: i64,
    ) -> Result<Stored, StoreError>;

    /// Takes, for `lease_ms`, each of `keys` that is pending, due and not held
    /// by another consumer; the others (delivered, not due, taken) are left out.
    async fn claim(&self, keys: &[DeliveryKey], now_ms: i64, lease_ms: i64) -> Result<Vec<Claimed>, StoreError>;

    /// Records attempts and their deliveries' new states, releasing the leases.
    async fn record_attempts(&self, attempts: &[(DeliveryKey, Attempt)]) -> Result<(), StoreError>;

    /// Marks a claimed delivery `state` without an attempt (destination gone or disabled).
    async fn settle_without_attempt(
        &self,
        key: &DeliveryKey,
        state: DeliveryState,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Pending deliveries whose time has come and that nobody holds.
    async fn due(&self, now_ms: i64, limit: u32) -> Result<Vec<DeliveryKey>, StoreError>;

    /// Switches a destination off (410 Gone, revoked token, by hand) or back on.
    async fn set_destination_enabled(
        &self,
        site: &str,
        destination: &str,
        enabled: bool,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), StoreError>;
}
