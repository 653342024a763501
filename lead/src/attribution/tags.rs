//! A landing URL's tags: utm parameters and click ids, `_openstat` decoded.

use std::collections::BTreeMap;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use super::classify::{Origin, Trail, Value};
use super::rules::{RowId, UtmField, CLICK_IDS, UTM};
use super::signal;
use crate::limits::{self, truncate};

/// The landing URL's utm tags and click ids.
#[derive(Default)]
pub(super) struct Tags {
    source: Option<String>,
    medium: Option<String>,
    campaign: Option<String>,
    pub(super) term: Option<String>,
    content: Option<String>,
    any_utm: bool,
    /// What the first click id (in table order) that names a source implies.
    implied: Option<Implied>,
}

struct Implied {
    param: &'static str,
    source: String,
    medium: Option<&'static str>,
    campaign: Option<String>,
    content: Option<String>,
}

pub(super) struct Tagged {
    pub(super) source: Option<Value>,
    pub(super) medium: Option<Value>,
    pub(super) campaign: Option<String>,
    pub(super) content: Option<String>,
}

impl Tags {
    pub(super) fn read(url: &str, click_ids: &mut BTreeMap<String, String>, trail: &mut Trail) -> Tags {
        let mut tags = Tags::default();
        let mut found = Vec::new();
        for (name, value) in signal::pairs(url) {
            if value.trim().is_empty() {
                continue;
            }
            if let Some((index, utm)) = UTM.iter().enumerate().find(|(_, u)| name == u.param) {
                tags.any_utm = true;
                let value = truncate(value.trim(), limits::ATTRIBUTION_VALUE);
                let slot = match utm.field {
                    UtmField::Source => &mut tags.source,
                    UtmField::Medium => &mut tags.medium,
                    UtmField::Campaign => &mut tags.campaign,
                    UtmField::Term => &mut tags.term,
                    UtmField::Content => &mut tags.content,
                    UtmField::Id => {
                        if !click_ids.contains_key(utm.param) {
                            trail.push(
                                RowId { table: "UTM", index },
                                format!("{name}={value} kept ({})", utm.follows),
                            );
                            click_ids.insert(utm.param.to_owned(), value);
                        }
                        continue;
                    }
                };
                if slot.is_none() {
                    trail.push(RowId { table: "UTM", index }, format!("{name}={value}"));
                    *slot = Some(value);
                }
            } else if let Some(index) = CLICK_IDS.iter().position(|c| name == c.param) {
                // Verbatim: click ids are case-sensitive tokens.
                if !click_ids.contains_key(CLICK_IDS[index].param) {
                    click_ids.insert(name.into_owned(), truncate(&value, limits::CLICK_ID));
                    found.push(index);
                }
            }
        }
        // Precedence by table order, whatever the order in the URL.
        found.sort_unstable();
        let utm_decides = tags.source.is_some() && tags.medium.is_some();
        for index in found {
            let row = &CLICK_IDS[index];
            let value = click_ids.get(row.param).cloned().unwrap_or_default();
            let implied = if row.openstat {
                openstat(&value, trail).and_then(|o| {
                    Some(Implied {
                        param: row.param,
                        source: o.service?,
                        medium: row.medium,
                        campaign: o.campaign,
                        content: o.ad,
                    })
                })
            } else {
                row.source.map(|source| Implied {
                    param: row.param,
                    source: source.to_owned(),
                    medium: row.medium,
                    campaign: None,
                    content: None,
                })
            };
            let step = match &implied {
                Some(i) if tags.implied.is_none() && !utm_decides => format!(
                    "{} → {} / {} ({})",
                    row.param,
                    i.source,
                    i.medium.unwrap_or("no medium"),
                    row.follows
                ),
                _ => format!("{} kept ({})", row.param, row.follows),
            };
            trail.push(
                RowId {
                    table: "CLICK_IDS",
                    index,
                },
                step,
            );
            if tags.implied.is_none() {
                tags.implied = implied;
            }
        }
        tags
    }

    /// The tags' source and medium when they decide: utm values win field by
    /// field, a click id fills what they leave out (as sourcebuster.js does).
    pub(super) fn decision(&self) -> Option<Tagged> {
        if !self.any_utm && self.implied.is_none() {
            return None;
        }
        let utm = |v: &Option<String>| v.as_ref().and_then(|text| Value::some(text, Origin::Utm));
        let implied = self.implied.as_ref();
        let by_click = |text: Option<&str>| {
            let param = implied.map_or("", |i| i.param);
            text.and_then(|text| Value::some(text, Origin::ClickId(param)))
        };
        Some(Tagged {
            source: utm(&self.source).or_else(|| by_click(implied.map(|i| i.source.as_str()))),
            medium: utm(&self.medium).or_else(|| by_click(implied.and_then(|i| i.medium))),
            campaign: self
                .campaign
                .clone()
                .or_else(|| implied.and_then(|i| i.campaign.clone())),
            content: self.content.clone().or_else(|| implied.and_then(|i| i.content.clone())),
        })
    }
}

struct Openstat {
    service: Option<String>,
    campaign: Option<String>,
    ad: Option<String>,
}

/// Padding optional, stray trailing bits tolerated: markers are hand-made.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const BASE64: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const BASE64_URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// `service;campaign;ad;source`, plain or base64 (whose `+` arrives as a space
/// once the query is decoded).
fn openstat(raw: &str, trail: &mut Trail) -> Option<Openstat> {
    let (text, how) = if raw.contains(';') {
        (raw.to_owned(), "openstat_plain")
    } else {
        let b64 = raw.trim().replace(' ', "+");
        let bytes = BASE64.decode(&b64).or_else(|_| BASE64_URL.decode(&b64)).ok()?;
        let text = String::from_utf8(bytes).ok().filter(|t| t.contains(';'))?;
        (text, "openstat_base64")
    };
    trail.fallback(
        how,
        format!("_openstat = {}", truncate(&text, limits::ATTRIBUTION_VALUE)),
    );
    let mut parts = text.split(';').map(|p| {
        Some(p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| truncate(p, limits::ATTRIBUTION_VALUE))
    });
    Some(Openstat {
        service: parts.next().flatten(),
        campaign: parts.next().flatten(),
        ad: parts.next().flatten(),
    })
}
