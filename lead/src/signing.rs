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

    /// A lead's event as we send it: our webhook id, a Cyrillic body. The
    /// expected value is computed outside this crate (Python's `hmac` over
    /// `id.timestamp.body`), and the reference library signs it the same.
    #[test]
    fn a_lead_event_signs_to_a_known_value() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = webhook_id(&uuid::Uuid::from_u128(0x6f1c8a52_4a8e_4b7e_9a57_0c1d2e3f4a5b), "crm");
        let body = r#"{"type":"lead.created","data":{"name":"Анна"}}"#.as_bytes();
        let ours = WebhookSecret::parse(secret)
            .expect("valid secret")
            .sign(&id, 1_764_000_000, body);
        assert_eq!(ours, "v1,PHiJvzAECqgrkTf1B1XuY1JLGBIzcISlqdHN/+bKozk=");
        let reference = standardwebhooks::Webhook::new(secret).expect("reference parses the secret");
        assert_eq!(reference.sign(&id, 1_764_000_000, body).ok(), Some(ours));
    }

    /// The reference signs without a clock: compare on keys of both extreme
    /// lengths, empty and large bodies, old and negative timestamps.
    #[test]
    fn the_reference_library_signs_as_we_do() {
        let key = |len: u8| format!("whsec_{}", BASE64.encode((0..len).collect::<Vec<u8>>()));
        let large = "ж".repeat(40_000);
        let cases: &[(String, &str, i64, &[u8])] = &[
            (key(24), "msg_1", 0, b""),
            (key(64), "lead_0_backup", -1, b"{}"),
            (key(32), MSG_ID, i64::MAX, PAYLOAD.as_bytes()),
            (SECRET.into(), "a.b.c", TIMESTAMP, large.as_bytes()),
        ];
        for (secret, id, timestamp, body) in cases {
            let ours = WebhookSecret::parse(secret)
                .expect("valid secret")
                .sign(id, *timestamp, body);
            let reference = standardwebhooks::Webhook::new(secret).expect("reference parses the secret");
            assert_eq!(
                reference.sign(id, *timestamp, body).ok(),
                Some(ours),
                "{secret} {id} {timestamp}"
            );
        }
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

    /// Stable: however the lead's id was written when it arrived, every
    /// attempt at a destination carries the same `webhook-id`.
    #[test]
    fn webhook_ids_are_stable_per_lead_and_destination() {
        let want = "lead_6f1c8a524a8e4b7e9a570c1d2e3f4a5b_crm";
        for written in [
            "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
            "6F1C8A52-4A8E-4B7E-9A57-0C1D2E3F4A5B",
            "6f1c8a524a8e4b7e9a570c1d2e3f4a5b",
            "urn:uuid:6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b",
        ] {
            let id = uuid::Uuid::parse_str(written).expect("a uuid");
            assert_eq!(webhook_id(&id, "crm"), want, "{written}");
        }
        let id = uuid::Uuid::from_u128(0x6f1c8a52_4a8e_4b7e_9a57_0c1d2e3f4a5b);
        let other = uuid::Uuid::from_u128(0x6f1c8a52_4a8e_4b7e_9a57_0c1d2e3f4a5c);
        assert_eq!(
            webhook_id(&id, "backup"),
            "lead_6f1c8a524a8e4b7e9a570c1d2e3f4a5b_backup"
        );
        assert_eq!(webhook_id(&other, "crm"), "lead_6f1c8a524a8e4b7e9a570c1d2e3f4a5c_crm");
    }
}
