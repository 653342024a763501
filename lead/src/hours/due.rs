//! The promise as a time: by when the business said it would answer a lead.
//! The rule is [`promise()`](super::promise)'s, so the sentence the visitor
//! read and the time a manager sees never disagree.

use jiff::Timestamp;

use super::{availability, minutes, next_slots, plus, Availability, BusinessHours, Slot};
use crate::wire::{Lead, LeadKind};

/// The kinds whose visitor is shown a promise: only the callback dialog
/// says when (the widget's thank-you text). A form, a chat or a click is
/// promised nothing, so it carries no time.
const PROMISED_KINDS: &[LeadKind] = &[LeadKind::Callback];

/// By when a lead arriving at `now` is to be answered: the start of the
/// `chosen` slot; else, while open long enough, `now` plus the answer time;
/// else the start of the first bookable slot; `None` when there is none
/// within the horizon (the visitor was told "as soon as we can").
pub fn due(hours: &BusinessHours, now: Timestamp, chosen: Option<Slot>) -> Option<Timestamp> {
    if let Some(slot) = chosen {
        return Some(slot.start);
    }
    if let Availability::Open {
        answer_within_minutes,
        closes_at,
    } = availability(hours, now)
    {
        let by = plus(now, minutes(answer_within_minutes));
        if by <= closes_at {
            return Some(by);
        }
    }
    next_slots(hours, now, 1).first().map(|slot| slot.start)
}

/// [`due`] for a lead, as the wire carries it (RFC 3339, UTC): `None` for a
/// kind promised nothing or a site without hours (the widget then shows no time).
pub fn expected_response_by(lead: &Lead, hours: Option<&BusinessHours>, now: Timestamp) -> Option<String> {
    if !PROMISED_KINDS.contains(&lead.kind) {
        return None;
    }
    due(hours?, now, lead.slot).map(|at| at.to_string())
}
