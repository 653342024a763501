//! [`StatsStore`] in memory, for native tests of the report and the export:
//! the same groups and order as the SQL, kept in plain vectors.

use std::cell::RefCell;
use std::collections::BTreeMap;

use lead::delivery::DeliveryState;
use lead::stats::{shifted_day, By, FunnelCount, LeadCount, Standing};
use lead::wire::Lead;

use super::{ExportedLead, StatsQuery, StatsStore};
use crate::store::admin::LeadFilter;
use crate::store::StoreError;

pub struct StoredLead {
    pub lead: Lead,
    pub received_at: i64,
    pub spam: Option<String>,
    pub deliveries: Vec<(String, DeliveryState)>,
}

/// One `funnel_daily` row.
pub struct Counter {
    pub site: String,
    pub day: String,
    pub mode: String,
    pub channel: String,
    pub campaign: String,
    pub event: String,
    pub n: u64,
}

#[derive(Default)]
pub struct MemoryStats {
    pub leads: RefCell<Vec<StoredLead>>,
    pub funnel: RefCell<Vec<Counter>>,
}

fn key_of(by: By, stored: &StoredLead, query: &StatsQuery) -> String {
    let a = &stored.lead.attribution.deciding;
    match by {
        By::Channel => a.channel.as_str().to_owned(),
        By::Source => a.source.clone().unwrap_or_default(),
        By::Campaign => a.campaign.clone().unwrap_or_default(),
        By::Mode | By::Destination => stored.lead.kind.as_str().to_owned(),
        By::Day => shifted_day(stored.received_at, &query.offsets),
    }
}

fn tally(counts: &mut BTreeMap<(String, bool, Standing), u64>, key: String, spam: bool, standing: Standing) {
    *counts.entry((key, spam, standing)).or_default() += 1;
}

impl StatsStore for MemoryStats {
    async fn lead_counts(&self, query: &StatsQuery, by: By) -> Result<Vec<LeadCount>, StoreError> {
        let mut counts = BTreeMap::new();
        let leads = self.leads.borrow();
        let in_period = leads
            .iter()
            .filter(|l| l.lead.site == query.site && l.received_at >= query.from_ms && l.received_at < query.to_ms)
            .filter(|l| {
                let channel = l.lead.attribution.deciding.channel.as_str();
                query.channel.as_deref().is_none_or(|c| c == channel)
            });
        for stored in in_period {
            let spam = stored.spam.is_some();
            if by == By::Destination {
                if stored.deliveries.is_empty() {
                    tally(&mut counts, String::new(), spam, Standing::NoDelivery);
                }
                for (destination, state) in &stored.deliveries {
                    tally(&mut counts, destination.clone(), spam, Standing::of([*state]));
                }
            } else {
                let standing = Standing::of(stored.deliveries.iter().map(|(_, s)| *s));
                tally(&mut counts, key_of(by, stored, query), spam, standing);
            }
        }
        Ok(counts
            .into_iter()
            .map(|((key, spam, standing), n)| LeadCount { key, spam, standing, n })
            .collect())
    }

    async fn funnel_counts(&self, query: &StatsQuery, by: By) -> Result<Vec<FunnelCount>, StoreError> {
        let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
        let funnel = self.funnel.borrow();
        let in_period = funnel
            .iter()
            .filter(|c| c.site == query.site && c.day >= query.since && c.day <= query.until)
            .filter(|c| query.channel.as_deref().is_none_or(|ch| ch == c.channel));
        for c in in_period {
            let key = match by {
                By::Channel => c.channel.clone(),
                By::Campaign => c.campaign.clone(),
                By::Mode => c.mode.clone(),
                By::Day => c.day.clone(),
                By::Source | By::Destination => String::new(),
            };
            *counts.entry((key, c.event.clone())).or_default() += c.n;
        }
        Ok(counts
            .into_iter()
            .map(|((key, event), n)| FunnelCount { key, event, n })
            .collect())
    }

    async fn export_page(&self, filter: &LeadFilter) -> Result<Vec<ExportedLead>, StoreError> {
        let leads = self.leads.borrow();
        let mut matching: Vec<&StoredLead> = leads
            .iter()
            .filter(|l| l.spam.is_some() == filter.spam)
            .filter(|l| filter.site.as_ref().is_none_or(|s| *s == l.lead.site))
            .filter(|l| filter.since_ms.is_none_or(|t| l.received_at >= t))
            .filter(|l| filter.until_ms.is_none_or(|t| l.received_at < t))
            .filter(|l| filter.state.is_none_or(|s| l.deliveries.iter().any(|(_, d)| *d == s)))
            .filter(|l| filter.kind.is_none_or(|k| k == l.lead.kind))
            .filter(|l| filter.channel.is_none_or(|c| c == l.lead.attribution.deciding.channel))
            .filter(|l| {
                filter
                    .cursor
                    .as_ref()
                    .is_none_or(|c| (l.received_at, l.lead.id.to_string()) < (c.received_at, c.id.clone()))
            })
            .collect();
        matching.sort_by_key(|l| std::cmp::Reverse((l.received_at, l.lead.id.to_string())));
        Ok(matching
            .into_iter()
            .take(filter.limit as usize)
            .map(|l| ExportedLead {
                id: l.lead.id.to_string(),
                received_at: l.received_at,
                lead: serde_json::to_string(&l.lead).unwrap_or_default(),
                spam: l.spam.is_some(),
                spam_reason: l.spam.clone(),
                delivery: Standing::of(l.deliveries.iter().map(|(_, s)| *s)),
            })
            .collect())
    }
}
