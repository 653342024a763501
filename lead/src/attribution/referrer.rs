//! Referrers and hosts: parsing them leniently, matching them to the host
//! table, and showing them as sources.

use url::Url;

use super::rules::{Host, HOSTS};
use super::signal::{bounded_url, host_matches};
use crate::limits::{self, truncate};

pub(super) enum Referrer {
    Absent,
    Unusable,
    /// `host` is the package name for an `android-app://` referrer (`app`).
    Usable {
        url: Url,
        host: String,
        app: bool,
    },
}

impl Referrer {
    pub(super) fn read(raw: Option<&str>) -> Referrer {
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            return Referrer::Absent;
        };
        let Ok(url) = Url::parse(raw).map(without_credentials) else {
            return Referrer::Unusable;
        };
        if !matches!(url.scheme(), "http" | "https" | "android-app") {
            return Referrer::Unusable;
        }
        // android-app hosts are opaque to the url crate: not lowercased for us.
        let host = url.host_str().unwrap_or_default().to_lowercase();
        let host = host.trim_end_matches('.').to_owned();
        if host.is_empty() {
            return Referrer::Unusable;
        }
        let app = url.scheme() == "android-app";
        Referrer::Usable { url, host, app }
    }

    /// The host table's row for this referrer.
    pub(super) fn known(&self) -> Option<(usize, &'static Host)> {
        match self {
            Referrer::Usable { host, app, .. } => lookup_host(host, *app),
            _ => None,
        }
    }

    pub(super) fn url(&self) -> Option<&Url> {
        match self {
            Referrer::Usable { url, .. } => Some(url),
            _ => None,
        }
    }

    /// The query a search engine referrer carries, by that engine's parameter.
    pub(super) fn search_term(&self) -> Option<String> {
        let (Referrer::Usable { url, .. }, Some((_, row))) = (self, self.known()) else {
            return None;
        };
        row.query.iter().find_map(|param| {
            url.query_pairs()
                .find(|(name, value)| name == param && !value.trim().is_empty())
                .map(|(_, value)| truncate(value.trim(), limits::ATTRIBUTION_VALUE))
        })
    }
}

/// Userinfo never belongs in a lead (browsers strip it from referrers too).
pub(super) fn without_credentials(mut url: Url) -> Url {
    // Fails only for URLs that cannot have credentials: nothing to remove.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

/// Only web pages are landing pages; a relative or malformed URL is kept as
/// sent, since it is the best we have.
pub(super) fn landing_page(raw: &str, parsed: Option<&Url>) -> Option<String> {
    let raw = raw.trim();
    match parsed {
        _ if raw.is_empty() => None,
        Some(url) if matches!(url.scheme(), "http" | "https") => Some(bounded_url(url.as_str())),
        Some(_) => None,
        None => Some(bounded_url(raw)),
    }
}

/// A host as a source: no `www.`, international names in their own script.
pub(super) fn display_host(host: &str) -> String {
    let host = host.strip_prefix("www.").unwrap_or(host);
    let host = if host.split('.').any(|label| label.starts_with("xn--")) {
        let (unicode, result) = idna::domain_to_unicode(host);
        if result.is_ok() {
            unicode
        } else {
            host.to_owned()
        }
    } else {
        host.to_owned()
    };
    truncate(&host, limits::ATTRIBUTION_VALUE)
}

/// The first row matching a web host, or an app's package when `app`.
pub(super) fn lookup_host(host: &str, app: bool) -> Option<(usize, &'static Host)> {
    HOSTS
        .iter()
        .enumerate()
        .find(|(_, row)| host_matches(host, app, row.pattern))
}
