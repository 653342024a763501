//! The honest promise shown to the visitor: structured for the widget, with
//! the sentence built from one table of words per locale, and every time in
//! the visitor's own zone.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::{availability, minutes, next_slots, plus, zone, Availability, BusinessHours, Slot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Ru,
}

impl Locale {
    /// From a language tag such as `navigator.language`: Russian for `ru…`, else English.
    pub fn from_language(tag: &str) -> Locale {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ru") {
            Locale::Ru
        } else {
            Locale::En
        }
    }

    /// The language tag the widget and the wire use: `"en"` or `"ru"`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promise {
    pub when: When,
    /// The sentence, e.g. "We'll call you back tomorrow at 10:00".
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// Open now, with time to call back before closing.
    Within { minutes: u32 },
    /// At the start of `slot`; `day` and `time` are local to `time_zone`, the
    /// visitor's zone or, when that is unknown, the site's.
    At {
        slot: Slot,
        day: Day,
        time: Time,
        time_zone: String,
    },
    /// No slot within the horizon: no time is promised.
    Unscheduled,
}

/// A day as people say it, relative to the visitor's today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    Today,
    Tomorrow,
    /// Two to six days ahead.
    Weekday(Weekday),
    /// Further (or, for a slot already begun yesterday, earlier).
    Date(Date),
}

/// What to tell a visitor who asks for a callback at `now`: within N minutes
/// while open long enough to keep it, else the first bookable slot.
pub fn promise(hours: &BusinessHours, now: Timestamp, visitor_tz: &str, locale: Locale) -> Promise {
    if let Availability::Open {
        answer_within_minutes,
        closes_at,
    } = availability(hours, now)
    {
        if plus(now, minutes(answer_within_minutes)) <= closes_at {
            let words = words(locale);
            let unit = words.minutes[usize::from(!(words.one)(answer_within_minutes))];
            return Promise {
                when: When::Within {
                    minutes: answer_within_minutes,
                },
                text: fill(
                    words.within,
                    &[("{n}", &answer_within_minutes.to_string()), ("{minutes}", unit)],
                ),
            };
        }
    }
    match next_slots(hours, now, 1).first() {
        Some(slot) => promise_at(hours, *slot, now, visitor_tz, locale),
        None => Promise {
            when: When::Unscheduled,
            text: words(locale).unscheduled.to_owned(),
        },
    }
}

/// The promise for a slot the visitor chose.
pub fn promise_at(hours: &BusinessHours, slot: Slot, now: Timestamp, visitor_tz: &str, locale: Locale) -> Promise {
    let (tz, time_zone) = visitor_zone(hours, visitor_tz);
    let (day, time) = local_day_and_time(&tz, slot.start, now);
    let text = fill(words(locale).at, &[("{when}", &label(day, time, locale))]);
    Promise {
        when: When::At {
            slot,
            day,
            time,
            time_zone,
        },
        text,
    }
}

/// A slot as the picker shows it: "tomorrow at 10:00", «в пятницу в 14:30».
pub fn slot_label(hours: &BusinessHours, slot: Slot, now: Timestamp, visitor_tz: &str, locale: Locale) -> String {
    let (tz, _) = visitor_zone(hours, visitor_tz);
    let (day, time) = local_day_and_time(&tz, slot.start, now);
    label(day, time, locale)
}

fn visitor_zone(hours: &BusinessHours, visitor_tz: &str) -> (TimeZone, String) {
    [visitor_tz, hours.time_zone.as_str()]
        .into_iter()
        .find_map(|name| Some((zone(name)?, name.to_owned())))
        .unwrap_or_else(|| (TimeZone::UTC, "UTC".to_owned()))
}

fn local_day_and_time(tz: &TimeZone, at: Timestamp, now: Timestamp) -> (Day, Time) {
    let local = tz.to_datetime(at);
    // Civil days are 24 h apart whatever the zone does (and `until` is heavy in wasm).
    let days = tz.to_datetime(now).date().duration_until(local.date()).as_hours() / 24;
    let day = match days {
        0 => Day::Today,
        1 => Day::Tomorrow,
        2..=6 => Day::Weekday(local.weekday()),
        _ => Day::Date(local.date()),
    };
    (day, local.time())
}

fn label(day: Day, time: Time, locale: Locale) -> String {
    let words = words(locale);
    let day = match day {
        Day::Today => words.today.to_owned(),
        Day::Tomorrow => words.tomorrow.to_owned(),
        Day::Weekday(w) => words.on_weekday[w.to_monday_zero_offset() as usize].to_owned(),
        Day::Date(d) => fill(
            words.on_date,
            &[
                ("{d}", &d.day().to_string()),
                ("{month}", words.months[d.month() as usize - 1]),
            ],
        ),
    };
    let time = format!("{:02}:{:02}", time.hour(), time.minute());
    fill(words.day_at_time, &[("{day}", &day), ("{time}", &time)])
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (key, value)| text.replace(key, value))
}

fn words(locale: Locale) -> &'static Words {
    &WORDS[locale as usize]
}

struct Words {
    within: &'static str,
    /// After a count of which `one` holds, and after any other.
    minutes: [&'static str; 2],
    one: fn(u32) -> bool,
    at: &'static str,
    unscheduled: &'static str,
    day_at_time: &'static str,
    today: &'static str,
    tomorrow: &'static str,
    /// Monday first, with the preposition the language needs.
    on_weekday: [&'static str; 7],
    on_date: &'static str,
    months: [&'static str; 12],
}

/// Every word the widget says about time, indexed by [`Locale`].
#[rustfmt::skip]
const WORDS: [Words; 2] = [
    Words {
        within: "We'll call you within {n} {minutes}",
        minutes: ["minute", "minutes"],
        one: |n| n == 1,
        at: "We'll call you back {when}",
        unscheduled: "We'll call you back as soon as we can",
        day_at_time: "{day} at {time}",
        today: "today",
        tomorrow: "tomorrow",
        on_weekday: ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday"],
        on_date: "on {d} {month}",
        months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"],
    },
    Words {
        within: "Перезвоним в течение {n} {minutes}",
        // Genitive after «в течение»: 1, 21, 31… минуты; otherwise минут.
        minutes: ["минуты", "минут"],
        one: |n| n % 10 == 1 && n % 100 != 11,
        at: "Перезвоним {when}",
        unscheduled: "Перезвоним, как только сможем",
        day_at_time: "{day} в {time}",
        today: "сегодня",
        tomorrow: "завтра",
        on_weekday: ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье"],
        on_date: "{d} {month}",
        months: ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                 "ноября", "декабря"],
    },
];
