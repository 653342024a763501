//! The operator's report: leads and funnel counts of a site over a period of
//! days, grouped one way (`GET /v1/admin/stats`).
//!
//! The model: storage aggregates (leads per group × spam × [`Standing`], funnel
//! events per group × event, both in SQL) and this module folds those counts
//! into [`Row`]s, adds the conversion between funnel steps, fills in every day
//! of the period and sorts. Days are days of the site's time zone; the period
//! is inclusive at both ends.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::delivery::DeliveryState;
use crate::funnel::Event;
use crate::wire::FieldError;

/// How the rows are grouped (`by=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Channel,
    Source,
    Campaign,
    /// The lead kind (the widget's mode).
    Mode,
    /// The destination a delivery went to; a lead with two counts in both rows.
    Destination,
    Day,
}

crate::wire_names::wire_names! {
    By {
        Channel => "channel",
        Source => "source",
        Campaign => "campaign",
        Mode => "mode",
        Destination => "destination",
        Day => "day",
    }
}

impl By {
    /// Funnel counters are kept per site × day × mode × channel × campaign:
    /// neither a source nor a destination can split them.
    pub fn counts_funnel(self) -> bool {
        !matches!(self, By::Source | By::Destination)
    }
}

/// Where a lead stands with its deliveries: delivered when every one is,
/// failed when any failed or is disabled (either waits for an operator), else
/// pending. A lead with no delivery (spam, a site without destinations) has
/// none and counts in neither column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Delivered,
    Failed,
    Pending,
    NoDelivery,
}

impl Standing {
    /// The lead's standing from its deliveries' states.
    pub fn of(states: impl IntoIterator<Item = DeliveryState>) -> Standing {
        states.into_iter().fold(Standing::NoDelivery, |standing, state| {
            let this = match state {
                DeliveryState::Delivered => Standing::Delivered,
                DeliveryState::Failed | DeliveryState::Disabled => Standing::Failed,
                DeliveryState::Pending => Standing::Pending,
            };
            match (standing, this) {
                (Standing::Failed, _) | (_, Standing::Failed) => Standing::Failed,
                (Standing::Pending, _) | (_, Standing::Pending) => Standing::Pending,
                _ => Standing::Delivered,
            }
        })
    }

    /// As the CSV export and storage write it (`''` for no delivery).
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Delivered => "delivered",
            Standing::Failed => "failed",
            Standing::Pending => "pending",
            Standing::NoDelivery => "",
        }
    }

    pub fn parse(text: &str) -> Option<Standing> {
        [
            Standing::Delivered,
            Standing::Failed,
            Standing::Pending,
            Standing::NoDelivery,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// Leads of one group with one spam flag and one standing, as storage counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadCount {
    pub key: String,
    pub spam: bool,
    pub standing: Standing,
    pub n: u64,
}

/// One funnel event of one group, summed over the period's days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelCount {
    pub key: String,
    pub event: String,
    pub n: u64,
}

/// The funnel counters of a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Funnel {
    pub shown: u64,
    pub opened: u64,
    pub started: u64,
    pub submitted: u64,
    pub messenger: u64,
    pub accepted: u64,
    pub delivered: u64,
    pub failed: u64,
}

impl Funnel {
    /// The counter of `event`: every event of [`crate::funnel::EVENTS`] has one.
    fn counter(&mut self, event: Event) -> &mut u64 {
        match event {
            Event::Shown => &mut self.shown,
            Event::Opened => &mut self.opened,
            Event::Started => &mut self.started,
            Event::Submitted => &mut self.submitted,
            Event::Messenger => &mut self.messenger,
            Event::Accepted => &mut self.accepted,
            Event::Delivered => &mut self.delivered,
            Event::Failed => &mut self.failed,
        }
    }

    fn get(mut self, event: Event) -> u64 {
        *self.counter(event)
    }

    /// Adds `n` to `event`'s counter (its name in `funnel_daily.event`); an
    /// event this version does not know is left out.
    pub fn add(&mut self, event: &str, n: u64) {
        if let Some(event) = Event::parse(event) {
            let c = self.counter(event);
            *c = c.saturating_add(n);
        }
    }

    /// Each step over the step before it; `None` where that one is 0.
    pub fn conversion(&self) -> Conversion {
        let steps = crate::funnel::steps();
        let ratio = |step: Event| {
            let at = steps.iter().position(|s| *s == step)?;
            let before = self.get(*steps.get(at.checked_sub(1)?)?);
            (before > 0).then(|| self.get(step) as f64 / before as f64)
        };
        Conversion {
            opened: ratio(Event::Opened),
            started: ratio(Event::Started),
            submitted: ratio(Event::Submitted),
            accepted: ratio(Event::Accepted),
            delivered: ratio(Event::Delivered),
        }
    }
}

/// Step over previous step, for every step after the first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Conversion {
    pub opened: Option<f64>,
    pub started: Option<f64>,
    pub submitted: Option<f64>,
    pub accepted: Option<f64>,
    pub delivered: Option<f64>,
}

/// One group's numbers (the contract's ROW).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The group's value; `''` for leads without one (no campaign, no destination).
    pub key: String,
    /// Leads that are not spam.
    pub leads: u64,
    pub spam: u64,
    pub delivered: u64,
    pub failed: u64,
    pub pending: u64,
    /// `None` where the grouping cannot split the funnel (source, destination).
    pub funnel: Option<Funnel>,
    pub conversion: Option<Conversion>,
}

impl Row {
    fn new(key: &str, funnel: bool) -> Row {
        Row {
            key: key.to_owned(),
            leads: 0,
            spam: 0,
            delivered: 0,
            failed: 0,
            pending: 0,
            funnel: funnel.then(Funnel::default),
            conversion: None,
        }
    }

    fn count(&mut self, count: &LeadCount) {
        if count.spam {
            self.spam += count.n;
            return;
        }
        self.leads += count.n;
        match count.standing {
            Standing::Delivered => self.delivered += count.n,
            Standing::Failed => self.failed += count.n,
            Standing::Pending => self.pending += count.n,
            Standing::NoDelivery => {}
        }
    }
}

/// The answer of `GET /v1/admin/stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub site: String,
    pub since: String,
    pub until: String,
    pub by: By,
    pub rows: Vec<Row>,
    pub total: Row,
}

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 366;
/// The period when none is asked for: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;

/// Whole days of a site's zone, `since` to `until` inclusive, and the
/// instants they span: `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub since: Date,
    pub until: Date,
    pub from_ms: i64,
    pub to_ms: i64,
    zone: TimeZone,
}

impl Period {
    /// From the query's `since` and `until` (`YYYY-MM-DD`, either optional),
    /// read in `zone` at `now_ms`. A missing `until` is today; a missing
    /// `since` makes the period [`DEFAULT_DAYS`] long.
    pub fn new(since: Option<&str>, until: Option<&str>, zone: &TimeZone, now_ms: i64) -> Result<Period, FieldError> {
        let day = |field: &str, text: &str| {
            text.parse::<Date>()
                .ok()
                .filter(|_| text.len() == 10)
                .ok_or_else(|| FieldError::new(field, "invalid", "Give a day as YYYY-MM-DD."))
        };
        let today = Timestamp::from_millisecond(now_ms)
            .map(|t| t.to_zoned(zone.clone()).date())
            .map_err(|_| FieldError::new("until", "invalid", "The clock is out of range."))?;
        let until = until.map(|u| day("until", u)).transpose()?.unwrap_or(today);
        let since = match since {
            Some(s) => day("since", s)?,
            None => until.saturating_sub((DEFAULT_DAYS - 1).days()),
        };
        if since > until {
            return Err(FieldError::new(
                "since",
                "after_until",
                "since is a day on or before until.",
            ));
        }
        if since
            .until(until)
            .map_or(true, |span| span.get_days() >= MAX_DAYS as i32)
        {
            return Err(FieldError::new(
                "since",
                "too_long",
                format!("A report covers at most {MAX_DAYS} days."),
            ));
        }
        let start = |d: Date| {
            d.to_zoned(zone.clone())
                .map(|z| z.timestamp().as_millisecond())
                .map_err(|_| FieldError::new("until", "invalid", "This day is out of range."))
        };
        let after = until
            .tomorrow()
            .map_err(|_| FieldError::new("until", "invalid", "This day is out of range."))?;
        Ok(Period {
            since,
            until,
            from_ms: start(since)?,
            to_ms: start(after)?,
            zone: zone.clone(),
        })
    }

    /// Every day of the period, in order, as `YYYY-MM-DD`.
    pub fn days(&self) -> Vec<String> {
        self.since
            .series(1.day())
            .take_while(|d| *d <= self.until)
            .map(|d| d.to_string())
            .collect()
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The zone's UTC offset over the period as `(from_ms, offset_ms)`
    /// segments, the first starting at `from_ms`: storage shifts each
    /// `received_at` by its segment's offset and takes the UTC date, which is
    /// the local date also across a DST change inside the period.
    pub fn offsets(&self) -> Vec<(i64, i64)> {
        let offset_ms = |t: Timestamp| i64::from(self.zone.to_offset(t).seconds()) * 1000;
        let Ok(from) = Timestamp::from_millisecond(self.from_ms) else {
            return vec![(self.from_ms, 0)];
        };
        let mut segments = vec![(self.from_ms, offset_ms(from))];
        for transition in self.zone.following(from) {
            let at = transition.timestamp().as_millisecond();
            if at >= self.to_ms {
                break;
            }
            segments.push((at, i64::from(transition.offset().seconds()) * 1000));
        }
        segments
    }
}

/// The day of `ms` in `zone`, as `YYYY-MM-DD`.
pub fn day_of(ms: i64, zone: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(zone.clone()).date().to_string())
        .unwrap_or_default()
}

/// The same day as storage computes it from [`Period::offsets`] (what the
/// SQL does, written out so the tests hold it to [`day_of`]).
pub fn shifted_day(ms: i64, offsets: &[(i64, i64)]) -> String {
    let offset = offsets
        .iter()
        .rev()
        .find(|(from, _)| *from <= ms)
        .map_or(0, |(_, offset)| *offset);
    day_of(ms + offset, &TimeZone::UTC)
}

/// Folds the stored counts into the report. `total_leads` counts each lead
/// once where `leads` may count one twice (by destination); `None` sums `leads`.
pub fn report(
    site: &str,
    by: By,
    period: &Period,
    leads: &[LeadCount],
    total_leads: Option<&[LeadCount]>,
    funnel: &[FunnelCount],
) -> Report {
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    if by == By::Day {
        for day in period.days() {
            rows.insert(day.clone(), Row::new(&day, true));
        }
    }
    let mut total = Row::new("", true);
    for count in leads {
        rows.entry(count.key.clone())
            .or_insert_with(|| Row::new(&count.key, by.counts_funnel()))
            .count(count);
    }
    for count in total_leads.unwrap_or(leads) {
        total.count(count);
    }
    for count in funnel {
        if let Some(f) = total.funnel.as_mut() {
            f.add(&count.event, count.n);
        }
        if by.counts_funnel() {
            let row = rows
                .entry(count.key.clone())
                .or_insert_with(|| Row::new(&count.key, true));
            if let Some(f) = row.funnel.as_mut() {
                f.add(&count.event, count.n);
            }
        }
    }
    let mut rows: Vec<Row> = rows.into_values().map(with_conversion).collect();
    if by != By::Day {
        // Most leads first; equal ones by key, so the order is stable.
        rows.sort_by(|a, b| b.leads.cmp(&a.leads).then_with(|| a.key.cmp(&b.key)));
    }
    Report {
        site: site.to_owned(),
        since: period.since.to_string(),
        until: period.until.to_string(),
        by,
        rows,
        total: with_conversion(total),
    }
}

fn with_conversion(mut row: Row) -> Row {
    row.conversion = row.funnel.map(|f| f.conversion());
    row
}

#[cfg(test)]
mod tests;
