//! The widget's words: built in for English and Russian, each overridable per
//! language from the site's configuration (`[site.widget.strings.<lang>]`).

use std::collections::BTreeMap;

use web_sys::Window;

/// (key, English, Russian). The keys are `lead::widget::STRING_KEYS`.
const BUILT_IN: &[(&str, &str, &str)] = &[
    ("launcher", "Contact us", "Связаться с нами"),
    ("title_callback", "We'll call you back", "Мы вам перезвоним"),
    ("title_form", "Write to us", "Напишите нам"),
    ("title_chat", "Chat with us", "Чат с нами"),
    ("tab_callback", "Call me back", "Перезвоните мне"),
    ("tab_form", "Message", "Сообщение"),
    ("tab_chat", "Chat", "Чат"),
    ("phone_label", "Your phone number", "Ваш номер телефона"),
    ("name_label", "Your name", "Ваше имя"),
    ("email_label", "Email", "Эл. почта"),
    ("message_label", "Message", "Сообщение"),
    ("optional", "optional", "необязательно"),
    ("submit", "Send", "Отправить"),
    ("submit_callback", "Call me back", "Перезвоните мне"),
    ("sending", "Sending…", "Отправляем…"),
    ("done", "Thank you! We have your request.", "Спасибо! Заявка принята."),
    ("close", "Close", "Закрыть"),
    (
        "unavailable",
        "We couldn't send your request. Please try again in a moment.",
        "Не удалось отправить заявку. Попробуйте ещё раз через минуту.",
    ),
    ("invalid", "Please check the form.", "Проверьте, пожалуйста, форму."),
    (
        "offline_queued",
        "No connection right now. Your request is saved and will be sent as soon as you are back online.",
        "Сейчас нет связи. Заявка сохранена и уйдёт сама, как только связь появится.",
    ),
    (
        "consent_label",
        "I agree to the processing of my personal data",
        "Я согласен на обработку персональных данных",
    ),
    ("policy", "Privacy policy", "Политика конфиденциальности"),
    ("slot_label", "When should we call?", "Когда вам позвонить?"),
    ("chat_placeholder", "Type your answer", "Введите ответ"),
    ("chat_send", "Send", "Отправить"),
    (
        "messengers_title",
        "Or write to us in a messenger",
        "Или напишите нам в мессенджер",
    ),
    ("required", "This field is required.", "Заполните это поле."),
    ("honeypot", "Leave this field empty", "Оставьте это поле пустым"),
];

pub struct Words {
    pub lang: &'static str,
    overrides: BTreeMap<String, String>,
}

impl Words {
    /// The configured language, else the page's `<html lang>`, else the browser's.
    pub fn choose(
        window: &Window,
        configured: Option<&str>,
        overrides: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        let page_lang = window
            .document()
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .filter(|l| !l.is_empty());
        let wanted = configured
            .map(str::to_owned)
            .or(page_lang)
            .or_else(|| window.navigator().language())
            .unwrap_or_default();
        let lang = if wanted.to_ascii_lowercase().starts_with("ru") {
            "ru"
        } else {
            "en"
        };
        Words {
            lang,
            overrides: overrides.get(lang).cloned().unwrap_or_default(),
        }
    }

    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some(text) = self.overrides.get(key) {
            return text;
        }
        BUILT_IN
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, en, ru)| if self.lang == "ru" { *ru } else { *en })
            .unwrap_or(key)
    }
}

/// Escapes text for HTML built from strings.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
