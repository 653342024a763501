//! A stand-in for Cloudflare Turnstile's siteverify on 127.0.0.1. It checks a
//! request as the real one does (`secret`, `response`, optional `remoteip`
//! and `idempotency_key`, as JSON) and answers with the documented
//! bodies, playing one of Cloudflare's test secret keys at a time
//! (developers.cloudflare.com/turnstile/troubleshooting/testing):
//!
//! | [`TestKey`] | Cloudflare's key | answer |
//! |---|---|---|
//! | `AlwaysPasses` | `1x0000000000000000000000000000000AA` | success, for the dummy token only |
//! | `AlwaysFails` | `2x0000000000000000000000000000000AA` | `invalid-input-response` |
//! | `AlreadySpent` | `3x0000000000000000000000000000000AA` | `timeout-or-duplicate` |
//!
//! or an [`Outage`]. A success names the hostname and action a real widget on
//! the test page would (`127.0.0.1`, `lead`; [`Siteverify::answer_for`]
//! changes them). The browser's half, the stand-in `api.js`, is a static file
//! the test site serves: `tests/pages/turnstile/api.js`.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};

/// The secret key the collector holds (the Worker var the test site names): Cloudflare's always-passing test key.
pub const SECRET: &str = "1x0000000000000000000000000000000AA";
/// The token Cloudflare's test sitekeys hand the browser.
pub const DUMMY_TOKEN: &str = "XXXX.DUMMY.TOKEN.XXXX";
/// Where the test site's pages load the stand-in widget script from (the static site).
pub const SCRIPT_PATH: &str = "turnstile/api.js";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKey {
    AlwaysPasses,
    AlwaysFails,
    AlreadySpent,
}

/// Ways siteverify fails to give a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// Holds the request until the behaviour changes (past any client's timeout).
    Hang,
    /// `503` with an HTML page.
    Unavailable,
    /// `200` with `internal-error`, which Cloudflare says may be retried.
    InternalError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Key(TestKey),
    Outage(Outage),
}

/// One request siteverify received, and its answer.
#[derive(Debug, Clone)]
pub struct Check {
    /// The request's JSON (`null` when it was none).
    pub request: Value,
    pub status: u16,
    pub answer: String,
}

impl Check {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.request.get(name).and_then(Value::as_str)
    }

    pub fn passed(&self) -> bool {
        serde_json::from_str::<Value>(&self.answer).is_ok_and(|a| a["success"] == true)
    }
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    changed: Condvar,
    hostname_action: Mutex<(String, String)>,
    checks: Mutex<Vec<Check>>,
}

pub struct Siteverify {
    /// The full siteverify URL, for the `TURNSTILE_SITEVERIFY_URL` var.
    pub url: String,
    shared: Arc<Shared>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

/// A hanging request answers anyway after this.
const HANG_LIMIT: Duration = Duration::from_secs(60);

impl Siteverify {
    /// Listens on a free port of 127.0.0.1, passing every good token.
    pub fn start() -> Result<Self, String> {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").map_err(|e| format!("siteverify stand-in: {e}"))?);
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("siteverify stand-in: no port")?;
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(Behaviour::Key(TestKey::AlwaysPasses)),
            changed: Condvar::new(),
            hostname_action: Mutex::new(("127.0.0.1".into(), "lead".into())),
            checks: Mutex::new(Vec::new()),
        });
        let thread = {
            let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    // A thread each: a hanging check must not hold up the next.
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || answer(request, &shared));
                }
            })
        };
        Ok(Siteverify {
            url: format!("http://127.0.0.1:{port}/turnstile/v0/siteverify"),
            shared,
            server,
            thread: Some(thread),
        })
    }

    /// How checks are answered from now on (hanging ones included).
    pub fn behave(&self, behaviour: Behaviour) {
        if let Ok(mut b) = self.shared.behaviour.lock() {
            *b = behaviour;
        }
        self.shared.changed.notify_all();
    }

    /// The hostname and action a success names from now on.
    pub fn answer_for(&self, hostname: &str, action: &str) {
        if let Ok(mut h) = self.shared.hostname_action.lock() {
            *h = (hostname.to_owned(), action.to_owned());
        }
    }

    /// Back to passing good tokens for 127.0.0.1 and `lead`.
    pub fn reset(&self) {
        self.answer_for("127.0.0.1", "lead");
        self.behave(Behaviour::Key(TestKey::AlwaysPasses));
    }

    pub fn checks(&self) -> Vec<Check> {
        self.shared.checks.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// The checks of one lead (its id is the idempotency key).
    pub fn checks_of(&self, lead_id: &str) -> Vec<Check> {
        self.checks()
            .into_iter()
            .filter(|c| c.field("idempotency_key") == Some(lead_id))
            .collect()
    }
}

impl Drop for Siteverify {
    fn drop(&mut self) {
        self.behave(Behaviour::Outage(Outage::Unavailable));
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn failure(codes: &[&str]) -> (u16, String) {
    (200, json!({"success": false, "error-codes": codes}).to_string())
}

/// What the real siteverify says to `request` with `behaviour`.
fn verdict(request: &Value, behaviour: Behaviour, hostname: &str, action: &str) -> (u16, String) {
    let text = |name: &str| request.get(name).and_then(Value::as_str).filter(|v| !v.is_empty());
    match (text("secret"), text("response")) {
        (None, _) => return failure(&["missing-input-secret"]),
        (Some(s), _) if s != SECRET => return failure(&["invalid-input-secret"]),
        (_, None) => return failure(&["missing-input-response"]),
        _ => {}
    }
    match behaviour {
        Behaviour::Outage(Outage::InternalError) => failure(&["internal-error"]),
        Behaviour::Outage(_) => (
            503,
            "<html><body>503 Service Temporarily Unavailable</body></html>".into(),
        ),
        Behaviour::Key(TestKey::AlwaysFails) => failure(&["invalid-input-response"]),
        Behaviour::Key(TestKey::AlreadySpent) => failure(&["timeout-or-duplicate"]),
        // Test secret keys accept only the dummy token.
        Behaviour::Key(TestKey::AlwaysPasses) if text("response") != Some(DUMMY_TOKEN) => {
            failure(&["invalid-input-response"])
        }
        Behaviour::Key(TestKey::AlwaysPasses) => (
            200,
            json!({
                "success": true, "challenge_ts": "2022-02-28T15:14:30.096Z", "hostname": hostname,
                "error-codes": [], "action": action, "cdata": "", "metadata": {"interactive": false},
            })
            .to_string(),
        ),
    }
}

fn answer(mut request: tiny_http::Request, shared: &Shared) {
    let mut body = String::new();
    let _ = std::io::Read::read_to_string(request.as_reader(), &mut body);
    // The collector sends JSON (Cloudflare also takes a form); anything else has no fields.
    let fields = serde_json::from_str::<Value>(&body).unwrap_or(Value::Null);
    let mut behaviour = shared
        .behaviour
        .lock()
        .map(|b| *b)
        .unwrap_or(Behaviour::Key(TestKey::AlwaysFails));
    if behaviour == Behaviour::Outage(Outage::Hang) {
        if let Ok(guard) = shared.behaviour.lock() {
            let waited = shared
                .changed
                .wait_timeout_while(guard, HANG_LIMIT, |b| *b == Behaviour::Outage(Outage::Hang));
            if let Ok((b, _)) = waited {
                behaviour = *b;
            }
        }
    }
    let (hostname, action) = shared.hostname_action.lock().map(|h| h.clone()).unwrap_or_default();
    let (status, text) = if request.method() != &tiny_http::Method::Post {
        (405, String::new())
    } else {
        verdict(&fields, behaviour, &hostname, &action)
    };
    if let Ok(mut checks) = shared.checks.lock() {
        checks.push(Check {
            request: fields,
            status,
            answer: text.clone(),
        });
    }
    let content_type = tiny_http::Header::from_bytes("content-type", "application/json");
    let mut response = tiny_http::Response::from_string(text).with_status_code(status);
    if let Ok(h) = content_type {
        response = response.with_header(h);
    }
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_the_documented_test_keys() {
        let request = |secret: &str, token: &str| json!({"secret": secret, "response": token});
        let good = request(SECRET, DUMMY_TOKEN);
        let passes = Behaviour::Key(TestKey::AlwaysPasses);
        let code =
            |(_, body): (u16, String)| serde_json::from_str::<Value>(&body).expect("JSON")["error-codes"][0].clone();
        assert_eq!(code(verdict(&good, passes, "h", "a")), Value::Null);
        assert_eq!(
            code(verdict(&request(SECRET, "real"), passes, "h", "a")),
            "invalid-input-response"
        );
        assert_eq!(
            code(verdict(&good, Behaviour::Key(TestKey::AlwaysFails), "h", "a")),
            "invalid-input-response"
        );
        assert_eq!(
            code(verdict(&good, Behaviour::Key(TestKey::AlreadySpent), "h", "a")),
            "timeout-or-duplicate"
        );
        assert_eq!(
            code(verdict(&request("other", DUMMY_TOKEN), passes, "h", "a")),
            "invalid-input-secret"
        );
        assert_eq!(
            code(verdict(&json!({"response": "t"}), passes, "h", "a")),
            "missing-input-secret"
        );
        assert_eq!(
            code(verdict(&request(SECRET, ""), passes, "h", "a")),
            "missing-input-response"
        );
        assert_eq!(verdict(&good, Behaviour::Outage(Outage::Unavailable), "h", "a").0, 503);
    }
}
