//! Operational settings from Worker vars, each with a default: the retry
//! schedule and the outbound timeout (tests shorten both), the admin token.

use lead::destination::reach::Loopback;
use std::time::Duration;

use lead::delivery::{parse_schedule, RETRY_SCHEDULE};
use worker::Env;

/// Standard Webhooks asks receivers to answer within 15 to 30 s.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Settings {
    pub schedule: Vec<u64>,
    pub timeout: Duration,
    /// Whether destinations may be plain-http stand-ins on this machine: only
    /// under local development, which sets `ALLOW_LOOPBACK_DESTINATIONS=true`
    /// (the tests' and the demo's `wrangler dev`). Never set it in production.
    pub loopback: Loopback,
}

impl Settings {
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        Settings {
            schedule: var("RETRY_SCHEDULE_SECONDS")
                .and_then(|s| parse_schedule(&s))
                .unwrap_or_else(|| RETRY_SCHEDULE.to_vec()),
            timeout: var("DELIVERY_TIMEOUT_MS")
                .and_then(|t| t.parse().ok())
                .map(Duration::from_millis)
                .unwrap_or(DEFAULT_TIMEOUT),
            loopback: match var("ALLOW_LOOPBACK_DESTINATIONS").as_deref() {
                Some("true") => Loopback::Allowed,
                _ => Loopback::Refused,
            },
        }
    }

    /// How long a consumer holds a delivery: the send, plus room to record it.
    pub fn lease_ms(&self) -> i64 {
        self.timeout.as_millis() as i64 + 15_000
    }
}

/// A secret (or, locally, a var) by name; `None` when neither is set.
pub fn secret_or_var(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
}

pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// The clock business hours are read with: the real one, unless the
/// `HOURS_NOW_MS` var fixes it (the browser test of the off-hours slot picker).
pub fn hours_now_ms(env: &Env) -> i64 {
    env.var("HOURS_NOW_MS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or_else(now_ms)
}
