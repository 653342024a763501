use lead::delivery::DeliveryState;
use lead::wire::Lead;

use super::*;
use crate::store::memory::MemoryStore;
use crate::store::{Attempt, DeliveryKey, LeadStore};
use crate::tests::{block_on, lead};

const DAY: i64 = 24 * 60 * 60 * 1000;
const NOW: i64 = 1_795_449_600_000;

/// A site keeping leads `days`, as `[[site]]` with `retention_days` writes it.
fn site(id: &str, days: u32) -> Site {
    let mut site = crate::sites::compiled()
        .site("every-kind")
        .expect("sites.toml has the every-kind site")
        .clone();
    site.id = id.into();
    site.retention_days = days;
    site
}

/// A callback of `site` stored at `at` with one delivery to `crm`, in `state`.
fn stored(store: &MemoryStore, site: &str, at: i64, state: DeliveryState) -> Lead {
    let mut lead = lead("callback");
    lead.site = site.into();
    block_on(store.insert_lead(&lead, &[&crm()], at, None, at)).expect("stored");
    if state != DeliveryState::Pending {
        settle(store, &lead, state, at);
    }
    lead
}

/// One attempt at `crm` that left the delivery `state`.
fn settle(store: &MemoryStore, lead: &Lead, state: DeliveryState, at: i64) {
    let key = DeliveryKey {
        lead_id: lead.id,
        destination: "crm".into(),
    };
    let attempt = Attempt {
        n: 1,
        at_ms: at,
        duration_ms: 40,
        status: Some(200),
        error: None,
        state,
        next_attempt_at_ms: None,
    };
    block_on(store.record_attempts(&[(key, attempt)])).expect("recorded");
}

#[test]
fn a_sweep_deletes_what_its_site_no_longer_keeps_and_nothing_pending() {
    let store = MemoryStore::default();
    let sites = [site("short", 1), site("long", 30)];
    let gone = [
        stored(&store, "short", NOW - 2 * DAY, DeliveryState::Delivered),
        stored(&store, "short", NOW - 2 * DAY, DeliveryState::Failed),
        stored(&store, "short", NOW - 40 * DAY, DeliveryState::Disabled),
    ];
    let kept = [
        // A retry is still due: the lead goes once its delivery settles.
        stored(&store, "short", NOW - 2 * DAY, DeliveryState::Pending),
        stored(&store, "short", NOW - DAY + 1, DeliveryState::Delivered),
        stored(&store, "long", NOW - 2 * DAY, DeliveryState::Delivered),
        // A site no longer configured: its retention is unknown.
        stored(&store, "removed", NOW - 400 * DAY, DeliveryState::Delivered),
    ];
    assert_eq!(block_on(sweep(&store, &sites, NOW, 100)).expect("swept"), 3);
    for lead in &gone {
        assert_eq!(store.rows_of(lead.id), 0, "no row of {} is left", lead.id);
    }
    for lead in &kept {
        assert!(store.lead_json(lead.id).is_some(), "{} kept", lead.id);
    }
    assert_eq!(
        store.rows_of(kept[1].id),
        3,
        "a kept lead keeps its delivery and attempt"
    );
    // Once the pending delivery settles, the next sweep takes its lead.
    settle(&store, &kept[0], DeliveryState::Delivered, NOW);
    assert_eq!(block_on(sweep(&store, &sites, NOW, 100)).expect("swept"), 1);
    assert_eq!(store.rows_of(kept[0].id), 0);
}

#[test]
fn a_sweep_does_at_most_its_batch_and_the_next_sweep_goes_on() {
    let store = MemoryStore::default();
    let sites = [site("short", 1)];
    let old: Vec<Lead> = (0..5)
        .map(|_| stored(&store, "short", NOW - 2 * DAY, DeliveryState::Delivered))
        .collect();
    let runs: Vec<u32> = (0..4)
        .map(|_| block_on(sweep(&store, &sites, NOW, 2)).expect("swept"))
        .collect();
    assert_eq!(runs, [2, 2, 1, 0]);
    assert!(old.iter().all(|l| store.rows_of(l.id) == 0));
}

/// The clock is an argument: the same lead is kept today and swept a day later.
#[test]
fn the_sweep_reads_the_clock_it_is_given() {
    let store = MemoryStore::default();
    let sites = [site("short", 1)];
    let lead = stored(&store, "short", NOW, DeliveryState::Delivered);
    assert_eq!(block_on(sweep(&store, &sites, NOW + DAY, 10)).expect("swept"), 0);
    assert_eq!(block_on(sweep(&store, &sites, NOW + DAY + 1, 10)).expect("swept"), 1);
    assert_eq!(store.rows_of(lead.id), 0);
}

fn request(json: serde_json::Value) -> ErasureRequest {
    serde_json::from_value(json).expect("an erasure request")
}

/// The subject, with the named site's country as the admin route reads it.
fn subject_of(request: &ErasureRequest) -> Result<Subject, FieldError> {
    let site = request.site.as_deref().and_then(|id| crate::sites::compiled().site(id));
    request.subject(site.map(|s| s.default_country.as_str()))
}

/// The one destination these tests' leads go to.
fn crm() -> lead::site::Destination {
    serde_json::from_value(serde_json::json!({"id": "crm", "url": "https://crm.example/hook", "secret": "S"}))
        .expect("a destination")
}

#[test]
fn an_erasure_request_names_one_subject_or_the_field_that_is_wrong() {
    use serde_json::json;
    let phone = |p: &str| ContactKey::Phone(p.into());
    let ok: &[(serde_json::Value, Subject)] = &[
        (
            json!({"id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b"}),
            Subject::Lead(Uuid::from_u128(0x6f1c8a52_4a8e_4b7e_9a57_0c1d2e3f4a5b)),
        ),
        (
            json!({"phone": "+7 (912) 345-67-89"}),
            Subject::Contact {
                key: phone("+79123456789"),
                site: None,
            },
        ),
        (
            json!({"phone": "8 912 345 67 89", "country": "RU"}),
            Subject::Contact {
                key: phone("+79123456789"),
                site: None,
            },
        ),
        (
            // The site's default_country reads the national number.
            json!({"phone": "8 912 345 67 89", "site": "demo"}),
            Subject::Contact {
                key: phone("+79123456789"),
                site: Some("demo".into()),
            },
        ),
        (
            json!({"email": " Ivan@Mail.RU "}),
            Subject::Contact {
                key: ContactKey::Email("ivan@mail.ru".into()),
                site: None,
            },
        ),
    ];
    for (body, subject) in ok {
        assert_eq!(subject_of(&request(body.clone())).as_ref(), Ok(subject), "{body}");
    }
    let refused: &[(serde_json::Value, (&str, &str))] = &[
        (json!({}), ("id", "required")),
        (json!({"id": "7"}), ("id", "invalid")),
        (
            json!({"id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b", "phone": "+79123456789"}),
            ("phone", "not_allowed"),
        ),
        (
            json!({"phone": "+79123456789", "email": "a@b.example"}),
            ("email", "not_allowed"),
        ),
        (
            json!({"id": "6f1c8a52-4a8e-4b7e-9a57-0c1d2e3f4a5b", "site": "demo"}),
            ("site", "not_allowed"),
        ),
        (
            json!({"email": "a@b.example", "country": "RU"}),
            ("country", "not_allowed"),
        ),
        (json!({"email": "nobody"}), ("email", "invalid")),
        (json!({"phone": "8 912 345 67 89"}), ("phone", "country_needed")),
        (json!({"phone": "call me", "country": "RU"}), ("phone", "invalid")),
        (
            json!({"phone": "8 912 345 67 89", "country": "XX"}),
            ("country", "unknown_country"),
        ),
    ];
    for (body, (field, code)) in refused {
        let error = subject_of(&request(body.clone())).expect_err("refused");
        assert_eq!((error.field.as_str(), error.code.as_str()), (*field, *code), "{body}");
    }
    assert!(
        serde_json::from_value::<ErasureRequest>(json!({"name": "Ivan"})).is_err(),
        "unknown keys are refused"
    );
}

#[test]
fn erasing_a_phone_or_an_email_removes_every_lead_of_it_and_nothing_else() {
    let store = MemoryStore::default();
    let a = stored(&store, "shop", NOW, DeliveryState::Delivered);
    let b = stored(&store, "other", NOW, DeliveryState::Pending);
    let mut other_phone = lead("form");
    other_phone.contact.phone = Some("+79123456780".into());
    other_phone.contact.email = Some("Ivan@Mail.RU".into());
    block_on(store.insert_lead(&other_phone, &[&crm()], NOW, None, NOW)).expect("stored");

    let by_phone = subject_of(&request(serde_json::json!({"phone": "+7 (912) 345-67-89"}))).expect("a subject");
    let erased = block_on(erase(&store, &by_phone, 100)).expect("erased");
    assert_eq!(erased, Erased { erased: 2, more: false });
    assert_eq!(
        (store.rows_of(a.id), store.rows_of(b.id)),
        (0, 0),
        "with deliveries and attempts"
    );
    assert_eq!(store.rows_of(other_phone.id), 2, "another number's lead stays");

    let by_email = subject_of(&request(serde_json::json!({"email": "ivan@mail.ru"}))).expect("a subject");
    assert_eq!(block_on(erase(&store, &by_email, 100)).expect("erased").erased, 1);
    assert_eq!(store.rows_of(other_phone.id), 0);
    assert_eq!(
        block_on(erase(&store, &by_email, 100)).expect("erased").erased,
        0,
        "idempotent"
    );
}

#[test]
fn an_erasure_narrowed_to_a_site_or_bounded_says_what_is_left() {
    let store = MemoryStore::default();
    let shop: Vec<Lead> = (0..3)
        .map(|_| stored(&store, "shop", NOW, DeliveryState::Delivered))
        .collect();
    let other = stored(&store, "other", NOW, DeliveryState::Delivered);
    let subject = Subject::Contact {
        key: ContactKey::Phone("+79123456789".into()),
        site: Some("shop".into()),
    };
    assert_eq!(
        block_on(erase(&store, &subject, 2)).expect("erased"),
        Erased { erased: 2, more: true }
    );
    assert_eq!(
        block_on(erase(&store, &subject, 2)).expect("erased"),
        Erased { erased: 1, more: false }
    );
    assert!(shop.iter().all(|l| store.rows_of(l.id) == 0));
    assert_eq!(store.rows_of(other.id), 3, "another site's lead of the number stays");
}

#[test]
fn erasing_one_lead_during_its_attempt_leaves_no_attempt_behind() {
    let store = MemoryStore::default();
    let lead = stored(&store, "shop", NOW, DeliveryState::Pending);
    let erased = block_on(erase(&store, &Subject::Lead(lead.id), 100)).expect("erased");
    assert_eq!(erased, Erased { erased: 1, more: false });
    // The attempt that was in flight ends after the erasure.
    settle(&store, &lead, DeliveryState::Delivered, NOW + 1);
    assert_eq!(store.rows_of(lead.id), 0);
    assert_eq!(
        block_on(erase(&store, &Subject::Lead(lead.id), 100))
            .expect("erased")
            .erased,
        0
    );
}
