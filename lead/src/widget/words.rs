//! The widget's built-in words, in each language it speaks. Kept here, not in
//! the widget, so that the configuration check knows every key a site may
//! override and a native test can see that no language misses one.

/// (key, English, Russian). `[site.widget.strings.<lang>]` may override any key.
pub const WORDS: &[(&str, &str, &str)] = &[
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
    (
        "done_callback",
        "Thank you! We'll call you back",
        "Спасибо! Мы перезвоним",
    ),
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
        "limited_queued",
        "Your request is saved and will be sent automatically in a moment.",
        "Заявка сохранена и будет отправлена автоматически через несколько секунд.",
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

#[cfg(test)]
mod tests {
    use super::WORDS;

    #[test]
    fn every_word_has_both_languages_and_a_unique_key() {
        for (i, (key, en, ru)) in WORDS.iter().enumerate() {
            assert!(!en.is_empty() && !ru.is_empty(), "{key}");
            assert!(WORDS[..i].iter().all(|(k, _, _)| k != key), "{key} twice");
            assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{key}");
        }
    }
}
