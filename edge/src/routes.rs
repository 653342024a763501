//! The routing table: method and path to a handler.

use worker::{console_error, Context, Env, Method, Request, Response, Result};

use crate::{answer, intake, sites};

pub async fn handle(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let origin = req.headers().get("origin")?;
    match (req.method(), segments.as_slice()) {
        (Method::Post, ["v1", "leads"]) => intake::post_lead(req, env, ctx).await,
        (Method::Options, ["v1", "leads"]) => answer::preflight(origin.as_deref()),
        (Method::Post, ["v1", "sites", site, "events"]) => crate::funnel::post_events(req, env, ctx, site).await,
        (Method::Get, ["v1", "sites", site, "config"]) => site_config(&req, &env, site, origin.as_deref()).await,
        (Method::Get, ["v1", "sites", site, "w.js"]) => {
            crate::site_loader::serve(&req, &env, site, origin.as_deref()).await
        }
        (_, ["v1", "admin", rest @ ..]) => crate::admin::handle(req, env, rest).await,
        (Method::Get, ["admin", file @ ..]) => crate::console::serve(file),
        #[cfg(feature = "bench-routes")]
        (_, ["__bench", ..]) => crate::bench::handle(req, env).await,
        (_, ["v1", ..]) => answer::error(
            404,
            "not_found",
            &format!("No route for {} {path}.", req.method()),
            vec![],
        ),
        _ => answer::error(404, "not_found", "Nothing here. The API lives under /v1/.", vec![]),
    }
}

/// `GET /v1/sites/{site}/config[?tz=<IANA zone>&lang=ru|en]`: what the widget
/// needs to start, with the callback times for the visitor's zone, in the
/// dialog's language (the site's configured locale wins over `lang`). Tagged
/// with an ETag, so a page reloaded after the cache life gets a 304 while
/// nothing changed, and the new settings within a minute when they did.
async fn site_config(req: &Request, env: &Env, site_id: &str, origin: Option<&str>) -> Result<Response> {
    let body = match config_body(req, env, site_id, origin).await? {
        Ok(body) => body,
        Err(refused) => return Ok(refused),
    };
    let response = answer::tagged(req, body, "application/json")?;
    answer::allow_origin(response, origin)
}

/// The site's public config as JSON, for a page on `origin` (checked when the
/// browser names it), or the answer that refuses it.
pub async fn config_body(
    req: &Request,
    env: &Env,
    site_id: &str,
    origin: Option<&str>,
) -> Result<std::result::Result<Vec<u8>, Response>> {
    let site = match sites::get(env, site_id).await {
        Ok(site) => site,
        Err(e) => {
            console_error!("site {site_id:?} not read: {}", e.0);
            return answer::error(
                503,
                "unavailable",
                "The site's settings could not be read just now; try again shortly.",
                vec![],
            )
            .map(Err);
        }
    };
    let Some(site) = site else {
        return answer::error(
            404,
            "site_not_found",
            &format!("No site {site_id:?} is configured."),
            vec![],
        )
        .map(Err);
    };
    if let Some(o) = origin {
        if !site.allows_origin(o) {
            return answer::error(
                403,
                "origin_not_allowed",
                &format!("{o} may not use site {site_id:?}."),
                vec![],
            )
            .map(Err);
        }
    }
    let (mut tz, mut lang) = (None, None);
    for (key, value) in req.url()?.query_pairs() {
        match key.as_ref() {
            "tz" => tz = Some(value.into_owned()),
            "lang" => lang = Some(value.into_owned()),
            _ => {}
        }
    }
    let config = match jiff::Timestamp::from_millisecond(crate::settings::hours_now_ms(env)) {
        Ok(now) => site.public_config_at(now, tz.as_deref(), lang.as_deref()),
        Err(_) => site.public_config(),
    };
    serde_json::to_vec(&config)
        .map(Ok)
        .map_err(|e| worker::Error::RustError(e.to_string()))
}
