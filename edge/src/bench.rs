//! Baseline routes for `cargo xtask bench`, compiled only with the
//! `bench-routes` feature (local builds): they show what the runtime and the
//! durable write cost, so the intake's own cost can be told apart.

use lead::attribution::{Attribution, Channel};
use lead::wire::{Contact, Lead, LeadKind, Page};
use worker::{Date, Env, Method, Request, Response, Result};

use crate::answer;
use crate::store::{D1Store, LeadStore};

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
            let lead = fixed_lead(id);
            let store = D1Store::new(env.d1("DB")?);
            match store.insert_lead(&lead, &["bench"], now).await {
                Ok(_) => answer::json(202, &lead::wire::Accepted { id }),
                Err(e) => answer::error(503, "unavailable", &e.0, vec![]),
            }
        }
        _ => answer::error(404, "not_found", "No such bench route.", vec![]),
    }
}

fn fixed_lead(id: uuid::Uuid) -> Lead {
    Lead {
        id,
        site: "bench".into(),
        kind: LeadKind::Callback,
        contact: Contact {
            phone: Some("+79123456789".into()),
            name: None,
            email: None,
        },
        message: None,
        page: Page {
            url: "http://127.0.0.1:8080/".into(),
            title: None,
            referrer: None,
        },
        attribution: Attribution {
            channel: Channel::Direct,
            source: None,
            medium: None,
            campaign: None,
            term: None,
            content: None,
            referrer: None,
            landing_page: None,
        },
        received_at: "2026-01-01T00:00:00Z".into(),
    }
}
