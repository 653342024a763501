//! What a site owner sets under `[site.widget]` reaches the page: the theme,
//! the words per language, the analytics goals and tracked phone links. The
//! expected values come from the configuration the Worker serves (compiled
//! from `edge/sites.toml`), so editing the demo site changes what is asserted.

use lead::site::PublicConfig;
use lead::widget::{Mode, Position, WidgetSettings, WORDS};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::call;
use crate::support::browser::Session;
use crate::support::{block_on, Stack, DELIVERY_TIMEOUT, ORIGIN};

/// The launcher sits this close to its side of the viewport (the CSS puts it 20 px in).
const EDGE_MARGIN_PX: f64 = 40.0;

/// The demo site's pages in each language the widget speaks: `<html lang>` decides.
const PAGES: [(&str, &str); 2] = [("", "en"), ("ru/", "ru")];

/// The demo site's `[site.widget]` as the Worker serves it to the widget.
fn demo_widget(stack: &Stack) -> WidgetSettings {
    let answer = call(stack, "GET", "v1/sites/demo/config", &[("origin", ORIGIN)], None);
    assert_eq!(answer.status, 200, "the demo config: {}", answer.body);
    let config: PublicConfig = serde_json::from_value(answer.body).expect("a PublicConfig");
    config.widget
}

/// `#rrggbb` as a computed style reads it: `rgb(r, g, b)`.
fn css_rgb(hex: &str) -> String {
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or_else(|_| panic!("{hex} is not #rrggbb"));
    format!("rgb({}, {}, {})", channel(1), channel(3), channel(5))
}

/// A computed colour without an opaque alpha: WebDriver reads `rgba(r, g, b, 1)`
/// where `getComputedStyle` says `rgb(r, g, b)`.
fn opaque(css_colour: &str) -> String {
    css_colour
        .strip_prefix("rgba(")
        .and_then(|c| c.strip_suffix(", 1)"))
        .map_or_else(|| css_colour.to_owned(), |c| format!("rgb({c})"))
}

/// The widget's built-in word for `key` in `lang`.
fn built_in(key: &str, lang: &str) -> &'static str {
    let (_, en, ru) = WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .unwrap_or_else(|| panic!("{key} is not in lead::widget::WORDS"));
    if lang == "ru" {
        ru
    } else {
        en
    }
}

/// What the widget should say for `key` in `lang`: the site's override, else the built-in word.
fn expected_word(widget: &WidgetSettings, key: &str, lang: &str) -> String {
    widget
        .strings
        .get(lang)
        .and_then(|overrides| overrides.get(key))
        .map_or_else(|| built_in(key, lang).to_owned(), Clone::clone)
}

/// The launcher's text: the theme's label, else the `launcher` word.
fn expected_launcher_label(widget: &WidgetSettings, lang: &str) -> String {
    widget
        .theme
        .launcher_label
        .get(lang)
        .map_or_else(|| expected_word(widget, "launcher", lang), str::to_owned)
}

/// How far the launcher's right edge is from the viewport's, and its left edge from the viewport's.
async fn launcher_gaps(browser: &Session) -> (f64, f64) {
    let (x, _, width, _) = browser
        .widget(".launcher")
        .await
        .rectangle()
        .await
        .expect("the launcher's rectangle");
    let viewport = browser
        .run("return document.documentElement.clientWidth")
        .await
        .as_f64()
        .expect("the viewport's width");
    (viewport - (x + width), x)
}

pub fn theme_from_config_colours_places_and_labels_the_launcher(stack: &Stack) {
    let widget = demo_widget(stack);
    let theme = &widget.theme;
    for (path, lang) in PAGES {
        block_on(async {
            let browser = stack.driver.session().await;
            browser.goto(&format!("{}{path}", stack.site.url)).await;
            let launcher = browser.widget(".launcher").await;
            let colour = launcher.css_value("background-color").await.expect("background");
            assert_eq!(opaque(&colour), css_rgb(&theme.color), "{lang}: the configured colour");
            let z_index = launcher.css_value("z-index").await.expect("z-index");
            assert_eq!(z_index, theme.z_index.to_string(), "{lang}: the configured z-index");
            let (right_gap, left_gap) = launcher_gaps(&browser).await;
            let gap = match theme.position {
                Position::Right => right_gap,
                Position::Left => left_gap,
            };
            assert!(
                (0.0..=EDGE_MARGIN_PX).contains(&gap),
                "{lang}: {:?} puts the launcher {gap} px from that edge (left {left_gap}, right {right_gap})",
                theme.position
            );
            let label = expected_launcher_label(&widget, lang);
            let text = launcher.text().await.expect("the launcher's text");
            assert_eq!(text.trim(), label, "{lang}: the launcher's text");
            let name = browser.accessible_name(&launcher).await;
            assert_eq!(name, label, "{lang}: the launcher's accessible name");
            browser.close().await;
        });
    }
}

/// A mode's name in the DOM, and the keys of the words on its tab, its title and its send button.
fn mode_words(mode: Mode) -> (&'static str, [&'static str; 3]) {
    match mode {
        Mode::Callback => ("callback", ["tab_callback", "title_callback", "submit_callback"]),
        Mode::Form => ("form", ["tab_form", "title_form", "submit"]),
        Mode::Chat => ("chat", ["tab_chat", "title_chat", "chat_send"]),
    }
}

/// The words the open dialog shows, by key: each configured mode's tab, title and send button.
async fn shown_words(browser: &Session, widget: &WidgetSettings) -> Vec<(&'static str, String)> {
    let mut shown = Vec::new();
    for &mode in &widget.modes {
        let (name, keys) = mode_words(mode);
        let tab = format!("[data-mode={name}]");
        browser.widget(&tab).await.click().await.expect("switch mode");
        for (key, selector) in keys.into_iter().zip([tab.as_str(), "#lw-title", ".submit"]) {
            shown.push((key, browser.widget_text(selector).await.trim().to_owned()));
        }
    }
    shown
}

pub fn words_overridden_per_language_show_and_the_rest_stay_built_in(stack: &Stack) {
    let widget = demo_widget(stack);
    for (path, lang) in PAGES {
        let shown = block_on(async {
            let browser = stack.driver.session().await;
            browser.goto(&format!("{}{path}", stack.site.url)).await;
            browser.widget(".launcher").await.click().await.expect("open");
            let shown = shown_words(&browser, &widget).await;
            browser.close().await;
            shown
        });
        for (key, text) in &shown {
            assert_eq!(*text, expected_word(&widget, key, lang), "{lang}: {key}");
        }
        // Both halves must be exercised, or the test proves nothing.
        let overrides = widget.strings.get(lang).cloned().unwrap_or_default();
        let (overridden, built_in): (Vec<_>, Vec<_>) = shown.iter().partition(|(key, _)| overrides.contains_key(*key));
        assert!(
            !overridden.is_empty(),
            "{lang}: edge/sites.toml overrides none of the words shown ({:?}); override one under [site.widget.strings.{lang}]",
            shown.iter().map(|(key, _)| key).collect::<Vec<_>>()
        );
        assert!(!built_in.is_empty(), "{lang}: every word shown is overridden");
    }
}

/// What the analytics page's stand-in tags recorded, once every one of them has been called.
async fn recorded_analytics(browser: &Session) -> Value {
    browser
        .until_page(
            "every tag called",
            "const r = window.recorded;\
             return [r.ym, r.gtag, r.queuedHandler, r.liveHandler, window.dataLayer].every(c => c.length > 0)\
               && { ym: r.ym, gtag: r.gtag, queuedHandler: r.queuedHandler, liveHandler: r.liveHandler, dataLayer: window.dataLayer };",
        )
        .await
}

pub fn an_accepted_lead_reaches_the_pages_analytics_and_handlers(stack: &Stack) {
    let goals = demo_widget(stack).goals;
    let counter = goals.metrica_counter.expect("the demo site sets goals.metrica_counter");
    let goal = goals.metrica_goal.expect("the demo site sets goals.metrica_goal");
    let event = goals.gtag_event.expect("the demo site sets goals.gtag_event");
    let case = Uuid::new_v4().simple().to_string();
    let (lead, recorded) = block_on(async {
        let browser = stack.driver.session().await;
        browser
            .goto(&format!("{}analytics.html?case={case}", stack.site.url))
            .await;
        browser.widget(".launcher").await;
        // A handler registered through the live command, after the widget took over.
        browser
            .run("leadwire('on', 'lead', function () { recorded.liveHandler.push(JSON.parse(JSON.stringify([...arguments]))); })")
            .await;
        browser.request_callback("8 912 345 67 89").await;
        let lead = delivered(stack, &case);
        let recorded = recorded_analytics(&browser).await;
        browser.close().await;
        (lead, recorded)
    });
    // README: handlers and dataLayer get {id, kind, site}, the lead the collector accepted.
    let detail = json!({ "id": lead["id"], "kind": lead["kind"], "site": lead["site"] });
    assert_eq!(lead["kind"], "callback");
    assert_eq!(
        recorded["dataLayer"],
        json!([{ "event": "leadwire_lead", "leadwire": detail }]),
        "one dataLayer event"
    );
    assert_eq!(
        recorded["queuedHandler"],
        json!([[detail]]),
        "the handler queued before load"
    );
    assert_eq!(
        recorded["liveHandler"],
        json!([[detail]]),
        "the handler added after load"
    );
    let ym = recorded["ym"].as_array().cloned().unwrap_or_default();
    assert_eq!(ym.len(), 1, "one ym call: {ym:?}");
    assert_eq!(
        (&ym[0][0], &ym[0][1], &ym[0][2]),
        (&json!(counter), &json!("reachGoal"), &json!(goal)),
        "ym(counter, 'reachGoal', goal): {ym:?}"
    );
    let gtag = recorded["gtag"].as_array().cloned().unwrap_or_default();
    assert_eq!(gtag.len(), 1, "one gtag call: {gtag:?}");
    assert_eq!(
        (&gtag[0][0], &gtag[0][1]),
        (&json!("event"), &json!(event)),
        "gtag('event', name, …): {gtag:?}"
    );
}

pub fn a_tel_link_click_is_a_signed_attributed_phone_click_lead(stack: &Stack) {
    assert!(
        demo_widget(stack).track_phone_clicks,
        "the demo site sets track_phone_clicks = true"
    );
    let case = Uuid::new_v4().simple().to_string();
    let landing = format!(
        "{}phone-link.html?utm_source=google&utm_medium=cpc&utm_campaign=calls&case={case}",
        stack.site.url
    );
    let (href, lead) = block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&landing).await;
        browser.widget(".launcher").await;
        let link = browser
            .client
            .find(fantoccini::Locator::Css("a[href^='tel:']"))
            .await
            .expect("a tel: link on phone-link.html");
        let href = link.attr("href").await.expect("href").expect("an href");
        link.click().await.expect("click the phone number");
        // The click's request must finish before the browser goes.
        let lead = delivered(stack, &case);
        browser.close().await;
        (href, lead)
    });
    assert_eq!(lead["kind"], "phone_click");
    assert_eq!(lead["message"], href.as_str(), "the number clicked");
    assert_eq!(lead["page"]["url"], landing.as_str());
    assert_eq!(
        lead["contact"],
        json!({ "phone": null, "extension": null, "name": null, "email": null })
    );
    let attribution = &lead["attribution"];
    assert_eq!(
        (
            &attribution["source"],
            &attribution["medium"],
            &attribution["campaign"],
            &attribution["channel"]
        ),
        (&json!("google"), &json!("cpc"), &json!("calls"), &json!("paid_search")),
        "{attribution:#}"
    );
    let id = lead["id"].as_str().expect("data.id");
    assert_eq!(stack.receiver.deliveries_of(id).len(), 1, "delivered once");
}

/// The signed lead whose page URL carries `case`, as the receiver got it.
fn delivered(stack: &Stack, case: &str) -> Value {
    let delivery = stack
        .receiver
        .wait_for("the lead at the receiver", DELIVERY_TIMEOUT, |d| {
            d.body.contains(case) && d.answered == 200
        })
        .unwrap();
    assert!(delivery.verified, "signature {} does not verify", delivery.signature);
    let lead_id = delivery.lead_id().expect("data.id").to_owned();
    assert_eq!(
        delivery.webhook_id,
        format!("lead_{}_demo-crm", lead_id.replace('-', ""))
    );
    delivery.event.expect("a JSON body")["data"].clone()
}
