//! `bitrix24`: a CRM lead through the portal's incoming webhook
//! (`https://<portal>/rest/<user>/<code>/crm.lead.add`).
//!
//! The lead carries `ORIGINATOR_ID = "leadwire"` and `ORIGIN_ID = <lead id>`,
//! the fields Bitrix24 keeps for linking an item to an external source, so
//! after an attempt whose outcome is unknown `crm.lead.list` filtered on them
//! tells whether the lead is already there ([`Guarantee::LookupFirst`]).
//!
//! `COMMENTS` is BB-code: the portal reads what it is sent as HTML, turns it
//! into BB-code and keeps `[b]`, `[url]`, `[img]` and a few other tags, so
//! everything the visitor typed is written with `< > & "` as HTML entities and
//! `[ ]` as `&#91; &#93;` (the only literal form of a bracket in Bitrix24's
//! BB-code). Newlines are kept as they are.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::summary;
use super::text::{clean, one_line};
use super::{Act, Answer, Delivery, Found, Guarantee, Kind, Outcome, Problem, Request};
use crate::hours::Locale;
use crate::site::Destination;
use crate::wire::FieldValue;

pub struct Bitrix24;

/// `[[site.destination]]` keys of a Bitrix24 portal.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The incoming webhook `https://<portal>/rest/<user>/<code>/`; it holds
    /// the code, so `url_secret` is the better choice.
    url: Option<String>,
    /// Or: the Worker secret holding it.
    url_secret: Option<String>,
    /// `SOURCE_ID` of the lead (default `WEB`).
    source_id: Option<String>,
    /// `ru` or `en`, for the labels in `TITLE` and `COMMENTS`.
    language: Option<String>,
}

/// The value of `ORIGINATOR_ID`: who created the lead, for the lookup.
const ORIGINATOR: &str = "leadwire";
const DEFAULT_SOURCE_ID: &str = "WEB";

// Column sizes of `b_crm_lead` and `b_crm_field_multi` (VARCHAR 255, 50, 250).
const TITLE_MAX: usize = 255;
const NAME_MAX: usize = 50;
const MULTI_MAX: usize = 250;
const UTM_MAX: usize = 255;
const SOURCE_DESCRIPTION_MAX: usize = 1_000;
const USER_FIELD_MAX: usize = 2_000;
/// `COMMENTS` is a MySQL TEXT (65,535 bytes): 16,000 characters stay under it
/// even when every one takes four bytes.
const COMMENTS_MAX: usize = 16_000;
/// One row of `COMMENTS`, after escaping.
const ROW_MAX: usize = 6_000;
/// Bitrix24's leaky bucket drains two requests a second on most plans.
const QUERY_LIMIT_WAIT_SECS: u64 = 2;
/// The resource limit counts method time over ten minutes; a minute frees some.
const OPERATION_LIMIT_WAIT_SECS: u64 = 60;

/// Bitrix24's error codes (the REST API's system errors), and what each means.
/// Codes not listed here are decided by the HTTP status ([`by_status`]).
const ERRORS: &[(&str, Act)] = &[
    ("QUERY_LIMIT_EXCEEDED", Act::Retry(Some(QUERY_LIMIT_WAIT_SECS))),
    ("OPERATION_TIME_LIMIT", Act::Retry(Some(OPERATION_LIMIT_WAIT_SECS))),
    ("INTERNAL_SERVER_ERROR", Act::Retry(None)),
    ("ERROR_UNEXPECTED_ANSWER", Act::Retry(None)),
    // The webhook is gone, revoked, lacks the crm scope, or the portal cannot
    // take REST calls at all: nothing will pass until someone fixes it.
    ("expired_token", Act::Disable),
    ("invalid_token", Act::Disable),
    ("NO_AUTH_FOUND", Act::Disable),
    ("INVALID_CREDENTIALS", Act::Disable),
    ("insufficient_scope", Act::Disable),
    ("ACCESS_DENIED", Act::Disable),
    ("user_access_error", Act::Disable),
    ("OVERLOAD_LIMIT", Act::Disable),
    ("INVALID_REQUEST", Act::Disable),
    ("ERROR_METHOD_NOT_FOUND", Act::Disable),
    ("PORTAL_DELETED", Act::Disable),
];

/// What an answer without a known error code means, by its status.
fn by_status(status: u16) -> Act {
    match status {
        401 | 403 | 410 => Act::Disable,
        429 | 500..=599 => Act::Retry(None),
        300..=499 => Act::Failed,
        _ => Act::Retry(None),
    }
}

/// The shape of every Bitrix24 REST answer.
#[derive(Deserialize, Default)]
struct Reply {
    #[serde(default)]
    result: Value,
    error: Option<String>,
    error_description: Option<String>,
}

impl Reply {
    fn read(body: &str) -> Reply {
        serde_json::from_str(body).unwrap_or_default()
    }

    /// Bitrix24's own words for the error; the code alone when that is all.
    fn reason(&self, status: u16) -> String {
        let code = self.error.as_deref().filter(|c| !c.is_empty());
        let text = self.error_description.as_deref().filter(|d| !d.is_empty());
        let reason = match (code, text) {
            (Some(c), Some(t)) => format!("Bitrix24 {c}: {t}"),
            (None, Some(t)) => format!("Bitrix24: {t}"),
            (Some(c), None) => format!("Bitrix24 {c}"),
            (None, None) => format!("Bitrix24 answered HTTP {status}"),
        };
        super::cut(&reason, 300)
    }
}

impl Kind for Bitrix24 {
    fn check(&self, destination: &Destination) -> Vec<String> {
        let settings = match super::settings::<Settings>(destination) {
            Ok(s) => s,
            Err(e) => return vec![e.detail],
        };
        let mut problems = Vec::new();
        if settings.url.is_some() == settings.url_secret.is_some() {
            problems.push("needs exactly one of url, url_secret".to_owned());
        }
        if let Some(url) = &settings.url {
            if webhook_base(url).is_none() {
                problems.push(format!("url: {WEBHOOK_SHAPE}"));
            }
        }
        if let Some(id) = &settings.source_id {
            let ok = (1..=50).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                problems.push(format!(
                    "source_id {id:?} must be 1-50 of A-Z, 0-9, '_' (a Bitrix24 SOURCE_ID)"
                ));
            }
        }
        if let Some(language) = &settings.language {
            if !["ru", "en"].contains(&language.as_str()) {
                problems.push(format!("language {language:?} must be \"ru\" or \"en\""));
            }
        }
        for (field, target) in &destination.fields {
            if !target.starts_with("UF_CRM_") {
                problems.push(format!(
                    "fields.{field}: {target:?} is not a Bitrix24 custom field (UF_CRM_…)"
                ));
            }
        }
        problems
    }

    fn request(&self, delivery: &Delivery) -> Result<Request, Problem> {
        let settings: Settings = delivery.settings()?;
        let base = base(delivery, &settings)?;
        let locale = summary::locale(settings.language.as_deref(), delivery.lead);
        let source_id = settings.source_id.as_deref().unwrap_or(DEFAULT_SOURCE_ID);
        let body = json!({
            "fields": lead_fields(delivery, locale, source_id),
            "params": {"REGISTER_SONET_EVENT": "Y"},
        });
        Ok(Request::post_json(format!("{base}crm.lead.add.json"), &body))
    }

    fn classify(&self, answer: &Answer) -> Outcome {
        let reply = Reply::read(answer.body);
        let has_error = reply.error.is_some() || reply.error_description.is_some();
        if (200..300).contains(&answer.status) && !has_error {
            return if is_lead_id(&reply.result) {
                Outcome::Delivered
            } else {
                // Bitrix24 may or may not have the lead: the lookup will tell.
                Outcome::Retry {
                    after_secs: answer.retry_after_secs,
                    reason: format!("Bitrix24 answered HTTP {} without a lead id", answer.status),
                }
            };
        }
        let act = reply
            .error
            .as_deref()
            .and_then(|code| ERRORS.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)))
            .map(|(_, act)| *act)
            .unwrap_or_else(|| by_status(answer.status));
        act.outcome(answer.retry_after_secs, reply.reason(answer.status))
    }

    fn lookup(&self, delivery: &Delivery) -> Option<Result<Request, Problem>> {
        let build = || -> Result<Request, Problem> {
            let settings: Settings = delivery.settings()?;
            let base = base(delivery, &settings)?;
            let body = json!({
                "filter": {"ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": delivery.lead.id.to_string()},
                "select": ["ID"],
            });
            Ok(Request::post_json(format!("{base}crm.lead.list.json"), &body))
        };
        Some(build())
    }

    fn found(&self, answer: &Answer) -> Found {
        let reply = Reply::read(answer.body);
        match (
            &reply.result,
            reply.error.is_some() || reply.error_description.is_some(),
        ) {
            (Value::Array(leads), false) if (200..300).contains(&answer.status) => {
                if leads.is_empty() {
                    Found::No
                } else {
                    Found::Yes
                }
            }
            _ => Found::Unknown(reply.reason(answer.status)),
        }
    }

    fn guarantee(&self) -> Guarantee {
        Guarantee::LookupFirst
    }
}

const WEBHOOK_SHAPE: &str = "must be the portal's incoming webhook, https://<portal>/rest/<user id>/<code>/";

/// The webhook address ending in '/', when `url` has the webhook's shape
/// (`https://<portal>[/…]/rest/<user id>/<code>[/]`, no method, query or fragment).
fn webhook_base(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if !super::text::is_secure_or_loopback(&parsed)
        || parsed.host_str().is_none_or(str::is_empty)
        || parsed.query().is_some()
        || parsed.fragment().is_some()
    {
        return None;
    }
    let segments: Vec<&str> = parsed.path_segments()?.filter(|s| !s.is_empty()).collect();
    let [.., rest, user, code] = segments.as_slice() else {
        return None;
    };
    // A dot would be a method name (crm.lead.add) written into the address.
    let code_ok = code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if *rest != "rest" || user.is_empty() || !user.chars().all(|c| c.is_ascii_digit()) || !code_ok {
        return None;
    }
    let text = parsed.as_str();
    Some(if text.ends_with('/') {
        text.to_owned()
    } else {
        format!("{text}/")
    })
}

/// The webhook address to call methods under, from `url` or its secret.
fn base(delivery: &Delivery, settings: &Settings) -> Result<String, Problem> {
    delivery.endpoint_shaped(&settings.url, &settings.url_secret, webhook_base, WEBHOOK_SHAPE)
}

/// The `fields` of `crm.lead.add`.
fn lead_fields(delivery: &Delivery, locale: Locale, source_id: &str) -> Value {
    let lead = delivery.lead;
    let mut fields = BTreeMap::<String, Value>::new();
    let mut put = |key: &str, value: Value| {
        fields.insert(key.to_owned(), value);
    };
    put(
        "TITLE",
        Value::from(super::cut(&one_line(&summary::title(lead, locale)), TITLE_MAX)),
    );
    if let Some(name) = lead.contact.name.as_deref() {
        put("NAME", Value::from(super::cut(&one_line(name), NAME_MAX)));
    }
    let multi = |value: &str| json!([{"VALUE": super::cut(&one_line(value), MULTI_MAX), "VALUE_TYPE": "WORK"}]);
    if let Some(phone) = lead.contact.phone.as_deref() {
        put("PHONE", multi(phone));
    }
    if let Some(email) = lead.contact.email.as_deref() {
        put("EMAIL", multi(email));
    }
    put("COMMENTS", Value::from(comments(delivery, locale)));
    put("SOURCE_ID", Value::from(source_id));
    put(
        "SOURCE_DESCRIPTION",
        Value::from(super::cut(&one_line(&summary::source(lead)), SOURCE_DESCRIPTION_MAX)),
    );
    for (key, value) in summary::utm(lead) {
        put(key, Value::from(super::cut(&one_line(value), UTM_MAX)));
    }
    put("ORIGINATOR_ID", Value::from(ORIGINATOR));
    put("ORIGIN_ID", Value::from(lead.id.to_string()));
    for (form_field, user_field) in &delivery.destination.fields {
        let value = match lead.fields.get(form_field) {
            Some(FieldValue::Text(text)) => super::cut(&clean(text), USER_FIELD_MAX),
            Some(FieldValue::Flag(flag)) => if *flag { "Y" } else { "N" }.to_owned(),
            None => continue,
        };
        put(user_field, Value::from(value));
    }
    Value::Object(fields.into_iter().collect())
}

/// The summary rows as `COMMENTS`: a bold label, then the value, one row a
/// line, everything escaped; rows that no longer fit are left out after "…".
fn comments(delivery: &Delivery, locale: Locale) -> String {
    let mut out = String::new();
    let mut used = 0;
    for line in summary::lines(delivery, locale) {
        let row = format!(
            "[b]{}:[/b] {}",
            bb_text(&one_line(&line.label), 200),
            bb_text(&clean(line.value.as_str()), ROW_MAX)
        );
        let width = row.chars().count() + 1;
        if used + width > COMMENTS_MAX - 2 {
            out.push_str("\n…");
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&row);
        used += width;
    }
    out
}

/// How Bitrix24 takes a character literally in `COMMENTS`, when it is special.
fn entity(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '[' => Some("&#91;"),
        ']' => Some("&#93;"),
        _ => None,
    }
}

/// `text` with every special character as its entity, at most `max`
/// characters long (ending with "…" when cut, never inside an entity).
fn bb_text(text: &str, max: usize) -> String {
    let width = |c: char| entity(c).map_or(1, str::len);
    let total: usize = text.chars().map(width).sum();
    let budget = if total <= max { total } else { max.saturating_sub(1) };
    let mut out = String::with_capacity(budget + 3);
    let mut used = 0;
    for c in text.chars() {
        let w = width(c);
        if used + w > budget {
            break;
        }
        used += w;
        match entity(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
    if total > max {
        out.push('…');
    }
    out
}

/// `crm.lead.add` answers the new lead's id (a number, or its digits).
fn is_lead_id(result: &Value) -> bool {
    match result {
        Value::Number(n) => n.as_u64().is_some_and(|id| id > 0),
        Value::String(s) => !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{answer, destination, hostile_lead, json_body, lead, request, shape, with_delivery};
    use super::super::Method;
    use super::*;

    const GOLDEN: &str = r#"id = "b24"
        kind = "bitrix24"
        url_secret = "B24_URL"
        language = "en"
        [fields]
        service = "UF_CRM_SERVICE"
        measure_visit = "UF_CRM_MEASURE"
        not_on_the_form = "UF_CRM_NOTHING""#;

    #[test]
    fn the_fixture_lead_becomes_one_crm_lead_add_call() {
        let r = request(&Bitrix24, &lead(), &destination(GOLDEN));
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://shop.bitrix24.ru/rest/1/abc123secret/crm.lead.add.json");
        assert_eq!(
            r.headers,
            vec![
                ("content-type", "application/json".to_owned()),
                super::super::user_agent(),
            ]
        );
        let comments = [
            "[b]Name:[/b] Ivan Petrov",
            "[b]Phone:[/b] +79123456789",
            "[b]Email:[/b] ivan@example.com",
            "[b]Message:[/b] Please call after lunch",
            "[b]Product:[/b] PVC window 1200x1500",
            "[b]measure_visit:[/b] yes",
            "[b]service:[/b] balcony",
            "[b]Callback at:[/b] 2026-11-24 09:00–09:30 Europe/Moscow",
            "[b]Promised:[/b] Tue 24.11 09:00 (Europe/Moscow)",
            "[b]Source:[/b] paid_search · yandex / cpc / spring",
            "[b]Page:[/b] https://shop.example/windows?utm_source=yandex",
            "[b]Referrer:[/b] https://yandex.ru/",
            "[b]Lead:[/b] 6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
        ]
        .join("\n");
        let want = json!({
            "fields": {
                "TITLE": "Callback request: PVC window 1200x1500, +79123456789",
                "NAME": "Ivan Petrov",
                "PHONE": [{"VALUE": "+79123456789", "VALUE_TYPE": "WORK"}],
                "EMAIL": [{"VALUE": "ivan@example.com", "VALUE_TYPE": "WORK"}],
                "COMMENTS": comments,
                "SOURCE_ID": "WEB",
                "SOURCE_DESCRIPTION": "paid_search · yandex / cpc / spring",
                "UTM_SOURCE": "yandex",
                "UTM_MEDIUM": "cpc",
                "UTM_CAMPAIGN": "spring",
                "UTM_CONTENT": "ad1",
                "UTM_TERM": "pvc windows",
                "ORIGINATOR_ID": "leadwire",
                "ORIGIN_ID": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
                "UF_CRM_SERVICE": "balcony",
                "UF_CRM_MEASURE": "Y",
            },
            "params": {"REGISTER_SONET_EVENT": "Y"},
        });
        assert_eq!(json_body(&r), want);
    }

    #[test]
    fn the_visitors_language_and_the_settings_choices_apply() {
        let d = destination("id = \"b24\"\nurl = \"https://shop.bitrix24.ru/rest/7/code7\"\nsource_id = \"CALLBACK\"");
        let r = request(&Bitrix24, &lead(), &d);
        // The missing '/' is added before the method.
        assert_eq!(r.url, "https://shop.bitrix24.ru/rest/7/code7/crm.lead.add.json");
        let body = json_body(&r);
        assert_eq!(body["fields"]["SOURCE_ID"], "CALLBACK");
        // The fixture lead's visitor read Russian.
        assert_eq!(
            body["fields"]["TITLE"],
            "Заказ обратного звонка: PVC window 1200x1500, +79123456789"
        );
        let comments = body["fields"]["COMMENTS"].as_str().unwrap_or_default();
        assert!(comments.starts_with("[b]Имя:[/b] Ivan Petrov\n"), "{comments}");
        assert!(body["fields"].get("UF_CRM_SERVICE").is_none(), "no fields mapped");
    }

    #[test]
    fn what_the_visitor_typed_cannot_become_markup_and_is_cut_to_the_columns() {
        let mut hostile = hostile_lead();
        hostile.message = Some(format!(
            "line 1\nline 2 [url=http://evil]x[/url] {}",
            "y".repeat(20_000)
        ));
        let body = json_body(&request(&Bitrix24, &hostile, &destination(GOLDEN)));
        let fields = &body["fields"];
        let comments = fields["COMMENTS"].as_str().unwrap_or_default();
        for raw in [
            "<script>",
            "<b>",
            "<i>",
            "[x]",
            "[url=",
            "[/url]",
            "\u{202E}",
            "\"quotes\"",
        ] {
            assert!(!comments.contains(raw), "{raw} reached COMMENTS");
        }
        for escaped in [
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "&#91;x&#93;(http://evil)",
            "&amp; &lt;b&gt;RTL",
            "&lt;i&gt;product&lt;/i&gt; &amp; &quot;quotes&quot;",
            "line 1\nline 2 &#91;url=http://evil&#93;x&#91;/url&#93; yyy",
        ] {
            assert!(comments.contains(escaped), "{escaped} missing from COMMENTS");
        }
        // Our own markup stays markup.
        assert!(comments.starts_with("[b]Name:[/b] "));
        // The long message is cut inside its row, the rows still follow.
        assert!(comments.contains("yyy…\n[b]Product:[/b]"), "{comments:.200}");
        assert!(comments.chars().count() <= COMMENTS_MAX);
        // Plain fields go as typed (Bitrix24 shows them as text), cleaned and cut.
        let name = fields["NAME"].as_str().unwrap_or_default();
        assert_eq!(name.chars().count(), NAME_MAX);
        assert!(name.starts_with("<script>alert(1)</script> *bold*") && name.ends_with('…'));
        let title = fields["TITLE"].as_str().unwrap_or_default();
        assert_eq!(title, "Callback request: <i>product</i> & \"quotes\", +79123456789");
        assert!(!body.to_string().contains('\u{202E}'));
    }

    #[test]
    fn rows_past_the_comments_limit_are_left_out() {
        let mut long = lead();
        for i in 0..5 {
            long.fields
                .insert(format!("note{i}"), FieldValue::Text("<".repeat(5_000)));
        }
        let body = json_body(&request(&Bitrix24, &long, &destination(GOLDEN)));
        let comments = body["fields"]["COMMENTS"].as_str().unwrap_or_default();
        assert!(comments.chars().count() <= COMMENTS_MAX);
        // Each row is cut to its own limit, then rows stop where the column would.
        assert!(comments.contains("[b]note1:[/b] &lt;&lt;"));
        assert!(comments.contains("&lt;…\n[b]note1:[/b]"));
        assert!(!comments.contains("[b]note2:[/b]"));
        assert!(comments.ends_with("&lt;…\n…"));
    }

    #[test]
    fn answers_are_read_by_status_and_body() {
        // (status, Retry-After, body, outcome, words the reason must hold)
        let cases: &[(u16, Option<u64>, &str, &str, &str)] = &[
            (
                200,
                None,
                r#"{"result": 3465, "time": {"start": 1705764932.998683, "finish": 1705764937.173995, "duration": 4.17, "operating": 3.3}}"#,
                "delivered",
                "",
            ),
            (200, None, r#"{"result": "3466"}"#, "delivered", ""),
            (
                200,
                None,
                r#"{"result": null, "time": {}}"#,
                "retry None",
                "without a lead id",
            ),
            (200, None, "", "retry None", "without a lead id"),
            (
                503,
                None,
                r#"{"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}"#,
                "retry Some(2)",
                "QUERY_LIMIT_EXCEEDED: Too many requests",
            ),
            (
                503,
                Some(9),
                r#"{"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}"#,
                "retry Some(9)",
                "Too many requests",
            ),
            (
                429,
                None,
                r#"{"error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked due to operation time limit."}"#,
                "retry Some(60)",
                "operation time limit",
            ),
            (
                500,
                None,
                r#"{"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}"#,
                "retry None",
                "Internal server error",
            ),
            (502, None, "<html>Bad Gateway</html>", "retry None", "HTTP 502"),
            (
                401,
                None,
                r#"{"error": "expired_token", "error_description": "The access token provided has expired."}"#,
                "disable",
                "expired_token: The access token provided has expired.",
            ),
            (
                401,
                None,
                r#"{"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"}"#,
                "disable",
                "Invalid request credentials",
            ),
            (
                401,
                None,
                r#"{"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the webhook token"}"#,
                "disable",
                "higher privileges",
            ),
            (
                401,
                None,
                r#"{"error": "NO_AUTH_FOUND", "error_description": "Wrong authorization data"}"#,
                "disable",
                "Wrong authorization data",
            ),
            (
                401,
                None,
                r#"{"error": "ACCESS_DENIED", "error_description": "REST is available only by subscription"}"#,
                "disable",
                "only by subscription",
            ),
            (
                404,
                None,
                r#"{"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}"#,
                "disable",
                "Method not found!",
            ),
            // crm.lead.add's own refusal: no code, the text says why.
            (
                403,
                None,
                r#"{"error": "", "error_description": "Access denied."}"#,
                "disable",
                "Bitrix24: Access denied.",
            ),
            (
                400,
                None,
                r#"{"error": "", "error_description": "Access denied."}"#,
                "failed",
                "Bitrix24: Access denied.",
            ),
            (
                400,
                None,
                r#"{"error": "ERROR_CORE", "error_description": "Field UF_CRM_SERVICE: wrong value"}"#,
                "failed",
                "ERROR_CORE: Field UF_CRM_SERVICE: wrong value",
            ),
            (400, None, "not json", "failed", "HTTP 400"),
        ];
        for (status, retry_after, body, want, words) in cases {
            let (got, reason) = shape(&Bitrix24.classify(&answer(*status, *retry_after, body)));
            assert_eq!(got, *want, "HTTP {status} {body}");
            assert!(reason.contains(words), "HTTP {status}: {reason:?} lacks {words:?}");
        }
    }

    #[test]
    fn the_lookup_asks_for_leads_with_our_origin() {
        let d = destination(GOLDEN);
        let r = with_delivery(&lead(), &d, |delivery| Bitrix24.lookup(delivery))
            .and_then(Result::ok)
            .map(|r| (r.method, r.url.clone(), json_body(&r)));
        assert_eq!(
            r,
            Some((
                Method::Post,
                "https://shop.bitrix24.ru/rest/1/abc123secret/crm.lead.list.json".to_owned(),
                json!({
                    "filter": {"ORIGINATOR_ID": "leadwire", "ORIGIN_ID": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b"},
                    "select": ["ID"],
                })
            ))
        );
        assert_eq!(Bitrix24.guarantee(), Guarantee::LookupFirst);
    }

    #[test]
    fn the_lookup_answer_says_found_not_found_or_unknown() {
        let cases: &[(u16, &str, Found)] = &[
            (
                200,
                r#"{"result": [{"ID": "3465"}], "total": 1, "time": {}}"#,
                Found::Yes,
            ),
            (200, r#"{"result": [], "total": 0, "time": {}}"#, Found::No),
            (
                503,
                r#"{"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}"#,
                Found::Unknown("Bitrix24 QUERY_LIMIT_EXCEEDED: Too many requests".into()),
            ),
            (
                401,
                r#"{"error": "", "error_description": "Access denied."}"#,
                Found::Unknown("Bitrix24: Access denied.".into()),
            ),
            (
                200,
                r#"{"result": 12}"#,
                Found::Unknown("Bitrix24 answered HTTP 200".into()),
            ),
            (504, "", Found::Unknown("Bitrix24 answered HTTP 504".into())),
        ];
        for (status, body, want) in cases {
            assert_eq!(
                &Bitrix24.found(&answer(*status, None, body)),
                want,
                "HTTP {status} {body}"
            );
        }
    }

    #[test]
    fn a_bad_secret_is_named_without_its_value() {
        let d = destination("id = \"b24\"\nurl_secret = \"CRM_URL\"");
        let problem = with_delivery(&lead(), &d, |delivery| Bitrix24.request(delivery).err());
        let problem = problem.map(|p| (p.code, p.detail.contains("CRM_URL:"), p.detail.contains("crm.example")));
        assert_eq!(problem, Some(("secret_invalid", true, false)));
    }

    #[test]
    fn settings_are_checked_by_key() {
        let problems = |t: &str| Bitrix24.check(&destination(&format!("id = \"b24\"\n{t}")));
        let good =
            "url_secret = \"B24_URL\"\nsource_id = \"WEB\"\nlanguage = \"ru\"\n[fields]\nservice = \"UF_CRM_SERVICE\"";
        assert_eq!(problems(good), Vec::<String>::new());
        assert_eq!(
            problems("url = \"https://x.bitrix24.ru/rest/1/abc/\""),
            Vec::<String>::new()
        );
        let cases = [
            ("", "url, url_secret"),
            (
                "url_secret = \"B\"\nurl = \"https://x.bitrix24.ru/rest/1/abc/\"",
                "url, url_secret",
            ),
            ("url = \"http://x.bitrix24.ru/rest/1/abc/\"", "url: must be"),
            (
                "url = \"https://x.bitrix24.ru/rest/1/abc/crm.lead.add\"",
                "url: must be",
            ),
            ("url = \"https://x.bitrix24.ru/rest/abc/\"", "url: must be"),
            ("url = \"https://x.bitrix24.ru/\"", "url: must be"),
            ("url_secret = \"B\"\nsource_id = \"\"", "source_id"),
            ("url_secret = \"B\"\nlanguage = \"de\"", "language"),
            ("url_secret = \"B\"\nsource_id = 7", "source_id: invalid type"),
            ("url_secret = \"B\"\nchat = \"1\"", "chat"),
            ("url_secret = \"B\"\n[fields]\nservice = \"SERVICE\"", "fields.service"),
        ];
        for (settings, key) in cases {
            let got = problems(settings);
            assert!(got.len() == 1 && got[0].contains(key), "{settings:?} → {got:?}");
        }
    }
}
