//! The operator console at `/admin`: three hand-written static files (no
//! framework, no build step) compiled into the Worker. The page calls only
//! the admin JSON API with the bearer token the operator typed, kept in the
//! tab's `sessionStorage`; it renders every value with DOM text nodes, so a
//! visitor's `<script>` in a lead shows as text, and the CSP below forbids
//! any script or style but these files.

use worker::{Response, Result};

use crate::answer;

/// Nothing but our own files; no framing, no forms posted anywhere, no base.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `(path under /admin/, media type, cache-control, body)`. The page is never
/// stored (it is the operator's screen); its files are revalidated each time.
const FILES: &[(&str, &str, &str, &str)] = &[
    (
        "",
        "text/html; charset=utf-8",
        "no-store",
        include_str!("../console/index.html"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        "no-cache",
        include_str!("../console/console.js"),
    ),
    (
        "console.css",
        "text/css; charset=utf-8",
        "no-cache",
        include_str!("../console/console.css"),
    ),
];

/// `GET /admin`, `/admin/`, `/admin/console.js`, `/admin/console.css`.
pub fn serve(path: &[&str]) -> Result<Response> {
    let wanted = path.join("/");
    let Some((_, media_type, cache, body)) = FILES.iter().find(|(name, ..)| *name == wanted) else {
        return answer::error(404, "not_found", "The console is at /admin.", vec![]);
    };
    let mut response = Response::from_bytes(body.as_bytes().to_vec())?.with_status(200);
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-type", *media_type),
        ("cache-control", *cache),
        ("content-security-policy", CSP),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ] {
        headers.set(name, value)?;
    }
    Ok(response)
}

/// Every file the console serves, for the size budget and the tests.
#[cfg(test)]
pub(crate) fn files() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES.iter().map(|(name, _, _, body)| (*name, *body))
}

#[cfg(test)]
mod tests;
