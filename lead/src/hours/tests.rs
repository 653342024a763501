//! The specification, as tables. Clocks are fixed instants with their offset;
//! expected times read `Mon 23 10:00` in the site's zone unless a table says
//! otherwise. The office is in Moscow (UTC+3 all year):
//!
//! | days | open |
//! |---|---|
//! | Mon–Thu | 09:00–13:00, 14:00–18:00 (lunch 13–14) |
//! | Fri | 09:00–13:00, 14:00–16:45 |
//! | Sat, Sun | closed |
//! | Tue 2026-11-03 | 09:00–15:00 (the day before a holiday) |
//! | Wed 2026-11-04, Thu 2026-12-31, 2027-01-01…08 | holidays |

use jiff::civil::Weekday;

use super::*;

const OFFICE: &str = r#"{
    "time_zone": "Europe/Moscow",
    "week": {
        "mon": ["09:00-13:00", "14:00-18:00"], "tue": ["09:00-13:00", "14:00-18:00"],
        "wed": ["09:00-13:00", "14:00-18:00"], "thu": ["09:00-13:00", "14:00-18:00"],
        "fri": ["09:00-13:00", "14:00-16:45"]
    },
    "holidays": ["2026-11-04", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04",
                 "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08"],
    "special_days": { "2026-11-03": ["09:00-15:00"] }
}"#;

fn hours(json: &str) -> BusinessHours {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn office() -> BusinessHours {
    hours(OFFICE)
}

/// The office's week in another zone.
fn office_in(zone: &str) -> BusinessHours {
    BusinessHours {
        time_zone: zone.into(),
        ..office()
    }
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn local(t: Timestamp, zone: &str, format: &str) -> String {
    let tz = TimeZone::get(zone).unwrap_or_else(|e| panic!("{zone}: {e}"));
    t.to_zoned(tz).strftime(format).to_string()
}

fn render_availability(a: Availability, zone: &str) -> String {
    match a {
        Availability::Open { closes_at, .. } => format!("open until {}", local(closes_at, zone, "%a %d %H:%M")),
        Availability::Closed { next_open } => format!("closed until {}", local(next_open, zone, "%a %d %H:%M")),
        Availability::Never => "never".into(),
    }
}

fn starts(slots: &[Slot], zone: &str, format: &str) -> String {
    slots
        .iter()
        .map(|s| local(s.start, zone, format))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn availability_of_the_office() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        ("inside hours",                  "2026-11-23T10:00+03:00", "open until Mon 23 13:00"),
        ("the opening minute is open",    "2026-11-23T09:00+03:00", "open until Mon 23 13:00"),
        ("a minute before opening",       "2026-11-23T08:59+03:00", "closed until Mon 23 09:00"),
        ("the clock in UTC",              "2026-11-23T07:00:00Z",   "open until Mon 23 13:00"),
        ("lunch starts at 13:00",         "2026-11-23T13:00+03:00", "closed until Mon 23 14:00"),
        ("lunch break",                   "2026-11-23T13:30+03:00", "closed until Mon 23 14:00"),
        ("last minute of the day",        "2026-11-23T17:59+03:00", "open until Mon 23 18:00"),
        ("closing time",                  "2026-11-23T18:00+03:00", "closed until Tue 24 09:00"),
        ("after hours on Friday",         "2026-11-27T16:45+03:00", "closed until Mon 30 09:00"),
        ("Saturday",                      "2026-11-28T12:00+03:00", "closed until Mon 30 09:00"),
        ("Sunday night",                  "2026-11-29T23:59+03:00", "closed until Mon 30 09:00"),
        ("special short day, open",       "2026-11-03T14:30+03:00", "open until Tue 03 15:00"),
        ("special short day, then a holiday", "2026-11-03T15:30+03:00", "closed until Thu 05 09:00"),
        ("holiday",                       "2026-11-04T10:00+03:00", "closed until Thu 05 09:00"),
        ("New Year holidays",             "2026-12-30T18:30+03:00", "closed until Mon 11 09:00"),
    ];
    let office = office();
    for (what, now, expected) in cases {
        let got = render_availability(availability(&office, at(now)), "Europe/Moscow");
        assert_eq!(got, *expected, "{what}: at {now}");
    }
}

#[test]
fn availability_of_other_schedules() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, &str)] = &[
        ("no open days",
         r#"{"time_zone": "Europe/Moscow"}"#, "2026-11-23T10:00+03:00", "never"),
        ("only closed days",
         r#"{"time_zone": "Europe/Moscow", "week": {"mon": []}, "special_days": {"2026-11-24": []}}"#,
         "2026-11-23T10:00+03:00", "never"),
        ("the only open day is past the horizon",
         r#"{"time_zone": "Europe/Moscow", "special_days": {"2027-03-01": ["09:00-18:00"]}}"#,
         "2026-11-23T10:00+03:00", "never"),
        ("a special day opens a weekend",
         r#"{"time_zone": "Europe/Moscow", "special_days": {"2026-11-28": ["10:00-14:00"]}}"#,
         "2026-11-23T10:00+03:00", "closed until Sat 28 10:00"),
        ("unknown zone",
         r#"{"time_zone": "Mars/Olympus", "week": {"mon": ["09:00-18:00"]}}"#, "2026-11-23T10:00+03:00", "never"),
        ("a night shift is open across midnight",
         r#"{"time_zone": "Europe/Moscow", "week": {"fri": ["22:00-24:00"], "sat": ["00:00-02:00"]}}"#,
         "2026-11-27T23:00+03:00", "open until Sat 28 02:00"),
        ("back-to-back intervals are one opening",
         r#"{"time_zone": "Europe/Moscow", "week": {"mon": ["09:00-13:00", "13:00-18:00"]}}"#,
         "2026-11-23T10:00+03:00", "open until Mon 23 18:00"),
        ("intervals listed out of order",
         r#"{"time_zone": "Europe/Moscow", "week": {"mon": ["14:00-18:00", "09:00-13:00"]}}"#,
         "2026-11-23T08:00+03:00", "closed until Mon 23 09:00"),
    ];
    for (what, json, now, expected) in cases {
        let got = render_availability(availability(&hours(json), at(now)), "Europe/Moscow");
        assert_eq!(got, *expected, "{what}: at {now}");
    }
}

#[test]
fn always_open_is_open_to_the_horizon() {
    let always = hours(
        r#"{"time_zone": "Europe/Berlin", "week": {"mon": ["00:00-24:00"], "tue": ["00:00-24:00"],
        "wed": ["00:00-24:00"], "thu": ["00:00-24:00"], "fri": ["00:00-24:00"], "sat": ["00:00-24:00"],
        "sun": ["00:00-24:00"]}}"#,
    );
    let now = at("2026-11-23T10:00+03:00");
    match availability(&always, now) {
        Availability::Open { closes_at, .. } => assert!(closes_at >= plus(now, HORIZON), "{closes_at}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn next_slots_of_the_office() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, usize, &str)] = &[
        ("inside hours, 15 min lead time",  "2026-11-23T10:00+03:00", 3, "Mon 23 10:30, Mon 23 11:00, Mon 23 11:30"),
        ("lead time exactly to a slot",     "2026-11-23T10:15+03:00", 3, "Mon 23 10:30, Mon 23 11:00, Mon 23 11:30"),
        ("a minute too late for it",        "2026-11-23T10:16+03:00", 3, "Mon 23 11:00, Mon 23 11:30, Mon 23 12:00"),
        ("before opening",                  "2026-11-23T03:00+03:00", 3, "Mon 23 09:00, Mon 23 09:30, Mon 23 10:00"),
        ("across the lunch break",          "2026-11-23T12:00+03:00", 3, "Mon 23 12:30, Mon 23 14:00, Mon 23 14:30"),
        ("just before close: one slot left", "2026-11-23T17:15+03:00", 3, "Mon 23 17:30, Tue 24 09:00, Tue 24 09:30"),
        ("just before close: next day",     "2026-11-23T17:20+03:00", 3, "Tue 24 09:00, Tue 24 09:30, Tue 24 10:00"),
        ("only whole slots before closing", "2026-11-27T15:30+03:00", 3, "Fri 27 16:00, Mon 30 09:00, Mon 30 09:30"),
        ("weekend",                         "2026-11-28T12:00+03:00", 2, "Mon 30 09:00, Mon 30 09:30"),
        ("special short day, then holiday", "2026-11-03T14:00+03:00", 3, "Tue 03 14:30, Thu 05 09:00, Thu 05 09:30"),
        ("New Year holidays",               "2026-12-30T17:50+03:00", 1, "Mon 11 09:00"),
        ("none asked",                      "2026-11-23T10:00+03:00", 0, ""),
    ];
    let office = office();
    for (what, now, count, expected) in cases {
        let got = starts(&next_slots(&office, at(now), *count), "Europe/Moscow", "%a %d %H:%M");
        assert_eq!(got, *expected, "{what}: at {now}");
    }
}

#[test]
fn slot_length_and_lead_time_come_from_the_schedule() {
    #[rustfmt::skip]
    let cases: &[(u32, u32, &str)] = &[
        // slot, lead time → from Mon 23 10:00
        (60, 0,   "Mon 23 10:00-11:00, Mon 23 11:00-12:00, Mon 23 12:00-13:00"),
        (45, 0,   "Mon 23 10:30-11:15, Mon 23 11:15-12:00, Mon 23 12:00-12:45"),
        (30, 120, "Mon 23 12:00-12:30, Mon 23 12:30-13:00, Mon 23 14:00-14:30"),
        (240, 0,  "Mon 23 14:00-18:00, Tue 24 09:00-13:00, Tue 24 14:00-18:00"),
    ];
    for (slot_minutes, lead_time_minutes, expected) in cases {
        let office = BusinessHours {
            slot_minutes: *slot_minutes,
            lead_time_minutes: *lead_time_minutes,
            ..office()
        };
        let got: Vec<_> = next_slots(&office, at("2026-11-23T10:00+03:00"), 3)
            .iter()
            .map(|s| {
                format!(
                    "{}-{}",
                    local(s.start, "Europe/Moscow", "%a %d %H:%M"),
                    local(s.end, "Europe/Moscow", "%H:%M")
                )
            })
            .collect();
        assert_eq!(
            got.join(", "),
            *expected,
            "slot {slot_minutes}, lead time {lead_time_minutes}"
        );
    }
}

#[test]
fn daylight_saving_days_in_berlin_and_moscow() {
    // Berlin springs forward on 2026-03-29 (02:00 CET → 03:00 CEST) and falls
    // back on 2026-10-25 (03:00 CEST → 02:00 CET); Moscow keeps UTC+3.
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, &str)] = &[
        ("Europe/Berlin", "2026-03-29", "02:00-03:00", ""),
        ("Europe/Berlin", "2026-03-29", "01:30-04:00", "01:30+01:00, 03:00+02:00, 03:30+02:00"),
        ("Europe/Berlin", "2026-03-29", "02:30-04:00", "03:00+02:00, 03:30+02:00"),
        ("Europe/Berlin", "2026-10-25", "01:00-04:00",
         "01:00+02:00, 01:30+02:00, 02:00+02:00, 02:30+02:00, 02:00+01:00, 02:30+01:00, 03:00+01:00, 03:30+01:00"),
        ("Europe/Berlin", "2026-10-25", "02:00-03:00", "02:00+02:00, 02:30+02:00, 02:00+01:00, 02:30+01:00"),
        ("Europe/Berlin", "2026-10-25", "02:30-03:00", "02:30+02:00, 02:00+01:00, 02:30+01:00"),
        ("Europe/Moscow", "2026-03-29", "02:00-03:00", "02:00+03:00, 02:30+03:00"),
        ("Europe/Moscow", "2026-10-25", "02:00-03:00", "02:00+03:00, 02:30+03:00"),
    ];
    for (zone, date, interval, expected) in cases {
        let json = format!(r#"{{"time_zone": "{zone}", "special_days": {{"{date}": ["{interval}"]}}}}"#);
        let now = at(&format!("{date}T00:00Z"))
            .checked_sub(SignedDuration::from_hours(24))
            .unwrap();
        let got = next_slots(&hours(&json), now, 10);
        assert_eq!(starts(&got, zone, "%H:%M%:z"), *expected, "{zone} {date} {interval}");
        for slot in &got {
            assert_eq!(
                slot.end.duration_since(slot.start),
                SignedDuration::from_mins(30),
                "{slot:?}"
            );
        }
    }
}

#[test]
fn the_same_week_in_moscow_and_berlin_across_both_changes() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        // zone, Friday evening → Monday's first slot, in UTC
        ("Europe/Moscow", "2026-03-20T18:00Z", "2026-03-23T06:00:00Z"),
        ("Europe/Berlin", "2026-03-20T18:00Z", "2026-03-23T08:00:00Z"),
        ("Europe/Moscow", "2026-03-27T18:00Z", "2026-03-30T06:00:00Z"),
        ("Europe/Berlin", "2026-03-27T18:00Z", "2026-03-30T07:00:00Z"),
        ("Europe/Moscow", "2026-10-23T18:00Z", "2026-10-26T06:00:00Z"),
        ("Europe/Berlin", "2026-10-23T18:00Z", "2026-10-26T08:00:00Z"),
    ];
    for (zone, now, expected) in cases {
        let first = next_slots(&office_in(zone), at(now), 1);
        assert_eq!(
            first.first().map(|s| s.start.to_string()).as_deref(),
            Some(*expected),
            "{zone} at {now}"
        );
    }
}

#[test]
fn check_slot_accepts_only_offered_slots() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, &str, Result<(), SlotError>)] = &[
        ("offered",                    "2026-11-23T10:00+03:00", "2026-11-23T10:30+03:00", "2026-11-23T11:00+03:00", Ok(())),
        ("last slot before lunch",     "2026-11-23T10:00+03:00", "2026-11-23T12:30+03:00", "2026-11-23T13:00+03:00", Ok(())),
        ("in UTC",                     "2026-11-23T10:00+03:00", "2026-11-24T06:00:00Z",   "2026-11-24T06:30:00Z",   Ok(())),
        ("inside the lead time",       "2026-11-23T10:20+03:00", "2026-11-23T10:30+03:00", "2026-11-23T11:00+03:00", Ok(())),
        ("begun, not over",            "2026-11-23T10:00+03:00", "2026-11-23T10:00+03:00", "2026-11-23T10:30+03:00", Ok(())),
        ("over",                       "2026-11-23T10:00+03:00", "2026-11-23T09:00+03:00", "2026-11-23T09:30+03:00", Err(SlotError::Over)),
        ("ended this instant",         "2026-11-23T10:00+03:00", "2026-11-23T09:30+03:00", "2026-11-23T10:00+03:00", Err(SlotError::Over)),
        ("misaligned",                 "2026-11-23T10:00+03:00", "2026-11-23T10:45+03:00", "2026-11-23T11:15+03:00", Err(SlotError::NotOffered)),
        ("wrong length",               "2026-11-23T10:00+03:00", "2026-11-23T10:30+03:00", "2026-11-23T11:30+03:00", Err(SlotError::NotOffered)),
        ("end before start",           "2026-11-23T10:00+03:00", "2026-11-23T11:30+03:00", "2026-11-23T11:00+03:00", Err(SlotError::NotOffered)),
        ("lunch",                      "2026-11-23T10:00+03:00", "2026-11-23T13:00+03:00", "2026-11-23T13:30+03:00", Err(SlotError::NotOffered)),
        ("runs past closing",          "2026-11-27T10:00+03:00", "2026-11-27T16:30+03:00", "2026-11-27T17:00+03:00", Err(SlotError::NotOffered)),
        ("weekend",                    "2026-11-23T10:00+03:00", "2026-11-28T10:00+03:00", "2026-11-28T10:30+03:00", Err(SlotError::NotOffered)),
        ("holiday",                    "2026-11-23T10:00+03:00", "2026-12-31T10:00+03:00", "2026-12-31T10:30+03:00", Err(SlotError::NotOffered)),
        ("special day, inside",        "2026-11-02T10:00+03:00", "2026-11-03T14:30+03:00", "2026-11-03T15:00+03:00", Ok(())),
        ("special day, after it ends", "2026-11-02T10:00+03:00", "2026-11-03T15:00+03:00", "2026-11-03T15:30+03:00", Err(SlotError::NotOffered)),
        ("exactly 60 days ahead",      "2026-11-23T10:00+03:00", "2027-01-22T10:00+03:00", "2027-01-22T10:30+03:00", Ok(())),
        ("past the horizon",           "2026-11-23T10:00+03:00", "2027-01-22T10:30+03:00", "2027-01-22T11:00+03:00", Err(SlotError::TooFar)),
        ("the dawn of time",           "2026-11-23T10:00+03:00", "1970-01-01T00:00Z",      "1970-01-01T00:30Z",      Err(SlotError::Over)),
        ("the end of time",            "2026-11-23T10:00+03:00", "9999-12-01T00:00Z",      "9999-12-01T00:30Z",      Err(SlotError::TooFar)),
    ];
    let office = office();
    for (what, now, start, end, expected) in cases {
        let slot = Slot {
            start: at(start),
            end: at(end),
        };
        assert_eq!(check_slot(&office, &slot, at(now)), *expected, "{what}");
    }
}

#[test]
fn every_offered_slot_passes_the_check_and_the_search_ends() {
    let now = at("2026-11-23T10:00+03:00");
    for hours in [office(), office_in("Europe/Berlin"), office_in("America/New_York")] {
        let slots = next_slots(&hours, now, usize::MAX);
        assert!(slots.len() > 100, "{}", slots.len());
        assert!(
            slots.windows(2).all(|w| w[0].end <= w[1].start),
            "in order, no overlaps"
        );
        assert!(
            slots.iter().all(|s| s.start <= plus(now, HORIZON)),
            "within the horizon"
        );
        for slot in &slots {
            assert_eq!(check_slot(&hours, slot, now), Ok(()), "{slot:?}");
        }
    }
    // One-minute slots all day, every day: still bounded.
    let mut busy = hours(r#"{"time_zone": "UTC", "special_days": {}}"#);
    busy.week.mon = vec!["00:00-24:00".parse().unwrap()];
    busy.slot_minutes = 0;
    assert!(next_slots(&busy, now, usize::MAX).len() <= 9 * 1440);
}

#[test]
fn clocks_at_the_ends_of_time_never_panic() {
    let office = office();
    for now in [Timestamp::MIN, Timestamp::MAX] {
        let slot = Slot { start: now, end: now };
        assert!(next_slots(&office, now, 3).len() <= 3);
        assert!(check_slot(&office, &slot, now).is_err());
        let _ = (
            availability(&office, now),
            promise(&office, now, "Asia/Vladivostok", Locale::Ru),
        );
        let _ = slot_label(&office, slot, now, "", Locale::En);
    }
}

#[test]
fn the_promise() {
    use Locale::{En, Ru};
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, Locale, &str)] = &[
        ("inside hours",                 "2026-11-23T10:00+03:00", "Europe/Moscow", En, "We'll call you within 15 minutes"),
        ("inside hours, RU",             "2026-11-23T10:00+03:00", "Europe/Moscow", Ru, "Перезвоним в течение 15 минут"),
        ("just in time before lunch",    "2026-11-23T12:45+03:00", "Europe/Moscow", En, "We'll call you within 15 minutes"),
        ("too close to lunch",           "2026-11-23T12:50+03:00", "Europe/Moscow", En, "We'll call you back today at 14:00"),
        ("too close to closing",         "2026-11-23T17:50+03:00", "Europe/Moscow", En, "We'll call you back tomorrow at 09:00"),
        ("too close to closing, RU",     "2026-11-23T17:50+03:00", "Europe/Moscow", Ru, "Перезвоним завтра в 09:00"),
        ("Friday evening",               "2026-11-27T18:00+03:00", "Europe/Moscow", En, "We'll call you back on Monday at 09:00"),
        ("Friday evening, RU",           "2026-11-27T18:00+03:00", "Europe/Moscow", Ru, "Перезвоним в понедельник в 09:00"),
        ("before a holiday, RU",         "2026-11-03T16:00+03:00", "Europe/Moscow", Ru, "Перезвоним в четверг в 09:00"),
        ("more than 6 days away",        "2026-12-30T18:30+03:00", "Europe/Moscow", En, "We'll call you back on 11 January at 09:00"),
        ("more than 6 days away, RU",    "2026-12-30T18:30+03:00", "Europe/Moscow", Ru, "Перезвоним 11 января в 09:00"),
        // Vladivostok is 7 hours ahead of Moscow.
        ("Vladivostok, Friday evening",  "2026-11-27T18:00+03:00", "Asia/Vladivostok", En, "We'll call you back on Monday at 16:00"),
        ("Vladivostok, already Monday",  "2026-11-29T20:00+03:00", "Asia/Vladivostok", En, "We'll call you back today at 16:00"),
        ("Vladivostok, RU",              "2026-11-23T17:50+03:00", "Asia/Vladivostok", Ru, "Перезвоним сегодня в 16:00"),
        ("Vladivostok, inside hours",    "2026-11-23T10:00+03:00", "Asia/Vladivostok", Ru, "Перезвоним в течение 15 минут"),
        ("New York, behind",             "2026-11-23T17:50+03:00", "America/New_York", En, "We'll call you back tomorrow at 01:00"),
        ("unknown visitor zone",         "2026-11-23T17:50+03:00", "Mars/Olympus",  En, "We'll call you back tomorrow at 09:00"),
        ("no visitor zone",              "2026-11-23T17:50+03:00", "",              Ru, "Перезвоним завтра в 09:00"),
    ];
    let office = office();
    for (what, now, visitor, locale, expected) in cases {
        assert_eq!(promise(&office, at(now), visitor, *locale).text, *expected, "{what}");
    }
}

#[test]
fn the_promise_as_data() {
    let office = office();
    let now = at("2026-11-23T17:50+03:00");
    let first = next_slots(&office, now, 1)[0];
    let when = |visitor| promise(&office, now, visitor, Locale::En).when;
    let time = |h| jiff::civil::Time::new(h, 0, 0, 0).unwrap();
    assert_eq!(
        when("Asia/Vladivostok"),
        When::At {
            slot: first,
            day: Day::Today,
            time: time(16),
            time_zone: "Asia/Vladivostok".into()
        }
    );
    assert_eq!(
        when("nowhere"),
        When::At {
            slot: first,
            day: Day::Tomorrow,
            time: time(9),
            time_zone: "Europe/Moscow".into()
        }
    );
    assert_eq!(
        promise(&office, at("2026-11-23T10:00+03:00"), "", Locale::Ru).when,
        When::Within { minutes: 15 }
    );
    let never = hours(r#"{"time_zone": "Europe/Moscow"}"#);
    for (locale, text) in [
        (Locale::En, "We'll call you back as soon as we can"),
        (Locale::Ru, "Перезвоним, как только сможем"),
    ] {
        assert_eq!(
            promise(&never, now, "", locale),
            Promise {
                when: When::Unscheduled,
                text: text.into()
            }
        );
    }
}

#[test]
fn minutes_are_counted_in_each_language() {
    #[rustfmt::skip]
    let cases: &[(u32, &str, &str)] = &[
        (1,  "We'll call you within 1 minute",   "Перезвоним в течение 1 минуты"),
        (5,  "We'll call you within 5 minutes",  "Перезвоним в течение 5 минут"),
        (11, "We'll call you within 11 minutes", "Перезвоним в течение 11 минут"),
        (21, "We'll call you within 21 minutes", "Перезвоним в течение 21 минуты"),
        (30, "We'll call you within 30 minutes", "Перезвоним в течение 30 минут"),
    ];
    for (minutes, en, ru) in cases {
        let office = BusinessHours {
            answer_within_minutes: *minutes,
            ..office()
        };
        let now = at("2026-11-23T10:00+03:00");
        assert_eq!(promise(&office, now, "", Locale::En).text, *en);
        assert_eq!(promise(&office, now, "", Locale::Ru).text, *ru);
    }
}

#[test]
fn slot_labels_say_the_day_as_people_do() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str, &str)] = &[
        // now (Moscow), slot start → EN, RU
        ("2026-11-23T08:00+03:00", "2026-11-23T15:00+03:00", "today at 15:00",        "сегодня в 15:00"),
        ("2026-11-23T23:59+03:00", "2026-11-24T10:00+03:00", "tomorrow at 10:00",     "завтра в 10:00"),
        ("2026-11-23T10:00+03:00", "2026-11-25T10:30+03:00", "on Wednesday at 10:30", "в среду в 10:30"),
        ("2026-11-23T10:00+03:00", "2026-11-26T10:00+03:00", "on Thursday at 10:00",  "в четверг в 10:00"),
        ("2026-11-23T10:00+03:00", "2026-11-27T10:00+03:00", "on Friday at 10:00",    "в пятницу в 10:00"),
        ("2026-11-23T10:00+03:00", "2026-11-28T10:00+03:00", "on Saturday at 10:00",  "в субботу в 10:00"),
        ("2026-11-23T10:00+03:00", "2026-11-29T10:00+03:00", "on Sunday at 10:00",    "в воскресенье в 10:00"),
        ("2026-11-26T10:00+03:00", "2026-11-30T09:00+03:00", "on Monday at 09:00",    "в понедельник в 09:00"),
        ("2026-11-26T10:00+03:00", "2026-12-01T09:00+03:00", "on Tuesday at 09:00",   "во вторник в 09:00"),
        ("2026-11-23T10:00+03:00", "2026-11-30T10:00+03:00", "on 30 November at 10:00", "30 ноября в 10:00"),
        ("2026-11-23T10:00+03:00", "2027-05-09T10:00+03:00", "on 9 May at 10:00",     "9 мая в 10:00"),
    ];
    let office = office();
    for (now, start, en, ru) in cases {
        let start = at(start);
        let slot = Slot {
            start,
            end: plus(start, SignedDuration::from_mins(30)),
        };
        assert_eq!(
            slot_label(&office, slot, at(now), "Europe/Moscow", Locale::En),
            *en,
            "{start}"
        );
        assert_eq!(
            slot_label(&office, slot, at(now), "Europe/Moscow", Locale::Ru),
            *ru,
            "{start}"
        );
        let chosen = promise_at(&office, slot, at(now), "Europe/Moscow", Locale::En);
        assert_eq!(chosen.text, format!("We'll call you back {en}"));
    }
}

#[test]
fn locale_from_the_browser_language() {
    for (tag, locale) in [
        ("ru", Locale::Ru),
        ("ru-RU", Locale::Ru),
        ("RU_ru", Locale::Ru),
        ("en-GB", Locale::En),
        ("de", Locale::En),
        ("rue", Locale::En),
        ("", Locale::En),
    ] {
        assert_eq!(Locale::from_language(tag), locale, "{tag:?}");
    }
}

#[test]
fn problems_with_a_schedule() {
    #[rustfmt::skip]
    let cases: &[(&str, &[&str])] = &[
        (OFFICE, &[]),
        (r#"{"time_zone": "UTC", "week": {"mon": ["09:00-13:00", "13:00-18:00"], "tue": ["00:00-24:00"]}}"#, &[]),
        (r#"{"time_zone": "Mars/Olympus"}"#,
         &[r#"time_zone "Mars/Olympus" is not a known IANA time zone; write one such as "Europe/Moscow""#]),
        (r#"{"time_zone": "Moscow"}"#,
         &[r#"time_zone "Moscow" is not a known IANA time zone; write one such as "Europe/Moscow""#]),
        (r#"{"time_zone": "UTC", "week": {"mon": ["09:00-13:00", "12:00-18:00"]}}"#,
         &["week.mon: 09:00-13:00 and 12:00-18:00 overlap"]),
        (r#"{"time_zone": "UTC", "week": {"wed": ["14:00-18:00", "09:00-19:00"]}}"#,
         &["week.wed: 09:00-19:00 and 14:00-18:00 overlap"]),
        (r#"{"time_zone": "UTC", "week": {"tue": ["22:00-02:00"]}}"#,
         &[r#"week.tue: 22:00-02:00 must start before it ends (split a night at 24:00: "22:00-24:00", then "00:00-02:00")"#]),
        (r#"{"time_zone": "UTC", "week": {"sun": ["10:00-10:00"]}}"#,
         &[r#"week.sun: 10:00-10:00 must start before it ends (split a night at 24:00: "22:00-24:00", then "00:00-02:00")"#]),
        (r#"{"time_zone": "UTC", "special_days": {"2026-11-03": ["09:00-15:00", "14:00-16:00"]}}"#,
         &["special_days.2026-11-03: 09:00-15:00 and 14:00-16:00 overlap"]),
        (r#"{"time_zone": "UTC", "holidays": ["2026-11-03"], "special_days": {"2026-11-03": []}}"#,
         &["special_days.2026-11-03: is also a holiday; keep one of the two"]),
        (r#"{"time_zone": "UTC", "slot_minutes": 0}"#, &["slot_minutes is 0; it must be 5-720"]),
        (r#"{"time_zone": "UTC", "answer_within_minutes": 0, "lead_time_minutes": 20000}"#,
         &["answer_within_minutes is 0; it must be 1-1440", "lead_time_minutes is 20000; it must be 0-10080"]),
    ];
    for (json, expected) in cases {
        assert_eq!(hours(json).problems(), *expected, "{json}");
    }
}

#[test]
fn what_serde_refuses() {
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        (r#"{"time_zone": "UTC", "week": {"mon": ["25:00-26:00"]}}"#,
         r#""25:00-26:00" is not an interval like "09:00-18:00" (hours 00-24, minutes 00-59)"#),
        (r#"{"time_zone": "UTC", "week": {"mon": ["09:60-10:00"]}}"#, "is not an interval like"),
        (r#"{"time_zone": "UTC", "week": {"mon": ["24:30-24:45"]}}"#, "is not an interval like"),
        (r#"{"time_zone": "UTC", "week": {"mon": ["9-18"]}}"#, "is not an interval like"),
        (r#"{"time_zone": "UTC", "week": {"mon": ["09:00"]}}"#, "is not an interval like"),
        (r#"{"time_zone": "UTC", "week": {"mon": ["+9:00-18:00"]}}"#, "is not an interval like"),
        (r#"{"time_zone": "UTC", "week": {"monday": ["09:00-18:00"]}}"#, "unknown field `monday`"),
        (r#"{"timezone": "UTC"}"#, "unknown field `timezone`"),
        (r#"{"time_zone": "UTC", "holidays": ["2026-02-30"]}"#, "expected a date such as 2026-01-01"),
        (r#"{"time_zone": "UTC", "special_days": {"next friday": []}}"#, "failed to parse"),
    ];
    for (json, expected) in cases {
        let err = serde_json::from_str::<BusinessHours>(json).expect_err(json).to_string();
        assert!(err.contains(expected), "{json}: {err}");
    }
}

#[test]
fn how_intervals_may_be_written() {
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        ("09:00-18:00", "09:00-18:00"),
        ("9:00-18:00", "09:00-18:00"),
        ("09:00 - 18:00", "09:00-18:00"),
        ("09:00–18:00", "09:00-18:00"),
        ("00:00-24:00", "00:00-24:00"),
    ];
    for (written, read) in cases {
        let interval: Interval = written.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(interval.to_string(), *read);
    }
}

#[test]
fn the_config_shape() {
    let defaults = hours(r#"{"time_zone": "Europe/Moscow"}"#);
    assert_eq!(
        (
            defaults.answer_within_minutes,
            defaults.slot_minutes,
            defaults.lead_time_minutes
        ),
        (15, 30, 15)
    );
    assert_eq!(defaults.week, Week::default());
    // The Worker gets the config as JSON written from the parsed TOML.
    let office = office();
    let json = serde_json::to_string(&office).unwrap();
    assert_eq!(hours(&json), office);
    assert!(json.contains(r#""2026-11-03":["09:00-15:00"]"#), "{json}");
    // The toml crate hands a bare TOML date (holidays = [2026-11-04]) to serde as a one-entry map.
    let toml_like = hours(r#"{"time_zone": "UTC", "holidays": [{"$__toml_private_datetime": "2026-11-04"}]}"#);
    assert_eq!(toml_like.holidays, vec![jiff::civil::date(2026, 11, 4)]);
    assert_eq!(toml_like.intervals_on(jiff::civil::date(2026, 11, 4)), &[]);
    assert_eq!(office.intervals_on(jiff::civil::date(2026, 11, 3)).len(), 1);
    assert_eq!(office.week.on(Weekday::Friday)[1].to_string(), "14:00-16:45");
}

#[test]
fn a_slot_on_the_wire() {
    let slot = Slot {
        start: at("2026-11-23T10:00+03:00"),
        end: at("2026-11-23T10:30+03:00"),
    };
    let json = r#"{"start":"2026-11-23T07:00:00Z","end":"2026-11-23T07:30:00Z"}"#;
    assert_eq!(serde_json::to_string(&slot).unwrap(), json);
    assert_eq!(serde_json::from_str::<Slot>(json).unwrap(), slot);
    let with_offsets = r#"{"start":"2026-11-23T10:00:00+03:00","end":"2026-11-23T10:30:00+03:00"}"#;
    assert_eq!(serde_json::from_str::<Slot>(with_offsets).unwrap(), slot);
    for bad in [
        r#"{"start":"2026-11-23T07:00:00Z","end":"2026-11-23T07:30:00Z","note":"x"}"#,
        r#"{"start":"2026-11-23T07:00:00","end":"2026-11-23T07:30:00"}"#,
        r#"{"start":"tomorrow","end":"2026-11-23T07:30:00Z"}"#,
    ] {
        assert!(serde_json::from_str::<Slot>(bad).is_err(), "{bad}");
    }
    for e in [SlotError::Over, SlotError::TooFar, SlotError::NotOffered] {
        assert!(e.code().starts_with("slot_") && e.to_string().ends_with('.'), "{e:?}");
    }
}

#[test]
fn the_promise_as_a_time() {
    #[rustfmt::skip]
    let cases: &[(&str, &str, Option<(&str, &str)>, Option<&str>)] = &[
        // what, now (Moscow), the chosen slot → due, in Moscow
        ("inside hours: now + 15 min",      "2026-11-23T10:00+03:00", None, Some("Mon 23 10:15")),
        ("just in time before lunch",       "2026-11-23T12:45+03:00", None, Some("Mon 23 13:00")),
        ("too close to lunch: after it",    "2026-11-23T12:50+03:00", None, Some("Mon 23 14:00")),
        ("too close to closing",            "2026-11-23T17:50+03:00", None, Some("Tue 24 09:00")),
        ("Friday evening",                  "2026-11-27T18:00+03:00", None, Some("Mon 30 09:00")),
        ("Saturday",                        "2026-11-28T12:00+03:00", None, Some("Mon 30 09:00")),
        ("before a holiday",                "2026-11-03T16:00+03:00", None, Some("Thu 05 09:00")),
        ("on a holiday",                    "2026-11-04T10:00+03:00", None, Some("Thu 05 09:00")),
        ("New Year holidays",               "2026-12-30T18:30+03:00", None, Some("Mon 11 09:00")),
        ("a chosen slot, off hours",        "2026-11-27T18:00+03:00",
         Some(("2026-11-30T10:00+03:00", "2026-11-30T10:30+03:00")), Some("Mon 30 10:00")),
        ("a chosen slot wins while open",   "2026-11-23T10:00+03:00",
         Some(("2026-11-24T14:00+03:00", "2026-11-24T14:30+03:00")), Some("Tue 24 14:00")),
    ];
    let office = office();
    for (what, now, chosen, expected) in cases {
        let chosen = chosen.map(|(start, end)| Slot {
            start: at(start),
            end: at(end),
        });
        let got = due(&office, at(now), chosen).map(|t| local(t, "Europe/Moscow", "%a %d %H:%M"));
        assert_eq!(got.as_deref(), *expected, "{what}: at {now}");
    }
    let never = hours(r#"{"time_zone": "Europe/Moscow"}"#);
    assert_eq!(
        due(&never, at("2026-11-23T10:00+03:00"), None),
        None,
        "no opening within the horizon"
    );
}

#[test]
fn friday_evening_is_due_at_mondays_opening_in_berlin_too() {
    // A shop opening at 10:00 in Berlin, asked on Friday evening as the clocks fall back.
    let shop = BusinessHours {
        week: Week {
            mon: vec!["10:00-18:00".parse().unwrap()],
            fri: vec!["10:00-18:00".parse().unwrap()],
            ..Week::default()
        },
        ..office_in("Europe/Berlin")
    };
    let monday = due(&shop, at("2026-10-23T19:00+02:00"), None);
    assert_eq!(monday.map(|t| t.to_string()).as_deref(), Some("2026-10-26T09:00:00Z"));
    let holiday = BusinessHours {
        holidays: vec![jiff::civil::date(2026, 10, 26)],
        ..shop
    };
    let friday = due(&holiday, at("2026-10-23T19:00+02:00"), None);
    assert_eq!(
        friday.map(|t| t.to_string()).as_deref(),
        Some("2026-10-30T09:00:00Z"),
        "a Monday holiday moves it to Friday"
    );
}

/// The time and the sentence come from one rule: at every quarter hour of
/// two weeks (a holiday, a short day, lunch breaks, weekends), the time is
/// the start of the slot the promise names, or now plus its minutes.
#[test]
fn the_time_always_agrees_with_the_sentence() {
    let office = office();
    let start = at("2026-10-30T00:00+03:00");
    for step in 0..(14 * 24 * 4) {
        let now = plus(start, SignedDuration::from_mins(15 * step));
        let said = match promise(&office, now, "", Locale::En).when {
            When::Within { minutes: m } => Some(plus(now, minutes(m))),
            When::At { slot, .. } => Some(slot.start),
            When::Unscheduled => None,
        };
        assert_eq!(due(&office, now, None), said, "at {now}");
    }
}

#[test]
fn only_a_callback_on_a_site_with_hours_is_promised_a_time() {
    let lead = |kind: &str, slot: Option<&str>| -> crate::wire::Lead {
        serde_json::from_value(serde_json::json!({
            "id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b", "site": "shop", "kind": kind,
            "contact": {"phone": "+79123456789", "name": null, "email": null}, "message": null,
            "page": {"url": "https://shop.example/", "title": null, "referrer": null},
            "attribution": {"channel": "direct", "source": null, "medium": null, "campaign": null, "term": null,
                "content": null, "referrer": null, "landing_page": null, "first_touch": null, "last_touch": null,
                "visits": 1},
            "received_at": "2026-11-27T15:00:00Z",
            "slot": slot.map(|s| serde_json::json!({"start": s, "end": "2026-11-30T06:30:00Z"}))
        }))
        .expect("a lead")
    };
    let office = office();
    let friday_evening = at("2026-11-27T18:00+03:00");
    #[rustfmt::skip]
    let cases: &[(&str, Option<&str>, bool, Option<&str>)] = &[
        ("callback",        None,                         true,  Some("2026-11-30T06:00:00Z")),
        ("callback",        Some("2026-11-30T06:00:00Z"), true,  Some("2026-11-30T06:00:00Z")),
        ("callback",        None,                         false, None),
        ("form",            None,                         true,  None),
        ("chat",            None,                         true,  None),
        ("phone_click",     None,                         true,  None),
        ("messenger_click", None,                         true,  None),
    ];
    for (kind, slot, with_hours, expected) in cases {
        let hours = with_hours.then_some(&office);
        let got = expected_response_by(&lead(kind, *slot), hours, friday_evening);
        assert_eq!(got.as_deref(), *expected, "{kind} {slot:?} hours: {with_hours}");
    }
}
