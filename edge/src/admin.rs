//! The admin API under `/v1/admin/`, for operators and support: find leads,
//! see every attempt, replay. Bearer token from the `ADMIN_TOKEN` secret;
//! without it the admin API is off.
//!
//! - `GET  /v1/admin/leads?site=&state=&since=&until=&kind=&channel=&limit=&cursor=&spam=`
//! - `GET  /v1/admin/leads.csv?` the same filters `&delimiter=semicolon|comma`: streamed CSV (admin/export.rs)
//! - `GET  /v1/admin/stats?site=&since=&until=&by=`: counts and the funnel (admin/stats.rs)
//! - `GET  /v1/admin/leads/{id}`
//! - `POST /v1/admin/leads/{id}/replay[?destination=]`
//! - `POST /v1/admin/leads/{id}/release`: send a lead held as spam or for review
//! - `POST /v1/admin/replay` with `{"since": …, "site"?: …, "destination"?: …}`
//! - `GET  /v1/admin/destinations`
//! - `POST /v1/admin/sites/{site}/destinations/{id}/enable` (or `/disable`)
//! - `POST /v1/admin/sites/{site}/destinations/{id}/test`: send one test lead there now (not stored)
//! - `GET  /v1/admin/attribute?url=&referrer=`: how a landing URL is classified, and by which rule
//! - `DELETE /v1/admin/leads/{id}`: erase one lead with its deliveries and attempts
//! - `POST /v1/admin/erase` with `{"id"|"phone"|"email": …, "site"?: …, "country"?: …}`: erase every lead of a contact

use lead::attribution::Channel;
use lead::delivery::DeliveryState;
use lead::wire::{FieldError, LeadKind};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use worker::{Env, Method, Request, Response, Result};

mod export;
mod sites;
mod stats;
mod test_lead;

use crate::answer;
use crate::deliver::enqueue;
use crate::privacy::{self, ErasureRequest, Subject, ERASE_BATCH};
use crate::settings::{now_ms, secret_or_var};
use crate::store::admin::{AdminStore, Cursor, LeadFilter};
use crate::store::privacy::PrivacyStore;
use crate::store::{self, DeliveryKey, LeadStore, StoreError};

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

pub async fn handle(mut req: Request, env: Env, path: &[&str]) -> Result<Response> {
    if let Some(refused) = authorize(&req, &env)? {
        return Ok(refused);
    }
    let store = store::open(&env);
    let store = match store {
        Ok(store) => store,
        Err(e) => return answer::error(503, "unavailable", &format!("storage: {}", e.0), vec![]),
    };
    let result = match (req.method(), path) {
        (Method::Get, ["leads"]) => list(&req, &store).await,
        (Method::Get, ["leads", id]) => detail(id, &store).await,
        (Method::Delete, ["leads", id]) => erase_one(id, &store).await,
        (Method::Post, ["erase"]) => erase(&mut req, &env, &store).await,
        (Method::Post, ["leads", id, "replay"]) => replay_one(&req, id, &env, &store).await,
        (Method::Post, ["leads", id, "release"]) => release(id, &env, &store).await,
        (Method::Post, ["replay"]) => replay_since(&mut req, &env, &store).await,
        (Method::Get, ["destinations"]) => destinations(&store).await,
        (Method::Get, ["attribute"]) => attribute(&req),
        (Method::Post, ["sites", site, "destinations", id, action @ ("enable" | "disable")]) => {
            switch_destination(site, id, *action == "enable", &env, &store).await
        }
        (Method::Get, ["stats"]) => stats::stats(&req, &env, &store).await,
        (Method::Get, ["leads.csv"]) => export::leads_csv(&req, &env).await,
        (Method::Post, ["sites", site, "destinations", id, "test"]) => test_lead::handle(&env, site, id).await,
        (_, ["sites", rest @ ..]) => sites::handle(&mut req, &env, rest, &store).await,
        _ => return answer::error(404, "not_found", "No such admin route.", vec![]),
    };
    result.or_else(|e: AdminError| match e {
        AdminError::Answer(response) => Ok(response),
        AdminError::Store(e) => answer::error(503, "unavailable", &format!("storage: {}", e.0), vec![]),
        AdminError::Worker(e) => Err(e),
    })
}

pub(crate) enum AdminError {
    Answer(Response),
    Store(StoreError),
    Worker(worker::Error),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::Store(e)
    }
}

impl From<worker::Error> for AdminError {
    fn from(e: worker::Error) -> Self {
        AdminError::Worker(e)
    }
}

pub(crate) type Answer = std::result::Result<Response, AdminError>;

fn bad_field(field: &str, message: &str) -> AdminError {
    match answer::field_error(400, "invalid", message, FieldError::new(field, "invalid", message)) {
        Ok(response) => AdminError::Answer(response),
        Err(e) => AdminError::Worker(e),
    }
}

/// A 400 naming the field, with the field's own code.
fn refused(field: FieldError) -> AdminError {
    let message = field.message.clone();
    match answer::field_error(400, &field.code.clone(), &message, field) {
        Ok(response) => AdminError::Answer(response),
        Err(e) => AdminError::Worker(e),
    }
}

/// `None` when the bearer token matches; otherwise the refusal to send.
fn authorize(req: &Request, env: &Env) -> Result<Option<Response>> {
    let Some(expected) = secret_or_var(env, "ADMIN_TOKEN") else {
        return answer::error(
            503,
            "admin_disabled",
            "The admin API is off: set the ADMIN_TOKEN secret.",
            vec![],
        )
        .map(Some);
    };
    let given = req.headers().get("authorization")?.unwrap_or_default();
    let token = given.strip_prefix("Bearer ").unwrap_or("");
    if !expected.is_empty() && constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        return Ok(None);
    }
    let mut refused = answer::error(401, "unauthorized", "Send Authorization: Bearer <ADMIN_TOKEN>.", vec![])?;
    refused.headers_mut().set("www-authenticate", "Bearer")?;
    Ok(Some(refused))
}

/// Compares without an early exit, so timing tells nothing about the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A time as milliseconds or RFC 3339.
fn parse_time(field: &str, value: &str) -> std::result::Result<i64, AdminError> {
    value
        .parse::<i64>()
        .ok()
        .or_else(|| value.parse::<jiff::Timestamp>().ok().map(|t| t.as_millisecond()))
        .ok_or_else(|| {
            bad_field(
                field,
                "Give a time as RFC 3339 (2026-11-23T10:00:00Z) or milliseconds since 1970.",
            )
        })
}

fn parse_state(value: &str) -> std::result::Result<DeliveryState, AdminError> {
    [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::Failed,
        DeliveryState::Disabled,
    ]
    .into_iter()
    .find(|s| s.as_str() == value)
    .ok_or_else(|| bad_field("state", "One of pending, delivered, failed, disabled."))
}

fn parse_id(id: &str) -> std::result::Result<Uuid, AdminError> {
    id.parse().map_err(|_| bad_field("id", "A lead id is a UUID."))
}

async fn list(req: &Request, store: &(impl AdminStore + LeadStore)) -> Answer {
    let mut filter = LeadFilter {
        limit: DEFAULT_PAGE,
        ..Default::default()
    };
    for (key, value) in req.url()?.query_pairs() {
        match key.as_ref() {
            "cursor" => {
                filter.cursor =
                    Some(Cursor::decode(&value).ok_or_else(|| bad_field("cursor", "Pass back next_cursor as given."))?)
            }
            "limit" => {
                filter.limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=MAX_PAGE).contains(l))
                    .ok_or_else(|| bad_field("limit", "A page holds 1 to 500 leads."))?
            }
            other => {
                if !filter_param(&mut filter, other, &value)? {
                    return Err(bad_field(
                        other,
                        "Unknown parameter; use site, state, since, until, kind, channel, spam, limit, cursor.",
                    ));
                }
            }
        }
    }
    let page = store.list_leads(&filter).await?;
    Ok(answer::json(
        200,
        &json!({ "leads": page.leads, "next_cursor": page.next.map(|c| c.encode()) }),
    )?)
}

/// Reads one of the filters the inbox and the CSV export share into
/// `filter`; `false` when `key` is none of them.
fn filter_param(filter: &mut LeadFilter, key: &str, value: &str) -> std::result::Result<bool, AdminError> {
    match key {
        "site" => filter.site = Some(value.to_owned()),
        "state" => filter.state = Some(parse_state(value)?),
        "since" => filter.since_ms = Some(parse_time("since", value)?),
        "until" => filter.until_ms = Some(parse_time("until", value)?),
        "spam" => {
            filter.spam = match value {
                "true" => true,
                "false" => false,
                _ => return Err(bad_field("spam", "true (spam only) or false (no spam, the default).")),
            }
        }
        "kind" => {
            filter.kind = Some(
                LeadKind::parse(value)
                    .ok_or_else(|| bad_field("kind", "One of callback, form, chat, messenger_click, phone_click."))?,
            )
        }
        "channel" => {
            filter.channel = Some(Channel::parse(value).ok_or_else(|| {
                bad_field(
                    "channel",
                    "A channel as leads carry it: paid_search, organic_search, direct, referral, …",
                )
            })?)
        }
        _ => return Ok(false),
    }
    Ok(true)
}

async fn detail(id: &str, store: &(impl AdminStore + LeadStore)) -> Answer {
    match store.lead_detail(&parse_id(id)?).await? {
        Some(detail) => Ok(answer::json(200, &detail)?),
        None => Ok(answer::error(404, "lead_not_found", "No lead with this id.", vec![])?),
    }
}

async fn replay_one(req: &Request, id: &str, env: &Env, store: &(impl AdminStore + LeadStore)) -> Answer {
    let id = parse_id(id)?;
    let destination = req
        .url()?
        .query_pairs()
        .find(|(k, _)| k == "destination")
        .map(|(_, v)| v.into_owned());
    let keys = store.replay_lead(&id, destination.as_deref(), now_ms()).await?;
    if keys.is_empty() {
        return Ok(answer::error(
            404,
            "lead_not_found",
            "No lead (or destination of it) with this id.",
            vec![],
        )?);
    }
    queued(env, keys).await
}

/// Sends a held lead (judged spam, or held while Turnstile could not answer)
/// to each destination of its site that takes it, as if it had just arrived.
async fn release(id: &str, env: &Env, store: &(impl AdminStore + LeadStore)) -> Answer {
    let id = parse_id(id)?;
    let Some(detail) = store.lead_detail(&id).await? else {
        return Ok(answer::error(404, "lead_not_found", "No lead with this id.", vec![])?);
    };
    let not_held = || answer::error(409, "not_held", "This lead is not held; replay it instead.", vec![]);
    if !detail.spam {
        return Ok(not_held()?);
    }
    let site = crate::sites::get(env, &detail.lead.site).await?;
    let destinations: Vec<&str> = site
        .iter()
        .flat_map(|s| &s.destinations)
        .filter(|d| d.takes(&detail.lead))
        .map(|d| d.id.as_str())
        .collect();
    match store.release_lead(&id, &destinations, now_ms()).await? {
        Some(keys) => queued(env, keys).await,
        None => Ok(not_held()?),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplayRequest {
    since: String,
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    destination: Option<String>,
}

async fn replay_since(req: &mut Request, env: &Env, store: &(impl AdminStore + LeadStore)) -> Answer {
    let body = req.bytes().await?;
    let request: ReplayRequest = lead_json(&body)?;
    let since = parse_time("since", &request.since)?;
    let keys = store
        .replay_failed_since(since, request.site.as_deref(), request.destination.as_deref(), now_ms())
        .await?;
    queued(env, keys).await
}

fn lead_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> std::result::Result<T, AdminError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| bad_field(&e.path().to_string(), &e.inner().to_string()))
}

async fn erase_one(id: &str, store: &impl PrivacyStore) -> Answer {
    let erased = privacy::erase(store, &Subject::Lead(parse_id(id)?), ERASE_BATCH).await?;
    Ok(answer::json(200, &erased)?)
}

async fn erase(req: &mut Request, env: &Env, store: &impl PrivacyStore) -> Answer {
    let body = req.bytes().await?;
    let request: ErasureRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ErasureRequest::default()
    } else {
        lead_json(&body)?
    };
    let site = match request.site.as_deref() {
        Some(id) => crate::sites::get(env, id).await?,
        None => None,
    };
    let subject = request
        .subject(site.as_ref().map(|s| s.default_country.as_str()))
        .map_err(refused)?;
    Ok(answer::json(200, &privacy::erase(store, &subject, ERASE_BATCH).await?)?)
}

/// Queues replayed deliveries; if that fails they are pending and due, so the sweeper sends them.
async fn queued(env: &Env, keys: Vec<DeliveryKey>) -> Answer {
    let queued = enqueue(env, &keys, 0).await.is_ok();
    Ok(answer::json(
        202,
        &json!({ "replayed": keys.len(), "queued": queued, "deliveries": keys }),
    )?)
}

/// The same explanation `cargo xtask attribute` prints.
fn attribute(req: &Request) -> Answer {
    let (mut url, mut referrer) = (None, None);
    for (key, value) in req.url()?.query_pairs() {
        match key.as_ref() {
            "url" => url = Some(value.into_owned()),
            "referrer" => referrer = Some(value.into_owned()),
            other => return Err(bad_field(other, "Unknown parameter; use url and referrer.")),
        }
    }
    let url = url.ok_or_else(|| bad_field("url", "Give the landing URL to classify."))?;
    let touch = lead::wire::Touch {
        url,
        referrer,
        at: None,
    };
    Ok(answer::json(200, &lead::attribution::explain(&touch, None))?)
}

async fn destinations(store: &(impl AdminStore + LeadStore)) -> Answer {
    Ok(answer::json(
        200,
        &json!({ "destinations": store.destinations().await? }),
    )?)
}

async fn switch_destination(
    site: &str,
    id: &str,
    enabled: bool,
    env: &Env,
    store: &(impl AdminStore + LeadStore),
) -> Answer {
    let known = crate::sites::get(env, site)
        .await?
        .is_some_and(|s| s.destinations.iter().any(|d| d.id == id));
    if !known {
        return Ok(answer::error(
            404,
            "destination_not_found",
            "No such site, or no such destination of it.",
            vec![],
        )?);
    }
    let reason = if enabled {
        "enabled by an operator"
    } else {
        "disabled by an operator"
    };
    store
        .set_destination_enabled(site, id, enabled, reason, now_ms())
        .await?;
    Ok(answer::json(
        200,
        &json!({ "site": site, "id": id, "state": if enabled { "enabled" } else { "disabled" } }),
    )?)
}
