//! Cloudflare Turnstile for a site that enables it (`[site.turnstile]`): the
//! settings, the siteverify request, reading its answer, and what the
//! collector does with it ([`judge`]).
//!
//! What Cloudflare documents (developers.cloudflare.com/turnstile, "Validate
//! the token" and "Testing"): `POST …/turnstile/v0/siteverify` with `secret`,
//! `response` (the token), optionally `remoteip` and `idempotency_key` (a
//! UUID: the same key gets the same answer again), as a form or as JSON; the
//! answer is JSON with `success`, `error-codes`, `challenge_ts`, `hostname`
//! and `action`. A token has at most 2048 characters, lives 300 s and is
//! validated once.
//!
//! The verdict is a table: a good token passes; a bad one, or one made for
//! another hostname or action, is refused (the visitor can send again with a
//! fresh one); a spent or expired one (an offline visitor's outbox sends
//! late), and anything that is Cloudflare's problem or ours (no answer, 5xx,
//! an unreadable answer, `internal-error`, a wrong secret) never costs a
//! lead: it is accepted, and held for an operator to release.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::destination::Request;
use crate::wire::{FieldError, LeadKind};

/// Where the collector asks (the `TURNSTILE_SITEVERIFY_URL` var may point elsewhere, for tests).
pub const SITEVERIFY_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
/// The script the widget loads, for explicit rendering.
pub const SCRIPT_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit";
/// The longest token Cloudflare issues.
pub const MAX_TOKEN_CHARS: usize = 2048;
/// The wire field that carries the token, named in refusals.
pub const FIELD: &str = "signals.turnstile";

/// Why a lead is held for review instead of forwarded (its `spam_reason`).
pub const UNAVAILABLE: &str = "turnstile_unavailable";
/// No token came with a lead that needs one (script blocked, challenge failed in the browser, a bot).
pub const MISSING: &str = "turnstile_missing";
/// Cloudflare refused our request (secret missing or wrong, a malformed request): fix the configuration.
pub const MISCONFIGURED: &str = "turnstile_misconfigured";
/// The token was older than 300 s or already used: held, not refused, as an
/// honest lead sent from the widget's outbox after the visitor was offline
/// has such a token. A replayed token gains a bot nothing: held leads are
/// never forwarded.
pub const EXPIRED: &str = "turnstile_expired";

/// `[site.turnstile]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TurnstileSettings {
    /// The widget's public sitekey.
    pub site_key: String,
    /// The Worker secret holding the widget's secret key (its name, never the key).
    pub secret: String,
    /// The action the widget is rendered with and siteverify must answer.
    #[serde(default = "default_action")]
    pub action: String,
    /// Hostnames a token may come from; empty: the hosts of the site's `origins`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    #[serde(default)]
    pub appearance: Appearance,
    /// Where the widget loads Turnstile from (a stand-in, in tests); default [`SCRIPT_URL`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_url: Option<String>,
}

fn default_action() -> String {
    "lead".to_owned()
}

/// When a managed widget shows itself (Cloudflare's `appearance`); an
/// invisible widget (chosen with its sitekey) never does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Appearance {
    Always,
    Execute,
    /// Only when the visitor must interact: most people never see it.
    #[default]
    InteractionOnly,
}

crate::wire_names::wire_names! {
    Appearance {
        Always => "always",
        Execute => "execute",
        InteractionOnly => "interaction-only",
    }
}

/// What the widget is told (`turnstile` in the public config): nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct WidgetTurnstile {
    pub site_key: String,
    pub action: String,
    pub appearance: Appearance,
    pub script_url: String,
}

impl crate::json::Read for WidgetTurnstile {
    fn read<V: crate::json::View>(v: &V) -> Option<Self> {
        use crate::json::text;
        Some(WidgetTurnstile {
            site_key: text(v, "site_key")?,
            action: text(v, "action").unwrap_or_else(default_action),
            appearance: text(v, "appearance")
                .and_then(|a| Appearance::parse(&a))
                .unwrap_or_default(),
            script_url: text(v, "script_url").unwrap_or_else(|| SCRIPT_URL.to_owned()),
        })
    }
}

impl TurnstileSettings {
    pub fn public(&self) -> WidgetTurnstile {
        WidgetTurnstile {
            site_key: self.site_key.clone(),
            action: self.action.clone(),
            appearance: self.appearance,
            script_url: self.script_url.clone().unwrap_or_else(|| SCRIPT_URL.to_owned()),
        }
    }

    /// Problems with these settings, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let word = |s: &str, max: usize| {
            (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let mut problems = Vec::new();
        if !word(&self.site_key, 128) {
            problems.push(format!(
                "site_key {:?} must be the sitekey Cloudflare shows",
                self.site_key
            ));
        }
        if !word(&self.secret, 64) || self.secret.contains('-') {
            problems.push(format!(
                "secret {:?} must name a Worker secret (A-Z, a-z, 0-9, '_'), not hold the key",
                self.secret
            ));
        }
        // Cloudflare's limit for `action`: 32 of letters, digits, '-' and '_'.
        if !word(&self.action, 32) {
            problems.push(format!(
                "action {:?} must be 1-32 of A-Z, a-z, 0-9, '-', '_'",
                self.action
            ));
        }
        for host in &self.hostnames {
            let bare = !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !bare {
                problems.push(format!(
                    "hostnames: {host:?} must be a bare hostname (no scheme, port or path)"
                ));
            }
        }
        if let Some(url) = &self.script_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                problems.push(format!("script_url {url:?} must be an http(s) URL"));
            }
        }
        problems
    }

    /// The hostnames a token may name: `hostnames`, else the hosts of `origins`.
    pub fn expected_hostnames(&self, origins: &[String]) -> Vec<String> {
        if !self.hostnames.is_empty() {
            return self.hostnames.iter().map(|h| h.to_ascii_lowercase()).collect();
        }
        origins
            .iter()
            .filter_map(|o| url::Url::parse(o).ok()?.host_str().map(str::to_ascii_lowercase))
            .collect()
    }
}

/// Leads that carry contact details must bring a token; a click (messenger,
/// `tel:` link) carries none worth a bot's effort, so its token is checked
/// when it has one but never required.
const NEEDS_TOKEN: &[LeadKind] = &[LeadKind::Callback, LeadKind::Form, LeadKind::Chat];

/// The siteverify request, as JSON (documented alongside the form encoding).
/// The lead id is the idempotency key: a retried POST of the same lead with
/// the same token gets Cloudflare's first answer again, not "spent".
pub fn siteverify_request(url: &str, secret: &str, token: &str, remote_ip: Option<&str>, lead_id: Uuid) -> Request {
    let mut body = serde_json::json!({
        "secret": secret,
        "response": token,
        "idempotency_key": lead_id.hyphenated().to_string(),
    });
    if let Some(ip) = remote_ip.filter(|ip| !ip.is_empty()) {
        body["remoteip"] = ip.into();
    }
    Request::post_json(url.to_owned(), &body)
}

/// Siteverify's answer, as documented (unknown members such as `cdata` and
/// `metadata` are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SiteverifyAnswer {
    pub success: bool,
    #[serde(rename = "error-codes", default)]
    pub error_codes: Vec<String>,
    #[serde(default)]
    pub challenge_ts: Option<String>,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
}

/// Reads an answer body; `None` when it is not the documented JSON.
pub fn read_answer(body: &str) -> Option<SiteverifyAnswer> {
    serde_json::from_str(body).ok()
}

/// What came back from siteverify.
#[derive(Debug, Clone, Copy)]
pub enum Reply<'a> {
    /// A timeout, a refused connection, a reset.
    NoAnswer,
    Answered {
        status: u16,
        body: &'a str,
    },
}

/// A refusal: the field code and the sentence the visitor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: &'static str,
}

impl Refusal {
    pub fn field_error(&self) -> FieldError {
        FieldError::new(FIELD, self.code, self.message.to_owned())
    }
}

const INVALID: Refusal = Refusal {
    code: "invalid",
    message: "The check that you are a person did not pass; please send the form again.",
};
const WRONG_HOSTNAME: Refusal = Refusal {
    code: "wrong_hostname",
    message: "The check that you are a person was made for another site.",
};
const WRONG_ACTION: Refusal = Refusal {
    code: "wrong_action",
    message: "The check that you are a person was made for another form.",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A person: store and forward.
    Pass,
    /// Answer 403 naming [`FIELD`]; store nothing.
    Refuse(Refusal),
    /// Answer 202, store the lead flagged with this reason, forward nothing
    /// until an operator releases it.
    Hold(&'static str),
}

/// Siteverify's error codes and what each means for the lead; the first row
/// whose code the answer lists decides, so our side's problems (which say
/// nothing about the visitor) come before the token's. A failure listing no
/// code we know is held.
const ERROR_CODES: &[(&str, Verdict)] = &[
    ("internal-error", Verdict::Hold(UNAVAILABLE)),
    ("missing-input-secret", Verdict::Hold(MISCONFIGURED)),
    ("invalid-input-secret", Verdict::Hold(MISCONFIGURED)),
    ("bad-request", Verdict::Hold(MISCONFIGURED)),
    ("invalid-input-response", Verdict::Refuse(INVALID)),
    ("missing-input-response", Verdict::Refuse(INVALID)),
    ("timeout-or-duplicate", Verdict::Hold(EXPIRED)),
];

/// Before asking Cloudflare: the token to send, or the verdict without one.
pub fn precheck(kind: LeadKind, token: Option<&str>) -> Result<&str, Verdict> {
    match token.filter(|t| !t.is_empty()) {
        None if NEEDS_TOKEN.contains(&kind) => Err(Verdict::Hold(MISSING)),
        None => Err(Verdict::Pass),
        Some(t) if t.chars().count() > MAX_TOKEN_CHARS => Err(Verdict::Refuse(INVALID)),
        Some(t) => Ok(t),
    }
}

/// What siteverify's `reply` means for a lead of a site with `settings` and `origins`.
pub fn judge(settings: &TurnstileSettings, origins: &[String], reply: Reply) -> Verdict {
    let Reply::Answered { status, body } = reply else {
        return Verdict::Hold(UNAVAILABLE);
    };
    // Siteverify answers 200 with `success` either way; anything else is an outage.
    let Some(answer) = read_answer(body).filter(|_| (200..300).contains(&status)) else {
        return Verdict::Hold(UNAVAILABLE);
    };
    if !answer.success {
        return ERROR_CODES
            .iter()
            .find(|(code, _)| answer.error_codes.iter().any(|c| c == code))
            .map_or(Verdict::Hold(UNAVAILABLE), |(_, verdict)| *verdict);
    }
    let hosts = settings.expected_hostnames(origins);
    let hostname = answer.hostname.as_deref().unwrap_or("").to_ascii_lowercase();
    if !hosts.contains(&hostname) {
        return Verdict::Refuse(WRONG_HOSTNAME);
    }
    if answer.action.as_deref() != Some(settings.action.as_str()) {
        return Verdict::Refuse(WRONG_ACTION);
    }
    Verdict::Pass
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> TurnstileSettings {
        toml::from_str(
            r#"site_key = "1x00000000000000000000AA"
               secret = "SHOP_TURNSTILE_SECRET""#,
        )
        .expect("settings parse")
    }

    fn origins() -> Vec<String> {
        vec!["https://shop.example".into(), "http://127.0.0.1:8080".into()]
    }

    fn ok(hostname: &str, action: &str) -> String {
        json!({"success": true, "challenge_ts": "2022-02-28T15:14:30.096Z", "hostname": hostname,
               "error-codes": [], "action": action, "cdata": "x", "metadata": {"interactive": false}})
        .to_string()
    }

    fn failed(codes: &[&str]) -> String {
        json!({"success": false, "error-codes": codes}).to_string()
    }

    #[test]
    fn the_verdicts() {
        use Verdict::*;
        let answered = |status, body: &str| judge(&settings(), &origins(), Reply::Answered { status, body });
        #[rustfmt::skip]
        let cases: &[(u16, String, Verdict)] = &[
            // Cloudflare's documented answers.
            (200, ok("shop.example", "lead"), Pass),
            (200, ok("SHOP.example", "lead"), Pass),
            (200, ok("127.0.0.1", "lead"), Pass),
            (200, failed(&["invalid-input-response"]), Refuse(INVALID)),
            (200, failed(&["missing-input-response"]), Refuse(INVALID)),
            (200, failed(&["timeout-or-duplicate"]), Hold(EXPIRED)),
            (200, ok("evil.example", "lead"), Refuse(WRONG_HOSTNAME)),
            (200, ok("shop.example.evil.example", "lead"), Refuse(WRONG_HOSTNAME)),
            (200, ok("shop.example", "login"), Refuse(WRONG_ACTION)),
            (200, json!({"success": true, "hostname": "shop.example", "error-codes": []}).to_string(), Refuse(WRONG_ACTION)),
            (200, json!({"success": true, "error-codes": []}).to_string(), Refuse(WRONG_HOSTNAME)),
            // Cloudflare's side, or ours: never the visitor's loss.
            (200, failed(&["internal-error"]), Hold(UNAVAILABLE)),
            (200, failed(&["invalid-input-response", "internal-error"]), Hold(UNAVAILABLE)),
            (200, failed(&["invalid-input-secret"]), Hold(MISCONFIGURED)),
            (200, failed(&["missing-input-secret"]), Hold(MISCONFIGURED)),
            (200, failed(&["bad-request"]), Hold(MISCONFIGURED)),
            (200, failed(&["something-new"]), Hold(UNAVAILABLE)),
            (200, failed(&[]), Hold(UNAVAILABLE)),
            (500, failed(&["internal-error"]), Hold(UNAVAILABLE)),
            (502, "<html>Bad gateway</html>".into(), Hold(UNAVAILABLE)),
            (503, ok("shop.example", "lead"), Hold(UNAVAILABLE)),
            (429, String::new(), Hold(UNAVAILABLE)),
            (200, "<html>an interstitial</html>".into(), Hold(UNAVAILABLE)),
            (200, "{\"success\": \"yes\"}".into(), Hold(UNAVAILABLE)),
            (200, String::new(), Hold(UNAVAILABLE)),
        ];
        for (status, body, want) in cases {
            assert_eq!(answered(*status, body), *want, "{status} {body}");
        }
        assert_eq!(judge(&settings(), &origins(), Reply::NoAnswer), Hold(UNAVAILABLE));
    }

    #[test]
    fn configured_hostnames_replace_the_origins() {
        let mut s = settings();
        s.hostnames = vec!["Forms.Shop.example".into()];
        let judged = |host: &str| {
            let body = ok(host, "lead");
            judge(
                &s,
                &origins(),
                Reply::Answered {
                    status: 200,
                    body: &body,
                },
            )
        };
        assert_eq!(judged("forms.shop.example"), Verdict::Pass);
        assert_eq!(judged("shop.example"), Verdict::Refuse(WRONG_HOSTNAME));
    }

    #[test]
    fn the_token_before_asking() {
        let long = "x".repeat(MAX_TOKEN_CHARS + 1);
        let max = "x".repeat(MAX_TOKEN_CHARS);
        #[rustfmt::skip]
        let cases: &[(LeadKind, Option<&str>, Result<&str, Verdict>)] = &[
            (LeadKind::Callback, Some("XXXX.DUMMY.TOKEN.XXXX"), Ok("XXXX.DUMMY.TOKEN.XXXX")),
            (LeadKind::Callback, Some(&max), Ok(&max)),
            (LeadKind::Form, Some(&long), Err(Verdict::Refuse(INVALID))),
            (LeadKind::Callback, None, Err(Verdict::Hold(MISSING))),
            (LeadKind::Form, Some(""), Err(Verdict::Hold(MISSING))),
            (LeadKind::Chat, None, Err(Verdict::Hold(MISSING))),
            (LeadKind::MessengerClick, None, Err(Verdict::Pass)),
            (LeadKind::PhoneClick, None, Err(Verdict::Pass)),
            (LeadKind::PhoneClick, Some("t"), Ok("t")),
        ];
        for (kind, token, want) in cases {
            assert_eq!(precheck(*kind, *token), *want, "{kind:?} {token:?}");
        }
    }

    #[test]
    fn the_request_is_the_documented_one() {
        let id = Uuid::from_u128(0x6f1c8a52_4a8e_4b7e_9a57_0c1d2e3f4a5b);
        let request = siteverify_request(
            SITEVERIFY_URL,
            "1x0000000000000000000000000000000AA",
            "tok",
            Some("203.0.113.9"),
            id,
        );
        assert_eq!(request.url, SITEVERIFY_URL);
        assert!(request
            .headers
            .contains(&("content-type", "application/json".to_owned())));
        let body: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap_or("")).expect("JSON");
        assert_eq!(
            body,
            json!({"secret": "1x0000000000000000000000000000000AA", "response": "tok",
                   "remoteip": "203.0.113.9", "idempotency_key": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b"})
        );
        assert!(!format!("{request:?}").contains("1x0"), "the secret never prints");
        let without_ip = siteverify_request(SITEVERIFY_URL, "s", "tok", None, id);
        let body: serde_json::Value = serde_json::from_str(without_ip.body.as_deref().unwrap_or("")).expect("JSON");
        assert!(body.get("remoteip").is_none());
    }

    #[test]
    fn the_documented_answer_is_read_whole() {
        let answer = read_answer(&ok("example.com", "login")).expect("reads");
        assert_eq!(
            answer,
            SiteverifyAnswer {
                success: true,
                error_codes: vec![],
                challenge_ts: Some("2022-02-28T15:14:30.096Z".into()),
                hostname: Some("example.com".into()),
                action: Some("login".into()),
            }
        );
        let failed = read_answer(r#"{"success": false, "error-codes": ["invalid-input-response"]}"#).expect("reads");
        assert_eq!(failed.error_codes, vec!["invalid-input-response".to_owned()]);
        assert_eq!(read_answer("[]"), None);
    }

    #[test]
    fn settings_problems_name_their_key() {
        let mut bad = settings();
        bad.site_key = String::new();
        bad.secret = "1x0000000000000000000000000000000AA-".into();
        bad.action = "a lead form with a long name, too long".into();
        bad.hostnames = vec!["https://shop.example".into(), "shop.example:8080".into()];
        bad.script_url = Some("javascript:alert(1)".into());
        let problems = bad.problems();
        for key in [
            "site_key",
            "secret",
            "action",
            "hostnames: \"https://",
            "hostnames: \"shop.example:8080",
            "script_url",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(key)),
                "{key} not in {problems:#?}"
            );
        }
        assert_eq!(settings().problems(), Vec::<String>::new());
        assert_eq!(settings().action, "lead");
    }

    #[test]
    fn the_widget_reads_what_the_collector_writes() {
        let mut s = settings();
        s.appearance = Appearance::Always;
        for settings in [settings(), s] {
            let public = settings.public();
            let written = serde_json::to_value(&public).expect("serializes");
            assert_eq!(<WidgetTurnstile as crate::json::Read>::read(&written), Some(public));
        }
        assert_eq!(settings().public().script_url, SCRIPT_URL);
        for (name, appearance) in Appearance::WIRE_NAMES {
            assert_eq!(serde_json::to_value(appearance).ok(), Some(json!(name)));
            assert_eq!(Appearance::parse(name), Some(*appearance));
        }
    }
}
