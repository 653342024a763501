//! The sites configuration compiled in from `sites.toml` by build.rs.

use std::sync::OnceLock;

use lead::site::SitesFile;

static SITES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/sites.json"));

/// Parsed once per isolate. build.rs checked the same JSON, so an empty
/// configuration here means only that no site is served.
pub fn all() -> &'static SitesFile {
    static SITES: OnceLock<SitesFile> = OnceLock::new();
    SITES.get_or_init(|| serde_json::from_str(SITES_JSON).unwrap_or(SitesFile { sites: Vec::new() }))
}
