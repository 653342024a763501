//! Sites as the Worker serves them: D1 first (written through the admin API),
//! the `sites.toml` compiled in by build.rs as the seed (version 0) for a
//! site D1 has no row for; a tombstone hides a compiled site. Each isolate
//! keeps what it read for `SITES_CACHE_SECONDS` (default 30), so most
//! requests cost no D1 round trip, and drops a site's entry when it writes it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use lead::site::{Site, SitesFile};
use worker::Env;

use crate::settings::now_ms;
use crate::store::sites::{SiteStore, StoredSite};
use crate::store::{self, StoreError};

static SITES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/sites.json"));

const DEFAULT_CACHE_SECONDS: i64 = 30;

/// The compiled file, parsed once per isolate. build.rs checked the same
/// JSON, so an empty configuration here means only that no site is compiled in.
pub fn compiled() -> &'static SitesFile {
    static SITES: OnceLock<SitesFile> = OnceLock::new();
    SITES.get_or_init(|| serde_json::from_str(SITES_JSON).unwrap_or(SitesFile { sites: Vec::new() }))
}

thread_local! {
    static CACHE: Rc<RefCell<SiteCache>> = Rc::default();
}

/// The site `id` as served now; `Ok(None)`: no such site (or deleted).
pub async fn get(env: &Env, id: &str) -> Result<Option<Rc<Site>>, StoreError> {
    let store = store::open(env)?;
    let cache = CACHE.with(Rc::clone);
    lookup(&store, &cache, compiled(), id, now_ms(), cache_life_ms(env)).await
}

/// Every site served now (for the retention sweeper).
pub async fn all(env: &Env) -> Result<Vec<Rc<Site>>, StoreError> {
    let store = store::open(env)?;
    let cache = CACHE.with(Rc::clone);
    everything(&store, &cache, compiled(), now_ms(), cache_life_ms(env)).await
}

/// Drops what this isolate keeps of `id`: it was just written. Other
/// isolates see the change once their entry's life ends.
pub fn forget(id: &str) {
    CACHE.with(|cache| cache.borrow_mut().forget(id));
}

fn cache_life_ms(env: &Env) -> i64 {
    env.var("SITES_CACHE_SECONDS")
        .ok()
        .and_then(|v| v.to_string().parse::<i64>().ok())
        .filter(|s| *s >= 0)
        .unwrap_or(DEFAULT_CACHE_SECONDS)
        * 1000
}

/// What an isolate keeps: each site read (or its absence) until a time, and
/// the list of all sites. An expired entry is still there for when D1 fails.
#[derive(Default)]
pub struct SiteCache {
    sites: HashMap<String, (i64, Option<Rc<Site>>)>,
    all: Option<(i64, Vec<Rc<Site>>)>,
}

impl SiteCache {
    /// The entry for `id` while it lives at `now_ms`.
    pub fn fresh(&self, id: &str, now_ms: i64) -> Option<Option<Rc<Site>>> {
        self.sites
            .get(id)
            .filter(|(until, _)| now_ms < *until)
            .map(|(_, site)| site.clone())
    }

    /// The entry for `id`, however old.
    pub fn stale(&self, id: &str) -> Option<Option<Rc<Site>>> {
        self.sites.get(id).map(|(_, site)| site.clone())
    }

    pub fn put(&mut self, id: &str, site: Option<Rc<Site>>, until_ms: i64) {
        self.sites.insert(id.to_owned(), (until_ms, site));
    }

    pub fn forget(&mut self, id: &str) {
        self.sites.remove(id);
        self.all = None;
    }
}

/// The site a row and the compiled file make: the row wins (a tombstone: none).
pub fn resolve(row: Option<&StoredSite>, compiled: Option<&Site>) -> Result<Option<Site>, StoreError> {
    match row {
        Some(row) if row.deleted => Ok(None),
        Some(row) => serde_json::from_str(&row.config)
            .map(Some)
            .map_err(|e| StoreError(format!("site {} version {} does not decode: {e}", row.id, row.version))),
        None => Ok(compiled.cloned()),
    }
}

/// [`get`] with its inputs given: the store, the cache, the file, the clock.
/// When the store fails, the last entry read is used, however old.
pub async fn lookup(
    store: &impl SiteStore,
    cache: &RefCell<SiteCache>,
    file: &SitesFile,
    id: &str,
    now_ms: i64,
    life_ms: i64,
) -> Result<Option<Rc<Site>>, StoreError> {
    if let Some(hit) = cache.borrow().fresh(id, now_ms) {
        return Ok(hit);
    }
    let read = match store.site(id).await {
        Ok(row) => resolve(row.as_ref(), file.site(id)),
        Err(e) => Err(e),
    };
    match read {
        Ok(site) => {
            let site = site.map(Rc::new);
            cache.borrow_mut().put(id, site.clone(), now_ms + life_ms);
            Ok(site)
        }
        Err(e) => match cache.borrow().stale(id) {
            Some(old) => {
                log_error(&format!("site {id}: {}; serving the last one read", e.0));
                Ok(old)
            }
            None => Err(e),
        },
    }
}

/// [`all`] with its inputs given. A row that does not decode is left out (and logged).
pub async fn everything(
    store: &impl SiteStore,
    cache: &RefCell<SiteCache>,
    file: &SitesFile,
    now_ms: i64,
    life_ms: i64,
) -> Result<Vec<Rc<Site>>, StoreError> {
    if let Some((until, sites)) = &cache.borrow().all {
        if now_ms < *until {
            return Ok(sites.clone());
        }
    }
    let rows = store.list_sites().await?;
    let mut ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    ids.extend(file.sites.iter().map(|s| s.id.as_str()));
    ids.sort_unstable();
    ids.dedup();
    let mut sites = Vec::new();
    for id in ids {
        match resolve(rows.iter().find(|r| r.id == id), file.site(id)) {
            Ok(Some(site)) => sites.push(Rc::new(site)),
            Ok(None) => {}
            Err(e) => log_error(&e.0),
        }
    }
    cache.borrow_mut().all = Some((now_ms + life_ms, sites.clone()));
    Ok(sites)
}

/// The Worker's error log (and nothing natively: tests read the answers).
fn log_error(line: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_error!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    let _ = line;
}

#[cfg(test)]
mod tests;
