//! What a page view says about how the visitor arrived, read from the raw
//! strings without a URL parser and with only the few columns of the tables
//! it needs: the widget runs this on every page view and ships it to the
//! browser, so it stays small. The collector classifies the touches it keeps
//! with the full rules.

use url::form_urlencoded;

use super::rules::{Category, CLICK_IDS, HOSTS, UTM};
use crate::limits::{self, truncate};

/// How a page view arrived, as far as keeping touches is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The landing URL carries utm tags or a click id: an ad or campaign click.
    Tagged,
    /// From a search engine's results (or app), untagged: a search click.
    Searched,
    /// From any other site (or app), untagged.
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
    } else if referrer.is_some_and(is_search_engine) {
        Arrival::Searched
    } else {
        Arrival::Referred
    }
}

/// True when the collector takes this referrer for a search engine: the
/// first row of the host table that matches it is a search row.
pub fn is_search_engine(referrer: &str) -> bool {
    let Some(from) = host(referrer) else {
        return false;
    };
    let app = referrer
        .trim()
        .get(.."android-app://".len())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("android-app://"));
    let from = site_key(from);
    SEARCH_ROWS
        .iter()
        .find(|(pattern, _)| host_matches(&from, app, pattern))
        .is_some_and(|(_, search)| *search)
}

/// `domain` matches it and its subdomains; `brand.*` matches the brand under
/// a one-label suffix (google.de) or a short second level (google.co.uk,
/// google.com.tr), and their subdomains, but not google.evil.com;
/// `android-app://package` matches that app only. `host` is lower case.
pub fn host_matches(host: &str, app: bool, pattern: &str) -> bool {
    if let Some(package) = pattern.strip_prefix("android-app://") {
        return app && host == package;
    }
    if app {
        return false;
    }
    let Some(brand) = pattern.strip_suffix(".*") else {
        return within(host, pattern);
    };
    (1..=2).any(|labels| {
        let mut cut = host.len();
        for _ in 0..labels {
            match host[..cut].rfind('.') {
                Some(dot) => cut = dot,
                None => return false,
            }
        }
        let (name, suffix) = (&host[..cut], &host[cut + 1..]);
        let short_second_level = labels == 1 || suffix.split('.').next().is_some_and(|l| l.len() <= 3);
        short_second_level && within(name, brand)
    })
}

/// The host table's rows that tell a search click, in table order, as
/// (pattern, is a search engine): every search row, and every row before one
/// that may match the same hosts (mail.google.com is webmail, not Google
/// search), so the first match is the collector's. Copied at compile time,
/// as [`ATTRIBUTION_PARAMS`] are, so the rest of the table stays out of the widget.
pub const SEARCH_ROWS: [(&str, bool); search_rows_needed()] = {
    let mut rows = [("", false); search_rows_needed()];
    let (mut i, mut kept) = (0, 0);
    while i < HOSTS.len() {
        if tells_search(i) {
            rows[kept] = (HOSTS[i].pattern, is_search(i));
            kept += 1;
        }
        i += 1;
    }
    rows
};

const fn is_search(row: usize) -> bool {
    matches!(HOSTS[row].category, Category::Search)
}

/// A search row, or a row before a search row whose hosts it may share.
const fn tells_search(row: usize) -> bool {
    if is_search(row) {
        return true;
    }
    let pattern = HOSTS[row].pattern.as_bytes();
    let mut later = row + 1;
    while later < HOSTS.len() {
        let engine = HOSTS[later].pattern.as_bytes();
        if is_search(later) && (has_labels(pattern, engine) || has_labels(engine, pattern)) {
            return true;
        }
        later += 1;
    }
    false
}

const fn search_rows_needed() -> usize {
    let (mut i, mut n) = (0, 0);
    while i < HOSTS.len() {
        if tells_search(i) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// True when `b`'s labels appear whole in `a` ("mail.google.com" has
/// "google"), a trailing `.*` ignored: the patterns may then match one host.
const fn has_labels(a: &[u8], b: &[u8]) -> bool {
    let (a_len, b_len) = (without_wildcard(a), without_wildcard(b));
    let mut start = 0;
    while start + b_len <= a_len {
        let bounded = (start == 0 || a[start - 1] == b'.') && (start + b_len == a_len || a[start + b_len] == b'.');
        let mut i = 0;
        while bounded && i < b_len && a[start + i] == b[i] {
            i += 1;
        }
        if bounded && i == b_len {
            return true;
        }
        start += 1;
    }
    false
}

const fn without_wildcard(pattern: &[u8]) -> usize {
    let n = pattern.len();
    if n >= 2 && pattern[n - 2] == b'.' && pattern[n - 1] == b'*' {
        n - 2
    } else {
        n
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
pub const ATTRIBUTION_PARAMS: [&str; UTM.len() + CLICK_IDS.len()] = {
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
/// address (path cut to [`limits::URL_PATH`]) and only its utm parameters and
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
    truncate(&format!("{}?{kept}", truncate(address, limits::URL_PATH)), limits::URL)
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
            (
                "https://s.example/",
                Some("https://partner.example/"),
                "s.example",
                Referred,
            ),
            ("https://s.example/", Some("https://google.com/"), "s.example", Searched),
            (
                "https://s.example/",
                Some("https://WWW.Google.CO.UK./search?q=x"),
                "s.example",
                Searched,
            ),
            ("https://s.example/", Some("https://yandex.ru/"), "s.example", Searched),
            ("https://s.example/", Some("https://ya.ru/"), "s.example", Searched),
            (
                "https://s.example/",
                Some("android-app://com.google.android.googlequicksearchbox/"),
                "s.example",
                Searched,
            ),
            (
                "https://s.example/",
                Some("https://www.bing.com/"),
                "s.example",
                Searched,
            ),
            (
                "https://s.example/",
                Some("https://mail.google.com/"),
                "s.example",
                Referred,
            ),
            (
                "https://s.example/",
                Some("https://zen.yandex.ru/"),
                "s.example",
                Referred,
            ),
            (
                "https://s.example/",
                Some("https://accounts.google.com/"),
                "s.example",
                Referred,
            ),
            (
                "https://s.example/",
                Some("https://passport.yandex.ru/"),
                "s.example",
                Referred,
            ),
            (
                "https://s.example/",
                Some("https://google.evil.com/"),
                "s.example",
                Referred,
            ),
            ("https://google.com/", Some("https://www.google.com/"), "", Internal),
            (
                "https://s.example/?utm_source=x",
                Some("https://yandex.ru/"),
                "s.example",
                Tagged,
            ),
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
            limits::URL_PATH + "?utm_source=vk".len()
        );
        let untagged = format!("https://s.example/{noise}");
        assert_eq!(bounded_url(&untagged).chars().count(), limits::URL);
        assert_eq!(bounded_url(" https://s.example/ "), "https://s.example/");
        let wide = "я".repeat(limits::URL + 10);
        assert_eq!(bounded_url(&wide).chars().count(), limits::URL);
    }
}
