//! The addresses and times a submission carries, before anyone reads them.
//!
//! The page's own URL must be an http(s) address with a host: a browser always
//! sends one, so anything else is a client's bug, named so it gets fixed. A
//! referrer or touch that is not a web address is dropped instead (the lead
//! keeps its contact; only that piece of attribution goes), and so is a
//! touch's time outside [`EARLIEST_TOUCH_MS`] … arrival + [`CLOCK_SKEW_MS`].
//! Kept addresses are written out again from the parsed URL, so no control
//! character, space or quote survives in them.

use url::Url;

use crate::wire::{FieldError, Submission, Touch};

/// 2020-01-01T00:00:00Z: no touch recorded by this product is older.
pub const EARLIEST_TOUCH_MS: i64 = 1_577_836_800_000;

/// How far ahead of the collector a visitor's clock may run.
pub const CLOCK_SKEW_MS: i64 = 24 * 60 * 60 * 1000;

/// Referrer schemes kept besides http(s): Android apps report themselves as
/// `android-app://package/`, which attribution reads (Gmail, Telegram, WhatsApp).
const APP_REFERRER_SCHEMES: &[&str] = &["android-app"];

pub(super) fn checked(mut sub: Submission, received_at_ms: i64, errors: &mut Vec<FieldError>) -> Submission {
    match web_address(&sub.page.url) {
        Some(url) => sub.page.url = url,
        None => errors.push(FieldError::new(
            "page.url",
            "invalid_url",
            "The page's address must be an absolute http(s) URL.",
        )),
    }
    sub.page.referrer = sub.page.referrer.as_deref().and_then(referrer);
    let touch = |t: Option<Touch>| {
        let t = t?;
        Some(Touch {
            url: web_address(&t.url)?,
            referrer: t.referrer.as_deref().and_then(referrer),
            at: t
                .at
                .filter(|at| (EARLIEST_TOUCH_MS..=received_at_ms.saturating_add(CLOCK_SKEW_MS)).contains(at)),
        })
    };
    sub.touches.first = touch(sub.touches.first.take());
    sub.touches.last = touch(sub.touches.last.take());
    sub
}

/// `text` as an http(s) URL with a host, written out again; none otherwise.
fn web_address(text: &str) -> Option<String> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .map(String::from)
}

/// A referrer as kept: a web address, or an app's (see [`APP_REFERRER_SCHEMES`]).
fn referrer(text: &str) -> Option<String> {
    web_address(text).or_else(|| {
        Url::parse(text.trim())
            .ok()
            .filter(|u| APP_REFERRER_SCHEMES.contains(&u.scheme()) && u.host().is_some())
            .map(String::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{LeadKind, Page};

    const NOW: i64 = 1_763_899_200_000; // 2025-11-23T12:00:00Z

    fn submission(url: &str) -> Submission {
        let page = Page {
            url: url.into(),
            title: None,
            referrer: None,
        };
        Submission::new(uuid::Uuid::from_u128(7), "demo", LeadKind::Callback, page)
    }

    #[test]
    fn the_page_must_be_a_web_address() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "not a url",
            "",
            "https://",
            "data:text/html,x",
        ] {
            let mut errors = vec![];
            checked(submission(bad), NOW, &mut errors);
            let named: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
            assert_eq!(named, [("page.url", "invalid_url")], "{bad:?}");
        }
        let mut errors = vec![];
        let sub = checked(submission(" https://a.example/p?q=\"<x>\"\n"), NOW, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(sub.page.url, "https://a.example/p?q=%22%3Cx%3E%22");
    }

    #[test]
    fn bad_referrers_and_touches_are_dropped_not_refused() {
        let mut sub = submission("https://a.example/");
        sub.page.referrer = Some("javascript:alert(1)".into());
        let good = Touch {
            url: "https://a.example/?utm_source=x".into(),
            referrer: Some("android-app://com.google.android.gm/".into()),
            at: Some(NOW - 1000),
        };
        sub.touches.first = Some(Touch {
            url: "file:///etc/passwd".into(),
            ..good.clone()
        });
        sub.touches.last = Some(good.clone());
        let mut errors = vec![];
        let sub = checked(sub, NOW, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(sub.page.referrer, None);
        assert_eq!(sub.touches.first, None);
        assert_eq!(sub.touches.last, Some(good));
    }

    #[test]
    fn touch_times_outside_the_plausible_range_are_dropped() {
        let cases: &[(i64, bool)] = &[
            (-1, false),
            (0, false),
            (i64::MIN, false),
            (1_000_000_000_000_000_000, false),
            (i64::MAX, false),
            (EARLIEST_TOUCH_MS - 1, false),
            (EARLIEST_TOUCH_MS, true),
            (NOW, true),
            (NOW + CLOCK_SKEW_MS, true),
            (NOW + CLOCK_SKEW_MS + 1, false),
        ];
        for &(at, kept) in cases {
            let mut sub = submission("https://a.example/");
            sub.touches.last = Some(Touch {
                url: "https://a.example/".into(),
                referrer: None,
                at: Some(at),
            });
            let sub = checked(sub, NOW, &mut vec![]);
            let got = sub.touches.last.and_then(|t| t.at);
            assert_eq!(got.is_some(), kept, "at {at}");
        }
    }
}
