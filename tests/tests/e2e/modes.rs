//! The complete widget in a real browser: every mode to the receiver, the
//! page hooks, offline submits, hostile pages, accessibility and languages.

use fantoccini::Locator;
use serde_json::Value;
use uuid::Uuid;

use crate::support::browser::Session;
use crate::support::{block_on, Stack, DELIVERY_TIMEOUT};

/// The lead whose page URL carries `case`, as delivered.
fn delivered(stack: &Stack, case: &str) -> Value {
    let d = stack
        .receiver
        .wait_for("the lead", DELIVERY_TIMEOUT, |d| {
            d.body.contains(case) && d.answered == 200
        })
        .unwrap();
    assert!(d.verified, "signature");
    d.event.expect("JSON")["data"].clone()
}

async fn type_into(browser: &Session, selector: &str, text: &str) {
    browser
        .widget(selector)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
}

async fn click(browser: &Session, selector: &str) {
    browser
        .widget(selector)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
}

pub fn contact_form_with_custom_fields_reaches_the_crm(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&format!("{}?case={case}", stack.site.url)).await;
        click(&browser, ".launcher").await;
        click(&browser, "[data-mode=form]").await;
        type_into(&browser, "#lw-name", "Anna").await;
        type_into(&browser, "#lw-phone", "8 912 345 67 89").await;
        type_into(&browser, "#lw-email", "anna@example.com").await;
        type_into(&browser, "#lw-message", "Two windows for a balcony").await;
        browser
            .widget("#lw-service")
            .await
            .select_by_value("balcony")
            .await
            .expect("select");
        click(&browser, "#lw-measure_visit").await;
        browser.submit().await;
        browser.widget_text(".done").await;
        browser.close().await;
    });
    let lead = delivered(stack, &case);
    assert_eq!(lead["kind"], "form");
    assert_eq!(
        (&lead["contact"]["name"], &lead["contact"]["email"]),
        (&"Anna".into(), &"anna@example.com".into())
    );
    assert_eq!(lead["message"], "Two windows for a balcony");
    assert_eq!(
        (&lead["fields"]["service"], &lead["fields"]["measure_visit"]),
        (&"balcony".into(), &true.into()),
        "{lead:#}"
    );
}

pub fn chat_intake_ends_in_a_lead_with_its_transcript(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&format!("{}?case={case}", stack.site.url)).await;
        click(&browser, ".launcher").await;
        click(&browser, "[data-mode=chat]").await;
        browser.human_pace().await;
        click(&browser, "#lw-consent").await;
        for (i, answer) in ["Pavel", "+7 912 345 67 89", "Do you fit windows in winter?"]
            .into_iter()
            .enumerate()
        {
            type_into(&browser, "#lw-chat", answer).await;
            click(&browser, ".chat-input .submit").await;
            browser.wait_in_widget(".bubble.me", i).await;
        }
        browser.widget_text(".done").await;
        browser.close().await;
    });
    let lead = delivered(stack, &case);
    assert_eq!(lead["kind"], "chat");
    assert_eq!(lead["contact"]["phone"], "+79123456789");
    let transcript = lead["transcript"].as_array().cloned().unwrap_or_default();
    assert_eq!(transcript.len(), 6, "three questions, three answers: {transcript:?}");
    assert_eq!(
        (&transcript[1]["from"], &transcript[1]["text"]),
        (&"visitor".into(), &"Pavel".into())
    );
}

pub fn messenger_click_is_a_lead_with_a_ref_code(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    let href = block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&format!("{}?case={case}", stack.site.url)).await;
        click(&browser, ".launcher").await;
        let link = browser.widget("a.messenger.telegram").await;
        let href = link.attr("href").await.expect("href").expect("a link");
        link.click().await.expect("click Telegram");
        browser.close().await;
        href
    });
    let lead = delivered(stack, &case);
    assert_eq!(lead["kind"], "messenger_click");
    let code = lead["messenger"]["ref_code"].as_str().expect("a ref code").to_owned();
    assert!(href.ends_with(&format!("?start={code}")), "{href} carries {code}");
    assert_eq!(lead["messenger"]["channel"], "telegram");
    assert!(!lead["attribution"]["channel"].is_null());
}

pub fn page_buttons_open_a_mode_with_the_product(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    block_on(async {
        let browser = stack.driver.session().await;
        browser
            .goto(&format!("{}product.html?case={case}", stack.site.url))
            .await;
        browser.widget(".launcher").await;
        browser
            .client
            .find(Locator::Css("button[data-leadwire=callback]"))
            .await
            .expect("order button")
            .click()
            .await
            .expect("click");
        browser.widget(".panel:not([hidden])").await;
        type_into(&browser, "#lw-phone", "89123456789").await;
        browser.submit().await;
        browser.widget_text(".done").await;
        browser.close().await;
    });
    let lead = delivered(stack, &case);
    assert_eq!(
        (&lead["kind"], &lead["product"]),
        (&"callback".into(), &"PVC window 1200x1400".into())
    );
}

/// The first inline form's host element in the page.
const INLINE: &str = "[data-leadwire-inline]";

pub fn inline_form_in_the_page_reaches_the_crm_with_its_product(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    block_on(async {
        let browser = stack.driver.session().await;
        browser
            .goto(&format!("{}product.html?case={case}", stack.site.url))
            .await;
        browser
            .in_shadow(INLINE, "#lw-phone")
            .await
            .send_keys("8 912 345 67 89")
            .await
            .expect("type the phone");
        if let Ok(consent) = browser.in_shadow(INLINE, "#lw-consent").await.is_selected().await {
            if !consent {
                browser
                    .in_shadow(INLINE, "#lw-consent")
                    .await
                    .click()
                    .await
                    .expect("tick consent");
            }
        }
        browser.human_pace().await;
        browser.screenshot(&stack.artifacts.join("inline-form.png")).await;
        browser
            .in_shadow(INLINE, ".submit")
            .await
            .click()
            .await
            .expect("submit");
        let done = browser
            .in_shadow(INLINE, ".done:not([hidden])")
            .await
            .text()
            .await
            .unwrap_or_default();
        assert!(!done.trim().is_empty(), "the inline form thanks the visitor");
        // The floating dialog stayed closed: the inline form is its own.
        assert!(browser.try_widget(".panel:not([hidden])").await.is_none());
        // An SPA adds a form later: it is found and rendered too.
        browser
            .run("const d = document.createElement('div'); d.id = 'later'; d.setAttribute('data-leadwire-inline', 'callback'); document.querySelector('main').append(d);")
            .await;
        browser
            .until_page(
                "a form an SPA adds after load is rendered",
                "const r = document.getElementById('later').shadowRoot; return !!(r && r.querySelector('#lw-phone'));",
            )
            .await;
        browser.close().await;
    });
    let lead = delivered(stack, &case);
    assert_eq!(
        (&lead["kind"], &lead["product"], &lead["contact"]["phone"]),
        (&"form".into(), &"PVC window 1200x1400".into(), &"+79123456789".into())
    );
}

pub fn spa_route_change_rearms_the_scroll_trigger(stack: &Stack) {
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&format!("{}spa.html", stack.site.url)).await;
        browser.widget(".launcher").await;
        // The first view is too short to scroll: nothing opens.
        browser.run("window.scrollTo(0, document.body.scrollHeight)").await;
        assert!(browser.try_widget(".panel:not([hidden])").await.is_none());
        // A client-side navigation to a long view, then a scroll past 60 %.
        browser
            .client
            .find(Locator::Css("a[data-route=doors]"))
            .await
            .expect("link")
            .click()
            .await
            .expect("navigate");
        browser.run("window.scrollTo(0, document.body.scrollHeight)").await;
        browser.widget(".panel:not([hidden])").await;
        assert!(browser
            .run("return location.search")
            .await
            .as_str()
            .is_some_and(|s| s.contains("route=doors")));
        browser.close().await;
    });
}

pub fn offline_submit_is_delivered_after_reconnect_and_after_reload(stack: &Stack) {
    for reload in [false, true] {
        let case = Uuid::new_v4().simple().to_string();
        block_on(async {
            let browser = stack.driver.session().await;
            browser.goto(&format!("{}?case={case}", stack.site.url)).await;
            click(&browser, ".launcher").await;
            browser.offline(true).await;
            type_into(&browser, "#lw-phone", "+7 912 345 67 89").await;
            browser.submit().await;
            let said = browser.widget_text(".done").await;
            assert!(said.contains("saved"), "the visitor is told the truth: {said}");
            let kept = browser.run("return localStorage.getItem('leadwire:outbox')").await;
            assert!(
                kept.as_str().is_some_and(|o| o.contains(&case)),
                "the lead waits in the outbox"
            );
            assert!(stack.receiver.deliveries().iter().all(|d| !d.body.contains(&case)));
            browser.offline(false).await;
            if reload {
                browser.goto(&stack.site.url).await;
            }
            let data = delivered(stack, &case);
            assert_eq!(data["contact"]["phone"], "+79123456789");
            // The receiver may have the lead (the first attempt runs right after
            // the 202) a moment before the page has read that 202.
            let script = format!(
                "const o = localStorage.getItem('leadwire:outbox'); return o === null || !o.includes('{case}');"
            );
            browser.until_page("the outbox to let the sent lead go", &script).await;
            browser.close().await;
        });
    }
}

pub fn a_widget_opened_once_opens_offline_on_the_next_page_and_keeps_the_lead(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    block_on(async {
        let browser = stack.driver.session().await;
        // The first open fetches the widget (glue and wasm) into the browser's cache.
        browser.goto(&stack.site.url).await;
        click(&browser, ".launcher").await;
        browser.widget(".panel:not([hidden])").await;
        // The next page view loads online; the connection is lost before the widget is opened.
        browser.goto(&format!("{}?case={case}", stack.site.url)).await;
        browser.widget(".launcher").await;
        let started = browser.run("return !(window.leadwire && window.leadwire.q);").await;
        assert_eq!(
            started,
            Value::Bool(false),
            "the widget is not started before the click"
        );
        browser.offline(true).await;
        click(&browser, ".launcher").await;
        type_into(&browser, "#lw-phone", "+7 912 345 67 89").await;
        browser.submit().await;
        let said = browser.widget_text(".done").await;
        assert!(said.contains("saved"), "the visitor is told the truth: {said}");
        browser.offline(false).await;
        let data = delivered(stack, &case);
        assert_eq!(data["contact"]["phone"], "+79123456789");
        browser.close().await;
    });
}

pub fn strict_csp_and_hostile_css_do_not_break_it(stack: &Stack) {
    for page in ["csp.html", "hostile.html"] {
        let case = Uuid::new_v4().simple().to_string();
        block_on(async {
            let browser = stack.driver.session().await;
            browser.goto(&format!("{}{page}?case={case}", stack.site.url)).await;
            let launcher = browser.widget(".launcher").await;
            assert!(
                launcher.is_displayed().await.unwrap_or(false),
                "{page}: launcher visible"
            );
            launcher.click().await.expect("click");
            type_into(&browser, "#lw-phone", "+7 912 345 67 89").await;
            browser.submit().await;
            browser.widget_text(".done").await;
            browser
                .screenshot(&stack.artifacts.join(format!("page-{page}.png")))
                .await;
            browser.close().await;
        });
        delivered(stack, &case);
    }
}

/// The screens every state of the dialog is checked on: a laptop and a small phone.
const SCREENS: [(u32, u32); 2] = [(1280, 800), (360, 640)];

/// Asserts axe-core finds no WCAG 2.0/2.1 A or AA violation in the widget
/// now (axe already injected), and keeps a screenshot of `state`.
async fn assert_accessible(stack: &Stack, browser: &Session, state: &str) {
    browser
        .screenshot(&stack.artifacts.join(format!("widget-{}.png", state.replace(' ', "-"))))
        .await;
    let result = browser
        .run_async(
            "const done = arguments[arguments.length - 1];\
             axe.run({ include: [['leadwire-widget']] }, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })\
               .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
        )
        .await;
    assert_eq!(result, Value::Array(vec![]), "{state}: axe violations");
}

/// Every state a visitor can reach, in both languages, on a laptop and on a
/// phone: each mode empty, with its field errors shown and confirmed, and
/// the chat's log grown past its height. The collector's clock is pinned to
/// a Saturday (support::saturday_noon_in_moscow), so the callback form is
/// the off-hours one with its slots; the open-hours one (no slots) cannot
/// be reached with that clock.
pub fn accessible_in_both_languages(stack: &Stack) {
    let axe = std::fs::read_to_string(leadwire_tests::paths::repo_root().join("node_modules/axe-core/axe.min.js"))
        .expect("axe-core from package-lock.json (cargo xtask setup)");
    for (path, lang, word) in [("", "en", "Send"), ("ru/", "ru", "Отправить")] {
        for (width, height) in SCREENS {
            let case = Uuid::new_v4().simple().to_string();
            let at = |state: &str| format!("{lang} {width}x{height} {state}");
            block_on(async {
                let browser = stack.driver.session().await;
                browser.viewport(width, height).await;
                browser.goto(&format!("{}{path}?case={case}", stack.site.url)).await;
                browser.widget(".launcher").await;
                browser.run(&axe).await;
                assert_accessible(stack, &browser, &at("closed")).await;
                click(&browser, ".launcher").await;
                // Focus moves into the dialog once the widget the click started is up; Escape
                // closes it and focus returns.
                let focused = browser
                    .until_page(
                        "focus inside the dialog",
                        "const a = document.querySelector('leadwire-widget').shadowRoot.activeElement;\
                         return a && a.id.startsWith('lw-') ? a.id : null;",
                    )
                    .await;
                assert!(
                    focused.as_str().is_some_and(|id| id.starts_with("lw-")),
                    "focus inside: {focused}"
                );
                for mode in ["callback", "form"] {
                    click(&browser, &format!("[data-mode={mode}]")).await;
                    assert_accessible(stack, &browser, &at(mode)).await;
                    if mode == "form" {
                        assert_eq!(browser.widget_text(".submit").await, word, "{lang}");
                    }
                    // Sent empty: the collector names the missing phone.
                    click(&browser, ".submit").await;
                    browser.widget_text("#lw-phone-error").await;
                    assert_accessible(stack, &browser, &at(&format!("{mode} errors"))).await;
                    type_into(&browser, "#lw-phone", "+7 912 345 67 89").await;
                    browser.submit().await;
                    browser.widget_text(".done").await;
                    assert_accessible(stack, &browser, &at(&format!("{mode} sent"))).await;
                }
                click(&browser, "[data-mode=chat]").await;
                assert_accessible(stack, &browser, &at("chat")).await;
                let say = |i: usize, answer: &'static str| {
                    let browser = &browser;
                    async move {
                        type_into(browser, "#lw-chat", answer).await;
                        click(browser, ".chat-input .submit").await;
                        browser.wait_in_widget(".bubble.me", i).await;
                    }
                };
                for (i, answer) in ["Pavel", "12", "Do you fit windows in winter?"].into_iter().enumerate() {
                    say(i, answer).await;
                }
                // All answered without consent: the consent's error shows.
                browser.widget_text("#lw-consent-error").await;
                assert_accessible(stack, &browser, &at("chat consent error")).await;
                click(&browser, "#lw-consent").await;
                browser.human_pace().await;
                click(&browser, ".chat-input .submit").await;
                // The collector refuses the phone: the bot says why and asks again.
                browser.wait_in_widget(".bubble.bot", 4).await;
                assert_accessible(stack, &browser, &at("chat refused answer")).await;
                say(3, "+7 912 345 67 89").await;
                say(4, "Do you fit windows in winter?").await;
                browser.widget_text(".done").await;
                assert_accessible(stack, &browser, &at("chat sent")).await;
                browser
                    .client
                    .active_element()
                    .await
                    .expect("focus")
                    .send_keys("\u{E00C}")
                    .await
                    .expect("Escape");
                let back = browser.run("return document.activeElement.tagName").await;
                assert_eq!(back, "LEADWIRE-WIDGET", "focus returns to the launcher");
                assert!(
                    browser.try_widget(".panel:not([hidden])").await.is_none(),
                    "Escape closes"
                );
                browser.close().await;
            });
            // Each mode's lead arrives: none is left in flight for a later case.
            for kind in ["callback", "form", "chat"] {
                stack
                    .receiver
                    .wait_for(&format!("the {kind} lead"), DELIVERY_TIMEOUT, |d| {
                        d.body.contains(&case)
                            && d.answered == 200
                            && d.event.as_ref().is_some_and(|e| e["data"]["kind"] == kind)
                    })
                    .unwrap();
            }
        }
    }
}

/// The callback dialog while the site is open (no slot list, the "within N
/// minutes" promise): the every-kind site takes calls around the clock, so the
/// pinned Saturday clock finds it open. Empty, with its error, and sent.
pub fn accessible_while_open_in_both_languages(stack: &Stack) {
    let axe = std::fs::read_to_string(leadwire_tests::paths::repo_root().join("node_modules/axe-core/axe.min.js"))
        .expect("axe-core from package-lock.json (cargo xtask setup)");
    for (page, lang, promise) in [
        ("open-en.html", "en", "within 15 minutes"),
        ("open-ru.html", "ru", "15 минут"),
    ] {
        for (width, height) in SCREENS {
            let case = Uuid::new_v4().simple().to_string();
            let at = |state: &str| format!("{lang} {width}x{height} open {state}");
            block_on(async {
                let browser = stack.driver.session().await;
                browser.viewport(width, height).await;
                browser.goto(&format!("{}{page}?case={case}", stack.site.url)).await;
                browser.widget(".launcher").await;
                browser.run(&axe).await;
                click(&browser, ".launcher").await;
                let shown = browser.widget_text("#lw-promise").await;
                assert!(shown.contains(promise), "{}: {shown:?}", at("promise"));
                assert_accessible(stack, &browser, &at("callback")).await;
                click(&browser, ".submit").await;
                browser.widget_text("#lw-phone-error").await;
                assert_accessible(stack, &browser, &at("callback errors")).await;
                type_into(&browser, "#lw-phone", "+7 912 345 67 89").await;
                browser.submit().await;
                browser.widget_text(".done").await;
                assert_accessible(stack, &browser, &at("callback sent")).await;
                browser.close().await;
            });
        }
    }
}

pub fn phone_sized_screens_get_a_full_screen_sheet(stack: &Stack) {
    block_on(async {
        let browser = stack.driver.session().await;
        browser.client.set_window_size(390, 844).await.expect("resize");
        browser.goto(&stack.site.url).await;
        click(&browser, ".launcher").await;
        let panel = browser.widget(".panel").await;
        let (_, _, width, _) = panel.rectangle().await.expect("size");
        let viewport = browser
            .run("return document.documentElement.clientWidth")
            .await
            .as_f64()
            .unwrap_or(0.0);
        assert!(
            (width - viewport).abs() < 1.0,
            "sheet {width} wide on a {viewport} px screen"
        );
        let font = browser
            .widget("#lw-phone")
            .await
            .css_value("font-size")
            .await
            .expect("font-size");
        assert_eq!(font, "16px", "no zoom on focus in iOS");
        // The visible area shrinks (keyboard, zoom): the sheet follows it.
        browser.pinch_zoom(2.0).await;
        browser
            .until_page(
                "the sheet takes the visual viewport's size and place",
                "const p = document.querySelector('leadwire-widget').shadowRoot.querySelector('.panel').getBoundingClientRect(); \
                 const v = visualViewport; \
                 return v.height < innerHeight * 0.75 && Math.abs(p.height - v.height) <= 1 && Math.abs(p.top - v.offsetTop) <= 1;",
            )
            .await;
        browser.pinch_zoom(1.0).await;
        browser.close().await;
    });
}

pub fn off_hours_callback_offers_slots_and_sends_the_chosen_one(stack: &Stack) {
    let case = Uuid::new_v4().simple().to_string();
    let (value, label) = block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&format!("{}?case={case}", stack.site.url)).await;
        click(&browser, ".launcher").await;
        // The collector's clock is fixed on a Saturday (support::saturday_noon_in_moscow): closed.
        let promise = browser.widget_text("#lw-promise").await;
        assert!(
            promise.contains("Monday"),
            "the honest promise names the next working day: {promise}"
        );
        assert_eq!(
            browser.count_in_widget(".slot input").await,
            lead::widget::OFFERED_SLOTS,
            "the collector's slots offered"
        );
        let second = browser.widget(".slot:nth-of-type(2) input").await;
        let value = second.attr("value").await.expect("value").expect("a slot value");
        let label = browser
            .widget(".slot:nth-of-type(2)")
            .await
            .text()
            .await
            .expect("label")
            .trim()
            .to_owned();
        second.click().await.expect("choose the second slot");
        type_into(&browser, "#lw-phone", "+7 912 345 67 89").await;
        browser.submit().await;
        let done = browser.widget_text(".done").await;
        assert!(
            done.contains(&label),
            "the confirmation repeats the chosen slot: {done}"
        );
        browser
            .screenshot(&stack.artifacts.join("callback-off-hours.png"))
            .await;
        browser.close().await;
        (value, label)
    });
    let lead = delivered(stack, &case);
    let (start, end) = value.split_once('|').expect("start|end");
    let at = |ms: &str| {
        jiff::Timestamp::from_millisecond(ms.parse().expect("ms"))
            .expect("a time")
            .to_string()
    };
    assert_eq!(
        (lead["slot"]["start"].as_str(), lead["slot"]["end"].as_str()),
        (Some(at(start).as_str()), Some(at(end).as_str())),
        "{label}"
    );
}
