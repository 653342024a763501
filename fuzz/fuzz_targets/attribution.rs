//! Attribution of touches. Input lines: landing URL, referrer (empty: none),
//! the touch's time in ms (not a number: none), the site's host (empty:
//! none). Invariants: nothing panics, every value is cut to its limit, an
//! explanation names its rule, and the attribution loads back from its JSON.

#![no_main]

use lead::attribution::{attribute, bounded_url, explain, Attribution};
use lead::limits;
use lead::wire::{Page, Touch, Touches};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let mut lines = input.split('\n');
    let url = lines.next().unwrap_or_default();
    let referrer = lines.next().filter(|r| !r.is_empty()).map(str::to_owned);
    let at = lines.next().and_then(|a| a.trim().parse::<i64>().ok());
    let host = lines.next().filter(|h| !h.is_empty());

    let bounded = bounded_url(url);
    assert!(
        bounded.chars().count() <= limits::URL,
        "bounded_url kept {} chars",
        bounded.chars().count()
    );

    let touch = Touch {
        url: bounded,
        referrer: referrer.as_deref().map(bounded_url),
        at,
    };
    let explained = explain(&touch, host);
    assert!(
        !explained.rule.is_empty() && !explained.trail.is_empty(),
        "no rule decided"
    );
    let c = &explained.classification;
    for value in [&c.source, &c.medium, &c.campaign, &c.term, &c.content]
        .into_iter()
        .flatten()
    {
        assert!(
            value.chars().count() <= limits::ATTRIBUTION_VALUE,
            "{value:?} is over the limit"
        );
    }
    for value in c.click_ids.values() {
        assert!(
            value.chars().count() <= limits::CLICK_ID,
            "click id {value:?} is over the limit"
        );
    }

    let touches = Touches {
        first: Some(touch.clone()),
        last: Some(touch.clone()),
        visits: Some(1),
    };
    let page = Page {
        url: touch.url.clone(),
        title: None,
        referrer: touch.referrer.clone(),
    };
    let attribution = attribute(&touches, &page);
    let json = serde_json::to_string(&attribution).expect("an attribution serialises");
    let loaded: Attribution = serde_json::from_str(&json).expect("a stored attribution loads");
    assert_eq!(loaded, attribution);
});
