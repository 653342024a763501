//! Leadwire's edge collector, a Cloudflare Worker.
//!
//! A request flows `routes` → `intake` (checks, `lead::validate`) → `store`
//! (D1, before any 2xx) → `deliver` (after the answer, through
//! `destinations`). Business rules live in the `lead` crate; this crate is the
//! shell around the platform's bindings.

mod answer;
#[cfg(feature = "bench-routes")]
mod bench;
mod deliver;
mod destinations;
mod intake;
mod routes;
mod sites;
mod store;

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    routes::handle(req, env, ctx).await
}
