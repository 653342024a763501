//! `amocrm`: an incoming ("unsorted") form lead in amoCRM or Kommo, whichever
//! the account's address names (`POST /api/v4/leads/unsorted/forms`, Bearer
//! long-lived token). The manager accepts or declines it in the pipeline's
//! "Incoming leads" column; accepting creates the lead and its contact.
//!
//! The API keeps no free text for an unsorted form: it takes the lead (name,
//! custom fields), its contacts and the form's metadata. So the summary rows
//! (message, chosen slot, promise, transcript) go to the lead's custom field
//! named by the optional `summary_field` key (a text area), and nowhere when
//! that key is left out; the lead's name carries the kind, product and phone.
//!
//! Values are plain text to amoCRM (it escapes them when it shows them), so
//! nothing needs escaping beyond JSON; control and bidi characters are dropped.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::summary;
use super::text::{clean, one_line};
use super::{Act, Answer, Delivery, Guarantee, Kind, Outcome, Problem, Request};
use crate::site::Destination;
use crate::wire::FieldValue;

pub struct AmoCrm;

/// `[[site.destination]]` keys of an amoCRM or Kommo account.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The account's address, `https://<account>.amocrm.ru` (`.amocrm.com`, `.kommo.com`).
    url: Option<String>,
    /// Or: the Worker secret holding it.
    url_secret: Option<String>,
    /// The Worker secret holding the long-lived token.
    token_secret: String,
    /// The pipeline whose incoming leads get the lead (default: the main one).
    pipeline_id: Option<u64>,
    /// `ru` or `en`, for the lead's name and the summary's labels.
    language: Option<String>,
    /// A text-area custom field of the lead that gets the summary rows.
    summary_field: Option<u64>,
}

/// The account hosts amoCRM and Kommo serve; anything else is a typo or a trap
/// (the token would go with the request).
const HOSTS: &[&str] = &[".amocrm.ru", ".amocrm.com", ".kommo.com"];

/// amoCRM's API refuses a text field longer than 256 characters
/// (amocrm/amocrm-api-php#400); names are cut to the same size.
const TEXT_MAX: usize = 256;
/// Text areas have no documented limit; the summary stays well inside one.
const SUMMARY_MAX: usize = 10_000;
const URL_MAX: usize = 2_048;
/// amoCRM allows about 7 requests a second: a second's wait is enough.
const RATE_LIMIT_WAIT_SECS: u64 = 1;

/// amoCRM's error statuses, first match wins: (from, to, what it means).
const ANSWERS: &[(u16, u16, Act)] = &[
    // Revoked or expired token, unpaid account, blocked account or IP:
    // nothing will pass until someone acts.
    (401, 403, Act::Disable),
    (429, 429, Act::Retry(Some(RATE_LIMIT_WAIT_SECS))),
    // Validation errors: this lead will never pass as it is.
    (400, 400, Act::Failed),
    (500, 599, Act::Retry(None)),
    (300, 499, Act::Failed),
];

/// amoCRM's error body (application/problem+json), with its validation errors.
#[derive(Deserialize, Default)]
struct ProblemBody {
    title: Option<String>,
    detail: Option<String>,
    #[serde(rename = "validation-errors", default)]
    validation_errors: Vec<ValidationErrors>,
}

#[derive(Deserialize)]
struct ValidationErrors {
    #[serde(default)]
    errors: Vec<ValidationError>,
}

#[derive(Deserialize)]
struct ValidationError {
    code: Option<String>,
    path: Option<String>,
    detail: Option<String>,
}

impl ProblemBody {
    /// amoCRM's own words: its first validation error, else title and detail.
    fn reason(&self, status: u16) -> String {
        let first = self.validation_errors.iter().flat_map(|v| &v.errors).next();
        let reason = match (first, self.title.as_deref(), self.detail.as_deref()) {
            (Some(e), _, _) => format!(
                "amoCRM: {}: {} ({})",
                e.path.as_deref().unwrap_or("?"),
                e.detail.as_deref().unwrap_or("invalid"),
                e.code.as_deref().unwrap_or("?")
            ),
            (None, Some(t), Some(d)) if t != d => format!("amoCRM {t}: {d}"),
            (None, Some(t), _) | (None, None, Some(t)) => format!("amoCRM {t}"),
            (None, None, None) => format!("amoCRM answered HTTP {status}"),
        };
        super::cut(&reason, 300)
    }
}

/// The documented answer to a successful add: `_embedded.unsorted`, one item
/// per lead sent, each with its `uid`.
#[derive(Deserialize)]
struct Added {
    #[serde(rename = "_embedded")]
    embedded: AddedEmbedded,
}

#[derive(Deserialize)]
struct AddedEmbedded {
    unsorted: Vec<Value>,
}

/// No lookup: `GET /api/v4/leads/unsorted` filters only by amoCRM's own `uid`
/// (in the answer we may never have read), by category and by pipeline, not
/// by anything we send, and `request_id` is only echoed, not kept. So a retry
/// after an unknown outcome may show the lead twice ([`Guarantee::AtLeastOnce`]).
impl Kind for AmoCrm {
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
            if account_base(url).is_none() {
                problems.push(format!("url: {ACCOUNT_SHAPE}"));
            }
        }
        if settings.token_secret.trim().is_empty() {
            problems.push("token_secret must name the Worker secret holding the token".to_owned());
        }
        if settings.pipeline_id == Some(0) {
            problems.push("pipeline_id must be an amoCRM pipeline id".to_owned());
        }
        if settings.summary_field == Some(0) {
            problems.push("summary_field must be an amoCRM field id".to_owned());
        }
        if let Some(language) = &settings.language {
            if !["ru", "en"].contains(&language.as_str()) {
                problems.push(format!("language {language:?} must be \"ru\" or \"en\""));
            }
        }
        for (field, target) in &destination.fields {
            if field_id(target).is_none() {
                problems.push(format!(
                    "fields.{field}: {target:?} is not an amoCRM field id (a number)"
                ));
            }
        }
        problems
    }

    fn request(&self, delivery: &Delivery) -> Result<Request, Problem> {
        let settings: Settings = delivery.settings()?;
        let base = delivery.endpoint_shaped(&settings.url, &settings.url_secret, account_base, ACCOUNT_SHAPE)?;
        let token = delivery.secret_value(&settings.token_secret)?;
        let body = Value::Array(vec![unsorted(delivery, &settings)?]);
        Ok(Request::post_json(format!("{base}/api/v4/leads/unsorted/forms"), &body)
            .header("authorization", format!("Bearer {token}")))
    }

    fn classify(&self, answer: &Answer) -> Outcome {
        if matches!(answer.status, 200..=202) {
            let added = serde_json::from_str::<Added>(answer.body).is_ok_and(|a| !a.embedded.unsorted.is_empty());
            // 202 is "accepted for processing", and may come without a body.
            if added || (answer.status == 202 && answer.body.trim().is_empty()) {
                return Outcome::Delivered;
            }
            return Outcome::Retry {
                after_secs: answer.retry_after_secs,
                reason: format!("amoCRM answered HTTP {} without the added lead", answer.status),
            };
        }
        let reason = serde_json::from_str::<ProblemBody>(answer.body)
            .unwrap_or_default()
            .reason(answer.status);
        let act = ANSWERS
            .iter()
            .find(|(from, to, _)| (*from..=*to).contains(&answer.status))
            .map_or(Act::Retry(None), |(_, _, act)| *act);
        act.outcome(answer.retry_after_secs, reason)
    }

    fn guarantee(&self) -> Guarantee {
        Guarantee::AtLeastOnce
    }
}

const ACCOUNT_SHAPE: &str =
    "must be the account's address, https://<account>.amocrm.ru, .amocrm.com or .kommo.com (http://localhost for a stand-in)";

/// The account's origin (`https://<account>.amocrm.ru`, no trailing '/'), when
/// `url` is an amoCRM or Kommo account, or a local stand-in.
fn account_base(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    let account = parsed.scheme() == "https" && HOSTS.iter().any(|h| host.len() > h.len() && host.ends_with(h));
    let local = parsed.scheme() == "http" && super::text::is_secure_or_loopback(&parsed);
    let bare = matches!(parsed.path(), "" | "/")
        && parsed.query().is_none()
        && parsed.fragment().is_none()
        && parsed.username().is_empty()
        && parsed.password().is_none();
    ((account || local) && bare).then(|| parsed.origin().ascii_serialization())
}

/// A custom field id, as `fields` writes it ("123456").
fn field_id(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok().filter(|id| *id > 0)
}

/// One custom field value, by id or by code.
fn field(key: (&str, Value), value: Value) -> Value {
    let mut field = Map::new();
    field.insert(key.0.to_owned(), key.1);
    field.insert("values".to_owned(), json!([{ "value": value }]));
    Value::Object(field)
}

/// The one incoming form lead of the request's array.
fn unsorted(delivery: &Delivery, settings: &Settings) -> Result<Value, Problem> {
    let lead = delivery.lead;
    let locale = summary::locale(settings.language.as_deref(), lead);
    let sent_at = lead
        .received_at
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .unwrap_or(delivery.now_secs);

    let mut metadata = Map::new();
    metadata.insert("form_id".into(), Value::from(lead.kind.as_str()));
    metadata.insert("form_name".into(), Value::from(summary::kind_name(lead.kind, locale)));
    metadata.insert(
        "form_page".into(),
        Value::from(super::cut(&one_line(&lead.page.url), URL_MAX)),
    );
    metadata.insert("form_sent_at".into(), Value::from(sent_at));
    if let Some(referrer) = lead.page.referrer.as_deref().filter(|r| !r.is_empty()) {
        metadata.insert("referer".into(), Value::from(super::cut(&one_line(referrer), URL_MAX)));
    }
    // No "ip": the collector does not keep the visitor's address.

    let mut lead_fields = Vec::new();
    for (code, value) in summary::utm(lead) {
        // The account's tracking fields, by their fixed codes.
        let text = super::cut(&one_line(value), TEXT_MAX);
        lead_fields.push(field(("field_code", Value::from(code)), Value::from(text)));
    }
    for (form_field, target) in &delivery.destination.fields {
        let id = field_id(target).ok_or_else(|| {
            Problem::new(
                "config",
                format!("fields.{form_field}: {target:?} is not an amoCRM field id"),
            )
        })?;
        let value = match lead.fields.get(form_field) {
            Some(FieldValue::Text(text)) => Value::from(super::cut(&clean(text), TEXT_MAX)),
            Some(FieldValue::Flag(flag)) => Value::from(*flag),
            None => continue,
        };
        lead_fields.push(field(("field_id", Value::from(id)), value));
    }
    if let Some(id) = settings.summary_field {
        let text = super::cut(&clean(&summary::plain(&summary::lines(delivery, locale))), SUMMARY_MAX);
        lead_fields.push(field(("field_id", Value::from(id)), Value::from(text)));
    }

    let mut new_lead = Map::new();
    let title = super::cut(&one_line(&summary::title(lead, locale)), TEXT_MAX);
    new_lead.insert("name".into(), Value::from(title));
    if !lead_fields.is_empty() {
        new_lead.insert("custom_fields_values".into(), Value::Array(lead_fields));
    }

    let mut embedded = Map::new();
    embedded.insert("leads".into(), json!([new_lead]));
    if let Some(contact) = contact(delivery) {
        embedded.insert("contacts".into(), json!([contact]));
    }

    let mut item = Map::new();
    // Echoed in the answer; amoCRM keeps no idempotency key for unsorted leads.
    item.insert("request_id".into(), Value::from(lead.id.to_string()));
    item.insert(
        "source_uid".into(),
        Value::from(format!("leadwire-{}", delivery.site.id)),
    );
    item.insert(
        "source_name".into(),
        Value::from(super::cut(&format!("Leadwire · {}", delivery.site.id), TEXT_MAX)),
    );
    if let Some(pipeline) = settings.pipeline_id {
        item.insert("pipeline_id".into(), Value::from(pipeline));
    }
    item.insert("created_at".into(), Value::from(sent_at));
    item.insert("metadata".into(), Value::Object(metadata));
    item.insert("_embedded".into(), Value::Object(embedded));
    Ok(Value::Object(item))
}

/// The visitor as a contact: a name, and phone and email by their field codes.
fn contact(delivery: &Delivery) -> Option<Value> {
    let c = &delivery.lead.contact;
    let mut values = Vec::new();
    for (code, value) in [("PHONE", &c.phone), ("EMAIL", &c.email)] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            let text = super::cut(&one_line(value), TEXT_MAX);
            values.push(json!({"field_code": code, "values": [{"value": text, "enum_code": "WORK"}]}));
        }
    }
    let name = c.name.as_deref().filter(|n| !n.trim().is_empty());
    if name.is_none() && values.is_empty() {
        return None;
    }
    let mut contact = Map::new();
    if let Some(name) = name {
        contact.insert("name".into(), Value::from(super::cut(&one_line(name), TEXT_MAX)));
    }
    if !values.is_empty() {
        contact.insert("custom_fields_values".into(), Value::Array(values));
    }
    Some(Value::Object(contact))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{
        answer, destination, hostile_lead, json_body, lead, request, request_at, shape, with_delivery, NOW_SECS,
    };
    use super::super::Method;
    use super::*;

    const GOLDEN: &str = r#"id = "amo"
        kind = "amocrm"
        url = "https://example.amocrm.ru"
        token_secret = "AMO_TOKEN"
        pipeline_id = 123
        language = "en"
        [fields]
        service = "123456"
        measure_visit = "123457"
        not_on_the_form = "123458""#;

    #[test]
    fn the_fixture_lead_becomes_one_incoming_form_lead() {
        let r = request(&AmoCrm, &lead(), &destination(GOLDEN));
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://example.amocrm.ru/api/v4/leads/unsorted/forms");
        assert_eq!(
            r.headers,
            vec![
                ("content-type", "application/json".to_owned()),
                super::super::user_agent(),
                ("authorization", "Bearer amo-long-lived-token".to_owned()),
            ]
        );
        // 2026-11-23T15:59:47.681Z, the lead's arrival.
        let sent_at = NOW_SECS - 13;
        let utm = |code: &str, value: &str| json!({"field_code": code, "values": [{"value": value}]});
        let want = json!([{
            "request_id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
            "source_uid": "leadwire-shop",
            "source_name": "Leadwire · shop",
            "pipeline_id": 123,
            "created_at": sent_at,
            "metadata": {
                "form_id": "callback",
                "form_name": "Callback request",
                "form_page": "https://shop.example/windows?utm_source=yandex",
                "form_sent_at": sent_at,
                "referer": "https://yandex.ru/",
            },
            "_embedded": {
                "leads": [{
                    "name": "Callback request: PVC window 1200x1500, +79123456789",
                    "custom_fields_values": [
                        utm("UTM_SOURCE", "yandex"),
                        utm("UTM_MEDIUM", "cpc"),
                        utm("UTM_CAMPAIGN", "spring"),
                        utm("UTM_CONTENT", "ad1"),
                        utm("UTM_TERM", "pvc windows"),
                        {"field_id": 123457, "values": [{"value": true}]},
                        {"field_id": 123456, "values": [{"value": "balcony"}]},
                    ],
                }],
                "contacts": [{
                    "name": "Ivan Petrov",
                    "custom_fields_values": [
                        {"field_code": "PHONE", "values": [{"value": "+79123456789", "enum_code": "WORK"}]},
                        {"field_code": "EMAIL", "values": [{"value": "ivan@example.com", "enum_code": "WORK"}]},
                    ],
                }],
            },
        }]);
        assert_eq!(json_body(&r), want);
    }

    #[test]
    fn the_summary_goes_to_its_field_in_the_visitors_language() {
        let d = destination(
            "id = \"amo\"\nurl = \"http://127.0.0.1:8787/\"\ntoken_secret = \"AMO_TOKEN\"\nsummary_field = 777",
        );
        let r = request_at(&AmoCrm, &lead(), &d, NOW_SECS);
        // A local stand-in, over http.
        assert_eq!(r.url, "http://127.0.0.1:8787/api/v4/leads/unsorted/forms");
        let body = json_body(&r);
        let item = &body[0];
        assert!(item.get("pipeline_id").is_none());
        assert_eq!(item["metadata"]["form_name"], "Заказ обратного звонка");
        let fields = item["_embedded"]["leads"][0]["custom_fields_values"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let summary = fields
            .iter()
            .find(|f| f["field_id"] == 777)
            .and_then(|f| f["values"][0]["value"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert!(
            summary.starts_with("Имя: Ivan Petrov\nТелефон: +79123456789\n"),
            "{summary}"
        );
        assert!(summary.contains("\nСообщение: Please call after lunch\n"));
        assert!(summary.contains("\nПерезвонить: 2026-11-24 09:00–09:30 Europe/Moscow\n"));
        assert!(summary.contains("\nОбещано: "));
    }

    #[test]
    fn what_the_visitor_typed_goes_as_plain_text_cut_to_amocrms_limits() {
        let mut hostile = hostile_lead();
        hostile.fields.insert(
            "service".into(),
            FieldValue::Text(format!("<b>{}</b>", "s".repeat(400))),
        );
        let d = destination(
            "id = \"amo\"\nurl = \"https://example.kommo.com\"\ntoken_secret = \"AMO_TOKEN\"\nlanguage = \"en\"\n\
             summary_field = 777\n[fields]\nservice = \"123456\"",
        );
        let body = json_body(&request(&AmoCrm, &hostile, &d));
        let text = body.to_string();
        assert!(!text.contains('\u{202E}'), "bidi overrides are dropped");
        let contact = &body[0]["_embedded"]["contacts"][0];
        // amoCRM shows values as text: they go as typed, JSON does the quoting.
        assert_eq!(
            contact["name"],
            "<script>alert(1)</script> *bold* _it_ `code` [x](http://evil) & <b>RTL"
        );
        let fields = body[0]["_embedded"]["leads"][0]["custom_fields_values"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let value = |id: u64| {
            fields
                .iter()
                .find(|f| f["field_id"] == id)
                .and_then(|f| f["values"][0]["value"].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let service = value(123456);
        assert_eq!(service.chars().count(), TEXT_MAX);
        assert!(service.starts_with("<b>sss") && service.ends_with('…'));
        let summary = value(777);
        assert!(summary.chars().count() <= SUMMARY_MAX);
        assert!(summary.contains("line 1\nline 2 <a href=\"x\">&amp;</a> @channel <!here> 🙂 xxx"));
        assert_eq!(
            body[0]["_embedded"]["leads"][0]["name"],
            "Callback request: <i>product</i> & \"quotes\", +79123456789"
        );
        let mut longer = hostile_lead();
        longer.message = Some("m".repeat(20_000));
        let body = json_body(&request(&AmoCrm, &longer, &d));
        let fields = body[0]["_embedded"]["leads"][0]["custom_fields_values"].clone();
        let summary = fields
            .as_array()
            .and_then(|f| f.iter().find(|f| f["field_id"] == 777))
            .and_then(|f| f["values"][0]["value"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(summary.chars().count(), SUMMARY_MAX);
        assert!(summary.ends_with("mm…"));
    }

    #[test]
    fn a_messenger_click_has_no_contact() {
        let mut click = lead();
        // No phone, name or email (nor whatever `Contact` gains later).
        click.contact = crate::wire::Contact::default();
        let body = json_body(&request(&AmoCrm, &click, &destination(GOLDEN)));
        assert!(body[0]["_embedded"].get("contacts").is_none());
    }

    #[test]
    fn answers_are_read_by_status_and_body() {
        const ADDED: &str = r#"{
            "_total_items": 1,
            "_embedded": {"unsorted": [{
                "uid": "f03c796fb5455667e648dd0ec9755fc9680bc0d4",
                "account_id": 28805383,
                "request_id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
                "_embedded": {"leads": [{"id": 1003, "_links": {}}], "contacts": [{"id": 2003, "_links": {}}]},
                "_links": {"self": {"href": "https://example.amocrm.ru/api/v4/leads/unsorted/f03c796f"}}
            }]},
            "_links": {"self": {"href": "https://example.amocrm.ru/api/v4/leads/unsorted/forms"}}
        }"#;
        const INVALID: &str = r#"{
            "validation-errors": [{"request_id": "0", "errors": [
                {"code": "NotSupportedChoice", "path": "custom_fields_values.0.field_id", "detail": "The value you selected is not a valid choice."},
                {"code": "FieldMissing", "path": "metadata.form_id", "detail": "This field is missing."}
            ]}],
            "title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, "detail": "Request validation failed"
        }"#;
        // (status, Retry-After, body, outcome, words the reason must hold)
        let cases: &[(u16, Option<u64>, &str, &str, &str)] = &[
            (200, None, ADDED, "delivered", ""),
            (202, None, "", "delivered", ""),
            (200, None, r#"{"_total_items": 0, "_embedded": {"unsorted": []}}"#, "retry None", "without the added lead"),
            (204, None, "", "retry None", "HTTP 204"),
            (
                400,
                None,
                INVALID,
                "failed",
                "amoCRM: custom_fields_values.0.field_id: The value you selected is not a valid choice. (NotSupportedChoice)",
            ),
            (
                401,
                None,
                r#"{"title": "Unauthorized", "type": "https://httpstatus.es/401", "status": 401, "detail": "Unauthorized"}"#,
                "disable",
                "amoCRM Unauthorized",
            ),
            (
                402,
                None,
                r#"{"title": "Payment Required", "type": "https://httpstatus.es/402", "status": 402, "detail": "Account is not paid"}"#,
                "disable",
                "amoCRM Payment Required: Account is not paid",
            ),
            (
                403,
                None,
                r#"{"title": "Forbidden", "type": "https://httpstatus.es/403", "status": 403, "detail": "Account is blocked"}"#,
                "disable",
                "amoCRM Forbidden: Account is blocked",
            ),
            (429, None, "", "retry Some(1)", "HTTP 429"),
            (429, Some(5), "", "retry Some(5)", "HTTP 429"),
            (
                500,
                None,
                r#"{"title": "Internal Server Error", "type": "https://httpstatus.es/500", "status": 500, "detail": "Internal Server Error"}"#,
                "retry None",
                "amoCRM Internal Server Error",
            ),
            (504, None, "<html>Gateway Timeout</html>", "retry None", "HTTP 504"),
            (
                404,
                None,
                r#"{"title": "Not Found", "type": "https://httpstatus.es/404", "status": 404, "detail": "Not Found"}"#,
                "failed",
                "amoCRM Not Found",
            ),
        ];
        for (status, retry_after, body, want, words) in cases {
            let (got, reason) = shape(&AmoCrm.classify(&answer(*status, *retry_after, body)));
            assert_eq!(got, *want, "HTTP {status} {body}");
            assert!(reason.contains(words), "HTTP {status}: {reason:?} lacks {words:?}");
        }
    }

    #[test]
    fn there_is_no_lookup() {
        let d = destination(GOLDEN);
        assert!(with_delivery(&lead(), &d, |delivery| AmoCrm.lookup(delivery)).is_none());
        assert_eq!(AmoCrm.guarantee(), Guarantee::AtLeastOnce);
        // A secret holding something else is named, never shown.
        let d = destination("id = \"amo\"\nurl_secret = \"CRM_URL\"\ntoken_secret = \"AMO_TOKEN\"");
        let problem = with_delivery(&lead(), &d, |delivery| AmoCrm.request(delivery).err());
        let problem = problem.map(|p| (p.code, p.detail.contains("CRM_URL:"), p.detail.contains("crm.example")));
        assert_eq!(problem, Some(("secret_invalid", true, false)));
    }

    #[test]
    fn settings_are_checked_by_key() {
        let problems = |t: &str| AmoCrm.check(&destination(&format!("id = \"amo\"\n{t}")));
        let good = [
            "url = \"https://example.amocrm.ru\"\ntoken_secret = \"T\"\npipeline_id = 1\nlanguage = \"ru\"\n[fields]\nservice = \"123456\"",
            "url = \"https://example.kommo.com/\"\ntoken_secret = \"T\"\nsummary_field = 5",
            "url = \"https://example.amocrm.com\"\ntoken_secret = \"T\"",
            "url = \"http://localhost:8787\"\ntoken_secret = \"T\"",
            "url_secret = \"AMO_URL\"\ntoken_secret = \"T\"",
        ];
        for settings in good {
            assert_eq!(problems(settings), Vec::<String>::new(), "{settings}");
        }
        let cases = [
            ("token_secret = \"T\"", "url, url_secret"),
            ("url = \"https://example.amocrm.ru\"", "token_secret"),
            (
                "url = \"https://example.amocrm.ru\"\ntoken_secret = \" \"",
                "token_secret",
            ),
            (
                "url = \"http://example.amocrm.ru\"\ntoken_secret = \"T\"",
                "url: must be",
            ),
            ("url = \"https://amocrm.ru\"\ntoken_secret = \"T\"", "url: must be"),
            (
                "url = \"https://example.amocrm.ru.evil.com\"\ntoken_secret = \"T\"",
                "url: must be",
            ),
            (
                "url = \"https://example.amocrm.ru/api/v4\"\ntoken_secret = \"T\"",
                "url: must be",
            ),
            (
                "url_secret = \"U\"\ntoken_secret = \"T\"\npipeline_id = \"main\"",
                "pipeline_id: invalid type",
            ),
            (
                "url_secret = \"U\"\ntoken_secret = \"T\"\nlanguage = \"de\"",
                "language",
            ),
            ("url_secret = \"U\"\ntoken_secret = \"T\"\nchat = \"1\"", "chat"),
            (
                "url_secret = \"U\"\ntoken_secret = \"T\"\n[fields]\nservice = \"UF_CRM_SERVICE\"",
                "fields.service",
            ),
        ];
        for (settings, key) in cases {
            let got = problems(settings);
            assert!(got.len() == 1 && got[0].contains(key), "{settings:?} → {got:?}");
        }
    }
}
