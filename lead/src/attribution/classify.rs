//! The classifier: one touch in; its classification, the row that decided the
//! channel and every row that applied out. The rules are in [`super::rules`];
//! this file walks them; [`super::tags`] and [`super::referrer`] read the input.

use std::collections::BTreeMap;

use url::Url;

use super::referrer::{display_host, landing_page, lookup_host, without_credentials, Referrer};
use super::rules::{self, Category, RowId, When, ALIASES, CHANNELS, HOSTS};
use super::signal::{self, bounded_url, same_site};
use super::tags::Tags;
use super::{Channel, Classification, Explanation};
use crate::wire::Touch;

/// Classifies `touch`; a referrer within `site_host` (default: the landing
/// URL's host) is internal.
pub(super) fn explain(touch: &Touch, site_host: Option<&str>) -> Explanation {
    let mut trail = Trail::default();
    let landing = Url::parse(touch.url.trim()).ok().map(without_credentials);
    let referrer = Referrer::read(touch.referrer.as_deref());
    let mut click_ids = BTreeMap::new();
    let tags = Tags::read(&touch.url, &mut click_ids, &mut trail);
    let site = site_host
        .map(str::to_owned)
        .or_else(|| landing.as_ref().and_then(|u| u.host_str()).map(str::to_owned))
        .or_else(|| signal::host(&touch.url).map(str::to_owned))
        .unwrap_or_default();
    let mut out = Classification {
        channel: Channel::Unassigned,
        source: None,
        medium: None,
        campaign: None,
        term: None,
        content: None,
        click_ids,
        referrer: referrer.url().map(|u| bounded_url(u.as_str())),
        landing_page: landing_page(&touch.url, landing.as_ref()),
    };

    let (source, medium, category) = if let Some(tagged) = tags.decision() {
        out.campaign = tagged.campaign;
        out.content = tagged.content;
        out.term = tags.term.clone().or_else(|| {
            let term = referrer.search_term()?;
            trail.fallback("term_from_referrer", format!("term {term} from the search referrer"));
            Some(term)
        });
        let category = tagged.source.as_ref().and_then(|s| category_of(&s.text, &mut trail));
        (tagged.source, tagged.medium, category)
    } else {
        match &referrer {
            Referrer::Absent | Referrer::Unusable => {
                if matches!(referrer, Referrer::Unusable) {
                    trail.fallback("unusable_referrer", "referrer ignored".into());
                }
                trail.fallback("no_referrer", "source (direct), medium (none)".into());
                let direct = |text: &str| Value::some(text, Origin::Fallback);
                (direct("(direct)"), direct("(none)"), None)
            }
            Referrer::Usable { host, .. } if same_site(host, &site) => {
                // Not a source, so no channel row: the site's own pages.
                let (row, rule) = rules::fallback("own_host");
                let why = format!("referrer {host} is the site's own → internal ({})", rule.follows);
                trail.push(row, why.clone());
                out.channel = Channel::Internal;
                out.source = Some(display_host(host));
                return trail.finish(out, why);
            }
            Referrer::Usable { host, .. } => {
                let from = |text: String| Value::some(text, Origin::Referrer);
                match referrer.known() {
                    Some((index, row)) => {
                        let source = row.source.map_or_else(|| display_host(host), str::to_owned);
                        let medium = row.category.referrer_medium();
                        let (pattern, follows) = (row.pattern, row.follows);
                        let step = format!("referrer {host} matches {pattern} → {source} / {medium} ({follows})");
                        trail.push(RowId { table: "HOSTS", index }, step);
                        out.term = referrer.search_term();
                        (from(source), from(medium.into()), Some(row.category))
                    }
                    None => {
                        let source = display_host(host);
                        trail.fallback("other_host", format!("{source} / referral"));
                        (from(source), from("referral".into()), None)
                    }
                }
            }
        }
    };
    let (index, rule, why) = channel_rule(source.as_ref(), medium.as_ref(), category);
    let why = format!("{why} → {} ({})", rule.channel.as_str(), rule.follows);
    trail.push(
        RowId {
            table: "CHANNELS",
            index,
        },
        why.clone(),
    );
    out.channel = rule.channel;
    out.source = source.map(|s| s.text);
    out.medium = medium.map(|m| m.text);
    trail.finish(out, why)
}

/// The rows that applied, in order, each with a line for people.
#[derive(Default)]
pub(super) struct Trail {
    rows: Vec<RowId>,
    steps: Vec<String>,
}

impl Trail {
    pub(super) fn push(&mut self, row: RowId, step: String) {
        self.rows.push(row);
        self.steps.push(step);
    }

    pub(super) fn fallback(&mut self, id: &str, what: String) {
        let (row, rule) = rules::fallback(id);
        self.push(row, format!("{what}: {} ({})", rule.does, rule.follows));
    }

    fn finish(self, classification: Classification, rule: String) -> Explanation {
        Explanation {
            classification,
            rule,
            trail: self.steps,
            rows: self.rows,
        }
    }
}

/// Where a source or medium came from, so the explanation can say.
#[derive(Debug, Clone, Copy)]
pub(super) enum Origin {
    Utm,
    ClickId(&'static str),
    Referrer,
    Fallback,
}

#[derive(Debug, Clone)]
pub(super) struct Value {
    pub(super) text: String,
    pub(super) origin: Origin,
}

impl Value {
    pub(super) fn some(text: impl Into<String>, origin: Origin) -> Option<Value> {
        Some(Value {
            text: text.into(),
            origin,
        })
    }

    fn describe(value: Option<&Value>, field: &str) -> String {
        match value {
            None => format!("no {field}"),
            Some(Value {
                text,
                origin: Origin::Utm,
            }) => format!("utm_{field}={text}"),
            Some(Value {
                text,
                origin: Origin::ClickId(param),
            }) => format!("{field} {text} (from {param})"),
            Some(Value {
                text,
                origin: Origin::Referrer,
            }) => format!("{field} {text} (from the referrer)"),
            Some(Value {
                text,
                origin: Origin::Fallback,
            }) => format!("{field} {text}"),
        }
    }
}

/// What kind of site a tagged source names: as a host, or by one of its words.
fn category_of(source: &str, trail: &mut Trail) -> Option<Category> {
    let lower = source.trim().to_lowercase();
    if lower.contains('.') {
        if let Some((index, row)) = lookup_host(&lower, false) {
            trail.push(
                RowId { table: "HOSTS", index },
                format!(
                    "source {source} matches {}: {} ({})",
                    row.pattern,
                    row.category.describe(),
                    row.follows
                ),
            );
            return Some(row.category);
        }
    }
    for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let found = match HOSTS.iter().position(|h| h.source == Some(word)) {
            Some(index) => Some((
                RowId { table: "HOSTS", index },
                HOSTS[index].category,
                HOSTS[index].follows,
            )),
            None => ALIASES.iter().position(|a| a.name == word).map(|index| {
                let row = &ALIASES[index];
                (
                    RowId {
                        table: "ALIASES",
                        index,
                    },
                    row.category,
                    row.follows,
                )
            }),
        };
        if let Some((row, category, follows)) = found {
            let named = if word == lower {
                String::new()
            } else {
                format!(" by {word}")
            };
            trail.push(
                row,
                format!("source {source} is {}{named} ({follows})", category.describe()),
            );
            return Some(category);
        }
    }
    None
}

/// The first channel row that matches, with why it matched.
fn channel_rule(
    source: Option<&Value>,
    medium: Option<&Value>,
    category: Option<Category>,
) -> (usize, &'static rules::ChannelRule, String) {
    let s = source.map(|v| v.text.trim().to_lowercase()).unwrap_or_default();
    let m = medium.map(|v| v.text.trim().to_lowercase()).unwrap_or_default();
    let src = || Value::describe(source, "source");
    let med = || Value::describe(medium, "medium");
    let is = |c: Category| format!("{} is {}", src(), c.describe());
    for (index, rule) in CHANNELS.iter().enumerate() {
        let in_category = |list: &[Category]| category.filter(|c| list.contains(c));
        let why = match rule.when {
            When::SourceAndMedium(sources, mediums) => (sources.contains(&s.as_str()) && mediums.contains(&m.as_str()))
                .then(|| format!("{}, {}", src(), med())),
            When::CategoryAndMedium(list, mediums) => in_category(list)
                .filter(|_| mediums.contains(&m.as_str()))
                .map(|c| format!("{} and {}", is(c), med())),
            When::Medium(mediums) => mediums.contains(&m.as_str()).then(med),
            When::CategoryOrMedium(list, mediums) => match in_category(list) {
                Some(c) => Some(is(c)),
                None => mediums.contains(&m.as_str()).then(med),
            },
            When::Category(list) => in_category(list).map(is),
            When::SourceOrMedium(names) => {
                if names.contains(&m.as_str()) {
                    Some(med())
                } else {
                    names.contains(&s.as_str()).then(src)
                }
            }
            When::Always => Some(format!("{}, {}: no rule matches", src(), med())),
        };
        if let Some(why) = why {
            return (index, rule, why);
        }
    }
    // The last row always matches; this only keeps the function total.
    let index = CHANNELS.len() - 1;
    (index, &CHANNELS[index], "no rule matches".into())
}
