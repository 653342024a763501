use lead::delivery::DeliveryState;

use super::*;
use crate::store::funnel::MemoryFunnel;
use crate::store::memory::MemoryStore;
use crate::tests::{block_on, lead};

fn every_kind() -> Rc<Site> {
    Rc::new(
        crate::sites::compiled()
            .site("every-kind")
            .expect("sites.toml has the every-kind site")
            .clone(),
    )
}

/// This thread's counts, taken.
fn taken() -> Vec<(Key, u64)> {
    TALLY.with(|t| t.borrow_mut().take().0)
}

fn attempt(state: DeliveryState, at_ms: i64) -> Attempt {
    Attempt {
        n: 1,
        at_ms,
        duration_ms: 5,
        status: Some(200),
        error: None,
        state,
        next_attempt_at_ms: None,
    }
}

#[test]
fn a_new_lead_is_counted_accepted_once_and_spam_or_a_repeat_is_not() {
    taken();
    let site = every_kind();
    let store = MemoryStore::default();
    let callback = lead("callback");
    let keep = |lead: &Lead, spam| block_on(crate::intake::keep(&store, &site, lead, spam, 1_000, 31_000));
    assert!(keep(&callback, None).is_ok());
    assert!(keep(&callback, None).is_ok(), "the same lead again");
    assert!(keep(&lead("form"), Some("honeypot")).is_ok());
    let counted = taken();
    assert_eq!(counted.len(), 1, "{counted:?}");
    let (key, n) = &counted[0];
    assert_eq!(
        (key.event, key.mode, key.channel, key.campaign.as_str(), *n),
        (Event::Accepted, "callback", "direct", "", 1)
    );
    assert_eq!(key.day, day(1_000, site_zone(&site)));
}

#[test]
fn settled_deliveries_are_counted_delivered_or_failed_on_the_sites_day() {
    taken();
    let site = every_kind();
    let store = MemoryStore::default();
    let form = lead("form");
    let held = block_on(crate::intake::keep(&store, &site, &form, None, 1_000, 31_000)).expect("kept");
    taken();
    let by_id = |_: &str| Some(Rc::clone(&site));
    let settling = Settling::new(&store, &held, &by_id);
    let key = |i: usize| held[i].key.clone();
    // 21:30 UTC on 1 March is 2 March in Moscow; the every-kind site's zone decides.
    let at = 1_772_400_600_000;
    let records = [
        (key(0), attempt(DeliveryState::Delivered, at)),
        (key(1), attempt(DeliveryState::Pending, at)),
        (key(2), attempt(DeliveryState::Failed, at)),
        (key(3), attempt(DeliveryState::Disabled, at)),
    ];
    block_on(settling.record_attempts(&records)).expect("recorded");
    block_on(settling.settle_without_attempt(&key(4), DeliveryState::Failed, "destination_removed", at))
        .expect("settled");
    let counted = taken();
    let events: Vec<(Event, u64)> = counted.iter().map(|(k, n)| (k.event, *n)).collect();
    assert_eq!(events, [(Event::Delivered, 1), (Event::Failed, 2)]);
    let (key, _) = &counted[0];
    assert_eq!(
        (key.site.as_str(), key.mode, key.channel),
        ("every-kind", "form", "direct")
    );
    assert_eq!(key.day, day(at, site_zone(&site)));
    assert_eq!(
        store.row(form.id, &held[0].key.destination).map(|r| r.state),
        Some(DeliveryState::Delivered),
        "recorded through"
    );
}

#[test]
fn a_write_empties_the_tally_and_a_failed_one_keeps_the_counts() {
    taken();
    let site = every_kind();
    count_lead(&site, &lead("chat"), Event::Accepted, 1_000);
    count_lead(&site, &lead("chat"), Event::Accepted, 2_000);
    let store = MemoryFunnel::default();
    store.down.set(true);
    block_on(write(&store));
    assert!(store.counters.borrow().is_empty());
    store.down.set(false);
    block_on(write(&store));
    let counters = store.counters.borrow().clone();
    assert_eq!(
        counters.values().copied().collect::<Vec<_>>(),
        [2],
        "both counts, once: {counters:?}"
    );
    assert!(taken().is_empty(), "written, then empty");
    block_on(write(&store));
    assert_eq!(
        store.counters.borrow().values().sum::<u64>(),
        2,
        "an empty tally writes nothing"
    );
}

#[test]
fn a_write_waits_for_the_rest_of_the_period() {
    let cases: &[(i64, i64, i64, i64)] = &[
        // last write, now, period (s), wait (ms)
        (0, 1_000_000, 10, 0),
        (1_000_000, 1_000_000, 10, 10_000),
        (1_000_000, 1_004_000, 10, 6_000),
        (1_000_000, 1_020_000, 10, 0),
        (1_000_000, 1_000_000, 0, 0),
        // A clock that went back waits at most one period.
        (2_000_000, 1_000_000, 10, 10_000),
    ];
    for (last, now, period, want) in cases {
        assert_eq!(wait_ms(*last, *now, *period), *want, "{last} {now} {period}");
    }
}

#[test]
fn a_waiting_write_cut_off_by_the_runtime_stops_blocking_the_next() {
    FLUSH.set((0, 1_000_000));
    assert!(waiting(1_000_000 + 25_000), "still within its wait_until");
    assert!(!waiting(1_000_000 + 30_000), "cut off: the next write may wait instead");
    FLUSH.set((1_000_000, 0));
    assert!(!waiting(1_000_001), "none waiting");
}
