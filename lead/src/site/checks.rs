//! The one validator of a site, for the build (`SitesFile::problems`, one line
//! each) and the admin API (`Site::problems`, each naming its field as a dotted
//! path into the site: `widget.theme.color`, `destination[0].url`).
//!
//! The checks of the parts (hours, widget, Turnstile, limits, each destination
//! kind) report lines that start with the key they are about; [`keyed`] reads
//! that key, so every rule stays written once, where its part is.

use serde::Serialize;

use super::{is_slug, Destination, Site, SitesFile};
use crate::destination::reach;

/// Most a secret's value may hold (a token, a webhook URL with its code, a key).
pub const MAX_SECRET_BYTES: usize = 4096;

/// One thing wrong with a site: `field` is a dotted path into the site as JSON,
/// `message` says what is wrong and what to write instead, never quoting a
/// secret or a destination's address (it may hold a token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteProblem {
    pub field: String,
    pub message: String,
}

/// A problem as found, with the line the build prints after `site "<id>": `.
struct Found {
    problem: SiteProblem,
    line: String,
}

fn found(field: impl Into<String>, message: impl Into<String>, line: impl Into<String>) -> Found {
    Found {
        problem: SiteProblem {
            field: field.into(),
            message: message.into(),
        },
        line: line.into(),
    }
}

/// How a part's line names its key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    /// `theme.color "red" must be …` or `week.mon: … overlap` (hours, widget, Turnstile, limits).
    First,
    /// Only `url: …`: a destination kind's lines may start with prose (`needs exactly one of …`).
    Colon,
}

/// `(key, message)` of a part's `line`: the key as a dotted path (`form.field 3: …`
/// and `messenger telegram: …` become `form.field[3]`, `messenger[telegram]`),
/// or `None` when the line does not start with one.
fn keyed(line: &str, how: Key) -> (Option<String>, String) {
    let is_path = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    if let Some((head, rest)) = line
        .split_once(": ")
        .or_else(|| line.strip_suffix(':').map(|h| (h, "")))
    {
        let (path, qualifier) = head.split_once(' ').unwrap_or((head, ""));
        let qualifier = qualifier
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or(qualifier);
        if is_path(path) && (qualifier.is_empty() || is_path(qualifier)) {
            let key = match qualifier {
                "" => path.to_owned(),
                q => format!("{path}[{q}]"),
            };
            return (Some(key), rest.to_owned());
        }
    }
    if how == Key::First {
        if let Some((path, rest)) = line.split_once(' ').filter(|(p, _)| is_path(p)) {
            return (Some(path.to_owned()), rest.to_owned());
        }
    }
    (None, line.to_owned())
}

/// A part's line as a problem under `prefix` (`widget`, `destination[2]`).
fn part(prefix: &str, line: String, how: Key, shown: String) -> Found {
    let (key, message) = keyed(&line, how);
    let field = match key {
        Some(key) => format!("{prefix}.{key}"),
        None => prefix.to_owned(),
    };
    found(field, message, shown)
}

impl Site {
    /// Everything about the site that serde cannot see, each naming its field.
    pub fn problems(&self) -> Vec<SiteProblem> {
        self.found().into_iter().map(|f| f.problem).collect()
    }

    fn found(&self) -> Vec<Found> {
        let mut out = Vec::new();
        if !is_slug(&self.id) {
            let message = format!("{:?} must be 1-64 of a-z, 0-9, '-', '_'", self.id);
            out.push(found("id", message.clone(), format!("id {message}")));
        }
        let max_days = crate::privacy::MAX_RETENTION_DAYS;
        if !(1..=max_days).contains(&self.retention_days) {
            let message = format!("must be 1 to {max_days}");
            out.push(found("retention_days", &message, format!("retention_days {message}")));
        }
        if !(1..=730).contains(&self.attribution.expiry_days) {
            let message = "must be 1 to 730";
            out.push(found(
                "attribution.expiry_days",
                message,
                format!("attribution.expiry_days {message}"),
            ));
        }
        if crate::phone::country(&self.default_country).is_none() {
            let message = format!("{:?} is not in lead::phone::COUNTRIES", self.default_country);
            out.push(found("default_country", &message, format!("default_country {message}")));
        }
        for (i, origin) in self.origins.iter().enumerate() {
            if !(origin.starts_with("https://") || origin.starts_with("http://")) || origin.ends_with('/') {
                let message = format!("{origin:?} must be scheme://host[:port] with no path");
                out.push(found(format!("origins[{i}]"), &message, format!("origin {message}")));
            }
        }
        for p in self.hours.iter().flat_map(|h| h.problems()) {
            out.push(part("hours", p.clone(), Key::First, format!("hours: {p}")));
        }
        for (name, lines) in [
            ("widget", self.widget.problems()),
            ("turnstile", self.turnstile.iter().flat_map(|t| t.problems()).collect()),
            ("limits", self.limits.problems()),
        ] {
            for p in lines {
                out.push(part(name, p.clone(), Key::First, format!("{name}.{p}")));
            }
        }
        for (i, d) in self.destinations.iter().enumerate() {
            out.extend(d.found(i));
            if self.destinations[..i].iter().any(|o| o.id == d.id) {
                let message = format!("{:?} is listed twice", d.id);
                out.push(found(
                    format!("destination[{i}].id"),
                    message,
                    format!("destination {:?} is listed twice", d.id),
                ));
            }
        }
        for (name, value) in &self.secrets {
            if !crate::sealed::is_name(name) {
                let message = "a secret's name is 1-64 of A-Z, a-z, 0-9, '_'";
                out.push(found(
                    format!("secrets.{name}"),
                    message,
                    format!("secrets.{name:?}: {message}"),
                ));
            }
            // The value is never quoted: it is the secret. A sealed one was checked before sealing.
            let plain = !crate::sealed::is_sealed(value);
            if plain && (value.trim().is_empty() || value.len() > MAX_SECRET_BYTES) {
                let message = format!("a secret's value is 1 to {MAX_SECRET_BYTES} bytes");
                out.push(found(
                    format!("secrets.{name}"),
                    &message,
                    format!("secrets.{name}: {message}"),
                ));
            }
        }
        out
    }
}

impl Destination {
    /// Problems with the destination at `index`, each naming its key.
    fn found(&self, index: usize) -> Vec<Found> {
        let at = format!("destination[{index}]");
        let shown = |p: &str| format!("destination {:?}: {p}", self.id);
        let mut out = Vec::new();
        if !is_slug(&self.id) {
            let message = format!("{:?} must be 1-64 of a-z, 0-9, '-', '_'", self.id);
            out.push(found(format!("{at}.id"), &message, shown(&format!("id {message}"))));
        }
        match crate::destination::kind(&self.kind) {
            Some(kind) => {
                for p in kind.check(self) {
                    out.push(part(&at, p.clone(), Key::Colon, shown(&p)));
                }
            }
            None => {
                let known: Vec<&str> = crate::destination::KINDS.iter().map(|(n, _)| *n).collect();
                let message = format!("{:?} is not one of {}", self.kind, known.join(", "));
                out.push(found(format!("{at}.kind"), &message, shown(&format!("kind {message}"))));
            }
        }
        // Every kind's own address, whatever the kind checked (SSRF): public
        // https, or a loopback stand-in. The address is not echoed: it may hold a token.
        let url = self.settings.get("url").and_then(|u| u.as_str());
        let refused = url.and_then(|u| reach::check_text(u.trim(), reach::Loopback::Allowed).err());
        let url_field = format!("{at}.url");
        if let Some(refusal) = refused.filter(|_| !out.iter().any(|f| f.problem.field == url_field)) {
            let message = format!(
                "not an address a destination may call ({}): public https only, or http to this machine for a local stand-in",
                refusal.code()
            );
            out.push(found(url_field, &message, shown(&format!("url: {message}"))));
        }
        out
    }
}

impl SitesFile {
    /// Everything about the file that serde cannot see; each problem is one
    /// line naming its site (by index while the id itself is wrong).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, site) in self.sites.iter().enumerate() {
            if self.sites[..i].iter().any(|s| s.id == site.id) {
                problems.push(format!("site {:?} is listed twice", site.id));
            }
            for f in site.found() {
                if f.problem.field == "id" {
                    problems.push(format!("site {i}: {}", f.line));
                } else {
                    problems.push(format!("site {:?}: {}", site.id, f.line));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests;
