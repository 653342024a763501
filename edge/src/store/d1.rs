//! [`LeadStore`] and [`AdminStore`] on Cloudflare D1 (SQLite). Schema: `edge/migrations/`.

use lead::delivery::DeliveryState;
use lead::privacy::{email_key, fingerprint};
use lead::site::Destination;
use lead::wire::Lead;
use serde::Deserialize;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use worker::D1Database;

use super::admin::{
    AdminStore, AttemptView, Cursor, DeliveryView, DestinationView, LeadDetail, LeadFilter, LeadPage, LeadSummary,
};
use super::privacy::{ContactKey, PrivacyStore};
use super::{Attempt, Claimed, DeliveryKey, Insert, LeadStore, StoreError, Stored};

pub struct D1Store {
    pub(super) db: D1Database,
}

impl D1Store {
    pub fn new(db: D1Database) -> Self {
        D1Store { db }
    }
}

const INSERT_LEAD: &str = "INSERT INTO leads (id, site, kind, received_at, lead, spam, spam_reason, \
     fingerprint, phone, email) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO NOTHING";
// Leased to the intake that stores it, which attempts it right after its answer.
// Only beside the row this batch inserted: a post of a stored id (a retry, or
// another lead under a reused id) adds no delivery to the stored lead.
const INSERT_DELIVERY: &str = "INSERT INTO deliveries \
     (lead_id, destination, state, attempts, next_attempt_at, updated_at, lease_until, destination_config) \
     SELECT ?1, ?2, 'pending', 0, ?3, ?3, ?4, ?6 \
     WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?1 AND received_at = ?3 AND fingerprint = ?5) \
     ON CONFLICT DO NOTHING";
const DISABLED_OF_SITE: &str = "SELECT id FROM destinations WHERE site = ?1 AND state = 'disabled'";
const FINGERPRINT: &str = "SELECT fingerprint FROM leads WHERE id = ?1";
// Keys travel as a JSON array of "lead_id destination". Due within a second
// counts: a delayed queue message may arrive a little early.
const CLAIM: &str = "UPDATE deliveries SET lease_until = ?2 \
     WHERE lead_id || ' ' || destination IN (SELECT value FROM json_each(?1)) \
       AND state = 'pending' AND next_attempt_at <= ?3 + 1000 AND (lease_until IS NULL OR lease_until < ?3) \
     RETURNING lead_id, destination, attempts, last_status, last_error, destination_config";
const LEADS_OF_KEYS: &str = "SELECT id, site, lead FROM leads WHERE id IN \
     (SELECT substr(value, 1, instr(value, ' ') - 1) FROM json_each(?1))";
const DISABLED: &str = "SELECT site, id FROM destinations WHERE state = 'disabled'";
const RECORD_ATTEMPT: &str = "UPDATE deliveries SET state = ?3, attempts = attempts + 1, next_attempt_at = ?4, \
     last_status = ?5, last_error = ?6, updated_at = ?7, lease_until = NULL WHERE lead_id = ?1 AND destination = ?2";
// Only while the delivery exists: a lead erased during its attempt keeps no row.
const INSERT_ATTEMPT: &str = "INSERT INTO attempts (lead_id, destination, n, at, status, error, duration_ms) \
     SELECT ?1, ?2, (SELECT coalesce(max(n), 0) + 1 FROM attempts WHERE lead_id = ?1 AND destination = ?2), \
       ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM deliveries WHERE lead_id = ?1 AND destination = ?2)";
const SETTLE: &str = "UPDATE deliveries SET state = ?3, last_error = ?4, next_attempt_at = NULL, updated_at = ?5, \
     lease_until = NULL WHERE lead_id = ?1 AND destination = ?2";
const DUE: &str = "SELECT lead_id, destination FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ?1 \
     AND (lease_until IS NULL OR lease_until < ?1) ORDER BY next_attempt_at LIMIT ?2";
const SET_DESTINATION: &str = "INSERT INTO destinations (site, id, state, reason, changed_at) VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (site, id) DO UPDATE SET state = excluded.state, reason = excluded.reason, changed_at = excluded.changed_at";

pub(super) fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

pub(super) fn number(n: i64) -> JsValue {
    JsValue::from_f64(n as f64)
}

fn opt_text(s: Option<&str>) -> JsValue {
    s.map(text).unwrap_or(JsValue::NULL)
}

fn opt_number(n: Option<i64>) -> JsValue {
    n.map(number).unwrap_or(JsValue::NULL)
}

#[derive(Deserialize)]
struct ClaimRow {
    lead_id: String,
    destination: String,
    attempts: u32,
    last_status: Option<i64>,
    last_error: Option<String>,
    destination_config: Option<String>,
}

#[derive(Deserialize)]
struct StoredLeadRow {
    id: String,
    site: String,
    lead: String,
}

#[derive(Deserialize)]
struct DisabledRow {
    site: String,
    id: String,
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

#[derive(Deserialize)]
struct FingerprintRow {
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
struct KeyRow {
    lead_id: String,
    destination: String,
}

impl KeyRow {
    fn key(self) -> Option<DeliveryKey> {
        Some(DeliveryKey {
            lead_id: self.lead_id.parse().ok()?,
            destination: self.destination,
        })
    }
}

impl LeadStore for D1Store {
    async fn insert_lead(
        &self,
        lead: &Lead,
        destinations: &[&Destination],
        received_at_ms: i64,
        spam: Option<&str>,
        lease_until_ms: i64,
    ) -> Result<Stored, StoreError> {
        let id = lead.id.to_string();
        let json = serde_json::to_string(lead)?;
        let fingerprint = fingerprint(lead);
        let email = lead.contact.email.as_deref().map(email_key);
        let mut statements = vec![self.db.prepare(INSERT_LEAD).bind(&[
            text(&id),
            text(&lead.site),
            text(lead.kind.as_str()),
            number(received_at_ms),
            text(&json),
            number(i64::from(spam.is_some())),
            opt_text(spam),
            text(&fingerprint),
            opt_text(lead.contact.phone.as_deref()),
            opt_text(email.as_deref()),
        ])?];
        let destinations = if spam.is_some() { &[][..] } else { destinations };
        for destination in destinations {
            statements.push(self.db.prepare(INSERT_DELIVERY).bind(&[
                text(&id),
                text(&destination.id),
                number(received_at_ms),
                number(lease_until_ms),
                text(&fingerprint),
                text(&serde_json::to_string(destination)?),
            ])?);
        }
        statements.push(self.db.prepare(DISABLED_OF_SITE).bind(&[text(&lead.site)])?);
        // Read in the same round trip: ours if inserted, else the stored lead's.
        statements.push(self.db.prepare(FINGERPRINT).bind(&[text(&id)])?);
        let results = self.db.batch(statements).await?;
        let inserted = results
            .first()
            .map(|r| r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0))
            .unwrap_or(0);
        let [.., disabled, stored] = results.as_slice() else {
            return Err(StoreError("the insert batch answered too few results".into()));
        };
        let disabled: Vec<IdRow> = disabled.results()?;
        let stored: Vec<FingerprintRow> = stored.results()?;
        let insert = if inserted > 0 { Insert::New } else { Insert::Duplicate };
        Ok(Stored {
            insert,
            disabled: disabled.into_iter().map(|r| r.id).collect(),
            earlier_fingerprint: match insert {
                Insert::New => None,
                Insert::Duplicate => stored.into_iter().next().and_then(|r| r.fingerprint),
            },
        })
    }

    async fn claim(&self, keys: &[DeliveryKey], now_ms: i64, lease_ms: i64) -> Result<Vec<Claimed>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<String> = keys
            .iter()
            .map(|k| format!("{} {}", k.lead_id, k.destination))
            .collect();
        let wanted = text(&serde_json::to_string(&wanted)?);
        // One round trip: the claim, then the leads and the switched-off destinations.
        let results = self
            .db
            .batch(vec![
                self.db
                    .prepare(CLAIM)
                    .bind(&[wanted.clone(), number(now_ms + lease_ms), number(now_ms)])?,
                self.db.prepare(LEADS_OF_KEYS).bind(&[wanted])?,
                self.db.prepare(DISABLED),
            ])
            .await?;
        let [claimed, leads, disabled] = results.as_slice() else {
            return Err(StoreError("the claim batch did not answer three results".into()));
        };
        let claimed: Vec<ClaimRow> = claimed.results()?;
        let leads: Vec<StoredLeadRow> = leads.results()?;
        let disabled: Vec<DisabledRow> = disabled.results()?;
        Ok(claimed
            .into_iter()
            .filter_map(|row| {
                let stored = leads.iter().find(|l| l.id == row.lead_id);
                let site = stored.map(|l| l.site.as_str()).unwrap_or("");
                let lead = match stored {
                    Some(l) => serde_json::from_str(&l.lead).map_err(|e| e.to_string()),
                    None => Err("the lead row is missing".to_owned()),
                };
                let destination_disabled = disabled.iter().any(|d| d.site == site && d.id == row.destination);
                Some(Claimed {
                    key: DeliveryKey {
                        lead_id: row.lead_id.parse().ok()?,
                        destination: row.destination,
                    },
                    lead,
                    attempts_made: row.attempts,
                    last_outcome_unknown: row.attempts > 0 && row.last_status.is_none() && row.last_error.is_some(),
                    destination_disabled,
                    // Undecodable (never written so): the site's current destination is used.
                    destination_config: row
                        .destination_config
                        .as_deref()
                        .and_then(|c| serde_json::from_str(c).ok()),
                })
            })
            .collect())
    }

    async fn record_attempts(&self, attempts: &[(DeliveryKey, Attempt)]) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut statements = Vec::with_capacity(attempts.len() * 2);
        for (key, attempt) in attempts {
            let id = key.lead_id.to_string();
            let status = attempt.status.map(i64::from);
            statements.push(self.db.prepare(RECORD_ATTEMPT).bind(&[
                text(&id),
                text(&key.destination),
                text(attempt.state.as_str()),
                opt_number(attempt.next_attempt_at_ms),
                opt_number(status),
                opt_text(attempt.error.as_deref()),
                number(attempt.at_ms),
            ])?);
            statements.push(self.db.prepare(INSERT_ATTEMPT).bind(&[
                text(&id),
                text(&key.destination),
                number(attempt.at_ms),
                opt_number(status),
                opt_text(attempt.error.as_deref()),
                number(attempt.duration_ms),
            ])?);
        }
        self.db.batch(statements).await?;
        Ok(())
    }

    async fn settle_without_attempt(
        &self,
        key: &DeliveryKey,
        state: DeliveryState,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.db
            .prepare(SETTLE)
            .bind(&[
                text(&key.lead_id.to_string()),
                text(&key.destination),
                text(state.as_str()),
                text(reason),
                number(now_ms),
            ])?
            .run()
            .await?;
        Ok(())
    }

    async fn due(&self, now_ms: i64, limit: u32) -> Result<Vec<DeliveryKey>, StoreError> {
        let rows: Vec<KeyRow> = self
            .db
            .prepare(DUE)
            .bind(&[number(now_ms), number(limit.into())])?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().filter_map(KeyRow::key).collect())
    }

    async fn set_destination_enabled(
        &self,
        site: &str,
        destination: &str,
        enabled: bool,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let state = if enabled { "enabled" } else { "disabled" };
        self.db
            .prepare(SET_DESTINATION)
            .bind(&[text(site), text(destination), text(state), text(reason), number(now_ms)])?
            .run()
            .await?;
        Ok(())
    }
}

// Newest first, keyset-paged on (received_at, id): the inbox's filter, which
// the CSV export (store/stats.rs) pages through too; bound by `filter_binds`.
pub(super) const FILTERED_LEADS: &str = "FROM leads l \
     WHERE l.spam = ?8 AND (?1 IS NULL OR l.site = ?1) AND (?2 IS NULL OR l.received_at >= ?2) AND (?3 IS NULL OR l.received_at < ?3) \
       AND (?4 IS NULL OR EXISTS (SELECT 1 FROM deliveries d WHERE d.lead_id = l.id AND d.state = ?4)) \
       AND (?5 IS NULL OR l.received_at < ?5 OR (l.received_at = ?5 AND l.id < ?6)) \
       AND (?9 IS NULL OR l.kind = ?9) AND (?10 IS NULL OR l.channel = ?10) \
     ORDER BY l.received_at DESC, l.id DESC LIMIT ?7";
const LIST_LEADS: &str = "SELECT l.id, l.site, l.kind, l.received_at, l.spam, l.spam_reason, \
     l.channel, l.source, l.campaign, json_extract(l.lead, '$.contact.name') AS name, \
     json_extract(l.lead, '$.contact.phone') AS phone, json_extract(l.lead, '$.contact.email') AS email ";
const DELIVERIES_OF: &str = "SELECT lead_id, destination, state, attempts, next_attempt_at, last_status, last_error \
     FROM deliveries WHERE lead_id IN (SELECT value FROM json_each(?1)) ORDER BY destination";
const LEAD: &str = "SELECT lead, spam, spam_reason FROM leads WHERE id = ?1";
const ATTEMPTS_OF: &str = "SELECT destination, n, at, status, error, duration_ms FROM attempts WHERE lead_id = ?1 \
     ORDER BY destination, n";
const REPLAY_LEAD: &str =
    "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?3, lease_until = NULL, \
     updated_at = ?3 WHERE lead_id = ?1 AND (?2 IS NULL OR destination = ?2) RETURNING lead_id, destination";
const REPLAY_SINCE: &str =
    "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?4, lease_until = NULL, \
     updated_at = ?4 WHERE state IN ('failed', 'disabled') AND (?3 IS NULL OR destination = ?3) \
       AND lead_id IN (SELECT id FROM leads WHERE received_at >= ?1 AND (?2 IS NULL OR site = ?2)) \
     RETURNING lead_id, destination";
const DESTINATIONS: &str = "SELECT site, id, state, reason, changed_at FROM destinations ORDER BY site, id";

/// `?1`…`?10` of [`FILTERED_LEADS`].
pub(super) fn filter_binds(filter: &LeadFilter) -> Vec<JsValue> {
    let (after_at, after_id) = match &filter.cursor {
        Some(c) => (number(c.received_at), text(&c.id)),
        None => (JsValue::NULL, JsValue::NULL),
    };
    vec![
        opt_text(filter.site.as_deref()),
        opt_number(filter.since_ms),
        opt_number(filter.until_ms),
        opt_text(filter.state.map(|s| s.as_str())),
        after_at,
        after_id,
        number(filter.limit.into()),
        number(i64::from(filter.spam)),
        opt_text(filter.kind.map(|k| k.as_str())),
        opt_text(filter.channel.map(|c| c.as_str())),
    ]
}

#[derive(Deserialize)]
struct LeadRow {
    id: String,
    site: String,
    kind: String,
    received_at: i64,
    spam: i64,
    spam_reason: Option<String>,
    channel: Option<String>,
    source: Option<String>,
    campaign: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
struct DeliveryRow {
    lead_id: String,
    #[serde(flatten)]
    view: DeliveryView,
}

#[derive(Deserialize)]
struct JsonRow {
    lead: String,
    spam: i64,
    spam_reason: Option<String>,
}

impl AdminStore for D1Store {
    async fn list_leads(&self, filter: &LeadFilter) -> Result<LeadPage, StoreError> {
        let rows: Vec<LeadRow> = self
            .db
            .prepare(format!("{LIST_LEADS}{FILTERED_LEADS}"))
            .bind(&filter_binds(filter))?
            .all()
            .await?
            .results()?;
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let deliveries: Vec<DeliveryRow> = self
            .db
            .prepare(DELIVERIES_OF)
            .bind(&[text(&serde_json::to_string(&ids)?)])?
            .all()
            .await?
            .results()?;
        let next = (rows.len() as u32 == filter.limit)
            .then(|| {
                rows.last().map(|r| Cursor {
                    received_at: r.received_at,
                    id: r.id.clone(),
                })
            })
            .flatten();
        let leads = rows
            .into_iter()
            .map(|r| LeadSummary {
                deliveries: deliveries
                    .iter()
                    .filter(|d| d.lead_id == r.id)
                    .map(|d| d.view.clone())
                    .collect(),
                id: r.id,
                site: r.site,
                kind: r.kind,
                received_at: r.received_at,
                spam: r.spam != 0,
                spam_reason: r.spam_reason,
                channel: r.channel,
                source: r.source,
                campaign: r.campaign,
                name: r.name,
                phone: r.phone,
                email: r.email,
            })
            .collect();
        Ok(LeadPage { leads, next })
    }

    async fn lead_detail(&self, id: &Uuid) -> Result<Option<LeadDetail>, StoreError> {
        let id = id.to_string();
        let row: Option<JsonRow> = self.db.prepare(LEAD).bind(&[text(&id)])?.first(None).await?;
        let Some(row) = row else { return Ok(None) };
        let lead: Lead = serde_json::from_str(&row.lead)?;
        let ids = serde_json::to_string(&[&id])?;
        let deliveries: Vec<DeliveryRow> = self
            .db
            .prepare(DELIVERIES_OF)
            .bind(&[text(&ids)])?
            .all()
            .await?
            .results()?;
        let attempts: Vec<AttemptView> = self
            .db
            .prepare(ATTEMPTS_OF)
            .bind(&[text(&id)])?
            .all()
            .await?
            .results()?;
        Ok(Some(LeadDetail {
            lead,
            spam: row.spam != 0,
            spam_reason: row.spam_reason,
            deliveries: deliveries.into_iter().map(|d| d.view).collect(),
            attempts,
        }))
    }

    async fn replay_lead(
        &self,
        id: &Uuid,
        destination: Option<&str>,
        now_ms: i64,
    ) -> Result<Vec<DeliveryKey>, StoreError> {
        let rows: Vec<KeyRow> = self
            .db
            .prepare(REPLAY_LEAD)
            .bind(&[text(&id.to_string()), opt_text(destination), number(now_ms)])?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().filter_map(KeyRow::key).collect())
    }

    async fn replay_failed_since(
        &self,
        since_ms: i64,
        site: Option<&str>,
        destination: Option<&str>,
        now_ms: i64,
    ) -> Result<Vec<DeliveryKey>, StoreError> {
        let rows: Vec<KeyRow> = self
            .db
            .prepare(REPLAY_SINCE)
            .bind(&[number(since_ms), opt_text(site), opt_text(destination), number(now_ms)])?
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().filter_map(KeyRow::key).collect())
    }

    async fn destinations(&self) -> Result<Vec<DestinationView>, StoreError> {
        Ok(self.db.prepare(DESTINATIONS).all().await?.results()?)
    }

    async fn release_lead(
        &self,
        id: &Uuid,
        destinations: &[&str],
        now_ms: i64,
    ) -> Result<Option<Vec<DeliveryKey>>, StoreError> {
        let id_text = text(&id.to_string());
        // One transaction: the deliveries only while the lead is held, then the flag.
        let mut statements = Vec::with_capacity(destinations.len() + 1);
        for destination in destinations {
            statements.push(self.db.prepare(RELEASE_DELIVERY).bind(&[
                id_text.clone(),
                text(destination),
                number(now_ms),
            ])?);
        }
        statements.push(self.db.prepare(RELEASE_LEAD).bind(&[id_text])?);
        let results = self.db.batch(statements).await?;
        let released = results
            .last()
            .map(|r| r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0))
            .unwrap_or(0);
        Ok((released > 0).then(|| {
            destinations
                .iter()
                .map(|d| DeliveryKey {
                    lead_id: *id,
                    destination: (*d).to_owned(),
                })
                .collect()
        }))
    }
}

const RELEASE_DELIVERY: &str =
    "INSERT INTO deliveries (lead_id, destination, state, attempts, next_attempt_at, updated_at) \
     SELECT ?1, ?2, 'pending', 0, ?3, ?3 WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?1 AND spam = 1) \
     ON CONFLICT DO NOTHING";
const RELEASE_LEAD: &str = "UPDATE leads SET spam = 0 WHERE id = ?1 AND spam = 1";

// Site by site on the (site, received_at) index: json_each(?1) drives, as
// {"site": cutoff_ms}. A lead with a pending delivery waits for it to settle.
const EXPIRED: &str = "SELECT l.id FROM json_each(?1) AS s CROSS JOIN leads AS l \
     WHERE l.site = s.key AND l.received_at < s.value \
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.lead_id = l.id AND d.state = 'pending') LIMIT ?2";
const WITH_PHONE: &str = "SELECT id FROM leads WHERE phone = ?1 AND (?2 IS NULL OR site = ?2) LIMIT ?3";
const WITH_EMAIL: &str = "SELECT id FROM leads WHERE email = ?1 AND (?2 IS NULL OR site = ?2) LIMIT ?3";
// Ids travel as a JSON array; one batch is one transaction.
const ERASE: [&str; 3] = [
    "DELETE FROM attempts WHERE lead_id IN (SELECT value FROM json_each(?1))",
    "DELETE FROM deliveries WHERE lead_id IN (SELECT value FROM json_each(?1))",
    "DELETE FROM leads WHERE id IN (SELECT value FROM json_each(?1))",
];

fn ids_of(rows: Vec<IdRow>) -> Vec<Uuid> {
    rows.into_iter().filter_map(|r| r.id.parse().ok()).collect()
}

impl PrivacyStore for D1Store {
    async fn expired(&self, cutoffs: &[(String, i64)], limit: u32) -> Result<Vec<Uuid>, StoreError> {
        if cutoffs.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let cutoffs: serde_json::Map<String, serde_json::Value> =
            cutoffs.iter().map(|(site, at)| (site.clone(), (*at).into())).collect();
        let rows: Vec<IdRow> = self
            .db
            .prepare(EXPIRED)
            .bind(&[text(&serde_json::to_string(&cutoffs)?), number(limit.into())])?
            .all()
            .await?
            .results()?;
        Ok(ids_of(rows))
    }

    async fn leads_with(&self, contact: &ContactKey, site: Option<&str>, limit: u32) -> Result<Vec<Uuid>, StoreError> {
        let (query, key) = match contact {
            ContactKey::Phone(phone) => (WITH_PHONE, phone),
            ContactKey::Email(email) => (WITH_EMAIL, email),
        };
        let rows: Vec<IdRow> = self
            .db
            .prepare(query)
            .bind(&[text(key), opt_text(site), number(limit.into())])?
            .all()
            .await?
            .results()?;
        Ok(ids_of(rows))
    }

    async fn erase(&self, ids: &[Uuid]) -> Result<u32, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let ids = text(&serde_json::to_string(&ids)?);
        let statements = ERASE
            .iter()
            .map(|sql| self.db.prepare(*sql).bind(std::slice::from_ref(&ids)))
            .collect::<Result<Vec<_>, _>>()?;
        let results = self.db.batch(statements).await?;
        let erased = results
            .last()
            .and_then(|r| r.meta().ok().flatten())
            .and_then(|m| m.changes)
            .unwrap_or(0);
        Ok(u32::try_from(erased).unwrap_or(u32::MAX))
    }
}
