//! Touch keeping, as scenarios: page views at minutes or days after the first
//! → the first touch, the last touch (as `source/medium`) and the visit count.

use super::*;
use crate::attribution::classify;

const SHOP: &str = "https://shop.example/";
const T0: i64 = 1_763_899_200_000; // 2025-11-23T12:00:00Z
const MIN: i64 = 60 * 1000;
const DAY: i64 = 24 * 60 * MIN;
const AD: &str = "?utm_source=yandex&utm_medium=cpc";
const PARTNER: &str = "https://partner.example/post";

/// A page view: (ms after the first, landing, referrer).
type View<'a> = (i64, &'a str, &'a str);

fn view(landing: &str, referrer: &str) -> PageView {
    PageView {
        url: if landing.starts_with('?') || landing.is_empty() {
            format!("{SHOP}{landing}")
        } else {
            landing.to_owned()
        },
        referrer: Some(referrer.to_owned()),
        site_host: "shop.example".into(),
    }
}

/// `source/medium` of a stored touch, `-` when there is none.
fn source(touch: &Option<Touch>) -> String {
    touch.as_ref().map_or("-".into(), |t| {
        let c = classify(t, Some("shop.example"));
        format!("{}/{}", c.source.unwrap_or("-".into()), c.medium.unwrap_or("-".into()))
    })
}

fn replay(views: &[View], rules: &TouchRules) -> StoredTouches {
    let mut stored = None;
    for (at, landing, referrer) in views {
        stored = Some(record_page_view(stored, &view(landing, referrer), T0 + at, rules));
    }
    stored.expect("at least one view")
}

#[test]
fn scenarios() {
    #[rustfmt::skip]
    let cases: &[(&str, &[View], (&str, &str, u32))] = &[
        ("first visit, direct",
            &[(0, "", "")], ("(direct)/(none)", "-", 1)),
        ("first visit from an ad: first and last touch",
            &[(0, AD, "")], ("yandex/cpc", "yandex/cpc", 1)),
        ("first view from the same site (storage cleared mid-visit): first, not a source",
            &[(0, "", "https://shop.example/cart")], ("shop.example/-", "-", 1)),
        ("return in the same visit changes nothing",
            &[(0, AD, ""), (10 * MIN, "?page=2", "https://shop.example/")], ("yandex/cpc", "yandex/cpc", 1)),
        ("30 minutes idle exactly is still the same visit",
            &[(0, AD, ""), (30 * MIN, "", "")], ("yandex/cpc", "yandex/cpc", 1)),
        ("direct return after 30 minutes idle keeps the source",
            &[(0, AD, ""), (31 * MIN, "", "")], ("yandex/cpc", "yandex/cpc", 2)),
        ("organic return in a new visit is a new last touch",
            &[(0, AD, ""), (2 * DAY, "", "https://www.google.com/")], ("yandex/cpc", "google/organic", 2)),
        ("a referrer mid-visit (a payment page coming back) is not a new touch",
            &[(0, AD, ""), (5 * MIN, "", "https://pay.example/3ds")], ("yandex/cpc", "yandex/cpc", 1)),
        ("a search click mid-visit is a new touch, not a new visit",
            &[(0, "", PARTNER), (5 * MIN, "", "https://yandex.ru/")], ("partner.example/referral", "yandex/organic", 1)),
        ("a search click mid-visit after an ad",
            &[(0, AD, ""), (29 * MIN, "", "https://www.google.co.uk/search?q=sofa")], ("yandex/cpc", "google/organic", 1)),
        ("a search app mid-visit",
            &[(0, "", PARTNER), (MIN, "", "android-app://ru.yandex.searchplugin/")], ("partner.example/referral", "yandex/organic", 1)),
        ("a sign-in on a search engine's domain coming back mid-visit is not a search click",
            &[(0, "", PARTNER), (5 * MIN, "", "https://accounts.google.com/")], ("partner.example/referral", "partner.example/referral", 1)),
        ("nor is a payment page there",
            &[(0, "", PARTNER), (5 * MIN, "", "https://pay.yandex.ru/")], ("partner.example/referral", "partner.example/referral", 1)),
        ("nor webmail on a search engine's domain",
            &[(0, "", PARTNER), (5 * MIN, "", "https://mail.yandex.ru/")], ("partner.example/referral", "partner.example/referral", 1)),
        ("nor a look-alike of an engine",
            &[(0, "", PARTNER), (5 * MIN, "", "https://google.evil.com/")], ("partner.example/referral", "partner.example/referral", 1)),
        ("a sign-in coming back in a new visit is a referral, not a search",
            &[(0, AD, ""), (DAY, "", "https://passport.yandex.ru/auth")], ("yandex/cpc", "passport.yandex.ru/referral", 2)),
        ("the same referrer in a new visit is",
            &[(0, AD, ""), (DAY, "", "https://pay.example/")], ("yandex/cpc", "pay.example/referral", 2)),
        ("a same-site referrer is never a new touch, even in a new visit",
            &[(0, AD, ""), (DAY, "", "https://www.shop.example/")], ("yandex/cpc", "yandex/cpc", 2)),
        ("an ad click in the same visit is a new touch, not a new visit",
            &[(0, "", "https://www.google.com/"), (5 * MIN, "?utm_source=vk&utm_medium=cpc", "https://shop.example/")],
            ("google/organic", "vk/cpc", 1)),
        ("an ad click three visits in",
            &[(0, "", ""), (DAY, "", ""), (2 * DAY, "?gclid=Cj0", ""), (3 * DAY, "", "")],
            ("(direct)/(none)", "google/cpc", 4)),
        ("a bookmarked ad link is a new arrival from that ad",
            &[(0, AD, ""), (5 * DAY, AD, "")], ("yandex/cpc", "yandex/cpc", 2)),
        ("after expiry (180 days idle) everything starts over",
            &[(0, AD, ""), (181 * DAY, "", "https://vk.com/")], ("vk/social", "vk/social", 1)),
        ("a day before expiry everything is kept",
            &[(0, AD, ""), (179 * DAY, "", "")], ("yandex/cpc", "yandex/cpc", 2)),
        ("every page view pushes the expiry back",
            &[(0, AD, ""), (100 * DAY, "", ""), (200 * DAY, "", "")], ("yandex/cpc", "yandex/cpc", 3)),
        ("a clock gone backwards continues the visit",
            &[(0, AD, ""), (-DAY, "", "https://vk.com/")], ("yandex/cpc", "yandex/cpc", 1)),
    ];
    for (name, views, (first, last, visits)) in cases {
        let got = replay(views, &TouchRules::default());
        assert_eq!(
            (
                source(&got.touches.first).as_str(),
                source(&got.touches.last).as_str(),
                got.touches.visits
            ),
            (*first, *last, Some(*visits)),
            "{name}"
        );
        let (at, ..) = views[views.len() - 1];
        assert_eq!(got.last_seen_ms, T0 + at, "{name}");
        assert_eq!(got.expires_at_ms, T0 + at + 180 * DAY, "{name}");
    }
}

#[test]
fn the_site_sets_the_expiry() {
    let week = TouchRules::with_expiry_days(7);
    let got = replay(&[(0, AD, ""), (8 * DAY, "", "")], &week);
    assert_eq!(
        (source(&got.touches.first), got.touches.visits),
        ("(direct)/(none)".into(), Some(1))
    );
    // A shortened setting applies to what was stored under the longer one.
    let stored = replay(&[(0, AD, "")], &TouchRules::default());
    let got = record_page_view(Some(stored), &view("", ""), T0 + 8 * DAY, &week);
    assert_eq!(got.touches.visits, Some(1));
}

#[test]
fn unusable_stored_state_starts_over_and_odd_counts_recover() {
    let good = replay(&[(0, AD, "")], &TouchRules::default());
    let with = |f: &dyn Fn(&mut StoredTouches)| {
        let mut s = good.clone();
        f(&mut s);
        Some(s)
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, Option<StoredTouches>, &str, u32)> = vec![
        ("nothing stored", None, "(direct)/(none)", 1),
        ("no first touch", with(&|s| { s.touches.first = None; s.touches.visits = Some(9) }), "(direct)/(none)", 1),
        ("already expired", with(&|s| s.expires_at_ms = T0), "(direct)/(none)", 1),
        ("never expiring", with(&|s| { s.expires_at_ms = i64::MAX; s.last_seen_ms = T0 - 400 * DAY }), "(direct)/(none)", 1),
        ("seen in the far future", with(&|s| s.last_seen_ms = i64::MAX), "yandex/cpc", 1),
        ("no visit count", with(&|s| s.touches.visits = None), "yandex/cpc", 2),
        ("zero visits", with(&|s| s.touches.visits = Some(0)), "yandex/cpc", 2),
        ("the most visits", with(&|s| s.touches.visits = Some(u32::MAX)), "yandex/cpc", u32::MAX),
    ];
    for (name, stored, first, visits) in cases {
        let got = record_page_view(stored, &view("", ""), T0 + DAY, &TouchRules::default());
        assert_eq!(
            (source(&got.touches.first).as_str(), got.touches.visits),
            (first, Some(visits)),
            "{name}"
        );
    }
}

#[test]
fn stored_json_is_read_leniently() {
    let legacy = r#"{"first":{"url":"https://shop.example/?utm_source=vk","referrer":null,"at":1763899200000},"last":null,"visits":1}"#;
    let current = replay(&[(0, AD, "")], &TouchRules::default()).to_json();
    let cases: &[(&str, Option<(&str, i64)>)] = &[
        (&current, Some(("yandex/cpc", T0))),
        (legacy, Some(("vk/-", T0))),
        (r#"{"first":null}"#, None),
        ("", None),
        ("{", None),
        ("null", None),
        ("[]", None),
        (r#"{"touches":7,"last_seen_ms":0,"expires_at_ms":0}"#, Some(("-", 0))),
        (r#"{"first":{"at":5}}"#, None),
        (
            r#"{"first":{"url":"https://shop.example/?utm_source=vk","at":5,"added_later":1}}"#,
            Some(("vk/-", 5)),
        ),
    ];
    for (json, want) in cases {
        let got = serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|v| StoredTouches::read(&v));
        let got = got.as_ref().map(|s| (source(&s.touches.first), s.last_seen_ms));
        assert_eq!(got.as_ref().map(|(s, at)| (s.as_str(), *at)), *want, "{json}");
    }
}

#[test]
fn stored_urls_are_bounded_but_keep_their_tags() {
    let huge = format!("{SHOP}?junk={}&gclid=Cj0", "x".repeat(10_000));
    let got = record_page_view(None, &view(&huge, &huge), T0, &TouchRules::default());
    let first = got.touches.first.expect("a first touch");
    assert_eq!(first.url, format!("{SHOP}?gclid=Cj0"));
    assert_eq!(first.referrer.as_deref(), Some(first.url.as_str()));
    assert_eq!(source(&got.touches.last), "google/cpc");
}
