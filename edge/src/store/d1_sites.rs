//! [`SiteStore`] on D1: tables `sites` and `site_versions` (migration 0005).

use serde::Deserialize;

use super::d1::{number, text, D1Store};
use super::sites::{SiteStore, StoredSite, VersionInfo, WriteError, KEPT_VERSIONS};
use super::StoreError;

const COLUMNS: &str = "id, version, config, deleted, updated_at_ms";
// The guard: a new site only where no row is (version 0), else only over the version named.
const CREATE: &str = "INSERT INTO sites (id, version, config, deleted, updated_at_ms) VALUES (?1, 1, ?2, ?3, ?4) \
     ON CONFLICT (id) DO NOTHING";
const REPLACE: &str = "UPDATE sites SET version = version + 1, config = ?2, deleted = ?3, updated_at_ms = ?4 \
     WHERE id = ?1 AND version = ?5";
// A losing writer copies nothing: the winner's batch already kept its version.
const KEEP: &str = "INSERT INTO site_versions (id, version, config, deleted, updated_at_ms) \
     SELECT id, version, config, deleted, updated_at_ms FROM sites WHERE id = ?1 AND version = ?2 \
     ON CONFLICT DO NOTHING";
const PRUNE: &str =
    "DELETE FROM site_versions WHERE id = ?1 AND version <= (SELECT version FROM sites WHERE id = ?1) - ?2";
const CURRENT: &str = "SELECT version FROM sites WHERE id = ?1";
const VERSIONS: &str = "SELECT version, updated_at_ms, deleted FROM site_versions WHERE id = ?1 ORDER BY version DESC";

#[derive(Deserialize)]
struct SiteRow {
    id: String,
    version: u32,
    config: String,
    deleted: i64,
    updated_at_ms: i64,
}

impl From<SiteRow> for StoredSite {
    fn from(r: SiteRow) -> Self {
        StoredSite {
            id: r.id,
            version: r.version,
            config: r.config,
            deleted: r.deleted != 0,
            updated_at_ms: r.updated_at_ms,
        }
    }
}

#[derive(Deserialize)]
struct VersionRow {
    version: u32,
    updated_at_ms: i64,
    deleted: i64,
}

#[derive(Deserialize)]
struct CurrentRow {
    version: u32,
}

impl SiteStore for D1Store {
    async fn list_sites(&self) -> Result<Vec<StoredSite>, StoreError> {
        let rows: Vec<SiteRow> = self
            .db
            .prepare(format!("SELECT {COLUMNS} FROM sites ORDER BY id"))
            .all()
            .await?
            .results()?;
        Ok(rows.into_iter().map(StoredSite::from).collect())
    }

    async fn site(&self, id: &str) -> Result<Option<StoredSite>, StoreError> {
        let row: Option<SiteRow> = self
            .db
            .prepare(format!("SELECT {COLUMNS} FROM sites WHERE id = ?1"))
            .bind(&[text(id)])?
            .first(None)
            .await?;
        Ok(row.map(StoredSite::from))
    }

    async fn write_site(
        &self,
        id: &str,
        expected_version: u32,
        config: &str,
        deleted: bool,
        now_ms: i64,
    ) -> Result<u32, WriteError> {
        let new_version = expected_version + 1;
        let (id_v, config_v, deleted_v, now_v) = (text(id), text(config), number(deleted.into()), number(now_ms));
        let guard = if expected_version == 0 {
            self.db
                .prepare(CREATE)
                .bind(&[id_v.clone(), config_v, deleted_v, now_v])
        } else {
            self.db.prepare(REPLACE).bind(&[
                id_v.clone(),
                config_v,
                deleted_v,
                now_v,
                number(expected_version.into()),
            ])
        };
        // One batch is one transaction: the guarded write, its copy, the pruning, the version now.
        let results = self
            .db
            .batch(vec![
                guard.map_err(StoreError::from)?,
                self.db
                    .prepare(KEEP)
                    .bind(&[id_v.clone(), number(new_version.into())])
                    .map_err(StoreError::from)?,
                self.db
                    .prepare(PRUNE)
                    .bind(&[id_v.clone(), number(KEPT_VERSIONS.into())])
                    .map_err(StoreError::from)?,
                self.db.prepare(CURRENT).bind(&[id_v]).map_err(StoreError::from)?,
            ])
            .await
            .map_err(StoreError::from)?;
        let written = results
            .first()
            .and_then(|r| r.meta().ok().flatten())
            .and_then(|m| m.changes)
            .unwrap_or(0);
        if written > 0 {
            return Ok(new_version);
        }
        let current: Vec<CurrentRow> = match results.last() {
            Some(r) => r.results().map_err(StoreError::from)?,
            None => Vec::new(),
        };
        Err(WriteError::Conflict {
            current: current.first().map(|r| r.version).unwrap_or(0),
        })
    }

    async fn site_versions(&self, id: &str) -> Result<Vec<VersionInfo>, StoreError> {
        let rows: Vec<VersionRow> = self.db.prepare(VERSIONS).bind(&[text(id)])?.all().await?.results()?;
        Ok(rows
            .into_iter()
            .map(|r| VersionInfo {
                version: r.version,
                updated_at_ms: r.updated_at_ms,
                deleted: r.deleted != 0,
            })
            .collect())
    }

    async fn site_version(&self, id: &str, version: u32) -> Result<Option<StoredSite>, StoreError> {
        let row: Option<SiteRow> = self
            .db
            .prepare(format!(
                "SELECT {COLUMNS} FROM site_versions WHERE id = ?1 AND version = ?2"
            ))
            .bind(&[text(id), number(version.into())])?
            .first(None)
            .await?;
        Ok(row.map(StoredSite::from))
    }
}
