//! The generic destination: a Standard Webhooks `lead.created` event.

use lead::signing::webhook_id;
use lead::wire::{Lead, WebhookEvent};

use super::{OutboundRequest, Target};

/// The signed request for `lead`, attempted at `now_secs`. The body is the
/// same on every attempt; only `webhook-timestamp` and the signature change.
pub fn request(lead: &Lead, destination_id: &str, target: &Target, now_secs: i64) -> Result<OutboundRequest, String> {
    let body = serde_json::to_string(&WebhookEvent::lead_created(lead.clone())).map_err(|e| e.to_string())?;
    let id = webhook_id(&lead.id, destination_id);
    let signature = target.secret.sign(&id, now_secs, body.as_bytes());
    Ok(OutboundRequest {
        url: target.url.clone(),
        headers: vec![
            ("content-type", "application/json".to_owned()),
            ("user-agent", concat!("Leadwire/", env!("CARGO_PKG_VERSION")).to_owned()),
            ("webhook-id", id),
            ("webhook-timestamp", now_secs.to_string()),
            ("webhook-signature", signature),
        ],
        body,
    })
}
