-- A delivery is claimed by one consumer at a time: lease_until (ms) keeps a
-- queue message and a sweep from sending the same lead at once.
ALTER TABLE deliveries ADD COLUMN lease_until INTEGER;

-- Every attempt, for the admin API and for people asking "what happened?".
CREATE TABLE attempts (
  lead_id     TEXT NOT NULL,
  destination TEXT NOT NULL,
  n           INTEGER NOT NULL,   -- 1 for the first attempt
  at          INTEGER NOT NULL,   -- ms
  status      INTEGER,            -- NULL when no answer came back
  error       TEXT,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (lead_id, destination, n)
);

-- Destinations switched off (410 Gone, or by hand) until re-enabled.
CREATE TABLE destinations (
  site       TEXT NOT NULL,
  id         TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('enabled', 'disabled')),
  reason     TEXT,
  changed_at INTEGER NOT NULL,
  PRIMARY KEY (site, id)
);
