//! How long each part of a lead may be, and the one way to cut a text to a
//! limit. A leaf: it uses nothing else in the crate, so validation,
//! attribution and the widget settings check all read it without reaching
//! into each other.

/// A visitor's name, in characters.
pub const NAME: usize = 200;
pub const EMAIL: usize = 254;
pub const PHONE_AS_TYPED: usize = 64;
pub const MESSAGE: usize = 5_000;
/// Every URL in a lead: the page, its referrer, each touch's landing and referrer.
pub const URL: usize = 2_048;
pub const TITLE: usize = 300;
pub const PRODUCT: usize = 200;
/// A custom text field's answer.
pub const FIELD_TEXT: usize = 1_000;
/// The consent text the visitor saw.
pub const CONSENT: usize = 2_000;
pub const TRANSCRIPT_TURNS: usize = 50;
/// One chat turn's text.
pub const TURN: usize = 2_000;
/// A messenger click's ref code, in ASCII letters and digits.
pub const REF_CODE: std::ops::RangeInclusive<usize> = 4..=16;
/// Whole request body, in bytes.
pub const BODY_BYTES: usize = 32 * 1024;

/// Each of an attribution's source, medium, campaign, term and content.
pub const ATTRIBUTION_VALUE: usize = 200;
/// Each click id: long enough for any platform's, cut rather than refused.
pub const CLICK_ID: usize = 500;
/// The path kept when an over-long URL is cut down to its tags.
pub const URL_PATH: usize = 512;

/// Cuts to at most `max` characters, on a character boundary.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => s[..cut].to_owned(),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn truncate_respects_characters() {
        assert_eq!(truncate("привет", 3), "при");
        assert_eq!(truncate("hi", 3), "hi");
        assert_eq!(truncate("", 0), "");
    }

    /// The code of a source file, without its tests and `//` comments.
    fn code(path: &Path) -> String {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        text.lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn limits_are_a_leaf_and_attribution_never_reaches_into_validate() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let leaf = code(&src.join("limits.rs"));
        for other in ["crate::", "super::", "use "] {
            assert!(!leaf.contains(other), "limits.rs uses {other:?}: it must stay a leaf");
        }
        let dir = src.join("attribution");
        let files = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut read = 0;
        for file in files.map(|f| f.expect("a directory entry").path()) {
            assert!(
                !code(&file).contains("validate"),
                "{} reaches into validate, which calls attribution: take limits from crate::limits",
                file.display()
            );
            read += 1;
        }
        assert!(read >= 5, "only {read} attribution files read");
    }
}
