-- Where each lead came from, as columns the stats and the inbox filter and
-- group by (GROUP BY in SQL, never every lead loaded). VIRTUAL: computed from
-- the stored lead JSON when read, so no backfill and nothing to keep in step;
-- lead::attribution::Attribution flattens the deciding touch, hence
-- $.attribution.channel rather than $.attribution.deciding.channel.
ALTER TABLE leads ADD COLUMN channel TEXT
  GENERATED ALWAYS AS (json_extract(lead, '$.attribution.channel')) VIRTUAL;
ALTER TABLE leads ADD COLUMN source TEXT
  GENERATED ALWAYS AS (json_extract(lead, '$.attribution.source')) VIRTUAL;
ALTER TABLE leads ADD COLUMN campaign TEXT
  GENERATED ALWAYS AS (json_extract(lead, '$.attribution.campaign')) VIRTUAL;
-- The stats by channel and the inbox's channel filter, per site and period.
CREATE INDEX leads_by_site_channel_time ON leads (site, channel, received_at);
