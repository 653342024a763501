//! What the targets share: the sites the Worker is built with, and what
//! "neutralised text" and "E.164" mean as checks.

#![allow(dead_code)]

use std::sync::OnceLock;

use lead::site::SitesFile;

/// edge/sites.toml, as the Worker is built with it.
pub fn sites() -> &'static SitesFile {
    static SITES: OnceLock<SitesFile> = OnceLock::new();
    SITES.get_or_init(|| {
        toml::from_str(include_str!("../../edge/sites.toml")).unwrap_or_else(|e| panic!("edge/sites.toml: {e}"))
    })
}

/// `+`, then 2 to 15 digits, the first not 0 (ITU-T E.164).
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

/// A character no stored text may hold: controls (but `\n` where lines are
/// allowed) and bidi overrides or isolates, which make a manager misread.
pub fn is_forbidden(c: char, lines: bool) -> bool {
    (c.is_control() && !(lines && c == '\n')) || lead::destination::text::is_bidi_control(c)
}
