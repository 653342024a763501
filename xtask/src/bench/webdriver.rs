//! A small W3C WebDriver client over plain HTTP (ureq): chromedriver, a
//! browser session with DevTools commands and Chromium's network log, and
//! polling a script until it answers. The page measurements are in `page.rs`.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use leadwire_tests::chromium;
use leadwire_tests::paths::TempDir;
use leadwire_tests::process::Guarded;
use leadwire_tests::receiver::http_agent;
use leadwire_tests::wait::until;

/// chromedriver, spoken to over plain W3C WebDriver.
pub struct Driver {
    url: String,
    agent: ureq::Agent,
    _process: Guarded,
}

impl Driver {
    pub fn start(log: &Path) -> Result<Self, String> {
        let (process, url) = chromium::start_driver(log)?;
        Ok(Driver {
            url,
            agent: http_agent(Duration::from_secs(120)),
            _process: process,
        })
    }

    /// The answer's `value`, or WebDriver's error message.
    fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.url);
        let answer = match (method, body) {
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(body)) => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.to_string()),
            _ => self.agent.get(&url).call(),
        };
        let mut answer = answer.map_err(|e| format!("{method} {path}: {e}"))?;
        let ok = answer.status().is_success();
        let text = answer.body_mut().read_to_string().map_err(|e| e.to_string())?;
        let value = serde_json::from_str::<Value>(&text)
            .map_err(|e| format!("{method} {path}: not JSON ({e}): {text}"))?
            .get_mut("value")
            .map(Value::take)
            .unwrap_or(Value::Null);
        if ok {
            Ok(value)
        } else {
            Err(format!("{method} {path}: {}", value.get("message").unwrap_or(&value)))
        }
    }

    /// A fresh Chromium with an empty profile and Chromium's network log,
    /// its CPU slowed down `cpu_slowdown` times, running `on_new_document`
    /// before any script of every page it opens.
    pub fn browser(&self, cpu_slowdown: Option<f64>, on_new_document: &str) -> Result<Browser<'_>, String> {
        let profile = TempDir::new("leadwire-bench-chromium").map_err(|e| e.to_string())?;
        let args = chromium::args(profile.path());
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "goog:chromeOptions": {
                "binary": chromium::CHROMIUM,
                "args": args,
                "perfLoggingPrefs": { "enableNetwork": true, "enablePage": false }
            },
            "goog:loggingPrefs": { "performance": "ALL" }
        }}});
        let session = self.send("POST", "/session", Some(&capabilities))?;
        let id = session
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("chromedriver gave no session: {session}"))?;
        let browser = Browser {
            driver: self,
            session: format!("/session/{id}"),
            _profile: profile,
        };
        if let Some(rate) = cpu_slowdown {
            browser.devtools("Emulation.setCPUThrottlingRate", json!({ "rate": rate }))?;
        }
        browser.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": on_new_document }),
        )?;
        Ok(browser)
    }
}

/// One browser session; closed (and its profile removed) when dropped.
pub struct Browser<'a> {
    driver: &'a Driver,
    session: String,
    _profile: TempDir,
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self.driver.send("DELETE", &self.session, None);
    }
}

impl Browser<'_> {
    pub fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        self.driver
            .send("POST", &format!("{}{path}", self.session), Some(&body))
    }

    /// A DevTools command, through chromedriver's passage to it.
    pub fn devtools(&self, command: &str, params: Value) -> Result<Value, String> {
        self.post("/goog/cdp/execute", json!({ "cmd": command, "params": params }))
    }

    pub fn script(&self, script: &str) -> Result<Value, String> {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Polls `script` until it returns something other than null.
    pub fn wait_for(&self, what: &str, timeout: Duration, script: &str) -> Result<Value, String> {
        let mut last_error = None;
        let waited = until(what, timeout, || match self.script(script) {
            Ok(Value::Null) => None,
            Ok(value) => Some(value),
            Err(e) => {
                last_error = Some(e);
                None
            }
        });
        waited.map_err(|e| match last_error {
            Some(last) => format!("{e} (last error: {last})"),
            None => e,
        })
    }

    /// Chromium's network events since the last call.
    pub fn network_log(&self) -> Result<Vec<Value>, String> {
        let entries = self.post("/se/log", json!({ "type": "performance" }))?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| serde_json::from_str::<Value>(e.get("message")?.as_str()?).ok())
            .filter_map(|mut m| m.get_mut("message").map(Value::take))
            .collect())
    }
}
