//! `POST /v1/leads`: check, validate, store, answer, then attempt the deliveries.
//! Spam is answered like a lead (a bot learns nothing), stored flagged, and
//! never queued.

use lead::limits;
use lead::spam::spam_verdict;
use lead::validate::validate;
use lead::wire::{parse_submission, Accepted, FieldError};
use worker::{console_error, Context, Date, Env, Request, Response, Result};

use crate::settings::Settings;

use lead::site::{Destination, Site};
use lead::wire::Lead;

use crate::store::{self, Claimed, DeliveryKey, Insert, LeadStore, StoreError};
use crate::{answer, deliver, sites};

/// Bodies a browser can send without a preflight (`text/plain`) or with one.
const CONTENT_TYPES: &[&str] = &["text/plain", "application/json"];

pub async fn post_lead(mut req: Request, env: Env, ctx: Context) -> Result<Response> {
    let origin = req.headers().get("origin")?;
    let response = accept(&mut req, env, &ctx, origin.as_deref()).await?;
    // Error answers carry nothing private, so every page may read them: a
    // site's developer sees why in the console. A 202 only reaches allowed origins.
    answer::allow_origin(response, origin.as_deref())
}

async fn accept(req: &mut Request, env: Env, ctx: &Context, origin: Option<&str>) -> Result<Response> {
    let too_large = || {
        answer::error(
            413,
            "payload_too_large",
            &format!("A lead is at most {} KB.", limits::BODY_BYTES / 1024),
            vec![],
        )
    };
    let declared = req
        .headers()
        .get("content-length")?
        .and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|l| l > limits::BODY_BYTES) {
        return too_large();
    }
    let content_type = req.headers().get("content-type")?.unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !CONTENT_TYPES.contains(&media_type.as_str()) {
        return answer::error(
            415,
            "unsupported_media_type",
            "Send the lead as JSON, with Content-Type text/plain or application/json.",
            vec![],
        );
    }
    let Ok(body) = req.bytes().await else {
        return answer::error(400, "unreadable_body", "The request body could not be read.", vec![]);
    };
    if body.len() > limits::BODY_BYTES {
        return too_large();
    }
    let submission = match parse_submission(&body) {
        Ok(s) => s,
        Err(field) => {
            let message = format!("The lead is not valid v1 JSON: {}", field.message);
            return answer::field_error(400, &field.code.clone(), &message, field);
        }
    };
    let site = match sites::get(&env, &submission.site).await {
        Ok(site) => site,
        Err(e) => {
            console_error!("site {:?} not read: {}", submission.site, e.0);
            return answer::error(
                503,
                "unavailable",
                "The site's settings could not be read just now; try again shortly.",
                vec![],
            );
        }
    };
    let Some(site) = site else {
        let field = FieldError::new(
            "site",
            "not_found",
            format!("No site {:?} is configured.", submission.site),
        );
        return answer::field_error(404, "site_not_found", "Unknown site.", field);
    };
    if let Some(o) = origin.filter(|o| !site.allows_origin(o)) {
        let field = FieldError::new(
            "origin",
            "not_allowed",
            format!("{o} is not among the origins of site {:?}.", site.id),
        );
        return answer::field_error(
            403,
            "origin_not_allowed",
            "This page may not send leads for this site.",
            field,
        );
    }
    // Before any work on the lead: a flood from one address ends here, without D1.
    let site: &Site = &site;
    if let Some(limited) = crate::limit::client(&env, req, site).await? {
        return Ok(limited);
    }
    let received_at_ms = Date::now().as_millis() as i64;
    let spam = spam_verdict(&submission.signals);
    let token = submission.signals.turnstile.clone();
    let mut lead = match validate(submission, site, received_at_ms) {
        Ok(lead) => lead,
        Err(fields) => return answer::error(422, "invalid_lead", "Some fields need another look.", fields),
    };
    // On the clock the widget's promise was made with (`HOURS_NOW_MS` pins it in tests), so the two agree.
    let hours_now = jiff::Timestamp::from_millisecond(crate::settings::hours_now_ms(&env)).unwrap_or_default();
    lead.expected_response_by = lead::hours::expected_response_by(&lead, site.hours.as_ref(), hours_now);
    if let Some(limited) = crate::limit::phone(site, &lead).await? {
        return Ok(limited);
    }
    // A Turnstile outage holds the lead for review (stored like spam, with its reason); a bad token is refused.
    let spam = match crate::turnstile::check(&env, req, site, &lead, token.as_deref(), spam).await {
        Ok(spam) => spam,
        Err(field) => return answer::field_error(403, "turnstile_failed", "Please send the form again.", field),
    };
    let lead_id = lead.id;
    let store = match store::open(&env) {
        Ok(store) => store,
        Err(e) => {
            console_error!("lead {}: no store: {}", lead.id, e.0);
            return answer::error(
                503,
                "unavailable",
                "The lead could not be stored just now; try again shortly.",
                vec![],
            );
        }
    };
    let settings = Settings::from_env(&env);
    let lease_until = received_at_ms + settings.lease_ms();
    match keep(&store, site, &lead, spam, received_at_ms, lease_until).await {
        Ok(held) => {
            crate::funnel::flush_later(&env, ctx);
            // After the answer: the lead is already durable and its
            // deliveries leased to this request; should the attempts not
            // finish, the sweeper finds them pending once the lease ends.
            if !held.is_empty() {
                ctx.wait_until(async move {
                    deliver::first_attempts(&env, &settings, &store, held).await;
                });
            }
        }
        Err(NotKept::IdReused) => {
            let field = FieldError::new(
                "id",
                "id_reused",
                "Another lead with this id is stored; give every lead an id of its own.",
            );
            return answer::field_error(409, "id_reused", "This lead id belongs to another lead.", field);
        }
        Err(NotKept::Store(e)) => {
            console_error!("lead {}: not stored: {}", lead.id, e.0);
            // Not a 2xx: the widget keeps the lead in its outbox and tries again.
            return answer::error(
                503,
                "unavailable",
                "The lead could not be stored just now; try again shortly.",
                vec![],
            );
        }
    }
    answer::json(
        202,
        &Accepted {
            id: lead_id,
            expected_response_by: lead.expected_response_by,
        },
    )
}

/// Why a valid lead was not kept.
#[derive(Debug)]
pub enum NotKept {
    /// A lead with its id and other content is stored (`lead::privacy::same_content`):
    /// a client reusing ids, told so (409) rather than losing the lead unseen.
    IdReused,
    Store(StoreError),
}

impl From<StoreError> for NotKept {
    fn from(e: StoreError) -> Self {
        NotKept::Store(e)
    }
}

/// Stores a valid lead with one delivery per destination that takes it, and
/// returns those deliveries, held until `lease_until_ms` for the first
/// attempt: none for spam (never forwarded) or a lead already stored (its
/// first attempts belong to the request that stored it).
pub async fn keep(
    store: &impl LeadStore,
    site: &Site,
    lead: &Lead,
    spam: Option<&str>,
    received_at_ms: i64,
    lease_until_ms: i64,
) -> std::result::Result<Vec<Claimed>, NotKept> {
    // Each delivery keeps its destination as of now: a lead in flight goes
    // where it was accepted for, whatever the site becomes meanwhile.
    let destinations: Vec<&Destination> = site.destinations.iter().filter(|d| d.takes(lead)).collect();
    let stored = store
        .insert_lead(lead, &destinations, received_at_ms, spam, lease_until_ms)
        .await?;
    if stored.insert == Insert::Duplicate {
        let posted = lead::privacy::fingerprint(lead);
        if !lead::privacy::same_content(stored.earlier_fingerprint.as_deref(), &posted) {
            return Err(NotKept::IdReused);
        }
        return Ok(Vec::new());
    }
    if spam.is_some() {
        return Ok(Vec::new());
    }
    crate::funnel::count_lead(site, lead, lead::funnel::Event::Accepted, received_at_ms);
    Ok(destinations
        .into_iter()
        .map(|d| Claimed {
            key: DeliveryKey {
                lead_id: lead.id,
                destination: d.id.clone(),
            },
            lead: Ok(lead.clone()),
            attempts_made: 0,
            last_outcome_unknown: false,
            destination_disabled: stored.disabled.contains(&d.id),
            destination_config: Some(d.clone()),
        })
        .collect())
}

#[cfg(test)]
mod tests;
