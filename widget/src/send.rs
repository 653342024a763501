//! Posting a lead to the collector and reading its answer.

use lead::wire::{ErrorBody, FieldError};

use crate::json::Js;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response, Window};

pub enum Outcome {
    Accepted,
    /// The collector named what is wrong; the visitor can fix it.
    Invalid(Vec<FieldError>),
    /// No answer, or the collector could not take it now: try again later.
    Unavailable,
    /// Too many leads (429): try again after the collector's `Retry-After`, in seconds.
    Limited(Option<u32>),
}

/// POSTs a serialized submission as `text/plain`: a CORS simple request, so
/// no preflight round trip.
pub async fn post_lead(window: &Window, base: &str, body: &str) -> Outcome {
    match send(window, base, body).await {
        Ok(outcome) => outcome,
        Err(_) => Outcome::Unavailable,
    }
}

async fn send(window: &Window, base: &str, body: &str) -> Result<Outcome, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = js_sys::Object::new();
    js_sys::Reflect::set(&headers, &"content-type".into(), &"text/plain;charset=UTF-8".into())?;
    init.set_headers(&headers);
    // Survives the visitor leaving the page right after submitting.
    js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE)?;
    let url = format!("{base}v1/leads");
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await?
        .dyn_into()?;
    let status = response.status();
    if (200..300).contains(&status) {
        return Ok(Outcome::Accepted);
    }
    if status == 429 {
        let asked = response.headers().get("retry-after").ok().flatten();
        return Ok(Outcome::Limited(lead::rate::parse_retry_after(asked.as_deref())));
    }
    if status >= 500 || status == 408 {
        return Ok(Outcome::Unavailable);
    }
    let answer = JsFuture::from(response.json()?).await.unwrap_or(JsValue::NULL);
    let fields = ErrorBody::fields_of(&Js(answer));
    Ok(Outcome::Invalid(fields))
}
