//! What a site owner configures about the widget (`[site.widget]` in
//! `sites.toml`) and what the widget receives from `GET /v1/sites/{site}/config`.
//!
//! Everything here is public: the widget shows it to visitors. Texts come per
//! language; a missing language falls back to the widget's built-in words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hours::Slot;

mod callback;
pub mod chat;
mod checks;
mod language;
pub mod messengers;
mod read;
mod words;

pub use callback::{callback_times, OFFERED_SLOTS};
pub use checks::LANGUAGES;
pub use language::{dialog_locale, LanguageHints};
pub use words::WORDS;

/// A text in each language the widget speaks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(default)]
    pub en: Option<String>,
    #[serde(default)]
    pub ru: Option<String>,
}

impl Localized {
    /// The text for `lang` (`"ru"`, `"en"`), else the other language, else `None`.
    pub fn get(&self, lang: &str) -> Option<&str> {
        let (first, second) = if lang == "ru" {
            (&self.ru, &self.en)
        } else {
            (&self.en, &self.ru)
        };
        first.as_deref().or(second.as_deref())
    }
}

/// What the visitor can do in the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Callback,
    Form,
    Chat,
}

// As in the config and in `data-leadwire`.
crate::wire_names::wire_names! {
    Mode {
        Callback => "callback",
        Form => "form",
        Chat => "chat",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Left,
    #[default]
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// The accent colour, `#rrggbb`.
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default)]
    pub position: Position,
    /// Above the page's own layers; lower it if the site has something that must stay on top.
    #[serde(default = "default_z_index")]
    pub z_index: u32,
    #[serde(default)]
    pub launcher_label: Localized,
}

fn default_color() -> String {
    "#1a56db".into()
}

fn default_z_index() -> u32 {
    2_147_483_000
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            color: default_color(),
            position: Position::Right,
            z_index: default_z_index(),
            launcher_label: Localized::default(),
        }
    }
}

/// The contact details a form can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactField {
    Name,
    Phone,
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Select,
    Checkbox,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectOption {
    pub value: String,
    pub label: Localized,
}

/// A site's own question on the contact form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Key in the lead's `fields`; a-z, 0-9, '_'.
    pub id: String,
    pub label: Localized,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    #[serde(default)]
    pub options: Vec<SelectOption>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSettings {
    /// Contact details that must be given. Empty: a phone or an email.
    #[serde(default)]
    pub require: Vec<ContactField>,
    /// Whether the form has a free-text message.
    #[serde(default = "yes")]
    pub message: bool,
    #[serde(default, rename = "field")]
    pub fields: Vec<FormField>,
}

fn yes() -> bool {
    true
}

impl Default for FormSettings {
    fn default() -> Self {
        FormSettings {
            require: Vec::new(),
            message: true,
            fields: Vec::new(),
        }
    }
}

/// Where an answer in the chat intake goes in the lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatAnswer {
    Name,
    Phone,
    Email,
    Message,
    /// A custom field, by id.
    Field(String),
}

/// One question the intake bot asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatQuestion {
    pub text: Localized,
    pub answer: ChatAnswer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Messenger {
    Whatsapp,
    Telegram,
    Viber,
    Vk,
    Phone,
}

crate::wire_names::wire_names! {
    Messenger {
        Whatsapp => "whatsapp",
        Telegram => "telegram",
        Viber => "viber",
        Vk => "vk",
        Phone => "phone",
    }
}

/// A button that opens a chat in a messenger (or dials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessengerButton {
    pub channel: Messenger,
    /// Phone in E.164 (WhatsApp, Viber, phone), bot or user name (Telegram), community (VK).
    pub target: String,
    /// The prefilled first message; the ref code is appended.
    #[serde(default)]
    pub text: Localized,
}

/// When the widget opens by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    #[serde(default)]
    pub after_seconds: Option<u32>,
    #[serde(default)]
    pub scroll_percent: Option<u8>,
    /// Desktop only: the pointer leaves through the top of the window.
    #[serde(default)]
    pub exit_intent: bool,
    #[serde(default = "callback")]
    pub mode: Mode,
    /// Proactive openings per visitor, ever.
    #[serde(default = "one")]
    pub max_per_visitor: u32,
}

fn callback() -> Mode {
    Mode::Callback
}

fn one() -> u32 {
    1
}

/// A consent checkbox (152-FZ, GDPR); its text is stored with the lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSettings {
    pub text: Localized,
    #[serde(default)]
    pub policy_url: Option<String>,
}

/// Analytics goals reached on every lead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goals {
    /// Yandex Metrica counter id for `ym(id, 'reachGoal', goal)`.
    #[serde(default)]
    pub metrica_counter: Option<u64>,
    #[serde(default)]
    pub metrica_goal: Option<String>,
    /// Event name for `gtag('event', name, …)`.
    #[serde(default)]
    pub gtag_event: Option<String>,
}

/// `[site.widget]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetSettings {
    /// `"ru"` or `"en"`; none: the page's `<html lang>`, then the browser's language.
    #[serde(default)]
    pub locale: Option<String>,
    /// The launcher offers these, in this order.
    #[serde(default = "default_modes")]
    pub modes: Vec<Mode>,
    #[serde(default)]
    pub theme: Theme,
    /// Overrides of the built-in words: language → key → text.
    #[serde(default)]
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub form: FormSettings,
    #[serde(default, rename = "chat_question")]
    pub chat: Vec<ChatQuestion>,
    #[serde(default, rename = "messenger")]
    pub messengers: Vec<MessengerButton>,
    #[serde(default)]
    pub triggers: Option<Triggers>,
    #[serde(default)]
    pub consent: Option<ConsentSettings>,
    #[serde(default)]
    pub goals: Goals,
    /// Record clicks on `tel:` links as `phone_click` leads.
    #[serde(default)]
    pub track_phone_clicks: bool,
}

fn default_modes() -> Vec<Mode> {
    vec![Mode::Callback]
}

impl Default for WidgetSettings {
    fn default() -> Self {
        WidgetSettings {
            locale: None,
            modes: default_modes(),
            theme: Theme::default(),
            strings: BTreeMap::new(),
            form: FormSettings::default(),
            chat: Vec::new(),
            messengers: Vec::new(),
            triggers: None,
            consent: None,
            goals: Goals::default(),
            track_phone_clicks: false,
        }
    }
}

/// When a callback can happen, computed by the collector for the visitor's
/// time zone and language (the widget carries no time-zone database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackTimes {
    /// Inside business hours now.
    pub open: bool,
    /// The honest promise, e.g. "We'll call you within 15 minutes" or "We'll call you back on Monday at 10:00".
    pub promise: String,
    /// Outside hours: the next bookable slots, each with its label in the visitor's time zone.
    pub slots: Vec<OfferedSlot>,
}

/// A slot as the widget receives it: milliseconds, not RFC 3339 text, because
/// parsing timestamps would pull jiff's time-zone database into the widget
/// (≈ 100 KB gzip, measured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedSlot {
    pub start_ms: i64,
    pub end_ms: i64,
    /// "tomorrow at 10:00", «завтра в 10:00».
    pub label: String,
}

impl OfferedSlot {
    pub fn new(slot: &Slot, label: String) -> Self {
        OfferedSlot {
            start_ms: slot.start.as_millisecond(),
            end_ms: slot.end.as_millisecond(),
            label,
        }
    }

    /// The slot to send back with the lead.
    pub fn slot(&self) -> Option<Slot> {
        Some(Slot {
            start: jiff::Timestamp::from_millisecond(self.start_ms).ok()?,
            end: jiff::Timestamp::from_millisecond(self.end_ms).ok()?,
        })
    }
}
