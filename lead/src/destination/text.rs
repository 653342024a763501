//! Hygiene for what the visitor typed, shared by every kind: characters that
//! must not reach a product, one-line values, which addresses may become
//! links, and HTML escaping. Each kind still does its own markup (BB-code,
//! mrkdwn, Telegram's HTML); these are the pieces they had each written again.

/// Whether `c` is a bidi control: the marks U+200E, U+200F and U+061C, the
/// embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069.
/// Typed by a visitor they reorder what the manager reads (a reversed phone,
/// a name that seems to say something else) and show nothing themselves.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without control characters (newline and tab stay) and without bidi
/// controls ([`is_bidi_control`]): the union of what the kinds dropped.
///
/// Why: a control character breaks a header or a field, a bidi control makes a manager misread a name or number.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || is_bidi_control(c)))
        .collect()
}

/// [`clean`], on one line (newlines and tabs as spaces): for fields a product
/// shows as a single line, and for headers, which a CR or LF would end.
pub fn one_line(text: &str) -> String {
    clean(text).replace(['\n', '\t'], " ")
}

/// `text` as an http(s) URL with a host (surrounding spaces ignored), for a
/// link whose address is written out again from the parsed URL.
pub fn web_url(text: &str) -> Option<url::Url> {
    url::Url::parse(text.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// Whether `text`, exactly as written, is an http(s) address: it starts with
/// `http://` or `https://` (any case), holds no white space or control
/// character, and parses as a [`web_url`]. For an address that is used as
/// it is: a link's `href`, a product's page field, a destination's `url`.
pub fn is_web_address(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && web_url(text).is_some()
}

/// Whether a product's address may be written into a site: public `https`,
/// or plain `http` only to a stand-in on this machine (a token must never
/// cross the network in clear); never a private address ([`super::reach`]).
/// Whether loopback may be called right now is checked again when sending.
pub fn is_secure_or_loopback(url: &url::Url) -> bool {
    super::reach::check(url, super::reach::Loopback::Allowed).is_ok()
}

/// Whether `phone` is E.164, `+` and 7 to 15 digits: the only phone a `tel:`
/// link is made of.
pub fn is_e164(phone: &str) -> bool {
    phone
        .strip_prefix('+')
        .is_some_and(|digits| (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// `text` with `&`, `<` and `>` as entities: text between HTML tags as
/// Telegram reads it (a `"` there stays as typed), and also the three
/// characters Slack's mrkdwn treats as control characters.
pub fn escape_html_text(text: &str) -> String {
    escape_with(text, &[])
}

/// [`escape_html_text`] and `"` as `&quot;`: text that may also stand in a
/// double-quoted attribute value (Telegram's `href`).
pub fn escape_html(text: &str) -> String {
    escape_with(text, &[('"', "&quot;")])
}

/// [`escape_html`] and `'` as `&#39;`: safe between either kind of quote.
/// The email's HTML escapes every value so (its golden body has `We&#39;ll`).
pub fn escape_html_strict(text: &str) -> String {
    escape_with(text, &[('"', "&quot;"), ('\'', "&#39;")])
}

/// `&`, `<`, `>` and each of `quotes` as its entity.
fn escape_with(text: &str, quotes: &[(char, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => match quotes.iter().find(|(q, _)| *q == c) {
                Some((_, entity)) => out.push_str(entity),
                None => out.push(c),
            },
        }
    }
    out
}

/// How many UTF-16 units `text` takes: what Telegram and Slack count their
/// limits in (never less than their count of characters).
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_a_loopback_stand_in_may_be_called() {
        let cases = [
            ("https://shop.bitrix24.ru/rest/1/x/", true),
            ("http://127.0.0.1:9000/rest/1/x/", true),
            ("http://localhost:9000/", true),
            ("http://[::1]:9000/", true),
            ("http://shop.bitrix24.ru/rest/1/x/", false),
            ("http://127.0.0.1.evil.example/", false),
            ("ftp://127.0.0.1/", false),
        ];
        for (text, want) in cases {
            let url = url::Url::parse(text).expect("a URL");
            assert_eq!(is_secure_or_loopback(&url), want, "{text}");
        }
    }

    #[test]
    fn clean_drops_controls_and_bidi_but_keeps_newlines_and_tabs() {
        assert_eq!(clean("a\tb\nc\r\u{0}\u{7}\u{1B}d\u{7F}"), "a\tb\ncd");
        for bidi in [
            '\u{200E}', '\u{200F}', '\u{061C}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
        ] {
            assert!(is_bidi_control(bidi), "{:04X}", bidi as u32);
            assert_eq!(clean(&format!("+7{bidi}912")), "+7912");
        }
        // Neighbours of the ranges, and what a name may hold, stay.
        for kept in [
            '\u{200D}', '\u{2029}', '\u{202F}', '\u{2065}', '\u{206A}', 'é', 'Ж', '🙂',
        ] {
            assert!(!is_bidi_control(kept), "{:04X}", kept as u32);
        }
        assert_eq!(clean("Иван\u{200D}🙂 Ü"), "Иван\u{200D}🙂 Ü");
    }

    #[test]
    fn one_line_turns_breaks_into_spaces_and_trims_nothing() {
        assert_eq!(one_line(" a\r\nb\tc\u{202E}d "), " a b cd ");
        assert_eq!(one_line("Bcc: x\r\nBcc: y"), "Bcc: x Bcc: y");
    }

    #[test]
    fn web_addresses_are_http_or_https_with_a_host() {
        for good in [
            "https://shop.example/windows?utm_source=yandex",
            "HTTP://127.0.0.1:8787",
            "http://localhost/x",
        ] {
            assert!(is_web_address(good), "{good}");
            assert!(web_url(good).is_some(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://a.example",
            "api.hsforms.com",
            "http://",
            "http:a.example",
            "https://a.example/x y",
            " https://a.example",
            "https://a.example/\n",
            "",
        ] {
            assert!(!is_web_address(bad), "{bad:?}");
        }
        // A URL written out again is normalised; surrounding spaces do not count.
        assert_eq!(
            web_url(" https://shop.example/?q=\"><script> ")
                .map(String::from)
                .as_deref(),
            Some("https://shop.example/?q=%22%3E%3Cscript%3E")
        );
        assert_eq!(web_url("mailto:a@b.example"), None);
    }

    #[test]
    fn e164_is_a_plus_and_7_to_15_digits() {
        for good in ["+79123456789", "+6831234", "+123456789012345"] {
            assert!(is_e164(good), "{good}");
        }
        for bad in [
            "79123456789",
            "+123456",
            "+1234567890123456",
            "+7912\"><script>",
            "+7 912 345 67 89",
            "",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn html_escapes_differ_only_in_the_quotes() {
        let typed = "<a href=\"x\">Tom & Jerry's</a>";
        assert_eq!(
            escape_html_text(typed),
            "&lt;a href=\"x\"&gt;Tom &amp; Jerry's&lt;/a&gt;"
        );
        assert_eq!(
            escape_html(typed),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry's&lt;/a&gt;"
        );
        assert_eq!(
            escape_html_strict(typed),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        // An entity the visitor typed is shown as typed, not decoded.
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
    }

    #[test]
    fn utf16_len_counts_surrogate_pairs_twice() {
        assert_eq!(utf16_len("aЖ"), 2);
        assert_eq!(utf16_len("🙂"), 2);
    }
}
