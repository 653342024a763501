//! The public configuration's entity tag: a page reloaded within the cache
//! life revalidates with `If-None-Match` and gets a 304 while nothing changed.

use sha2::{Digest, Sha256};

/// A strong ETag for `body`: the first 128 bits of its SHA-256, quoted.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` header names `etag` (or is `*`). A weak
/// comparison, as RFC 9110 asks for `If-None-Match`: `W/"x"` matches `"x"`.
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| bare(t) == bare(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_body_has_the_same_tag_and_another_body_another() {
        assert_eq!(etag(b"{}"), etag(b"{}"));
        assert_ne!(etag(b"{}"), etag(b"{ }"));
        assert_eq!(etag(b"{}").len(), 34);
        assert!(etag(b"{}").starts_with('"') && etag(b"{}").ends_with('"'));
    }

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let tag = "\"abc\"";
        for (header, matches) in [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("*", true),
            ("\"abd\"", false),
            ("", false),
            ("abc", false),
        ] {
            assert_eq!(etag_matches(header, tag), matches, "{header}");
        }
    }
}
