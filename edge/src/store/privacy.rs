//! What retention and erasure need from storage: which leads to remove, and
//! removing each with everything stored about it (its deliveries, whose
//! payload is the lead itself, and its attempts).

use uuid::Uuid;

use super::StoreError;

/// A contact an erasure request names, in the form leads store it
/// (`lead::privacy::phone_key`, `lead::privacy::email_key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactKey {
    Phone(String),
    Email(String),
}

#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait PrivacyStore {
    /// Up to `limit` leads received before their site's cutoff (`cutoffs`:
    /// site id → the first `received_at` it keeps) none of whose deliveries is
    /// still pending. Leads of a site not in `cutoffs` are not looked at.
    async fn expired(&self, cutoffs: &[(String, i64)], limit: u32) -> Result<Vec<Uuid>, StoreError>;

    /// Up to `limit` leads with this contact, of `site` only when given.
    async fn leads_with(&self, contact: &ContactKey, site: Option<&str>, limit: u32) -> Result<Vec<Uuid>, StoreError>;

    /// Deletes these leads, their deliveries and their attempts, at once;
    /// answers how many of them were stored.
    async fn erase(&self, ids: &[Uuid]) -> Result<u32, StoreError>;
}
