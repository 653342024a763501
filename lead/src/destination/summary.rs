//! A lead as a manager reads it: the rows chat and email destinations show
//! and CRMs keep as the lead's comment. One table of rows, each with its
//! label per language; each kind renders the rows in its own markup and does
//! its own escaping (the values here are exactly as the visitor typed them).

use jiff::Timestamp;

use crate::hours::{expected_response_by, Locale};
use crate::wire::{Lead, LeadKind, Speaker};

use super::Delivery;

/// How a row's value is to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text as typed; may hold newlines.
    Text(String),
    /// An E.164 number: a `tel:` link where the medium has links.
    Phone(String),
    /// An http(s) address: a link where the medium has links.
    Link(String),
}

impl Value {
    pub fn as_str(&self) -> &str {
        match self {
            Value::Text(s) | Value::Phone(s) | Value::Link(s) => s,
        }
    }
}

/// One row: its label in the destination's language, and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: String,
    pub value: Value,
}

/// The language a destination writes in: its `language` setting, else Russian
/// for a Russian-speaking visitor's lead, else English.
pub fn locale(language: Option<&str>, lead: &Lead) -> Locale {
    Locale::from_language(language.or(lead.locale.as_deref()).unwrap_or("en"))
}

/// Labels by row: (English, Russian).
const LABELS: &[(&str, &str)] = &[
    ("Name", "Имя"),
    ("Phone", "Телефон"),
    ("Extension", "Добавочный"),
    ("Email", "Email"),
    ("Message", "Сообщение"),
    ("Product", "Товар"),
    ("Callback at", "Перезвонить"),
    ("Promised", "Обещано"),
    ("Chat", "Чат"),
    ("Messenger", "Мессенджер"),
    ("Source", "Источник"),
    ("Page", "Страница"),
    ("Referrer", "Откуда пришёл"),
    ("Lead", "Заявка"),
];

/// What each kind of lead is called, for titles: (English, Russian).
const KIND_NAMES: &[(LeadKind, &str, &str)] = &[
    (LeadKind::Callback, "Callback request", "Заказ обратного звонка"),
    (LeadKind::Form, "Contact form", "Заявка с формы"),
    (LeadKind::Chat, "Chat", "Заявка из чата"),
    (LeadKind::MessengerClick, "Messenger click", "Переход в мессенджер"),
    (LeadKind::PhoneClick, "Phone click", "Клик по телефону"),
];

fn label(en: &'static str, locale: Locale) -> &'static str {
    LABELS
        .iter()
        .find(|(e, _)| *e == en)
        .map(|(e, r)| if locale == Locale::Ru { *r } else { *e })
        .unwrap_or(en)
}

/// The lead's kind in words.
pub fn kind_name(kind: LeadKind, locale: Locale) -> &'static str {
    KIND_NAMES
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, en, ru)| if locale == Locale::Ru { *ru } else { *en })
        .unwrap_or("Lead")
}

/// A one-line title: kind, then product and phone when there are any
/// ("Callback request: PVC window, +79123456789").
pub fn title(lead: &Lead, locale: Locale) -> String {
    let phone = lead
        .contact
        .phone
        .as_deref()
        .map(|phone| match &lead.contact.extension {
            Some(ext) if locale == Locale::Ru => format!("{phone} доб. {ext}"),
            Some(ext) => format!("{phone} ext. {ext}"),
            None => phone.to_owned(),
        });
    let details: Vec<&str> = [lead.product.as_deref(), phone.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let kind = kind_name(lead.kind, locale);
    if details.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", details.join(", "))
    }
}

/// Every row that has a value, in the order a manager reads them.
pub fn lines(delivery: &Delivery, locale: Locale) -> Vec<Line> {
    let lead = delivery.lead;
    let mut rows = Vec::new();
    let mut push = |label: &str, value: Option<Value>| {
        if let Some(value) = value.filter(|v| !v.as_str().trim().is_empty()) {
            rows.push(Line {
                label: label.to_owned(),
                value,
            });
        }
    };
    let l = |en: &'static str| label(en, locale);
    let text = |s: &Option<String>| s.clone().map(Value::Text);
    push(l("Name"), text(&lead.contact.name));
    push(l("Phone"), lead.contact.phone.clone().map(Value::Phone));
    // Apart from the number, so `tel:` links and CRM phone fields stay dialable.
    push(l("Extension"), text(&lead.contact.extension));
    push(l("Email"), text(&lead.contact.email));
    push(l("Message"), text(&lead.message));
    push(l("Product"), text(&lead.product));
    for (id, value) in &lead.fields {
        let shown = match value {
            crate::wire::FieldValue::Text(t) => t.clone(),
            crate::wire::FieldValue::Flag(true) => if locale == Locale::Ru { "да" } else { "yes" }.to_owned(),
            crate::wire::FieldValue::Flag(false) => if locale == Locale::Ru { "нет" } else { "no" }.to_owned(),
        };
        // A site's own field keeps its id as the label: the manager knows the form.
        push(id, Some(Value::Text(shown)));
    }
    push(l("Callback at"), slot_text(delivery).map(Value::Text));
    push(l("Promised"), promise_text(delivery, locale).map(Value::Text));
    push(l("Chat"), transcript(lead, locale).map(Value::Text));
    push(
        "Messenger",
        lead.messenger
            .as_ref()
            .map(|m| Value::Text(format!("{} ({})", m.channel.as_str(), m.ref_code))),
    );
    push(l("Source"), Some(Value::Text(source(lead))));
    push(l("Page"), Some(Value::Link(lead.page.url.clone())));
    push(
        l("Referrer"),
        lead.attribution.deciding.referrer.clone().map(Value::Link),
    );
    push(l("Lead"), Some(Value::Text(lead.id.to_string())));
    rows
}

/// The deciding touch's UTM values that are not blank, by their upper-case
/// names: Bitrix24's lead fields and amoCRM's tracking field codes are both
/// `UTM_SOURCE`, `UTM_MEDIUM`, `UTM_CAMPAIGN`, `UTM_CONTENT` and `UTM_TERM`.
pub fn utm(lead: &Lead) -> Vec<(&'static str, &str)> {
    let a = &lead.attribution.deciding;
    [
        ("UTM_SOURCE", &a.source),
        ("UTM_MEDIUM", &a.medium),
        ("UTM_CAMPAIGN", &a.campaign),
        ("UTM_CONTENT", &a.content),
        ("UTM_TERM", &a.term),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value.as_deref().filter(|v| !v.trim().is_empty())?)))
    .collect()
}

/// "channel · source / medium / campaign", the parts that are known.
pub fn source(lead: &Lead) -> String {
    let a = &lead.attribution.deciding;
    let parts: Vec<&str> = [a.source.as_deref(), a.medium.as_deref(), a.campaign.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        a.channel.as_str().to_owned()
    } else {
        format!("{} · {}", a.channel.as_str(), parts.join(" / "))
    }
}

/// The chosen slot in the site's zone: "2026-11-24 09:00–09:30 Europe/Moscow".
fn slot_text(delivery: &Delivery) -> Option<String> {
    let slot = delivery.lead.slot?;
    let zone = delivery
        .site
        .hours
        .as_ref()
        .map(|h| h.time_zone.as_str())
        .unwrap_or("UTC");
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let start = slot.start.to_zoned(tz.clone());
    let end = slot.end.to_zoned(tz);
    Some(format!(
        "{} {}–{} {zone}",
        start.strftime("%Y-%m-%d"),
        start.strftime("%H:%M"),
        end.strftime("%H:%M")
    ))
}

/// Short weekday names, Monday first: (English, Russian).
const WEEKDAYS: [(&str, &str); 7] = [
    ("Mon", "пн"),
    ("Tue", "вт"),
    ("Wed", "ср"),
    ("Thu", "чт"),
    ("Fri", "пт"),
    ("Sat", "сб"),
    ("Sun", "вс"),
];

/// By when the visitor was promised an answer, in the site's zone and named
/// so: "Tue 24.11 09:00 (Europe/Moscow)". A lead stored before the time was
/// kept has it worked out again from its arrival, by the same rule.
fn promise_text(delivery: &Delivery, locale: Locale) -> Option<String> {
    let lead = delivery.lead;
    let hours = delivery.site.hours.as_ref();
    let due: Timestamp = match &lead.expected_response_by {
        Some(at) => at.parse().ok()?,
        None => expected_response_by(lead, hours, lead.received_at.parse().ok()?)?
            .parse()
            .ok()?,
    };
    let zone = hours.map(|h| h.time_zone.as_str()).unwrap_or("UTC");
    let local = due.to_zoned(jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC));
    let (en, ru) = WEEKDAYS[local.weekday().to_monday_zero_offset() as usize];
    let weekday = if locale == Locale::Ru { ru } else { en };
    Some(format!("{weekday} {} ({zone})", local.strftime("%d.%m %H:%M")))
}

fn transcript(lead: &Lead, locale: Locale) -> Option<String> {
    if lead.transcript.is_empty() {
        return None;
    }
    let (bot, visitor) = if locale == Locale::Ru {
        ("Бот", "Посетитель")
    } else {
        ("Bot", "Visitor")
    };
    let turns: Vec<String> = lead
        .transcript
        .iter()
        .map(|t| {
            let who = if t.from == Speaker::Bot { bot } else { visitor };
            format!("{who}: {}", t.text)
        })
        .collect();
    Some(turns.join("\n"))
}

/// The rows as plain text, one `Label: value` a line.
pub fn plain(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| format!("{}: {}", l.label, l.value.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{destination, lead, with_delivery};
    use super::*;

    fn rows(lead: &Lead, locale: Locale) -> Vec<(String, String)> {
        with_delivery(lead, &destination("id = \"x\""), |delivery| lines(delivery, locale))
            .into_iter()
            .map(|l| (l.label, l.value.as_str().to_owned()))
            .collect()
    }

    #[test]
    fn a_callback_reads_top_down_with_its_slot_and_promise() {
        let got = rows(&lead(), Locale::En);
        let want: Vec<(String, String)> = [
            ("Name", "Ivan Petrov"),
            ("Phone", "+79123456789"),
            ("Email", "ivan@example.com"),
            ("Message", "Please call after lunch"),
            ("Product", "PVC window 1200x1500"),
            ("measure_visit", "yes"),
            ("service", "balcony"),
            ("Callback at", "2026-11-24 09:00–09:30 Europe/Moscow"),
            ("Promised", "Tue 24.11 09:00 (Europe/Moscow)"),
            ("Source", "paid_search · yandex / cpc / spring"),
            ("Page", "https://shop.example/windows?utm_source=yandex"),
            ("Referrer", "https://yandex.ru/"),
            ("Lead", "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
        assert_eq!(got, want);
        assert_eq!(
            title(&lead(), Locale::En),
            "Callback request: PVC window 1200x1500, +79123456789"
        );
    }

    #[test]
    fn an_extension_has_its_own_row_and_joins_the_phone_in_the_title() {
        let mut with_ext = lead();
        with_ext.contact.extension = Some("12".into());
        let got = rows(&with_ext, Locale::Ru);
        let phone = got.iter().position(|(l, _)| l == "Телефон").expect("a phone row");
        assert_eq!(got[phone + 1], ("Добавочный".to_owned(), "12".to_owned()));
        assert_eq!(got[phone].1, "+79123456789", "the number stays dialable");
        assert_eq!(
            title(&with_ext, Locale::Ru),
            "Заказ обратного звонка: PVC window 1200x1500, +79123456789 доб. 12"
        );
        assert_eq!(
            title(&with_ext, Locale::En),
            "Callback request: PVC window 1200x1500, +79123456789 ext. 12"
        );
    }

    #[test]
    fn russian_labels_and_a_chat_transcript() {
        let mut chat = lead();
        chat.kind = LeadKind::Chat;
        chat.slot = None;
        chat.expected_response_by = None;
        chat.transcript =
            serde_json::from_str(r#"[{"from":"bot","text":"Имя?"},{"from":"visitor","text":"Иван"}]"#).expect("turns");
        let got = rows(&chat, Locale::Ru);
        assert!(
            got.contains(&("Чат".to_owned(), "Бот: Имя?\nПосетитель: Иван".to_owned())),
            "{got:?}"
        );
        assert!(
            got.iter().all(|(label, _)| label != "Обещано"),
            "only callbacks carry a promise"
        );
        assert_eq!(
            title(&chat, Locale::Ru),
            "Заявка из чата: PVC window 1200x1500, +79123456789"
        );
        assert_eq!(locale(None, &chat), Locale::Ru);
        assert_eq!(locale(Some("en"), &chat), Locale::En);
    }

    #[test]
    fn the_promise_is_a_time_in_the_sites_zone_and_the_managers_language() {
        let promised = |lead: &Lead, site: &crate::site::Site, locale: Locale| {
            let d = destination("id = \"x\"");
            super::super::fixtures::with_delivery(lead, &d, |delivery| {
                let delivery = Delivery { site, ..*delivery };
                lines(&delivery, locale)
                    .into_iter()
                    .find(|l| l.label == label("Promised", locale))
                    .map(|l| l.value.as_str().to_owned())
            })
        };
        let site = super::super::fixtures::site();
        let mut stored_before = lead();
        stored_before.expected_response_by = None;
        let mut no_slot = stored_before.clone();
        no_slot.slot = None;
        let mut form = stored_before.clone();
        form.kind = LeadKind::Form;
        let mut in_utc = lead();
        in_utc.expected_response_by = Some("2026-11-30T07:00:00Z".into());
        let no_hours = crate::site::Site {
            hours: None,
            ..site.clone()
        };
        #[rustfmt::skip]
        let cases: &[(&str, &Lead, &crate::site::Site, Locale, Option<&str>)] = &[
            ("as stamped",                     &lead(),        &site,     Locale::En, Some("Tue 24.11 09:00 (Europe/Moscow)")),
            ("in Russian",                     &lead(),        &site,     Locale::Ru, Some("вт 24.11 09:00 (Europe/Moscow)")),
            ("a Monday, in Russian",           &in_utc,        &site,     Locale::Ru, Some("пн 30.11 10:00 (Europe/Moscow)")),
            ("stored before: its slot",        &stored_before, &site,     Locale::En, Some("Tue 24.11 09:00 (Europe/Moscow)")),
            // Received Monday 18:59 in Moscow, after closing.
            ("stored before: the next opening", &no_slot,      &site,     Locale::En, Some("Tue 24.11 09:00 (Europe/Moscow)")),
            ("stored before: a form",          &form,          &site,     Locale::En, None),
            ("a site without hours: UTC",      &lead(),        &no_hours, Locale::En, Some("Tue 24.11 06:00 (UTC)")),
            ("stored before, without hours",   &stored_before, &no_hours, Locale::En, None),
        ];
        for (what, lead, site, locale, expected) in cases {
            assert_eq!(promised(lead, site, *locale).as_deref(), *expected, "{what}");
        }
    }
}
