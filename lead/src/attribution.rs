//! Where a lead came from: utm tags first, then the referrer.
//!
//! The widget sends raw touches; the collector classifies them here, so the
//! rules improve without touching any site. Rules are tables; the first row
//! that matches decides.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::wire::{Page, Touch, Touches};

/// Marketing channel, after GA4's default channel group plus Yandex Metrica's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    PaidSearch,
    OrganicSearch,
    PaidSocial,
    OrganicSocial,
    Email,
    Referral,
    Display,
    Affiliate,
    Messenger,
    Direct,
    Internal,
    Unassigned,
}

/// The source of a lead as delivered to destinations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub channel: Channel,
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub term: Option<String>,
    pub content: Option<String>,
    pub referrer: Option<String>,
    pub landing_page: Option<String>,
}

/// utm_medium values (lower case) and the channel each means.
/// Source: GA4 default channel group; Yandex Metrica's paid mediums.
const MEDIUM_CHANNELS: &[(&str, Channel)] = &[
    ("cpc", Channel::PaidSearch),
    ("ppc", Channel::PaidSearch),
    ("paidsearch", Channel::PaidSearch),
    ("organic", Channel::OrganicSearch),
    ("social", Channel::OrganicSocial),
    ("social-network", Channel::OrganicSocial),
    ("social-media", Channel::OrganicSocial),
    ("sm", Channel::OrganicSocial),
    ("email", Channel::Email),
    ("e-mail", Channel::Email),
    ("e_mail", Channel::Email),
    ("referral", Channel::Referral),
    ("display", Channel::Display),
    ("cpm", Channel::Display),
    ("banner", Channel::Display),
    ("affiliate", Channel::Affiliate),
    ("messenger", Channel::Messenger),
];

/// Referrer hosts (a label of the host, lower case) and what they are.
const SEARCH_ENGINES: &[&str] = &["google", "yandex", "ya", "bing", "yahoo", "duckduckgo"];
const SOCIAL_NETWORKS: &[&str] = &["vk", "ok", "facebook", "instagram", "t.co", "twitter", "x", "linkedin"];

/// Classifies a lead from the visitor's touches, falling back to the page itself.
pub fn attribute(touches: &Touches, page: &Page) -> Attribution {
    let deciding = touches.last.as_ref().or(touches.first.as_ref());
    let fallback;
    let touch = match deciding {
        Some(t) => t,
        None => {
            fallback = Touch {
                url: page.url.clone(),
                referrer: page.referrer.clone(),
                at: None,
            };
            &fallback
        }
    };
    classify(touch)
}

/// Classifies one touch.
pub fn classify(touch: &Touch) -> Attribution {
    let landing = Url::parse(&touch.url).ok();
    let referrer = touch
        .referrer
        .as_deref()
        .filter(|r| !r.is_empty())
        .and_then(|r| Url::parse(r).ok())
        .filter(|r| matches!(r.scheme(), "http" | "https"));
    let mut out = Attribution {
        channel: Channel::Direct,
        source: None,
        medium: None,
        campaign: None,
        term: None,
        content: None,
        referrer: referrer.as_ref().map(|r| r.to_string()),
        landing_page: landing.as_ref().map(|l| l.to_string()),
    };
    if let Some(landing) = &landing {
        for (key, value) in landing.query_pairs() {
            let slot = match key.as_ref() {
                "utm_source" => &mut out.source,
                "utm_medium" => &mut out.medium,
                "utm_campaign" => &mut out.campaign,
                "utm_term" => &mut out.term,
                "utm_content" => &mut out.content,
                _ => continue,
            };
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value.into_owned());
            }
        }
    }
    if out.source.is_some() || out.medium.is_some() {
        out.channel = channel_for(out.source.as_deref(), out.medium.as_deref());
        return out;
    }
    let Some(host) = referrer
        .as_ref()
        .and_then(|r| r.host_str())
        .map(str::to_ascii_lowercase)
    else {
        return out;
    };
    let (channel, medium) = if is_one_of(&host, SEARCH_ENGINES) {
        (Channel::OrganicSearch, "organic")
    } else if is_one_of(&host, SOCIAL_NETWORKS) {
        (Channel::OrganicSocial, "social")
    } else {
        (Channel::Referral, "referral")
    };
    out.channel = channel;
    out.medium = Some(medium.to_owned());
    out.source = Some(host.trim_start_matches("www.").to_owned());
    out
}

fn channel_for(source: Option<&str>, medium: Option<&str>) -> Channel {
    let medium = medium.unwrap_or("").to_ascii_lowercase();
    let source = source.unwrap_or("").to_ascii_lowercase();
    let by_medium = MEDIUM_CHANNELS.iter().find(|(m, _)| *m == medium).map(|(_, c)| *c);
    match by_medium {
        Some(Channel::PaidSearch) if is_one_of(&source, SOCIAL_NETWORKS) => Channel::PaidSocial,
        Some(channel) => channel,
        None if is_one_of(&source, SEARCH_ENGINES) => Channel::OrganicSearch,
        None if is_one_of(&source, SOCIAL_NETWORKS) => Channel::OrganicSocial,
        None => Channel::Unassigned,
    }
}

/// True when `host` is a listed name or a host whose labels include it
/// (`google` matches `www.google.co.uk`; `t.co` matches `t.co`).
fn is_one_of(host: &str, names: &[&str]) -> bool {
    names.iter().any(|name| {
        if name.contains('.') {
            host == *name || host.ends_with(&format!(".{name}"))
        } else {
            host.split('.').any(|label| label == *name)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(url: &str, referrer: &str) -> Touch {
        Touch {
            url: url.to_owned(),
            referrer: Some(referrer.to_owned()),
            at: None,
        }
    }

    #[test]
    fn classifies_touches() {
        use Channel::*;
        let cases: &[(&str, &str, Channel, Option<&str>, Option<&str>)] = &[
            (
                "https://s.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring",
                "",
                PaidSearch,
                Some("yandex"),
                Some("cpc"),
            ),
            (
                "https://s.example/?utm_source=vk&utm_medium=cpc",
                "",
                PaidSocial,
                Some("vk"),
                Some("cpc"),
            ),
            (
                "https://s.example/?utm_source=news&utm_medium=email",
                "",
                Email,
                Some("news"),
                Some("email"),
            ),
            (
                "https://s.example/?utm_source=partner&utm_medium=Banner",
                "",
                Display,
                Some("partner"),
                Some("Banner"),
            ),
            (
                "https://s.example/?utm_source=partner",
                "",
                Unassigned,
                Some("partner"),
                None,
            ),
            (
                "https://s.example/",
                "https://www.google.com/",
                OrganicSearch,
                Some("google.com"),
                Some("organic"),
            ),
            (
                "https://s.example/",
                "https://yandex.ru/search/?text=x",
                OrganicSearch,
                Some("yandex.ru"),
                Some("organic"),
            ),
            (
                "https://s.example/",
                "https://vk.com/wall1",
                OrganicSocial,
                Some("vk.com"),
                Some("social"),
            ),
            (
                "https://s.example/",
                "https://blog.example.org/post",
                Referral,
                Some("blog.example.org"),
                Some("referral"),
            ),
            ("https://s.example/", "", Direct, None, None),
            ("https://s.example/", "javascript:alert(1)", Direct, None, None),
            ("not a url", "::", Direct, None, None),
        ];
        for (url, referrer, channel, source, medium) in cases {
            let got = classify(&touch(url, referrer));
            assert_eq!(
                (got.channel, got.source.as_deref(), got.medium.as_deref()),
                (*channel, *source, *medium),
                "{url} from {referrer}"
            );
        }
    }

    #[test]
    fn the_last_touch_decides_and_the_page_is_the_fallback() {
        let page = Page {
            url: "https://s.example/?utm_source=page&utm_medium=cpc".into(),
            title: None,
            referrer: None,
        };
        let empty = Touches::default();
        assert_eq!(attribute(&empty, &page).source.as_deref(), Some("page"));
        let touches = Touches {
            first: Some(touch("https://s.example/?utm_source=first&utm_medium=cpc", "")),
            last: Some(touch("https://s.example/?utm_source=last&utm_medium=cpc", "")),
            visits: Some(2),
        };
        assert_eq!(attribute(&touches, &page).source.as_deref(), Some("last"));
    }
}
