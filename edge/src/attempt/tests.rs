//! The rounds the Worker runs, natively: the sites compiled in from
//! `sites.toml` (its `every-kind` site), an in-memory store, and a
//! transport that answers from a script and keeps what it was sent.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use lead::destination::reach::Loopback;
use lead::wire::Lead;

use super::*;
use crate::store::memory::MemoryStore;
use crate::tests::{block_on, lead};

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

/// The `every-kind` site as compiled in.
fn every_kind() -> Rc<Site> {
    Rc::new(
        crate::sites::compiled()
            .site("every-kind")
            .expect("sites.toml has the every-kind site")
            .clone(),
    )
}

/// The compiled `every-kind` site's destination `id`.
fn destination(id: &str) -> lead::site::Destination {
    every_kind()
        .destinations
        .iter()
        .find(|d| d.id == id)
        .expect("every-kind has the destination")
        .clone()
}

/// A lead stored for `destination`, its delivery held by the caller (as intake holds it).
fn stored(store: &MemoryStore, destination: &str) -> (Lead, DeliveryKey) {
    let lead = lead("callback");
    let target = self::destination(destination);
    block_on(store.insert_lead(&lead, &[&target], T0, None, T0 + LEASE_MS)).expect("stored");
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
        destination_config: Some(destination(&key.destination)),
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
    round_with(store, script, claimed, clock, &secret, Loopback::Refused)
}

fn round_with(
    store: &MemoryStore,
    script: &Script,
    claimed: Vec<Claimed>,
    clock: &dyn Fn() -> i64,
    secret: &dyn Fn(&str) -> Option<String>,
    loopback: Loopback,
) -> Vec<(DeliveryKey, u64)> {
    let compiled = every_kind();
    let site = |id: &str| (id == compiled.id).then(|| compiled.clone());
    round_of(store, script, claimed, clock, secret, loopback, &site)
}

/// A round with the sites as `site` serves them.
fn round_of(
    store: &MemoryStore,
    script: &Script,
    claimed: Vec<Claimed>,
    clock: &dyn Fn() -> i64,
    secret: &dyn Fn(&str) -> Option<String>,
    loopback: Loopback,
    site: &dyn Fn(&str) -> Option<Rc<Site>>,
) -> Vec<(DeliveryKey, u64)> {
    let settings = Settings {
        schedule: vec![0, 5, 30],
        timeout: Duration::from_secs(15),
        loopback,
    };
    let round = Round {
        settings: &settings,
        site,
        secret: &|_: &Site, name: &str| secret(name),
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
    let claimed = block_on(store.claim(std::slice::from_ref(&next_key), T0 + LEASE_MS + 1, LEASE_MS)).expect("claimed");
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
    let targets: Vec<_> = destinations.iter().map(|d| destination(d)).collect();
    let targets: Vec<_> = targets.iter().collect();
    block_on(store.insert_lead(&lead, &targets, T0, None, T0 + LEASE_MS)).expect("stored");
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

/// An address built from a secret at send time is checked before anything
/// leaves: a private or metadata address, or this machine outside local
/// development, is never called (SSRF), and the attempt says why.
#[test]
fn a_destination_address_into_a_private_network_is_never_called() {
    let cases = [
        ("https://10.0.0.7/hooks/leads", Loopback::Refused, "address_private"),
        (
            "https://169.254.169.254/hooks/leads",
            Loopback::Allowed,
            "address_private",
        ),
        (
            "http://127.0.0.1:9100/hooks/leads",
            Loopback::Refused,
            "address_loopback",
        ),
    ];
    for (address, loopback, code) in cases {
        let store = MemoryStore::default();
        let (lead, key) = stored(&store, "webhook");
        let script = Script::default().then(200, "");
        let secret = |name: &str| {
            (name == "DEMO_WEBHOOK_URL")
                .then(|| address.to_owned())
                .or_else(|| secret(name))
        };
        round_with(&store, &script, vec![held(&lead, &key)], &|| T0, &secret, loopback);
        assert_eq!(script.urls(), Vec::<String>::new(), "{address}");
        let row = store.row(lead.id, "webhook").expect("a row");
        assert_eq!(
            (row.state, row.last_error.as_deref()),
            (DeliveryState::Pending, Some(code)),
            "{address}"
        );
    }
    // The same stand-in is called in local development.
    let store = MemoryStore::default();
    let (lead, key) = stored(&store, "bitrix24");
    let script = Script::default().then(200, r#"{"result": 41}"#);
    let local = |name: &str| (name == "EXAMPLE_BITRIX24_URL").then(|| "http://127.0.0.1:9100/rest/1/code/".to_owned());
    round_with(
        &store,
        &script,
        vec![held(&lead, &key)],
        &|| T0,
        &local,
        Loopback::Allowed,
    );
    assert_eq!(script.urls(), ["http://127.0.0.1:9100/rest/1/code/crm.lead.add.json"]);
}

/// As of arrival: a lead accepted for the old address goes there, even once
/// the site sends its destination elsewhere; the next lead goes to the new one.
#[test]
fn a_lead_in_flight_keeps_the_destination_it_was_accepted_for() {
    let store = MemoryStore::default();
    let (before, before_key) = stored(&store, "bitrix24");
    let mut changed = (*every_kind()).clone();
    for d in changed.destinations.iter_mut().filter(|d| d.id == "bitrix24") {
        d.settings.remove("url_secret");
        d.settings
            .insert("url".into(), "https://new.bitrix24.ru/rest/2/other/".into());
    }
    let changed = Rc::new(changed);
    let site = |_: &str| Some(changed.clone());
    let after = lead("callback");
    let new_target = changed
        .destinations
        .iter()
        .find(|d| d.id == "bitrix24")
        .expect("bitrix24")
        .clone();
    block_on(store.insert_lead(&after, &[&new_target], T0, None, T0)).expect("stored");
    let after_key = DeliveryKey {
        lead_id: after.id,
        destination: "bitrix24".into(),
    };
    let script = Script::default()
        .then(200, r#"{"result": 41}"#)
        .then(200, r#"{"result": 42}"#);
    // The first lead from the store, as the queue consumer claims it; the second as intake holds it.
    let claimed =
        block_on(store.claim(std::slice::from_ref(&before_key), T0 + LEASE_MS + 1, LEASE_MS)).expect("claimed");
    assert_eq!(claimed.len(), 1);
    let mut round_one = claimed;
    round_one.push(Claimed {
        destination_config: Some(new_target.clone()),
        ..held(&after, &after_key)
    });
    round_of(
        &store,
        &script,
        round_one,
        &|| T0 + LEASE_MS + 1,
        &secret,
        Loopback::Refused,
        &site,
    );
    let mut urls = script.urls();
    urls.sort();
    assert_eq!(
        urls,
        [
            "https://new.bitrix24.ru/rest/2/other/crm.lead.add.json",
            "https://shop.bitrix24.ru/rest/1/code/crm.lead.add.json",
        ]
    );
    for id in [before.id, after.id] {
        assert_eq!(
            store.row(id, "bitrix24").map(|r| r.state),
            Some(DeliveryState::Delivered)
        );
    }

    // A delivery stored before snapshots (none kept) goes where the site says now.
    let (old, old_key) = stored(&store, "bitrix24");
    let script = Script::default().then(200, r#"{"result": 43}"#);
    let unsnapshotted = Claimed {
        destination_config: None,
        ..held(&old, &old_key)
    };
    round_of(
        &store,
        &script,
        vec![unsnapshotted],
        &|| T0,
        &secret,
        Loopback::Refused,
        &site,
    );
    assert_eq!(
        script.urls(),
        ["https://new.bitrix24.ru/rest/2/other/crm.lead.add.json"]
    );
}
