//! The widget's reading of `GET /v1/sites/{site}/config` without serde (see
//! [`crate::json`] for why). Missing members take the same defaults as
//! serde's; the test below reads what serde writes and expects it whole.

use super::*;
use crate::json::{flag, int, list, member, named, text, text_members, Read, View};
use crate::site::{AttributionSettings, PublicConfig};

const POSITIONS: &[(&str, Position)] = &[("left", Position::Left), ("right", Position::Right)];
const CONTACT_FIELDS: &[(&str, ContactField)] = &[
    ("name", ContactField::Name),
    ("phone", ContactField::Phone),
    ("email", ContactField::Email),
];
const FIELD_KINDS: &[(&str, FieldKind)] = &[
    ("text", FieldKind::Text),
    ("select", FieldKind::Select),
    ("checkbox", FieldKind::Checkbox),
];

fn enum_of<V: View, T: Copy>(table: &[(&str, T)], v: &V) -> Option<T> {
    named(table, &v.text()?)
}

fn small<V: View, T: TryFrom<i64>>(v: &V, key: &str) -> Option<T> {
    int(v, key).and_then(|n| T::try_from(n).ok())
}

impl Read for PublicConfig {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(PublicConfig {
            site: text(v, "site")?,
            default_country: text(v, "default_country")?,
            attribution: member(v, "attribution").unwrap_or_default(),
            widget: member(v, "widget").unwrap_or_default(),
            callback: member(v, "callback"),
            turnstile: member(v, "turnstile"),
        })
    }
}

impl Read for AttributionSettings {
    fn read<V: View>(v: &V) -> Option<Self> {
        let default = AttributionSettings::default();
        Some(AttributionSettings {
            capture_before_interaction: flag(v, "capture_before_interaction").unwrap_or(false),
            expiry_days: small(v, "expiry_days").unwrap_or(default.expiry_days),
        })
    }
}

impl Read for WidgetSettings {
    fn read<V: View>(v: &V) -> Option<Self> {
        let modes: Vec<Mode> = v
            .get("modes")
            .map(|m| m.items().iter().filter_map(|m| enum_of(Mode::WIRE_NAMES, m)).collect())
            .unwrap_or_else(default_modes);
        Some(WidgetSettings {
            locale: text(v, "locale"),
            modes,
            theme: member(v, "theme").unwrap_or_default(),
            strings: v.get("strings").map(|s| strings(&s)).unwrap_or_default(),
            form: member(v, "form").unwrap_or_default(),
            chat: list(v, "chat_question"),
            messengers: list(v, "messenger"),
            triggers: member(v, "triggers"),
            consent: member(v, "consent"),
            goals: member(v, "goals").unwrap_or_default(),
            track_phone_clicks: flag(v, "track_phone_clicks").unwrap_or(false),
        })
    }
}

/// Each language's words ([`text_members`]: no sort in the widget).
fn strings<V: View>(v: &V) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut by_lang = BTreeMap::new();
    for (lang, words) in v.members() {
        by_lang.insert(lang, text_members(&words));
    }
    by_lang
}

impl Read for Localized {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(Localized {
            en: text(v, "en"),
            ru: text(v, "ru"),
        })
    }
}

impl Read for Theme {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(Theme {
            color: text(v, "color").unwrap_or_else(default_color),
            position: v
                .get("position")
                .and_then(|p| enum_of(POSITIONS, &p))
                .unwrap_or_default(),
            z_index: small(v, "z_index").unwrap_or_else(default_z_index),
            launcher_label: member(v, "launcher_label").unwrap_or_default(),
        })
    }
}

impl Read for FormSettings {
    fn read<V: View>(v: &V) -> Option<Self> {
        let require = v
            .get("require")
            .map(|r| r.items().iter().filter_map(|f| enum_of(CONTACT_FIELDS, f)).collect())
            .unwrap_or_default();
        Some(FormSettings {
            require,
            message: flag(v, "message").unwrap_or(true),
            fields: list(v, "field"),
        })
    }
}

impl Read for FormField {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(FormField {
            id: text(v, "id")?,
            label: member(v, "label").unwrap_or_default(),
            kind: enum_of(FIELD_KINDS, &v.get("type")?)?,
            options: list(v, "options"),
            required: flag(v, "required").unwrap_or(false),
        })
    }
}

impl Read for SelectOption {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(SelectOption {
            value: text(v, "value")?,
            label: member(v, "label").unwrap_or_default(),
        })
    }
}

impl Read for ChatQuestion {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(ChatQuestion {
            text: member(v, "text").unwrap_or_default(),
            answer: member(v, "answer")?,
        })
    }
}

/// serde's external tagging: `"phone"`, or `{"field": "id"}`.
impl Read for ChatAnswer {
    fn read<V: View>(v: &V) -> Option<Self> {
        if let Some(id) = text(v, "field") {
            return Some(ChatAnswer::Field(id));
        }
        Some(match v.text()?.as_str() {
            "name" => ChatAnswer::Name,
            "phone" => ChatAnswer::Phone,
            "email" => ChatAnswer::Email,
            "message" => ChatAnswer::Message,
            _ => return None,
        })
    }
}

impl Read for MessengerButton {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(MessengerButton {
            channel: enum_of(Messenger::WIRE_NAMES, &v.get("channel")?)?,
            target: text(v, "target")?,
            text: member(v, "text").unwrap_or_default(),
        })
    }
}

impl Read for Triggers {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(Triggers {
            after_seconds: small(v, "after_seconds"),
            scroll_percent: small(v, "scroll_percent"),
            exit_intent: flag(v, "exit_intent").unwrap_or(false),
            mode: v
                .get("mode")
                .and_then(|m| enum_of(Mode::WIRE_NAMES, &m))
                .unwrap_or_else(callback),
            max_per_visitor: small(v, "max_per_visitor").unwrap_or_else(one),
        })
    }
}

impl Read for ConsentSettings {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(ConsentSettings {
            text: member(v, "text").unwrap_or_default(),
            policy_url: text(v, "policy_url"),
        })
    }
}

impl Read for Goals {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(Goals {
            metrica_counter: small(v, "metrica_counter"),
            metrica_goal: text(v, "metrica_goal"),
            gtag_event: text(v, "gtag_event"),
        })
    }
}

impl Read for CallbackTimes {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(CallbackTimes {
            open: flag(v, "open")?,
            promise: text(v, "promise")?,
            slots: list(v, "slots"),
        })
    }
}

impl Read for OfferedSlot {
    fn read<V: View>(v: &V) -> Option<Self> {
        Some(OfferedSlot {
            start_ms: int(v, "start_ms")?,
            end_ms: int(v, "end_ms")?,
            label: text(v, "label")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::SitesFile;

    /// Every member of a richly configured site, written by serde as the
    /// collector does, comes back whole; so does the bare minimum.
    #[test]
    fn reads_what_the_collector_writes() {
        let sites: SitesFile = toml_like_site();
        for site in &sites.sites {
            let mut config = site.public_config();
            config.callback = Some(CallbackTimes {
                open: false,
                promise: "We'll call you back on Monday at 10:00".into(),
                slots: vec![OfferedSlot {
                    start_ms: 1_764_000_000_000,
                    end_ms: 1_764_001_800_000,
                    label: "Monday at 10:00".into(),
                }],
            });
            let written = serde_json::to_value(&config).unwrap();
            assert_eq!(PublicConfig::read(&written).as_ref(), Some(&config), "{written}");
        }
    }

    #[test]
    fn missing_members_take_serdes_defaults() {
        let bare = serde_json::json!({"site": "s", "default_country": "RU", "attribution": {}, "widget": {"theme": {}, "triggers": {}, "form": {}}});
        let by_serde: PublicConfig = serde_json::from_value(bare.clone()).unwrap();
        assert_eq!(PublicConfig::read(&bare), Some(by_serde));
        assert_eq!(PublicConfig::read(&serde_json::json!({"site": "s"})), None);
    }

    fn toml_like_site() -> SitesFile {
        serde_json::from_value(serde_json::json!({"site": [{
            "id": "rich", "origins": ["https://shop.example"], "default_country": "RU",
            "attribution": {"capture_before_interaction": true, "expiry_days": 30},
            "widget": {
                "locale": "ru", "modes": ["form", "chat", "callback"],
                "theme": {"color": "#ff0000", "position": "left", "z_index": 10, "launcher_label": {"ru": "Звонок", "en": "Call"}},
                "strings": {"ru": {"launcher": "Перезвоним!"}, "en": {"submit": "Go"}},
                "form": {"require": ["phone", "email", "name"], "message": false, "field": [
                    {"id": "service", "type": "select", "label": {"en": "Service"}, "required": true,
                     "options": [{"value": "a", "label": {"en": "A", "ru": "А"}}]},
                    {"id": "visit", "type": "checkbox", "label": {"ru": "Замер"}},
                    {"id": "note", "type": "text", "label": {}}]},
                "chat_question": [{"text": {"en": "Name?"}, "answer": "name"}, {"text": {"en": "Area?"}, "answer": {"field": "area"}},
                                  {"text": {"en": "Phone?"}, "answer": "phone"}, {"text": {}, "answer": "email"}, {"text": {}, "answer": "message"}],
                "messenger": [{"channel": "whatsapp", "target": "+79123456789", "text": {"ru": "Здравствуйте"}},
                              {"channel": "telegram", "target": "bot"}, {"channel": "viber", "target": "+7912"},
                              {"channel": "vk", "target": "club"}, {"channel": "phone", "target": "+7912"}],
                "triggers": {"after_seconds": 30, "scroll_percent": 60, "exit_intent": true, "mode": "chat", "max_per_visitor": 3},
                "consent": {"text": {"ru": "Согласен"}, "policy_url": "https://shop.example/privacy"},
                "goals": {"metrica_counter": 12345678, "metrica_goal": "lead", "gtag_event": "generate_lead"},
                "track_phone_clicks": true
            }
        }, {"id": "bare", "origins": [], "default_country": "US"}]}))
        .unwrap()
    }
}
