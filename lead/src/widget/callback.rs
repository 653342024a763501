//! When a callback can happen, as the widget shows it: computed by the
//! collector for the visitor's time zone and language, with the clock passed in.

use jiff::Timestamp;

use super::{CallbackTimes, OfferedSlot};
use crate::hours::{availability, next_slots, promise, slot_label, Availability, BusinessHours, Locale};

/// How many slots a closed site offers to pick from.
pub const OFFERED_SLOTS: usize = 6;

/// Open now and the promise; when closed, also the next [`OFFERED_SLOTS`]
/// slots, labelled in `visitor_tz` (an unknown zone reads as the site's).
pub fn callback_times(hours: &BusinessHours, now: Timestamp, visitor_tz: &str, locale: Locale) -> CallbackTimes {
    let open = matches!(availability(hours, now), Availability::Open { .. });
    let slots = if open {
        Vec::new()
    } else {
        next_slots(hours, now, OFFERED_SLOTS)
            .into_iter()
            .map(|slot| OfferedSlot::new(&slot, slot_label(hours, slot, now, visitor_tz, locale)))
            .collect()
    };
    CallbackTimes {
        open,
        promise: promise(hours, now, visitor_tz, locale).text,
        slots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moscow, Mon–Fri 09:00–18:00 with lunch 13:00–14:00; Tue 2025-11-25 a holiday.
    fn office() -> BusinessHours {
        serde_json::from_value(serde_json::json!({
            "time_zone": "Europe/Moscow",
            "week": {
                "mon": ["09:00-13:00", "14:00-18:00"], "tue": ["09:00-13:00", "14:00-18:00"],
                "wed": ["09:00-13:00", "14:00-18:00"], "thu": ["09:00-13:00", "14:00-18:00"],
                "fri": ["09:00-13:00", "14:00-18:00"],
            },
            "holidays": ["2025-11-25"],
        }))
        .expect("office hours parse")
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("a timestamp")
    }

    #[test]
    fn open_closed_and_slots_in_the_visitors_zone() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Locale, bool, &str, &[&str])] = &[
            // Monday 10:00 in Moscow: open, no slots to pick.
            ("2025-11-24T10:00:00+03:00", "Europe/Moscow", Locale::En, true,
             "We'll call you within 15 minutes", &[]),
            // Lunch: closed until 14:00 Moscow, 21:00 in Vladivostok.
            ("2025-11-24T13:10:00+03:00", "Asia/Vladivostok", Locale::Ru, false,
             "Перезвоним сегодня в 21:00",
             &["сегодня в 21:00", "сегодня в 21:30", "сегодня в 22:00", "сегодня в 22:30", "сегодня в 23:00",
               "сегодня в 23:30"]),
            // Monday evening, Tuesday a holiday: Wednesday 09:00.
            ("2025-11-24T19:00:00+03:00", "Europe/Moscow", Locale::En, false,
             "We'll call you back on Wednesday at 09:00",
             &["on Wednesday at 09:00", "on Wednesday at 09:30", "on Wednesday at 10:00", "on Wednesday at 10:30",
               "on Wednesday at 11:00", "on Wednesday at 11:30"]),
            // Just before closing: open, but the promise names the next slot.
            ("2025-11-24T17:50:00+03:00", "Nowhere/Atlantis", Locale::En, true,
             "We'll call you back on Wednesday at 09:00", &[]),
        ];
        for (now, zone, locale, open, promise, labels) in cases {
            let times = callback_times(&office(), at(now), zone, *locale);
            let got: Vec<&str> = times.slots.iter().map(|s| s.label.as_str()).collect();
            assert_eq!(
                (times.open, times.promise.as_str(), got.as_slice()),
                (*open, *promise, *labels),
                "{now}"
            );
        }
    }

    #[test]
    fn slots_are_the_schedules_own() {
        let now = at("2025-11-24T19:00:00+03:00");
        let times = callback_times(&office(), now, "Asia/Vladivostok", Locale::En);
        assert_eq!(times.slots.len(), OFFERED_SLOTS);
        for offered in &times.slots {
            let slot = offered.slot().expect("in range");
            assert_eq!(crate::hours::check_slot(&office(), &slot, now), Ok(()));
        }
        let json = serde_json::to_value(&times.slots[0]).expect("serialises");
        assert_eq!(json["start_ms"], at("2025-11-26T06:00:00Z").as_millisecond());
        assert_eq!(json["end_ms"], at("2025-11-26T06:30:00Z").as_millisecond());
        // Monday 19:00 in Moscow is already Tuesday in Vladivostok.
        assert_eq!(json["label"], "tomorrow at 16:00");
    }
}
