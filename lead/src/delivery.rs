//! What a destination's answer means for a delivery, and when to try again.

use serde::{Deserialize, Serialize};

use crate::destination::Outcome;

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

/// Seconds to wait before each attempt: the first at once, then 5 s, 30 s,
/// 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h and 24 h (≈ 47 h in all), after
/// the shape of Svix's and the Standard Webhooks example schedule. A delivery
/// still failing after the last attempt is marked failed, for replay.
pub const RETRY_SCHEDULE: &[u64] = &[0, 5, 30, 120, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400];

/// The longest `Retry-After` honoured; a receiver cannot park a lead for days.
pub const MAX_RETRY_AFTER_SECS: u64 = 86_400;

/// What to do after one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub state: DeliveryState,
    /// For `Pending`: seconds until the next attempt.
    pub retry_in_secs: Option<u64>,
    /// The destination cannot take anything: stop sending to it until re-enabled.
    pub disable_destination: bool,
    /// Why it was not delivered, as recorded with the attempt.
    pub reason: Option<String>,
}

/// Decides after attempt number `attempts_made` (1 for the first) whose
/// answer the destination's kind read as `outcome`.
pub fn decide(attempts_made: u32, outcome: &Outcome, schedule: &[u64]) -> Decision {
    let (state, asked, reason) = match outcome {
        Outcome::Delivered => (DeliveryState::Delivered, None, None),
        Outcome::Retry { after_secs, reason } => (DeliveryState::Pending, *after_secs, Some(reason)),
        Outcome::Failed { reason } => (DeliveryState::Failed, None, Some(reason)),
        Outcome::Disable { reason } => (DeliveryState::Disabled, None, Some(reason)),
    };
    let mut decision = Decision {
        state,
        retry_in_secs: None,
        disable_destination: state == DeliveryState::Disabled,
        reason: reason.cloned(),
    };
    if state != DeliveryState::Pending {
        return decision;
    }
    match schedule.get(attempts_made as usize) {
        Some(&wait) => {
            let asked = asked.unwrap_or(0).min(MAX_RETRY_AFTER_SECS);
            decision.retry_in_secs = Some(wait.max(asked));
        }
        // Out of attempts: visibly failed, waiting for a replay.
        None => decision.state = DeliveryState::Failed,
    }
    decision
}

/// Reads `Retry-After`: delay-seconds, or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp().as_millisecond();
    Some(((at - now_ms).max(0) / 1000) as u64)
}

/// Parses a schedule written as comma-separated seconds (`"0,5,30"`), for
/// sites and tests that need another one; `None` if any entry is not a number.
pub fn parse_schedule(text: &str) -> Option<Vec<u64>> {
    let schedule: Option<Vec<u64>> = text.split(',').map(|s| s.trim().parse().ok()).collect();
    schedule.filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destination::Answer;
    use DeliveryState::*;

    #[test]
    fn decisions_follow_the_schedule() {
        let schedule = RETRY_SCHEDULE;
        let cases: &[(u32, Option<u16>, Option<u64>, DeliveryState, Option<u64>, bool)] = &[
            (1, Some(200), None, Delivered, None, false),
            (1, Some(500), None, Pending, Some(5), false),
            (2, Some(503), None, Pending, Some(30), false),
            (3, None, None, Pending, Some(120), false),
            (10, Some(500), None, Pending, Some(86_400), false),
            (11, Some(500), None, Failed, None, false),
            (1, Some(429), Some(60), Pending, Some(60), false),
            (3, Some(429), Some(1), Pending, Some(120), false),
            (
                1,
                Some(503),
                Some(10_000_000),
                Pending,
                Some(MAX_RETRY_AFTER_SECS),
                false,
            ),
            (1, Some(410), None, Disabled, None, true),
            (1, Some(400), None, Failed, None, false),
        ];
        for (attempts, status, retry_after, state, retry_in, disable) in cases {
            let outcome = match status {
                Some(status) => Outcome::from_status(&Answer {
                    status: *status,
                    retry_after_secs: *retry_after,
                    body: "",
                }),
                None => Outcome::Retry {
                    after_secs: None,
                    reason: "timeout".into(),
                },
            };
            let got = decide(*attempts, &outcome, schedule);
            assert_eq!(
                (got.state, got.retry_in_secs, got.disable_destination),
                (*state, *retry_in, *disable),
                "attempt {attempts}, {status:?}, Retry-After {retry_after:?}"
            );
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = 1_445_412_480_000; // 2015-10-21T07:28:00Z
        assert_eq!(parse_retry_after("120", now), Some(120));
        assert_eq!(parse_retry_after(" 7 ", now), Some(7));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now), Some(60));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(0));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn schedules_parse_from_text() {
        assert_eq!(parse_schedule("0, 1,2"), Some(vec![0, 1, 2]));
        assert_eq!(parse_schedule(""), None);
        assert_eq!(parse_schedule("0,x"), None);
    }

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
