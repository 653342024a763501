//! Business hours and callback slots.
//!
//! A site's [`BusinessHours`] is a weekly schedule of local wall-clock
//! intervals in one IANA time zone, with holidays and special days. Each
//! interval on a date becomes a *period*: the instants from when the local
//! clock first reads its start until it first reads its end. So an interval
//! inside a spring-forward gap is empty, one that starts in the gap opens at
//! the jump, and one across an autumn fall-back lasts the extra hour.
//!
//! From the periods, with the clock passed in:
//! - [`availability`]: open now (until when), or when it opens next;
//! - [`next_slots`]: callback [`Slot`]s, `slot_minutes` long, stepped from
//!   each period's start, at least `lead_time_minutes` ahead;
//! - [`check_slot`]: whether a slot sent with a lead is one of them;
//! - [`promise()`]: what to tell the visitor, in their own time zone;
//! - [`due()`]: the same promise as a time, for the lead and its destinations.
//!
//! Nothing looks further than [`HORIZON_DAYS`] ahead, so every search ends.

mod config;
mod due;
mod promise;
#[cfg(test)]
mod tests;

use std::fmt;

use jiff::civil::{Date, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

pub use config::{BusinessHours, Interval, Week};
pub use due::{due, expected_response_by};
pub use promise::{promise, promise_at, slot_label, Day, Locale, Promise, When};

/// How far ahead slots are offered, and the furthest a chosen slot may be.
pub const HORIZON_DAYS: i64 = 60;
const HORIZON: SignedDuration = SignedDuration::from_hours(HORIZON_DAYS * 24);

/// Whether the site takes calls now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Open until `closes_at` (across breaks of zero length and midnights).
    Open {
        answer_within_minutes: u32,
        closes_at: Timestamp,
    },
    Closed {
        next_open: Timestamp,
    },
    /// Not open within [`HORIZON_DAYS`] (or the time zone is unknown).
    Never,
}

/// A callback time the visitor chose; travels with the lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Why a slot sent with a lead is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotError {
    /// It ended before now.
    Over,
    /// It starts more than [`HORIZON_DAYS`] from now.
    TooFar,
    /// The schedule has no such slot (closed then, misaligned or the wrong length).
    NotOffered,
}

impl SlotError {
    /// Stable machine code for the wire's field errors.
    pub fn code(self) -> &'static str {
        match self {
            SlotError::Over => "slot_over",
            SlotError::TooFar => "slot_too_far",
            SlotError::NotOffered => "slot_not_offered",
        }
    }
}

impl fmt::Display for SlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SlotError::Over => "This time has passed; pick another.",
            SlotError::TooFar => "This time is too far ahead; pick one of the times offered.",
            SlotError::NotOffered => "We do not take calls at this time; pick one of the times offered.",
        })
    }
}

impl std::error::Error for SlotError {}

/// Open at `now` (and until when), or when it opens next.
pub fn availability(hours: &BusinessHours, now: Timestamp) -> Availability {
    let Some(tz) = zone(&hours.time_zone) else {
        return Availability::Never;
    };
    let mut periods = periods(hours, &tz, now).skip_while(|p| p.end <= now);
    match periods.next() {
        Some(p) if p.start <= now => {
            let mut closes_at = p.end;
            for next in periods {
                if next.start > closes_at {
                    break;
                }
                closes_at = closes_at.max(next.end);
            }
            Availability::Open {
                answer_within_minutes: hours.answer_within_minutes,
                closes_at,
            }
        }
        Some(p) if p.start <= plus(now, HORIZON) => Availability::Closed { next_open: p.start },
        _ => Availability::Never,
    }
}

/// The next `count` slots that start at least the lead time after `now`.
pub fn next_slots(hours: &BusinessHours, now: Timestamp, count: usize) -> Vec<Slot> {
    let Some(tz) = zone(&hours.time_zone) else {
        return Vec::new();
    };
    let earliest = plus(now, minutes(hours.lead_time_minutes));
    let latest = plus(now, HORIZON);
    periods(hours, &tz, now)
        .flat_map(|p| slots_in(p, slot_length(hours)))
        .filter(|s| s.start >= earliest)
        .take_while(|s| s.start <= latest)
        .take(count)
        .collect()
}

/// Whether `slot` is one the schedule offers and is not over yet. The lead
/// time is not applied: it was when the slot was offered, and the visitor may
/// take a while to send the form.
pub fn check_slot(hours: &BusinessHours, slot: &Slot, now: Timestamp) -> Result<(), SlotError> {
    if slot.end <= now {
        return Err(SlotError::Over);
    }
    if slot.start > plus(now, HORIZON) {
        return Err(SlotError::TooFar);
    }
    let tz = zone(&hours.time_zone).ok_or(SlotError::NotOffered)?;
    let period = periods(hours, &tz, slot.start).find(|p| p.end > slot.start);
    match period {
        Some(p) if slots_in(p, slot_length(hours)).any(|s| s == *slot) => Ok(()),
        _ => Err(SlotError::NotOffered),
    }
}

/// Open from `start` until `end`: one interval on one date.
#[derive(Debug, Clone, Copy)]
struct Period {
    start: Timestamp,
    end: Timestamp,
}

/// The periods in time order, from the site's date at `from` to the horizon.
fn periods<'a>(hours: &'a BusinessHours, tz: &'a TimeZone, from: Timestamp) -> impl Iterator<Item = Period> + 'a {
    let first = tz.to_datetime(from).date();
    std::iter::successors(Some(first), |d| d.tomorrow().ok())
        .take(HORIZON_DAYS as usize + 1)
        .flat_map(move |date| {
            let mut day = hours.intervals_on(date).to_vec();
            day.sort_unstable();
            day.into_iter().filter_map(move |i| {
                let start = instant(tz, date, i.start_minute())?;
                let end = instant(tz, date, i.end_minute())?;
                (start < end).then_some(Period { start, end })
            })
        })
}

fn slots_in(p: Period, length: SignedDuration) -> impl Iterator<Item = Slot> {
    std::iter::successors(Some(p.start), move |s| s.checked_add(length).ok())
        .map(move |start| Slot {
            start,
            end: plus(start, length),
        })
        .take_while(move |s| s.end <= p.end)
}

/// The first instant at which the local clock reads `minute` on `date`: in a
/// spring-forward gap that is the jump itself; in a fall-back fold, the first pass.
fn instant(tz: &TimeZone, date: Date, minute: u16) -> Option<Timestamp> {
    let (date, minute) = match minute {
        1440 => (date.tomorrow().ok()?, 0),
        m => (date, m),
    };
    let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    let local = date.to_datetime(time);
    let ambiguous = tz.to_ambiguous_timestamp(local);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { after, .. } => {
            let before_jump = after.to_timestamp(local).ok()?;
            tz.following(before_jump).next().map(|t| t.timestamp())
        }
        _ => ambiguous.compatible().ok(),
    }
}

fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

fn slot_length(hours: &BusinessHours) -> SignedDuration {
    // Never zero, so stepping through a period always moves on.
    minutes(hours.slot_minutes.max(1))
}

fn minutes(m: u32) -> SignedDuration {
    SignedDuration::from_mins(i64::from(m))
}

/// Saturating: times come from browsers and requests.
fn plus(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(Timestamp::MAX)
}
