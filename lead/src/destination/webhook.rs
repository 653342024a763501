//! `webhook`: a Standard Webhooks `lead.created` event, signed with the
//! destination's `whsec_…` key. The receiver de-duplicates on `webhook-id`,
//! the same on every attempt.

use serde::Deserialize;

use crate::signing::{webhook_id, WebhookSecret};
use crate::wire::WebhookEvent;

use super::{Answer, Delivery, Guarantee, Kind, Outcome, Problem, Request};
use crate::site::Destination;

pub struct Webhook;

/// `[[site.destination]]` keys of a webhook.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The endpoint, when it holds no token.
    url: Option<String>,
    /// Or: the Worker secret holding it.
    url_secret: Option<String>,
    /// The Worker secret holding the `whsec_…` signing key.
    secret: String,
}

impl Kind for Webhook {
    fn check(&self, destination: &Destination) -> Vec<String> {
        match super::settings::<Settings>(destination) {
            Err(e) => vec![e.detail],
            Ok(s) if s.url.is_some() == s.url_secret.is_some() => {
                vec!["needs exactly one of url, url_secret".into()]
            }
            Ok(_) => vec![],
        }
    }

    fn request(&self, delivery: &Delivery) -> Result<Request, Problem> {
        let settings: Settings = delivery.settings()?;
        let url = delivery.endpoint(&settings.url, &settings.url_secret, None)?;
        let key = WebhookSecret::parse(&delivery.secret_value(&settings.secret)?)
            .map_err(|e| Problem::new("secret_invalid", format!("{}: {e}", settings.secret)))?;
        let body = serde_json::to_string(&WebhookEvent::lead_created(delivery.lead.clone()))
            .map_err(|e| Problem::new("encode", e.to_string()))?;
        let id = webhook_id(&delivery.lead.id, &delivery.destination.id);
        let signature = key.sign(&id, delivery.now_secs, body.as_bytes());
        Ok(Request {
            method: super::Method::Post,
            url,
            headers: vec![
                ("content-type", "application/json".to_owned()),
                super::user_agent(),
                ("webhook-id", id),
                ("webhook-timestamp", delivery.now_secs.to_string()),
                ("webhook-signature", signature),
            ],
            body: Some(body),
        })
    }

    fn classify(&self, answer: &Answer) -> Outcome {
        Outcome::from_status(answer)
    }

    fn guarantee(&self) -> Guarantee {
        Guarantee::ExactlyOnce
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{destination, lead, request_at};
    use super::*;

    #[test]
    fn the_event_is_signed_as_standard_webhooks_verify_it() {
        let d = destination(
            r#"id = "crm"
               url_secret = "CRM_URL"
               secret = "CRM_SECRET""#,
        );
        // The reference verifier allows five minutes of clock skew: sign now.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs() as i64;
        let r = request_at(&Webhook, &lead(), &d, now);
        assert_eq!(r.url, "https://crm.example/hooks/leads");
        let header = |n: &str| r.headers.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
        assert_eq!(
            header("webhook-id").as_deref(),
            Some("lead_6f1c8a524a8e4b7e9a570c1d2e3f4a5b_crm")
        );
        let mut headers = http::HeaderMap::new();
        for (k, v) in &r.headers {
            headers.insert(*k, v.parse().expect("a header value"));
        }
        let verifier =
            standardwebhooks::Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("the key parses");
        let body = r.body.clone().expect("a body");
        verifier
            .verify(body.as_bytes(), &headers)
            .expect("the reference library accepts the signature");
        assert_eq!(header("webhook-timestamp"), Some(now.to_string()));
        let event: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(event["type"], "lead.created");
        assert_eq!(event["data"]["contact"]["phone"], "+79123456789");
        assert_eq!(event["data"]["expected_response_by"], "2026-11-24T06:00:00Z");
    }

    #[test]
    fn settings_are_checked_by_key() {
        let problems = |t: &str| Webhook.check(&destination(t));
        assert!(problems("id = \"a\"\nurl = \"https://x.example\"\nsecret = \"S\"").is_empty());
        assert!(problems("id = \"a\"\nsecret = \"S\"")[0].contains("url, url_secret"));
        assert!(problems("id = \"a\"\nurl = \"https://x.example\"")[0].contains("secret"));
        assert!(problems("id = \"a\"\nurl = \"https://x.example\"\nsecret = \"S\"\nchat = \"1\"")[0].contains("chat"));
    }
}
