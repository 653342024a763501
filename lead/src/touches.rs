//! Keeping the visitor's touches between page views, as the widget does in
//! localStorage: the first touch, the last non-direct touch, the visit count.
//!
//! [`record_page_view`] is called on every page view with what is stored (if
//! anything) and returns what to store. Its rules, after sourcebuster.js
//! (first / current cookies) and Yandex Metrica (sources decided at a visit's
//! start):
//!
//! * The **first touch** is the first page view seen, whatever it came from,
//!   and is never overwritten until expiry.
//! * The **last touch** is the latest arrival that carried a source. A direct
//!   visit never overwrites it, nor does a page reached from the same site.
//! * A **visit** ends after [`TouchRules::visit_timeout_ms`] without a page
//!   view (30 minutes). Inside a visit only a tagged page view (utm tags or a
//!   click id: an ad clicked in the same session) or an arrival from a search
//!   engine (a search click, as sourcebuster.js and last-click attribution
//!   count it) is a new touch; any other referrer mid-visit is not, since it
//!   is most often a payment page or a login coming back (GA's "referral
//!   exclusion" problem; the sign-in and payment pages on search engines'
//!   domains are rows of their own in the host table). Neither starts a new
//!   visit (GA4 sessions do not split on campaigns).
//! * Everything is forgotten [`TouchRules::expiry_ms`] (180 days by default)
//!   after the last page view, as an analytics cookie refreshed on each visit.
//!
//! Only [`crate::attribution::signal`] is used here, not the full host table,
//! so the widget stays small; the collector classifies what it receives.

use crate::attribution::signal::{arrival, bounded_url, Arrival};
use crate::json::{int, member, object, Read, View};
use crate::wire::{Touch, Touches};

/// What the widget keeps, as JSON, between page views. Members it does not
/// know are ignored, so a newer widget's state is still read.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTouches {
    pub touches: Touches,
    /// The last page view, in ms since the Unix epoch: a visit's clock.
    pub last_seen_ms: i64,
    /// When everything is forgotten, in ms since the Unix epoch.
    pub expires_at_ms: i64,
}

impl StoredTouches {
    /// Reads what the widget stored; `None` for anything unreadable. Also
    /// reads the bare [`Touches`] the first widget stored: its last page view
    /// is taken to be its latest touch, and it expires by the current rules.
    pub fn read<V: View>(v: &V) -> Option<StoredTouches> {
        if let (Some(touches), Some(last_seen_ms), Some(expires_at_ms)) =
            (member(v, "touches"), int(v, "last_seen_ms"), int(v, "expires_at_ms"))
        {
            return Some(StoredTouches {
                touches,
                last_seen_ms,
                expires_at_ms,
            });
        }
        let touches = Touches::read(v)?;
        let last_seen_ms = [&touches.first, &touches.last]
            .into_iter()
            .filter_map(|t| t.as_ref().and_then(|t| t.at))
            .max()?;
        Some(StoredTouches {
            touches,
            last_seen_ms,
            expires_at_ms: i64::MAX,
        })
    }

    /// The JSON [`Self::read`] reads.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(512);
        object(&mut out, |o| {
            o.key("touches").object(|o| self.touches.write(o));
            o.int("last_seen_ms", self.last_seen_ms);
            o.int("expires_at_ms", self.expires_at_ms);
        });
        out
    }
}

/// One page view, as the browser reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageView {
    /// `location.href`.
    pub url: String,
    /// `document.referrer`; empty and absent mean the same.
    pub referrer: Option<String>,
    /// The site's host (`location.hostname`): referrers on it or its
    /// subdomains are internal.
    pub site_host: String,
}

/// The site's settings for keeping touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TouchRules {
    /// Idle time after which the next page view starts a new visit.
    pub visit_timeout_ms: i64,
    /// Time after the last page view after which everything starts over.
    pub expiry_ms: i64,
}

impl TouchRules {
    /// GA4's and Yandex Metrica's session timeout.
    pub const DEFAULT_VISIT_TIMEOUT_MS: i64 = 30 * 60 * 1000;
    /// sourcebuster.js's cookie lifetime, and about HubSpot's.
    pub const DEFAULT_EXPIRY_DAYS: u32 = 180;

    /// The defaults with the site's own expiry.
    pub fn with_expiry_days(days: u32) -> TouchRules {
        TouchRules {
            visit_timeout_ms: Self::DEFAULT_VISIT_TIMEOUT_MS,
            expiry_ms: i64::from(days) * 24 * 60 * 60 * 1000,
        }
    }
}

impl Default for TouchRules {
    fn default() -> Self {
        TouchRules::with_expiry_days(Self::DEFAULT_EXPIRY_DAYS)
    }
}

/// Records one page view at `now_ms` and returns what to store.
///
/// Edge cases, decided:
/// * Nothing stored, a stored state without a first touch, or an expired one
///   (by its own `expires_at_ms` or by `rules`, whichever is sooner, so a
///   shortened setting applies at once): starts over as a first visit.
/// * The first page view is the first touch; it is also the last touch when
///   it carries a source (tagged or from another site), so `last` always
///   names the latest source. A first view from the same site (storage
///   cleared mid-visit) is kept as the first touch but is not a source.
/// * A clock that went backwards (`now_ms` before `last_seen_ms`) continues
///   the visit rather than starting one.
/// * A tagged page view or a search click is a new touch even when it repeats
///   the last one (a bookmarked ad link is a new arrival from that ad).
/// * Stored URLs are cut with [`bounded_url`], keeping the tags.
pub fn record_page_view(
    stored: Option<StoredTouches>,
    view: &PageView,
    now_ms: i64,
    rules: &TouchRules,
) -> StoredTouches {
    let arrived = arrival(&view.url, view.referrer.as_deref(), &view.site_host);
    let touch = || Touch {
        url: bounded_url(&view.url),
        referrer: view
            .referrer
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(bounded_url),
        at: Some(now_ms),
    };
    let expires_at_ms = now_ms.saturating_add(rules.expiry_ms);
    let live = stored.filter(|s| {
        let expires = s.expires_at_ms.min(s.last_seen_ms.saturating_add(rules.expiry_ms));
        s.touches.first.is_some() && now_ms < expires
    });
    let Some(mut kept) = live else {
        let first = touch();
        let carries_source = matches!(arrived, Arrival::Tagged | Arrival::Searched | Arrival::Referred);
        return StoredTouches {
            touches: Touches {
                last: carries_source.then(|| first.clone()),
                first: Some(first),
                visits: Some(1),
            },
            last_seen_ms: now_ms,
            expires_at_ms,
        };
    };
    let new_visit = now_ms.saturating_sub(kept.last_seen_ms) > rules.visit_timeout_ms;
    if new_visit {
        kept.touches.visits = Some(kept.touches.visits.unwrap_or(1).max(1).saturating_add(1));
    }
    let new_touch = match arrived {
        Arrival::Tagged | Arrival::Searched => true,
        Arrival::Referred => new_visit,
        Arrival::Internal | Arrival::Direct => false,
    };
    if new_touch {
        kept.touches.last = Some(touch());
    }
    kept.last_seen_ms = now_ms;
    kept.expires_at_ms = expires_at_ms;
    kept
}

#[cfg(test)]
mod tests;
