//! A webhook receiver on 127.0.0.1: records every request, verifies its
//! Standard Webhooks signature with the reference library (an implementation
//! independent of ours), and answers with a status the test can change.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub webhook_id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// The reference library accepted the signature (and the timestamp is fresh).
    pub verified: bool,
    /// The body as JSON, when it is JSON.
    pub event: Option<serde_json::Value>,
    pub at: Instant,
}

impl Delivery {
    /// `data.id`: the lead id this delivery carries.
    pub fn lead_id(&self) -> Option<&str> {
        self.event.as_ref()?.pointer("/data/id")?.as_str()
    }
}

type OnDelivery = Box<dyn Fn(&Delivery) + Send + Sync>;

pub struct Receiver {
    pub url: String,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    status: Arc<AtomicU16>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Listens on 127.0.0.1:`port` (0 for any free port).
    pub fn start(port: u16, secret: &str, on_delivery: Option<OnDelivery>) -> Result<Self, String> {
        let webhook = standardwebhooks::Webhook::new(secret).map_err(|e| format!("bad secret: {e:?}"))?;
        let server = Arc::new(
            tiny_http::Server::http(("127.0.0.1", port))
                .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?,
        );
        let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(port);
        let deliveries = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let thread = {
            let (server, deliveries, status) = (Arc::clone(&server), Arc::clone(&deliveries), Arc::clone(&status));
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let delivery = read(&mut request, &webhook);
                    if let Some(callback) = &on_delivery {
                        callback(&delivery);
                    }
                    if let Ok(mut all) = deliveries.lock() {
                        all.push(delivery);
                    }
                    let _ = request.respond(tiny_http::Response::empty(status.load(Ordering::SeqCst)));
                }
            })
        };
        Ok(Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            deliveries,
            status,
            server,
            thread: Some(thread),
        })
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// Every delivery of `lead_id` so far.
    pub fn deliveries_of(&self, lead_id: &str) -> Vec<Delivery> {
        self.deliveries()
            .into_iter()
            .filter(|d| d.lead_id() == Some(lead_id))
            .collect()
    }

    /// Waits for the first delivery that `matches`.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        matches: impl Fn(&Delivery) -> bool,
    ) -> Result<Delivery, String> {
        crate::wait::until(what, timeout, || self.deliveries().into_iter().find(|d| matches(d)))
    }

    /// The status answered from now on.
    pub fn answer_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read(request: &mut tiny_http::Request, webhook: &standardwebhooks::Webhook) -> Delivery {
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_owned())
            .unwrap_or_default()
    };
    let (webhook_id, timestamp, signature) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let mut body = String::new();
    let _ = std::io::Read::read_to_string(request.as_reader(), &mut body);
    let mut headers = http::HeaderMap::new();
    for (name, value) in [
        ("webhook-id", &webhook_id),
        ("webhook-timestamp", &timestamp),
        ("webhook-signature", &signature),
    ] {
        if let Ok(v) = value.parse() {
            headers.insert(name, v);
        }
    }
    Delivery {
        verified: webhook.verify(body.as_bytes(), &headers).is_ok(),
        event: serde_json::from_str(&body).ok(),
        webhook_id,
        timestamp,
        signature,
        body,
        at: Instant::now(),
    }
}

/// An HTTP client that reports 4xx/5xx as answers, not errors.
pub fn http_agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}
