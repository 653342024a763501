//! Sites as written through the admin API: one row per site (its current
//! version) and the last [`KEPT_VERSIONS`] versions of each, for rollback.
//! A site without a row is served from the compiled `sites.toml` (version 0).

use serde::Serialize;

use super::StoreError;

/// Versions kept per site; older ones are dropped by the write that passes them.
pub const KEPT_VERSIONS: u32 = 20;

/// A site's row, or one of its kept versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSite {
    pub id: String,
    pub version: u32,
    /// The `lead::site::Site` as JSON, its secrets encrypted.
    pub config: String,
    /// A tombstone: the site was deleted (and stays so, even if `sites.toml` has it).
    pub deleted: bool,
    pub updated_at_ms: i64,
}

/// One kept version, as `GET /v1/admin/sites/{id}/versions` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub version: u32,
    #[serde(rename = "updated_at")]
    pub updated_at_ms: i64,
    pub deleted: bool,
}

/// Why a write was not made.
#[derive(Debug, Clone)]
pub enum WriteError {
    /// The write named another version than the current one (0: no row).
    Conflict {
        current: u32,
    },
    Store(StoreError),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        WriteError::Store(e)
    }
}

#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait SiteStore {
    /// Every site's row, tombstones included.
    async fn list_sites(&self) -> Result<Vec<StoredSite>, StoreError>;

    /// The site's row, if it has one.
    async fn site(&self, id: &str) -> Result<Option<StoredSite>, StoreError>;

    /// Makes `config` (and `deleted`) version `expected_version + 1` of the site,
    /// only if its current version is `expected_version` (0: it has no row), and
    /// keeps it among the last [`KEPT_VERSIONS`]; one transaction, so of two
    /// writers naming the same version one wins and the other gets `Conflict`.
    async fn write_site(
        &self,
        id: &str,
        expected_version: u32,
        config: &str,
        deleted: bool,
        now_ms: i64,
    ) -> Result<u32, WriteError>;

    /// The kept versions, newest first.
    async fn site_versions(&self, id: &str) -> Result<Vec<VersionInfo>, StoreError>;

    /// One kept version.
    async fn site_version(&self, id: &str, version: u32) -> Result<Option<StoredSite>, StoreError>;
}
