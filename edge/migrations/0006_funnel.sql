-- Anonymous funnel counts (lead::funnel, edge/src/funnel.rs): one counter per
-- site, day, mode, channel, campaign and event; never a visitor, an id or a URL.
-- Written in batches of `INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n`.
CREATE TABLE funnel_daily (
  site     TEXT NOT NULL,
  day      TEXT NOT NULL,     -- YYYY-MM-DD in the site's time zone (hours.time_zone, else UTC)
  mode     TEXT NOT NULL,     -- lead kind: callback|form|chat|messenger_click|phone_click, or '' for none
  channel  TEXT NOT NULL,     -- lead::attribution::Channel as serialised: organic_search, direct, …
  campaign TEXT NOT NULL,     -- '' when none
  event    TEXT NOT NULL,     -- shown|opened|started|submitted|messenger|accepted|delivered|failed
  n        INTEGER NOT NULL,
  PRIMARY KEY (site, day, mode, channel, campaign, event)
);
