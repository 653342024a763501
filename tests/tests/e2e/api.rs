//! The collector's HTTP API, spoken to directly.

use std::time::Duration;

use leadwire_tests::receiver::http_agent;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{Stack, DELIVERY_TIMEOUT, ORIGIN};

pub struct Answer {
    pub status: u16,
    pub body: Value,
    allow_origin: Option<String>,
    pub cache_control: Option<String>,
    pub etag: Option<String>,
    /// The body as text (`body` is it parsed as JSON, or null).
    pub text: String,
}

pub fn call(stack: &Stack, method: &str, path: &str, headers: &[(&str, &str)], body: Option<String>) -> Answer {
    let url = format!("{}{path}", stack.collector_url);
    let request = http::Request::builder().method(method).uri(&url);
    let request = headers.iter().fold(request, |r, (k, v)| r.header(*k, *v));
    let agent = http_agent(Duration::from_secs(30));
    let mut response = match body {
        Some(b) => agent.run(request.body(b).expect("request")),
        None => agent.run(request.body(()).expect("request")),
    }
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (allow_origin, cache_control) = (header("access-control-allow-origin"), header("cache-control"));
    let etag = header("etag");
    let text = response.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status: response.status().as_u16(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        allow_origin,
        cache_control,
        etag,
        text,
    }
}

/// The demo site asks for consent (`[site.widget.consent]`): a lead carries the text the visitor agreed to.
pub const CONSENT: &str = "I agree to the processing of my personal data under the privacy policy.";

pub fn lead(id: &Uuid) -> Value {
    json!({
        "v": 1, "id": id, "site": "demo", "kind": "callback",
        "contact": {"phone": "+7 912 345-67-89"},
        "page": {"url": "http://127.0.0.1:8080/?utm_source=newsletter&utm_medium=email"},
        "consent": {"text": CONSENT, "accepted": true}
    })
}

pub fn post(stack: &Stack, content_type: &str, origin: Option<&str>, body: String) -> Answer {
    let mut headers = vec![("content-type", content_type)];
    if let Some(o) = origin {
        headers.push(("origin", o));
    }
    let answer = call(stack, "POST", "v1/leads", &headers, Some(body));
    if let (202, Some(id)) = (answer.status, answer.body["id"].as_str()) {
        stack
            .accepted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned());
    }
    answer
}

/// Sets `pointer` in a fresh lead to `value`.
fn lead_with(pointer: &str, value: Value) -> String {
    let mut body = lead(&Uuid::new_v4());
    if let Some(slot) = body.pointer_mut(pointer) {
        *slot = value;
    } else if let Some((parent, key)) = pointer.rsplit_once('/') {
        body.pointer_mut(parent).expect("parent exists")[key] = value;
    }
    body.to_string()
}

/// (content type, origin, body, status, error code, field named)
type BadPost = (
    &'static str,
    Option<&'static str>,
    String,
    u16,
    &'static str,
    Option<&'static str>,
);

pub fn hostile_input_gets_a_json_error_naming_the_field(stack: &Stack) {
    let leads_before = stack.count("SELECT count(*) AS n FROM leads");
    let huge = lead_with("/message", json!("x".repeat(40 * 1024)));
    let cases: Vec<BadPost> = vec![
        ("text/plain", Some(ORIGIN), huge, 413, "payload_too_large", None),
        (
            "application/x-www-form-urlencoded",
            Some(ORIGIN),
            lead_with("/v", json!(1)),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            "text/plain",
            Some(ORIGIN),
            "{\"v\":1,".into(),
            400,
            "malformed_json",
            None,
        ),
        (
            "text/plain",
            Some(ORIGIN),
            "\u{0}\u{1}not json".into(),
            400,
            "malformed_json",
            None,
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/contact/fax", json!("1")),
            400,
            "invalid",
            Some("contact.fax"),
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/id", json!("not-a-uuid")),
            400,
            "invalid",
            Some("id"),
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/kind", json!("<script>")),
            400,
            "invalid",
            Some("kind"),
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/page/url", json!(42)),
            400,
            "invalid",
            Some("page.url"),
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/site", json!("nope")),
            404,
            "site_not_found",
            Some("site"),
        ),
        (
            "text/plain",
            Some("https://evil.example"),
            lead_with("/v", json!(1)),
            403,
            "origin_not_allowed",
            Some("origin"),
        ),
        (
            "application/json",
            Some(ORIGIN),
            lead_with("/contact/phone", json!("")),
            422,
            "invalid_lead",
            Some("contact.phone"),
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/contact/phone", json!("12")),
            422,
            "invalid_lead",
            Some("contact.phone"),
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/contact/name", json!("n".repeat(500))),
            422,
            "invalid_lead",
            Some("contact.name"),
        ),
        (
            "text/plain",
            Some(ORIGIN),
            lead_with("/v", json!(2)),
            422,
            "invalid_lead",
            Some("v"),
        ),
    ];
    for (content_type, origin, body, status, code, field) in cases {
        let shown = body.chars().take(80).collect::<String>();
        let answer = post(stack, content_type, origin, body);
        assert_eq!(answer.status, status, "{shown}: {}", answer.body);
        assert_eq!(answer.body["error"]["code"], code, "{shown}: {}", answer.body);
        assert!(
            answer.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{shown}"
        );
        if let Some(field) = field {
            let fields = answer.body["error"]["fields"].as_array().cloned().unwrap_or_default();
            assert!(
                fields.iter().any(|f| f["field"] == field),
                "{shown}: {field} not named in {}",
                answer.body
            );
        }
    }
    for (method, path, status, code) in [
        ("GET", "v1/sites/nope/config", 404, "site_not_found"),
        ("GET", "v1/leads", 404, "not_found"),
        ("DELETE", "v1/leads", 404, "not_found"),
        ("GET", "nowhere", 404, "not_found"),
    ] {
        let answer = call(stack, method, path, &[], None);
        assert_eq!(
            (answer.status, answer.body["error"]["code"].as_str()),
            (status, Some(code)),
            "{method} {path}"
        );
    }
    assert_eq!(
        stack.count("SELECT count(*) AS n FROM leads"),
        leads_before,
        "a refused lead was stored"
    );
}

pub fn the_same_lead_posted_three_times_is_stored_and_forwarded_once(stack: &Stack) {
    let id = Uuid::new_v4();
    for attempt in 1..=3 {
        let answer = post(stack, "text/plain", Some(ORIGIN), lead(&id).to_string());
        assert_eq!(answer.status, 202, "attempt {attempt}: {}", answer.body);
        assert_eq!(answer.body["id"], id.to_string());
    }
    let id_text = id.to_string();
    stack
        .receiver
        .wait_for("the lead at the receiver", DELIVERY_TIMEOUT, |d| {
            d.lead_id() == Some(&id_text)
        })
        .unwrap();
    assert_eq!(
        stack.count(&format!("SELECT count(*) AS n FROM leads WHERE id = '{id}'")),
        1
    );
    assert_eq!(
        stack.count(&format!(
            "SELECT attempts AS n FROM deliveries WHERE lead_id = '{id}' AND state = 'delivered'"
        )),
        1
    );
    assert_eq!(stack.receiver.deliveries_of(&id_text).len(), 1);
}

pub fn cors_allows_only_the_sites_origins(stack: &Stack) {
    let preflight = call(
        stack,
        "OPTIONS",
        "v1/leads",
        &[
            ("origin", ORIGIN),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ],
        None,
    );
    assert_eq!(
        (preflight.status, preflight.allow_origin.as_deref()),
        (204, Some(ORIGIN))
    );
    let accepted = post(stack, "text/plain", Some(ORIGIN), lead(&Uuid::new_v4()).to_string());
    assert_eq!((accepted.status, accepted.allow_origin.as_deref()), (202, Some(ORIGIN)));
    let config = call(stack, "GET", "v1/sites/demo/config", &[("origin", ORIGIN)], None);
    assert_eq!((config.status, config.allow_origin.as_deref()), (200, Some(ORIGIN)));
    let attribution = json!({"capture_before_interaction": true, "expiry_days": 180});
    assert_eq!(
        (
            &config.body["site"],
            &config.body["default_country"],
            &config.body["attribution"]
        ),
        (&json!("demo"), &json!("RU"), &attribution)
    );
    assert!(config.body["widget"]["modes"].is_array(), "{}", config.body);
    let refused = call(
        stack,
        "GET",
        "v1/sites/demo/config",
        &[("origin", "https://evil.example")],
        None,
    );
    assert_eq!(refused.status, 403);
}

pub fn a_sites_own_loader_carries_its_config_and_checks_the_origin(stack: &Stack) {
    let loader = call(stack, "GET", "v1/sites/demo/w.js", &[("origin", ORIGIN)], None);
    assert_eq!(
        (
            loader.status,
            loader.allow_origin.as_deref(),
            loader.cache_control.as_deref()
        ),
        (200, Some(ORIGIN), Some("public, max-age=30"))
    );
    let (preset, rest) = loader.text.split_once(";\n").expect("the preset, then the loader");
    let preset: Value = serde_json::from_str(preset.strip_prefix("self.__leadwire=").expect("the preset's global"))
        .unwrap_or_else(|e| panic!("{e}: {preset}"));
    let config = call(stack, "GET", "v1/sites/demo/config", &[("origin", ORIGIN)], None);
    assert_eq!(preset["site"], "demo");
    assert_eq!(
        (&preset["config"]["site"], &preset["config"]["widget"]["modes"]),
        (&config.body["site"], &config.body["widget"]["modes"])
    );
    let plain = call(stack, "GET", "w.js", &[], None);
    assert_eq!(rest, plain.text, "the same static loader follows the preset");
    let etag = loader.etag.clone().expect("an ETag");
    let again = call(
        stack,
        "GET",
        "v1/sites/demo/w.js",
        &[("origin", ORIGIN), ("if-none-match", &etag)],
        None,
    );
    assert_eq!(again.status, 304);
    let foreign = call(
        stack,
        "GET",
        "v1/sites/demo/w.js",
        &[("origin", "https://evil.example")],
        None,
    );
    assert_eq!(
        (foreign.status, &foreign.body["error"]["code"]),
        (403, &json!("origin_not_allowed"))
    );
    let unknown = call(stack, "GET", "v1/sites/nope/w.js", &[("origin", ORIGIN)], None);
    assert_eq!(
        (unknown.status, &unknown.body["error"]["code"]),
        (404, &json!("site_not_found"))
    );
}
