//! Whether a submission came from a bot, judged from the [`Signals`] the widget
//! saw. The collector answers spam exactly as it answers a lead (bots must not
//! learn the rules), stores it flagged with the reason, and forwards nothing.

use crate::wire::Signals;

/// Below this, nobody has read the form, let alone filled it in.
pub const FASTEST_HUMAN_MS: u64 = 2_000;

/// Each rule with the reason it gives; the first that holds decides.
const RULES: &[(&str, fn(&Signals) -> bool)] = &[
    ("honeypot filled", |s| {
        s.honeypot.as_deref().is_some_and(|h| !h.is_empty())
    }),
    ("submitted faster than a person", |s| {
        s.elapsed_ms.is_some_and(|ms| ms < FASTEST_HUMAN_MS)
    }),
];

/// The reason a submission with these signals is spam, or `None` for a person.
pub fn spam_verdict(signals: &Signals) -> Option<&'static str> {
    RULES
        .iter()
        .find(|(_, holds)| holds(signals))
        .map(|(reason, _)| *reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules() {
        let cases: &[(Option<&str>, Option<u64>, Option<&str>)] = &[
            (None, None, None),
            (None, Some(12_000), None),
            (None, Some(2_000), None),
            (Some(""), Some(5_000), None),
            (Some("http://spam.example"), None, Some("honeypot filled")),
            (Some(" "), Some(30_000), Some("honeypot filled")),
            (None, Some(500), Some("submitted faster than a person")),
            (None, Some(0), Some("submitted faster than a person")),
            (None, Some(1_999), Some("submitted faster than a person")),
            // The first rule that holds gives the reason.
            (Some("x"), Some(10), Some("honeypot filled")),
        ];
        for (honeypot, elapsed_ms, want) in cases {
            let signals = Signals {
                honeypot: honeypot.map(Into::into),
                elapsed_ms: *elapsed_ms,
                ..Default::default()
            };
            assert_eq!(spam_verdict(&signals), *want, "{signals:?}");
        }
    }
}
