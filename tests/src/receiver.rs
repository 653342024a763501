//! A webhook receiver on 127.0.0.1: records every request, verifies its
//! Standard Webhooks signature with the reference library (an implementation
//! independent of ours), and answers with a status the test can change.

use std::sync::{Arc, Condvar, Mutex};
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
    /// When the request arrived.
    pub at: Instant,
    /// The status the receiver answered (a hanging request is recorded once released).
    pub answered: u16,
}

impl Delivery {
    /// `data.id`: the lead id this delivery carries.
    pub fn lead_id(&self) -> Option<&str> {
        self.event.as_ref()?.pointer("/data/id")?.as_str()
    }
}

type OnDelivery = Box<dyn Fn(&Delivery) + Send + Sync>;

/// How the receiver answers, switchable while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Answer(u16),
    /// Answer with a `Retry-After: <seconds>` header.
    AnswerRetryAfter(u16, u64),
    /// Keep the connection open and say nothing until the behaviour changes.
    Hang,
}

struct Shared {
    deliveries: Mutex<Vec<Delivery>>,
    arrivals: std::sync::atomic::AtomicUsize,
    behaviour: Mutex<Behaviour>,
    changed: Condvar,
    webhook: standardwebhooks::Webhook,
    on_delivery: Option<OnDelivery>,
}

/// The listening socket and its accept loop; dropping it closes the port.
struct Listener {
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub struct Receiver {
    pub url: String,
    port: u16,
    shared: Arc<Shared>,
    listener: Mutex<Option<Listener>>,
}

/// How long a hanging request waits at most before it answers anyway.
const HANG_LIMIT: Duration = Duration::from_secs(300);

impl Receiver {
    /// Listens on 127.0.0.1:`port` (0 for any free port).
    pub fn start(port: u16, secret: &str, on_delivery: Option<OnDelivery>) -> Result<Self, String> {
        let webhook = standardwebhooks::Webhook::new(secret).map_err(|e| format!("bad secret: {e:?}"))?;
        let shared = Arc::new(Shared {
            deliveries: Mutex::new(Vec::new()),
            arrivals: Default::default(),
            behaviour: Mutex::new(Behaviour::Answer(200)),
            changed: Condvar::new(),
            webhook,
            on_delivery,
        });
        let listener = listen(port, &shared)?;
        let port = listener.server.server_addr().to_ip().map(|a| a.port()).unwrap_or(port);
        Ok(Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            port,
            shared,
            listener: Mutex::new(Some(listener)),
        })
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.deliveries.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// Every delivery of `lead_id` so far.
    pub fn deliveries_of(&self, lead_id: &str) -> Vec<Delivery> {
        self.deliveries()
            .into_iter()
            .filter(|d| d.lead_id() == Some(lead_id))
            .collect()
    }

    /// Requests that have arrived, answered or still hanging.
    pub fn arrivals(&self) -> usize {
        self.shared.arrivals.load(std::sync::atomic::Ordering::SeqCst)
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

    /// How requests are answered from now on (hanging ones included).
    pub fn behave(&self, behaviour: Behaviour) {
        if let Ok(mut b) = self.shared.behaviour.lock() {
            *b = behaviour;
        }
        self.shared.changed.notify_all();
    }

    /// The status answered from now on.
    pub fn answer_with(&self, status: u16) {
        self.behave(Behaviour::Answer(status));
    }

    /// Stops listening: connections are refused until [`Receiver::come_back`].
    pub fn go_down(&self) {
        let listener = self.listener.lock().ok().and_then(|mut l| l.take());
        drop(listener);
    }

    /// Listens again on the same port.
    pub fn come_back(&self) -> Result<(), String> {
        let mut listener = self.listener.lock().map_err(|_| "receiver lock poisoned".to_owned())?;
        if listener.is_none() {
            *listener = Some(listen(self.port, &self.shared)?);
        }
        Ok(())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Release hanging requests, then close the port.
        self.behave(Behaviour::Answer(503));
        self.go_down();
    }
}

fn listen(port: u16, shared: &Arc<Shared>) -> Result<Listener, String> {
    let server = Arc::new(
        tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?,
    );
    let thread = {
        let (server, shared) = (Arc::clone(&server), Arc::clone(shared));
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let shared = Arc::clone(&shared);
                // A thread per request: one hanging request must not hold up the rest.
                std::thread::spawn(move || serve(request, &shared));
            }
        })
    };
    Ok(Listener {
        server,
        thread: Some(thread),
    })
}

fn serve(mut request: tiny_http::Request, shared: &Shared) {
    shared.arrivals.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut delivery = read(&mut request, &shared.webhook);
    let Ok(guard) = shared.behaviour.lock() else { return };
    let hung = *guard == Behaviour::Hang;
    let behaviour = shared
        .changed
        .wait_timeout_while(guard, HANG_LIMIT, |b| *b == Behaviour::Hang)
        .map(|(b, _)| *b)
        .unwrap_or(Behaviour::Answer(503));
    // A request that hung got no answer in time: its sender gave up long ago,
    // so it never counts as delivered, whatever it is told on release.
    let status = match behaviour {
        _ if hung => 503,
        Behaviour::Answer(status) | Behaviour::AnswerRetryAfter(status, _) => status,
        Behaviour::Hang => 503,
    };
    delivery.answered = status;
    if let Some(callback) = &shared.on_delivery {
        callback(&delivery);
    }
    if let Ok(mut all) = shared.deliveries.lock() {
        all.push(delivery);
    }
    let response = tiny_http::Response::empty(status);
    let response = match behaviour {
        Behaviour::AnswerRetryAfter(_, secs) => match tiny_http::Header::from_bytes("retry-after", secs.to_string()) {
            Ok(h) => response.with_header(h),
            Err(_) => response,
        },
        _ => response,
    };
    let _ = request.respond(response);
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
        answered: 0,
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
