//! The link behind each messenger button, carrying the prefilled message and
//! the ref code that joins the chat to its lead.

use super::Messenger;

/// Characters people can read out on the phone (no 0/O, 1/I).
pub const REF_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A button's class name, its label and its link; the ref code goes where the messenger carries it.
/// `encode` is [`encode_uri_component`] or, in a browser, JavaScript's own (no copy shipped).
pub fn link<E: Into<String>>(
    channel: Messenger,
    target: &str,
    text: &str,
    code: &str,
    encode: impl Fn(&str) -> E,
) -> (&'static str, &'static str, String) {
    let message: String = encode(format!("{text} [ref {code}]").trim()).into();
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

fn digits(target: &str) -> String {
    target.chars().filter(char::is_ascii_digit).collect()
}

/// As JavaScript's `encodeURIComponent`: every UTF-8 byte but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX`.
pub fn encode_uri_component(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.extend(['%', HEX[usize::from(b >> 4)] as char, HEX[usize::from(b & 15)] as char]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_channel_links_with_its_text_and_ref() {
        #[rustfmt::skip]
        let cases: &[(Messenger, &str, &str, (&str, &str, &str))] = &[
            (Messenger::Whatsapp, "+7 (900) 123-45-67", "Hello",
             ("whatsapp", "WhatsApp", "https://wa.me/79001234567?text=Hello%20%5Bref%20AB23CD%5D")),
            // No text: the ref code alone, without a leading space.
            (Messenger::Whatsapp, "+79001234567", "",
             ("whatsapp", "WhatsApp", "https://wa.me/79001234567?text=%5Bref%20AB23CD%5D")),
            (Messenger::Telegram, "@shop_bot", "Hello",
             ("telegram", "Telegram", "https://t.me/shop_bot?start=AB23CD")),
            (Messenger::Telegram, "shop_bot", "", ("telegram", "Telegram", "https://t.me/shop_bot?start=AB23CD")),
            (Messenger::Viber, "+7 900 123 45 67", "Здравствуйте!",
             ("viber", "Viber",
              "viber://chat?number=%2B79001234567&draft=%D0%97%D0%B4%D1%80%D0%B0%D0%B2%D1%81%D1%82%D0%B2%D1%83%D0%B9%D1%82%D0%B5!%20%5Bref%20AB23CD%5D")),
            (Messenger::Vk, "club123", "Hello", ("vk", "VK", "https://vk.me/club123?ref=AB23CD")),
            (Messenger::Phone, "+7 900 123-45-67", "Hello", ("phone", "Phone", "tel:+79001234567")),
        ];
        for (channel, target, text, (name, label, href)) in cases {
            let got = link(*channel, target, text, "AB23CD", encode_uri_component);
            assert_eq!(
                (got.0, got.1, got.2.as_str()),
                (*name, *label, *href),
                "{channel:?} {target}"
            );
        }
    }

    #[test]
    fn messages_are_encoded_as_encode_uri_component_does() {
        let cases = [
            ("AZaz09-_.!~*'()", "AZaz09-_.!~*'()"),
            ("a b", "a%20b"),
            ("?&=#+/:@%", "%3F%26%3D%23%2B%2F%3A%40%25"),
            ("ё", "%D1%91"),
            ("€", "%E2%82%AC"),
            ("😀", "%F0%9F%98%80"),
            ("a\nb", "a%0Ab"),
        ];
        for (text, want) in cases {
            assert_eq!(encode_uri_component(text), want, "{text}");
        }
    }
}
