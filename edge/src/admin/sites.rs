//! `/v1/admin/sites`: sites read and written live, each write validated by
//! `Site::problems` (the build's checks), guarded by the version it names, and
//! kept among the last versions for rollback. Secrets are sealed on the way in
//! and shown only as `{"set": true, "last4": …}` (`crate::secrets`).
//!
//! - `GET    /v1/admin/sites`
//! - `GET    /v1/admin/sites/{id}`
//! - `PUT    /v1/admin/sites/{id}` with `{"version": N, "site": {…}}`
//! - `PATCH  /v1/admin/sites/{id}` with `{"version": N, "patch": {…}}` (RFC 7386)
//! - `DELETE /v1/admin/sites/{id}?version=N`
//! - `GET    /v1/admin/sites/{id}/versions`
//! - `POST   /v1/admin/sites/{id}/rollback` with `{"version": N, "to": M}`

use lead::site::{merge_patch, Site};
use lead::wire::FieldError;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{Env, Method, Request};

use super::{AdminError, Answer};
use crate::answer;
use crate::settings::now_ms;
use crate::sites::{compiled, resolve};
use crate::store::sites::{SiteStore, WriteError};
use crate::store::StoreError;

pub async fn handle(req: &mut Request, env: &Env, path: &[&str], store: &impl SiteStore) -> Answer {
    let seal = |site: &mut Site, stored: Option<&Site>| crate::secrets::seal_for_write(env, site, stored);
    let written = match (req.method(), path) {
        (Method::Get, []) => return list(store).await,
        (Method::Get, [id]) => return read(env, id, store).await,
        (Method::Get, [id, "versions"]) => return versions(id, store).await,
        (Method::Put, [id]) => {
            let body: Replace = body(req).await?;
            (id, replace(store, id, body.version, body.site, &seal, now_ms()).await)
        }
        (Method::Patch, [id]) => {
            let body: Patch = body(req).await?;
            (id, patch(store, id, body.version, &body.patch, &seal, now_ms()).await)
        }
        (Method::Delete, [id]) => {
            let version = req
                .url()?
                .query_pairs()
                .find(|(k, _)| k == "version")
                .and_then(|(_, v)| v.parse::<u32>().ok())
                .ok_or_else(|| {
                    bad_field(
                        "version",
                        "Name the version deleted: ?version=N (0 for a site only in the file).",
                    )
                })?;
            (id, delete(store, id, version, now_ms()).await)
        }
        (Method::Post, [id, "rollback"]) => {
            let body: Rollback = body(req).await?;
            (id, rollback(store, id, body.version, body.to, now_ms()).await)
        }
        _ => return Err(refuse(404, "not_found", "No such admin route.", vec![])),
    };
    match written {
        (id, Ok(version)) => {
            // This isolate serves the new version at once; others once their copy's life ends.
            crate::sites::forget(id);
            Ok(answer::json(200, &json!({ "id": id, "version": version }))?)
        }
        (id, Err(refusal)) => Err(refused(id, refusal)),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Replace {
    version: u32,
    site: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Patch {
    version: u32,
    patch: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rollback {
    version: u32,
    to: u32,
}

/// Why a write was not made.
#[derive(Debug)]
pub enum Refusal {
    NotFound,
    /// The write named another version than the current one.
    Conflict {
        current: u32,
    },
    /// Every problem, each naming its field (`site.widget.theme.color`).
    Invalid(Vec<FieldError>),
    VersionNotKept(u32),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

impl From<WriteError> for Refusal {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Conflict { current } => Refusal::Conflict { current },
            WriteError::Store(e) => Refusal::Store(e),
        }
    }
}

/// Seals a write's secrets, given the site as stored (`crate::secrets::seal_for_write`).
pub type Seal<'a> = &'a dyn Fn(&mut Site, Option<&Site>) -> Result<(), FieldError>;

/// A site as it stands: in D1 (a row, maybe a tombstone) or only in the file (version 0).
pub struct Current {
    pub version: u32,
    pub updated_at_ms: Option<i64>,
    /// `None`: no such site, or deleted.
    pub site: Option<Site>,
    /// The row's config as stored (for a delete, which keeps it).
    config: Option<String>,
}

pub async fn current(id: &str, store: &impl SiteStore) -> Result<Current, StoreError> {
    let row = store.site(id).await?;
    let site = resolve(row.as_ref(), compiled().site(id))?;
    Ok(match row {
        Some(row) => Current {
            version: row.version,
            updated_at_ms: Some(row.updated_at_ms),
            site,
            config: Some(row.config),
        },
        None => Current {
            version: 0,
            updated_at_ms: None,
            site,
            config: None,
        },
    })
}

async fn list(store: &impl SiteStore) -> Answer {
    let rows = store.list_sites().await?;
    let mut sites: Vec<Value> = rows
        .iter()
        .filter(|r| !r.deleted)
        .map(|r| json!({"id": r.id, "version": r.version, "updated_at": r.updated_at_ms, "source": "d1"}))
        .collect();
    let file_only = compiled().sites.iter().filter(|s| rows.iter().all(|r| r.id != s.id));
    sites.extend(file_only.map(|s| json!({"id": s.id, "version": 0, "updated_at": null, "source": "file"})));
    sites.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Ok(answer::json(200, &json!({ "sites": sites }))?)
}

async fn read(env: &Env, id: &str, store: &impl SiteStore) -> Answer {
    let current = current(id, store).await?;
    let Some(site) = &current.site else {
        return Err(refused(id, Refusal::NotFound));
    };
    Ok(answer::json(
        200,
        &json!({
            "id": id,
            "version": current.version,
            "updated_at": current.updated_at_ms,
            "site": crate::secrets::redacted(env, site),
        }),
    )?)
}

async fn versions(id: &str, store: &impl SiteStore) -> Answer {
    let versions = store.site_versions(id).await?;
    if versions.is_empty() && compiled().site(id).is_none() {
        return Err(refused(id, Refusal::NotFound));
    }
    Ok(answer::json(200, &json!({ "versions": versions }))?)
}

/// PUT: `json` becomes version `expected + 1` if it is a valid site named
/// `id` and the site is still at `expected`; otherwise nothing is written.
pub async fn replace(
    store: &impl SiteStore,
    id: &str,
    expected: u32,
    json: Value,
    seal: Seal<'_>,
    now_ms: i64,
) -> Result<u32, Refusal> {
    let current = current(id, store).await?;
    write(store, id, expected, json, &current, seal, now_ms).await
}

/// PATCH: the same, with `patch` merged (RFC 7386) over the site as stored.
pub async fn patch(
    store: &impl SiteStore,
    id: &str,
    expected: u32,
    patch: &Value,
    seal: Seal<'_>,
    now_ms: i64,
) -> Result<u32, Refusal> {
    let current = current(id, store).await?;
    let Some(site) = &current.site else {
        return Err(Refusal::NotFound);
    };
    let mut json = serde_json::to_value(site).map_err(|e| StoreError(e.to_string()))?;
    merge_patch(&mut json, patch);
    write(store, id, expected, json, &current, seal, now_ms).await
}

async fn write(
    store: &impl SiteStore,
    id: &str,
    expected: u32,
    mut json: Value,
    current: &Current,
    seal: Seal<'_>,
    now_ms: i64,
) -> Result<u32, Refusal> {
    if expected != current.version {
        return Err(Refusal::Conflict {
            current: current.version,
        });
    }
    crate::secrets::resolve_write(&mut json, current.site.as_ref()).map_err(|f| Refusal::Invalid(vec![f]))?;
    let mut site: Site = serde_path_to_error::deserialize(json).map_err(|e| {
        let field = match e.path().to_string().as_str() {
            "." => "site".to_owned(),
            path => format!("site.{path}"),
        };
        Refusal::Invalid(vec![FieldError::new(&field, "invalid", e.inner().to_string())])
    })?;
    if site.id != id {
        let message = format!("The site's id must be {id:?}, the id in the path.");
        return Err(Refusal::Invalid(vec![FieldError::new("site.id", "mismatch", message)]));
    }
    checked(&site)?;
    seal(&mut site, current.site.as_ref()).map_err(|f| Refusal::Invalid(vec![f]))?;
    let config = serde_json::to_string(&site).map_err(|e| StoreError(e.to_string()))?;
    Ok(store.write_site(id, expected, &config, false, now_ms).await?)
}

/// `Site::problems` as field errors under `site.`.
fn checked(site: &Site) -> Result<(), Refusal> {
    let problems: Vec<FieldError> = site
        .problems()
        .into_iter()
        .map(|p| FieldError::new(&format!("site.{}", p.field), "invalid", p.message))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid(problems))
    }
}

/// DELETE: a tombstone, keeping the last settings (so a rollback past it has them).
pub async fn delete(store: &impl SiteStore, id: &str, expected: u32, now_ms: i64) -> Result<u32, Refusal> {
    let current = current(id, store).await?;
    let Some(site) = &current.site else {
        return Err(Refusal::NotFound);
    };
    if expected != current.version {
        return Err(Refusal::Conflict {
            current: current.version,
        });
    }
    let config = match current.config {
        Some(config) => config,
        None => serde_json::to_string(site).map_err(|e| StoreError(e.to_string()))?,
    };
    Ok(store.write_site(id, expected, &config, true, now_ms).await?)
}

/// Rollback: version `to`'s content (its settings, deleted or not) as a new version.
pub async fn rollback(store: &impl SiteStore, id: &str, expected: u32, to: u32, now_ms: i64) -> Result<u32, Refusal> {
    let current = current(id, store).await?;
    if expected != current.version {
        return Err(Refusal::Conflict {
            current: current.version,
        });
    }
    let Some(kept) = store.site_version(id, to).await? else {
        return Err(Refusal::VersionNotKept(to));
    };
    if !kept.deleted {
        // The rules may have grown since: what comes back is checked as any write.
        let site: Site = serde_json::from_str(&kept.config).map_err(|e| StoreError(e.to_string()))?;
        checked(&site)?;
    }
    Ok(store
        .write_site(id, expected, &kept.config, kept.deleted, now_ms)
        .await?)
}

/// The answer to a refused write.
fn refused(id: &str, refusal: Refusal) -> AdminError {
    match refusal {
        Refusal::NotFound => refuse(404, "site_not_found", &format!("No site {id:?}."), vec![]),
        Refusal::Conflict { current } => {
            let message = format!("The site is at version {current}: read it again, then name that version.");
            refuse(
                409,
                "version_conflict",
                &message,
                vec![FieldError::new("version", "stale", &message)],
            )
        }
        Refusal::Invalid(fields) => refuse(
            422,
            "invalid_site",
            "The site has problems; nothing was written.",
            fields,
        ),
        Refusal::VersionNotKept(to) => {
            let message = format!("Version {to} of site {id:?} is not kept; see its versions.");
            refuse(
                404,
                "version_not_found",
                &message,
                vec![FieldError::new("to", "not_found", &message)],
            )
        }
        Refusal::Store(e) => AdminError::Store(e),
    }
}

async fn body<T: DeserializeOwned>(req: &mut Request) -> Result<T, AdminError> {
    let bytes = req.bytes().await?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body" } else { path.as_str() };
        bad_field(field, &e.inner().to_string())
    })
}

fn refuse(status: u16, code: &str, message: &str, fields: Vec<FieldError>) -> AdminError {
    match answer::error(status, code, message, fields) {
        Ok(response) => AdminError::Answer(response),
        Err(e) => AdminError::Worker(e),
    }
}

fn bad_field(field: &str, message: &str) -> AdminError {
    refuse(
        400,
        "invalid",
        message,
        vec![FieldError::new(field, "invalid", message)],
    )
}

#[cfg(test)]
mod tests;
