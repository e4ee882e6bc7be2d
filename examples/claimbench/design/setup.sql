-- The design experiment's tables, in the schema a claimbench run left
-- (callstack_claimbench): hop_today is a hopper as migration 0010 has it;
-- hop_lease is a hopper whose row holds the lease (lease columns, the
-- order index partial on unleased entries, the live-number unique index
-- on leased ones). Each gets 150,000 ready contacts, different ones.
DROP TABLE IF EXISTS hop_today, hop_lease;
CREATE TABLE hop_today (LIKE hopper INCLUDING ALL);
CREATE TABLE hop_lease (LIKE hopper INCLUDING DEFAULTS);
ALTER TABLE hop_lease ADD PRIMARY KEY (workspace_id, contact_id),
    ADD COLUMN lease_token TEXT COLLATE "C" NOT NULL DEFAULT '', ADD COLUMN lease_expires BIGINT NOT NULL DEFAULT 0;
CREATE INDEX hop_lease_ready ON hop_lease (workspace_id, campaign_id, q_rank, list_priority DESC, priority DESC, created_at, contact_id)
    WHERE lease_token = '';
CREATE UNIQUE INDEX hop_lease_live ON hop_lease (workspace_id, phone) WHERE lease_token <> '';
INSERT INTO hop_today SELECT workspace_id, campaign_id, id, version, q_rank, list_priority, priority, created_at, phone, lane,
    callback_owner, next_attempt_at, callable_from, callable_until
  FROM contacts WHERE lease_token = '' AND q_rank < 9 ORDER BY created_at, id LIMIT 150000;
INSERT INTO hop_lease SELECT workspace_id, campaign_id, id, version, q_rank, list_priority, priority, created_at, phone, lane,
    callback_owner, next_attempt_at, callable_from, callable_until
  FROM contacts c WHERE lease_token = '' AND q_rank < 9 AND NOT EXISTS (SELECT 1 FROM hop_today t WHERE t.contact_id = c.id)
  ORDER BY created_at, id LIMIT 150000;
UPDATE bare SET lease_token = '' WHERE lease_token <> '';
VACUUM ANALYZE hop_today;
VACUUM ANALYZE hop_lease;
VACUUM ANALYZE bare;
