//! The version rules and validation of site writes, on the in-memory store.

use serde_json::json;

use super::*;
use crate::store::memory::MemoryStore;
use crate::store::sites::KEPT_VERSIONS;
use crate::tests::block_on;

const T0: i64 = 1_795_449_600_000;

/// Secrets are another file's concern (`crate::secrets`): here, kept as given.
fn no_seal(_: &mut Site, _: Option<&Site>) -> Result<(), FieldError> {
    Ok(())
}

/// The compiled `demo` site as JSON, with the English launcher label `label`.
fn demo(label: &str) -> Value {
    let mut site = serde_json::to_value(compiled().site("demo").expect("sites.toml has the demo site"))
        .expect("a site serializes");
    merge_patch(&mut site, &json!({"widget": {"strings": {"en": {"launcher": label}}}}));
    site
}

fn put(store: &MemoryStore, expected: u32, site: Value) -> Result<u32, Refusal> {
    block_on(replace(store, "demo", expected, site, &no_seal, T0))
}

fn label(store: &MemoryStore) -> Option<String> {
    let current = block_on(current("demo", store)).expect("read");
    current.site?.widget.strings.get("en")?.get("launcher").cloned()
}

fn version(store: &MemoryStore) -> u32 {
    block_on(current("demo", store)).expect("read").version
}

#[test]
fn each_write_names_the_version_it_replaces_and_a_stale_one_is_refused() {
    let store = MemoryStore::default();
    assert_eq!(version(&store), 0, "only in the file");
    assert_eq!(put(&store, 0, demo("One")).ok(), Some(1));
    assert!(matches!(
        put(&store, 0, demo("Late")),
        Err(Refusal::Conflict { current: 1 })
    ));
    assert_eq!(put(&store, 1, demo("Two")).ok(), Some(2));
    assert!(matches!(
        put(&store, 1, demo("Late")),
        Err(Refusal::Conflict { current: 2 })
    ));
    assert_eq!(
        label(&store).as_deref(),
        Some("Two"),
        "the stale writes changed nothing"
    );

    // Two writers that read the same version: the store lets one win.
    let first = block_on(store.write_site("demo", 2, "{}", false, T0));
    let second = block_on(store.write_site("demo", 2, "{}", false, T0));
    assert!(matches!(
        (first, second),
        (Ok(3), Err(WriteError::Conflict { current: 3 }))
    ));
}

#[test]
fn an_invalid_write_names_every_bad_field_and_changes_nothing() {
    let store = MemoryStore::default();
    put(&store, 0, demo("One")).expect("written");
    let fields = |site: Value| match put(&store, 1, site) {
        Err(Refusal::Invalid(fields)) => fields.into_iter().map(|f| f.field).collect::<Vec<_>>(),
        other => panic!("not refused as invalid: {other:?}"),
    };
    let mut bad = demo("Two");
    merge_patch(
        &mut bad,
        &json!({"widget": {"theme": {"color": "red"}}, "retention_days": 0, "default_country": "ZZ"}),
    );
    assert_eq!(
        fields(bad),
        ["site.retention_days", "site.default_country", "site.widget.theme.color"]
    );
    let mut private = demo("Two");
    private["destination"] = json!([{"id": "crm", "url": "https://10.0.0.1/hook", "secret": "S"}]);
    assert_eq!(fields(private), ["site.destination[0].url"]);
    let mut unknown = demo("Two");
    unknown["widget"]["colour"] = json!("#ffffff");
    assert_eq!(fields(unknown), ["site.widget.colour"], "the unknown key");
    let mut wrong_type = demo("Two");
    wrong_type["retention_days"] = json!("ninety");
    assert_eq!(fields(wrong_type), ["site.retention_days"]);
    let mut other_id = demo("Two");
    other_id["id"] = json!("shop");
    assert_eq!(fields(other_id), ["site.id"]);
    assert_eq!((version(&store), label(&store).as_deref()), (1, Some("One")));
}

#[test]
fn a_patch_merges_over_the_stored_site() {
    let store = MemoryStore::default();
    let relabel = json!({"widget": {"strings": {"en": {"launcher": "Patched"}}}});
    assert_eq!(block_on(patch(&store, "demo", 0, &relabel, &no_seal, T0)).ok(), Some(1));
    assert_eq!(label(&store).as_deref(), Some("Patched"));
    let before = block_on(current("demo", &store)).expect("read").site.expect("a site");
    assert_eq!(
        before.destinations,
        compiled().site("demo").expect("demo").destinations,
        "the rest kept"
    );

    let remove = json!({"widget": {"strings": {"en": {"launcher": null}}}});
    assert_eq!(block_on(patch(&store, "demo", 1, &remove, &no_seal, T0)).ok(), Some(2));
    assert_eq!(label(&store), None);
    let bad = json!({"hours": {"time_zone": "Mars/Olympus"}});
    let refused = block_on(patch(&store, "demo", 2, &bad, &no_seal, T0));
    assert!(
        matches!(&refused, Err(Refusal::Invalid(f)) if f[0].field == "site.hours.time_zone"),
        "{refused:?}"
    );
    assert!(matches!(
        block_on(patch(&store, "demo", 1, &remove, &no_seal, T0)),
        Err(Refusal::Conflict { current: 2 })
    ));
    assert!(matches!(
        block_on(patch(&store, "nowhere", 0, &remove, &no_seal, T0)),
        Err(Refusal::NotFound)
    ));
}

#[test]
fn a_deleted_site_stays_deleted_until_written_again() {
    let store = MemoryStore::default();
    assert!(matches!(
        block_on(delete(&store, "demo", 3, T0)),
        Err(Refusal::Conflict { current: 0 })
    ));
    assert_eq!(block_on(delete(&store, "demo", 0, T0)).ok(), Some(1), "a compiled site");
    assert!(block_on(current("demo", &store)).expect("read").site.is_none());
    assert!(matches!(
        block_on(delete(&store, "demo", 1, T0)),
        Err(Refusal::NotFound)
    ));
    assert_eq!(put(&store, 1, demo("Back")).ok(), Some(2));
    assert_eq!(label(&store).as_deref(), Some("Back"));
}

#[test]
fn a_rollback_restores_a_kept_version_as_a_new_one() {
    let store = MemoryStore::default();
    put(&store, 0, demo("One")).expect("written");
    put(&store, 1, demo("Two")).expect("written");
    assert!(matches!(
        block_on(rollback(&store, "demo", 1, 1, T0)),
        Err(Refusal::Conflict { current: 2 })
    ));
    assert!(matches!(
        block_on(rollback(&store, "demo", 2, 7, T0)),
        Err(Refusal::VersionNotKept(7))
    ));
    assert_eq!(block_on(rollback(&store, "demo", 2, 1, T0)).ok(), Some(3));
    assert_eq!(label(&store).as_deref(), Some("One"));

    block_on(delete(&store, "demo", 3, T0)).expect("deleted");
    assert_eq!(block_on(rollback(&store, "demo", 4, 3, T0)).ok(), Some(5), "undeleted");
    assert_eq!(label(&store).as_deref(), Some("One"));
    let versions = block_on(store.site_versions("demo")).expect("versions");
    let listed: Vec<(u32, bool)> = versions.iter().map(|v| (v.version, v.deleted)).collect();
    assert_eq!(listed, [(5, false), (4, true), (3, false), (2, false), (1, false)]);
}

#[test]
fn only_the_last_versions_are_kept() {
    let store = MemoryStore::default();
    let writes = KEPT_VERSIONS + 5;
    for n in 0..writes {
        put(&store, n, demo(&format!("Label {n}"))).expect("written");
    }
    let versions = block_on(store.site_versions("demo")).expect("versions");
    let numbers: Vec<u32> = versions.iter().map(|v| v.version).collect();
    assert_eq!(numbers, (6..=writes).rev().collect::<Vec<_>>());
    assert!(matches!(
        block_on(rollback(&store, "demo", writes, 5, T0)),
        Err(Refusal::VersionNotKept(5))
    ));
}
