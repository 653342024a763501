-- Leads judged spam (lead::spam::spam_verdict) are kept, flagged with the
-- reason, and have no deliveries: the sender got the same 202 as anyone.
ALTER TABLE leads ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN spam_reason TEXT;
