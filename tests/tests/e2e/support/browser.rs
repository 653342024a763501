//! Headless Debian Chromium driven over WebDriver (chromedriver + fantoccini).

use std::path::Path;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use leadwire_tests::chromium;
use leadwire_tests::paths::TempDir;
use leadwire_tests::process::Guarded;

pub struct Driver {
    url: String,
    _process: Guarded,
}

impl Driver {
    pub fn start(artifacts: &Path) -> Result<Self, String> {
        let (process, url) = chromium::start_driver(&artifacts.join("chromedriver.log"))?;
        Ok(Driver { url, _process: process })
    }

    /// A fresh browser with an empty profile (no localStorage from earlier cases).
    pub async fn session(&self) -> Session {
        let profile = TempDir::new("leadwire-chromium").expect("temp dir for a profile");
        let args = chromium::args(profile.path());
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": chromium::CHROMIUM, "args": args }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        Session {
            client,
            _profile: profile,
        }
    }
}

pub struct Session {
    pub client: Client,
    _profile: TempDir,
}

/// How long the widget may take to appear: it loads after the page's load event.
pub const WIDGET_TIMEOUT: Duration = Duration::from_secs(20);

impl Session {
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Waits for `selector` inside the widget's shadow root.
    pub async fn widget(&self, selector: &str) -> Element {
        self.in_shadow("leadwire-widget", selector).await
    }

    pub async fn try_widget(&self, selector: &str) -> Option<Element> {
        self.try_in_shadow("leadwire-widget", selector).await
    }

    /// Waits for `selector` inside the shadow root of the first `host` element
    /// (the widget's own, or an inline form's in the page).
    pub async fn in_shadow(&self, host: &str, selector: &str) -> Element {
        let deadline = tokio::time::Instant::now() + WIDGET_TIMEOUT;
        loop {
            if let Some(element) = self.try_in_shadow(host, selector).await {
                return element;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{selector} did not appear in {host} within {WIDGET_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn try_in_shadow(&self, host: &str, selector: &str) -> Option<Element> {
        let host = self.client.find(Locator::Css(host)).await.ok()?;
        host.shadow_root().await.ok()?.find(Locator::Css(selector)).await.ok()
    }

    /// Waits until `selector` in the widget has non-empty text, and returns it.
    pub async fn widget_text(&self, selector: &str) -> String {
        let deadline = tokio::time::Instant::now() + WIDGET_TIMEOUT;
        loop {
            let element = self.widget(selector).await;
            let text = element.text().await.unwrap_or_default();
            if !text.trim().is_empty() {
                return text;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{selector} stayed empty for {WIDGET_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens `url` as if a link on `referrer` had been followed (WebDriver
    /// itself cannot set a referrer; Chromium's DevTools `Page.navigate` can).
    pub async fn goto_from(&self, url: &str, referrer: &str) {
        let params = serde_json::json!({ "url": url, "referrer": referrer, "referrerPolicy": "unsafeUrl" });
        self.client
            .issue_cmd(Cdp {
                cmd: "Page.navigate",
                params,
            })
            .await
            .unwrap_or_else(|e| panic!("open {url} from {referrer}: {e}"));
        let deadline = tokio::time::Instant::now() + WIDGET_TIMEOUT;
        loop {
            let state = self
                .client
                .execute("return document.readyState + ' ' + location.href", vec![])
                .await;
            if state.is_ok_and(|s| {
                s.as_str()
                    .is_some_and(|s| s.starts_with("complete") && s.ends_with(url))
            }) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{url} did not load");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the visitor has spent as long on the page as a person
    /// needs to fill a form: faster submissions are judged to be bots.
    pub async fn human_pace(&self) {
        let needed = lead::spam::FASTEST_HUMAN_MS as f64 + 100.0;
        let deadline = tokio::time::Instant::now() + WIDGET_TIMEOUT;
        while self.run("return performance.now()").await.as_f64().unwrap_or(0.0) < needed {
            assert!(
                tokio::time::Instant::now() < deadline,
                "performance.now() did not advance"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ticks the consent box if the site asks for one, waits for a human
    /// pace, and presses the form's submit button.
    pub async fn submit(&self) {
        if let Some(consent) = self.try_widget("#lw-consent").await {
            if !consent.is_selected().await.unwrap_or(false) {
                consent.click().await.expect("tick consent");
            }
        }
        self.human_pace().await;
        self.widget(".submit").await.click().await.expect("submit");
    }

    /// The visitor's commonest path: opens the widget, leaves `phone` in the
    /// callback form, sends it and waits for the confirmation, which it returns.
    pub async fn request_callback(&self, phone: &str) -> String {
        self.widget(".launcher")
            .await
            .click()
            .await
            .expect("click the launcher");
        self.widget("#lw-phone")
            .await
            .send_keys(phone)
            .await
            .expect("type the phone");
        self.submit().await;
        self.widget_text(".done").await
    }

    /// How many `selector` the widget has now.
    pub async fn count_in_widget(&self, selector: &str) -> usize {
        let script = format!(
            "const r = document.querySelector('leadwire-widget'); return r ? r.shadowRoot.querySelectorAll({selector:?}).length : 0;"
        );
        self.run(&script).await.as_u64().unwrap_or(0) as usize
    }

    /// Waits until the widget has more than `than` of `selector`.
    pub async fn wait_in_widget(&self, selector: &str, than: usize) {
        let deadline = tokio::time::Instant::now() + WIDGET_TIMEOUT;
        while self.count_in_widget(selector).await <= than {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no new {selector} within {WIDGET_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Polls `script` until it returns something other than `null` or
    /// `false`, and returns that; fails after [`WIDGET_TIMEOUT`] saying `what`.
    pub async fn until_page(&self, what: &str, script: &str) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + WIDGET_TIMEOUT;
        loop {
            let value = self.run(script).await;
            if !value.is_null() && value != serde_json::Value::Bool(false) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within {WIDGET_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `element`'s accessible name as Chromium computes it for assistive
    /// technology (WebDriver's Get Computed Label).
    pub async fn accessible_name(&self, element: &Element) -> String {
        let name = self
            .client
            .issue_cmd(ComputedLabel(element.element_id().to_string()))
            .await
            .expect("the computed label");
        name.as_str().unwrap_or_default().to_owned()
    }

    /// Cuts the browser off the network (or back on), as DevTools' offline switch does.
    pub async fn offline(&self, offline: bool) {
        self.client
            .issue_cmd(Cdp {
                cmd: "Network.enable",
                params: serde_json::json!({}),
            })
            .await
            .expect("Network.enable");
        let conditions =
            serde_json::json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
        self.client
            .issue_cmd(Cdp {
                cmd: "Network.emulateNetworkConditions",
                params: conditions,
            })
            .await
            .expect("Network.emulateNetworkConditions");
    }

    /// Pinch-zooms the page as a visitor would: the visual viewport shrinks
    /// while the layout viewport stays, as when an on-screen keyboard opens.
    pub async fn pinch_zoom(&self, factor: f64) {
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setPageScaleFactor",
                params: serde_json::json!({ "pageScaleFactor": factor }),
            })
            .await
            .expect("Emulation.setPageScaleFactor");
    }

    /// Makes the page's viewport exactly `width`×`height` CSS pixels (a
    /// window size also counts the browser's own frame).
    pub async fn viewport(&self, width: u32, height: u32) {
        let params = serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false });
        self.client
            .issue_cmd(Cdp {
                cmd: "Emulation.setDeviceMetricsOverride",
                params,
            })
            .await
            .expect("Emulation.setDeviceMetricsOverride");
    }

    /// Runs an async `script` (it calls its last argument when done).
    pub async fn run_async(&self, script: &str) -> serde_json::Value {
        self.client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn run(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    pub async fn screenshot(&self, path: &Path) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(path, png);
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// chromedriver's passage to the DevTools protocol.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// WebDriver's Get Computed Label of one element, by its WebDriver id.
#[derive(Debug)]
struct ComputedLabel(String);

impl fantoccini::wd::WebDriverCompatibleCommand for ComputedLabel {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/element/{}/computedlabel",
            session_id.unwrap_or_default(),
            self.0
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}
