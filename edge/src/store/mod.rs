//! Durable storage of leads and their deliveries, behind a small interface so
//! that a self-hosted collector can bring its own database.

mod d1;

pub use d1::D1Store;

use lead::delivery::DeliveryState;
use lead::wire::Lead;
use uuid::Uuid;

/// Whether an insert found the lead already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    New,
    Duplicate,
}

/// One try at one destination, as recorded.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub state: DeliveryState,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub at_ms: i64,
}

/// The storage error, with the backend's words for the log.
#[derive(Debug, Clone)]
pub struct StoreError(pub String);

impl From<worker::Error> for StoreError {
    fn from(e: worker::Error) -> Self {
        StoreError(e.to_string())
    }
}

#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait LeadStore {
    /// Stores the lead and one pending delivery per destination, atomically,
    /// unless a lead with its id is already stored.
    async fn insert_lead(&self, lead: &Lead, destinations: &[&str], received_at_ms: i64) -> Result<Insert, StoreError>;

    /// Records the outcome of one attempt at one destination.
    async fn record_attempt(&self, lead_id: &Uuid, destination: &str, attempt: &Attempt) -> Result<(), StoreError>;
}
