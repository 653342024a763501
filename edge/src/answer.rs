//! Building responses: JSON bodies, the one error shape, CORS headers.

use lead::wire::{ErrorBody, FieldError};
use serde::Serialize;
use worker::{Headers, Response, Result};

/// A JSON answer with `status`.
pub fn json<T: Serialize>(status: u16, body: &T) -> Result<Response> {
    Ok(Response::from_json(body)?.with_status(status))
}

/// `{"error":{"code","message","fields":[…]}}` with `status`.
pub fn error(status: u16, code: &str, message: &str, fields: Vec<FieldError>) -> Result<Response> {
    json(status, &ErrorBody::new(code, message, fields))
}

/// An error about one field.
pub fn field_error(status: u16, code: &str, message: &str, field: FieldError) -> Result<Response> {
    error(status, code, message, vec![field])
}

/// `body` as `content_type`, tagged with an ETag (a 304 when the browser has
/// it) and cached for half a minute: callback times change with the clock,
/// and an edit to a site should reach its pages within a minute.
pub fn tagged(req: &worker::Request, body: Vec<u8>, content_type: &str) -> Result<Response> {
    let etag = lead::site::etag(&body);
    let unchanged = req
        .headers()
        .get("if-none-match")?
        .is_some_and(|tags| lead::site::etag_matches(&tags, &etag));
    let mut response = if unchanged {
        Response::empty()?.with_status(304)
    } else {
        Response::from_bytes(body)?.with_status(200)
    };
    let headers = response.headers_mut();
    if !unchanged {
        headers.set("content-type", content_type)?;
    }
    headers.set("etag", &etag)?;
    headers.set("cache-control", "public, max-age=30")?;
    headers.set("x-content-type-options", "nosniff")?;
    Ok(response)
}

/// Lets the page at `origin` read the answer.
pub fn allow_origin(mut response: Response, origin: Option<&str>) -> Result<Response> {
    if let Some(origin) = origin {
        let headers: &mut Headers = response.headers_mut();
        headers.set("access-control-allow-origin", origin)?;
        headers.append("vary", "Origin")?;
    }
    Ok(response)
}

/// The answer to a CORS preflight for `POST` with a JSON content type.
pub fn preflight(origin: Option<&str>) -> Result<Response> {
    let response = Response::empty()?.with_status(204);
    let headers = Headers::new();
    headers.set("access-control-allow-methods", "POST, GET, OPTIONS")?;
    headers.set("access-control-allow-headers", "content-type")?;
    headers.set("access-control-max-age", "86400")?;
    allow_origin(response.with_headers(headers), origin)
}
