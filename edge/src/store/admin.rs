//! What the admin API reads and changes: leads, their deliveries and attempts.

use lead::attribution::Channel;
use lead::delivery::DeliveryState;
use lead::wire::{Lead, LeadKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{DeliveryKey, StoreError};

/// Where a page of leads continues: after this lead, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: i64,
    pub id: String,
}

impl Cursor {
    /// `"<received_at>_<id>"`: opaque to clients, readable in logs.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.received_at, self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (at, id) = text.split_once('_')?;
        Some(Cursor {
            received_at: at.parse().ok()?,
            id: id.parse::<Uuid>().ok()?.to_string(),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub site: Option<String>,
    /// Leads with at least one delivery in this state.
    pub state: Option<DeliveryState>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub cursor: Option<Cursor>,
    pub limit: u32,
    /// Spam only (`true`) or, by default, no spam.
    pub spam: bool,
    pub kind: Option<LeadKind>,
    /// The deciding touch's channel (the `leads.channel` column).
    pub channel: Option<Channel>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryView {
    pub destination: String,
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttemptView {
    pub destination: String,
    pub n: u32,
    pub at: i64,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DestinationView {
    pub site: String,
    pub id: String,
    pub state: String,
    pub reason: Option<String>,
    pub changed_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadSummary {
    pub id: String,
    pub site: String,
    pub kind: String,
    pub received_at: i64,
    pub spam: bool,
    pub spam_reason: Option<String>,
    pub deliveries: Vec<DeliveryView>,
    /// From the stored lead, so the inbox shows them without a request per lead.
    pub channel: Option<String>,
    pub source: Option<String>,
    pub campaign: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One lead with everything known about it.
#[derive(Debug, Clone, Serialize)]
pub struct LeadDetail {
    pub lead: Lead,
    /// Judged spam at intake (so never delivered), and why.
    pub spam: bool,
    pub spam_reason: Option<String>,
    pub deliveries: Vec<DeliveryView>,
    pub attempts: Vec<AttemptView>,
}

pub struct LeadPage {
    pub leads: Vec<LeadSummary>,
    pub next: Option<Cursor>,
}

#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait AdminStore {
    async fn list_leads(&self, filter: &LeadFilter) -> Result<LeadPage, StoreError>;

    async fn lead_detail(&self, id: &Uuid) -> Result<Option<LeadDetail>, StoreError>;

    /// Makes the lead's deliveries (or one of them) pending again, due now.
    async fn replay_lead(
        &self,
        id: &Uuid,
        destination: Option<&str>,
        now_ms: i64,
    ) -> Result<Vec<DeliveryKey>, StoreError>;

    /// Makes failed and disabled deliveries of leads received since `since_ms` pending again.
    async fn replay_failed_since(
        &self,
        since_ms: i64,
        site: Option<&str>,
        destination: Option<&str>,
        now_ms: i64,
    ) -> Result<Vec<DeliveryKey>, StoreError>;

    /// Destinations whose state was ever changed (the rest are enabled).
    async fn destinations(&self) -> Result<Vec<DestinationView>, StoreError>;

    /// Takes a lead held as spam (or while Turnstile could not answer) off
    /// hold: one pending delivery, due now, per destination in `destinations`;
    /// `spam_reason` stays as the record of why it was held. `None` when no
    /// held lead has this id.
    async fn release_lead(
        &self,
        id: &Uuid,
        destinations: &[&str],
        now_ms: i64,
    ) -> Result<Option<Vec<DeliveryKey>>, StoreError>;
}
