use super::*;
use crate::store::memory::MemoryStore;
use crate::tests::{block_on, lead};

fn every_kind() -> &'static Site {
    crate::sites::compiled()
        .site("every-kind")
        .expect("sites.toml has the every-kind site")
}

fn held(store: &MemoryStore, lead: &Lead, spam: Option<&str>) -> Vec<String> {
    block_on(keep(store, every_kind(), lead, spam, 1_000, 31_000))
        .expect("kept")
        .into_iter()
        .map(|c| c.key.destination)
        .collect()
}

#[test]
fn each_destination_that_takes_the_lead_gets_one_held_delivery() {
    let store = MemoryStore::default();
    let callback = lead("callback");
    let all = ["webhook", "bitrix24", "amocrm", "telegram", "email", "hubspot", "slack"];
    assert_eq!(held(&store, &callback, None), all);
    let row = store.row(callback.id, "slack").expect("a row");
    assert_eq!(row.lease_until, Some(31_000), "held for this request's first attempt");
}

#[test]
fn a_kinds_filter_keeps_a_lead_from_a_destination() {
    let store = MemoryStore::default();
    let click = lead("phone_click");
    assert!(!held(&store, &click, None).contains(&"slack".to_owned()));
    assert!(
        !store.destinations_of(click.id).contains(&"slack".to_owned()),
        "no delivery row either"
    );
}

#[test]
fn spam_and_a_lead_posted_again_are_not_attempted() {
    let store = MemoryStore::default();
    let callback = lead("callback");
    assert_eq!(held(&store, &callback, Some("honeypot")), Vec::<String>::new());
    assert!(store.destinations_of(callback.id).is_empty(), "spam has no deliveries");
    let other = MemoryStore::default();
    assert_eq!(held(&other, &callback, None).len(), 7);
    assert_eq!(
        held(&other, &callback, None),
        Vec::<String>::new(),
        "the second POST of one id"
    );
}

/// `keep` at another time, as a second POST of the lead would.
fn kept_again(store: &MemoryStore, lead: &Lead) -> Result<Vec<Claimed>, NotKept> {
    block_on(keep(store, every_kind(), lead, None, 9_000, 39_000))
}

#[test]
fn the_same_id_with_the_same_content_is_a_repeat_and_with_other_content_refused() {
    let store = MemoryStore::default();
    let first = lead("callback");
    assert_eq!(held(&store, &first, None).len(), 7);
    let mut repeat = first.clone();
    repeat.received_at = "2026-11-23T16:00:00Z".into();
    assert!(
        matches!(kept_again(&store, &repeat), Ok(held) if held.is_empty()),
        "a retry"
    );
    type Change = fn(&mut Lead);
    let changes: &[(&str, Change)] = &[
        ("phone", |l| l.contact.phone = Some("+79123456780".into())),
        ("name", |l| l.contact.name = Some("Olga".into())),
        ("message", |l| l.message = Some("another question".into())),
        ("kind", |l| l.kind = lead::wire::LeadKind::PhoneClick),
    ];
    for (what, change) in changes {
        let mut other = first.clone();
        change(&mut other);
        assert!(matches!(kept_again(&store, &other), Err(NotKept::IdReused)), "{what}");
    }
    assert_eq!(
        store.lead_json(first.id),
        Some(serde_json::to_string(&first).expect("json")),
        "the stored lead is untouched"
    );
    assert_eq!(store.destinations_of(first.id).len(), 7, "and no delivery was added");
}

#[test]
fn a_lead_stored_before_fingerprints_takes_any_repeat_of_its_id() {
    let store = MemoryStore::default();
    let first = lead("callback");
    held(&store, &first, None);
    store.forget_fingerprint(first.id);
    let mut other = first.clone();
    other.contact.name = Some("Olga".into());
    assert!(matches!(kept_again(&store, &other), Ok(held) if held.is_empty()));
}
