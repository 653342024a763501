//! What a destination's answer means for a delivery.

use serde::{Deserialize, Serialize};

/// Where one lead stands at one destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not delivered yet; will be tried (again).
    Pending,
    Delivered,
    /// Refused for good (a 4xx that retrying cannot fix); replay after fixing.
    Failed,
    /// The endpoint said it is gone (410): nothing more is sent until re-enabled.
    Disabled,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::Disabled => "disabled",
        }
    }
}

/// 4xx answers that mean "try again later", not "this lead is wrong".
/// Source: Standard Webhooks spec (429 throttle) and RFC 9110 (408, 409, 425).
const RETRYABLE_CLIENT_ERRORS: &[u16] = &[408, 409, 425, 429];

/// The state after an attempt that got `status` back, or none (`None`:
/// timeout, refused connection, DNS).
pub fn state_after(status: Option<u16>) -> DeliveryState {
    match status {
        Some(200..=299) => DeliveryState::Delivered,
        Some(410) => DeliveryState::Disabled,
        Some(s) if RETRYABLE_CLIENT_ERRORS.contains(&s) => DeliveryState::Pending,
        // Redirects are not followed: the endpoint is misconfigured, not down.
        Some(300..=499) => DeliveryState::Failed,
        Some(_) | None => DeliveryState::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeliveryState::*;

    #[test]
    fn answers_map_to_states() {
        let cases: &[(Option<u16>, DeliveryState)] = &[
            (Some(200), Delivered),
            (Some(202), Delivered),
            (Some(204), Delivered),
            (Some(301), Failed),
            (Some(400), Failed),
            (Some(401), Failed),
            (Some(404), Failed),
            (Some(408), Pending),
            (Some(409), Pending),
            (Some(410), Disabled),
            (Some(425), Pending),
            (Some(429), Pending),
            (Some(500), Pending),
            (Some(503), Pending),
            (None, Pending),
        ];
        for (status, want) in cases {
            assert_eq!(state_after(*status), *want, "{status:?}");
        }
    }
}
