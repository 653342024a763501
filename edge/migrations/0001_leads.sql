-- Leads, keyed by the id the widget generated: a retried POST finds its row.
CREATE TABLE leads (
  id          TEXT PRIMARY KEY,
  site        TEXT NOT NULL,
  kind        TEXT NOT NULL,
  received_at INTEGER NOT NULL,   -- ms since the Unix epoch, collector clock
  lead        TEXT NOT NULL       -- the wire::Lead JSON destinations receive as `data`
);
CREATE INDEX leads_by_site_time ON leads (site, received_at);

-- One row per lead and destination: what has been tried and where it stands.
CREATE TABLE deliveries (
  lead_id         TEXT NOT NULL REFERENCES leads (id),
  destination     TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'disabled')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,         -- ms; NULL once settled
  last_status     INTEGER,         -- HTTP status of the last attempt, NULL if none came back
  last_error      TEXT,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (lead_id, destination)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
