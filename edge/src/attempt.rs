//! One round of delivery attempts, generic over where leads are stored and how
//! requests travel, so it runs natively under `cargo test` with an in-memory
//! store and a scripted transport. What a product is sent and what its answer
//! means is `lead::destination`'s; this module settles, sends, and decides.

use futures_util::stream::{self, StreamExt};
use lead::delivery::{decide, DeliveryState};
use lead::destination::{self, Answer, Delivery, Found, Kind, Outcome, Request};
use lead::site::SitesFile;

use crate::settings::Settings;
use crate::store::{Attempt, Claimed, DeliveryKey, LeadStore};

/// Attempts sent at once: below the six connections an invocation may hold
/// open (the D1 binding and the queue count too).
const MAX_OPEN_CONNECTIONS: usize = 4;

/// What came back from one request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub retry_after_secs: Option<u64>,
    pub body: String,
}

impl Reply {
    fn answer(&self) -> Answer<'_> {
        Answer {
            status: self.status,
            retry_after_secs: self.retry_after_secs,
            body: &self.body,
        }
    }
}

/// How requests reach the products: `fetch` in the Worker.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait Transport {
    /// The product's reply, or a fixed code (`timeout`, `connection_failed`,
    /// …) that never quotes the URL: product URLs carry tokens.
    async fn send(&self, request: Request) -> Result<Reply, &'static str>;
}

/// What a round needs besides the store and the transport.
pub struct Round<'a> {
    pub settings: &'a Settings,
    pub sites: &'a SitesFile,
    pub secret: &'a dyn Fn(&str) -> Option<String>,
    pub now_ms: &'a dyn Fn() -> i64,
}

/// Attempts held deliveries (just claimed, or leased at intake) at once,
/// records every attempt in one write, and returns the keys to retry with
/// their waits in seconds.
pub async fn attempt_all(
    round: &Round<'_>,
    store: &impl LeadStore,
    transport: &impl Transport,
    claimed: Vec<Claimed>,
) -> Result<Vec<(DeliveryKey, u64)>, String> {
    // A Worker invocation keeps at most six connections open and queues the
    // rest; an attempt's timeout must not be spent waiting in that queue.
    let work = claimed.into_iter().map(|c| attempt_one(round, store, transport, c));
    let results: Vec<_> = stream::iter(work)
        .buffer_unordered(MAX_OPEN_CONNECTIONS)
        .collect()
        .await;
    let mut records = Vec::new();
    for result in results {
        if let Some(record) = result? {
            records.push(record);
        }
    }
    store.record_attempts(&records).await.map_err(|e| e.0)?;
    let now = (round.now_ms)();
    Ok(records
        .into_iter()
        .filter_map(|(key, attempt)| {
            let at = attempt.next_attempt_at_ms?;
            // Rounded up: a retry never comes before the wait a product asked for.
            Some((key, ((at - now).max(0) as u64).div_ceil(1000)))
        })
        .collect())
}

/// One held delivery: settled without an attempt, or attempted and returned
/// for recording.
async fn attempt_one(
    round: &Round<'_>,
    store: &impl LeadStore,
    transport: &impl Transport,
    claimed: Claimed,
) -> Result<Option<(DeliveryKey, Attempt)>, String> {
    let key = claimed.key.clone();
    let started = (round.now_ms)();
    let settle = |state: DeliveryState, reason: String| async move {
        store
            .settle_without_attempt(&key, state, &reason, started)
            .await
            .map(|()| None)
            .map_err(|e| e.0)
    };
    let lead = match &claimed.lead {
        Ok(lead) => lead,
        // Retrying cannot make it decode: fail it visibly instead of circling.
        Err(e) => return settle(DeliveryState::Failed, format!("stored_lead_undecodable: {e}")).await,
    };
    let found = round.sites.site(&lead.site).and_then(|s| {
        let d = s.destinations.iter().find(|d| d.id == claimed.key.destination)?;
        Some((s, d, destination::kind(&d.kind)?))
    });
    let Some((site, target, kind)) = found else {
        let reason = "destination_removed: the destination is no longer in sites.toml";
        return settle(DeliveryState::Failed, reason.into()).await;
    };
    if claimed.destination_disabled {
        let reason = "destination_disabled: re-enable it, then replay";
        return settle(DeliveryState::Disabled, reason.into()).await;
    }
    let delivery = Delivery {
        lead,
        site,
        destination: target,
        secret: round.secret,
        now_secs: started / 1000,
    };
    let (status, outcome) = run(kind, &delivery, claimed.last_outcome_unknown, transport).await;
    let finished = (round.now_ms)();
    let decision = decide(claimed.attempts_made + 1, &outcome, &round.settings.schedule);
    if decision.disable_destination {
        let reason = decision.reason.as_deref().unwrap_or("disabled by its answer");
        store
            .set_destination_enabled(&lead.site, &target.id, false, reason, finished)
            .await
            .map_err(|e| e.0)?;
    }
    let record = Attempt {
        n: claimed.attempts_made + 1,
        at_ms: started,
        duration_ms: finished - started,
        status,
        error: decision.reason.clone(),
        state: decision.state,
        next_attempt_at_ms: decision.retry_in_secs.map(|s| finished + s as i64 * 1000),
    };
    log(&format!(
        "lead {} → {} ({}): attempt {} {} (status {:?}{}){}",
        claimed.key.lead_id,
        claimed.key.destination,
        target.kind,
        record.n,
        record.state.as_str(),
        record.status,
        record.error.as_deref().map(|e| format!(", {e}")).unwrap_or_default(),
        decision
            .retry_in_secs
            .map(|s| format!(", next in {s} s"))
            .unwrap_or_default()
    ));
    Ok(Some((claimed.key, record)))
}

/// Sends the lead, first asking the product whether it already has it when
/// the last attempt's outcome is unknown and the kind can be asked.
async fn run(
    kind: &dyn Kind,
    delivery: &Delivery<'_>,
    last_outcome_unknown: bool,
    transport: &impl Transport,
) -> (Option<u16>, Outcome) {
    if last_outcome_unknown {
        if let Some(Ok(lookup)) = kind.lookup(delivery) {
            match transport.send(lookup).await {
                Ok(reply) => match kind.found(&reply.answer()) {
                    Found::Yes => return (Some(reply.status), Outcome::Delivered),
                    Found::No => {}
                    Found::Unknown(reason) => return (Some(reply.status), retry(format!("lookup: {reason}"))),
                },
                Err(code) => return (None, retry(format!("lookup: {code}"))),
            }
        }
    }
    let request = match kind.request(delivery) {
        Ok(r) => r,
        Err(problem) => return (None, retry(problem.to_string())),
    };
    match transport.send(request).await {
        Ok(reply) => (Some(reply.status), kind.classify(&reply.answer())),
        Err(code) => (None, retry(code.into())),
    }
}

fn retry(reason: String) -> Outcome {
    Outcome::Retry {
        after_secs: None,
        reason,
    }
}

/// The Worker's log (and nothing natively: tests read the store instead).
fn log(line: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_log!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    let _ = line;
}

#[cfg(test)]
mod tests {
    //! The rounds the Worker runs, natively: the sites compiled in from
    //! `sites.toml` (its `every-kind` site), an in-memory store, and a
    //! transport that answers from a script and keeps what it was sent.

    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::future::Future;
    use std::task::{Context, Poll};
    use std::time::Duration;

    use lead::wire::Lead;

    use super::*;
    use crate::store::memory::MemoryStore;
    use crate::testing::{block_on, lead};

    const T0: i64 = 1_795_449_600_000;
    const LEASE_MS: i64 = 30_000;

    #[derive(Default)]
    struct Script {
        replies: RefCell<VecDeque<Result<Reply, &'static str>>>,
        sent: RefCell<Vec<Request>>,
        in_flight: std::cell::Cell<usize>,
        most_in_flight: std::cell::Cell<usize>,
    }

    impl Script {
        fn then(self, status: u16, body: &str) -> Self {
            self.replies.borrow_mut().push_back(Ok(Reply {
                status,
                retry_after_secs: None,
                body: body.into(),
            }));
            self
        }

        fn then_fail(self, code: &'static str) -> Self {
            self.replies.borrow_mut().push_back(Err(code));
            self
        }

        fn urls(&self) -> Vec<String> {
            self.sent.borrow().iter().map(|r| r.url.clone()).collect()
        }
    }

    impl Transport for Script {
        async fn send(&self, request: Request) -> Result<Reply, &'static str> {
            self.sent.borrow_mut().push(request);
            // In flight across one poll, as a real request is.
            self.in_flight.set(self.in_flight.get() + 1);
            self.most_in_flight
                .set(self.most_in_flight.get().max(self.in_flight.get()));
            YieldOnce(false).await;
            self.in_flight.set(self.in_flight.get() - 1);
            self.replies
                .borrow_mut()
                .pop_front()
                .unwrap_or(Err("connection_failed"))
        }
    }

    /// Pending on its first poll, ready on the next.
    struct YieldOnce(bool);

    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref(); // ready at once: polled again
                Poll::Pending
            }
        }
    }

    fn secret(name: &str) -> Option<String> {
        let value = match name {
            "EXAMPLE_BITRIX24_URL" => "https://shop.bitrix24.ru/rest/1/code/",
            "EXAMPLE_TELEGRAM_TOKEN" => "123456:ABC-token",
            "EXAMPLE_TELEGRAM_API" => "https://api.telegram.org",
            "EXAMPLE_EMAIL_API" => "https://api.resend.com",
            "EXAMPLE_EMAIL_TOKEN" => "re_key",
            "EXAMPLE_HUBSPOT_API" => "https://api.hsforms.com",
            "EXAMPLE_SLACK_URL" => "https://hooks.slack.com/services/T000/B000/XXXX",
            "DEMO_WEBHOOK_URL" => "https://crm.example/hooks/leads",
            "DEMO_WEBHOOK_SECRET" => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            // amoCRM's are left out: a missing secret has its own case.
            _ => return None,
        };
        Some(value.into())
    }

    /// A lead stored for `destination`, its delivery held by the caller (as intake holds it).
    fn stored(store: &MemoryStore, destination: &str) -> (Lead, DeliveryKey) {
        let lead = lead("callback");
        block_on(store.insert_lead(&lead, &[destination], T0, None, T0 + LEASE_MS)).expect("stored");
        let key = DeliveryKey {
            lead_id: lead.id,
            destination: destination.into(),
        };
        (lead, key)
    }

    fn held(lead: &Lead, key: &DeliveryKey) -> Claimed {
        Claimed {
            key: key.clone(),
            lead: Ok(lead.clone()),
            attempts_made: 0,
            last_outcome_unknown: false,
            destination_disabled: false,
        }
    }

    /// One round at `now`.
    fn round(store: &MemoryStore, script: &Script, claimed: Vec<Claimed>, now: i64) -> Vec<(DeliveryKey, u64)> {
        round_with_clock(store, script, claimed, &move || now)
    }

    fn round_with_clock(
        store: &MemoryStore,
        script: &Script,
        claimed: Vec<Claimed>,
        clock: &dyn Fn() -> i64,
    ) -> Vec<(DeliveryKey, u64)> {
        let settings = Settings {
            schedule: vec![0, 5, 30],
            timeout: Duration::from_secs(15),
        };
        let round = Round {
            settings: &settings,
            sites: crate::sites::all(),
            secret: &secret,
            now_ms: clock,
        };
        block_on(attempt_all(&round, store, script, claimed)).expect("the round is recorded")
    }

    #[test]
    fn a_healthy_crm_gets_the_lead_on_the_first_attempt() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "bitrix24");
        let script = Script::default().then(200, r#"{"result": 41}"#);
        let retries = round(&store, &script, vec![held(&lead, &key)], T0);
        assert_eq!(retries, vec![]);
        assert_eq!(
            script.urls(),
            ["https://shop.bitrix24.ru/rest/1/code/crm.lead.add.json"]
        );
        let row = store.row(lead.id, "bitrix24").expect("a row");
        assert_eq!(
            (row.state, row.attempts, row.last_status),
            (DeliveryState::Delivered, 1, Some(200))
        );
    }

    #[test]
    fn after_an_unknown_outcome_bitrix24_is_asked_first_and_nothing_is_sent_twice() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "bitrix24");
        let script = Script::default()
            .then_fail("timeout")
            .then(200, r#"{"result": [{"ID": "41"}], "total": 1}"#);
        assert_eq!(
            round(&store, &script, vec![held(&lead, &key)], T0),
            vec![(key.clone(), 5)]
        );
        let row = store.row(lead.id, "bitrix24").expect("a row");
        assert_eq!(
            (row.state, row.last_error.as_deref()),
            (DeliveryState::Pending, Some("timeout"))
        );

        let later = T0 + 6_000;
        let claimed = block_on(store.claim(std::slice::from_ref(&key), later, LEASE_MS)).expect("claimed");
        assert!(claimed[0].last_outcome_unknown);
        round(&store, &script, claimed, later);
        assert_eq!(
            script.urls(),
            [
                "https://shop.bitrix24.ru/rest/1/code/crm.lead.add.json",
                "https://shop.bitrix24.ru/rest/1/code/crm.lead.list.json",
            ],
            "found by the lookup: not added again"
        );
        assert_eq!(
            store.row(lead.id, "bitrix24").map(|r| r.state),
            Some(DeliveryState::Delivered)
        );
    }

    #[test]
    fn when_the_lookup_finds_nothing_the_lead_is_sent_again() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "bitrix24");
        let script = Script::default()
            .then_fail("timeout")
            .then(200, r#"{"result": [], "total": 0}"#)
            .then(200, r#"{"result": 42}"#);
        round(&store, &script, vec![held(&lead, &key)], T0);
        let claimed = block_on(store.claim(std::slice::from_ref(&key), T0 + 6_000, LEASE_MS)).expect("claimed");
        round(&store, &script, claimed, T0 + 6_000);
        assert_eq!(script.urls().len(), 3);
        assert!(script.urls()[2].ends_with("crm.lead.add.json"));
        assert_eq!(
            store.row(lead.id, "bitrix24").map(|r| r.state),
            Some(DeliveryState::Delivered)
        );
    }

    #[test]
    fn a_blocked_bot_disables_the_destination_for_the_next_lead_too() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "telegram");
        let blocked = r#"{"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}"#;
        let script = Script::default().then(403, blocked);
        round(&store, &script, vec![held(&lead, &key)], T0);
        let row = store.row(lead.id, "telegram").expect("a row");
        assert_eq!(row.state, DeliveryState::Disabled);
        assert!(
            row.last_error.is_some_and(|e| e.contains("blocked")),
            "Telegram's own words are kept"
        );

        let (next, next_key) = stored(&store, "telegram");
        let claimed =
            block_on(store.claim(std::slice::from_ref(&next_key), T0 + LEASE_MS + 1, LEASE_MS)).expect("claimed");
        assert!(claimed[0].destination_disabled);
        round(&store, &script, claimed, T0 + LEASE_MS + 1);
        assert_eq!(script.urls().len(), 1, "nothing more is sent to a disabled destination");
        assert_eq!(
            store.row(next.id, "telegram").map(|r| r.state),
            Some(DeliveryState::Disabled)
        );
    }

    #[test]
    fn telegrams_own_wait_is_kept_when_longer_than_the_schedules() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "telegram");
        let throttled = r#"{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 17",
            "parameters": {"retry_after": 17}}"#;
        let script = Script::default().then(429, throttled);
        assert_eq!(round(&store, &script, vec![held(&lead, &key)], T0), vec![(key, 17)]);
    }

    #[test]
    fn a_retry_never_comes_before_the_products_wait_while_the_clock_moves_on() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "telegram");
        let throttled = r#"{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 17",
            "parameters": {"retry_after": 17}}"#;
        let script = Script::default().then(429, throttled);
        // Each reading of the clock is 300 ms after the last: sending and recording take time.
        let ticks = std::cell::Cell::new(T0);
        let clock = || ticks.replace(ticks.get() + 300);
        let retries = round_with_clock(&store, &script, vec![held(&lead, &key)], &clock);
        assert_eq!(retries, vec![(key, 17)], "rounded up, not down to 16");
    }

    #[test]
    fn a_round_keeps_below_the_connections_an_invocation_may_hold() {
        let store = MemoryStore::default();
        let destinations = ["webhook", "bitrix24", "amocrm", "telegram", "email", "hubspot", "slack"];
        let lead = lead("callback");
        block_on(store.insert_lead(&lead, &destinations, T0, None, T0 + LEASE_MS)).expect("stored");
        let claimed = destinations
            .iter()
            .map(|d| {
                let key = DeliveryKey {
                    lead_id: lead.id,
                    destination: (*d).into(),
                };
                held(&lead, &key)
            })
            .collect();
        let script = Script::default();
        round(&store, &script, claimed, T0);
        assert!(
            script.sent.borrow().len() > MAX_OPEN_CONNECTIONS,
            "more requests than may be open at once"
        );
        let most = script.most_in_flight.get();
        assert!((2..=MAX_OPEN_CONNECTIONS).contains(&most), "{most} requests at once");
    }

    #[test]
    fn a_stored_lead_that_no_longer_decodes_fails_instead_of_circling() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "bitrix24");
        store.corrupt(lead.id);
        let claimed = block_on(store.claim(std::slice::from_ref(&key), T0 + LEASE_MS + 1, LEASE_MS)).expect("claimed");
        let script = Script::default();
        assert_eq!(round(&store, &script, claimed, T0 + LEASE_MS + 1), vec![]);
        assert!(script.urls().is_empty());
        let row = store.row(lead.id, "bitrix24").expect("a row");
        assert_eq!(row.state, DeliveryState::Failed);
        assert!(row.last_error.is_some_and(|e| e.starts_with("stored_lead_undecodable")));
    }

    #[test]
    fn a_missing_secret_is_named_and_retried_never_quoting_a_value() {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "amocrm");
        let script = Script::default();
        assert_eq!(round(&store, &script, vec![held(&lead, &key)], T0), vec![(key, 5)]);
        let error = store
            .row(lead.id, "amocrm")
            .and_then(|r| r.last_error)
            .unwrap_or_default();
        assert!(error.starts_with("secret_missing"), "{error}");
        assert!(script.urls().is_empty());
    }
}
