//! [`LeadStore`] on Cloudflare D1 (SQLite). Schema: `edge/migrations/`.

use lead::wire::Lead;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use worker::D1Database;

use super::{Attempt, Insert, LeadStore, StoreError};

pub struct D1Store {
    db: D1Database,
}

impl D1Store {
    pub fn new(db: D1Database) -> Self {
        D1Store { db }
    }
}

const INSERT_LEAD: &str = "INSERT INTO leads (id, site, kind, received_at, lead) VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (id) DO NOTHING";
const INSERT_DELIVERY: &str =
    "INSERT INTO deliveries (lead_id, destination, state, attempts, next_attempt_at, updated_at) \
     VALUES (?1, ?2, 'pending', 0, ?3, ?3) ON CONFLICT DO NOTHING";
const RECORD_ATTEMPT: &str = "UPDATE deliveries SET state = ?3, attempts = attempts + 1, next_attempt_at = ?4, \
     last_status = ?5, last_error = ?6, updated_at = ?7 WHERE lead_id = ?1 AND destination = ?2";

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

fn number(n: i64) -> JsValue {
    JsValue::from_f64(n as f64)
}

impl LeadStore for D1Store {
    async fn insert_lead(&self, lead: &Lead, destinations: &[&str], received_at_ms: i64) -> Result<Insert, StoreError> {
        let id = lead.id.to_string();
        let json = serde_json::to_string(lead).map_err(|e| StoreError(e.to_string()))?;
        let mut statements = vec![self.db.prepare(INSERT_LEAD).bind(&[
            text(&id),
            text(&lead.site),
            text(lead.kind.as_str()),
            number(received_at_ms),
            text(&json),
        ])?];
        for destination in destinations {
            statements.push(self.db.prepare(INSERT_DELIVERY).bind(&[
                text(&id),
                text(destination),
                number(received_at_ms),
            ])?);
        }
        let results = self.db.batch(statements).await?;
        let inserted = results
            .first()
            .map(|r| r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0))
            .unwrap_or(0);
        Ok(if inserted > 0 { Insert::New } else { Insert::Duplicate })
    }

    async fn record_attempt(&self, lead_id: &Uuid, destination: &str, attempt: &Attempt) -> Result<(), StoreError> {
        let next = match attempt.state {
            lead::delivery::DeliveryState::Pending => number(attempt.at_ms),
            _ => JsValue::NULL,
        };
        self.db
            .prepare(RECORD_ATTEMPT)
            .bind(&[
                text(&lead_id.to_string()),
                text(destination),
                text(attempt.state.as_str()),
                next,
                attempt.status.map(|s| number(s.into())).unwrap_or(JsValue::NULL),
                attempt.error.as_deref().map(text).unwrap_or(JsValue::NULL),
                number(attempt.at_ms),
            ])?
            .run()
            .await?;
        Ok(())
    }
}
