//! The widget in a real browser, from the page to the receiver.

use uuid::Uuid;

use crate::support::{block_on, Stack, DELIVERY_TIMEOUT};

pub fn callback_reaches_the_crm_signed_and_attributed(stack: &Stack) {
    // A marker the page URL carries, to find this case's lead at the receiver.
    let case = Uuid::new_v4().simple().to_string();
    let landing = format!(
        "{}?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&case={case}",
        stack.site.url
    );
    let before = stack.receiver.deliveries().len();
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&landing).await;
        browser
            .widget(".launcher")
            .await
            .click()
            .await
            .expect("click the launcher");
        let phone = browser.widget("#lw-phone").await;
        phone.send_keys("8 (912) 345-67-89").await.expect("type the phone");
        let shown = phone.prop("value").await.expect("the field's value");
        assert_eq!(shown.as_deref(), Some("+7 (912) 345-67-89"), "laid out as typed for RU");
        browser.submit().await;
        let confirmation = browser.widget_text(".done").await;
        browser.screenshot(&stack.artifacts.join("callback-sent.png")).await;
        assert!(confirmation.starts_with("Thank you"), "confirmation: {confirmation}");
        browser.close().await;
    });
    let delivery = stack
        .receiver
        .wait_for("the lead at the receiver", DELIVERY_TIMEOUT, |d| d.body.contains(&case))
        .unwrap();
    let event = delivery.event.clone().expect("a JSON body");
    let lead_id = delivery.lead_id().expect("data.id").to_owned();
    assert!(delivery.verified, "signature {} does not verify", delivery.signature);
    assert_eq!(
        delivery.webhook_id,
        format!("lead_{}_demo-crm", lead_id.replace('-', ""))
    );
    assert_eq!(event["type"], "lead.created");
    let data = &event["data"];
    assert_eq!(data["site"], "demo");
    assert_eq!(data["kind"], "callback");
    assert_eq!(data["contact"]["phone"], "+79123456789");
    assert_eq!(data["page"]["url"], landing.as_str());
    let attribution = &data["attribution"];
    assert_eq!(
        (
            &attribution["source"],
            &attribution["medium"],
            &attribution["campaign"],
            &attribution["channel"]
        ),
        (&"yandex".into(), &"cpc".into(), &"spring".into(), &"paid_search".into())
    );
    assert_eq!(attribution["landing_page"], landing.as_str());
    // Exactly once: the Worker recorded a single, successful attempt ...
    let attempts = stack.count(&format!(
        "SELECT attempts AS n FROM deliveries WHERE lead_id = '{lead_id}' AND state = 'delivered'"
    ));
    assert_eq!(attempts, 1);
    // ... and the receiver saw one request for this lead, and nothing else arrived.
    assert_eq!(stack.receiver.deliveries_of(&lead_id).len(), 1);
    assert_eq!(stack.receiver.deliveries().len(), before + 1);
}

pub fn missing_phone_shows_the_field_error_and_stores_nothing(stack: &Stack) {
    let leads_before = stack.count("SELECT count(*) AS n FROM leads");
    let received_before = stack.receiver.deliveries().len();
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&stack.site.url).await;
        browser
            .widget(".launcher")
            .await
            .click()
            .await
            .expect("click the launcher");
        browser
            .widget(".submit")
            .await
            .click()
            .await
            .expect("submit with no phone");
        let error = browser.widget_text("#lw-phone-error").await;
        browser
            .screenshot(&stack.artifacts.join("callback-missing-phone.png"))
            .await;
        assert_eq!(error, lead::phone::PhoneError::Empty.message());
        let phone = browser.widget("#lw-phone").await;
        assert_eq!(
            phone.attr("aria-invalid").await.expect("aria-invalid").as_deref(),
            Some("true")
        );
        assert!(
            browser
                .widget(".done")
                .await
                .text()
                .await
                .unwrap_or_default()
                .is_empty(),
            "no confirmation"
        );
        browser.close().await;
    });
    assert_eq!(stack.count("SELECT count(*) AS n FROM leads"), leads_before);
    assert_eq!(stack.receiver.deliveries().len(), received_before);
}

pub fn commands_queued_before_load_run_after(stack: &Stack) {
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&format!("{}queued-open.html", stack.site.url)).await;
        // The page called leadwire('open') before the loader ran: the dialog opens once the widget is up.
        let dialog = browser.widget(".panel:not([hidden])").await;
        assert_eq!(dialog.attr("role").await.expect("role").as_deref(), Some("dialog"));
        let launcher = browser.widget(".launcher").await;
        assert_eq!(
            launcher.attr("aria-expanded").await.expect("aria-expanded").as_deref(),
            Some("true")
        );
        browser.close().await;
    });
}

/// Moves the stored visit clock back past the 30-minute visit timeout, as
/// if the visitor had been away: the widget reads the time, the test moves
/// the state.
async fn away_for_an_hour(browser: &crate::support::browser::Session) {
    let moved = browser
        .run(
            "const k = 'leadwire:touches'; const s = JSON.parse(localStorage.getItem(k));\
             s.last_seen_ms -= 3600 * 1000; localStorage.setItem(k, JSON.stringify(s)); return s.touches.visits;",
        )
        .await;
    assert!(moved.as_u64().is_some(), "touches are stored: {moved}");
}

pub fn three_visits_keep_the_first_and_the_last_touch(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    let ad_click = format!(
        "{}?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=TeSt-123_AbC&case={case}",
        stack.site.url
    );
    block_on(async {
        let browser = stack.driver.session().await;
        // 1. An ad click.
        browser.goto(&ad_click).await;
        browser.widget(".launcher").await;
        away_for_an_hour(&browser).await;
        // 2. Back a day later from an organic search result.
        browser
            .goto_from(&stack.site.url, "https://www.google.com/search?q=warm+windows")
            .await;
        browser.widget(".launcher").await;
        away_for_an_hour(&browser).await;
        // 3. Typed in directly; then leaves a phone number.
        browser.goto(&stack.site.url).await;
        browser.request_callback("+7 912 000 11 22").await;
        browser.close().await;
    });
    let delivery = stack
        .receiver
        .wait_for("the lead", DELIVERY_TIMEOUT, |d| d.body.contains(&case))
        .unwrap();
    let attribution = &delivery.event.as_ref().expect("JSON")["data"]["attribution"];
    let first = &attribution["first_touch"];
    assert_eq!(
        (
            &first["channel"],
            &first["source"],
            &first["medium"],
            &first["campaign"]
        ),
        (&"paid_search".into(), &"google".into(), &"cpc".into(), &"brand".into()),
        "{attribution:#}"
    );
    assert_eq!(first["click_ids"]["gclid"], "TeSt-123_AbC", "click ids verbatim");
    assert_eq!(first["landing_page"], ad_click.as_str());
    let last = &attribution["last_touch"];
    assert_eq!(
        (&last["channel"], &last["source"], &last["medium"], &last["term"]),
        (
            &"organic_search".into(),
            &"google".into(),
            &"organic".into(),
            &"warm windows".into()
        ),
        "{attribution:#}"
    );
    // The direct third visit counted but did not replace the organic one, which decides.
    assert_eq!(attribution["visits"], 3);
    assert_eq!(attribution["channel"], "organic_search");
}

pub fn broken_local_storage_costs_the_history_not_the_lead(stack: &Stack) {
    for mode in ["full", "disabled"] {
        let case = Uuid::new_v4().simple().to_string();
        let url = format!(
            "{}storage-broken.html?storage={mode}&utm_source=vk&utm_medium=cpc&case={case}",
            stack.site.url
        );
        block_on(async {
            let browser = stack.driver.session().await;
            browser.goto(&url).await;
            let done = browser.request_callback("8 912 345 67 89").await;
            assert!(!done.is_empty(), "storage {mode}: confirmation");
            browser.close().await;
        });
        let delivery = stack
            .receiver
            .wait_for("the lead", DELIVERY_TIMEOUT, |d| d.body.contains(&case))
            .unwrap();
        let attribution = &delivery.event.as_ref().expect("JSON")["data"]["attribution"];
        assert_eq!(
            (&attribution["channel"], &attribution["source"], &attribution["visits"]),
            (&"paid_social".into(), &"vk".into(), &1.into()),
            "storage {mode}: {attribution:#}"
        );
    }
}

/// The collector's files a page has fetched so far (paths, no query), and when (`performance.now()`).
const FETCHED: &str = "const done = arguments[arguments.length - 1], origin = arguments[0];\
     requestIdleCallback(() => requestIdleCallback(() => done({ at: performance.now(),\
       paths: performance.getEntriesByType('resource').filter(r => r.name.startsWith(origin))\
         .map(r => new URL(r.name).pathname).sort() })));";

pub fn a_page_view_fetches_the_sites_loader_only_and_a_hover_then_click_opens(stack: &Stack) {
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&stack.site.url).await;
        let launcher = browser.widget(".launcher").await;
        // After the loader's idle work (the outbox and inline-form checks run in the first idle callback).
        let origin = serde_json::json!(stack.collector_url.trim_end_matches('/'));
        let idle = browser
            .client
            .execute_async(FETCHED, vec![origin])
            .await
            .expect("resource entries");
        assert_eq!(
            idle["paths"],
            serde_json::json!(["/v1/sites/demo/w.js"]),
            "a page view with no interaction fetches the site's loader (its config written in) only"
        );
        assert!(browser.try_widget(".panel").await.is_none(), "no dialog before intent");
        // The pointer over the launcher fetches the widget; it starts on the click.
        use fantoccini::actions::InputSource;
        let hover = fantoccini::actions::MouseActions::new("mouse".into()).then(
            fantoccini::actions::PointerAction::MoveToElement {
                element: launcher.clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            },
        );
        browser.client.perform_actions(hover).await.expect("hover the launcher");
        let fetched_at = browser
            .until_page(
                "the wasm fetched on hover",
                "const r = performance.getEntriesByType('resource').find(r => new URL(r.name).pathname.endsWith('/leadwire_bg.wasm'));\
                 return r ? r.startTime : null;",
            )
            .await;
        let idle_at = idle["at"].as_f64().expect("a time");
        assert!(
            fetched_at.as_f64().is_some_and(|t| t > idle_at),
            "fetched at {fetched_at}, after the page view's idle work at {idle_at}"
        );
        assert!(
            browser.try_widget(".panel").await.is_none(),
            "a hover does not start it"
        );
        launcher.click().await.expect("click the launcher");
        browser.widget(".panel:not([hidden]) #lw-phone").await;
        assert_eq!(
            launcher.attr("aria-expanded").await.expect("aria-expanded").as_deref(),
            Some("true"),
            "the loader's launcher is the widget's"
        );
        browser.close().await;
    });
}
