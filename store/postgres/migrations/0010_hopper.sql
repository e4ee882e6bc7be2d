-- 0010_hopper: the hopper, a small, narrow table of contacts ready to be
-- leased, in queue order (docs/queue.md). A refill (queue.Store.Refill)
-- copies the next ready contacts of a campaign from contacts, whose
-- eligibility it has already applied (rank, freshness, due time, callable
-- interval, not leased); a claim takes its contacts from the hopper with
-- FOR UPDATE SKIP LOCKED, deletes their entries and leases them on
-- contacts only if they are still what the refill saw (version). So the
-- claim's locking scan walks a few hundred live rows instead of the head
-- of a million-row partial index full of dead entries left by earlier
-- claims.
--
-- version is the contact's version when the entry was filled: an entry
-- whose contact changed since (edited, reassigned, requeued, leased) is
-- dropped, never leased. The other columns copy what the claim filters
-- and orders on, so it never reads contacts to choose.

CREATE TABLE hopper (
    workspace_id    TEXT COLLATE "C" NOT NULL,
    campaign_id     TEXT COLLATE "C" NOT NULL,
    contact_id      TEXT COLLATE "C" NOT NULL,
    version         BIGINT NOT NULL,
    q_rank          BIGINT NOT NULL,
    list_priority   BIGINT NOT NULL,
    priority        BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    phone           TEXT COLLATE "C" NOT NULL,
    lane            TEXT COLLATE "C" NOT NULL,
    callback_owner  TEXT COLLATE "C" NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    callable_from   BIGINT NOT NULL,
    callable_until  BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX hopper_order ON hopper
    (workspace_id, campaign_id, q_rank, list_priority DESC, priority DESC, created_at, contact_id);
-- The hopper is rewritten all day: vacuum it early so dead entries do not
-- pile up at the head of hopper_order.
ALTER TABLE hopper SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0);
