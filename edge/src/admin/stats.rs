//! `GET /v1/admin/stats?site=&since=&until=&by=[&channel=]`: a site's leads
//! and funnel over whole days of its zone, grouped one way (`lead::stats`),
//! optionally of one channel only (the console's leads per day by channel).

use jiff::tz::TimeZone;
use lead::site::Site;
use lead::stats::{report, By, Period, Report};
use lead::wire::FieldError;
use worker::{Env, Request};

use super::{refused, AdminError, Answer};
use crate::answer;
use crate::settings::now_ms;
use crate::store::stats::{StatsQuery, StatsStore};
use crate::store::StoreError;

/// What the query string asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StatsParams {
    pub site: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub by: By,
    /// Only leads and funnel counts of this channel (`''` for none).
    pub channel: Option<String>,
}

impl StatsParams {
    pub fn read<K: AsRef<str>, V: AsRef<str>>(pairs: impl Iterator<Item = (K, V)>) -> Result<Self, FieldError> {
        let (mut site, mut since, mut until, mut by, mut channel) = (None, None, None, By::Day, None);
        for (key, value) in pairs {
            let value = value.as_ref().to_owned();
            match key.as_ref() {
                "site" => site = Some(value),
                "since" => since = Some(value),
                "until" => until = Some(value),
                "channel" => channel = Some(value),
                "by" => {
                    by = By::parse(&value).ok_or_else(|| {
                        FieldError::new(
                            "by",
                            "invalid",
                            "One of channel, source, campaign, mode, destination, day.",
                        )
                    })?
                }
                other => {
                    return Err(FieldError::new(
                        other,
                        "invalid",
                        "Unknown parameter; use site, since, until, by, channel.",
                    ))
                }
            }
        }
        let site = site
            .filter(|s| !s.is_empty())
            .ok_or_else(|| FieldError::new("site", "required", "Name the site: site=<id>."))?;
        Ok(StatsParams {
            site,
            since,
            until,
            by,
            channel,
        })
    }
}

/// The zone a site's days are counted in: its business hours', else UTC.
pub(crate) fn zone_of(site: &Site) -> TimeZone {
    site.hours
        .as_ref()
        .and_then(|h| TimeZone::get(&h.time_zone).ok())
        .unwrap_or(TimeZone::UTC)
}

pub(crate) enum ReportError {
    Field(FieldError),
    Store(StoreError),
}

/// The report, from counts the store aggregates.
pub(crate) async fn build(
    store: &impl StatsStore,
    params: &StatsParams,
    zone: &TimeZone,
    now_ms: i64,
) -> Result<Report, ReportError> {
    let period =
        Period::new(params.since.as_deref(), params.until.as_deref(), zone, now_ms).map_err(ReportError::Field)?;
    let query = StatsQuery {
        site: params.site.clone(),
        from_ms: period.from_ms,
        to_ms: period.to_ms,
        since: period.since.to_string(),
        until: period.until.to_string(),
        offsets: period.offsets(),
        channel: params.channel.clone(),
    };
    let leads = store.lead_counts(&query, params.by).await.map_err(ReportError::Store)?;
    // By destination a lead may count in two rows: the total counts it once.
    let per_lead = match params.by {
        By::Destination => Some(store.lead_counts(&query, By::Mode).await.map_err(ReportError::Store)?),
        _ => None,
    };
    let funnel = store
        .funnel_counts(&query, params.by)
        .await
        .map_err(ReportError::Store)?;
    Ok(report(
        &params.site,
        params.by,
        &period,
        &leads,
        per_lead.as_deref(),
        &funnel,
    ))
}

pub(super) async fn stats(req: &Request, env: &Env, store: &impl StatsStore) -> Answer {
    let params = StatsParams::read(req.url()?.query_pairs()).map_err(refused)?;
    let Some(site) = crate::sites::get(env, &params.site).await? else {
        return Ok(answer::field_error(
            404,
            "site_not_found",
            "No such site.",
            FieldError::new("site", "not_found", "No such site."),
        )?);
    };
    match build(store, &params, &zone_of(&site), now_ms()).await {
        Ok(report) => Ok(answer::json(200, &report)?),
        Err(ReportError::Field(field)) => Err(refused(field)),
        Err(ReportError::Store(e)) => Err(AdminError::Store(e)),
    }
}

#[cfg(test)]
mod tests;
