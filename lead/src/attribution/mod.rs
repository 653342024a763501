//! Where a lead came from.
//!
//! The model: the widget keeps the visitor's *touches* (arrivals on the site,
//! each a landing URL, a referrer and a time; see [`crate::touches`]) and sends
//! the first and the last non-direct one with the lead. The collector
//! classifies each touch here, so the rules improve without touching any site:
//!
//! 1. **Tags win.** utm parameters (`utm_source`, `utm_medium`, …) give the
//!    source, medium, campaign, term and content as written. A click id
//!    (`gclid`, `yclid`, `fbclid`, …) fills what they leave out with the
//!    platform it implies; `_openstat` markers are decoded.
//! 2. **Else the referrer decides:** a search engine (with the query when it
//!    carries one), a social network, a messenger, webmail, the site itself
//!    (internal, not a source) or any other site (referral).
//! 3. **Else it is direct**: source `(direct)`, medium `(none)`, as in GA4.
//!
//! The (source, medium) pair then maps to a [`Channel`] the way GA4's default
//! channel group does, with Yandex Metrica's paid mediums and messengers. All
//! rules are tables in [`rules`], each row naming the convention it follows;
//! [`explain`] says which rows decided. Classification never fails: absurd
//! input gives the best attribution it allows, every value cut to [`crate::limits`].

mod classify;
mod referrer;
pub mod rules;
pub mod signal;
mod tags;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::wire::{Page, Touch, Touches};
pub use rules::RowId;
pub use signal::bounded_url;

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

crate::wire_names::wire_names! {
    Channel {
        PaidSearch => "paid_search",
        OrganicSearch => "organic_search",
        PaidSocial => "paid_social",
        OrganicSocial => "organic_social",
        Email => "email",
        Referral => "referral",
        Display => "display",
        Affiliate => "affiliate",
        Messenger => "messenger",
        Direct => "direct",
        Internal => "internal",
        Unassigned => "unassigned",
    }
}

impl Channel {
    /// Direct and internal arrivals are not sources: they never decide over one.
    pub fn is_source(self) -> bool {
        !matches!(self, Channel::Direct | Channel::Internal)
    }
}

/// One touch, classified. Absent values are `null` on the wire, never missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub channel: Channel,
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub term: Option<String>,
    pub content: Option<String>,
    /// Every click id on the landing URL (and `utm_id`), name → value, verbatim.
    /// Defaulted so that leads stored before click ids existed still load.
    #[serde(default)]
    pub click_ids: BTreeMap<String, String>,
    /// The referrer, when it is a web or app address.
    pub referrer: Option<String>,
    /// The landing URL, when it is a web page (or unparseable: then as sent).
    pub landing_page: Option<String>,
}

/// A stored touch, classified, with its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifiedTouch {
    #[serde(flatten)]
    pub classification: Classification,
    /// RFC 3339, UTC, by the visitor's clock.
    pub at: Option<String>,
}

/// The source of a lead as delivered to destinations (`data.attribution`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The deciding touch: the last non-direct one, else the first, else the
    /// page the lead was sent from.
    #[serde(flatten)]
    pub deciding: Classification,
    pub first_touch: Option<ClassifiedTouch>,
    pub last_touch: Option<ClassifiedTouch>,
    pub visits: Option<u32>,
}

/// A classification and the rule rows behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    #[serde(flatten)]
    pub classification: Classification,
    /// The row that decided the channel, e.g. `utm_medium=cpc → paid_search (GA4: …)`.
    pub rule: String,
    /// Every row that applied, in order.
    pub trail: Vec<String>,
    /// The same rows, as table positions.
    #[serde(skip)]
    pub rows: Vec<RowId>,
}

/// Classifies a lead from the visitor's touches, falling back to the page itself.
pub fn attribute(touches: &Touches, page: &Page) -> Attribution {
    let first_touch = touches.first.as_ref().map(classify_touch);
    let last_touch = touches.last.as_ref().map(classify_touch);
    let deciding = last_touch
        .as_ref()
        .filter(|t| t.classification.channel.is_source())
        .or(first_touch.as_ref())
        .map(|t| t.classification.clone())
        .unwrap_or_else(|| {
            let page = Touch {
                url: page.url.clone(),
                referrer: page.referrer.clone(),
                at: None,
            };
            classify(&page, None)
        });
    Attribution {
        deciding,
        first_touch,
        last_touch,
        visits: touches.visits,
    }
}

/// Classifies one touch. A referrer on `site_host` or its subdomains is
/// internal; `None` takes the landing URL's host as the site's.
pub fn classify(touch: &Touch, site_host: Option<&str>) -> Classification {
    explain(touch, site_host).classification
}

/// Classifies one touch and says which rule rows decided.
pub fn explain(touch: &Touch, site_host: Option<&str>) -> Explanation {
    classify::explain(touch, site_host)
}

fn classify_touch(touch: &Touch) -> ClassifiedTouch {
    ClassifiedTouch {
        classification: classify(touch, None),
        at: touch
            .at
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map(|t| t.to_string()),
    }
}

#[cfg(test)]
mod cases;
