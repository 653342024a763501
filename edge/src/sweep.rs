//! The sweeper (a Cron Trigger): re-enqueues every delivery that is pending
//! past its time and held by nobody, so a lost queue message, a failed
//! enqueue or a restart cannot lose a lead.

use worker::{console_error, console_log, Env};

use crate::deliver::enqueue;
use crate::settings::now_ms;
use crate::store::{self, LeadStore};

/// Per run; a larger backlog drains over the following runs and the retries they start.
const BATCH: u32 = 500;

pub async fn run(env: &Env) {
    let store = match store::open(env) {
        Ok(store) => store,
        Err(e) => return console_error!("sweep: no database: {}", e.0),
    };
    let due = match store.due(now_ms(), BATCH).await {
        Ok(keys) => keys,
        Err(e) => return console_error!("sweep: {}", e.0),
    };
    if due.is_empty() {
        return;
    }
    match enqueue(env, &due, 0).await {
        Ok(()) => console_log!("sweep: re-enqueued {} due deliveries", due.len()),
        Err(e) => console_error!("sweep: could not enqueue {} deliveries: {e}", due.len()),
    }
}
