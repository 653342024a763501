//! What a visitor typed, made safe to store and show, once, at the edge's
//! gate ([`crate::validate::validate`]): NFC, no control characters (a newline
//! stays where a field holds lines), no bidi controls, no invisible characters.
//!
//! Why here and not only where text is shown: a CRM, a CSV, a console and a
//! chat message all read the stored lead; a name with U+202E or a NUL, or
//! `Ива\u{200B}н` that looks like `Иван` but is not, would reach each of them.
//! The destinations still escape for their own markup.

use icu_normalizer::ComposingNormalizerBorrowed;

use crate::destination::text::is_bidi_control;

/// Characters that show nothing and carry no meaning in a name or message,
/// but hide text or split a word: zero-width space, word joiner, byte order
/// mark, soft hyphen, Mongolian vowel separator, invisible math operators and
/// the tag characters (used to smuggle hidden text). The zero-width joiner and
/// non-joiner stay: emoji sequences and Persian or Indic writing need them.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{E0000}'..='\u{E007F}'
    )
}

fn dropped(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// One line of text (a name, a product, a page title): NFC, every line break
/// and tab as one space, controls, bidi and invisible characters removed.
pub fn line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .filter_map(|c| match c {
            '\r' | '\n' | '\t' | '\u{2028}' | '\u{2029}' | '\u{0085}' => Some(' '),
            c if dropped(c) => None,
            c => Some(c),
        })
        .collect();
    nfc(&spaced)
}

/// Text that may hold lines (a message, a consent text): as [`line`], but
/// line breaks (CR LF, CR, and the Unicode separators) become one `\n`.
pub fn lines(text: &str) -> String {
    let unified = text.replace("\r\n", "\n");
    let kept: String = unified
        .chars()
        .filter_map(|c| match c {
            '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' | '\n' => Some('\n'),
            '\t' => Some(' '),
            c if dropped(c) => None,
            c => Some(c),
        })
        .collect();
    nfc(&kept)
}

fn nfc(text: &str) -> String {
    ComposingNormalizerBorrowed::new_nfc().normalize(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_loses_breaks_controls_bidi_and_invisibles() {
        let cases: &[(&str, &str)] = &[
            ("Ivan\r\nBcc: x", "Ivan  Bcc: x"),
            ("Iv\u{0}an\u{7}", "Ivan"),
            ("\u{202E}navI", "navI"),
            ("Ива\u{200B}н", "Иван"),
            ("a\u{FEFF}b\u{00AD}c\u{2060}d", "abcd"),
            ("hidden\u{E0041}\u{E0042}", "hidden"),
            ("tab\there", "tab here"),
            ("line\u{2028}sep", "line sep"),
        ];
        for (typed, stored) in cases {
            assert_eq!(line(typed), *stored, "{typed:?}");
        }
    }

    #[test]
    fn lines_keep_one_newline_per_break() {
        assert_eq!(lines("a\r\nb\rc\nd\u{2029}e"), "a\nb\nc\nd\ne");
        assert_eq!(lines("x\u{0}\u{1B}[31my\u{202E}"), "x[31my");
    }

    #[test]
    fn text_is_composed_to_nfc() {
        // "й" typed as и + combining breve, "Ü" as U + combining diaeresis.
        assert_eq!(line("\u{0438}\u{0306}"), "\u{0439}");
        assert_eq!(lines("U\u{0308}ber"), "\u{00DC}ber");
    }

    #[test]
    fn joiners_that_writing_needs_stay() {
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(line(family), family);
        assert_eq!(line("می\u{200C}خواهم"), "می\u{200C}خواهم");
        assert_eq!(line("Иван 🙂 Ü"), "Иван 🙂 Ü");
    }
}
