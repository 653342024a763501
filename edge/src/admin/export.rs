//! `GET /v1/admin/leads.csv`: the inbox's filters, every matching lead as
//! CSV (`lead::export`), streamed page by page (keyset on received_at, id),
//! so 100,000 leads take no more memory than one page of them.

use futures_util::stream::{self, Stream, StreamExt};
use jiff::tz::TimeZone;
use lead::export::{head, rows, Delimiter, Record};
use lead::wire::Lead;
use worker::{Env, Request, Response};

use super::stats::zone_of;
use super::{bad_field, filter_param, Answer};
use crate::settings::now_ms;
use crate::store::admin::LeadFilter;
use crate::store::stats::{next_cursor, ExportedLead, StatsStore};
use crate::store::{self, StoreError};

/// Leads read (and written) at a time.
pub(crate) const PAGE: u32 = 500;

pub(super) async fn leads_csv(req: &Request, env: &Env) -> Answer {
    let mut filter = LeadFilter {
        limit: PAGE,
        ..Default::default()
    };
    let mut delimiter = Delimiter::Semicolon;
    for (key, value) in req.url()?.query_pairs() {
        if key == "delimiter" {
            delimiter =
                Delimiter::parse(&value).ok_or_else(|| bad_field("delimiter", "semicolon (the default) or comma."))?;
        } else if !filter_param(&mut filter, &key, &value)? {
            return Err(bad_field(
                &key,
                "Unknown parameter; use site, state, since, until, kind, channel, spam, delimiter.",
            ));
        }
    }
    // Local times in the site's zone; across sites (or a site no longer served), UTC.
    let zone = match filter.site.as_deref() {
        Some(id) => crate::sites::get(env, id).await?.map(|s| zone_of(&s)),
        None => None,
    }
    .unwrap_or(TimeZone::UTC);
    let filename = file_name(filter.site.as_deref(), now_ms());
    let body = csv(store::open(env)?, filter, delimiter, zone)
        .map(|chunk| chunk.map_err(|e| worker::Error::RustError(format!("storage: {}", e.0))));
    let mut response = Response::from_stream(body)?;
    let headers = response.headers_mut();
    headers.set("content-type", "text/csv; charset=utf-8")?;
    headers.set("content-disposition", &format!("attachment; filename=\"{filename}\""))?;
    headers.set("cache-control", "no-store")?;
    Ok(response)
}

/// `leads-<site>-<day>.csv`, the site id kept to characters safe in a header.
fn file_name(site: Option<&str>, now_ms: i64) -> String {
    let day = lead::stats::day_of(now_ms, &TimeZone::UTC);
    let site: String = site
        .unwrap_or("all")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(64)
        .collect();
    format!("leads-{site}-{day}.csv")
}

enum Next {
    Head(LeadFilter),
    Page(LeadFilter),
    Done,
}

/// The file as chunks: the BOM and header, then one chunk per page. A page
/// that cannot be read ends the stream with the error (the download breaks
/// off rather than look complete).
pub(crate) fn csv<S: StatsStore + 'static>(
    store: S,
    filter: LeadFilter,
    delimiter: Delimiter,
    zone: TimeZone,
) -> impl Stream<Item = Result<Vec<u8>, StoreError>> {
    stream::unfold((store, Next::Head(filter)), move |(store, next)| {
        let zone = zone.clone();
        async move {
            match next {
                Next::Head(filter) => Some((Ok(head(delimiter)), (store, Next::Page(filter)))),
                Next::Page(filter) => match store.export_page(&filter).await {
                    Ok(page) => {
                        let next = match next_cursor(&page, filter.limit) {
                            Some(cursor) => Next::Page(LeadFilter {
                                cursor: Some(cursor),
                                ..filter
                            }),
                            None => Next::Done,
                        };
                        Some((Ok(page_rows(&page, delimiter, &zone)), (store, next)))
                    }
                    Err(e) => Some((Err(e), (store, Next::Done))),
                },
                Next::Done => None,
            }
        }
    })
}

/// A page's rows. A stored lead that no longer decodes (never written so) is left out.
fn page_rows(page: &[ExportedLead], delimiter: Delimiter, zone: &TimeZone) -> Vec<u8> {
    let leads: Vec<(&ExportedLead, Lead)> = page
        .iter()
        .filter_map(|e| Some((e, serde_json::from_str(&e.lead).ok()?)))
        .collect();
    let records: Vec<Record> = leads
        .iter()
        .map(|(e, lead)| Record {
            lead,
            spam: e.spam,
            spam_reason: e.spam_reason.as_deref(),
            delivery: e.delivery,
            zone,
        })
        .collect();
    rows(delimiter, &records)
}

#[cfg(test)]
mod tests;
