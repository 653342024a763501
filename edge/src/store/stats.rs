//! What the report and the CSV export read: counts aggregated by the
//! database (never every lead loaded), and leads page by page.
//!
//! A day of the site's zone is computed in SQL as the UTC date of
//! `received_at` shifted by the zone's offset at that instant, the offset
//! looked up in the period's offset segments (`lead::stats::Period::offsets`,
//! bound as JSON): exact across a DST change inside the period, and for zones
//! with offsets that are not whole hours.

use lead::stats::{By, FunnelCount, LeadCount, Standing};
use serde::Deserialize;
use wasm_bindgen::JsValue;

use super::admin::{Cursor, LeadFilter};
use super::d1::{filter_binds, number, text, FILTERED_LEADS};
use super::{D1Store, StoreError};

/// One report's site and period.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub site: String,
    /// `[from_ms, to_ms)`: the period's instants.
    pub from_ms: i64,
    pub to_ms: i64,
    /// The period's first and last day, as `funnel_daily.day` has them.
    pub since: String,
    pub until: String,
    /// `(from_ms, offset_ms)` segments of the site's zone over the period.
    pub offsets: Vec<(i64, i64)>,
    /// Only this channel (`''` for leads with none), when set.
    pub channel: Option<String>,
}

/// One lead of an export page, with what the CSV shows beside it.
#[derive(Debug, Clone)]
pub struct ExportedLead {
    pub id: String,
    pub received_at: i64,
    /// The stored `lead::wire::Lead` JSON.
    pub lead: String,
    pub spam: bool,
    pub spam_reason: Option<String>,
    pub delivery: Standing,
}

#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait StatsStore {
    /// Leads of the period per group × spam × standing. By destination, a
    /// lead counts once per delivery (a spam lead, with none, under `''`).
    async fn lead_counts(&self, query: &StatsQuery, by: By) -> Result<Vec<LeadCount>, StoreError>;

    /// Funnel events of the period per group × event; by source and by
    /// destination (which the counters cannot split) all under `''`.
    async fn funnel_counts(&self, query: &StatsQuery, by: By) -> Result<Vec<FunnelCount>, StoreError>;

    /// Up to `filter.limit` leads matching `filter`, newest first, after `filter.cursor`.
    async fn export_page(&self, filter: &LeadFilter) -> Result<Vec<ExportedLead>, StoreError>;
}

/// Where a lead stands with its deliveries (`lead::stats::Standing::of`, in SQL).
const STANDING: &str = "CASE \
     WHEN NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.lead_id = l.id) THEN '' \
     WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.lead_id = l.id AND d.state IN ('failed', 'disabled')) THEN 'failed' \
     WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.lead_id = l.id AND d.state = 'pending') THEN 'pending' \
     ELSE 'delivered' END";

/// The local day of `l.received_at`; `?4` holds the offset segments.
const LOCAL_DAY: &str = "date((l.received_at + (SELECT json_extract(o.value, '$[1]') FROM json_each(?4) o \
     WHERE json_extract(o.value, '$[0]') <= l.received_at ORDER BY json_extract(o.value, '$[0]') DESC LIMIT 1)) \
     / 1000, 'unixepoch')";

/// The group of a lead, per grouping (destination has a query of its own).
fn lead_key(by: By) -> &'static str {
    match by {
        By::Channel => "coalesce(l.channel, '')",
        By::Source => "coalesce(l.source, '')",
        By::Campaign => "coalesce(l.campaign, '')",
        By::Mode | By::Destination => "l.kind",
        By::Day => LOCAL_DAY,
    }
}

/// The group of a funnel counter; `''` where the counters cannot split.
fn funnel_key(by: By) -> &'static str {
    match by {
        By::Channel => "channel",
        By::Campaign => "campaign",
        By::Mode => "mode",
        By::Day => "day",
        By::Source | By::Destination => "''",
    }
}

/// `?5` is the channel filter (NULL for every channel); `?4` is bound even
/// where unused, so every lead query takes the same five parameters.
const PERIOD: &str = "l.site = ?1 AND l.received_at >= ?2 AND l.received_at < ?3 \
     AND (?5 IS NULL OR coalesce(l.channel, '') = ?5)";

const BY_DESTINATION: &str = "SELECT coalesce(d.destination, '') AS key, l.spam AS spam, \
     CASE d.state WHEN 'delivered' THEN 'delivered' WHEN 'pending' THEN 'pending' \
       WHEN 'failed' THEN 'failed' WHEN 'disabled' THEN 'failed' ELSE '' END AS standing, count(*) AS n \
     FROM leads l LEFT JOIN deliveries d ON d.lead_id = l.id \
     WHERE l.site = ?1 AND l.received_at >= ?2 AND l.received_at < ?3 \
       AND (?5 IS NULL OR coalesce(l.channel, '') = ?5) GROUP BY 1, 2, 3";

#[derive(Deserialize)]
struct CountRow {
    key: Option<String>,
    spam: i64,
    standing: String,
    n: u64,
}

#[derive(Deserialize)]
struct EventRow {
    key: Option<String>,
    event: String,
    n: u64,
}

#[derive(Deserialize)]
struct ExportRow {
    id: String,
    received_at: i64,
    lead: String,
    spam: i64,
    spam_reason: Option<String>,
    standing: String,
}

impl StatsStore for D1Store {
    async fn lead_counts(&self, query: &StatsQuery, by: By) -> Result<Vec<LeadCount>, StoreError> {
        let mut binds = vec![text(&query.site), number(query.from_ms), number(query.to_ms)];
        let sql = match by {
            By::Destination => BY_DESTINATION.to_owned(),
            _ => format!(
                "SELECT {} AS key, l.spam AS spam, {STANDING} AS standing, count(*) AS n FROM leads l \
                 WHERE {PERIOD} GROUP BY 1, 2, 3",
                lead_key(by)
            ),
        };
        binds.push(text(&serde_json::to_string(&query.offsets)?));
        binds.push(query.channel.as_deref().map_or(JsValue::NULL, text));
        let rows: Vec<CountRow> = self.db.prepare(&sql).bind(&binds)?.all().await?.results()?;
        Ok(rows
            .into_iter()
            .map(|r| LeadCount {
                key: r.key.unwrap_or_default(),
                spam: r.spam != 0,
                standing: Standing::parse(&r.standing).unwrap_or(Standing::NoDelivery),
                n: r.n,
            })
            .collect())
    }

    async fn funnel_counts(&self, query: &StatsQuery, by: By) -> Result<Vec<FunnelCount>, StoreError> {
        let sql = format!(
            "SELECT {} AS key, event, sum(n) AS n FROM funnel_daily \
             WHERE site = ?1 AND day >= ?2 AND day <= ?3 AND (?4 IS NULL OR channel = ?4) GROUP BY 1, 2",
            funnel_key(by)
        );
        let rows: Vec<EventRow> = self
            .db
            .prepare(&sql)
            .bind(&[
                text(&query.site),
                text(&query.since),
                text(&query.until),
                query.channel.as_deref().map_or(JsValue::NULL, text),
            ])?
            .all()
            .await?
            .results()?;
        Ok(rows
            .into_iter()
            .map(|r| FunnelCount {
                key: r.key.unwrap_or_default(),
                event: r.event,
                n: r.n,
            })
            .collect())
    }

    async fn export_page(&self, filter: &LeadFilter) -> Result<Vec<ExportedLead>, StoreError> {
        // The inbox's filter and order (`FILTERED_LEADS`), with the whole lead.
        let sql = format!(
            "SELECT l.id, l.received_at, l.lead, l.spam, l.spam_reason, {STANDING} AS standing {FILTERED_LEADS}"
        );
        let rows: Vec<ExportRow> = self
            .db
            .prepare(&sql)
            .bind(&filter_binds(filter))?
            .all()
            .await?
            .results()?;
        Ok(rows
            .into_iter()
            .map(|r| ExportedLead {
                id: r.id,
                received_at: r.received_at,
                lead: r.lead,
                spam: r.spam != 0,
                spam_reason: r.spam_reason,
                delivery: Standing::parse(&r.standing).unwrap_or(Standing::NoDelivery),
            })
            .collect())
    }
}

/// The cursor after the last lead of a full page; `None` after the last page.
pub fn next_cursor(page: &[ExportedLead], limit: u32) -> Option<Cursor> {
    (page.len() as u32 == limit)
        .then(|| page.last())
        .flatten()
        .map(|last| Cursor {
            received_at: last.received_at,
            id: last.id.clone(),
        })
}

#[cfg(test)]
pub mod memory;
