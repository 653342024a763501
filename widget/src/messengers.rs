//! Messenger buttons. Each click is itself a lead (`messenger_click`) with its
//! attribution, and the prefilled message or start parameter carries a short
//! ref code so the sales team can join that chat to its source.

use std::rc::Rc;

use lead::widget::Messenger;
use lead::wire::{LeadKind, MessengerClick};
use web_sys::Element;

use crate::app::App;
use crate::i18n::escape;

const REF_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Six characters people can read out on the phone (no 0/O, 1/I).
fn ref_code() -> String {
    (0..6)
        .map(|_| {
            REF_ALPHABET[(js_sys::Math::random() * REF_ALPHABET.len() as f64) as usize % REF_ALPHABET.len()] as char
        })
        .collect()
}

fn digits(target: &str) -> String {
    target.chars().filter(char::is_ascii_digit).collect()
}

/// (channel name, label, link) for one button; the ref code goes where the messenger carries it.
fn link(channel: Messenger, target: &str, text: &str, code: &str) -> (&'static str, &'static str, String) {
    let message = js_sys::encode_uri_component(format!("{text} [ref {code}]").trim());
    match channel {
        Messenger::Whatsapp => (
            "whatsapp",
            "WhatsApp",
            format!("https://wa.me/{}?text={message}", digits(target)),
        ),
        Messenger::Telegram => (
            "telegram",
            "Telegram",
            format!("https://t.me/{}?start={code}", target.trim_start_matches('@')),
        ),
        Messenger::Viber => (
            "viber",
            "Viber",
            format!("viber://chat?number=%2B{}&draft={message}", digits(target)),
        ),
        Messenger::Vk => ("vk", "VK", format!("https://vk.me/{target}?ref={code}")),
        Messenger::Phone => ("phone", "Phone", format!("tel:+{}", digits(target))),
    }
}

pub fn html(app: &App) -> String {
    let buttons = &app.config.widget.messengers;
    if buttons.is_empty() {
        return String::new();
    }
    let mut out = format!(
        r#"<div class="messengers"><p>{}</p>"#,
        escape(app.words.get("messengers_title"))
    );
    for (i, button) in buttons.iter().enumerate() {
        let code = ref_code();
        let text = button.text.get(app.words.lang).unwrap_or("");
        let (name, label, href) = link(button.channel, &button.target, text, &code);
        out += &format!(
            r#"<a class="messenger {name}" href="{}" target="_blank" rel="noopener" data-messenger="{i}" data-ref="{code}">{label}</a>"#,
            escape(&href)
        );
    }
    out + "</div>"
}

/// Records the click as a lead; the link itself opens the messenger.
pub fn clicked(app: &Rc<App>, button: &Element) {
    let index: Option<usize> = button.get_attribute("data-messenger").and_then(|i| i.parse().ok());
    let Some(config) = index.and_then(|i| app.config.widget.messengers.get(i)) else {
        return;
    };
    let code = button.get_attribute("data-ref").unwrap_or_else(ref_code);
    let mut submission = app.submission(LeadKind::MessengerClick);
    submission.messenger = Some(MessengerClick {
        channel: config.channel,
        ref_code: code,
    });
    let app = Rc::clone(app);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = app.outbox.submit(submission).await;
    });
}
