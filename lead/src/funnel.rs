//! Anonymous funnel counts: how many launchers were shown, dialogs opened,
//! forms started and leads sent, accepted and delivered, per site, day, mode,
//! channel and campaign — counters, never visitors.
//!
//! The widget counts its events ([`Side::Widget`]) in memory and, when the page
//! is hidden, sends them as one [`Beacon`] with the visitor's touches; the
//! collector classifies those touches with the same [`attribute`] that leads
//! get, keeps only the channel and campaign, and adds the counts to a [`Tally`]
//! under [`Key`]s. The collector's own events ([`Side::Edge`]) come from the
//! leads it stores and delivers ([`Key::of_lead`]). No id, no address, no URL is
//! kept: the touches are read and dropped.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::attribution::{attribute, Classification};
use crate::json::{object, Val};
use crate::widget::Mode;
use crate::wire::{FieldError, Lead, LeadKind, Page, Touches, WIRE_VERSION};

/// Who sees an event happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The widget, in the visitor's browser (reported by a beacon).
    Widget,
    /// The collector (counted where it happens).
    Edge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Event {
    Shown,
    Opened,
    Started,
    Submitted,
    Messenger,
    Accepted,
    Delivered,
    Failed,
}

/// Which modes an event may carry (`mode` is a [`LeadKind`] name, or `''`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modes {
    /// Tied to no mode: `''` only.
    None,
    /// A dialog's mode: `callback`, `form` or `chat`.
    Dialog,
    /// Exactly this kind.
    Only(LeadKind),
    /// Any lead kind.
    AnyKind,
}

/// One event: its name on the wire and in D1, who sees it, its place in the
/// funnel (1 = first step; `None`: counted beside the funnel), and its modes.
pub struct EventRow {
    pub event: Event,
    pub name: &'static str,
    pub side: Side,
    pub step: Option<u8>,
    pub modes: Modes,
}

const fn row(event: Event, name: &'static str, side: Side, step: Option<u8>, modes: Modes) -> EventRow {
    EventRow {
        event,
        name,
        side,
        step,
        modes,
    }
}

/// Every event. The funnel: shown → opened → started → submitted → accepted → delivered.
#[rustfmt::skip]
pub const EVENTS: &[EventRow] = &[
    //  event              name         side          step     modes
    row(Event::Shown,     "shown",     Side::Widget, Some(1), Modes::None),    // the launcher appeared
    row(Event::Opened,    "opened",    Side::Widget, Some(2), Modes::Dialog),  // the dialog opened in a mode
    row(Event::Started,   "started",   Side::Widget, Some(3), Modes::Dialog),  // first input in a form
    row(Event::Submitted, "submitted", Side::Widget, Some(4), Modes::AnyKind), // the widget sent a lead
    row(Event::Messenger, "messenger", Side::Widget, None,    Modes::Only(LeadKind::MessengerClick)),
    row(Event::Accepted,  "accepted",  Side::Edge,   Some(5), Modes::AnyKind), // 202, a new lead, not spam
    row(Event::Delivered, "delivered", Side::Edge,   Some(6), Modes::AnyKind), // a delivery settled delivered
    row(Event::Failed,    "failed",    Side::Edge,   None,    Modes::AnyKind), // a delivery settled failed
];

impl Event {
    pub fn row(self) -> &'static EventRow {
        // Every variant has a row (tested), so the fallback is never taken.
        EVENTS.iter().find(|r| r.event == self).unwrap_or(&EVENTS[0])
    }

    pub fn as_str(self) -> &'static str {
        self.row().name
    }

    pub fn parse(name: &str) -> Option<Event> {
        EVENTS.iter().find(|r| r.name == name).map(|r| r.event)
    }

    /// Whether `mode` (a lead kind, `None` for `''`) fits this event.
    pub fn takes(self, mode: Option<LeadKind>) -> bool {
        match (self.row().modes, mode) {
            (Modes::None, None) => true,
            (Modes::Dialog, Some(kind)) => Mode::parse(kind.as_str()).is_some(),
            (Modes::Only(only), Some(kind)) => kind == only,
            (Modes::AnyKind, Some(_)) => true,
            _ => false,
        }
    }
}

/// The funnel's steps, in order.
pub fn steps() -> Vec<Event> {
    let mut steps: Vec<&EventRow> = EVENTS.iter().filter(|r| r.step.is_some()).collect();
    steps.sort_by_key(|r| r.step);
    steps.into_iter().map(|r| r.event).collect()
}

/// A beacon's body, in bytes: room for the page and two touches at
/// [`crate::limits::URL`] each (URLs are what make it long), and the counts.
pub const BEACON_BYTES: usize = 16 * 1024;
/// Entries in one beacon: 5 widget events × 5 modes fit many times over.
pub const MAX_COUNTS: usize = 50;
/// One entry's count: a page view that opens a dialog more often is a script.
pub const MAX_N: u32 = 1_000;
/// Keys one [`Tally`] holds between two writes; counts for further keys are dropped.
pub const MAX_KEYS: usize = 1_000;

/// One event counted `n` times in one mode (`None`: the event has no mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub event: Event,
    pub mode: Option<LeadKind>,
    pub n: u32,
}

/// Adds one `event` in `mode` to a page view's counts, within the beacon's
/// limits (an entry stops at [`MAX_N`]; past [`MAX_COUNTS`] entries new ones are dropped).
pub fn bump(counts: &mut Vec<Count>, event: Event, mode: Option<LeadKind>) {
    if let Some(count) = counts.iter_mut().find(|c| c.event == event && c.mode == mode) {
        count.n = (count.n + 1).min(MAX_N);
    } else if counts.len() < MAX_COUNTS {
        counts.push(Count { event, mode, n: 1 });
    }
}

/// What the widget posts to `POST /v1/sites/{site}/events` (as `text/plain`,
/// so `sendBeacon` needs no preflight): its counts since the last beacon, and
/// what the collector needs to classify the visit. Nothing identifies the visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct Beacon {
    pub page: Page,
    pub touches: Touches,
    pub counts: Vec<Count>,
}

/// The beacon as JSON says it, before its names are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBeacon {
    v: u8,
    page: Page,
    #[serde(default)]
    touches: Touches,
    counts: Vec<RawCount>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCount {
    event: String,
    #[serde(default)]
    mode: String,
    n: u64,
}

impl Beacon {
    /// The body the widget sends (without serde: see [`crate::json`]).
    pub fn to_json(&self) -> String {
        let Beacon { page, touches, counts } = self;
        let mut out = String::with_capacity(512);
        object(&mut out, |o| {
            o.int("v", i64::from(WIRE_VERSION));
            o.key("page").object(|o| {
                o.text("url", &page.url);
                o.opt_text("title", page.title.as_deref());
                o.opt_text("referrer", page.referrer.as_deref());
            });
            o.key("touches").object(|o| touches.write(o));
            o.key("counts").array(counts, |v: Val, c| {
                v.object(|o| {
                    o.text("event", c.event.as_str());
                    o.text("mode", c.mode.map(LeadKind::as_str).unwrap_or(""));
                    o.int("n", i64::from(c.n));
                })
            });
        });
        out
    }

    /// Parses and checks a beacon; every problem is a [`FieldError`] naming its field.
    pub fn parse(body: &[u8]) -> Result<Beacon, Vec<FieldError>> {
        if body.len() > BEACON_BYTES {
            let message = format!("A beacon is at most {} KB.", BEACON_BYTES / 1024);
            return Err(vec![FieldError::new("body", "too_large", message)]);
        }
        let raw: RawBeacon = crate::wire::parse_one(body).map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        if raw.v != WIRE_VERSION {
            errors.push(FieldError::new("v", "unsupported_version", "Send version 1."));
        }
        if raw.counts.is_empty() || raw.counts.len() > MAX_COUNTS {
            let message = format!("Send 1 to {MAX_COUNTS} counts.");
            errors.push(FieldError::new("counts", "out_of_range", message));
        }
        let mut counts = Vec::new();
        for (i, c) in raw.counts.iter().enumerate().take(MAX_COUNTS) {
            let at = |field: &str| format!("counts[{i}].{field}");
            let event = Event::parse(&c.event);
            match event {
                None => errors.push(FieldError::new(&at("event"), "unknown_event", "No such event.")),
                Some(e) if e.row().side != Side::Widget => {
                    let message = "The collector counts this event itself.";
                    errors.push(FieldError::new(&at("event"), "not_a_widget_event", message));
                }
                Some(_) => {}
            }
            let mode = match c.mode.as_str() {
                "" => Ok(None),
                name => LeadKind::parse(name).map(Some).ok_or(()),
            };
            match (event, mode) {
                (_, Err(())) => errors.push(FieldError::new(&at("mode"), "unknown_mode", "No such mode.")),
                (Some(e), Ok(m)) if !e.takes(m) => {
                    let message = format!("{} does not take this mode.", e.as_str());
                    errors.push(FieldError::new(&at("mode"), "mode_not_taken", message));
                }
                _ => {}
            }
            if !(1..=u64::from(MAX_N)).contains(&c.n) {
                let message = format!("A count is 1 to {MAX_N}.");
                errors.push(FieldError::new(&at("n"), "out_of_range", message));
            }
            if let (Some(event), Ok(mode)) = (event, mode) {
                counts.push(Count {
                    event,
                    mode,
                    n: c.n.min(u64::from(MAX_N)) as u32,
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Beacon {
            page: raw.page,
            touches: raw.touches,
            counts,
        })
    }

    /// The beacon's counts under their keys: the visit classified by the
    /// rules leads get, on `day` (see [`day`]).
    pub fn keys(&self, site: &str, day: &str) -> Vec<(Key, u64)> {
        let deciding = attribute(&self.touches, &self.page).deciding;
        self.counts
            .iter()
            .map(|c| (Key::new(site, day, c.mode, &deciding, c.event), u64::from(c.n)))
            .collect()
    }
}

/// What one daily counter counts: a row of `funnel_daily`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub site: String,
    /// `YYYY-MM-DD` in the site's zone.
    pub day: String,
    /// A lead kind's name, or `""`.
    pub mode: &'static str,
    /// A [`crate::attribution::Channel`] as serialised.
    pub channel: &'static str,
    /// `""` when none.
    pub campaign: String,
    pub event: Event,
}

impl Key {
    pub fn new(site: &str, day: &str, mode: Option<LeadKind>, deciding: &Classification, event: Event) -> Key {
        Key {
            site: site.to_owned(),
            day: day.to_owned(),
            mode: mode.map(LeadKind::as_str).unwrap_or(""),
            channel: deciding.channel.as_str(),
            campaign: deciding.campaign.clone().unwrap_or_default(),
            event,
        }
    }

    /// A collector's event about a stored lead: its kind, its attribution.
    pub fn of_lead(lead: &Lead, day: &str, event: Event) -> Key {
        Key::new(&lead.site, day, Some(lead.kind), &lead.attribution.deciding, event)
    }
}

/// Counts added up by key, between two writes. Bounded: past [`MAX_KEYS`]
/// keys, counts for new keys are dropped (and counted as dropped), so a flood
/// of made-up campaigns cannot grow it without end.
#[derive(Debug, Default)]
pub struct Tally {
    counts: BTreeMap<Key, u64>,
    dropped: u64,
}

impl Tally {
    pub fn add(&mut self, key: Key, n: u64) {
        let full = self.counts.len() >= MAX_KEYS;
        match self.counts.get_mut(&key) {
            Some(sum) => *sum = sum.saturating_add(n),
            None if full => self.dropped = self.dropped.saturating_add(n),
            None => {
                self.counts.insert(key, n);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Everything counted so far, leaving the tally empty; and how many counts were dropped.
    pub fn take(&mut self) -> (Vec<(Key, u64)>, u64) {
        let counts = std::mem::take(&mut self.counts).into_iter().collect();
        (counts, std::mem::take(&mut self.dropped))
    }
}

/// The day `at_ms` falls on in `zone` (an IANA name; UTC when `None` or
/// unknown), as `YYYY-MM-DD`.
pub fn day(at_ms: i64, zone: Option<&str>) -> String {
    let tz = zone
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let at = jiff::Timestamp::from_millisecond(at_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    at.to_zoned(tz).date().to_string()
}

/// The zone a site's days are counted in: its business hours' zone, else UTC.
pub fn site_zone(site: &crate::site::Site) -> Option<&str> {
    site.hours.as_ref().map(|h| h.time_zone.as_str())
}

#[cfg(test)]
mod tests;
