//! Personal data: each site's leads are deleted `retention_days` after they
//! arrived (by the scheduled sweeper), and an operator erases a lead, or every
//! lead of a phone or an email, through the admin API. Either way a lead goes
//! with its deliveries and attempts; the rules are `lead::privacy`'s.

use std::borrow::Borrow;

use lead::privacy::{email_key, phone_key, retention_cutoff_ms};
use lead::site::Site;
use lead::wire::FieldError;
use serde::Deserialize;
use uuid::Uuid;
use worker::{console_error, console_log, Env};

use crate::settings::now_ms;
use crate::sites;
use crate::store::privacy::{ContactKey, PrivacyStore};
use crate::store::{self, StoreError};

/// Leads deleted per sweep at most (a sweep runs every minute): an old
/// backlog, say after retention_days is shortened, drains over the next runs.
pub const SWEEP_BATCH: u32 = 200;

/// Leads one erasure request deletes at most; `more` in its answer says to send it again.
pub const ERASE_BATCH: u32 = 1000;

/// The scheduled handler's retention pass, at the collector's clock.
pub async fn run(env: &Env) {
    let store = match store::open(env) {
        Ok(store) => store,
        Err(e) => return console_error!("retention: no database: {}", e.0),
    };
    let sites = match sites::all(env).await {
        Ok(sites) => sites,
        Err(e) => return console_error!("retention: sites not read: {}", e.0),
    };
    match sweep(&store, &sites, now_ms(), SWEEP_BATCH).await {
        Ok(0) => {}
        Ok(n) => console_log!("retention: deleted {n} leads past their site's retention_days"),
        Err(e) => console_error!("retention: {}", e.0),
    }
}

/// Deletes up to `limit` leads that `sites` no longer keep at `now_ms`, none
/// with a delivery still pending; answers how many went. Leads of a site no
/// longer configured are left alone: its retention is unknown (erase them).
pub async fn sweep(
    store: &impl PrivacyStore,
    sites: &[impl Borrow<Site>],
    now_ms: i64,
    limit: u32,
) -> Result<u32, StoreError> {
    let cutoffs: Vec<(String, i64)> = sites
        .iter()
        .map(|s| {
            let s: &Site = s.borrow();
            (s.id.clone(), retention_cutoff_ms(now_ms, s.retention_days))
        })
        .collect();
    let expired = store.expired(&cutoffs, limit).await?;
    store.erase(&expired).await
}

/// `POST /v1/admin/erase`: exactly one of `id`, `phone`, `email`; `site`
/// narrows a phone or email to one site's leads; `country` reads a national
/// phone number (default: the site's `default_country`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// Whose leads to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Lead(Uuid),
    Contact { key: ContactKey, site: Option<String> },
}

impl ErasureRequest {
    /// The subject, or the field that is wrong; `site_country` is the
    /// `default_country` of the site named, if any.
    pub fn subject(&self, site_country: Option<&str>) -> Result<Subject, FieldError> {
        let not_allowed = |field: &str, message: &str| FieldError::new(field, "not_allowed", message);
        let site = self.site.clone();
        match (&self.id, &self.phone, &self.email) {
            (Some(id), None, None) => {
                if site.is_some() || self.country.is_some() {
                    let field = if site.is_some() { "site" } else { "country" };
                    return Err(not_allowed(field, "A lead id names one lead: no site or country."));
                }
                id.parse()
                    .map(Subject::Lead)
                    .map_err(|_| FieldError::new("id", "invalid", "A lead id is a UUID."))
            }
            (None, Some(phone), None) => {
                let country = self.country.as_deref().or(site_country);
                let key = ContactKey::Phone(phone_key(phone, country)?);
                Ok(Subject::Contact { key, site })
            }
            (None, None, Some(email)) => {
                if self.country.is_some() {
                    return Err(not_allowed("country", "An email is read in no country."));
                }
                let key = email_key(email);
                if !key.contains('@') {
                    return Err(FieldError::new(
                        "email",
                        "invalid",
                        "Give the email address, with its @.",
                    ));
                }
                let key = ContactKey::Email(key);
                Ok(Subject::Contact { key, site })
            }
            (None, None, None) => Err(FieldError::new(
                "id",
                "required",
                "Name whose leads to erase: id, phone or email.",
            )),
            (_, phone, _) => Err(not_allowed(
                if phone.is_some() && self.id.is_some() {
                    "phone"
                } else {
                    "email"
                },
                "Name exactly one of id, phone or email.",
            )),
        }
    }
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    pub erased: u32,
    /// More leads of this contact are stored than one request erases.
    pub more: bool,
}

/// Erases the subject's leads (up to `limit`) with their deliveries and attempts.
pub async fn erase(store: &impl PrivacyStore, subject: &Subject, limit: u32) -> Result<Erased, StoreError> {
    let ids = match subject {
        Subject::Lead(id) => vec![*id],
        Subject::Contact { key, site } => store.leads_with(key, site.as_deref(), limit).await?,
    };
    let more = matches!(subject, Subject::Contact { .. }) && ids.len() as u32 >= limit;
    Ok(Erased {
        erased: store.erase(&ids).await?,
        more,
    })
}

#[cfg(test)]
mod tests;
