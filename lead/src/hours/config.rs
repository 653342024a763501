//! Business hours as a site owner writes them (TOML in `sites.toml`, the same
//! types as JSON inside the Worker), and what serde cannot check about them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer, Serialize};

/// When a site takes calls, in its own time zone.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// IANA name of the zone the schedule is written in, e.g. `Europe/Moscow`.
    pub time_zone: String,
    /// The usual week; a day left out is closed.
    #[serde(default)]
    pub week: Week,
    /// Dates closed all day.
    #[serde(default, deserialize_with = "dates")]
    pub holidays: Vec<Date>,
    /// Dates whose intervals replace the week's, e.g. a shortened pre-holiday day.
    #[serde(default)]
    pub special_days: BTreeMap<Date, Vec<Interval>>,
    /// The promise while open: "we'll call you within N minutes".
    #[serde(default = "default_answer_within")]
    pub answer_within_minutes: u32,
    /// Length of a callback slot; slots start at each interval's start.
    #[serde(default = "default_slot")]
    pub slot_minutes: u32,
    /// The earliest slot offered starts at least this long after now.
    #[serde(default = "default_lead_time")]
    pub lead_time_minutes: u32,
}

fn default_answer_within() -> u32 {
    15
}
fn default_slot() -> u32 {
    30
}
fn default_lead_time() -> u32 {
    15
}

/// Open intervals per weekday, several a day when there is a break.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Week {
    #[serde(default)]
    pub mon: Vec<Interval>,
    #[serde(default)]
    pub tue: Vec<Interval>,
    #[serde(default)]
    pub wed: Vec<Interval>,
    #[serde(default)]
    pub thu: Vec<Interval>,
    #[serde(default)]
    pub fri: Vec<Interval>,
    #[serde(default)]
    pub sat: Vec<Interval>,
    #[serde(default)]
    pub sun: Vec<Interval>,
}

impl Week {
    pub fn on(&self, day: Weekday) -> &[Interval] {
        match day {
            Weekday::Monday => &self.mon,
            Weekday::Tuesday => &self.tue,
            Weekday::Wednesday => &self.wed,
            Weekday::Thursday => &self.thu,
            Weekday::Friday => &self.fri,
            Weekday::Saturday => &self.sat,
            Weekday::Sunday => &self.sun,
        }
    }

    fn days(&self) -> [(&'static str, &[Interval]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// `"HH:MM-HH:MM"` in local wall-clock time; `24:00` ends a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct Interval {
    /// Minutes after midnight, 0..=1440.
    start: u16,
    end: u16,
}

impl Interval {
    pub fn start_minute(self) -> u16 {
        self.start
    }
    pub fn end_minute(self) -> u16 {
        self.end
    }
}

impl FromStr for Interval {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (start, end) = s.split_once(['-', '–']).unwrap_or((s, ""));
        match (clock(start), clock(end)) {
            (Some(start), Some(end)) => Ok(Interval { start, end }),
            _ => Err(format!(
                "{s:?} is not an interval like \"09:00-18:00\" (hours 00-24, minutes 00-59)"
            )),
        }
    }
}

fn clock(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

impl TryFrom<String> for Interval {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Interval> for String {
    fn from(i: Interval) -> String {
        i.to_string()
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, e) = (self.start, self.end);
        write!(f, "{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
    }
}

/// Accepts `"2026-01-01"` and TOML's bare `2026-01-01`, which the toml crate
/// hands over as a one-entry map.
fn dates<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Date>, D::Error> {
    struct Day(Date);
    impl<'de> Deserialize<'de> for Day {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(DayVisitor)
        }
    }
    struct DayVisitor;
    impl<'de> serde::de::Visitor<'de> for DayVisitor {
        type Value = Day;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date such as 2026-01-01")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Day, E> {
            s.parse::<Date>()
                .map(Day)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(s), &self))
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Day, A::Error> {
            match map.next_entry::<String, String>()? {
                Some((_, s)) => self.visit_str(&s),
                None => Err(serde::de::Error::invalid_length(0, &self)),
            }
        }
    }
    Ok(Vec::<Day>::deserialize(deserializer)?
        .into_iter()
        .map(|d| d.0)
        .collect())
}

impl BusinessHours {
    /// The intervals open on `date`: a holiday closes it, a special day replaces the week.
    pub fn intervals_on(&self, date: Date) -> &[Interval] {
        if self.holidays.contains(&date) {
            &[]
        } else if let Some(day) = self.special_days.get(&date) {
            day
        } else {
            self.week.on(date.weekday())
        }
    }

    /// Everything about the hours that serde cannot see; each problem is one line.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if TimeZone::get(&self.time_zone).is_err() {
            problems.push(format!(
                "time_zone {:?} is not a known IANA time zone; write one such as \"Europe/Moscow\"",
                self.time_zone
            ));
        }
        for (name, day) in self.week.days() {
            day_problems(&format!("week.{name}"), day, &mut problems);
        }
        for (date, day) in &self.special_days {
            day_problems(&format!("special_days.{date}"), day, &mut problems);
            if self.holidays.contains(date) {
                problems.push(format!("special_days.{date}: is also a holiday; keep one of the two"));
            }
        }
        for (name, value, range) in [
            ("answer_within_minutes", self.answer_within_minutes, 1..=1440),
            ("slot_minutes", self.slot_minutes, 5..=720),
            ("lead_time_minutes", self.lead_time_minutes, 0..=10080),
        ] {
            if !range.contains(&value) {
                problems.push(format!(
                    "{name} is {value}; it must be {}-{}",
                    range.start(),
                    range.end()
                ));
            }
        }
        problems
    }
}

fn day_problems(label: &str, day: &[Interval], problems: &mut Vec<String>) {
    for i in day.iter().filter(|i| i.start >= i.end) {
        problems.push(format!(
            "{label}: {i} must start before it ends (split a night at 24:00: \"22:00-24:00\", then \"00:00-02:00\")"
        ));
    }
    let mut sorted: Vec<_> = day.iter().filter(|i| i.start < i.end).collect();
    sorted.sort();
    for pair in sorted.windows(2) {
        if pair[1].start < pair[0].end {
            problems.push(format!("{label}: {} and {} overlap", pair[0], pair[1]));
        }
    }
}
