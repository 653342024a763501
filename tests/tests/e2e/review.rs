//! Findings of a review (issue 15), each checked where a visitor meets it: one
//! language per dialog, and nothing a visitor types stored before consent.

use lead::widget::WORDS;
use serde_json::Value;

use crate::api::call;
use crate::support::{block_on, Stack, ORIGIN};

const DRAFT_KEY: &str = "leadwire:draft";

/// Russian through and through: Cyrillic, and no Latin letter.
fn russian(text: &str) -> bool {
    text.chars()
        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
        && !text.chars().any(|c| c.is_ascii_alphabetic())
}

/// The widget's built-in Russian word for `key`.
fn russian_word(key: &str) -> &'static str {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, _, ru)| *ru)
        .unwrap_or_else(|| panic!("{key} is not in lead::widget::WORDS"))
}

/// `locale = "ru"` on a page with `<html lang="en">` in an English browser:
/// the words, the promise and the slot labels are all Russian.
pub fn a_russian_widget_on_an_english_page_speaks_russian_throughout(stack: &Stack) {
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&format!("{}locale-ru.html", stack.site.url)).await;
        let page_lang = browser.run("return document.documentElement.lang").await;
        assert_eq!(page_lang, "en", "the page is English");

        // What the widget asks for there: the browser's zone and the page's language.
        let tz = browser
            .run("return Intl.DateTimeFormat().resolvedOptions().timeZone")
            .await;
        let path = format!(
            "v1/sites/locale-ru/config?tz={}&lang=en",
            tz.as_str().unwrap_or_default()
        );
        let answer = call(stack, "GET", &path, &[("origin", ORIGIN)], None);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        let callback = &answer.body["callback"];
        let promise = callback["promise"].as_str().unwrap_or_default();
        assert!(russian(promise), "the collector's promise is Russian: {callback}");
        let labels: Vec<&str> = callback["slots"]
            .as_array()
            .map(|slots| slots.iter().filter_map(|s| s["label"].as_str()).collect())
            .unwrap_or_default();
        // The test clock is Saturday noon in Moscow: closed, with slots to pick.
        assert!(
            !labels.is_empty() && labels.iter().all(|l| russian(l)),
            "Russian slot labels: {callback}"
        );

        browser
            .widget(".launcher")
            .await
            .click()
            .await
            .expect("click the launcher");
        let dialog_lang = browser.widget(".panel").await.attr("lang").await.expect("lang");
        assert_eq!(dialog_lang.as_deref(), Some("ru"), "the dialog says it is Russian");
        let title = browser.widget_text("#lw-title").await;
        assert_eq!(title.trim(), russian_word("title_callback"), "Russian words");
        let shown_promise = browser.widget_text("#lw-promise").await;
        assert_eq!(shown_promise.trim(), promise, "the promise shown is the Russian one");
        let legend = browser.widget_text(".slots legend").await;
        assert_eq!(legend.trim(), russian_word("slot_label"));
        let shown_labels = browser
            .run(
                "return [...document.querySelector('leadwire-widget').shadowRoot.querySelectorAll('.slot')]\
                 .map(l => l.textContent.trim())",
            )
            .await;
        assert_eq!(
            shown_labels,
            serde_json::json!(labels),
            "the slots shown are labelled in Russian"
        );
        browser.close().await;
    });
}

/// Every localStorage entry, as `{key: value}`.
const STORAGE: &str = "return Object.fromEntries(Object.entries(localStorage))";

/// On the demo site (a consent checkbox; touches kept from the first page
/// view) a phone typed before consent stays in the page; ticking consent
/// stores it with its time, unticking takes it away, and a day later it is gone.
pub fn a_phone_typed_before_consent_is_not_stored_and_a_stored_one_expires(stack: &Stack) {
    let typed = "+7 (912) 345-67-89";
    block_on(async {
        let browser = stack.driver.session().await;
        browser.goto(&stack.site.url).await;
        browser
            .widget(".launcher")
            .await
            .click()
            .await
            .expect("click the launcher");
        let phone = browser.widget("#lw-phone").await;
        phone.send_keys("8 (912) 345-67-89").await.expect("type the phone");
        let shown = phone.prop("value").await.expect("the field's value");
        assert_eq!(shown.as_deref(), Some(typed), "typed");
        let stored = browser.run(STORAGE).await;
        let leaked: Vec<_> = stored
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, v)| k.starts_with(DRAFT_KEY) || v.to_string().contains("345-67"))
                    .collect()
            })
            .unwrap_or_default();
        assert!(leaked.is_empty(), "nothing typed is stored before consent: {stored}");

        let consent = browser.widget("#lw-consent").await;
        consent.click().await.expect("tick consent");
        let draft = browser
            .until_page(
                "the draft stored once consent is ticked",
                &format!("return localStorage.getItem('{DRAFT_KEY}')"),
            )
            .await;
        let draft: Value = serde_json::from_str(draft.as_str().unwrap_or_default()).expect("a JSON draft");
        assert_eq!(draft["fields"]["phone"], typed, "{draft}");
        let now = browser.run("return Date.now()").await.as_i64().expect("Date.now()");
        let saved = draft["saved_ms"].as_i64().expect("saved_ms");
        assert!((0..60_000).contains(&(now - saved)), "saved now: {saved}, {now}");

        consent.click().await.expect("untick consent");
        let withdrawn = browser
            .run(&format!("return localStorage.getItem('{DRAFT_KEY}')"))
            .await;
        assert_eq!(withdrawn, Value::Null, "withdrawn consent takes the stored draft away");
        consent.click().await.expect("tick consent again");

        // The next page view offers a fresh draft ...
        browser.goto(&stack.site.url).await;
        browser.widget(".launcher").await.click().await.expect("open");
        let restored = browser.widget("#lw-phone").await.prop("value").await.expect("value");
        assert_eq!(restored.as_deref(), Some(typed), "a fresh draft is restored");

        // ... but not one typed 25 hours ago, which is removed.
        browser
            .run(&format!(
                "const d = JSON.parse(localStorage.getItem('{DRAFT_KEY}')); d.saved_ms -= 25 * 3600 * 1000;\
                 localStorage.setItem('{DRAFT_KEY}', JSON.stringify(d));"
            ))
            .await;
        browser.goto(&stack.site.url).await;
        browser.widget(".launcher").await.click().await.expect("open");
        let expired = browser.widget("#lw-phone").await.prop("value").await.expect("value");
        assert_eq!(expired.as_deref(), Some(""), "an expired draft is not restored");
        let left = browser
            .run(&format!("return localStorage.getItem('{DRAFT_KEY}')"))
            .await;
        assert_eq!(left, Value::Null, "an expired draft is removed");
        browser.close().await;
    });
}
