//! A site's own secrets, sealed at rest.
//!
//! A site may carry `secrets` (`{"NAME": …}`), named by its destinations like
//! Worker secrets (`url_secret`, `token_secret`, `secret`). Given through the
//! admin API as plain strings, each is stored sealed with AES-256-GCM under
//! the Worker secret `SITES_KEY` and a fresh random 96-bit nonce:
//!
//! ```text
//! "NAME": "enc:v1:<base64 of nonce ‖ ciphertext ‖ tag>"
//! ```
//!
//! Every read shows a secret only as [`redacted`] (`{"set": true, "last4": …}`),
//! and a write says per name what happens ([`Write`]): a string replaces the
//! value, `{"set": true}` keeps the stored one, `null` (or leaving the name
//! out) removes it. The nonce comes in as an argument: this crate reads no
//! randomness, as it reads no clock.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use crate::wire::FieldError;

/// What starts every sealed value; the version names the cipher and layout.
pub const PREFIX: &str = "enc:v1:";
pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 12;
/// AES-GCM's authentication tag, after the ciphertext.
const TAG_BYTES: usize = 16;
/// A token, a webhook URL with its code, a signing key: all far shorter.
pub const MAX_SECRET_BYTES: usize = crate::site::MAX_SECRET_BYTES;
/// Secrets shorter than this show no characters at all: four of eleven is too much.
pub const LAST4_MIN_CHARS: usize = 12;
/// Like Worker secrets' names, which destinations name the same way.
const MAX_NAME_CHARS: usize = 64;

/// The field every secrets problem is named under.
const FIELD: &str = "site.secrets";

/// Why a sealed value did not open. Never says anything about the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// Not `enc:v1:` followed by base64 of a nonce, a ciphertext and a tag.
    Malformed,
    /// The tag does not check: another key sealed it, or it was altered.
    WrongKey,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OpenError::Malformed => "not an enc:v1: sealed value",
            OpenError::WrongKey => "does not open with SITES_KEY (another key sealed it, or it was altered)",
        })
    }
}

/// Why `SITES_KEY` is not a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyError;

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SITES_KEY must be base64 of 32 random bytes (`openssl rand -base64 32`)")
    }
}

/// The key from `SITES_KEY`'s text: standard base64 of 32 bytes.
pub fn parse_key(text: &str) -> Result<[u8; KEY_BYTES], KeyError> {
    let text = text.trim();
    let bytes = STANDARD
        .decode(text)
        .or_else(|_| STANDARD_NO_PAD.decode(text))
        .map_err(|_| KeyError)?;
    bytes.try_into().map_err(|_| KeyError)
}

/// `enc:v1:` + base64(nonce ‖ ciphertext ‖ tag). The nonce must never repeat
/// under one key: draw it at random for every value.
pub fn seal(key: &[u8; KEY_BYTES], nonce: [u8; NONCE_BYTES], plaintext: &str) -> String {
    let cipher = Aes256Gcm::new(key.into());
    // AES-GCM refuses only plaintexts over 64 GiB; such a value would then
    // fail to open (too short) rather than panic here.
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
        .unwrap_or_default();
    let mut bytes = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The plaintext of a [`seal`]ed value.
pub fn open(key: &[u8; KEY_BYTES], sealed: &str) -> Result<String, OpenError> {
    let encoded = sealed.strip_prefix(PREFIX).ok_or(OpenError::Malformed)?;
    let bytes = STANDARD.decode(encoded).map_err(|_| OpenError::Malformed)?;
    if bytes.len() < NONCE_BYTES + TAG_BYTES {
        return Err(OpenError::Malformed);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let plaintext = Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(nonce), ciphertext)
        .map_err(|_| OpenError::WrongKey)?;
    String::from_utf8(plaintext).map_err(|_| OpenError::Malformed)
}

pub fn is_sealed(value: &str) -> bool {
    value.starts_with(PREFIX)
}

/// The last four characters a read may show: none for a short secret.
pub fn last4(plaintext: &str) -> String {
    let count = plaintext.chars().count();
    if count < LAST4_MIN_CHARS {
        return String::new();
    }
    plaintext.chars().skip(count - 4).collect()
}

/// What every read shows of a stored secret (sealed, or a plain string from
/// a compiled-in sites file): `{"set": true, "last4": "…"}`, the characters
/// read from the value opened with `key` (none when it does not open).
pub fn redacted(key: Option<&[u8; KEY_BYTES]>, stored: &str) -> Value {
    let shown = reveal(key, stored).map(|plain| last4(&plain)).unwrap_or_default();
    json!({"set": true, "last4": shown})
}

/// The plaintext of a stored secret: a sealed one opened with `key`, a plain
/// one (a compiled-in file's `[site.secrets]`) as it is.
pub fn reveal(key: Option<&[u8; KEY_BYTES]>, stored: &str) -> Result<String, OpenError> {
    if !is_sealed(stored) {
        return Ok(stored.to_owned());
    }
    open(key.ok_or(OpenError::WrongKey)?, stored)
}

/// What a write says about one secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write<'a> {
    /// A string: the new value, to be sealed.
    Set(&'a str),
    /// `{"set": true}` (what a read shows, `last4` and all): keep the stored value.
    Keep,
    /// `null` or `{"set": false}`: remove it (so does leaving the name out).
    Remove,
}

/// Reads one secret of a write; the problem, if any, is a sentence.
pub fn write_of(value: &Value) -> Result<Write<'_>, &'static str> {
    const SHAPE: &str =
        "a secret is its value (a string), {\"set\": true} to keep the stored value, or null to remove it";
    match value {
        Value::String(s) if s.trim().is_empty() => Err("empty: give the value, or null to remove the secret"),
        Value::String(s) if s.len() > MAX_SECRET_BYTES => Err("longer than 4096 bytes"),
        Value::String(s) => Ok(Write::Set(s)),
        Value::Null => Ok(Write::Remove),
        Value::Object(fields) if fields.keys().all(|k| k == "set" || k == "last4") => match fields.get("set") {
            Some(Value::Bool(true)) => Ok(Write::Keep),
            Some(Value::Bool(false)) => Ok(Write::Remove),
            _ => Err(SHAPE),
        },
        _ => Err(SHAPE),
    }
}

/// A secret's name: what destinations name it by, like a Worker secret's.
pub fn is_name(name: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Resolves a write's `secrets` in the site's JSON, before it becomes a
/// `Site`: each `{"set": true}` becomes the stored value, each `null` (or
/// `{"set": false}`) goes; strings stay, for [`seal_write`]. A `secrets` that
/// is not an object is left for deserialising to refuse.
pub fn resolve_write(site: &mut Value, stored: Option<&BTreeMap<String, String>>) -> Result<(), FieldError> {
    let Some(Value::Object(secrets)) = site.get_mut("secrets") else {
        return Ok(());
    };
    let mut resolved = serde_json::Map::new();
    for (name, value) in std::mem::take(secrets) {
        let field = field_of(&name)?;
        match write_of(&value).map_err(|m| FieldError::new(&field, "invalid", m))? {
            Write::Remove => {}
            Write::Set(_) => {
                resolved.insert(name, value);
            }
            Write::Keep => {
                let Some(kept) = stored.and_then(|s| s.get(&name)) else {
                    return Err(FieldError::new(
                        &field,
                        "not_set",
                        "{\"set\": true} keeps the stored value, and none is stored: give the value",
                    ));
                };
                resolved.insert(name, Value::String(kept.clone()));
            }
        }
    }
    *secrets = resolved;
    Ok(())
}

/// The secrets to store: each plain value sealed with `key` and a nonce from
/// `nonce`; a sealed one kept only if it is the stored value of that name (a
/// write cannot bring sealed text of its own). `key` is needed only when
/// something is sealed. The first problem is returned, named
/// `site.secrets[.NAME]`; no message quotes a value.
pub fn seal_write(
    incoming: &BTreeMap<String, String>,
    stored: Option<&BTreeMap<String, String>>,
    key: Result<Option<&[u8; KEY_BYTES]>, KeyError>,
    nonce: &mut dyn FnMut() -> Option<[u8; NONCE_BYTES]>,
) -> Result<BTreeMap<String, String>, FieldError> {
    let mut sealed = BTreeMap::new();
    for (name, value) in incoming {
        let field = field_of(name)?;
        if is_sealed(value) {
            if stored.and_then(|s| s.get(name)) != Some(value) {
                return Err(FieldError::new(
                    &field,
                    "invalid",
                    "not the stored value: give the secret itself, or {\"set\": true} to keep the stored one",
                ));
            }
            sealed.insert(name.clone(), value.clone());
            continue;
        }
        let key = match key {
            Ok(Some(key)) => key,
            Ok(None) => {
                return Err(FieldError::new(
                    FIELD,
                    "not_configured",
                    "SITES_KEY is not set: secrets cannot be stored without it (wrangler secret put SITES_KEY)",
                ))
            }
            Err(e) => return Err(FieldError::new(FIELD, "not_configured", e.to_string())),
        };
        let Some(nonce) = nonce() else {
            return Err(FieldError::new(
                FIELD,
                "unavailable",
                "no random numbers to seal with: try again",
            ));
        };
        sealed.insert(name.clone(), seal(key, nonce, value));
    }
    Ok(sealed)
}

/// `site.secrets.NAME`, or the problem with the name (not quoted: it may be anything).
fn field_of(name: &str) -> Result<String, FieldError> {
    if is_name(name) {
        Ok(format!("{FIELD}.{name}"))
    } else {
        Err(FieldError::new(
            FIELD,
            "invalid",
            "a secret's name is 1-64 of A-Z, a-z, 0-9 and '_'",
        ))
    }
}

#[cfg(test)]
mod tests;
