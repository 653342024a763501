//! What serde cannot see about `[site.widget]`: each problem is one line,
//! naming the key, so that build.rs can refuse the file and say where.

use super::{ChatAnswer, FieldKind, Localized, Messenger, WidgetSettings};
use crate::limits;

/// The languages the widget speaks.
pub const LANGUAGES: &[&str] = &["ru", "en"];

/// What the widget's dialog already names itself (an input's `name`, or an
/// element's `id` as `lw-<name>` or `lw-<name>-error`), with what it is. A
/// custom field of one of these ids would render a second element of that
/// name, and only the first is read.
const RESERVED_FIELD_IDS: &[(&str, &str)] = &[
    ("phone", "the phone input"),
    ("name", "the name input"),
    ("email", "the email input"),
    ("message", "the message box"),
    ("slot", "the callback time choice"),
    ("consent", "the consent checkbox"),
    ("website", "the hidden field that catches bots"),
    ("chat", "the chat's answer box"),
    ("form", "the form's own error line"),
    ("title", "the dialog's title"),
    ("promise", "the callback promise"),
];

/// What a messenger button's `target` must look like, per channel.
const TARGETS: &[(Messenger, fn(&str) -> bool, &str)] = &[
    (Messenger::Whatsapp, is_e164, "a phone in E.164, e.g. \"+79123456789\""),
    (Messenger::Viber, is_e164, "a phone in E.164, e.g. \"+79123456789\""),
    (Messenger::Phone, is_e164, "a phone in E.164, e.g. \"+79123456789\""),
    (
        Messenger::Telegram,
        is_telegram_username,
        "a bot or user name without @: 5-32 of A-Z, a-z, 0-9, '_'",
    ),
    (
        Messenger::Vk,
        is_vk_community,
        "a community's short name, e.g. \"leadwire_demo\" or \"club123456\": 2-32 of A-Z, a-z, 0-9, '_', '.'",
    ),
];

impl WidgetSettings {
    /// Everything about the widget settings that serde cannot see; each
    /// problem is one line starting with the key it is about.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut problem = |p: String| problems.push(p);
        if let Some(locale) = self.locale.as_deref().filter(|l| !LANGUAGES.contains(l)) {
            problem(format!("locale {locale:?} must be \"ru\" or \"en\""));
        }
        if !is_hex_colour(&self.theme.color) {
            problem(format!(
                "theme.color {:?} must be #rrggbb, e.g. \"#1a56db\"",
                self.theme.color
            ));
        }
        for (lang, strings) in &self.strings {
            if !LANGUAGES.contains(&lang.as_str()) {
                problem(format!("strings.{lang}: the widget speaks only \"ru\" and \"en\""));
            }
            for key in strings.keys().filter(|k| !super::WORDS.iter().any(|(w, _, _)| w == k)) {
                problem(format!(
                    "strings.{lang}.{key} is not a widget string; use one of: {}",
                    super::WORDS.iter().map(|(k, _, _)| *k).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        let fields = &self.form.fields;
        for (i, field) in fields.iter().enumerate() {
            let at = format!("form.field {:?}", field.id);
            if !is_field_id(&field.id) {
                problem(format!(
                    "form.field {i}: id {:?} must be 1-64 of a-z, 0-9, '_'",
                    field.id
                ));
            }
            if let Some((_, what)) = RESERVED_FIELD_IDS.iter().find(|(id, _)| *id == field.id) {
                problem(format!(
                    "{at}: the widget's form already has {:?}, {what}; choose another id",
                    field.id
                ));
            }
            if fields[..i].iter().any(|f| f.id == field.id) {
                problem(format!("{at} is listed twice"));
            }
            if is_blank(&field.label) {
                problem(format!("{at}: label needs a text in ru or en"));
            }
            match field.kind {
                FieldKind::Select if field.options.is_empty() => problem(format!(
                    "{at}: a select needs options ([[…field.options]] value, label)"
                )),
                FieldKind::Select => {}
                _ if !field.options.is_empty() => problem(format!("{at}: only a select has options")),
                _ => {}
            }
            for (j, option) in field.options.iter().enumerate() {
                if option.value.trim().is_empty() || field.options[..j].iter().any(|o| o.value == option.value) {
                    problem(format!(
                        "{at}: option value {:?} must be non-empty and unique",
                        option.value
                    ));
                }
            }
        }
        for (i, question) in self.chat.iter().enumerate() {
            if is_blank(&question.text) {
                problem(format!("chat_question {i}: text needs ru or en"));
            }
            if let ChatAnswer::Field(id) = &question.answer {
                if !fields.iter().any(|f| &f.id == id) {
                    problem(format!("chat_question {i}: answer field {id:?} is not a form.field id"));
                }
            }
        }
        for (i, button) in self.messengers.iter().enumerate() {
            let channel = button.channel.as_str();
            if let Some((_, valid, shape)) = TARGETS.iter().find(|(c, _, _)| *c == button.channel) {
                if !valid(&button.target) {
                    problem(format!(
                        "messenger {channel}: target {:?} must be {shape}",
                        button.target
                    ));
                }
            }
            if self.messengers[..i].iter().any(|m| m.channel == button.channel) {
                problem(format!("messenger {channel} is listed twice"));
            }
        }
        if let Some(percent) = self.triggers.as_ref().and_then(|t| t.scroll_percent) {
            if !(1..=100).contains(&percent) {
                problem(format!("triggers.scroll_percent is {percent}; it must be 1-100"));
            }
        }
        if self.triggers.as_ref().is_some_and(|t| t.max_per_visitor == 0) {
            problem("triggers.max_per_visitor is 0; remove [site.widget.triggers] instead".into());
        }
        if let Some(consent) = &self.consent {
            if is_blank(&consent.text) {
                problem("consent.text needs a text in ru or en".into());
            }
            for (lang, text) in [("ru", &consent.text.ru), ("en", &consent.text.en)] {
                if text.as_deref().is_some_and(|t| t.chars().count() > limits::CONSENT) {
                    problem(format!("consent.text.{lang} is over {} characters", limits::CONSENT));
                }
            }
            if let Some(url) = consent.policy_url.as_deref().filter(|u| !is_http_url(u)) {
                problem(format!(
                    "consent.policy_url {url:?} must start with https:// or http://"
                ));
            }
        }
        if self.goals.metrica_counter.is_some() != self.goals.metrica_goal.is_some() {
            problem("goals.metrica_counter and goals.metrica_goal go together".into());
        }
        problems
    }
}

fn is_blank(text: &Localized) -> bool {
    [&text.ru, &text.en]
        .iter()
        .all(|t| t.as_deref().is_none_or(|t| t.trim().is_empty()))
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_field_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

/// `+`, a country code that does not start with 0, 7 to 15 digits in all.
fn is_e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|digits| {
        (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
    })
}

fn is_telegram_username(s: &str) -> bool {
    (5..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_vk_community(s: &str) -> bool {
    (2..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        && !s.starts_with('.')
        && !s.ends_with('.')
}

fn is_http_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && url::Url::parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn widget(settings: serde_json::Value) -> WidgetSettings {
        serde_json::from_value(settings).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn defaults_and_a_full_configuration_have_no_problems() {
        assert_eq!(WidgetSettings::default().problems(), Vec::<String>::new());
        let full = widget(json!({
            "locale": "ru",
            "theme": { "color": "#0A7cFF" },
            "strings": { "ru": { "launcher": "Перезвоним!" }, "en": { "submit": "Go" } },
            "form": { "require": ["phone"], "field": [
                { "id": "service", "label": { "ru": "Услуга" }, "type": "select",
                  "options": [ { "value": "windows", "label": { "en": "Windows" } } ] },
                { "id": "measure_visit", "label": { "en": "Visit" }, "type": "checkbox" },
            ] },
            "chat_question": [ { "text": { "en": "Which service?" }, "answer": { "field": "service" } } ],
            "messenger": [
                { "channel": "whatsapp", "target": "+79123456789" },
                { "channel": "telegram", "target": "leadwire_demo_bot" },
                { "channel": "vk", "target": "club123456" },
            ],
            "triggers": { "scroll_percent": 60 },
            "consent": { "text": { "en": "I agree" }, "policy_url": "https://shop.example/privacy" },
            "goals": { "metrica_counter": 1, "metrica_goal": "lead" },
        }));
        assert_eq!(full.problems(), Vec::<String>::new());
    }

    /// Read from the widget's source, so that a name it starts rendering fails
    /// here until it is reserved.
    #[test]
    fn every_name_the_widget_renders_is_reserved() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../widget/src");
        let files = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut rendered = BTreeSet::new();
        for file in files.map(|f| f.expect("a directory entry").path()) {
            let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // `name="slot"`, `[name=\"slot\"]`, `id="lw-slot-error"`, and the contact inputs' `contact("phone"`.
            for marker in ["name=\"", "name=\\\"", "id=\"lw-", "contact(\""] {
                for (at, _) in text.match_indices(marker) {
                    let rest = &text[at + marker.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || matches!(c, '_' | '-'))
                        .collect();
                    // A placeholder such as `name="{name}"` is the custom fields themselves.
                    if !name.is_empty() && rest[name.len()..].starts_with(['"', '\\']) {
                        rendered.insert(name.strip_suffix("-error").unwrap_or(&name).to_owned());
                    }
                }
            }
        }
        let reserved: BTreeSet<String> = RESERVED_FIELD_IDS.iter().map(|(id, _)| id.to_string()).collect();
        let missing: Vec<&String> = rendered.difference(&reserved).collect();
        assert!(missing.is_empty(), "the widget renders {missing:?}: reserve them");
        assert!(
            rendered.len() >= 8,
            "only {rendered:?} found: is the widget's source still read right?"
        );
    }

    #[test]
    fn every_problem_names_its_key() {
        let cases: &[(serde_json::Value, &str)] = &[
            (json!({ "locale": "de" }), "locale \"de\""),
            (json!({ "theme": { "color": "blue" } }), "theme.color \"blue\""),
            (json!({ "theme": { "color": "#12345g" } }), "theme.color"),
            (json!({ "strings": { "de": {} } }), "strings.de"),
            (
                json!({ "strings": { "ru": { "title": "x" } } }),
                "strings.ru.title is not a widget string",
            ),
            (
                json!({ "form": { "field": [ { "id": "Service", "label": { "en": "S" }, "type": "text" } ] } }),
                "id \"Service\" must be 1-64",
            ),
            (
                json!({ "form": { "field": [ { "id": "a", "label": { "en": "A" }, "type": "text" },
                                              { "id": "a", "label": { "en": "A" }, "type": "text" } ] } }),
                "form.field \"a\" is listed twice",
            ),
            (
                json!({ "form": { "field": [ { "id": "a", "label": { "en": "A" }, "type": "select" } ] } }),
                "a select needs options",
            ),
            (
                json!({ "form": { "field": [ { "id": "a", "label": { "en": "A" }, "type": "text",
                    "options": [ { "value": "x", "label": {} } ] } ] } }),
                "only a select has options",
            ),
            (
                json!({ "form": { "field": [ { "id": "a", "label": {}, "type": "text" } ] } }),
                "label needs a text",
            ),
            (
                json!({ "chat_question": [ { "text": { "en": "?" }, "answer": { "field": "nope" } } ] }),
                "answer field \"nope\"",
            ),
            (
                json!({ "messenger": [ { "channel": "whatsapp", "target": "89123456789" } ] }),
                "messenger whatsapp",
            ),
            (
                json!({ "messenger": [ { "channel": "viber", "target": "+0123456789" } ] }),
                "messenger viber",
            ),
            (
                json!({ "messenger": [ { "channel": "phone", "target": "+7 912 345" } ] }),
                "messenger phone",
            ),
            (
                json!({ "messenger": [ { "channel": "telegram", "target": "@bot_name" } ] }),
                "messenger telegram",
            ),
            (
                json!({ "messenger": [ { "channel": "telegram", "target": "abc" } ] }),
                "messenger telegram",
            ),
            (
                json!({ "messenger": [ { "channel": "vk", "target": "vk.com/club1" } ] }),
                "messenger vk",
            ),
            (
                json!({ "messenger": [ { "channel": "vk", "target": "club1" }, { "channel": "vk", "target": "club2" } ] }),
                "messenger vk is listed twice",
            ),
            (
                json!({ "triggers": { "scroll_percent": 120 } }),
                "triggers.scroll_percent",
            ),
            (
                json!({ "triggers": { "max_per_visitor": 0 } }),
                "triggers.max_per_visitor",
            ),
            (json!({ "consent": { "text": {} } }), "consent.text needs"),
            (
                json!({ "consent": { "text": { "ru": "я".repeat(2_001) } } }),
                "consent.text.ru is over",
            ),
            (
                json!({ "consent": { "text": { "en": "ok" }, "policy_url": "/privacy" } }),
                "consent.policy_url",
            ),
            (json!({ "goals": { "metrica_counter": 1 } }), "goals.metrica_counter"),
        ];
        let reserved = [
            "phone", "name", "email", "message", "slot", "consent", "website", "chat", "form", "title", "promise",
        ];
        let reserved = reserved.iter().map(|id| {
            let field = json!({ "form": { "field": [ { "id": id, "label": { "en": "A" }, "type": "text" } ] } });
            (
                field,
                format!("form.field {id:?}: the widget's form already has {id:?}"),
            )
        });
        let cases = cases.iter().map(|(s, n)| (s.clone(), n.to_string())).chain(reserved);
        for (settings, needle) in cases {
            let problems = widget(settings.clone()).problems();
            assert!(
                problems.iter().any(|p| p.contains(&needle)),
                "{needle:?} not in {problems:#?} for {settings}"
            );
        }
    }
}
