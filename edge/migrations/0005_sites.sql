-- Sites written through the admin API (edge/src/admin/sites.rs). A site with
-- no row is served from the compiled sites.toml as version 0; a deleted one
-- keeps its row as a tombstone (deleted = 1), so the file does not bring it back.
CREATE TABLE sites (
  id            TEXT PRIMARY KEY,
  version       INTEGER NOT NULL,   -- 1 for the first write; each write names the one it replaces
  config        TEXT NOT NULL,      -- the lead::site::Site as JSON, its secrets encrypted
  deleted       INTEGER NOT NULL DEFAULT 0,
  updated_at_ms INTEGER NOT NULL
);

-- The last 20 versions of each site, for rollback.
CREATE TABLE site_versions (
  id            TEXT NOT NULL,
  version       INTEGER NOT NULL,
  config        TEXT NOT NULL,
  deleted       INTEGER NOT NULL DEFAULT 0,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (id, version)
);

-- The destination a delivery was made for, as of the lead's arrival (its JSON,
-- secrets by name only): a lead in flight goes where it was accepted for, even
-- after the site changes. NULL for deliveries stored before this migration.
ALTER TABLE deliveries ADD COLUMN destination_config TEXT;
