-- 0008_dial_journal: the attempt in progress on a lease (queue.Dial),
-- written by BeginAttempt before the carrier is asked to dial and cleared
-- when the lease ends. When Maintain reaps an expired lease that carries
-- one, it appends that attempt (result 'unknown', carrier status
-- 'lease_expired') and counts it, so a process that died mid-call leaves
-- its call in the attempt log.

ALTER TABLE contacts ADD COLUMN dial_attempt    TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN dial_number     TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN dial_caller_id  TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN dial_started_at BIGINT NOT NULL DEFAULT 0;
