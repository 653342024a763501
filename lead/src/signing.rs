//! Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// The spec asks for 24 to 64 bytes of key.
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// A destination's signing key, from its `whsec_…` form.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretError {
    /// Not `whsec_` followed by base64.
    Format,
    /// The key is shorter than 24 or longer than 64 bytes.
    Length,
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecretError::Format => "a webhook secret is \"whsec_\" followed by base64",
            SecretError::Length => "a webhook secret holds 24 to 64 bytes of key",
        })
    }
}

impl WebhookSecret {
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text.trim().strip_prefix(PREFIX).ok_or(SecretError::Format)?;
        let key = BASE64.decode(encoded).map_err(|_| SecretError::Format)?;
        if !KEY_BYTES.contains(&key.len()) {
            return Err(SecretError::Length);
        }
        Ok(WebhookSecret(key))
    }

    /// The `webhook-signature` header value for one delivery attempt.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length"); // ok: infallible for HMAC
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-id` of a lead at a destination: the same on every attempt.
pub fn webhook_id(lead_id: &uuid::Uuid, destination: &str) -> String {
    format!("lead_{}_{destination}", lead_id.simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector published with the Standard Webhooks spec.
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const MSG_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TIMESTAMP: i64 = 1649367553;
    const PAYLOAD: &str = r#"{"email":"test@example.com","username":"test_user"}"#;

    #[test]
    fn matches_the_spec_test_vector() {
        let secret = WebhookSecret::parse(SECRET).expect("valid secret");
        assert_eq!(
            secret.sign(MSG_ID, TIMESTAMP, PAYLOAD.as_bytes()),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn the_reference_library_verifies_our_signature() {
        let secret = WebhookSecret::parse(SECRET).expect("valid secret");
        // The reference checks the timestamp against its own clock.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs() as i64;
        let body = br#"{"type":"lead.created"}"#;
        let mut headers = http::HeaderMap::new();
        headers.insert("webhook-id", MSG_ID.parse().unwrap());
        headers.insert("webhook-timestamp", now.to_string().parse().unwrap());
        headers.insert("webhook-signature", secret.sign(MSG_ID, now, body).parse().unwrap());
        let reference = standardwebhooks::Webhook::new(SECRET).expect("reference parses the secret");
        reference
            .verify(body, &headers)
            .expect("reference library accepts the signature");
        headers.insert(
            "webhook-signature",
            secret.sign(MSG_ID, now, b"tampered").parse().unwrap(),
        );
        assert!(reference.verify(body, &headers).is_err());
    }

    #[test]
    fn refuses_malformed_secrets_and_hides_keys() {
        assert_eq!(
            WebhookSecret::parse("C2FVsBQIhrscChlQIMV+b5sSYspob7oD").err(),
            Some(SecretError::Format)
        );
        assert_eq!(WebhookSecret::parse("whsec_!!!").err(), Some(SecretError::Format));
        assert_eq!(WebhookSecret::parse("whsec_c2hvcnQ=").err(), Some(SecretError::Length));
        let secret = WebhookSecret::parse(SECRET).expect("valid secret");
        assert_eq!(format!("{secret:?}"), "WebhookSecret(***)");
    }

    #[test]
    fn webhook_ids_are_stable_per_lead_and_destination() {
        let id = uuid::Uuid::from_u128(0x6f1c8a52_4a8e_4b7e_9a57_0c1d2e3f4a5b);
        assert_eq!(webhook_id(&id, "crm"), webhook_id(&id, "crm"));
        assert_ne!(webhook_id(&id, "crm"), webhook_id(&id, "backup"));
        assert_eq!(webhook_id(&id, "crm"), "lead_6f1c8a524a8e4b7e9a570c1d2e3f4a5b_crm");
    }
}
