//! Baseline routes for `cargo xtask bench`, compiled only with the
//! `bench-routes` feature (local builds): they show what the runtime and the
//! durable write cost, so the intake's own cost can be told apart.

use lead::site::Site;
use lead::wire::{Lead, LeadKind, Page, RawContact, Submission};
use worker::{Date, Env, Method, Request, Response, Result};

use crate::answer;
use crate::store::LeadStore;

pub async fn handle(mut req: Request, env: Env) -> Result<Response> {
    match (req.method(), req.path().as_str()) {
        // The runtime's own cost: read the body, answer it.
        (Method::Post, "/__bench/echo") => Response::from_bytes(req.bytes().await?),
        // The durable write alone: the same insert the intake makes.
        (Method::Post, "/__bench/insert") => {
            let id = req.headers().get("x-lead-id")?.and_then(|h| h.parse().ok());
            let Some(id) = id else {
                return answer::error(400, "invalid", "x-lead-id must be a UUID.", vec![]);
            };
            let now = Date::now().as_millis() as i64;
            let Some(lead) = fixed_lead(id) else {
                return answer::error(
                    500,
                    "bench_lead_invalid",
                    "The fixed bench lead no longer validates.",
                    vec![],
                );
            };
            let store = crate::store::open(&env).map_err(|e| worker::Error::RustError(e.0))?;
            // One delivery row, as a lead of a site with one destination has.
            let bench = lead::site::Destination {
                id: "bench".into(),
                kind: "webhook".into(),
                kinds: vec![],
                channels: vec![],
                fields: Default::default(),
                settings: Default::default(),
            };
            match store.insert_lead(&lead, &[&bench], now, None, now).await {
                Ok(_) => answer::json(
                    202,
                    &lead::wire::Accepted {
                        id,
                        expected_response_by: None,
                    },
                ),
                Err(e) => answer::error(503, "unavailable", &e.0, vec![]),
            }
        }
        _ => answer::error(404, "not_found", "No such bench route.", vec![]),
    }
}

/// A lead as the intake would store it, made once per isolate so that the
/// route pays for the write and nothing else.
fn fixed_lead(id: uuid::Uuid) -> Option<Lead> {
    static TEMPLATE: std::sync::OnceLock<Option<Lead>> = std::sync::OnceLock::new();
    let mut lead = TEMPLATE.get_or_init(template).clone()?;
    lead.id = id;
    Some(lead)
}

fn template() -> Option<Lead> {
    let page = Page {
        url: "http://127.0.0.1:8080/".into(),
        title: None,
        referrer: None,
    };
    let submission = Submission {
        contact: RawContact {
            phone: Some("+79123456789".into()),
            name: None,
            email: None,
        },
        // A random-looking v4 id: the nil UUID is refused (each copy gets its own id anyway).
        ..Submission::new(
            uuid::Uuid::from_u128(0x6f1e5c2a_9d4b_4c8e_9a1f_2b3c4d5e6f70),
            "bench",
            LeadKind::Callback,
            page,
        )
    };
    let site = Site {
        id: "bench".into(),
        origins: vec![],
        default_country: "RU".into(),
        destinations: vec![],
        attribution: Default::default(),
        hours: None,
        widget: Default::default(),
        turnstile: None,
        retention_days: lead::privacy::DEFAULT_RETENTION_DAYS,
        limits: Default::default(),
        secrets: Default::default(),
    };
    lead::validate::validate(submission, &site, 0).ok()
}
