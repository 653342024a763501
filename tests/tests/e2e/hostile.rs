//! The hostile corpus against the real Worker: every request in
//! tests/hostile/*.jsonl (one file per category, one case a line) and the
//! generated ones in `hostile/generated.rs`, each with what it must get:
//! a 4xx JSON error naming the field, or a 202 whose lead reaches the CRM
//! with the hostile text neutralised (no control, bidi or invisible
//! character; markup kept as text, not interpreted). Never a 5xx from the
//! Worker, never a hang: every request has a deadline. Prints a table per
//! category.
//!
//! A case line: `{"case": name, <body>, "content_type"?, "origin"?, "expect": …}`
//! where the body is a valid lead changed by `"set": {json-pointer: value}`,
//! or `"raw": text` (`{lead}` is a valid lead), then edited as text
//! (`"text": {find: replace}`) or as bytes (`"bytes": {marker: [bytes]}`).
//! `expect` is `{"status": n, "code"?, "field"?}`, `{"refused": field}` (any
//! 4xx naming it), `{"accepted": {"equals"?, "null"?}}`, `{"refused_or_null":
//! [field, pointer]}` (refused, or accepted with that part of the forwarded
//! lead dropped) or `{"refused_or_clean": field}`.

mod generated;
mod raw;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use leadwire_tests::paths::repo_root;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::CONSENT;
use crate::support::{Stack, COLLECTOR_PORT, ORIGIN};
use generated::BodyAs;
use raw::Outcome;

/// Each request's deadline: an answer later than this is a hang.
const DEADLINE: Duration = Duration::from_secs(15);
/// How long the accepted leads may take to reach the receiver, all together.
const ARRIVALS: Duration = Duration::from_secs(120);

pub struct Case {
    category: String,
    name: String,
    body: Body,
    content_type: Option<String>,
    origin: Option<String>,
    /// A whole request written by hand (transport-level cases).
    wire: Option<Wire>,
    expect: Expect,
}

enum Body {
    /// A valid lead, changed.
    Lead {
        raw: Option<String>,
        set: Vec<(String, Value)>,
        text: Vec<(String, String)>,
        bytes: Vec<(String, Vec<u8>)>,
        utf16: bool,
    },
    Bytes(Vec<u8>),
    /// A valid lead padded (in its page title) to exactly this many bytes.
    Sized(usize),
}

pub enum Wire {
    /// The request as it is (no body of ours).
    Head(String),
    /// A head, then a valid lead written as `body` says.
    Lead {
        head: String,
        body: BodyAs,
        half_close: bool,
    },
}

pub enum Expect {
    Status(u16, Option<String>, Option<String>),
    /// Any 4xx JSON error naming the field.
    Refused(String),
    /// Any 4xx JSON error.
    AnyRefusal,
    /// Refused by the HTTP layer before the Worker: a 4xx of any shape, the connection closed, or
    /// a plain-text 5xx of wrangler dev's own (see [`Answered::HttpLayer`]).
    Transport,
    /// As [`Expect::Transport`], or accepted (and clean): framing HTTP allows either way.
    TransportOrAccepted,
    Accepted(Checks),
    /// Refused naming the field, or accepted with the pointer `null` in the forwarded lead.
    RefusedOrNull(String, String),
    /// Refused naming the field, or accepted clean.
    RefusedOrClean(String),
}

/// What the forwarded lead (the webhook event) must show, beyond being clean.
#[derive(Default, Clone, Debug)]
pub struct Checks {
    equals: Vec<(String, Value)>,
    null: Vec<String>,
    contains: Vec<(String, String)>,
    one_line: Vec<String>,
    max_chars: Vec<(String, usize)>,
}

impl Case {
    fn new(category: &str, name: String, body: Body, expect: Expect) -> Case {
        Case {
            category: category.to_owned(),
            name,
            body,
            content_type: Some("text/plain".into()),
            origin: Some(ORIGIN.into()),
            wire: None,
            expect,
        }
    }

    pub fn lead(category: &str, name: String, set: &[(&str, Value)], expect: Expect) -> Case {
        Case::raw_lead(category, name, set, &[], expect)
    }

    pub fn raw_lead(
        category: &str,
        name: String,
        set: &[(&str, Value)],
        text: &[(&str, &str)],
        expect: Expect,
    ) -> Case {
        let body = Body::Lead {
            raw: None,
            set: set.iter().map(|(p, v)| (p.to_string(), v.clone())).collect(),
            text: text.iter().map(|(f, r)| (f.to_string(), r.to_string())).collect(),
            bytes: vec![],
            utf16: false,
        };
        Case::new(category, name, body, expect)
    }

    pub fn bytes(category: &str, name: String, bytes: Vec<u8>, expect: Expect) -> Case {
        Case::new(category, name, Body::Bytes(bytes), expect)
    }

    pub fn sized(category: &str, name: String, size: usize, expect: Expect) -> Case {
        Case::new(category, name, Body::Sized(size), expect)
    }

    pub fn wire(category: &str, name: String, wire: Wire, expect: Expect) -> Case {
        Case {
            wire: Some(wire),
            ..Case::new(category, name, Body::Bytes(vec![]), expect)
        }
    }
}

/// A valid lead for the demo site, its own id and phone (a per-phone limit never joins two cases).
fn valid_lead(n: usize) -> Value {
    let touched = jiff::Timestamp::now().as_millisecond() - 3_600_000;
    let landing = "http://127.0.0.1:8080/landing?utm_source=hostile&utm_medium=cpc";
    json!({
        "v": 1, "id": Uuid::new_v4(), "site": "demo", "kind": "callback",
        "contact": {"phone": format!("+7 912 {:03} {:04}", n / 10_000 % 1_000, n % 10_000), "name": "Anna"},
        "page": {"url": "http://127.0.0.1:8080/?utm_source=hostile", "title": "Windows", "referrer": "https://yandex.ru/"},
        "touches": {
            "first": {"url": landing, "referrer": "https://yandex.ru/", "at": touched},
            "last": {"url": landing, "referrer": "https://www.google.com/", "at": touched},
            "visits": 2
        },
        "consent": {"text": CONSENT, "accepted": true},
        "signals": {"honeypot": "", "elapsed_ms": 24_000},
        "locale": "en"
    })
}

/// Sets `pointer` to `value`, making the objects on the way.
fn set(target: &mut Value, pointer: &str, value: Value) {
    let mut at = target;
    let mut keys = pointer.trim_start_matches('/').split('/').peekable();
    while let Some(key) = keys.next() {
        if !at.is_object() {
            *at = json!({});
        }
        let object = at.as_object_mut().expect("an object");
        if keys.peek().is_none() {
            object.insert(key.to_owned(), value);
            return;
        }
        at = object.entry(key.to_owned()).or_insert_with(|| json!({}));
    }
}

fn body_of(body: &Body, n: usize) -> Vec<u8> {
    match body {
        Body::Bytes(bytes) => bytes.clone(),
        Body::Sized(size) => {
            let mut lead = valid_lead(n);
            lead["page"]["title"] = json!("");
            let bare = lead.to_string().len();
            lead["page"]["title"] = json!("t".repeat(size.saturating_sub(bare)));
            lead.to_string().into_bytes()
        }
        Body::Lead {
            raw,
            set: changes,
            text,
            bytes,
            utf16,
        } => {
            let mut lead = valid_lead(n);
            for (pointer, value) in changes {
                set(&mut lead, pointer, value.clone());
            }
            let lead_text = lead.to_string();
            let mut out = match raw {
                Some(raw) => {
                    let escaped = serde_json::to_string(&lead_text).unwrap_or_default();
                    raw.replace("{lead_escaped}", escaped.trim_matches('"'))
                        .replace("{lead}", &lead_text)
                }
                None => lead_text,
            };
            for (find, replace) in text {
                out = out.replace(find.as_str(), replace);
            }
            let mut out = out.into_bytes();
            for (marker, with) in bytes {
                out = splice(&out, marker.as_bytes(), with);
            }
            if *utf16 {
                let text = String::from_utf8_lossy(&out).into_owned();
                out = [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect();
            }
            out
        }
    }
}

fn splice(bytes: &[u8], marker: &[u8], with: &[u8]) -> Vec<u8> {
    match bytes.windows(marker.len()).position(|w| w == marker) {
        Some(at) => [&bytes[..at], with, &bytes[at + marker.len()..]].concat(),
        None => bytes.to_vec(),
    }
}

fn request_of(case: &Case, n: usize) -> (Vec<u8>, bool) {
    match &case.wire {
        Some(Wire::Head(head)) => (head.clone().into_bytes(), true),
        Some(Wire::Lead { head, body, half_close }) => {
            (body.write(head, valid_lead(n).to_string().as_bytes()), *half_close)
        }
        None => {
            let body = body_of(&case.body, n);
            let mut headers: Vec<(&str, &str)> = Vec::new();
            if let Some(ct) = &case.content_type {
                headers.push(("Content-Type", ct));
            }
            if let Some(origin) = &case.origin {
                headers.push(("Origin", origin));
            }
            let length = body.len().to_string();
            headers.push(("Content-Length", &length));
            (raw::request("POST", "/v1/leads", &headers, &body), false)
        }
    }
}

// ---- the corpus files ----

fn load_files() -> Vec<Case> {
    let dir = repo_root().join("tests/hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|f| f.ok().map(|f| f.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let category = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let where_ = format!("{}:{}", file.display(), i + 1);
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{where_}: {e}"));
            cases.push(case_of(&category, &v).unwrap_or_else(|e| panic!("{where_}: {e}")));
        }
    }
    cases
}

fn case_of(category: &str, v: &Value) -> Result<Case, String> {
    let name = v["case"].as_str().ok_or("no \"case\"")?.to_owned();
    let pairs = |key: &str| -> Vec<(String, Value)> {
        v[key]
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let body = Body::Lead {
        raw: v["raw"].as_str().map(str::to_owned),
        set: pairs("set"),
        text: pairs("text")
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        bytes: pairs("bytes")
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    v.as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|b| b.as_u64())
                        .map(|b| b as u8)
                        .collect(),
                )
            })
            .collect(),
        utf16: v["utf16"].as_bool().unwrap_or(false),
    };
    let header = |key: &str, default: &str| match v.get(key) {
        None => Some(default.to_owned()),
        Some(Value::Null) => None,
        Some(h) => h.as_str().map(str::to_owned),
    };
    Ok(Case {
        content_type: header("content_type", "text/plain"),
        origin: header("origin", ORIGIN),
        expect: expect_of(&v["expect"])?,
        ..Case::new(category, name, body, Expect::AnyRefusal)
    })
}

fn expect_of(e: &Value) -> Result<Expect, String> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    if let Some(status) = e["status"].as_u64() {
        return Ok(Expect::Status(status as u16, text(&e["code"]), text(&e["field"])));
    }
    if let Some(field) = text(&e["refused"]) {
        return Ok(Expect::Refused(field));
    }
    if let Some(field) = text(&e["refused_or_clean"]) {
        return Ok(Expect::RefusedOrClean(field));
    }
    if let Some([field, pointer]) = e["refused_or_null"].as_array().map(Vec::as_slice) {
        return Ok(Expect::RefusedOrNull(
            text(field).unwrap_or_default(),
            text(pointer).unwrap_or_default(),
        ));
    }
    if let Some(a) = e.get("accepted") {
        let mut checks = Checks::default();
        if let Some(o) = a["equals"].as_object() {
            checks.equals = o.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        }
        checks.null = a["null"].as_array().into_iter().flatten().filter_map(text).collect();
        return Ok(Expect::Accepted(checks));
    }
    Err(format!("an expectation this runner does not know: {e}"))
}

// ---- judging ----

/// How a case was answered, for the table.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Answered {
    Refused,
    Accepted,
    Closed,
    /// A 5xx from the Worker (its answers are JSON): never allowed.
    ServerError,
    /// A 5xx in plain text from wrangler dev's HTTP layer in front of the Worker (a 501 for an
    /// unknown method, a 500 for framing it cannot read): allowed only where the HTTP layer
    /// refuses (transport cases), counted on its own. Cloudflare's edge answers these in production.
    HttpLayer,
    Hung,
    Other,
}

/// The Worker answers in JSON; wrangler dev's own answers are plain text.
fn is_json(answer: &raw::Answer) -> bool {
    answer.header("content-type").is_some_and(|t| t.contains("json"))
}

/// A 4xx with the one error shape, naming `field` when given.
fn refusal(answer: &raw::Answer, field: Option<&str>) -> Result<(), String> {
    if !(400..500).contains(&answer.status) {
        return Err(format!("{} instead of a 4xx", answer.status));
    }
    let body = answer.json();
    let error = &body["error"];
    let shaped = error["code"].as_str().is_some_and(|c| !c.is_empty())
        && error["message"].as_str().is_some_and(|m| !m.is_empty())
        && error["fields"].is_array();
    if !shaped {
        return Err(format!(
            "{} without the JSON error shape: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ));
    }
    if let Some(field) = field {
        if !names(&body, field) {
            return Err(format!("{} does not name {field}: {body}", answer.status));
        }
    }
    Ok(())
}

/// The error names `field` itself or a part of it (`fields` covers `fields.f1`).
fn names(body: &Value, field: &str) -> bool {
    body["error"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["field"].as_str())
        .any(|named| {
            named == field
                || named
                    .strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
}

/// Judges the answer now; an accepted lead's checks run once it has arrived.
fn judge(expect: &Expect, answer: &raw::Answer) -> Result<Option<Checks>, String> {
    let accepted = |checks: &Checks| {
        if answer.status == 202 && answer.json()["id"].is_string() {
            Ok(Some(checks.clone()))
        } else {
            Err(format!(
                "{} instead of 202: {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ))
        }
    };
    let refused_or = |field: &str, checks: Checks| {
        if answer.status == 202 {
            accepted(&checks)
        } else {
            refusal(answer, Some(field)).map(|()| None)
        }
    };
    match expect {
        Expect::Status(status, code, field) => {
            if answer.status != *status {
                return Err(format!(
                    "{} instead of {status}: {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ));
            }
            if (400..500).contains(status) {
                refusal(answer, field.as_deref())?;
            }
            match code {
                Some(code) if answer.json()["error"]["code"] != code.as_str() => {
                    Err(format!("code {} instead of {code}", answer.json()["error"]["code"]))
                }
                _ => Ok(None),
            }
        }
        Expect::Refused(field) => refusal(answer, Some(field)).map(|()| None),
        Expect::AnyRefusal => refusal(answer, None).map(|()| None),
        Expect::Transport | Expect::TransportOrAccepted if (400..500).contains(&answer.status) => Ok(None),
        Expect::TransportOrAccepted if answer.status == 202 => accepted(&Checks::default()),
        Expect::Transport | Expect::TransportOrAccepted => Err(format!("{} instead of a refusal", answer.status)),
        Expect::Accepted(checks) => accepted(checks),
        Expect::RefusedOrNull(field, pointer) => refused_or(
            field,
            Checks {
                null: vec![pointer.clone()],
                ..Checks::default()
            },
        ),
        Expect::RefusedOrClean(field) => refused_or(field, Checks::default()),
    }
}

/// Characters no forwarded text may hold: controls (a newline aside), bidi
/// controls, and the invisible ones that hide or split words.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{E0000}'..='\u{E007F}')
}

fn strings<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::String(s) => out.push((path, s)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| strings(v, format!("{path}/{i}"), out)),
        Value::Object(o) => o.iter().for_each(|(k, v)| strings(v, format!("{path}/{k}"), out)),
        _ => {}
    }
}

/// The forwarded event against the checks; every string in it must be clean.
fn check_event(event: &Value, checks: &Checks) -> Result<(), String> {
    let mut all = Vec::new();
    strings(&event["data"], "/data".into(), &mut all);
    for (path, s) in &all {
        if let Some(c) = s.chars().find(|c| forbidden(*c)) {
            return Err(format!("{path} forwards U+{:04X}: {s:?}", c as u32));
        }
    }
    let at = |p: &str| event.pointer(p).cloned().unwrap_or(Value::Null);
    for (pointer, want) in &checks.equals {
        if at(pointer) != *want {
            return Err(format!("{pointer} is {} instead of {want}", at(pointer)));
        }
    }
    for pointer in &checks.null {
        if !at(pointer).is_null() {
            return Err(format!("{pointer} was kept: {}", at(pointer)));
        }
    }
    for (pointer, part) in &checks.contains {
        if !at(pointer).as_str().is_some_and(|s| s.contains(part.as_str())) {
            return Err(format!(
                "{pointer} lost {part:?} (markup must stay text): {}",
                at(pointer)
            ));
        }
    }
    for pointer in &checks.one_line {
        if at(pointer).as_str().is_some_and(|s| s.contains('\n')) {
            return Err(format!("{pointer} keeps a line break: {}", at(pointer)));
        }
    }
    for (pointer, max) in &checks.max_chars {
        let n = at(pointer).as_str().map(|s| s.chars().count()).unwrap_or(0);
        if n > *max {
            return Err(format!("{pointer} has {n} characters, more than {max}"));
        }
    }
    Ok(())
}

/// Sends one request; a 429 (a flood limit) is waited out as it asks, up to three times.
fn send(addr: SocketAddr, bytes: &[u8], half_close: bool) -> Outcome {
    for _ in 0..3 {
        let outcome = raw::exchange(addr, bytes, half_close, DEADLINE);
        let wait = match &outcome {
            Outcome::Answer(a) if a.status == 429 => a.header("retry-after").and_then(|s| s.trim().parse::<u64>().ok()),
            _ => None,
        };
        match wait {
            // ok: the server said how long to wait (Retry-After).
            Some(secs) => std::thread::sleep(Duration::from_secs(secs.clamp(1, 60))),
            None => return outcome,
        }
    }
    raw::exchange(addr, bytes, half_close, DEADLINE)
}

#[derive(Default)]
struct Row {
    tried: usize,
    by: BTreeMap<Answered, usize>,
    failed: usize,
}

pub fn the_hostile_corpus_is_refused_by_name_or_neutralised(stack: &Stack) {
    let mut cases = load_files();
    cases.extend(generated::cases());
    assert!(cases.len() >= 300, "the corpus has only {} cases", cases.len());
    let addr = SocketAddr::from(([127, 0, 0, 1], COLLECTOR_PORT));
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut pending: Vec<(usize, String, Checks)> = Vec::new();
    let mut http_layer: Vec<String> = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let (bytes, half_close) = request_of(case, n);
        let outcome = send(addr, &bytes, half_close);
        let row = rows.entry(case.category.clone()).or_default();
        row.tried += 1;
        let transport = matches!(case.expect, Expect::Transport | Expect::TransportOrAccepted);
        let (answered, verdict) = match &outcome {
            Outcome::Hung => (Answered::Hung, Err(format!("no answer within {DEADLINE:?}"))),
            Outcome::Closed if transport => (Answered::Closed, Ok(None)),
            Outcome::Closed => (Answered::Closed, Err("the connection closed without an answer".into())),
            Outcome::Answer(a) if a.status >= 500 && !is_json(a) && transport => {
                http_layer.push(format!(
                    "[{}] {}: {} {}",
                    case.category,
                    case.name,
                    a.status,
                    String::from_utf8_lossy(&a.body)
                ));
                (Answered::HttpLayer, Ok(None))
            }
            Outcome::Answer(a) if a.status >= 500 => (
                if is_json(a) {
                    Answered::ServerError
                } else {
                    Answered::HttpLayer
                },
                Err(format!("{}: {}", a.status, String::from_utf8_lossy(&a.body))),
            ),
            Outcome::Answer(a) => {
                let answered = match a.status {
                    200..=299 => Answered::Accepted,
                    400..=499 => Answered::Refused,
                    _ => Answered::Other,
                };
                let verdict = judge(&case.expect, a);
                if let (Ok(Some(checks)), Some(id)) = (&verdict, a.json()["id"].as_str()) {
                    pending.push((n, id.to_owned(), checks.clone()));
                    stack
                        .accepted
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(id.to_owned());
                }
                (answered, verdict)
            }
        };
        *row.by.entry(answered).or_default() += 1;
        if let Err(why) = verdict {
            row.failed += 1;
            failures.push(format!("[{}] {}: {why}", case.category, case.name));
        }
    }
    // The accepted leads at the receiver, each checked as forwarded.
    let ids: Vec<&str> = pending.iter().map(|(_, id, _)| id.as_str()).collect();
    let arrived = leadwire_tests::wait::until("every accepted hostile lead at the receiver", ARRIVALS, || {
        ids.iter()
            .all(|id| !stack.receiver.deliveries_of(id).is_empty())
            .then_some(())
    });
    for (n, id, checks) in &pending {
        let case = &cases[*n];
        let delivery = stack.receiver.deliveries_of(id).into_iter().next();
        let verdict = match (&delivery, &arrived) {
            (Some(d), _) => d
                .event
                .as_ref()
                .map_or(Err("not JSON".into()), |e| check_event(e, checks)),
            (None, _) => Err(format!("accepted, never forwarded (lead {id})")),
        };
        if let Err(why) = verdict {
            rows.entry(case.category.clone()).or_default().failed += 1;
            failures.push(format!("[{}] {}: forwarded lead: {why}", case.category, case.name));
        }
    }
    print_table(&rows);
    if !http_layer.is_empty() {
        println!(
            "Answered by wrangler dev's HTTP layer, not the Worker:\n  {}\n",
            http_layer.join("\n  ")
        );
    }
    let server_errors: usize = rows
        .values()
        .map(|r| r.by.get(&Answered::ServerError).copied().unwrap_or(0))
        .sum();
    let hung: usize = rows
        .values()
        .map(|r| r.by.get(&Answered::Hung).copied().unwrap_or(0))
        .sum();
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases did not get what they expect ({server_errors} 5xx, {hung} hung):\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

fn print_table(rows: &BTreeMap<String, Row>) {
    let count = |r: &Row, a: Answered| r.by.get(&a).copied().unwrap_or(0);
    println!(
        "\n| category | tried | 4xx | accepted | closed | 5xx (Worker) | 5xx (wrangler dev) | hung | not as expected |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut total = Row::default();
    for (category, r) in rows {
        println!(
            "| {category} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.tried,
            count(r, Answered::Refused),
            count(r, Answered::Accepted),
            count(r, Answered::Closed),
            count(r, Answered::ServerError),
            count(r, Answered::HttpLayer),
            count(r, Answered::Hung),
            r.failed
        );
        total.tried += r.tried;
        total.failed += r.failed;
        for (a, n) in &r.by {
            *total.by.entry(*a).or_default() += n;
        }
    }
    println!(
        "| **all** | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        total.tried,
        count(&total, Answered::Refused),
        count(&total, Answered::Accepted),
        count(&total, Answered::Closed),
        count(&total, Answered::ServerError),
        count(&total, Answered::HttpLayer),
        count(&total, Answered::Hung),
        total.failed
    );
}
