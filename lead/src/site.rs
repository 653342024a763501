//! Sites as configured in `sites.toml`: who may send leads, and where they go.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::attribution::Channel;
use crate::wire::{Lead, LeadKind};

mod checks;
mod etag;
mod patch;

pub use checks::{SiteProblem, MAX_SECRET_BYTES};
pub use etag::{etag, etag_matches};
pub use patch::merge_patch;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SitesFile {
    #[serde(rename = "site", default)]
    pub sites: Vec<Site>,
}

#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// What the snippet's `data-site` names.
    pub id: String,
    /// Exact origins (`scheme://host[:port]`) allowed to post leads from a browser.
    pub origins: Vec<String>,
    /// ISO 3166-1 alpha-2 country used to read national phone numbers.
    pub default_country: String,
    #[serde(rename = "destination", default)]
    pub destinations: Vec<Destination>,
    #[serde(default)]
    pub attribution: AttributionSettings,
    /// Business hours for callbacks; none: always answered "as soon as we can".
    #[serde(default)]
    pub hours: Option<crate::hours::BusinessHours>,
    #[serde(default)]
    pub widget: crate::widget::WidgetSettings,
    /// Cloudflare Turnstile: the widget renders it, the collector verifies its token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile: Option<crate::turnstile::TurnstileSettings>,
    /// Days a lead is kept after it was received; the sweeper then deletes it
    /// with its deliveries and attempts (never while a delivery is pending).
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// Leads per client and per phone number (`[site.limits]`).
    #[serde(default)]
    pub limits: crate::rate::Limits,
    /// Values of the secrets its destinations name (`url_secret`, `token_secret`,
    /// `secret`), found before the Worker's own secrets. Through the admin API
    /// they are stored encrypted; the file should leave them to Worker secrets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, String>,
}

/// By hand: a secret's value never reaches a log line, only its name.
impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("id", &self.id)
            .field("origins", &self.origins)
            .field("default_country", &self.default_country)
            .field("destinations", &self.destinations)
            .field("attribution", &self.attribution)
            .field("hours", &self.hours)
            .field("widget", &self.widget)
            .field("turnstile", &self.turnstile)
            .field("retention_days", &self.retention_days)
            .field("limits", &self.limits)
            .field(
                "secrets",
                &self.secrets.keys().map(|k| (k, "***")).collect::<BTreeMap<_, _>>(),
            )
            .finish()
    }
}

fn default_retention_days() -> u32 {
    crate::privacy::DEFAULT_RETENTION_DAYS
}

/// How the widget keeps the visitor's touches for this site.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AttributionSettings {
    /// Write touches to localStorage on every page view (`true`), or only once
    /// the visitor has interacted with the widget (`false`, the default: some
    /// sites need consent first under GDPR or 152-FZ).
    #[serde(default)]
    pub capture_before_interaction: bool,
    /// Days after the last page view when the touches are forgotten.
    #[serde(default = "default_expiry_days")]
    pub expiry_days: u32,
}

fn default_expiry_days() -> u32 {
    180
}

impl Default for AttributionSettings {
    fn default() -> Self {
        AttributionSettings {
            capture_before_interaction: false,
            expiry_days: default_expiry_days(),
        }
    }
}

/// One place the site's leads are forwarded to: a kind of product
/// ([`crate::destination::KINDS`]), which leads it takes, and the kind's own
/// settings (every other key, checked by the kind).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Destination {
    /// Short, stable name; part of the `webhook-id`, so never rename a live one.
    pub id: String,
    /// `webhook` (the default), `bitrix24`, `amocrm`, `telegram`, `email`, `hubspot`, `slack`.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Only leads of these kinds (empty: every kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<LeadKind>,
    /// Only leads from these channels (empty: every channel).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// The site's own form fields → the product's custom fields
    /// (Bitrix24 `UF_CRM_*`, amoCRM field ids, HubSpot property names).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// The kind's own keys (url, secrets by name, chat, …).
    #[serde(flatten)]
    pub settings: BTreeMap<String, serde_json::Value>,
}

fn default_kind() -> String {
    "webhook".to_owned()
}

impl Destination {
    /// Whether this destination takes `lead` (its `kinds` and `channels` filters).
    pub fn takes(&self, lead: &Lead) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&lead.kind))
            && (self.channels.is_empty() || self.channels.contains(&lead.attribution.deciding.channel))
    }
}

/// What the widget may know about a site: nothing secret.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PublicConfig {
    pub site: String,
    pub default_country: String,
    pub attribution: AttributionSettings,
    #[serde(default)]
    pub widget: crate::widget::WidgetSettings,
    /// For the visitor's time zone and language, when the site has hours.
    #[serde(default)]
    pub callback: Option<crate::widget::CallbackTimes>,
    /// When the site uses Cloudflare Turnstile: what the widget renders it with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnstile: Option<crate::turnstile::WidgetTurnstile>,
}

impl Site {
    /// The configuration without the time-dependent part (`callback` is `None`).
    pub fn public_config(&self) -> PublicConfig {
        PublicConfig {
            site: self.id.clone(),
            default_country: self.default_country.clone(),
            attribution: self.attribution.clone(),
            widget: self.widget.clone(),
            callback: None,
            turnstile: self.turnstile.as_ref().map(|t| t.public()),
        }
    }

    /// The configuration a visitor in `visitor_tz` (IANA; unknown or absent:
    /// the site's zone) gets at `now`, with the callback times when the site
    /// has hours, in the dialog's language: the widget's configured locale,
    /// else `lang` (what the widget chose from the page), else English.
    pub fn public_config_at(&self, now: jiff::Timestamp, visitor_tz: Option<&str>, lang: Option<&str>) -> PublicConfig {
        let locale = crate::widget::dialog_locale(crate::widget::LanguageHints {
            configured: self.widget.locale.as_deref(),
            asked: lang,
            ..Default::default()
        });
        PublicConfig {
            callback: self
                .hours
                .as_ref()
                .map(|hours| crate::widget::callback_times(hours, now, visitor_tz.unwrap_or(""), locale)),
            ..self.public_config()
        }
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

impl SitesFile {
    pub fn site(&self, id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == id)
    }
}

fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str) -> Site {
        Site {
            id: id.into(),
            origins: vec!["https://shop.example".into()],
            default_country: "RU".into(),
            destinations: vec![toml::from_str(
                r#"id = "crm"
                   url = "https://crm.example/hook"
                   secret = "CRM_SECRET""#,
            )
            .expect("a destination")],
            attribution: AttributionSettings::default(),
            hours: None,
            widget: Default::default(),
            turnstile: None,
            retention_days: crate::privacy::DEFAULT_RETENTION_DAYS,
            limits: Default::default(),
            secrets: Default::default(),
        }
    }

    #[test]
    fn a_good_file_has_no_problems() {
        let file = SitesFile {
            sites: vec![site("shop")],
        };
        assert_eq!(file.problems(), Vec::<String>::new());
        assert!(file
            .site("shop")
            .is_some_and(|s| s.allows_origin("https://shop.example")));
        assert!(file
            .site("shop")
            .is_some_and(|s| !s.allows_origin("https://evil.example")));
    }

    #[test]
    fn the_public_config_carries_callback_times_only_with_hours() {
        let now: jiff::Timestamp = "2025-11-24T10:00:00+03:00".parse().expect("a time");
        let mut shop = site("shop");
        assert_eq!(
            shop.public_config_at(now, Some("Asia/Vladivostok"), Some("ru"))
                .callback,
            None
        );
        shop.hours = serde_json::from_str(r#"{"time_zone": "Europe/Moscow", "week": {"mon": ["09:00-18:00"]}}"#)
            .expect("hours parse");
        let promise = |shop: &Site, tz, lang| {
            shop.public_config_at(now, tz, lang)
                .callback
                .map(|c| (c.open, c.promise))
        };
        let (en, ru) = ("We'll call you within 15 minutes", "Перезвоним в течение 15 минут");
        assert_eq!(
            promise(&shop, Some("Asia/Vladivostok"), Some("en")),
            Some((true, en.into()))
        );
        assert_eq!(promise(&shop, None, Some("ru-RU")), Some((true, ru.into())));
        assert_eq!(promise(&shop, None, None), Some((true, en.into())));
        // A configured locale is the dialog's language, whatever the page asked for.
        shop.widget.locale = Some("ru".into());
        assert_eq!(
            promise(&shop, Some("Asia/Vladivostok"), Some("en")),
            Some((true, ru.into()))
        );
        assert_eq!(promise(&shop, None, None), Some((true, ru.into())));
    }

    #[test]
    fn every_problem_is_reported() {
        let mut bad = site("Shop!");
        bad.default_country = "ZZ".into();
        bad.origins = vec!["shop.example/".into()];
        bad.destinations[0].settings.insert("url_secret".into(), "ALSO".into());
        bad.hours = Some(crate::hours::BusinessHours {
            time_zone: "Mars/Olympus".into(),
            week: Default::default(),
            holidays: vec![],
            special_days: Default::default(),
            answer_within_minutes: 15,
            slot_minutes: 30,
            lead_time_minutes: 15,
        });
        bad.widget.theme.color = "red".into();
        bad.turnstile = Some(crate::turnstile::TurnstileSettings {
            action: "no spaces".into(),
            ..toml::from_str(
                r#"site_key = "k"
                   secret = "S""#,
            )
            .expect("turnstile settings")
        });
        bad.retention_days = 0;
        bad.limits.client.leads = 0;
        let file = SitesFile {
            sites: vec![bad, site("shop"), site("shop")],
        };
        let problems = file.problems();
        for needle in [
            "site \"Shop!\": hours: time_zone \"Mars/Olympus\"",
            "site \"Shop!\": widget.theme.color",
            "must be 1-64",
            "listed twice",
            "ZZ",
            "scheme://host",
            "exactly one of url",
            "site \"Shop!\": turnstile.action \"no spaces\"",
            "retention_days must be 1 to 3650",
            "site \"Shop!\": limits.client.leads must be 1 to",
        ] {
            assert!(
                problems.iter().any(|p| p.contains(needle)),
                "{needle} not in {problems:#?}"
            );
        }
    }

    /// A destination's address is checked whatever its kind (SSRF), and the
    /// problem never repeats the address, which may carry a token.
    #[test]
    fn a_destination_may_not_point_into_a_private_network() {
        for (url, code) in [
            ("http://169.254.169.254/latest/meta-data/", "address_private"),
            ("https://10.1.2.3/hook?token=s3cr3t", "address_private"),
            ("http://crm.example/hook", "address_not_https"),
            ("https://metadata.google.internal/", "address_private"),
        ] {
            let mut shop = site("shop");
            shop.destinations[0].settings.insert("url".into(), url.into());
            let problems = SitesFile { sites: vec![shop] }.problems();
            assert_eq!(problems.len(), 1, "{url}: {problems:?}");
            assert!(
                problems[0].contains(code) && !problems[0].contains("s3cr3t"),
                "{problems:?}"
            );
        }
        let mut local = site("shop");
        local.destinations[0]
            .settings
            .insert("url".into(), "http://127.0.0.1:9100/hook".into());
        assert_eq!(SitesFile { sites: vec![local] }.problems(), Vec::<String>::new());
    }
}
