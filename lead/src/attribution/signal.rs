//! What a page view says about how the visitor arrived, read from the raw
//! strings without a URL parser or the host tables: the widget runs this on
//! every page view and ships it to the browser, so it stays small. The
//! collector classifies the touches it keeps with the full rules.

use url::form_urlencoded;

use super::limits;
use super::rules::{CLICK_IDS, UTM};
use crate::validate::truncate;

/// How a page view arrived, as far as keeping touches is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The landing URL carries utm tags or a click id: an ad or campaign click.
    Tagged,
    /// From another site (or app), untagged.
    Referred,
    /// From a page of the same site: a step inside the visit.
    Internal,
    /// No usable referrer and no tags.
    Direct,
}

/// Classifies a page view for touch keeping. `site_host` is the site's host;
/// when empty, the landing URL's host stands in.
pub fn arrival(url: &str, referrer: Option<&str>, site_host: &str) -> Arrival {
    if is_tagged(url) {
        return Arrival::Tagged;
    }
    let Some(from) = referrer.and_then(host) else {
        return Arrival::Direct;
    };
    let site = if site_host.trim().is_empty() {
        host(url).unwrap_or_default()
    } else {
        site_host
    };
    if same_site(from, site) {
        Arrival::Internal
    } else {
        Arrival::Referred
    }
}

/// True when the URL's query has a non-blank utm parameter or click id.
pub fn is_tagged(url: &str) -> bool {
    pairs(url).any(|(name, value)| is_attribution_param(&name) && !value.trim().is_empty())
}

/// The decoded query pairs of a URL, read leniently: broken percent-encoding
/// stays as typed, a relative or malformed URL still yields its query.
pub fn pairs(url: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query(url).as_bytes())
}

/// Between the first `?` and the fragment.
fn query(url: &str) -> &str {
    let before_fragment = url.split('#').next().unwrap_or_default();
    before_fragment.split_once('?').map_or("", |(_, q)| q)
}

/// A utm parameter or click id: what a URL must keep to stay attributable.
pub fn is_attribution_param(name: &str) -> bool {
    ATTRIBUTION_PARAMS.contains(&name)
}

/// The tables' parameter names alone, copied at compile time: the widget
/// needs only these, and reading the tables at run time would ship their
/// other columns (sources, the rules' descriptions) to every visitor.
const ATTRIBUTION_PARAMS: [&str; UTM.len() + CLICK_IDS.len()] = {
    let mut names = [""; UTM.len() + CLICK_IDS.len()];
    let mut i = 0;
    while i < UTM.len() {
        names[i] = UTM[i].param;
        i += 1;
    }
    let mut j = 0;
    while j < CLICK_IDS.len() {
        names[UTM.len() + j] = CLICK_IDS[j].param;
        j += 1;
    }
    names
};

/// The host of an `http`, `https` or `android-app` URL (the app's package for
/// the latter), without userinfo or port; `None` for anything else.
pub fn host(url: &str) -> Option<&str> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let known = ["http", "https", "android-app"];
    if !known.iter().any(|k| scheme.eq_ignore_ascii_case(k)) {
        return None;
    }
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    Some(host).filter(|h| !h.is_empty())
}

/// A host as compared for "same site": lower case, no port, no trailing dot,
/// no leading `www.`.
pub fn site_key(host: &str) -> String {
    // ASCII only: browsers send hosts in punycode, and Unicode case tables
    // would cost the widget 3 KB.
    let host = host.trim().to_ascii_lowercase();
    let host = match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => name.to_owned(),
        _ => host,
    };
    let host = host.trim_end_matches('.');
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

/// True when `host` is the site's host or one of its subdomains.
pub fn same_site(host: &str, site_host: &str) -> bool {
    let (host, site) = (site_key(host), site_key(site_host));
    !site.is_empty() && within(&host, &site)
}

/// True when `host` is `domain` or a subdomain of it.
pub fn within(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

/// A URL cut to [`limits::URL`] characters. An over-long URL keeps its
/// address (path cut to [`limits::PATH`]) and only its utm parameters and
/// click ids, so an ad click survives a 10 KB query; the rest is lost.
pub fn bounded_url(raw: &str) -> String {
    let raw = raw.trim();
    if raw.len() <= limits::URL || raw.chars().count() <= limits::URL {
        return raw.to_owned();
    }
    let mut kept = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs(raw).filter(|(name, _)| is_attribution_param(name)) {
        kept.append_pair(&name, &truncate(&value, limits::CLICK_ID));
    }
    let kept = kept.finish();
    if kept.is_empty() {
        return truncate(raw, limits::URL);
    }
    let address = raw.split(['?', '#']).next().unwrap_or_default();
    truncate(&format!("{}?{kept}", truncate(address, limits::PATH)), limits::URL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals() {
        use Arrival::*;
        let cases: &[(&str, Option<&str>, &str, Arrival)] = &[
            ("https://s.example/?utm_source=x", None, "s.example", Tagged),
            (
                "https://s.example/?gclid=Cj0",
                Some("https://s.example/a"),
                "s.example",
                Tagged,
            ),
            ("https://s.example/?utm_source=%20", None, "s.example", Direct),
            ("https://s.example/?UTM_SOURCE=x", None, "s.example", Direct),
            ("https://s.example/#?utm_source=x", None, "s.example", Direct),
            ("https://s.example/", Some("https://google.com/"), "s.example", Referred),
            (
                "https://s.example/",
                Some("android-app://org.telegram.messenger/"),
                "s.example",
                Referred,
            ),
            (
                "https://s.example/",
                Some("https://www.S.example:443/x"),
                "s.example",
                Internal,
            ),
            (
                "https://s.example/",
                Some("https://blog.s.example/"),
                "s.example",
                Internal,
            ),
            (
                "https://s.example/",
                Some("https://user:pw@s.example/"),
                "s.example",
                Internal,
            ),
            (
                "https://s.example/",
                Some("https://s.example.evil.io/"),
                "s.example",
                Referred,
            ),
            (
                "https://s.example/",
                Some("https://evils.example/"),
                "s.example",
                Referred,
            ),
            ("https://s.example/", Some("https://s.example/"), "", Internal),
            ("https://s.example/", Some("javascript:alert(1)"), "s.example", Direct),
            ("https://s.example/", Some("data:text/html,hi"), "s.example", Direct),
            ("https://s.example/", Some("/relative"), "s.example", Direct),
            ("https://s.example/", Some(""), "s.example", Direct),
            ("https://s.example/", None, "s.example", Direct),
            ("https://[::1]:8080/", Some("http://[::1]/"), "", Internal),
        ];
        for (url, referrer, site, want) in cases {
            assert_eq!(
                arrival(url, *referrer, site),
                *want,
                "{url} from {referrer:?} on {site}"
            );
        }
    }

    #[test]
    fn long_urls_keep_their_tags() {
        let noise = "x".repeat(10_000);
        let url = format!("https://s.example/p?noise={noise}&utm_source=yandex&gclid=AbC-1_z");
        assert_eq!(bounded_url(&url), "https://s.example/p?utm_source=yandex&gclid=AbC-1_z");
        let long_path = format!("https://s.example/{noise}?utm_source=vk");
        assert_eq!(
            bounded_url(&long_path).chars().count(),
            limits::PATH + "?utm_source=vk".len()
        );
        let untagged = format!("https://s.example/{noise}");
        assert_eq!(bounded_url(&untagged).chars().count(), limits::URL);
        assert_eq!(bounded_url(" https://s.example/ "), "https://s.example/");
        let wide = "я".repeat(limits::URL + 10);
        assert_eq!(bounded_url(&wide).chars().count(), limits::URL);
    }
}
