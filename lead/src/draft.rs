//! What a visitor has typed but not sent (a phone, a name, an email), kept so
//! a reload or the next page does not lose it. It is personal data, so the
//! widget keeps it in memory until the site's consent setting lets it into
//! localStorage ([`may_store`]), and a stored draft is forgotten
//! [`DRAFT_TTL_MS`] after it was last typed in ([`StoredDraft::is_fresh`]).

use std::collections::BTreeMap;

use crate::json::{int, object, text_members, View};
use crate::site::PublicConfig;

/// A day: long enough to come back after a break, short enough that a
/// shared computer does not offer the next person someone's phone number.
pub const DRAFT_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether a draft may be written to localStorage now. A site with a consent
/// checkbox asks for consent first: once it is ticked. A site without one
/// has no consent to wait for in the widget; it stores only if it has said
/// storing before the visitor interacts is fine (`capture_before_interaction`).
pub fn may_store(config: &PublicConfig, consent_ticked: bool) -> bool {
    match config.widget.consent {
        Some(_) => consent_ticked,
        None => config.attribution.capture_before_interaction,
    }
}

/// A draft as the widget stores it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredDraft {
    /// Input name → what was typed.
    pub fields: BTreeMap<String, String>,
    /// When it was last typed in, in ms since the Unix epoch.
    pub saved_ms: i64,
}

impl StoredDraft {
    /// Reads what the widget stored; `None` for anything unreadable, and for
    /// the bare field map earlier widgets stored: without a time, it could be
    /// any age.
    pub fn read<V: View>(v: &V) -> Option<StoredDraft> {
        let saved_ms = int(v, "saved_ms")?;
        let fields = text_members(&v.get("fields")?);
        Some(StoredDraft { fields, saved_ms })
    }

    /// The JSON [`Self::read`] reads.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        object(&mut out, |o| {
            o.int("saved_ms", self.saved_ms);
            o.key("fields").object(|o| {
                for (name, value) in &self.fields {
                    o.text(name, value);
                }
            });
        });
        out
    }

    /// Whether it is still to be offered at `now_ms`: typed in less than
    /// [`DRAFT_TTL_MS`] ago. One from the future (a clock set back) is not, so
    /// no draft outlives its day by a clock that was once ahead.
    pub fn is_fresh(&self, now_ms: i64) -> bool {
        (0..DRAFT_TTL_MS).contains(&now_ms.saturating_sub(self.saved_ms))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn config(consent: bool, capture_before_interaction: bool) -> PublicConfig {
        let consent = consent.then(|| json!({ "text": { "en": "I agree" } }));
        serde_json::from_value(json!({
            "site": "shop",
            "default_country": "RU",
            "attribution": { "capture_before_interaction": capture_before_interaction, "expiry_days": 180 },
            "widget": { "consent": consent },
        }))
        .expect("a public config")
    }

    #[test]
    fn a_draft_is_stored_only_as_the_sites_consent_setting_allows() {
        // (a consent checkbox, capture before interaction, ticked) → may store
        #[rustfmt::skip]
        let cases = [
            (true,  false, false, false),
            (true,  true,  false, false),
            (true,  false, true,  true),
            (true,  true,  true,  true),
            (false, false, false, false),
            (false, false, true,  false),
            (false, true,  false, true),
        ];
        for (checkbox, capture, ticked, want) in cases {
            assert_eq!(
                may_store(&config(checkbox, capture), ticked),
                want,
                "checkbox {checkbox}, capture {capture}, ticked {ticked}"
            );
        }
    }

    #[test]
    fn a_stored_draft_is_fresh_for_a_day() {
        const HOUR: i64 = 60 * 60 * 1000;
        let saved_ms = 1_764_000_000_000;
        let cases = [
            (0, true),
            (23 * HOUR, true),
            (DRAFT_TTL_MS - 1, true),
            (DRAFT_TTL_MS, false),
            (25 * HOUR, false),
            (-1, false),
            (i64::MAX, false),
        ];
        for (age, want) in cases {
            let draft = StoredDraft {
                fields: BTreeMap::new(),
                saved_ms,
            };
            assert_eq!(draft.is_fresh(saved_ms.saturating_add(age)), want, "{age} ms old");
        }
    }

    #[test]
    fn what_is_written_reads_back_and_a_draft_without_a_time_does_not() {
        let draft = StoredDraft {
            fields: [("phone", "+7 (912) 345-67-89"), ("name", "Анна \"А\"")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            saved_ms: 1_764_000_000_000,
        };
        let written: serde_json::Value = serde_json::from_str(&draft.to_json()).expect("JSON");
        assert_eq!(StoredDraft::read(&written), Some(draft));
        for stored in [json!({ "phone": "+79123456789" }), json!({ "saved_ms": 1 }), json!([])] {
            assert_eq!(StoredDraft::read(&stored), None, "{stored}");
        }
    }
}
