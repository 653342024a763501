//! Leadwire's edge collector, a Cloudflare Worker.
//!
//! A request flows `routes` → `intake` (checks, `lead::validate`) → `store`
//! (D1, before any 2xx) → `deliver`: a first attempt right after the answer,
//! then the queue consumer (claim, send what `lead::destination` builds for
//! the destination's kind, record, schedule the next try) — with `sweep` (a
//! Cron Trigger) re-enqueueing anything pending past its time. `admin` lists, inspects and replays. Business rules live in
//! the `lead` crate; this crate is the shell around the platform's bindings.

mod admin;
mod answer;
mod attempt;
#[cfg(feature = "bench-routes")]
mod bench;
mod console;
mod deliver;
mod funnel;
mod intake;
mod limit;
mod privacy;
mod routes;
mod secrets;
mod settings;
mod site_loader;
mod sites;
mod store;
mod sweep;
#[cfg(test)]
mod tests;
mod turnstile;

use worker::{
    console_error, event, Context, Env, MessageBatch, Request, Response, Result, ScheduleContext, ScheduledEvent,
};

/// Once per isolate, before its first request: the phone metadata and the
/// configured countries' patterns (13–20 ms, BENCHMARKS.md) count against the
/// startup limit (1 s) rather than the first lead's CPU time.
#[event(start)]
fn start() {
    lead::phone::warm(sites::compiled().sites.iter().map(|s| s.default_country.as_str()));
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    routes::handle(req, env, ctx).await
}

#[event(queue)]
async fn queue(batch: MessageBatch<store::DeliveryKey>, env: Env, _ctx: Context) -> Result<()> {
    match store::open(&env) {
        Ok(store) => {
            deliver::consume(batch, env.clone(), &store).await;
            funnel::flush_now(&env).await; // the batch's delivered/failed counts
        }
        Err(e) => {
            console_error!("queue: no database ({}); messages retried", e.0);
            batch.retry_all();
        }
    }
    Ok(())
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    sweep::run(&env).await;
    privacy::run(&env).await;
}
