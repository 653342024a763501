//! [`LeadStore`] and [`PrivacyStore`] in memory, for native tests of intake,
//! delivery, retention and erasure: the same rules as the D1 queries (claim
//! only what is pending, due and not leased; a duplicate id stores nothing;
//! a lead with a pending delivery is not expired; a site write names the
//! version it replaces), kept in plain maps.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use lead::delivery::DeliveryState;
use lead::privacy::{email_key, fingerprint};
use lead::site::Destination;
use lead::wire::Lead;
use uuid::Uuid;

use super::privacy::{ContactKey, PrivacyStore};
use super::sites::{SiteStore, StoredSite, VersionInfo, WriteError, KEPT_VERSIONS};
use super::{Attempt, Claimed, DeliveryKey, Insert, LeadStore, StoreError, Stored};

/// A lead's row.
#[derive(Debug, Clone)]
struct LeadRow {
    site: String,
    json: String,
    received_at: i64,
    fingerprint: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub lease_until: Option<i64>,
    /// The destination's JSON as of the lead's arrival.
    pub destination_config: Option<String>,
}

#[derive(Default)]
pub struct MemoryStore {
    leads: RefCell<BTreeMap<Uuid, LeadRow>>,
    deliveries: RefCell<BTreeMap<(Uuid, String), Row>>,
    pub attempts: RefCell<Vec<(DeliveryKey, Attempt)>>,
    disabled: RefCell<BTreeSet<(String, String)>>,
    sites: RefCell<BTreeMap<String, StoredSite>>,
    site_versions: RefCell<BTreeMap<(String, u32), StoredSite>>,
}

impl MemoryStore {
    pub fn row(&self, lead_id: Uuid, destination: &str) -> Option<Row> {
        self.deliveries
            .borrow()
            .get(&(lead_id, destination.to_owned()))
            .cloned()
    }

    pub fn destinations_of(&self, lead_id: Uuid) -> Vec<String> {
        let rows = self.deliveries.borrow();
        rows.keys()
            .filter(|(id, _)| *id == lead_id)
            .map(|(_, d)| d.clone())
            .collect()
    }

    /// Overwrites a stored lead's JSON, as a bad migration or a bug might.
    pub fn corrupt(&self, lead_id: Uuid) {
        if let Some(stored) = self.leads.borrow_mut().get_mut(&lead_id) {
            stored.json = "{\"not\": \"a lead\"}".into();
        }
    }

    /// Makes a stored lead look as if stored before fingerprints (migration 0004).
    pub fn forget_fingerprint(&self, lead_id: Uuid) {
        if let Some(stored) = self.leads.borrow_mut().get_mut(&lead_id) {
            stored.fingerprint = None;
        }
    }

    /// The stored lead's JSON, if it is stored.
    pub fn lead_json(&self, lead_id: Uuid) -> Option<String> {
        self.leads.borrow().get(&lead_id).map(|l| l.json.clone())
    }

    /// Every row that names the lead: its own, its deliveries', its attempts'.
    pub fn rows_of(&self, lead_id: Uuid) -> usize {
        usize::from(self.leads.borrow().contains_key(&lead_id))
            + self.destinations_of(lead_id).len()
            + self
                .attempts
                .borrow()
                .iter()
                .filter(|(k, _)| k.lead_id == lead_id)
                .count()
    }
}

fn key_of(key: &DeliveryKey) -> (Uuid, String) {
    (key.lead_id, key.destination.clone())
}

impl LeadStore for MemoryStore {
    async fn insert_lead(
        &self,
        lead: &Lead,
        destinations: &[&Destination],
        received_at_ms: i64,
        spam: Option<&str>,
        lease_until_ms: i64,
    ) -> Result<Stored, StoreError> {
        let disabled = self
            .disabled
            .borrow()
            .iter()
            .filter(|(site, _)| *site == lead.site)
            .map(|(_, id)| id.clone())
            .collect();
        if let Some(stored) = self.leads.borrow().get(&lead.id) {
            return Ok(Stored {
                insert: Insert::Duplicate,
                disabled,
                earlier_fingerprint: stored.fingerprint.clone(),
            });
        }
        let row = LeadRow {
            site: lead.site.clone(),
            json: serde_json::to_string(lead)?,
            received_at: received_at_ms,
            fingerprint: Some(fingerprint(lead)),
            phone: lead.contact.phone.clone(),
            email: lead.contact.email.as_deref().map(email_key),
        };
        self.leads.borrow_mut().insert(lead.id, row);
        let destinations = if spam.is_some() { &[][..] } else { destinations };
        for destination in destinations {
            let config = serde_json::to_string(destination)?;
            self.deliveries.borrow_mut().insert(
                (lead.id, destination.id.clone()),
                Row {
                    state: DeliveryState::Pending,
                    attempts: 0,
                    next_attempt_at: Some(received_at_ms),
                    last_status: None,
                    last_error: None,
                    lease_until: Some(lease_until_ms),
                    destination_config: Some(config),
                },
            );
        }
        Ok(Stored {
            insert: Insert::New,
            disabled,
            earlier_fingerprint: None,
        })
    }

    async fn claim(&self, keys: &[DeliveryKey], now_ms: i64, lease_ms: i64) -> Result<Vec<Claimed>, StoreError> {
        let mut claimed = Vec::new();
        for key in keys {
            let mut rows = self.deliveries.borrow_mut();
            let Some(row) = rows.get_mut(&key_of(key)) else {
                continue;
            };
            let due = row.next_attempt_at.is_some_and(|at| at <= now_ms + 1000);
            let free = row.lease_until.is_none_or(|until| until < now_ms);
            if row.state != DeliveryState::Pending || !due || !free {
                continue;
            }
            row.lease_until = Some(now_ms + lease_ms);
            let stored = self.leads.borrow().get(&key.lead_id).cloned();
            let site = stored.as_ref().map(|l| l.site.clone()).unwrap_or_default();
            claimed.push(Claimed {
                key: key.clone(),
                lead: match stored {
                    Some(l) => serde_json::from_str(&l.json).map_err(|e| e.to_string()),
                    None => Err("the lead row is missing".into()),
                },
                attempts_made: row.attempts,
                last_outcome_unknown: row.attempts > 0 && row.last_status.is_none() && row.last_error.is_some(),
                destination_disabled: self.disabled.borrow().contains(&(site, key.destination.clone())),
                destination_config: row
                    .destination_config
                    .as_deref()
                    .and_then(|c| serde_json::from_str(c).ok()),
            });
        }
        Ok(claimed)
    }

    async fn record_attempts(&self, attempts: &[(DeliveryKey, Attempt)]) -> Result<(), StoreError> {
        for (key, attempt) in attempts {
            let mut rows = self.deliveries.borrow_mut();
            // As in D1: an attempt is kept only while its delivery is (not after an erasure).
            let Some(row) = rows.get_mut(&key_of(key)) else {
                continue;
            };
            row.state = attempt.state;
            row.attempts += 1;
            row.next_attempt_at = attempt.next_attempt_at_ms;
            row.last_status = attempt.status;
            row.last_error = attempt.error.clone();
            row.lease_until = None;
            self.attempts.borrow_mut().push((key.clone(), attempt.clone()));
        }
        Ok(())
    }

    async fn settle_without_attempt(
        &self,
        key: &DeliveryKey,
        state: DeliveryState,
        reason: &str,
        _now_ms: i64,
    ) -> Result<(), StoreError> {
        if let Some(row) = self.deliveries.borrow_mut().get_mut(&key_of(key)) {
            row.state = state;
            row.last_error = Some(reason.to_owned());
            row.next_attempt_at = None;
            row.lease_until = None;
        }
        Ok(())
    }

    async fn due(&self, now_ms: i64, limit: u32) -> Result<Vec<DeliveryKey>, StoreError> {
        let rows = self.deliveries.borrow();
        let mut due: Vec<(i64, DeliveryKey)> = rows
            .iter()
            .filter(|(_, r)| r.state == DeliveryState::Pending && r.lease_until.is_none_or(|u| u < now_ms))
            .filter_map(|((id, d), r)| {
                let at = r.next_attempt_at.filter(|at| *at <= now_ms)?;
                Some((
                    at,
                    DeliveryKey {
                        lead_id: *id,
                        destination: d.clone(),
                    },
                ))
            })
            .collect();
        due.sort_by_key(|(at, _)| *at);
        Ok(due.into_iter().take(limit as usize).map(|(_, k)| k).collect())
    }

    async fn set_destination_enabled(
        &self,
        site: &str,
        destination: &str,
        enabled: bool,
        _reason: &str,
        _now_ms: i64,
    ) -> Result<(), StoreError> {
        let entry = (site.to_owned(), destination.to_owned());
        if enabled {
            self.disabled.borrow_mut().remove(&entry);
        } else {
            self.disabled.borrow_mut().insert(entry);
        }
        Ok(())
    }
}

impl PrivacyStore for MemoryStore {
    async fn expired(&self, cutoffs: &[(String, i64)], limit: u32) -> Result<Vec<Uuid>, StoreError> {
        let deliveries = self.deliveries.borrow();
        let pending = |id: &Uuid| {
            deliveries
                .iter()
                .any(|((lead, _), row)| lead == id && row.state == DeliveryState::Pending)
        };
        Ok(self
            .leads
            .borrow()
            .iter()
            .filter(|(_, l)| cutoffs.iter().any(|(site, at)| *site == l.site && l.received_at < *at))
            .filter(|(id, _)| !pending(id))
            .map(|(id, _)| *id)
            .take(limit as usize)
            .collect())
    }

    async fn leads_with(&self, contact: &ContactKey, site: Option<&str>, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        Ok(self
            .leads
            .borrow()
            .iter()
            .filter(|(_, l)| match contact {
                ContactKey::Phone(phone) => l.phone.as_ref() == Some(phone),
                ContactKey::Email(email) => l.email.as_ref() == Some(email),
            })
            .filter(|(_, l)| site.is_none_or(|s| s == l.site))
            .map(|(id, _)| *id)
            .take(limit as usize)
            .collect())
    }

    async fn erase(&self, ids: &[Uuid]) -> Result<u32, StoreError> {
        self.attempts.borrow_mut().retain(|(k, _)| !ids.contains(&k.lead_id));
        self.deliveries.borrow_mut().retain(|(id, _), _| !ids.contains(id));
        let mut leads = self.leads.borrow_mut();
        Ok(ids.iter().filter(|id| leads.remove(id).is_some()).count() as u32)
    }
}

impl SiteStore for MemoryStore {
    async fn list_sites(&self) -> Result<Vec<StoredSite>, StoreError> {
        Ok(self.sites.borrow().values().cloned().collect())
    }

    async fn site(&self, id: &str) -> Result<Option<StoredSite>, StoreError> {
        Ok(self.sites.borrow().get(id).cloned())
    }

    async fn write_site(
        &self,
        id: &str,
        expected_version: u32,
        config: &str,
        deleted: bool,
        now_ms: i64,
    ) -> Result<u32, WriteError> {
        let current = self.sites.borrow().get(id).map_or(0, |s| s.version);
        if current != expected_version {
            return Err(WriteError::Conflict { current });
        }
        let row = StoredSite {
            id: id.to_owned(),
            version: current + 1,
            config: config.to_owned(),
            deleted,
            updated_at_ms: now_ms,
        };
        self.sites.borrow_mut().insert(id.to_owned(), row.clone());
        let mut versions = self.site_versions.borrow_mut();
        versions.insert((id.to_owned(), row.version), row.clone());
        versions.retain(|(site, n), _| site != id || n + KEPT_VERSIONS > row.version);
        Ok(row.version)
    }

    async fn site_versions(&self, id: &str) -> Result<Vec<VersionInfo>, StoreError> {
        Ok(self
            .site_versions
            .borrow()
            .values()
            .rev()
            .filter(|s| s.id == id)
            .map(|s| VersionInfo {
                version: s.version,
                updated_at_ms: s.updated_at_ms,
                deleted: s.deleted,
            })
            .collect())
    }

    async fn site_version(&self, id: &str, version: u32) -> Result<Option<StoredSite>, StoreError> {
        Ok(self.site_versions.borrow().get(&(id.to_owned(), version)).cloned())
    }
}
