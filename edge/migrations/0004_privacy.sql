-- What the visitor sent, hashed (lead::privacy::fingerprint): a second post
-- of a stored id with another fingerprint is refused (409). NULL for leads
-- stored before this migration: they count as the same.
ALTER TABLE leads ADD COLUMN fingerprint TEXT;

-- The contact as an erasure request looks it up: the phone in E.164 and the
-- email as lead::privacy::email_key keeps it (trimmed, lower case). Leads
-- stored before this migration are filled from their JSON; SQLite's lower()
-- folds ASCII only, so an older non-Latin address is found as it was typed.
ALTER TABLE leads ADD COLUMN phone TEXT;
ALTER TABLE leads ADD COLUMN email TEXT;
UPDATE leads SET
  phone = json_extract(lead, '$.contact.phone'),
  email = lower(trim(json_extract(lead, '$.contact.email')));
CREATE INDEX leads_by_phone ON leads (phone) WHERE phone IS NOT NULL;
CREATE INDEX leads_by_email ON leads (email) WHERE email IS NOT NULL;

