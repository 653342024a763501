//! The widget's words, in each language it speaks.

use web_sys::Window;

pub struct Strings {
    pub lang: &'static str,
    pub launcher: &'static str,
    pub title: &'static str,
    pub phone_label: &'static str,
    pub submit: &'static str,
    pub sending: &'static str,
    pub done: &'static str,
    pub close: &'static str,
    pub unavailable: &'static str,
    pub invalid: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    launcher: "Call me back",
    title: "We'll call you back",
    phone_label: "Your phone number",
    submit: "Call me back",
    sending: "Sending…",
    done: "Thank you! We'll call you back shortly.",
    close: "Close",
    unavailable: "We couldn't send your request. Please try again in a moment.",
    invalid: "Please check the form.",
};

pub const RU: Strings = Strings {
    lang: "ru",
    launcher: "Перезвоните мне",
    title: "Мы вам перезвоним",
    phone_label: "Ваш номер телефона",
    submit: "Перезвоните мне",
    sending: "Отправляем…",
    done: "Спасибо! Мы скоро вам перезвоним.",
    close: "Закрыть",
    unavailable: "Не удалось отправить заявку. Попробуйте ещё раз через минуту.",
    invalid: "Проверьте, пожалуйста, форму.",
};

const LANGUAGES: &[&Strings] = &[&EN, &RU];

/// The page's `<html lang>`, else the browser's language, else English.
pub fn for_page(window: &Window) -> &'static Strings {
    let page_lang = window
        .document()
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.is_empty());
    let lang = page_lang.or_else(|| window.navigator().language()).unwrap_or_default();
    let primary = lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    LANGUAGES.iter().copied().find(|s| s.lang == primary).unwrap_or(&EN)
}
