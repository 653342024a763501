//! A site's own secrets in the Worker: sealed on every write with the Worker
//! secret `SITES_KEY`, shown by every read as `{"set": true, "last4": "…"}`,
//! opened only at delivery. The rules are `lead::sealed`'s; this file brings
//! the key and the randomness.
//!
//! How the admin site routes use it, for a write (PUT's `site`, or a PATCH's
//! result merged over the stored site's JSON):
//! 1. [`resolve_write`] on the site's JSON, before it becomes a `Site`: each
//!    `{"set": true}` becomes the stored value, each `null` goes;
//! 2. `Site::problems` (the values are still the plain ones given);
//! 3. [`seal_for_write`]: each plain value sealed, sealed ones checked.
//!
//! Every answer shows a site through [`redacted`], never its `secrets` as stored.
//! Nothing here logs a value or puts one in an error.

use std::collections::BTreeMap;

use lead::sealed::{self, KeyError, KEY_BYTES, NONCE_BYTES};
use lead::site::Site;
use lead::wire::FieldError;
use serde_json::Value;
use worker::{console_error, Env};

use crate::settings::secret_or_var;

/// The Worker secret holding the key: base64 of 32 random bytes.
pub const KEY_NAME: &str = "SITES_KEY";

/// `SITES_KEY`: `Ok(None)` when it is not set.
fn key(env: &Env) -> Result<Option<[u8; KEY_BYTES]>, KeyError> {
    secret_or_var(env, KEY_NAME)
        .map(|text| sealed::parse_key(&text))
        .transpose()
}

/// 96 random bits from the runtime (`crypto.getRandomValues` in a Worker).
fn random_nonce() -> Option<[u8; NONCE_BYTES]> {
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::fill(&mut nonce).ok().map(|()| nonce)
}

/// Step 1 of a write: `{"set": true}` → the stored value, `null` → removed
/// (`site` is the site as JSON; `stored`, the site as it is now, if any).
pub fn resolve_write(site: &mut Value, stored: Option<&Site>) -> Result<(), FieldError> {
    sealed::resolve_write(site, stored.map(|s| &s.secrets))
}

/// Step 3 of a write: seals each plain value of `incoming.secrets`; a sealed
/// value must be the one `stored` has under that name. Refused naming
/// `site.secrets` when something must be sealed and `SITES_KEY` is missing or
/// not a key.
pub fn seal_for_write(env: &Env, incoming: &mut Site, stored: Option<&Site>) -> Result<(), FieldError> {
    if incoming.secrets.is_empty() {
        return Ok(());
    }
    let key = key(env);
    incoming.secrets = sealed::seal_write(
        &incoming.secrets,
        stored.map(|s| &s.secrets),
        key.as_ref().map(Option::as_ref).map_err(|e| *e),
        &mut random_nonce,
    )?;
    Ok(())
}

/// The site as every answer shows it: its JSON with each secret as
/// `{"set": true, "last4": "…"}`.
pub fn redacted(env: &Env, site: &Site) -> Value {
    let key = key(env).ok().flatten();
    let shown: serde_json::Map<String, Value> = site
        .secrets
        .iter()
        .map(|(name, stored)| (name.clone(), sealed::redacted(key.as_ref(), stored)))
        .collect();
    let mut json = serde_json::to_value(Site {
        secrets: BTreeMap::new(),
        ..site.clone()
    })
    .unwrap_or(Value::Null);
    if let (Value::Object(fields), false) = (&mut json, shown.is_empty()) {
        fields.insert("secrets".into(), Value::Object(shown));
    }
    json
}

/// A secret a destination names, at delivery: the site's own first (opened
/// with `SITES_KEY`), then the Worker's secrets and vars.
pub fn resolve(env: &Env, site: &Site, name: &str) -> Option<String> {
    let Some(stored) = site.secrets.get(name) else {
        return secret_or_var(env, name);
    };
    let key = match key(env) {
        Ok(key) => key,
        Err(e) => {
            console_error!("site {}: secret {name} not opened: {e}", site.id);
            return None;
        }
    };
    match sealed::reveal(key.as_ref(), stored) {
        Ok(plain) => Some(plain),
        Err(e) => {
            console_error!("site {}: secret {name} not opened: {e}", site.id);
            None
        }
    }
}
