//! Destinations: where a stored lead goes, one file per kind of product.
//!
//! A destination kind turns a [`Lead`] into the HTTP request its product
//! documents ([`Kind::request`]) and reads the product's answer, status **and**
//! body, as an [`Outcome`]: delivered, retry later (with the product's own
//! wait), failed (with the product's own reason), or disable the destination
//! (revoked token, blocked bot, 410). Both are pure functions, so the exact
//! bytes a CRM gets and every documented answer are tested natively; the
//! Worker only sends what they build and records what they decide.
//!
//! Where a product has no idempotency key, a retry after an attempt whose
//! outcome is unknown (timeout, reset connection) could create a second lead.
//! A kind that can ask the product whether the lead is already there offers
//! [`Kind::lookup`]; the Worker asks first and settles the delivery as
//! delivered when [`Kind::found`] says so. [`Kind::guarantee`] states what
//! each kind promises (the README's table is made from the same words).
//!
//! **Adding a kind** is one new file here implementing [`Kind`] and one row in
//! [`KINDS`]; `sites.toml` then takes `kind = "<name>"`, and the kind's
//! [`Kind::check`] refuses its bad settings at build time, naming the key.

pub mod amocrm;
pub mod bitrix24;
pub mod email;
pub mod hubspot;
pub mod reach;
pub mod sample;
pub mod slack;
pub mod summary;
pub mod telegram;
pub mod text;
pub mod webhook;

use serde::de::DeserializeOwned;

use crate::delivery::state_after;
use crate::delivery::DeliveryState;
use crate::site::{Destination, Site};
use crate::wire::Lead;

/// Every kind, by the name `sites.toml` gives it. One row per kind.
pub static KINDS: &[(&str, &dyn Kind)] = &[
    ("webhook", &webhook::Webhook),
    ("bitrix24", &bitrix24::Bitrix24),
    ("amocrm", &amocrm::AmoCrm),
    ("telegram", &telegram::Telegram),
    ("email", &email::Email),
    ("hubspot", &hubspot::HubSpot),
    ("slack", &slack::Slack),
];

/// The kind named `name`, if there is one.
pub fn kind(name: &str) -> Option<&'static dyn Kind> {
    KINDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

/// Reads a Worker secret by name; `None` when it is not set.
pub type SecretFn<'a> = &'a dyn Fn(&str) -> Option<String>;

/// One lead for one destination, with what building its request needs.
pub struct Delivery<'a> {
    pub lead: &'a Lead,
    pub site: &'a Site,
    pub destination: &'a Destination,
    pub secret: SecretFn<'a>,
    /// Unix seconds of this attempt (signatures carry it).
    pub now_secs: i64,
}

impl Delivery<'_> {
    /// The destination's settings, as the kind's own struct.
    pub fn settings<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        settings(self.destination)
    }

    /// The same, refused as one `config` problem when `problems` finds any
    /// (the kind's [`Kind::check`] rules, joined by "; ").
    pub fn checked_settings<T: DeserializeOwned>(&self, problems: Rules<T>) -> Result<T, Problem> {
        let settings = self.settings()?;
        let wrong = problems(&settings, self.destination);
        if wrong.is_empty() {
            Ok(settings)
        } else {
            Err(Problem::new("config", wrong.join("; ")))
        }
    }

    /// A secret named in the settings, or the problem naming it (never its value).
    pub fn secret_value(&self, name: &str) -> Result<String, Problem> {
        (self.secret)(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| Problem::new("secret_missing", format!("the Worker secret {name} is not set")))
    }

    /// The endpoint from `url` or from the secret `url_secret` names, else `default`.
    pub fn endpoint(
        &self,
        url: &Option<String>,
        url_secret: &Option<String>,
        default: Option<&str>,
    ) -> Result<String, Problem> {
        match (url, url_secret, default) {
            (Some(url), _, _) => Ok(url.clone()),
            (None, Some(name), _) => self.secret_value(name),
            (None, None, Some(default)) => Ok(default.to_owned()),
            (None, None, None) => Err(Problem::new("config", "the destination has no url")),
        }
    }

    /// The endpoint from `url` or `url_secret`, as `shape` reads it (`None`:
    /// not the address the kind needs). A wrong one is a problem that says
    /// `expected` and names where it came from, never the value: it may hold
    /// a token.
    pub fn endpoint_shaped(
        &self,
        url: &Option<String>,
        url_secret: &Option<String>,
        shape: fn(&str) -> Option<String>,
        expected: &str,
    ) -> Result<String, Problem> {
        shape(&self.endpoint(url, url_secret, None)?).ok_or_else(|| match url_secret {
            Some(name) if url.is_none() => Problem::new("secret_invalid", format!("{name}: {expected}")),
            _ => Problem::new("config", format!("url: {expected}")),
        })
    }
}

/// Why a request could not be built. `code` is fixed; `detail` never holds a
/// secret's value or a URL (product URLs carry tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub detail: String,
}

impl Problem {
    pub fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            code,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

/// The destination's settings (every key but the common ones) as `T`, or a
/// `config` problem whose detail starts with the key it is about
/// (`source_id: invalid type: …`): plain serde names a key only when it is
/// unknown or missing. `T` should be `#[serde(deny_unknown_fields)]`.
pub fn settings<T: DeserializeOwned>(destination: &Destination) -> Result<T, Problem> {
    let map: serde_json::Map<String, serde_json::Value> = destination
        .settings
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_path_to_error::deserialize(serde_json::Value::Object(map)).map_err(|e| {
        let detail = match e.path().to_string().as_str() {
            "." => e.inner().to_string(),
            path => format!("{path}: {}", e.inner()),
        };
        Problem::new("config", detail)
    })
}

/// A kind's rules for its settings: everything wrong with them, each naming its key.
pub type Rules<T> = fn(&T, &Destination) -> Vec<String>;

/// What [`Kind::check`] reports for a kind whose rules are `problems`: the
/// settings' reading problem, else everything `problems` finds.
pub fn check_settings<T: DeserializeOwned>(destination: &Destination, problems: Rules<T>) -> Vec<String> {
    match settings(destination) {
        Ok(settings) => problems(&settings, destination),
        Err(e) => vec![e.detail],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// An HTTP request ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl std::fmt::Debug for Request {
    // The URL or a header may carry a token: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Request({} ***)", self.method.as_str())
    }
}

impl Request {
    pub fn post_json(url: String, body: &serde_json::Value) -> Request {
        Request {
            method: Method::Post,
            url,
            headers: vec![("content-type", "application/json".to_owned()), user_agent()],
            body: Some(body.to_string()),
        }
    }

    pub fn header(mut self, name: &'static str, value: String) -> Request {
        self.headers.push((name, value));
        self
    }
}

/// Our `user-agent`, on every request.
pub fn user_agent() -> (&'static str, String) {
    ("user-agent", concat!("Leadwire/", env!("CARGO_PKG_VERSION")).to_owned())
}

/// What came back from the product.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    /// The `Retry-After` header, read as seconds.
    pub retry_after_secs: Option<u64>,
    pub body: &'a str,
}

/// What an answer means for the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again later; `after_secs` is the product's own wait, if it gave one.
    Retry {
        after_secs: Option<u64>,
        reason: String,
    },
    /// Refused for good; replay after fixing what `reason` says.
    Failed {
        reason: String,
    },
    /// The destination cannot take anything (revoked token, blocked bot, 410):
    /// stop sending to it until an operator re-enables it.
    Disable {
        reason: String,
    },
}

impl Outcome {
    /// The answer as plain HTTP says it, for products that say nothing more.
    pub fn from_status(answer: &Answer) -> Outcome {
        let reason = || format!("answered HTTP {}", answer.status);
        match state_after(Some(answer.status)) {
            DeliveryState::Delivered => Outcome::Delivered,
            DeliveryState::Pending => Outcome::Retry {
                after_secs: answer.retry_after_secs,
                reason: reason(),
            },
            DeliveryState::Failed => Outcome::Failed { reason: reason() },
            DeliveryState::Disabled => Outcome::Disable { reason: reason() },
        }
    }

    /// The same verdict and wait, with `reason` in place of the one it had.
    pub fn with_reason(self, reason: String) -> Outcome {
        match self {
            Outcome::Delivered => Outcome::Delivered,
            Outcome::Retry { after_secs, .. } => Outcome::Retry { after_secs, reason },
            Outcome::Failed { .. } => Outcome::Failed { reason },
            Outcome::Disable { .. } => Outcome::Disable { reason },
        }
    }
}

/// What one of a product's documented answers means, before the answer's own
/// wait and words are added: the rows of each kind's table of answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Delivered,
    /// Retry after the answer's own wait, else after this many seconds (else the schedule's wait).
    Retry(Option<u64>),
    /// Retry no sooner than this many seconds, whatever the answer's own wait.
    RetryNoSooner(u64),
    Failed,
    Disable,
}

impl Act {
    /// The outcome, with the answer's own wait (`Retry-After`, or the
    /// product's own field for it) and the product's words.
    pub fn outcome(self, after_secs: Option<u64>, reason: String) -> Outcome {
        match self {
            Act::Delivered => Outcome::Delivered,
            Act::Retry(wait) => Outcome::Retry {
                after_secs: after_secs.or(wait),
                reason,
            },
            Act::RetryNoSooner(wait) => Outcome::Retry {
                after_secs: Some(after_secs.unwrap_or(0).max(wait)),
                reason,
            },
            Act::Failed => Outcome::Failed { reason },
            Act::Disable => Outcome::Disable { reason },
        }
    }
}

/// Whether a lookup found the lead at the product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Yes,
    No,
    /// The lookup itself failed: send as if not found is unsafe, so wait.
    Unknown(String),
}

/// What a kind promises about duplicates, for the README's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarantee {
    /// The receiver de-duplicates on a key we send (webhook-id, an idempotency key).
    ExactlyOnce,
    /// After an unknown outcome the product is asked first; a lead is sent
    /// again only when the product says it does not have it.
    LookupFirst,
    /// A retry after an unknown outcome may show the lead twice.
    AtLeastOnce,
}

/// One kind of destination. See the module's doc for adding one.
pub trait Kind: Sync {
    /// Problems with the destination's settings, each naming its key
    /// (`"chat: …"`), as `sites.toml`'s check reports them.
    fn check(&self, destination: &Destination) -> Vec<String>;

    /// The request that delivers the lead.
    fn request(&self, delivery: &Delivery) -> Result<Request, Problem>;

    /// What the product's answer to [`Kind::request`] means.
    fn classify(&self, answer: &Answer) -> Outcome;

    /// A request asking the product whether it already has the lead, for
    /// kinds that can be asked.
    fn lookup(&self, _delivery: &Delivery) -> Option<Result<Request, Problem>> {
        None
    }

    /// What the answer to [`Kind::lookup`] says.
    fn found(&self, _answer: &Answer) -> Found {
        Found::Unknown("this kind cannot be asked".into())
    }

    fn guarantee(&self) -> Guarantee;
}

/// Cuts `text` to at most `max` characters, ending with "…" when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::fixtures::destination;
    use super::*;

    #[test]
    fn every_kinds_settings_errors_name_the_key() {
        for (name, kind) in KINDS {
            let problems = kind.check(&destination(&format!("id = \"d\"\nkind = \"{name}\"\nurl = 7")));
            assert_eq!(
                problems,
                vec!["url: invalid type: integer `7`, expected a string".to_owned()],
                "{name}"
            );
        }
        // A kind's own reader for one key is named by that key once.
        let email = destination("id = \"d\"\ntoken_secret = \"T\"\nfrom = \"a@b.example\"\nto = 7");
        let hubspot = destination("id = \"d\"\nform_guid = \"x\"\nportal_id = true");
        assert_eq!(
            (email::Email.check(&email), hubspot::HubSpot.check(&hubspot)),
            (
                vec!["to: expected an address or a list of addresses".to_owned()],
                vec!["portal_id: expected the portal's number".to_owned()]
            )
        );
    }
}
