//! `email`: one notification per lead through Resend's HTTP API
//! (`POST {base}/emails`, <https://resend.com/docs/api-reference/emails/send-email>).
//!
//! The Workers `send_email` binding cannot be exercised by native tests the
//! way an HTTP API can, so this kind speaks Resend's documented JSON API. The
//! message is the lead's [`summary::lines`]: plain text, and a simple HTML
//! table in which every value the visitor typed is escaped, phones are `tel:`
//! links and only http(s) addresses are links.
//!
//! Duplicates: every attempt carries the same `Idempotency-Key` (the lead's
//! `webhook-id`). Resend answers a repeated key with the first answer and does
//! not send again, for 24 hours after the first request
//! (<https://resend.com/docs/dashboard/emails/idempotency-keys>). The body must
//! therefore be the same on every attempt: nothing in it depends on the time of
//! the attempt. A retry more than 24 hours after an attempt whose outcome was
//! unknown (the retry schedule runs for about 47 hours) may send a second email.

use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer};
use serde_json::json;

use crate::signing::webhook_id;
use crate::site::Destination;
use crate::wire::Lead;

use super::summary::{self, Line, Value};
use super::text::{clean, escape_html_strict, is_e164, is_web_address, one_line};
use super::{cut, Act, Answer, Delivery, Guarantee, Kind, Outcome, Problem, Request};

pub struct Email;

/// Resend's API, when the destination names no other base.
const DEFAULT_BASE: &str = "https://api.resend.com";
/// Resend's send endpoint takes at most 50 addresses in `to`.
const MAX_RECIPIENTS: usize = 50;
/// Subjects are one header line; mail clients show well under this.
const SUBJECT_MAX: usize = 200;
/// One row's value. Equal to the collector's cap on a message, so a stored
/// lead's message is never cut; a long chat transcript is.
const VALUE_MAX: usize = 5_000;
/// How much of Resend's own error message a reason keeps.
const REASON_MAX: usize = 300;

/// `[[site.destination]]` keys of an email destination.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The Worker secret holding the Resend API key (`re_…`).
    token_secret: String,
    /// One address or a list of them.
    #[serde(deserialize_with = "one_or_many")]
    to: Vec<String>,
    /// `Name <address>` or `address`, on a domain verified at Resend.
    from: String,
    /// The API base, when it is not Resend's own (a stand-in in tests).
    url: Option<String>,
    /// Or: the Worker secret holding it.
    url_secret: Option<String>,
    /// `ru` or `en`; absent: the visitor's language.
    language: Option<String>,
}

/// `to = "a@x"` and `to = ["a@x", "b@x"]` both read as a list.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    // An untagged enum's own error names neither the key nor the shape.
    match OneOrMany::deserialize(d) {
        Ok(OneOrMany::One(one)) => Ok(vec![one]),
        Ok(OneOrMany::Many(many)) => Ok(many),
        // The settings' reader puts the key ("to: ") in front.
        Err(_) => Err(serde::de::Error::custom("expected an address or a list of addresses")),
    }
}

/// Everything wrong with the settings, each naming its key.
fn problems(s: &Settings, destination: &Destination) -> Vec<String> {
    let mut problems = Vec::new();
    if s.token_secret.trim().is_empty() {
        problems.push("token_secret: names no Worker secret".to_owned());
    }
    if s.to.is_empty() {
        problems.push("to: needs at least one address".to_owned());
    }
    if s.to.len() > MAX_RECIPIENTS {
        problems.push(format!("to: at most {MAX_RECIPIENTS} addresses (Resend's limit)"));
    }
    for address in s.to.iter().filter(|a| !looks_like_address(a)) {
        problems.push(format!("to: {address:?} is not an email address"));
    }
    if !looks_like_address(sender_address(&s.from)) || s.from.chars().any(char::is_control) {
        problems.push(format!("from: {:?} is not `address` or `Name <address>`", s.from));
    }
    if s.url.is_some() && s.url_secret.is_some() {
        problems.push("url, url_secret: give at most one of them".to_owned());
    }
    if let Some(url) = s.url.as_deref().filter(|u| !is_web_address(u)) {
        problems.push(format!("url: {url:?} is not an http(s) address"));
    }
    if let Some(language) = s.language.as_deref().filter(|l| !matches!(*l, "ru" | "en")) {
        problems.push(format!("language: {language:?} is not \"ru\" or \"en\""));
    }
    if !destination.fields.is_empty() {
        problems.push("fields: an email has no product fields to map to".to_owned());
    }
    problems
}

impl Kind for Email {
    fn check(&self, destination: &Destination) -> Vec<String> {
        super::check_settings(destination, problems)
    }

    fn request(&self, delivery: &Delivery) -> Result<Request, Problem> {
        let s: Settings = delivery.checked_settings(problems)?;
        let base = delivery.endpoint(&s.url, &s.url_secret, Some(DEFAULT_BASE))?;
        let token = delivery.secret_value(&s.token_secret)?;
        let lead = delivery.lead;
        let locale = summary::locale(s.language.as_deref(), lead);
        let lines: Vec<Line> = summary::lines(delivery, locale)
            .into_iter()
            .map(|line| Line {
                label: clean(&line.label),
                value: bounded(line.value),
            })
            .collect();
        let mut body = json!({
            // Header lines: on one line, without the spaces around it.
            "from": one_line(&s.from).trim(),
            "to": s.to,
            "subject": cut(one_line(&summary::title(lead, locale)).trim(), SUBJECT_MAX),
            "text": summary::plain(&lines),
            "html": html(&lines),
        });
        if let Some(address) = reply_to(lead) {
            body["reply_to"] = json!(address);
        }
        let url = format!("{}/emails", base.trim_end_matches('/'));
        Ok(Request::post_json(url, &body)
            .header("authorization", format!("Bearer {token}"))
            .header("idempotency-key", webhook_id(&lead.id, &delivery.destination.id)))
    }

    fn classify(&self, answer: &Answer) -> Outcome {
        let error: Option<ResendError> = serde_json::from_str(answer.body).ok();
        let name = error.as_ref().and_then(|e| e.name.as_deref());
        let reason = || match &error {
            Some(ResendError {
                name: Some(name),
                message: Some(message),
            }) => format!("Resend {name}: {}", cut(message, REASON_MAX)),
            _ => format!("Resend answered HTTP {}", answer.status),
        };
        let act = ANSWERS
            .iter()
            .find(|(status, n, _)| status.contains(&answer.status) && n.is_none_or(|n| Some(n) == name))
            .map(|(_, _, act)| *act);
        match act {
            Some(Act::Delivered) if sent_id(answer.body).is_some() => Outcome::Delivered,
            // A 2xx without an email id is not Resend: the url points elsewhere.
            Some(Act::Delivered) => Outcome::Failed {
                reason: format!(
                    "answered HTTP {} without an email id: is url Resend's API?",
                    answer.status
                ),
            },
            Some(act) => act.outcome(answer.retry_after_secs, reason()),
            None => Outcome::from_status(answer).with_reason(reason()),
        }
    }

    fn guarantee(&self) -> Guarantee {
        // Within the key's 24 hours; see the module's doc.
        Guarantee::ExactlyOnce
    }
}

/// Resend's error body: `{"statusCode", "name", "message"}`
/// (<https://resend.com/docs/api-reference/errors>).
#[derive(Deserialize)]
struct ResendError {
    name: Option<String>,
    message: Option<String>,
}

/// The id of the email Resend accepted (`{"id": "…"}`).
fn sent_id(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Sent {
        id: String,
    }
    serde_json::from_str::<Sent>(body)
        .ok()
        .map(|s| s.id)
        .filter(|id| !id.is_empty())
}

/// Resend's documented answers (<https://resend.com/docs/api-reference/errors>,
/// <https://resend.com/docs/api-reference/rate-limit>): status, error `name`
/// (`None`: any), and what it means. The first matching row decides.
const ANSWERS: &[(RangeInclusive<u16>, Option<&str>, Act)] = &[
    (200..=299, None, Act::Delivered),
    // Requests per second: Resend sends `retry-after`.
    (429..=429, Some("rate_limit_exceeded"), Act::Retry(Some(1))),
    // The day's quota is spent: nothing gets through for hours.
    (429..=429, Some("daily_quota_exceeded"), Act::RetryNoSooner(3_600)),
    // The month's quota is spent: only a plan change helps.
    (429..=429, Some("monthly_quota_exceeded"), Act::Disable),
    (429..=429, None, Act::Retry(Some(1))),
    // The first attempt with this key is still being processed.
    (409..=409, Some("concurrent_idempotent_requests"), Act::Retry(Some(2))),
    // The key was used with another body: the settings changed since the
    // first attempt. A replay after the key's 24 hours sends it.
    (409..=409, Some("invalid_idempotent_request"), Act::Failed),
    (409..=409, None, Act::Retry(Some(2))),
    // Missing, invalid, restricted or suspended key; unverified sender domain.
    (401..=401, None, Act::Disable),
    (403..=403, None, Act::Disable),
    // The url does not point at Resend's API.
    (404..=405, None, Act::Disable),
    // validation_error, invalid_idempotency_key, missing_required_field…
    (400..=400, None, Act::Failed),
    (422..=422, None, Act::Failed),
    (500..=599, None, Act::Retry(None)),
];

/// The visitor's address for `reply_to`, only when it is one plain address
/// (no line breaks, no second address, no display name).
fn reply_to(lead: &Lead) -> Option<String> {
    let email = lead.contact.email.as_deref()?.trim();
    looks_like_address(email).then(|| email.to_owned())
}

/// One `@` with text on both sides, a dot in the domain, and none of the
/// characters that end an address or start another in a header.
fn looks_like_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c))
}

/// The address inside `Name <address>`, or the whole text.
fn sender_address(from: &str) -> &str {
    let from = from.trim();
    match (from.rfind('<'), from.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => from,
    }
}

/// A row's value, cleaned and cut to [`VALUE_MAX`]; a cut link is no longer a link.
fn bounded(value: Value) -> Value {
    let short = |s: &str| cut(&clean(s), VALUE_MAX);
    match value {
        Value::Text(t) => Value::Text(short(&t)),
        Value::Phone(p) => Value::Phone(short(&p)),
        Value::Link(l) if l.chars().count() <= VALUE_MAX => Value::Link(clean(&l)),
        Value::Link(l) => Value::Text(short(&l)),
    }
}

/// One value as table-cell HTML.
fn cell(value: &Value) -> String {
    match value {
        Value::Phone(p) if is_e164(p) => format!("<a href=\"tel:{p}\">{p}</a>"),
        Value::Link(url) if is_web_address(url) => {
            let url = escape_html_strict(url);
            format!("<a href=\"{url}\">{url}</a>")
        }
        other => escape_html_strict(other.as_str()).replace('\n', "<br>"),
    }
}

/// The rows as a two-column table: label, value.
fn html(lines: &[Line]) -> String {
    let rows: String = lines
        .iter()
        .map(|l| {
            format!(
                "<tr><th align=\"left\" valign=\"top\">{}</th><td>{}</td></tr>\n",
                escape_html_strict(&l.label),
                cell(&l.value)
            )
        })
        .collect();
    format!("<table cellpadding=\"4\" cellspacing=\"0\">\n{rows}</table>")
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{answer, destination, hostile_lead, json_body, lead, request};
    use super::super::Method;
    use super::*;

    const MAIL: &str = r#"id = "mail"
        kind = "email"
        token_secret = "EMAIL_TOKEN"
        to = ["sales@shop.example"]
        from = "Leadwire <leads@shop.example>""#;

    fn mail(extra: &str) -> Destination {
        destination(&format!("{MAIL}\n{extra}"))
    }

    #[test]
    fn the_fixture_lead_is_the_documented_send_request() {
        let r = request(&Email, &lead(), &mail("language = \"en\""));
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.resend.com/emails");
        assert_eq!(
            r.headers,
            vec![
                ("content-type", "application/json".to_owned()),
                super::super::user_agent(),
                ("authorization", "Bearer re_email_api_key".to_owned()),
                (
                    "idempotency-key",
                    "lead_6f1c8a524a8e4b7e9a570c1d2e3f4a5b_mail".to_owned()
                ),
            ]
        );
        let html = [
            "<table cellpadding=\"4\" cellspacing=\"0\">",
            "<tr><th align=\"left\" valign=\"top\">Name</th><td>Ivan Petrov</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Phone</th><td><a href=\"tel:+79123456789\">+79123456789</a></td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Email</th><td>ivan@example.com</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Message</th><td>Please call after lunch</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Product</th><td>PVC window 1200x1500</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">measure_visit</th><td>yes</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">service</th><td>balcony</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Callback at</th><td>2026-11-24 09:00–09:30 Europe/Moscow</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Promised</th><td>Tue 24.11 09:00 (Europe/Moscow)</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Source</th><td>paid_search · yandex / cpc / spring</td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Page</th><td><a href=\"https://shop.example/windows?utm_source=yandex\">https://shop.example/windows?utm_source=yandex</a></td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Referrer</th><td><a href=\"https://yandex.ru/\">https://yandex.ru/</a></td></tr>",
            "<tr><th align=\"left\" valign=\"top\">Lead</th><td>6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b</td></tr>",
            "</table>",
        ]
        .join("\n");
        let text = [
            "Name: Ivan Petrov",
            "Phone: +79123456789",
            "Email: ivan@example.com",
            "Message: Please call after lunch",
            "Product: PVC window 1200x1500",
            "measure_visit: yes",
            "service: balcony",
            "Callback at: 2026-11-24 09:00–09:30 Europe/Moscow",
            "Promised: Tue 24.11 09:00 (Europe/Moscow)",
            "Source: paid_search · yandex / cpc / spring",
            "Page: https://shop.example/windows?utm_source=yandex",
            "Referrer: https://yandex.ru/",
            "Lead: 6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
        ]
        .join("\n");
        assert_eq!(
            json_body(&r),
            json!({
                "from": "Leadwire <leads@shop.example>",
                "to": ["sales@shop.example"],
                "subject": "Callback request: PVC window 1200x1500, +79123456789",
                "text": text,
                "html": html,
                "reply_to": "ivan@example.com",
            })
        );
    }

    #[test]
    fn language_base_url_and_a_single_address() {
        // The fixture visitor reads Russian: so does the email, by default.
        let r = request(&Email, &lead(), &mail(""));
        let body = json_body(&r);
        assert_eq!(
            body["subject"],
            "Заказ обратного звонка: PVC window 1200x1500, +79123456789"
        );
        assert!(body["html"].as_str().is_some_and(|h| h.contains(">Телефон</th>")));

        let d = destination(
            r#"id = "mail"
               token_secret = "EMAIL_TOKEN"
               to = "sales@shop.example"
               from = "leads@shop.example"
               url_secret = "CRM_URL""#,
        );
        let r = request(&Email, &lead(), &d);
        assert_eq!(r.url, "https://crm.example/hooks/leads/emails");
        assert_eq!(json_body(&r)["to"], json!(["sales@shop.example"]));
    }

    #[test]
    fn a_hostile_lead_is_escaped_and_cut() {
        let mut hostile = hostile_lead();
        hostile.contact.email = Some("a@b.example\r\nBcc: victim@x.example".into());
        hostile.product = Some("<i>product</i>\r\nBcc: victim@x.example".into());
        hostile.page.url = "javascript:alert(1)".into();
        hostile.contact.phone = Some("+7912\"><script>".into());
        let r = request(&Email, &hostile, &mail("language = \"en\""));
        let body = json_body(&r);
        let subject = body["subject"].as_str().unwrap_or_default();
        assert!(!subject.contains(['\r', '\n']), "{subject:?}");
        assert!(subject.chars().count() <= SUBJECT_MAX);
        assert_eq!(
            body.get("reply_to"),
            None,
            "a header-breaking address is not replied to"
        );

        let html = body["html"].as_str().unwrap_or_default();
        for raw in [
            "<script",
            "<b>",
            "<i>",
            "<a href=\"x\"",
            "<!here>",
            "href=\"javascript:",
            "\u{202E}",
        ] {
            assert!(!html.contains(raw), "raw {raw:?} in {html}");
        }
        assert!(html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; *bold* _it_ `code` [x](http://evil) &amp; &lt;b&gt;RTL"));
        assert!(html.contains("line 1<br>line 2 &lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;"));
        assert!(html.contains("<td>javascript:alert(1)</td>"), "not a link");
        assert!(
            html.contains("<td>+7912&quot;&gt;&lt;script&gt;</td>"),
            "not a tel: link"
        );
        let message = html
            .lines()
            .find(|l| l.contains("line 1"))
            .unwrap_or_default()
            .to_owned();
        assert!(message.contains("xxx…</td>"), "the message is cut");
        let text = body["text"].as_str().unwrap_or_default();
        let message_row = text
            .lines()
            .skip_while(|l| !l.starts_with("Message: "))
            .nth(1)
            .unwrap_or_default();
        assert_eq!(message_row.chars().count(), VALUE_MAX - "line 1\n".chars().count());
        assert!(message_row.ends_with('…'));
    }

    #[test]
    fn answers_are_classified_by_status_and_name() {
        let err = |status: u16, name: &str, message: &str| {
            format!(r#"{{"statusCode":{status},"name":"{name}","message":"{message}"}}"#)
        };
        let retry = |after: Option<u64>, reason: &str| Outcome::Retry {
            after_secs: after,
            reason: reason.to_owned(),
        };
        let cases: Vec<(u16, Option<u64>, String, Outcome)> = vec![
            (200, None, r#"{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}"#.into(), Outcome::Delivered),
            (
                200,
                None,
                "<html>ok</html>".into(),
                Outcome::Failed {
                    reason: "answered HTTP 200 without an email id: is url Resend's API?".into(),
                },
            ),
            (
                429,
                Some(3),
                err(429, "rate_limit_exceeded", "Too many requests."),
                retry(Some(3), "Resend rate_limit_exceeded: Too many requests."),
            ),
            (
                429,
                None,
                err(429, "rate_limit_exceeded", "Too many requests."),
                retry(Some(1), "Resend rate_limit_exceeded: Too many requests."),
            ),
            (
                429,
                Some(1),
                err(429, "daily_quota_exceeded", "You have reached your daily email sending quota."),
                retry(
                    Some(3_600),
                    "Resend daily_quota_exceeded: You have reached your daily email sending quota.",
                ),
            ),
            (
                429,
                None,
                err(429, "monthly_quota_exceeded", "You have reached your monthly email sending quota."),
                Outcome::Disable {
                    reason: "Resend monthly_quota_exceeded: You have reached your monthly email sending quota.".into(),
                },
            ),
            (
                409,
                None,
                err(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress."),
                retry(Some(2), "Resend concurrent_idempotent_requests: Same idempotency key used while original request is still in progress."),
            ),
            (
                409,
                None,
                err(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload."),
                Outcome::Failed {
                    reason: "Resend invalid_idempotent_request: Same idempotency key used with a different request payload.".into(),
                },
            ),
            (
                401,
                None,
                err(401, "missing_api_key", "Missing API key in the authorization header."),
                Outcome::Disable {
                    reason: "Resend missing_api_key: Missing API key in the authorization header.".into(),
                },
            ),
            (
                403,
                None,
                err(403, "invalid_api_key", "API key is invalid."),
                Outcome::Disable {
                    reason: "Resend invalid_api_key: API key is invalid.".into(),
                },
            ),
            (
                403,
                None,
                err(403, "validation_error", "The shop.example domain is not verified. Please, add and verify your domain."),
                Outcome::Disable {
                    reason: "Resend validation_error: The shop.example domain is not verified. Please, add and verify your domain.".into(),
                },
            ),
            (
                422,
                None,
                err(422, "validation_error", "Invalid `to` field."),
                Outcome::Failed {
                    reason: "Resend validation_error: Invalid `to` field.".into(),
                },
            ),
            (
                400,
                None,
                err(400, "validation_error", "The `subject` field is required."),
                Outcome::Failed {
                    reason: "Resend validation_error: The `subject` field is required.".into(),
                },
            ),
            (
                500,
                None,
                err(500, "application_error", "An unexpected error occurred."),
                retry(None, "Resend application_error: An unexpected error occurred."),
            ),
            (503, Some(30), "upstream down".into(), retry(Some(30), "Resend answered HTTP 503")),
            (
                410,
                None,
                String::new(),
                Outcome::Disable {
                    reason: "Resend answered HTTP 410".into(),
                },
            ),
        ];
        for (status, retry_after_secs, body, want) in cases {
            assert_eq!(
                Email.classify(&answer(status, retry_after_secs, &body)),
                want,
                "{status} {body}"
            );
        }
        assert_eq!(Email.guarantee(), Guarantee::ExactlyOnce);
    }

    #[test]
    fn settings_are_checked_by_key() {
        let problems = |extra: &str, base: &str| Email.check(&destination(&format!("{base}\n{extra}")));
        assert_eq!(problems("", MAIL), Vec::<String>::new());
        assert_eq!(
            problems("url = \"http://127.0.0.1:8787\"\nlanguage = \"ru\"", MAIL),
            Vec::<String>::new()
        );
        let without = |key: &str| {
            MAIL.lines()
                .filter(|l| !l.trim_start().starts_with(key))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let cases: &[(&str, String, &str)] = &[
            ("", without("token_secret"), "token_secret"),
            ("", without("to "), "to"),
            ("", without("from"), "from"),
            ("to = []", without("to "), "to: needs at least one address"),
            (
                "to = [\"sales@shop.example\", \"nobody\"]",
                without("to "),
                "to: \"nobody\"",
            ),
            ("to = 7", without("to "), "to: expected an address"),
            ("from = \"Leadwire <leads>\"", without("from"), "from:"),
            (
                "url = \"https://a.example\"\nurl_secret = \"X\"",
                MAIL.to_owned(),
                "url, url_secret",
            ),
            ("url = \"ftp://a.example\"", MAIL.to_owned(), "url:"),
            ("language = \"de\"", MAIL.to_owned(), "language:"),
            ("chat = \"1\"", MAIL.to_owned(), "chat"),
            ("[fields]\nservice = \"x\"", MAIL.to_owned(), "fields:"),
        ];
        for (extra, base, key) in cases {
            let got = problems(extra, base);
            assert!(got.len() == 1 && got[0].contains(key), "{extra:?}: {got:?}");
        }
        let many: Vec<String> = (0..=MAX_RECIPIENTS).map(|i| format!("\"s{i}@shop.example\"")).collect();
        let got = problems(&format!("to = [{}]", many.join(",")), &without("to "));
        assert!(got.len() == 1 && got[0].contains("at most 50"), "{got:?}");
    }
}
