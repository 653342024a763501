//! The operator console at `/admin` in Chromium: signing in (a wrong token is
//! refused with the API's words), the inbox with its filters, a hostile lead
//! shown as text, replay from a lead's page, the report's counts, field
//! errors in the settings, both languages, and axe on every view. Each case
//! makes a site of its own through the admin API, so what it counts is only
//! what it posted. Screenshots go to the artifacts directory as `console-*.png`.

use fantoccini::Locator;
use leadwire_tests::wait::until;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{call, post, Answer};
use crate::support::browser::Session;
use crate::support::{block_on, Stack, ADMIN_TOKEN, DELIVERY_TIMEOUT, ORIGIN};

/// A name that runs script if any view ever parses a lead's text as HTML.
const HOSTILE: &str = "<img src=x onerror=window.__xss=1>";
/// The landing pages the posted leads came from, and the channel each is classified as.
const PAID: &str = "utm_source=yandex&utm_medium=cpc&utm_campaign=spring";
const NEWSLETTER: &str = "utm_source=newsletter&utm_medium=email";

fn admin(stack: &Stack, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
    call(stack, method, path, &headers, body.map(Value::to_string))
}

/// A new site (version 1, in D1 only) like `floods`, with the demo's generous limits.
fn fresh_site(stack: &Stack) -> String {
    let read = |id: &str| {
        let answer = admin(stack, "GET", &format!("v1/admin/sites/{id}"), None);
        assert_eq!(answer.status, 200, "GET site {id}: {}", answer.body);
        answer.body["site"].clone()
    };
    let id = format!("console-{}", &Uuid::new_v4().simple().to_string()[..10]);
    let mut site = read("floods");
    site["id"] = json!(id);
    site["limits"] = read("demo")["limits"].clone();
    let answer = admin(
        stack,
        "PUT",
        &format!("v1/admin/sites/{id}"),
        Some(&json!({"version": 0, "site": site})),
    );
    assert_eq!(answer.status, 200, "create site {id}: {}", answer.body);
    id
}

/// Posts one lead to `site` as if sent from a page with `query`; returns its id.
fn post_lead(stack: &Stack, site: &str, kind: &str, name: &str, query: &str) -> String {
    let id = Uuid::new_v4();
    let body = json!({
        "v": 1, "id": id, "site": site, "kind": kind,
        "contact": {"phone": "+7 912 345-67-89", "name": name},
        "page": {"url": format!("http://127.0.0.1:8080/?{query}")}
    });
    let answer = post(stack, "application/json", Some(ORIGIN), body.to_string());
    assert_eq!(answer.status, 202, "a lead for {site}: {}", answer.body);
    id.to_string()
}

fn console_url(stack: &Stack) -> String {
    format!("{}admin", stack.collector_url)
}

async fn click(browser: &Session, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn type_into(browser: &Session, css: &str, text: &str) {
    let field = browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"));
    field.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
    field
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Waits for `css` and returns its text content.
async fn text_of(browser: &Session, css: &str) -> String {
    let script = format!("const e = document.querySelector({css:?}); return e ? e.textContent : null;");
    let value = browser.until_page(&format!("{css} on the page"), &script).await;
    value.as_str().unwrap_or_default().to_owned()
}

/// Opens a view by its address (`#/inbox?site=…`) and waits for the element that ends its loading.
async fn open(browser: &Session, hash: &str, ready: &str) {
    browser.run(&format!("location.hash = {hash:?};")).await;
    let script = format!("return location.hash === {hash:?} && !!document.querySelector({ready:?});");
    browser.until_page(&format!("{hash} shows {ready}"), &script).await;
}

/// The ids of the inbox's rows, once there are `count` of them.
async fn rows(browser: &Session, count: usize) -> Vec<String> {
    let script = format!(
        "const r = [...document.querySelectorAll('#leads tbody tr')].map(r => r.dataset.id); \
         return r.length === {count} && !document.querySelector('#more:not([hidden])') ? r : null;"
    );
    let value = browser.until_page(&format!("{count} rows in the inbox"), &script).await;
    serde_json::from_value(value).unwrap_or_default()
}

async fn sign_in(stack: &Stack, browser: &Session) {
    browser.goto(&console_url(stack)).await;
    type_into(browser, "#token", ADMIN_TOKEN).await;
    click(browser, "form.signin button[type=submit]").await;
    browser
        .until_page("signed in", "return !!document.querySelector('#leads');")
        .await;
}

async fn screenshot(stack: &Stack, browser: &Session, name: &str) {
    browser
        .screenshot(&stack.artifacts.join(format!("console-{name}.png")))
        .await;
}

/// A wrong token gets the API's 401 words and keeps nothing; the right one
/// opens the inbox, which lists the posted leads with their channel, source
/// and campaign, narrows by kind and by channel, shows a hostile name as
/// text, and speaks Russian or English as chosen (remembered over a reload).
pub fn signs_in_lists_filters_and_shows_a_hostile_name_as_text(stack: &Stack) {
    let site = fresh_site(stack);
    let paid = post_lead(stack, &site, "callback", "Anna", PAID);
    let newsletter = post_lead(stack, &site, "form", "Boris", NEWSLETTER);
    let hostile = post_lead(stack, &site, "callback", HOSTILE, PAID);
    let page = call(stack, "GET", "admin/", &[], None);
    assert_eq!(page.status, 200, "the console at /admin/");
    assert_eq!(
        page.cache_control.as_deref(),
        Some("no-store"),
        "the page is never stored"
    );
    block_on(async {
        let browser = stack.driver.session().await;
        browser.viewport(1280, 800).await;
        browser.goto(&console_url(stack)).await;
        type_into(&browser, "#token", "not-the-token").await;
        click(&browser, "form.signin button[type=submit]").await;
        browser
            .until_page(
                "the API's 401 message",
                "const e = document.querySelector('#sign-in-error'); return e && e.textContent.includes('Bearer');",
            )
            .await;
        let kept = browser
            .run("return sessionStorage.length + document.cookie.length;")
            .await;
        assert_eq!(kept, json!(0), "a refused token is not kept, and there are no cookies");
        screenshot(stack, &browser, "wrong-token").await;

        sign_in(stack, &browser).await;
        let stored = browser.run("return Object.values(sessionStorage);").await;
        assert_eq!(
            stored,
            json!([ADMIN_TOKEN]),
            "the token is kept in the tab's sessionStorage"
        );
        assert_eq!(browser.run("return document.cookie;").await, json!(""));

        open(&browser, &format!("#/inbox?site={site}"), "#leads").await;
        let all = rows(&browser, 3).await;
        assert_eq!(all, [hostile.clone(), newsletter.clone(), paid.clone()], "newest first");
        let cell = |id: &str, class: &str| format!("#leads tr[data-id='{id}'] td.{class}");
        assert_eq!(
            text_of(&browser, &cell(&paid, "source")).await,
            "paid_search · yandex · spring"
        );
        assert_eq!(
            text_of(&browser, &cell(&newsletter, "source")).await,
            "email · newsletter"
        );
        assert!(text_of(&browser, &cell(&paid, "contact")).await.starts_with("Anna"));
        // The hostile name is text: no element made from it, no script run.
        assert!(text_of(&browser, &cell(&hostile, "contact")).await.starts_with(HOSTILE));
        let parsed = browser
            .run("return [document.querySelectorAll('#leads img').length, typeof window.__xss];")
            .await;
        assert_eq!(parsed, json!([0, "undefined"]), "the name was not parsed as HTML");
        screenshot(stack, &browser, "inbox").await;

        // Filters, as an operator sets them: the form, then the address.
        click(&browser, "#kind option[value='form']").await;
        click(&browser, "form.filters button[type=submit]").await;
        browser
            .until_page("the kind in the address", "return location.hash.includes('kind=form');")
            .await;
        assert_eq!(rows(&browser, 1).await, std::slice::from_ref(&newsletter), "kind=form");
        open(&browser, &format!("#/inbox?site={site}&channel=paid_search"), "#leads").await;
        assert_eq!(
            rows(&browser, 2).await,
            [hostile.clone(), paid.clone()],
            "channel=paid_search"
        );
        screenshot(stack, &browser, "inbox-filtered").await;

        // Russian, remembered over a reload (the token too: same tab), then English again.
        click(&browser, "#lang option[value='ru']").await;
        browser
            .until_page(
                "the inbox in Russian",
                "return document.querySelector('h1').textContent === 'Заявки';",
            )
            .await;
        browser.client.refresh().await.expect("reload");
        browser
            .until_page(
                "Russian after a reload",
                "return document.documentElement.lang === 'ru' && !!document.querySelector('#leads') \
                 && document.querySelector('nav a[href=\"#/report\"]').textContent === 'Отчёт';",
            )
            .await;
        screenshot(stack, &browser, "inbox-ru").await;
        click(&browser, "#lang option[value='en']").await;
        browser
            .until_page(
                "the inbox in English",
                "return document.querySelector('h1').textContent === 'Inbox';",
            )
            .await;

        click(&browser, "#sign-out").await;
        browser
            .until_page("signed out", "return !!document.querySelector('#token');")
            .await;
        assert_eq!(browser.run("return sessionStorage.length;").await, json!(0));
        browser.close().await;
    });
}

/// Replay on a lead's page sends the lead again under the same webhook-id
/// (what a receiver de-duplicates on), and the page shows the new attempt.
pub fn replay_on_a_leads_page_sends_the_same_webhook_id_again(stack: &Stack) {
    let site = fresh_site(stack);
    let id = post_lead(stack, &site, "callback", "Vera", PAID);
    let first = stack
        .receiver
        .wait_for("the lead's first delivery", DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(id.as_str()) && (200..300).contains(&d.answered)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // The collector records the attempt just after the receiver's answer.
    let sql = format!("SELECT count(*) AS n FROM deliveries WHERE lead_id = '{id}' AND state = 'delivered'");
    until("D1 to show the delivery delivered", DELIVERY_TIMEOUT, || {
        (stack.count(&sql) == 1).then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    block_on(async {
        let browser = stack.driver.session().await;
        browser.viewport(1280, 800).await;
        sign_in(stack, &browser).await;
        open(&browser, &format!("#/lead/{id}"), "#deliveries").await;
        assert_eq!(
            text_of(&browser, "#deliveries tr[data-destination='crm'] td.state-delivered").await,
            "delivered"
        );
        assert!(text_of(&browser, "#attempts tbody").await.contains("crm"));
        click(&browser, "#deliveries tr[data-destination='crm'] button.replay").await;
        browser
            .until_page(
                "the replay acknowledged",
                "const e = document.querySelector('#lead-status'); return e && /1$/.test(e.textContent);",
            )
            .await;
        screenshot(stack, &browser, "lead-replayed").await;
        browser.close().await;
    });
    let again = stack
        .receiver
        .wait_for("the replayed delivery", DELIVERY_TIMEOUT, |d| {
            d.webhook_id == first.webhook_id && d.at > first.at
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.lead_id(), Some(id.as_str()));
    assert!(again.verified, "the replay is signed");
}

/// The report's tables show the stats API's numbers, and those are the
/// leads this case posted: two from a paid campaign, one from a newsletter.
pub fn the_report_counts_the_posted_leads(stack: &Stack) {
    let site = fresh_site(stack);
    let ids: Vec<String> = [("callback", PAID), ("form", PAID), ("callback", NEWSLETTER)]
        .into_iter()
        .map(|(kind, query)| format!("'{}'", post_lead(stack, &site, kind, "Gleb", query)))
        .collect();
    // Settled first, so the API's answer and the page's are of the same moment.
    let sql = format!(
        "SELECT count(*) AS n FROM deliveries WHERE state = 'delivered' AND lead_id IN ({})",
        ids.join(",")
    );
    until("D1 to show the three leads delivered", DELIVERY_TIMEOUT, || {
        (stack.count(&sql) == 3).then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let api = |by: &str| {
        let answer = admin(stack, "GET", &format!("v1/admin/stats?site={site}&by={by}"), None);
        assert_eq!(answer.status, 200, "stats by {by}: {}", answer.body);
        answer.body
    };
    // Funnel events from this "page" (the widget's beacon), beside the
    // collector's own accepted/delivered for the two paid leads.
    let beacon = json!({
        "v": 1,
        "page": {"url": format!("http://127.0.0.1:8080/?{PAID}")},
        "touches": {},
        "counts": [
            {"event": "shown", "n": 10},
            {"event": "opened", "mode": "callback", "n": 4},
            {"event": "started", "mode": "callback", "n": 3},
            {"event": "submitted", "mode": "callback", "n": 2}
        ],
    });
    let headers = [("content-type", "text/plain;charset=UTF-8"), ("origin", ORIGIN)];
    let sent = call(
        stack,
        "POST",
        &format!("/v1/sites/{site}/events"),
        &headers,
        Some(beacon.to_string()),
    );
    assert_eq!(sent.status, 204, "the beacon: {}", sent.body);
    let produced = [
        ("shown", 10),
        ("opened", 4),
        ("started", 3),
        ("submitted", 2),
        ("accepted", 2),
    ];
    until("the funnel counts to reach the stats", DELIVERY_TIMEOUT, || {
        let paid = api("channel")["rows"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["key"] == "paid_search").cloned())?;
        produced
            .iter()
            .all(|(event, n)| paid["funnel"][event] == json!(n))
            .then_some(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let by_channel = api("channel");
    let paid_days = api("day&channel=paid_search");
    let paid_leads: u64 = paid_days["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["leads"].as_u64())
        .sum();
    assert_eq!(paid_leads, 2, "one channel by day: {paid_days}");
    block_on(async {
        let browser = stack.driver.session().await;
        browser.viewport(1280, 900).await;
        sign_in(stack, &browser).await;
        open(&browser, &format!("#/report?site={site}"), "#by-day").await;
        // The funnel as the test produced it (the count before its conversion).
        for (event, n) in produced {
            let shown = browser
                .run(&format!(
                    "return document.querySelector(\"#by-channel tr[data-key='paid_search'] \
                     td[data-col='funnel.{event}']\").firstChild.textContent;"
                ))
                .await;
            assert_eq!(shown, json!(n.to_string()), "funnel {event}");
        }
        let leads = |table: &str, key: &str| format!("#{table} tr[data-key='{key}'] td[data-col='leads']");
        for (table, key, posted) in [
            ("by-channel", "paid_search", "2"),
            ("by-channel", "email", "1"),
            ("by-campaign", "spring", "2"),
            ("by-campaign", "", "1"),
        ] {
            let selector = if key.is_empty() {
                format!("#{table} tbody tr[data-key=''] td[data-col='leads']")
            } else {
                leads(table, key)
            };
            assert_eq!(text_of(&browser, &selector).await, posted, "{table} {key:?}");
        }
        assert_eq!(
            text_of(&browser, "#by-channel tfoot td[data-col='leads']").await,
            "3",
            "the total"
        );
        // Each channel row is the API's row, as given.
        for row in by_channel["rows"].as_array().expect("rows") {
            let key = row["key"].as_str().unwrap_or_default();
            for col in ["leads", "spam", "delivered", "failed", "pending"] {
                let shown = text_of(
                    &browser,
                    &format!("#by-channel tr[data-key='{key}'] td[data-col='{col}']"),
                )
                .await;
                assert_eq!(shown, row[col].to_string(), "{key} {col}");
            }
        }
        let bars = browser
            .run("return [...document.querySelectorAll('#chart rect')].reduce((n, r) => n + Number(r.dataset.leads), 0);")
            .await;
        assert_eq!(bars, json!(3), "the bars add up to the leads posted");
        // Stacked by channel: each channel's segments hold its leads.
        let per_channel = browser
            .run(
                "const n = {}; document.querySelectorAll('#chart rect').forEach(r => \
                 n[r.dataset.channel] = (n[r.dataset.channel] || 0) + Number(r.dataset.leads)); return n;",
            )
            .await;
        let expected: serde_json::Map<String, Value> = by_channel["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r["leads"].as_u64() > Some(0))
            .map(|r| (r["key"].as_str().unwrap_or_default().to_owned(), r["leads"].clone()))
            .collect();
        assert_eq!(per_channel, Value::Object(expected), "segments per channel");
        screenshot(stack, &browser, "report").await;
        browser.close().await;
    });
}

/// Asserts axe-core finds no WCAG 2.0/2.1 A or AA violation on the page now.
async fn assert_accessible(stack: &Stack, browser: &Session, view: &str) {
    screenshot(stack, browser, &format!("axe-{view}")).await;
    let result = browser
        .run_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })\
               .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
        )
        .await;
    assert_eq!(result, Value::Array(vec![]), "{view}: axe violations");
}

/// Inbox, lead, report and settings pass axe on a laptop and on a phone;
/// a setting the API refuses gets its message beside its field, and nothing is written.
pub fn every_view_is_accessible_and_a_refused_setting_is_named_at_its_field(stack: &Stack) {
    let site = fresh_site(stack);
    let id = post_lead(stack, &site, "form", HOSTILE, NEWSLETTER);
    let axe = std::fs::read_to_string(leadwire_tests::paths::repo_root().join("node_modules/axe-core/axe.min.js"))
        .expect("axe-core from package-lock.json (cargo xtask setup)");
    block_on(async {
        let browser = stack.driver.session().await;
        for (width, height) in [(1280, 800), (360, 640)] {
            browser.viewport(width, height).await;
            browser.goto(&console_url(stack)).await;
            browser.run(&axe).await;
            assert_accessible(stack, &browser, &format!("start-{width}")).await;
            if width == 1280 {
                type_into(&browser, "#token", ADMIN_TOKEN).await;
                click(&browser, "form.signin button[type=submit]").await;
            }
            // On the phone, the same tab: still signed in after the reload.
            browser
                .until_page("signed in", "return !!document.querySelector('#leads');")
                .await;
            for (view, hash, ready) in [
                ("inbox", format!("#/inbox?site={site}"), "#leads tbody tr"),
                ("lead", format!("#/lead/{id}"), "#deliveries"),
                ("report", format!("#/report?site={site}"), "#by-day"),
                ("settings", format!("#/settings/{site}"), "#site-form"),
            ] {
                open(&browser, &hash, ready).await;
                assert_accessible(stack, &browser, &format!("{view}-{width}")).await;
            }
        }

        // A country the phone rules do not know: the API names site.default_country.
        let field = "#site-form [data-path='default_country']";
        type_into(&browser, field, "XX").await;
        click(&browser, "#save").await;
        let beside = browser
            .until_page(
                "the field's error beside it",
                &format!(
                    "const i = document.querySelector({field:?}); \
                     const e = i.closest('.field').querySelector('.field-error'); \
                     return e && i.getAttribute('aria-invalid') === 'true' \
                       && i.getAttribute('aria-describedby').includes(e.id) ? e.dataset.field : null;"
                ),
            )
            .await;
        assert_eq!(beside, json!("site.default_country"));
        assert_accessible(stack, &browser, "settings-error").await;
        browser.close().await;
    });
    let answer = admin(stack, "GET", &format!("v1/admin/sites/{site}"), None);
    assert_eq!(answer.body["version"], json!(1), "the refused write changed nothing");
}
