//! Messenger buttons. Each click is itself a lead (`messenger_click`) with its
//! attribution, and the prefilled message or start parameter carries a short
//! ref code so the sales team can join that chat to its source.

use lead::widget::messengers::{link, REF_ALPHABET};
use lead::widget::MessengerButton;
use lead::wire::MessengerClick;
use web_sys::Element;

use crate::i18n::{escape, Words};

/// Six characters people can read out on the phone.
fn ref_code() -> String {
    (0..6)
        .map(|_| {
            REF_ALPHABET[(js_sys::Math::random() * REF_ALPHABET.len() as f64) as usize % REF_ALPHABET.len()] as char
        })
        .collect()
}

pub fn html(buttons: &[MessengerButton], words: &Words) -> String {
    if buttons.is_empty() {
        return String::new();
    }
    let mut out = format!(
        r#"<div class="messengers"><p>{}</p>"#,
        escape(words.get("messengers_title"))
    );
    for (i, button) in buttons.iter().enumerate() {
        let code = ref_code();
        let text = button.text.get(words.lang).unwrap_or("");
        let (name, label, href) = link(
            button.channel,
            &button.target,
            text,
            &code,
            js_sys::encode_uri_component,
        );
        out += &format!(
            r#"<a class="messenger {name}" href="{}" target="_blank" rel="noopener" data-messenger="{i}" data-ref="{code}">{label}</a>"#,
            escape(&href)
        );
    }
    out + "</div>"
}

/// The click on `button` to record as a lead; the link itself opens the messenger.
pub fn clicked(buttons: &[MessengerButton], button: &Element) -> Option<MessengerClick> {
    let index: usize = button.get_attribute("data-messenger")?.parse().ok()?;
    let config = buttons.get(index)?;
    Some(MessengerClick {
        channel: config.channel,
        ref_code: button.get_attribute("data-ref").unwrap_or_else(ref_code),
    })
}
