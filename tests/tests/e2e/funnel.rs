//! Funnel counts, from a real page (and the collector's own events) to D1's daily counters.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::call;
use crate::support::{block_on, Stack, DELIVERY_TIMEOUT, ORIGIN};

/// `(event, mode, channel, n)` of `site`'s counters for `campaign`, in a fixed order.
fn counters(stack: &Stack, site: &str, campaign: &str) -> Vec<Value> {
    let sql = format!(
        "SELECT event, mode, channel, n, day FROM funnel_daily WHERE site = '{site}' AND campaign = '{campaign}' \
         ORDER BY event, mode"
    );
    stack.collector().query(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Waits until the counters are exactly `want` (their `day` aside), and returns them.
fn wait_for_counters(stack: &Stack, site: &str, campaign: &str, want: &[(&str, &str, &str, i64)]) -> Vec<Value> {
    let want: Vec<String> = want
        .iter()
        .map(|(event, mode, channel, n)| format!("{event} {mode:?} {channel} = {n}"))
        .collect();
    let shown = |rows: &[Value]| -> Vec<String> {
        rows.iter()
            .map(|r| {
                let text = |k: &str| r[k].as_str().unwrap_or("?").to_owned();
                format!("{} {:?} {} = {}", text("event"), text("mode"), text("channel"), r["n"])
            })
            .collect()
    };
    let mut last = Vec::new();
    leadwire_tests::wait::until("the funnel counters", DELIVERY_TIMEOUT, || {
        last = counters(stack, site, campaign);
        (shown(&last) == want).then(|| last.clone())
    })
    .unwrap_or_else(|e| panic!("{e}: want {want:?}, have {:?}", shown(&last)))
}

/// The day in Moscow (the demo site's zone) now.
fn moscow_day() -> String {
    jiff::Zoned::now()
        .in_tz("Europe/Moscow")
        .expect("Moscow's zone")
        .date()
        .to_string()
}

pub fn a_visit_that_ends_in_a_lead_is_counted_once_at_every_step(stack: &Stack) {
    // A campaign of this run's own, so only this visit's counters match.
    let campaign = format!("funnel-{}", Uuid::new_v4().simple());
    let landing = format!(
        "{}?utm_source=yandex&utm_medium=cpc&utm_campaign={campaign}",
        stack.site.url
    );
    let day_before = moscow_day();
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&landing).await;
        let confirmation = browser.request_callback("8 (912) 345-67-89").await;
        assert!(confirmation.starts_with("Thank you"), "confirmation: {confirmation}");
        // Opening it again in the same mode is the same dialog opened: still one.
        browser.run("leadwire('close'); leadwire('open', 'callback');").await;
        browser.widget(".panel:not([hidden])").await;
        // Leaving the page hides it: the widget's beacon goes now.
        browser.goto("about:blank").await;
        browser.close().await;
    });
    let rows = wait_for_counters(
        stack,
        "demo",
        &campaign,
        &[
            ("accepted", "callback", "paid_search", 1),
            ("delivered", "callback", "paid_search", 1),
            ("opened", "callback", "paid_search", 1),
            ("shown", "", "paid_search", 1),
            ("started", "callback", "paid_search", 1),
            ("submitted", "callback", "paid_search", 1),
        ],
    );
    let days = [day_before, moscow_day()];
    for row in &rows {
        let day = row["day"].as_str().unwrap_or_default();
        assert!(days.iter().any(|d| d == day), "{row}: not today in Moscow ({days:?})");
    }
}

pub fn a_page_view_without_interaction_is_counted_shown_by_the_loader(stack: &Stack) {
    let campaign = format!("view-{}", Uuid::new_v4().simple());
    let landing = format!(
        "{}?utm_source=yandex&utm_medium=cpc&utm_campaign={campaign}",
        stack.site.url
    );
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&landing).await;
        browser.widget(".launcher").await;
        let state = browser
            .run(
                "return { loader: !!(window.leadwire && window.leadwire.q), \
                 wasm: performance.getEntriesByType('resource').some(r => new URL(r.name).pathname.endsWith('/leadwire_bg.wasm')) };",
            )
            .await;
        assert_eq!(
            state,
            json!({"loader": true, "wasm": false}),
            "the widget itself never started"
        );
        // Leaving hides the page: the loader's beacon goes now.
        browser.goto("about:blank").await;
        browser.close().await;
    });
    wait_for_counters(stack, "demo", &campaign, &[("shown", "", "paid_search", 1)]);
}

pub fn a_beacon_is_checked_by_field_site_and_origin_and_counted(stack: &Stack) {
    let campaign = format!("beacon-{}", Uuid::new_v4().simple());
    let beacon = |counts: Value| {
        json!({
            "v": 1,
            "page": {"url": format!("{ORIGIN}/?utm_source=newsletter&utm_medium=email&utm_campaign={campaign}")},
            "touches": {},
            "counts": counts,
        })
        .to_string()
    };
    let post = |site: &str, origin: &str, body: String| {
        let headers = [("content-type", "text/plain;charset=UTF-8"), ("origin", origin)];
        call(stack, "POST", &format!("/v1/sites/{site}/events"), &headers, Some(body))
    };
    let cases: &[(&str, &str, String, u16, &str)] = &[
        (
            "demo",
            ORIGIN,
            beacon(json!([{"event": "shown", "n": 1}, {"event": "delivered", "mode": "form", "n": 1}])),
            400,
            "counts[1].event",
        ),
        (
            "demo",
            ORIGIN,
            beacon(json!([{"event": "opened", "mode": "fax", "n": 1}])),
            400,
            "counts[0].mode",
        ),
        (
            "demo",
            ORIGIN,
            beacon(json!([{"event": "shown", "n": 0}])),
            400,
            "counts[0].n",
        ),
        (
            "demo",
            ORIGIN,
            beacon(json!([{"event": "shown", "n": 1, "visitor": "x"}])),
            400,
            "counts[0].visitor",
        ),
        ("demo", ORIGIN, "x".repeat(17 * 1024), 413, "body"),
        (
            "nowhere",
            ORIGIN,
            beacon(json!([{"event": "shown", "n": 1}])),
            404,
            "site",
        ),
        (
            "demo",
            "https://evil.example",
            beacon(json!([{"event": "shown", "n": 1}])),
            403,
            "origin",
        ),
    ];
    for (site, origin, body, status, field) in cases {
        let answer = post(site, origin, body.clone());
        assert_eq!(answer.status, *status, "{site} {origin} {body:.200}: {}", answer.body);
        assert_eq!(answer.body["error"]["fields"][0]["field"], *field, "{}", answer.body);
    }
    assert!(
        counters(stack, "demo", &campaign).is_empty(),
        "nothing refused is counted"
    );
    let good = beacon(json!([{"event": "shown", "n": 2}, {"event": "opened", "mode": "form", "n": 1}]));
    let answer = post("demo", ORIGIN, good.clone());
    assert_eq!(answer.status, 204, "{}", answer.body);
    let answer = post("demo", ORIGIN, good);
    assert_eq!(answer.status, 204, "{}", answer.body);
    wait_for_counters(
        stack,
        "demo",
        &campaign,
        &[("opened", "form", "email", 2), ("shown", "", "email", 4)],
    );
}
