use super::*;
use crate::store::memory::MemoryStore;
use crate::tests::{block_on, lead};

fn every_kind() -> &'static Site {
    crate::sites::all()
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
