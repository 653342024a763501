//! Where a site comes from (a row, the file, a tombstone) and how long an
//! isolate keeps it, with the clock as an input.

use std::cell::{Cell, RefCell};

use super::*;
use crate::store::memory::MemoryStore;
use crate::store::sites::{VersionInfo, WriteError};
use crate::tests::block_on;

const T0: i64 = 1_795_449_600_000;
const LIFE: i64 = 30_000;

fn file() -> &'static SitesFile {
    compiled()
}

/// The compiled `demo` site with another launcher label, as a row's config.
fn relabelled(label: &str) -> String {
    let mut site = file().site("demo").expect("sites.toml has the demo site").clone();
    site.widget
        .strings
        .entry("en".into())
        .or_default()
        .insert("launcher".into(), label.into());
    serde_json::to_string(&site).expect("a site serializes")
}

fn label(site: &Option<Rc<Site>>) -> Option<String> {
    site.as_ref()?.widget.strings.get("en")?.get("launcher").cloned()
}

fn get(store: &impl SiteStore, cache: &RefCell<SiteCache>, id: &str, now: i64) -> Option<Rc<Site>> {
    block_on(lookup(store, cache, file(), id, now, LIFE)).expect("read")
}

#[test]
fn a_site_without_a_row_is_the_compiled_one_a_row_wins_and_a_tombstone_hides_it() {
    let store = MemoryStore::default();
    let cache = RefCell::default();
    let served = get(&store, &cache, "demo", T0);
    assert_eq!(served.as_deref(), file().site("demo"), "version 0: the file");
    assert_eq!(get(&store, &cache, "nowhere", T0), None);

    block_on(store.write_site("demo", 0, &relabelled("Call me"), false, T0)).expect("written");
    cache.borrow_mut().forget("demo");
    assert_eq!(label(&get(&store, &cache, "demo", T0)).as_deref(), Some("Call me"));

    block_on(store.write_site("demo", 1, &relabelled("Call me"), true, T0)).expect("deleted");
    cache.borrow_mut().forget("demo");
    assert_eq!(get(&store, &cache, "demo", T0), None, "the file does not bring it back");
    let all = block_on(everything(&store, &cache, file(), T0, LIFE)).expect("all");
    assert!(all.iter().all(|s| s.id != "demo"));
    assert!(
        all.iter().any(|s| s.id == "every-kind"),
        "the other compiled sites stay"
    );
}

#[test]
fn an_isolate_keeps_a_site_for_its_life_unless_it_wrote_it() {
    let store = MemoryStore::default();
    let cache = RefCell::default();
    block_on(store.write_site("demo", 0, &relabelled("One"), false, T0)).expect("written");
    assert_eq!(label(&get(&store, &cache, "demo", T0)).as_deref(), Some("One"));

    // Another isolate writes: this one sees it once the entry's life is over.
    block_on(store.write_site("demo", 1, &relabelled("Two"), false, T0)).expect("written");
    for (now, expected) in [(T0 + LIFE - 1, "One"), (T0 + LIFE, "Two")] {
        assert_eq!(
            label(&get(&store, &cache, "demo", now)).as_deref(),
            Some(expected),
            "at +{}",
            now - T0
        );
    }

    // This isolate writes: it forgets its entry at once.
    block_on(store.write_site("demo", 2, &relabelled("Three"), false, T0)).expect("written");
    cache.borrow_mut().forget("demo");
    assert_eq!(
        label(&get(&store, &cache, "demo", T0 + LIFE + 1)).as_deref(),
        Some("Three")
    );
}

/// A store that counts its reads and fails when told to.
#[derive(Default)]
struct Flaky {
    inner: MemoryStore,
    down: Cell<bool>,
    reads: Cell<u32>,
}

impl Flaky {
    fn check(&self) -> Result<(), StoreError> {
        self.reads.set(self.reads.get() + 1);
        if self.down.get() {
            Err(StoreError("D1 is down".into()))
        } else {
            Ok(())
        }
    }
}

impl SiteStore for Flaky {
    async fn list_sites(&self) -> Result<Vec<StoredSite>, StoreError> {
        self.check()?;
        self.inner.list_sites().await
    }
    async fn site(&self, id: &str) -> Result<Option<StoredSite>, StoreError> {
        self.check()?;
        self.inner.site(id).await
    }
    async fn write_site(&self, id: &str, v: u32, c: &str, d: bool, now: i64) -> Result<u32, WriteError> {
        self.inner.write_site(id, v, c, d, now).await
    }
    async fn site_versions(&self, id: &str) -> Result<Vec<VersionInfo>, StoreError> {
        self.inner.site_versions(id).await
    }
    async fn site_version(&self, id: &str, n: u32) -> Result<Option<StoredSite>, StoreError> {
        self.inner.site_version(id, n).await
    }
}

#[test]
fn most_reads_cost_no_round_trip_and_an_outage_serves_the_last_site_read() {
    let store = Flaky::default();
    let cache = RefCell::default();
    for i in 0..10 {
        assert!(get(&store, &cache, "demo", T0 + i * 1000).is_some());
    }
    assert_eq!(store.reads.get(), 1, "one read in the entry's life");

    store.down.set(true);
    assert!(get(&store, &cache, "demo", T0 + LIFE * 10).is_some(), "the old entry");
    let never_read = block_on(lookup(&store, &cache, file(), "every-kind", T0, LIFE));
    assert!(never_read.is_err(), "nothing to fall back on: the caller answers 503");

    store.down.set(false);
    let all = block_on(everything(&store, &cache, file(), T0, LIFE)).expect("all");
    let reads = store.reads.get();
    assert_eq!(all.len(), file().sites.len());
    block_on(everything(&store, &cache, file(), T0 + LIFE - 1, LIFE)).expect("all");
    assert_eq!(store.reads.get(), reads, "the list is kept too");
}
