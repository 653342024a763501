//! Stand-ins for the products leads are forwarded to, on one HTTP server on
//! 127.0.0.1: each product lives under its own path prefix (the table
//! [`PRODUCTS`]; amoCRM also at the root, `/api/v4/…`, since an amoCRM
//! account's address is an origin), checks what the real API requires and answers with the
//! bodies its documentation shows. Every request is recorded as a [`Call`]
//! (what came, what was answered, whether the product kept something), and
//! the tests can make a product throttle or answer late ([`Standins::throttle`],
//! [`Standins::answer_late`]).
//!
//! Where each product's rules come from:
//! * Bitrix24: REST `crm.lead.add` / `crm.lead.list` (apidocs.bitrix24.com, crm/leads);
//! * amoCRM: API v4 "Incoming leads" (amocrm.com/developers/content/api_v4/incoming-leads,
//!   kommo.com's copy; the validation-error shape as amoCRM answers a `{"data": […]}` wrapper);
//! * Telegram: Bot API `sendMessage` and "Formatting options", HTML style (core.telegram.org/bots/api);
//! * Email: Resend `POST /emails`, its errors and idempotency keys (resend.com/docs/api-reference);
//! * HubSpot: Forms API v3 "Submit data to a form (unauthenticated)" (developers.hubspot.com);
//! * Slack: incoming webhooks and their error strings, Block Kit limits (api.slack.com/messaging/webhooks).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

/// The Bitrix24 inbound webhook's user and code: `/rest/<user>/<code>/`.
pub const BITRIX24_USER: &str = "1";
pub const BITRIX24_CODE: &str = "standin4b24code";
/// amoCRM's long-lived token and the account it belongs to.
pub const AMOCRM_TOKEN: &str = "standin-amocrm-long-lived-token";
pub const AMOCRM_ACCOUNT_ID: u64 = 31_000_001;
/// The Telegram bot's token, and the one chat it may post to (the `every-kind` site's `chat`).
pub const TELEGRAM_TOKEN: &str = "123456789:STANDIN-telegram-bot-token";
pub const TELEGRAM_CHAT: i64 = -1_001_234_567_890;
/// The Resend API key.
pub const EMAIL_TOKEN: &str = "re_standin_api_key";
/// The HubSpot portal and form the `every-kind` site names.
pub const HUBSPOT_PORTAL: &str = "12345678";
pub const HUBSPOT_FORM: &str = "0f3ab6f0-5e7c-4c1b-9d8e-2f6a7b8c9d0e";
/// The Slack incoming webhook's path below `/slack/`.
pub const SLACK_HOOK: &str = "services/T000/B000/XXXX";

/// A product a stand-in plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    Bitrix24,
    AmoCrm,
    Telegram,
    Email,
    HubSpot,
    Slack,
}

impl Product {
    pub const ALL: [Product; 6] = [
        Product::Bitrix24,
        Product::AmoCrm,
        Product::Telegram,
        Product::Email,
        Product::HubSpot,
        Product::Slack,
    ];

    /// Its path prefix, also its name in messages.
    pub fn prefix(self) -> &'static str {
        match self {
            Product::Bitrix24 => "bitrix24",
            Product::AmoCrm => "amocrm",
            Product::Telegram => "telegram",
            Product::Email => "email",
            Product::HubSpot => "hubspot",
            Product::Slack => "slack",
        }
    }
}

/// One request a stand-in received, and what it answered.
#[derive(Debug, Clone)]
pub struct Call {
    pub product: Product,
    /// Arrival order across all products.
    pub seq: u64,
    pub method: String,
    /// Below the product's prefix, without the query: `/rest/1/<code>/crm.lead.add.json`.
    pub path: String,
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub raw: String,
    /// The body as JSON, when it was sent as JSON.
    pub body: Option<Value>,
    pub status: u16,
    pub answer: String,
    /// The product kept something: a lead, a message, an email, a submission.
    pub stored: bool,
    pub at: Instant,
}

impl Call {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn answer_json(&self) -> Option<Value> {
        serde_json::from_str(&self.answer).ok()
    }

    /// The body as JSON (`null` when it was not JSON).
    pub fn json(&self) -> &Value {
        self.body.as_ref().unwrap_or(&Value::Null)
    }
}

/// A lead Bitrix24 holds, with the `fields` it was added with.
#[derive(Debug, Clone)]
pub struct Bitrix24Lead {
    pub id: u64,
    pub fields: Map<String, Value>,
}

/// An incoming (unsorted) lead amoCRM holds: the object as sent, and its model as listed.
#[derive(Debug, Clone)]
pub struct AmoUnsorted {
    pub uid: String,
    pub sent: Value,
    pub model: Value,
}

/// What each product keeps between requests.
#[derive(Default)]
struct State {
    bitrix24: Vec<Bitrix24Lead>,
    amocrm: Vec<AmoUnsorted>,
    telegram_messages: u64,
    /// Resend idempotency key → (the body first sent, the answer given).
    email_keys: HashMap<String, (String, Reply)>,
    next_id: u64,
}

impl State {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// How products misbehave, switchable while the server runs.
#[derive(Default)]
struct Behaviours {
    /// The next N requests get the product's rate-limit answer.
    throttle: HashMap<Product, u32>,
    /// The next request that stores something answers only after this long.
    late: HashMap<Product, Duration>,
}

struct Shared {
    calls: Mutex<Vec<Call>>,
    state: Mutex<State>,
    behaviours: Mutex<Behaviours>,
    stopping: Mutex<bool>,
    stopped: Condvar,
    seq: AtomicU64,
}

/// The stand-ins' server; stops listening (and releases late answers) when dropped.
pub struct Standins {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub url: String,
    shared: Arc<Shared>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Standins {
    pub fn start() -> Result<Self, String> {
        let server = Arc::new(
            tiny_http::Server::http(("127.0.0.1", 0)).map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?,
        );
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("the stand-ins' server has no IP address")?;
        let shared = Arc::new(Shared {
            calls: Mutex::new(Vec::new()),
            state: Mutex::new(State::default()),
            behaviours: Mutex::new(Behaviours::default()),
            stopping: Mutex::new(false),
            stopped: Condvar::new(),
            seq: AtomicU64::new(0),
        });
        let thread = {
            let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let shared = Arc::clone(&shared);
                    // A thread per request: a late answer must not hold up the rest.
                    std::thread::spawn(move || serve(request, &shared));
                }
            })
        };
        Ok(Standins {
            url: format!("http://127.0.0.1:{port}"),
            shared,
            server,
            thread: Some(thread),
        })
    }

    /// The product's base URL: `<url>/<prefix>`.
    pub fn url_of(&self, product: Product) -> String {
        format!("{}/{}", self.url, product.prefix())
    }

    /// The inbound webhook URL a Bitrix24 portal gives out, with its trailing slash.
    pub fn bitrix24_webhook(&self) -> String {
        format!(
            "{}/rest/{BITRIX24_USER}/{BITRIX24_CODE}/",
            self.url_of(Product::Bitrix24)
        )
    }

    /// The amoCRM account's address: an origin, as amoCRM's are (`https://<account>.amocrm.ru`).
    /// The API answers under it (`/api/v4/…`) and under `/amocrm` alike.
    pub fn amocrm_account(&self) -> String {
        self.url.clone()
    }

    /// The Slack incoming webhook URL.
    pub fn slack_webhook(&self) -> String {
        format!("{}/{SLACK_HOOK}", self.url_of(Product::Slack))
    }

    /// Every request so far, in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Every request `product` got.
    pub fn calls_to(&self, product: Product) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.product == product).collect()
    }

    /// Waits for the first request at `product` that `matches`.
    pub fn wait_for(
        &self,
        product: Product,
        timeout: Duration,
        matches: impl Fn(&Call) -> bool,
    ) -> Result<Call, String> {
        crate::wait::until(
            &format!("a matching request at the {} stand-in", product.prefix()),
            timeout,
            || self.calls_to(product).into_iter().find(|c| matches(c)),
        )
    }

    /// The leads Bitrix24 holds.
    pub fn bitrix24_leads(&self) -> Vec<Bitrix24Lead> {
        self.shared.state.lock().map(|s| s.bitrix24.clone()).unwrap_or_default()
    }

    /// The incoming leads amoCRM holds.
    pub fn amocrm_unsorted(&self) -> Vec<AmoUnsorted> {
        self.shared.state.lock().map(|s| s.amocrm.clone()).unwrap_or_default()
    }

    /// The next `calls` requests to `product` get its documented rate-limit answer.
    pub fn throttle(&self, product: Product, calls: u32) {
        if let Ok(mut b) = self.shared.behaviours.lock() {
            b.throttle.insert(product, calls);
        }
    }

    /// The next request that makes `product` store something stores it, then
    /// answers only after `delay`: to its sender, an attempt with an unknown outcome.
    pub fn answer_late(&self, product: Product, delay: Duration) {
        if let Ok(mut b) = self.shared.behaviours.lock() {
            b.late.insert(product, delay);
        }
    }

    /// Every product behaves again.
    pub fn calm(&self) {
        if let Ok(mut b) = self.shared.behaviours.lock() {
            *b = Behaviours::default();
        }
    }
}

impl Drop for Standins {
    fn drop(&mut self) {
        if let Ok(mut stopping) = self.shared.stopping.lock() {
            *stopping = true;
        }
        self.shared.stopped.notify_all();
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A request as the product handlers see it.
struct Incoming<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a [(String, String)],
    raw: &'a str,
    body: Option<&'a Value>,
}

impl Incoming<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        header(self.headers, name)
    }

    /// The token of `Authorization: Bearer <token>`.
    fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ").map(str::trim)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What a stand-in answers.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    body: String,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    stored: bool,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            content_type: "application/json",
            headers: Vec::new(),
            stored: false,
        }
    }

    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.to_owned(),
            content_type: "text/plain; charset=utf-8",
            headers: Vec::new(),
            stored: false,
        }
    }

    fn empty(status: u16) -> Reply {
        Reply::text(status, "")
    }

    fn stored(mut self) -> Reply {
        self.stored = true;
        self
    }

    fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_owned()));
        self
    }
}

type Handler = fn(&Incoming, &mut State) -> Reply;

/// Path prefix → the product, how it handles a request, and what it says when throttling.
const PRODUCTS: &[(Product, Handler, fn() -> Reply)] = &[
    (Product::Bitrix24, bitrix24, || {
        Reply::json(
            503,
            json!({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}),
        )
    }),
    (Product::AmoCrm, amocrm, || {
        Reply::json(429, problem(429, "Too Many Requests", "Too many requests"))
    }),
    (Product::Telegram, telegram, || {
        Reply::json(
            429,
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1",
                   "parameters": {"retry_after": 1}}),
        )
    }),
    (Product::Email, email, || {
        Reply::json(
            429,
            json!({"statusCode": 429, "name": "rate_limit_exceeded",
                   "message": "Too many requests. You can only make 2 requests per second."}),
        )
        .header("retry-after", "1")
    }),
    (Product::HubSpot, hubspot, || {
        Reply::json(
            429,
            json!({"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                   "errorType": "RATE_LIMIT", "correlationId": fresh_uuid(), "policyName": "TEN_SECONDLY_ROLLING"}),
        )
    }),
    (Product::Slack, slack, || {
        Reply::text(429, "rate_limited").header("retry-after", "1")
    }),
];

fn serve(mut request: tiny_http::Request, shared: &Shared) {
    let method = request.method().as_str().to_owned();
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let mut raw = String::new();
    let _ = std::io::Read::read_to_string(request.as_reader(), &mut raw);
    let trimmed = path.trim_start_matches('/');
    let (prefix, below) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let routed = match PRODUCTS.iter().find(|(p, _, _)| p.prefix() == prefix) {
        Some(entry) => Some((entry, format!("/{below}"))),
        // amoCRM's API lives at the account's root: an account URL is an origin.
        None if path.starts_with("/api/v4/") => PRODUCTS
            .iter()
            .find(|(p, _, _)| *p == Product::AmoCrm)
            .map(|entry| (entry, path.to_owned())),
        None => None,
    };
    let Some(((product, handle, throttled), below)) = routed else {
        let _ = request.respond(tiny_http::Response::from_string("no stand-in here").with_status_code(404));
        return;
    };
    let is_json = header(&headers, "content-type").is_some_and(|t| t.contains("json"));
    let body: Option<Value> = if is_json { serde_json::from_str(&raw).ok() } else { None };
    let incoming = Incoming {
        method: &method,
        path: &below,
        query,
        headers: &headers,
        raw: &raw,
        body: body.as_ref(),
    };
    let throttle = shared
        .behaviours
        .lock()
        .ok()
        .is_some_and(|mut b| match b.throttle.get_mut(product) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        });
    let reply = if throttle {
        throttled()
    } else {
        match shared.state.lock() {
            Ok(mut state) => handle(&incoming, &mut state),
            Err(_) => Reply::text(500, "stand-in state poisoned"),
        }
    };
    let delay = if reply.stored {
        shared.behaviours.lock().ok().and_then(|mut b| b.late.remove(product))
    } else {
        None
    };
    if let Ok(mut calls) = shared.calls.lock() {
        calls.push(Call {
            product: *product,
            seq: shared.seq.fetch_add(1, Ordering::SeqCst),
            method: method.clone(),
            path: below.clone(),
            query: query.to_owned(),
            headers: headers.clone(),
            raw: raw.clone(),
            body: body.clone(),
            status: reply.status,
            answer: reply.body.clone(),
            stored: reply.stored,
            at: Instant::now(),
        });
    }
    if let Some(delay) = delay {
        // Stored already; the answer waits (until the server stops, at most).
        if let Ok(stopping) = shared.stopping.lock() {
            let _ = shared
                .stopped
                .wait_timeout_while(stopping, delay, |stopping| !*stopping);
        }
    }
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
    let content_type = [("content-type", reply.content_type.to_owned())];
    for (name, value) in content_type.iter().chain(&reply.headers) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

// ---------------------------------------------------------------- Bitrix24

/// `/rest/<user>/<code>/<method>[.json]`: `crm.lead.add` and `crm.lead.list`, JSON bodies.
fn bitrix24(req: &Incoming, state: &mut State) -> Reply {
    let error = |status: u16, code: &str, description: &str| {
        Reply::json(status, json!({"error": code, "error_description": description}))
    };
    let parts: Vec<&str> = req.path.trim_start_matches('/').splitn(4, '/').collect();
    let [rest, user, code, method] = parts[..] else {
        return error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
    };
    if rest != "rest" {
        return error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
    }
    if user != BITRIX24_USER || code != BITRIX24_CODE {
        return error(401, "INVALID_CREDENTIALS", "Invalid request credentials");
    }
    let params = match req.body {
        Some(Value::Object(params)) => params,
        _ => {
            return error(
                400,
                "",
                "Parameters are expected as a JSON object (Content-Type: application/json).",
            )
        }
    };
    match method.strip_suffix(".json").unwrap_or(method) {
        "crm.lead.add" => bitrix24_add(params, state),
        "crm.lead.list" => bitrix24_list(params, state),
        _ => error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"),
    }
}

fn bitrix24_add(params: &Map<String, Value>, state: &mut State) -> Reply {
    let bad = |description: String| Reply::json(400, json!({"error": "", "error_description": description}));
    let Some(fields) = params.get("fields").and_then(Value::as_object) else {
        return bad("Parameter 'fields' must be array.".into());
    };
    if fields
        .get("TITLE")
        .and_then(Value::as_str)
        .is_none_or(|t| t.trim().is_empty())
    {
        return bad("Required fields: TITLE.".into());
    }
    // Multi-fields: [{"VALUE": "…", "VALUE_TYPE": "WORK"}, …].
    for key in ["PHONE", "EMAIL", "WEB", "IM"] {
        let Some(values) = fields.get(key) else { continue };
        let well_formed = values.as_array().is_some_and(|values| {
            !values.is_empty()
                && values.iter().all(|v| {
                    v.get("VALUE")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.trim().is_empty())
                        && v.get("VALUE_TYPE")
                            .and_then(Value::as_str)
                            .is_some_and(|s| !s.is_empty())
                })
        });
        if !well_formed {
            return bad(format!(
                "Field {key} takes an array of {{\"VALUE\", \"VALUE_TYPE\"}} objects."
            ));
        }
    }
    if params.get("params").is_some_and(|p| !p.is_object()) {
        return bad("Parameter 'params' must be array.".into());
    }
    let id = state.next_id();
    state.bitrix24.push(Bitrix24Lead {
        id,
        fields: fields.clone(),
    });
    Reply::json(200, json!({"result": id, "time": bitrix24_time()})).stored()
}

/// `{"filter": {"ORIGIN_ID": …}, "select": […]}`: equality filters (`KEY` or `=KEY`).
fn bitrix24_list(params: &Map<String, Value>, state: &mut State) -> Reply {
    let bad = |description: &str| Reply::json(400, json!({"error": "", "error_description": description}));
    let empty = Map::new();
    let filter = match params.get("filter") {
        None => &empty,
        Some(Value::Object(filter)) => filter,
        Some(_) => return bad("Parameter 'filter' must be array."),
    };
    if filter.keys().any(|k| {
        !k.trim_start_matches('=')
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    }) {
        return bad("This stand-in filters by equality only (KEY or =KEY).");
    }
    let select: Vec<&str> = match params.get("select") {
        None => vec!["*"],
        Some(Value::Array(keys)) => keys.iter().filter_map(Value::as_str).collect(),
        Some(_) => return bad("Parameter 'select' must be array."),
    };
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let rows: Vec<Value> = state
        .bitrix24
        .iter()
        .filter(|lead| {
            filter.iter().all(|(key, wanted)| {
                let key = key.trim_start_matches('=');
                let got = if key == "ID" {
                    Some(lead.id.to_string())
                } else {
                    lead.fields.get(key).map(as_text)
                };
                let wanted: Vec<String> = match wanted {
                    Value::Array(any) => any.iter().map(as_text).collect(),
                    one => vec![as_text(one)],
                };
                got.is_some_and(|got| wanted.contains(&got))
            })
        })
        .map(|lead| {
            let mut row = Map::new();
            row.insert("ID".into(), json!(lead.id.to_string()));
            for (key, value) in &lead.fields {
                if select.contains(&"*") || select.contains(&key.as_str()) {
                    row.insert(key.clone(), value.clone());
                }
            }
            Value::Object(row)
        })
        .collect();
    Reply::json(
        200,
        json!({"result": rows, "total": rows.len(), "time": bitrix24_time()}),
    )
}

/// The `time` block every Bitrix24 REST answer carries.
fn bitrix24_time() -> Value {
    let now = unix_now();
    let start = now.as_secs_f64();
    json!({
        "start": start, "finish": start + 0.012, "duration": 0.012, "processing": 0.004,
        "date_start": rfc3339(now.as_secs()), "date_finish": rfc3339(now.as_secs()),
    })
}

// ---------------------------------------------------------------- amoCRM

/// amoCRM's problem+json body.
fn problem(status: u16, title: &str, detail: &str) -> Value {
    json!({"title": title, "type": format!("https://httpstatus.es/{status}"), "status": status, "detail": detail})
}

/// `POST /api/v4/leads/unsorted/forms`, `GET /api/v4/leads/unsorted[/<uid>]`, with a bearer token.
fn amocrm(req: &Incoming, state: &mut State) -> Reply {
    if req.bearer() != Some(AMOCRM_TOKEN) {
        return Reply::json(401, problem(401, "Unauthorized", "Invalid or missing access token"));
    }
    match (req.method, req.path) {
        ("POST", "/api/v4/leads/unsorted/forms") => amocrm_add(req.body, state),
        ("GET", "/api/v4/leads/unsorted") => {
            let pairs = query_pairs(req.query);
            let values = |name: &str| -> Vec<&str> {
                pairs
                    .iter()
                    .filter(|(k, _)| k == name || k.starts_with(&format!("{name}[")))
                    .map(|(_, v)| v.as_str())
                    .collect()
            };
            let (uids, categories) = (values("filter[uid]"), values("filter[category]"));
            // Everything held here is of the forms category.
            let forms_wanted = categories.is_empty() || categories.contains(&"forms");
            let found: Vec<Value> = state
                .amocrm
                .iter()
                .filter(|u| forms_wanted && (uids.is_empty() || uids.contains(&u.uid.as_str())))
                .map(|u| u.model.clone())
                .collect();
            if found.is_empty() {
                // amoCRM answers an empty list with 204 and no body.
                return Reply::empty(204);
            }
            Reply::json(
                200,
                json!({"_page": 1, "_links": {"self": {"href": "/api/v4/leads/unsorted"}},
                       "_embedded": {"unsorted": found}}),
            )
        }
        ("GET", path) if path.starts_with("/api/v4/leads/unsorted/") => {
            let uid = &path["/api/v4/leads/unsorted/".len()..];
            match state.amocrm.iter().find(|u| u.uid == uid) {
                Some(u) => Reply::json(200, u.model.clone()),
                None => Reply::empty(204),
            }
        }
        _ => Reply::json(404, problem(404, "Not Found", "No such method")),
    }
}

/// One validation error: (code, path, detail).
type AmoError = (&'static str, String, &'static str);

fn amocrm_add(body: Option<&Value>, state: &mut State) -> Reply {
    let missing = |path: String| -> AmoError { ("FieldMissing", path, "This field is missing.") };
    let mut failures: Vec<(String, Vec<AmoError>)> = Vec::new();
    let items = match body {
        Some(Value::Array(items)) if !items.is_empty() => items,
        // An object is read as a list keyed by its members: `{"data": […]}` lacks data.source_uid…
        Some(Value::Object(members)) => {
            let errors = members
                .keys()
                .flat_map(|k| [missing(format!("{k}.source_uid")), missing(format!("{k}.source_name"))])
                .collect();
            return amocrm_invalid(vec![("0".into(), errors)]);
        }
        _ => {
            let error = ("InvalidType", String::new(), "This value should be of type array.");
            return amocrm_invalid(vec![("0".into(), vec![error])]);
        }
    };
    for (index, item) in items.iter().enumerate() {
        let request_id = item
            .get("request_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| index.to_string());
        let errors = amocrm_check(item);
        if !errors.is_empty() {
            failures.push((request_id, errors));
        }
    }
    if !failures.is_empty() {
        return amocrm_invalid(failures);
    }
    let mut answered = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let uid = fresh_hex(60);
        let embedded = &item["_embedded"];
        let mut ids = |key: &str| -> Vec<Value> {
            let count = embedded.get(key).and_then(Value::as_array).map_or(0, Vec::len);
            (0..count).map(|_| json!({"id": state.next_id()})).collect()
        };
        let (leads, contacts) = (ids("leads"), ids("contacts"));
        let linked = json!({"leads": leads, "contacts": contacts, "companies": []});
        let model = json!({
            "uid": uid, "source_uid": item["source_uid"], "source_name": item["source_name"],
            "category": "forms", "pipeline_id": item.get("pipeline_id").cloned().unwrap_or(json!(7_000_001)),
            "created_at": item.get("created_at").cloned().unwrap_or(json!(unix_now().as_secs())),
            "metadata": item["metadata"], "account_id": AMOCRM_ACCOUNT_ID, "_embedded": linked,
        });
        let request_id = item
            .get("request_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| index.to_string());
        answered.push(
            json!({"uid": uid, "account_id": AMOCRM_ACCOUNT_ID, "request_id": request_id,
                             "_embedded": linked}),
        );
        state.amocrm.push(AmoUnsorted {
            uid,
            sent: item.clone(),
            model,
        });
    }
    Reply::json(
        200,
        json!({"_total_items": answered.len(), "_embedded": {"unsorted": answered}}),
    )
    .stored()
}

/// What amoCRM finds wrong with one incoming lead of the forms category.
fn amocrm_check(item: &Value) -> Vec<AmoError> {
    let missing = |path: &str| -> AmoError { ("FieldMissing", path.to_owned(), "This field is missing.") };
    let mut errors = Vec::new();
    if !item.is_object() {
        return vec![("InvalidType", String::new(), "This value should be of type array.")];
    }
    for key in ["source_uid", "source_name"] {
        if item
            .get(key)
            .and_then(Value::as_str)
            .is_none_or(|s| s.trim().is_empty())
        {
            errors.push(missing(key));
        }
    }
    for key in ["pipeline_id", "created_at"] {
        if item.get(key).is_some_and(|v| !v.is_u64()) {
            errors.push(("InvalidType", key.to_owned(), "This value should be of type int."));
        }
    }
    match item.get("metadata") {
        Some(Value::Object(metadata)) => {
            for key in ["form_id", "form_name", "form_page"] {
                let given = metadata
                    .get(key)
                    .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()) || v.is_u64());
                if !given {
                    errors.push(missing(&format!("metadata.{key}")));
                }
            }
            match metadata.get("form_sent_at") {
                None => errors.push(missing("metadata.form_sent_at")),
                Some(v) if !v.is_u64() => errors.push((
                    "InvalidType",
                    "metadata.form_sent_at".into(),
                    "This value should be of type int.",
                )),
                Some(_) => {}
            }
        }
        _ => errors.push(missing("metadata")),
    }
    let embedded = item.get("_embedded");
    let entities = |key: &str| embedded.and_then(|e| e.get(key));
    // Something to sort: a lead, a contact or both.
    let some = |key: &str| entities(key).and_then(Value::as_array).is_some_and(|l| !l.is_empty());
    if !some("leads") && !some("contacts") {
        errors.push(missing("_embedded"));
    }
    for key in ["leads", "contacts"] {
        let Some(list) = entities(key) else { continue };
        let Some(list) = list.as_array() else {
            errors.push((
                "InvalidType",
                format!("_embedded.{key}"),
                "This value should be of type array.",
            ));
            continue;
        };
        for (i, entity) in list.iter().enumerate() {
            let at = format!("_embedded.{key}.{i}");
            if !entity.is_object() {
                errors.push(("InvalidType", at, "This value should be of type array."));
                continue;
            }
            let Some(fields) = entity.get("custom_fields_values") else {
                continue;
            };
            let Some(fields) = fields.as_array() else {
                errors.push((
                    "InvalidType",
                    format!("{at}.custom_fields_values"),
                    "This value should be of type array.",
                ));
                continue;
            };
            for (j, field) in fields.iter().enumerate() {
                let at = format!("{at}.custom_fields_values.{j}");
                let named = field.get("field_id").is_some_and(Value::is_u64)
                    || field
                        .get("field_code")
                        .and_then(Value::as_str)
                        .is_some_and(|c| !c.is_empty());
                if !named {
                    errors.push(missing(&format!("{at}.field_id")));
                }
                let values_ok = field.get("values").and_then(Value::as_array).is_some_and(|values| {
                    !values.is_empty() && values.iter().all(|v| v.get("value").is_some_and(|v| !v.is_null()))
                });
                if !values_ok {
                    errors.push(missing(&format!("{at}.values")));
                }
            }
        }
    }
    errors
}

fn amocrm_invalid(failures: Vec<(String, Vec<AmoError>)>) -> Reply {
    let validation: Vec<Value> = failures
        .into_iter()
        .map(|(request_id, errors)| {
            let errors: Vec<Value> = errors
                .into_iter()
                .map(|(code, path, detail)| json!({"code": code, "path": path, "detail": detail}))
                .collect();
            json!({"request_id": request_id, "errors": errors})
        })
        .collect();
    let mut body = problem(400, "Bad Request", "Request validation failed");
    body["validation-errors"] = Value::Array(validation);
    Reply::json(400, body)
}

// ---------------------------------------------------------------- Telegram

/// `/bot<token>/sendMessage` with a JSON body.
fn telegram(req: &Incoming, state: &mut State) -> Reply {
    let fail = |code: u16, description: &str| {
        Reply::json(
            code,
            json!({"ok": false, "error_code": code, "description": description}),
        )
    };
    let Some((token, method)) = req.path.strip_prefix("/bot").and_then(|rest| rest.split_once('/')) else {
        return fail(404, "Not Found");
    };
    if token != TELEGRAM_TOKEN {
        return fail(401, "Unauthorized");
    }
    if !method.eq_ignore_ascii_case("sendMessage") {
        return fail(404, "Not Found");
    }
    let empty = Map::new();
    let body = req.body.and_then(Value::as_object).unwrap_or(&empty);
    let chat = match body.get("chat_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return fail(400, "Bad Request: chat_id is empty"),
    };
    if chat != TELEGRAM_CHAT.to_string() {
        return fail(400, "Bad Request: chat not found");
    }
    let text = body.get("text").and_then(Value::as_str).unwrap_or_default();
    let visible = match body.get("parse_mode").and_then(Value::as_str) {
        None | Some("") => text.to_owned(),
        Some(mode) if mode.eq_ignore_ascii_case("html") => match telegram_visible_text(text) {
            Ok(visible) => visible,
            Err(why) => return fail(400, &format!("Bad Request: can't parse entities: {why}")),
        },
        // Markdown styles are real Telegram options, but this stand-in reads only HTML.
        Some(_) => {
            return fail(
                400,
                "Bad Request: unsupported parse_mode (this stand-in reads HTML only)",
            )
        }
    };
    let visible = visible.trim();
    if visible.is_empty() {
        return fail(400, "Bad Request: message text is empty");
    }
    if visible.chars().count() > 4096 {
        return fail(400, "Bad Request: message is too long");
    }
    state.telegram_messages += 1;
    Reply::json(
        200,
        json!({"ok": true, "result": {
            "message_id": state.telegram_messages,
            "from": {"id": 123_456_789, "is_bot": true, "first_name": "Leads", "username": "leadwire_standin_bot"},
            "chat": {"id": TELEGRAM_CHAT, "title": "Leads", "type": "supergroup"},
            "date": unix_now().as_secs(),
            "text": visible,
        }}),
    )
    .stored()
}

/// Reads `html` as Telegram's HTML parse mode does: the visible text, or why
/// Telegram refuses it. Allowed: b, strong, i, em, u, ins, s, strike, del,
/// tg-spoiler, span class="tg-spoiler", a href, code, pre, blockquote,
/// tg-emoji emoji-id; entities &lt; &gt; &amp; &quot; and numeric ones. Every
/// other `<`, `>` and `&` must be written as an entity, as the Bot API says.
pub fn telegram_visible_text(html: &str) -> Result<String, String> {
    let mut visible = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(c) = html[at..].chars().next() {
        let rest = &html[at..];
        match c {
            '<' => {
                let end = rest
                    .find('>')
                    .filter(|end| !rest[1..*end].contains('<'))
                    .ok_or_else(|| format!("Unclosed start tag at byte offset {at}"))?;
                let inside = &rest[1..end];
                if let Some(name) = inside.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    match open.pop() {
                        Some(top) if top == name => {}
                        Some(top) => {
                            return Err(format!(
                                "Unmatched end tag at byte offset {at}, expected \"</{top}>\", found \"</{name}>\""
                            ))
                        }
                        None => return Err(format!("Unexpected end tag at byte offset {at}")),
                    }
                } else {
                    let (name, attributes) = inside.split_once(char::is_whitespace).unwrap_or((inside, ""));
                    let name = name.to_ascii_lowercase();
                    telegram_tag(&name, attributes, at)?;
                    open.push(name);
                }
                at += end + 1;
            }
            '&' => {
                let (decoded, length) = html_entity(rest)
                    .ok_or_else(|| format!("Unsupported HTML entity or bare \"&\" at byte offset {at}"))?;
                visible.push(decoded);
                at += length;
            }
            '>' => return Err(format!("Unexpected \">\" at byte offset {at}: write &gt;")),
            _ => {
                visible.push(c);
                at += c.len_utf8();
            }
        }
    }
    match open.pop() {
        Some(top) => Err(format!("Can't find end tag corresponding to start tag \"{top}\"")),
        None => Ok(visible),
    }
}

fn telegram_tag(name: &str, attributes: &str, at: usize) -> Result<(), String> {
    match name {
        "b" | "strong" | "i" | "em" | "u" | "ins" | "s" | "strike" | "del" | "tg-spoiler" | "code" | "pre"
        | "blockquote" => Ok(()),
        "span" if attribute(attributes, "class").as_deref() == Some("tg-spoiler") => Ok(()),
        "tg-emoji" if attribute(attributes, "emoji-id").is_some() => Ok(()),
        "a" => {
            let href = attribute(attributes, "href").filter(|h| !h.trim().is_empty());
            let href = href.ok_or_else(|| format!("Tag \"a\" at byte offset {at} must have an href"))?;
            let scheme = href
                .split_once(':')
                .map(|(s, _)| s.to_ascii_lowercase())
                .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)));
            match scheme.as_deref() {
                None | Some("http" | "https" | "tg" | "tel" | "mailto" | "ton") => Ok(()),
                Some(other) => Err(format!("Unsupported URL protocol \"{other}\" at byte offset {at}")),
            }
        }
        _ => Err(format!("Unsupported start tag \"{name}\" at byte offset {at}")),
    }
}

/// The value of attribute `name` in `attributes` (`a="x" b='y' c=z`), entities decoded.
fn attribute(attributes: &str, name: &str) -> Option<String> {
    let mut rest = attributes.trim_start();
    while !rest.is_empty() {
        let key_end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let key = &rest[..key_end];
        rest = rest[key_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (raw, next) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q)? + 1;
                    (&after[1..close], &after[close + 1..])
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            let mut i = 0;
            while let Some(c) = raw[i..].chars().next() {
                match html_entity(&raw[i..]).filter(|_| c == '&') {
                    Some((decoded, length)) => {
                        value.push(decoded);
                        i += length;
                    }
                    None => {
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
            rest = next.trim_start();
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(value);
        }
    }
    None
}

/// `&lt;` `&gt;` `&amp;` `&quot;` `&#NN;` `&#xHH;` at the start of `text`: the character and the length.
fn html_entity(text: &str) -> Option<(char, usize)> {
    let end = text.bytes().take(12).position(|b| b == b';')?;
    let name = text.get(1..end)?;
    let decoded = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((decoded, end + 1))
}

// ---------------------------------------------------------------- Email (Resend)

/// `POST /emails` with a bearer key; `Idempotency-Key` honoured.
fn email(req: &Incoming, state: &mut State) -> Reply {
    let fail = |status: u16, name: &str, message: &str| {
        Reply::json(status, json!({"statusCode": status, "name": name, "message": message}))
    };
    if (req.method, req.path) != ("POST", "/emails") {
        return fail(404, "not_found", "The requested endpoint does not exist.");
    }
    match req.bearer() {
        None => return fail(401, "missing_api_key", "Missing API key in the authorization header."),
        Some(key) if key != EMAIL_TOKEN => return fail(403, "invalid_api_key", "API key is invalid."),
        Some(_) => {}
    }
    let key = req.header("idempotency-key");
    if let Some(key) = key {
        if key.is_empty() || key.chars().count() > 256 {
            return fail(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
        }
        if let Some((first_body, answer)) = state.email_keys.get(key) {
            return if first_body == req.raw {
                answer.clone()
            } else {
                fail(
                    409,
                    "invalid_idempotent_request",
                    "Same idempotency key used with a different request payload.",
                )
            };
        }
    }
    let empty = Map::new();
    let body = req.body.and_then(Value::as_object).unwrap_or(&empty);
    let invalid = |field: &str| {
        fail(
            422,
            "validation_error",
            &format!(
                "Invalid `{field}` field. The email address needs to follow the `email@example.com` or \
                 `Name <email@example.com>` format."
            ),
        )
    };
    let addresses = |field: &str| -> Option<Vec<String>> {
        match body.get(field)? {
            Value::String(one) => Some(vec![one.clone()]),
            Value::Array(many) => many.iter().map(|a| a.as_str().map(str::to_owned)).collect(),
            _ => Some(vec![String::new()]),
        }
    };
    let Some(from) = body.get("from").and_then(Value::as_str) else {
        return fail(422, "missing_required_field", "Missing `from` field.");
    };
    if !email_address(from) {
        return invalid("from");
    }
    let to = addresses("to").filter(|to| !to.is_empty());
    let Some(to) = to else {
        return fail(422, "missing_required_field", "Missing `to` field.");
    };
    if to.len() > 50 || !to.iter().all(|a| email_address(a)) {
        return invalid("to");
    }
    if !body.get("subject").is_some_and(Value::is_string) {
        return fail(422, "missing_required_field", "Missing `subject` field.");
    }
    if !body.get("html").is_some_and(Value::is_string) && !body.get("text").is_some_and(Value::is_string) {
        return fail(422, "missing_required_field", "Missing `html` or `text` field.");
    }
    if let Some(reply_to) = addresses("reply_to") {
        if !reply_to.iter().all(|a| email_address(a)) {
            return invalid("reply_to");
        }
    }
    let answer = Reply::json(200, json!({"id": fresh_uuid()}));
    if let Some(key) = key {
        state
            .email_keys
            .insert(key.to_owned(), (req.raw.to_owned(), answer.clone()));
    }
    answer.stored()
}

/// `name@domain.tld` or `Name <name@domain.tld>`.
fn email_address(text: &str) -> bool {
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => text,
    };
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
                && !domain.contains('@')
        }
        None => false,
    }
}

// ---------------------------------------------------------------- HubSpot

/// `POST /submissions/v3/integration/submit/<portalId>/<formGuid>`.
fn hubspot(req: &Incoming, _state: &mut State) -> Reply {
    let failure = |status: u16, message: &str, errors: Vec<Value>| {
        Reply::json(
            status,
            json!({"status": "error", "message": message, "correlationId": fresh_uuid(), "errors": errors}),
        )
    };
    let error = |message: String, kind: &str| json!({"message": message, "errorType": kind});
    let target = req.path.strip_prefix("/submissions/v3/integration/submit/");
    let Some((portal, form)) = target.and_then(|t| t.split_once('/')) else {
        return failure(404, "Not found", Vec::new());
    };
    if req.method != "POST" || portal != HUBSPOT_PORTAL || form != HUBSPOT_FORM {
        return failure(
            404,
            &format!("The form {form} does not exist in portal {portal}"),
            Vec::new(),
        );
    }
    let Some(body) = req.body.and_then(Value::as_object) else {
        return failure(400, "Invalid input JSON", Vec::new());
    };
    let mut errors = Vec::new();
    match body.get("fields").and_then(Value::as_array) {
        None => errors.push(error("Error in 'fields'. Field is required.".into(), "REQUIRED_FIELD")),
        Some(fields) if fields.len() > 1000 => errors.push(error(
            "More than 1000 fields were submitted.".into(),
            "MAX_NUMBER_OF_SUBMITTED_VALUES_EXCEEDED",
        )),
        Some(fields) => {
            for (i, field) in fields.iter().enumerate() {
                let name = field.get("name").and_then(Value::as_str).filter(|n| !n.is_empty());
                let value = field.get("value").and_then(Value::as_str);
                let (Some(name), Some(value)) = (name, value) else {
                    errors.push(error(
                        format!("Error in 'fields[{i}]'. A field needs a name and a string value."),
                        "REQUIRED_FIELD",
                    ));
                    continue;
                };
                if field.get("objectTypeId").is_some_and(|t| !t.is_string()) {
                    errors.push(error(
                        format!("Error in 'fields.{name}'. Bad objectTypeId."),
                        "INVALID_METADATA",
                    ));
                }
                if name == "email" && !email_address(value) {
                    errors.push(error(
                        "Error in 'fields.email'. Invalid email address".into(),
                        "INVALID_EMAIL",
                    ));
                }
                if value.chars().count() > 65_536 {
                    errors.push(error(
                        format!("Error in 'fields.{name}'. Input too large."),
                        "INPUT_TOO_LARGE",
                    ));
                }
            }
        }
    }
    if let Some(context) = body.get("context") {
        let strings = ["pageUri", "pageName", "ipAddress", "pageId"]
            .iter()
            .all(|k| context.get(k).is_none_or(Value::is_string));
        if !context.is_object() || !strings {
            errors.push(error("Error in 'context'.".into(), "INVALID_METADATA"));
        }
        let hutk = context.get("hutk").and_then(Value::as_str);
        if hutk.is_some_and(|h| h.len() != 32 || !h.chars().all(|c| c.is_ascii_hexdigit())) {
            errors.push(error("Error in 'context.hutk'. Invalid hutk.".into(), "INVALID_HUTK"));
        }
    }
    let submitted_at_ok = match body.get("submittedAt") {
        None => true,
        Some(Value::String(ms)) => ms.parse::<u64>().is_ok(),
        Some(ms) => ms.is_u64(),
    };
    if !submitted_at_ok {
        errors.push(error(
            "Error in 'submittedAt'. A time in milliseconds.".into(),
            "INVALID_METADATA",
        ));
    }
    if !errors.is_empty() {
        return failure(400, "The request is not valid", errors);
    }
    Reply::json(200, json!({"inlineMessage": "Thanks for submitting the form."})).stored()
}

// ---------------------------------------------------------------- Slack

/// An incoming webhook: `text` and/or `blocks`; plain-text answers.
fn slack(req: &Incoming, _state: &mut State) -> Reply {
    if req.path != format!("/{SLACK_HOOK}") || req.method != "POST" {
        return Reply::text(404, "no_service");
    }
    let Some(body) = req.body.and_then(Value::as_object) else {
        return Reply::text(400, "invalid_payload");
    };
    if body.get("text").is_some_and(|t| !t.is_string()) {
        return Reply::text(400, "invalid_payload");
    }
    let text = body
        .get("text")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    if !text && !body.contains_key("blocks") && !body.contains_key("attachments") {
        return Reply::text(400, "no_text");
    }
    if body.get("blocks").is_some_and(|b| !slack_blocks_ok(b)) {
        return Reply::text(400, "invalid_blocks");
    }
    Reply::text(200, "ok").stored()
}

/// Block Kit's limits for the blocks a lead message uses (others pass unchecked).
fn slack_blocks_ok(blocks: &Value) -> bool {
    let text_ok = |t: &Value, max: usize, plain_only: bool| {
        let kind_ok = t
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|k| k == "plain_text" || (!plain_only && k == "mrkdwn"));
        let length_ok = t
            .get("text")
            .and_then(Value::as_str)
            .is_some_and(|s| (1..=max).contains(&s.chars().count()));
        kind_ok && length_ok
    };
    let Some(blocks) = blocks.as_array() else { return false };
    blocks.len() <= 50
        && blocks
            .iter()
            .all(|block| match block.get("type").and_then(Value::as_str) {
                Some("section") => {
                    let (text, fields) = (block.get("text"), block.get("fields"));
                    (text.is_some() || fields.is_some())
                        && text.is_none_or(|t| text_ok(t, 3000, false))
                        && fields.is_none_or(|f| {
                            f.as_array()
                                .is_some_and(|f| f.len() <= 10 && f.iter().all(|t| text_ok(t, 2000, false)))
                        })
                }
                Some("header") => block.get("text").is_some_and(|t| text_ok(t, 150, true)),
                Some("context") => block
                    .get("elements")
                    .and_then(Value::as_array)
                    .is_some_and(|e| (1..=10).contains(&e.len())),
                Some(_) => true,
                None => false,
            })
}

// ---------------------------------------------------------------- helpers

fn unix_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` for Unix seconds (civil-from-days, proleptic Gregorian).
fn rfc3339(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `len` hex digits, different on every call.
fn fresh_hex(len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut seed = unix_now().as_nanos() as u64 ^ COUNTER.fetch_add(1, Ordering::SeqCst).wrapping_mul(0x9E37_79B9);
    let mut out = String::with_capacity(len + 16);
    while out.len() < len {
        // splitmix64
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = seed;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.push_str(&format!("{:016x}", x ^ (x >> 31)));
    }
    out.truncate(len);
    out
}

/// A version-4-shaped UUID.
fn fresh_uuid() -> String {
    let h = fresh_hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// `a=1&b[]=x%20y` → [("a", "1"), ("b[]", "x y")].
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let escaped = bytes
                .get(i + 1..i + 3)
                .filter(|_| bytes[i] == b'%')
                .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
            match (escaped, bytes[i]) {
                (Some(b), _) => {
                    out.push(b);
                    i += 3;
                }
                (None, b'+') => {
                    out.push(b' ');
                    i += 1;
                }
                (None, b) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Posts `body` to `<standins>/<path>` and returns (status, body).
    fn post(standins: &Standins, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let agent = crate::receiver::http_agent(Duration::from_secs(10));
        let request = headers.iter().fold(
            http::Request::builder()
                .method("POST")
                .uri(format!("{}{path}", standins.url)),
            |r, (k, v)| r.header(*k, *v),
        );
        let mut response = agent
            .run(request.body(body.to_owned()).expect("a request"))
            .expect("an answer");
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (response.status().as_u16(), text)
    }

    fn get(standins: &Standins, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        let agent = crate::receiver::http_agent(Duration::from_secs(10));
        let request = headers.iter().fold(
            http::Request::builder()
                .method("GET")
                .uri(format!("{}{path}", standins.url)),
            |r, (k, v)| r.header(*k, *v),
        );
        let mut response = agent.run(request.body(()).expect("a request")).expect("an answer");
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (response.status().as_u16(), text)
    }

    const JSON: (&str, &str) = ("content-type", "application/json");

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or(Value::Null)
    }

    #[test]
    fn bitrix24_adds_lists_refuses_and_throttles() {
        let s = Standins::start().expect("stand-ins");
        let add = format!("/bitrix24/rest/1/{BITRIX24_CODE}/crm.lead.add.json");
        let lead = json!({"fields": {"TITLE": "Callback", "ORIGIN_ID": "lead-1", "ORIGINATOR_ID": "leadwire",
                                     "PHONE": [{"VALUE": "+79123456789", "VALUE_TYPE": "WORK"}]},
                          "params": {"REGISTER_SONET_EVENT": "Y"}});
        let (status, body) = post(&s, &add, &[JSON], &lead.to_string());
        assert_eq!(status, 200, "{body}");
        assert!(parsed(&body)["result"].is_u64() && parsed(&body)["time"]["date_start"].is_string());

        let wrong = post(&s, "/bitrix24/rest/1/nope/crm.lead.add", &[JSON], &lead.to_string());
        assert_eq!(wrong.0, 401);
        assert_eq!(parsed(&wrong.1)["error"], "INVALID_CREDENTIALS");
        for bad in [
            json!({"fields": {"PHONE": [{"VALUE": "1", "VALUE_TYPE": "WORK"}]}}),
            json!({"fields": {"TITLE": "x", "PHONE": "+79123456789"}}),
            json!({"fields": {"TITLE": "x", "EMAIL": [{"VALUE": "a@b.c"}]}}),
            json!({"TITLE": "x"}),
        ] {
            let (status, body) = post(&s, &add, &[JSON], &bad.to_string());
            assert_eq!(status, 400, "{bad}");
            assert!(parsed(&body)["error_description"].is_string(), "{body}");
        }

        let list = json!({"filter": {"ORIGINATOR_ID": "leadwire", "ORIGIN_ID": "lead-1"}, "select": ["ID"]});
        let (status, body) = post(
            &s,
            &format!("/bitrix24/rest/1/{BITRIX24_CODE}/crm.lead.list"),
            &[JSON],
            &list.to_string(),
        );
        assert_eq!((status, parsed(&body)["total"].as_u64()), (200, Some(1)), "{body}");
        let none = json!({"filter": {"=ORIGIN_ID": "lead-2"}});
        let (_, body) = post(
            &s,
            &format!("/bitrix24/rest/1/{BITRIX24_CODE}/crm.lead.list.json"),
            &[JSON],
            &none.to_string(),
        );
        assert_eq!(parsed(&body)["result"], json!([]));

        s.throttle(Product::Bitrix24, 1);
        let (status, body) = post(&s, &add, &[JSON], &lead.to_string());
        assert_eq!(
            (status, parsed(&body)["error"].as_str()),
            (503, Some("QUERY_LIMIT_EXCEEDED"))
        );
        assert_eq!(post(&s, &add, &[JSON], &lead.to_string()).0, 200, "throttled once only");
        assert_eq!(s.bitrix24_leads().len(), 2);
        assert_eq!(s.calls_to(Product::Bitrix24).iter().filter(|c| c.stored).count(), 2);
    }

    #[test]
    fn a_late_answer_comes_after_the_lead_is_stored() {
        let s = Standins::start().expect("stand-ins");
        s.answer_late(Product::Bitrix24, Duration::from_millis(400));
        let add = format!("/bitrix24/rest/1/{BITRIX24_CODE}/crm.lead.add");
        let started = Instant::now();
        let (status, _) = post(&s, &add, &[JSON], &json!({"fields": {"TITLE": "late"}}).to_string());
        assert_eq!(status, 200);
        assert!(started.elapsed() >= Duration::from_millis(400), "answered early");
        let started = Instant::now();
        let (status, _) = post(&s, &add, &[JSON], &json!({"fields": {"TITLE": "on time"}}).to_string());
        assert_eq!(status, 200);
        assert!(
            started.elapsed() < Duration::from_millis(400),
            "only the next one is late"
        );
    }

    #[test]
    fn amocrm_takes_an_array_of_form_leads_and_lists_them_by_uid() {
        let s = Standins::start().expect("stand-ins");
        let auth = format!("Bearer {AMOCRM_TOKEN}");
        let headers = [JSON, ("authorization", auth.as_str())];
        let item = json!({
            "source_uid": "leadwire", "source_name": "Leadwire",
            "metadata": {"form_id": "every-kind", "form_name": "Callback", "form_page": "https://shop.example/",
                         "form_sent_at": 1_795_449_600_u64, "ip": "127.0.0.1"},
            "_embedded": {"leads": [{"name": "Callback"}],
                          "contacts": [{"name": "Anna", "custom_fields_values": [
                              {"field_code": "PHONE", "values": [{"value": "+79123456789", "enum_code": "WORK"}]}]}]}
        });
        let path = "/amocrm/api/v4/leads/unsorted/forms";
        let (status, body) = post(&s, path, &headers, &json!([item]).to_string());
        assert_eq!(status, 200, "{body}");
        let answer = parsed(&body);
        assert_eq!(answer["_total_items"], 1);
        let uid = answer["_embedded"]["unsorted"][0]["uid"]
            .as_str()
            .expect("a uid")
            .to_owned();
        assert!(answer["_embedded"]["unsorted"][0]["_embedded"]["contacts"][0]["id"].is_u64());

        let (status, body) = post(&s, path, &headers, &json!({"data": [item]}).to_string());
        assert_eq!(status, 400);
        let errors = &parsed(&body)["validation-errors"][0]["errors"];
        assert!(
            errors
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["path"] == "data.source_uid")),
            "{body}"
        );
        let mut lead_only = item.clone();
        lead_only["_embedded"]["contacts"] = json!([]);
        assert_eq!(post(&s, path, &headers, &json!([lead_only]).to_string()).0, 200);
        let mut nothing = item.clone();
        nothing["_embedded"] = json!({"leads": [], "contacts": []});
        assert_eq!(post(&s, path, &headers, &json!([nothing]).to_string()).0, 400);
        let mut no_metadata = item.clone();
        no_metadata.as_object_mut().map(|o| o.remove("metadata"));
        assert_eq!(post(&s, path, &headers, &json!([no_metadata]).to_string()).0, 400);
        let (status, body) = post(&s, path, &[JSON], &json!([item]).to_string());
        assert_eq!((status, parsed(&body)["status"].as_u64()), (401, Some(401)));

        let (status, body) = get(&s, &format!("/api/v4/leads/unsorted?filter%5Buid%5D={uid}"), &headers);
        assert_eq!(status, 200);
        assert_eq!(parsed(&body)["_embedded"]["unsorted"][0]["uid"], uid.as_str());
        assert_eq!(
            get(&s, "/amocrm/api/v4/leads/unsorted?filter[uid]=nope", &headers).0,
            204
        );
        assert_eq!(s.amocrm_unsorted().len(), 2);
    }

    #[test]
    fn telegram_reads_html_as_telegram_does() {
        let ok = |html: &str| telegram_visible_text(html).unwrap_or_else(|e| panic!("{html}: {e}"));
        assert_eq!(
            ok("<b>Phone</b>: <a href=\"tel:+79123456789\">+7 912</a> &lt;script&gt; &amp; &quot;x&quot; &#128578;"),
            "Phone: +7 912 <script> & \"x\" 🙂"
        );
        assert_eq!(
            ok("<span class=\"tg-spoiler\">s</span><pre><code class=\"language-x\">c</code></pre>"),
            "sc"
        );
        for bad in [
            "<script>alert(1)</script>",
            "<b>unclosed",
            "<b><i>crossed</b></i>",
            "a < b",
            "a > b",
            "fish & chips",
            "&nbsp;",
            "<a>no href</a>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "</b>",
        ] {
            assert!(telegram_visible_text(bad).is_err(), "{bad} passed");
        }
    }

    #[test]
    fn telegram_sends_refuses_and_throttles() {
        let s = Standins::start().expect("stand-ins");
        let path = format!("/telegram/bot{TELEGRAM_TOKEN}/sendMessage");
        let message = |text: &str| json!({"chat_id": TELEGRAM_CHAT, "text": text, "parse_mode": "HTML"}).to_string();
        let (status, body) = post(&s, &path, &[JSON], &message("<b>Lead</b> &lt;b&gt;"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(parsed(&body)["result"]["text"], "Lead <b>");
        let (status, body) = post(&s, &path, &[JSON], &message("<script>x</script>"));
        assert_eq!(status, 400);
        assert!(parsed(&body)["description"]
            .as_str()
            .is_some_and(|d| d.contains("can't parse entities")));
        assert_eq!(post(&s, &path, &[JSON], &message(&"x".repeat(4097))).0, 400);
        assert_eq!(post(&s, &path, &[JSON], &message("  ")).0, 400);
        let other_chat = json!({"chat_id": "-100999", "text": "x"}).to_string();
        assert_eq!(post(&s, &path, &[JSON], &other_chat).0, 400);
        let (status, body) = post(&s, "/telegram/bot1:wrong/sendMessage", &[JSON], &message("x"));
        assert_eq!(
            (status, parsed(&body)["description"].as_str()),
            (401, Some("Unauthorized"))
        );
        s.throttle(Product::Telegram, 1);
        let (status, body) = post(&s, &path, &[JSON], &message("x"));
        assert_eq!((status, &parsed(&body)["parameters"]["retry_after"]), (429, &json!(1)));
        assert_eq!(post(&s, &path, &[JSON], &message("x")).0, 200);
    }

    #[test]
    fn email_checks_keys_fields_and_idempotency() {
        let s = Standins::start().expect("stand-ins");
        let auth = format!("Bearer {EMAIL_TOKEN}");
        let email = json!({"from": "Leadwire <leads@shop.example>", "to": ["sales@shop.example"],
                           "subject": "Callback", "html": "<p>Lead</p>", "text": "Lead",
                           "reply_to": "anna@example.com"})
        .to_string();
        let keyed = [JSON, ("authorization", auth.as_str()), ("idempotency-key", "lead/1")];
        let (status, first) = post(&s, "/email/emails", &keyed, &email);
        assert_eq!(status, 200, "{first}");
        assert!(parsed(&first)["id"].as_str().is_some_and(|id| id.len() == 36));
        assert_eq!(
            post(&s, "/email/emails", &keyed, &email),
            (200, first),
            "the same answer again"
        );
        assert_eq!(
            s.calls_to(Product::Email).iter().filter(|c| c.stored).count(),
            1,
            "sent once"
        );
        assert_eq!(
            post(&s, "/email/emails", &keyed, &email.replace("Lead", "Other")).0,
            409
        );

        let plain = [JSON, ("authorization", auth.as_str())];
        let (status, body) = post(&s, "/email/emails", &plain, &json!({"from": "a@b.co"}).to_string());
        assert_eq!((status, parsed(&body)["statusCode"].as_u64()), (422, Some(422)));
        let bad_to = json!({"from": "a@b.co", "to": "nobody", "subject": "s", "text": "t"}).to_string();
        assert_eq!(post(&s, "/email/emails", &plain, &bad_to).0, 422);
        let (status, body) = post(&s, "/email/emails", &[JSON], &email);
        assert_eq!((status, parsed(&body)["name"].as_str()), (401, Some("missing_api_key")));
        let (status, body) = post(&s, "/email/emails", &[JSON, ("authorization", "Bearer re_x")], &email);
        assert_eq!((status, parsed(&body)["name"].as_str()), (403, Some("invalid_api_key")));
    }

    #[test]
    fn hubspot_and_slack_answer_as_documented() {
        let s = Standins::start().expect("stand-ins");
        let form = format!("/hubspot/submissions/v3/integration/submit/{HUBSPOT_PORTAL}/{HUBSPOT_FORM}");
        let good = json!({"fields": [{"objectTypeId": "0-1", "name": "email", "value": "anna@example.com"},
                                     {"name": "phone", "value": "+79123456789"}],
                          "context": {"pageUri": "https://shop.example/", "pageName": "Shop"},
                          "submittedAt": "1795449600000"});
        let (status, body) = post(&s, &form, &[JSON], &good.to_string());
        assert_eq!(
            (status, parsed(&body)["inlineMessage"].is_string()),
            (200, true),
            "{body}"
        );
        let nameless = json!({"fields": [{"value": "x"}]});
        let (status, body) = post(&s, &form, &[JSON], &nameless.to_string());
        assert_eq!((status, parsed(&body)["status"].as_str()), (400, Some("error")));
        assert!(parsed(&body)["errors"][0]["errorType"].is_string());
        let bad_email = json!({"fields": [{"name": "email", "value": "nope"}]});
        assert_eq!(post(&s, &form, &[JSON], &bad_email.to_string()).0, 400);
        let other_form = format!("/hubspot/submissions/v3/integration/submit/{HUBSPOT_PORTAL}/other");
        assert_eq!(post(&s, &other_form, &[JSON], &good.to_string()).0, 404);

        let hook = format!("/slack/{SLACK_HOOK}");
        assert_eq!(
            post(&s, &hook, &[JSON], &json!({"text": "Lead"}).to_string()),
            (200, "ok".into())
        );
        let blocks = json!({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Lead*"}}]});
        assert_eq!(post(&s, &hook, &[JSON], &blocks.to_string()).0, 200);
        assert_eq!(post(&s, &hook, &[JSON], "{}"), (400, "no_text".into()));
        assert_eq!(post(&s, &hook, &[JSON], "{\"text\":"), (400, "invalid_payload".into()));
        let long = json!({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}}]});
        assert_eq!(
            post(&s, &hook, &[JSON], &long.to_string()),
            (400, "invalid_blocks".into())
        );
        assert_eq!(s.calls_to(Product::Slack).iter().filter(|c| c.stored).count(), 2);
    }

    #[test]
    fn helpers() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00+00:00");
        assert_eq!(rfc3339(1_795_449_600), "2026-11-23T16:00:00+00:00");
        assert_ne!(fresh_uuid(), fresh_uuid());
        assert_eq!(
            query_pairs("filter%5Buid%5D=a%20b&x=1+2&y"),
            vec![
                ("filter[uid]".to_owned(), "a b".to_owned()),
                ("x".to_owned(), "1 2".to_owned()),
                ("y".to_owned(), String::new())
            ]
        );
        assert!(email_address("Leadwire <leads@shop.example>") && email_address("a@b.co"));
        assert!(!email_address("nobody") && !email_address("a b@c.d"));
    }
}
