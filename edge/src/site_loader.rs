//! `GET /v1/sites/{site}/w.js`: the loader with the site's config written in
//! ([`lead::loader::with_preset`]). A page view then makes one request to the
//! collector instead of two (the loader, then its config) and runs no `fetch`
//! before the launcher is drawn. The loader is the static `w.js`, read through
//! the assets binding, so both ways of loading run the same file. The deferred
//! snippet asks for it with CORS (`crossOrigin`), so the page's origin is
//! checked as the config route checks it.

use worker::{console_error, Env, Request, Response, Result};

use crate::{answer, routes};

/// Where the assets binding finds the static loader (the host is not used).
const STATIC_LOADER: &str = "https://assets.invalid/w.js";

pub async fn serve(req: &Request, env: &Env, site_id: &str, origin: Option<&str>) -> Result<Response> {
    let config = match routes::config_body(req, env, site_id, origin).await? {
        Ok(config) => config,
        Err(refused) => return Ok(refused),
    };
    let Some(loader) = static_loader(env).await else {
        return answer::error(
            503,
            "unavailable",
            "The widget's loader could not be read just now; try again shortly.",
            vec![],
        );
    };
    let config = String::from_utf8_lossy(&config);
    let body = lead::loader::with_preset(site_id, &config, &loader);
    let response = answer::tagged(req, body.into_bytes(), "text/javascript; charset=utf-8")?;
    answer::allow_origin(response, origin)
}

async fn static_loader(env: &Env) -> Option<String> {
    let read = async {
        let mut response = env.assets("ASSETS")?.fetch(STATIC_LOADER, None).await?;
        if response.status_code() != 200 {
            return Err(worker::Error::RustError(format!("status {}", response.status_code())));
        }
        response.text().await
    };
    read.await
        .map_err(|e| console_error!("the static loader was not read: {e}"))
        .ok()
}
