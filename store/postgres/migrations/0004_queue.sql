-- 0004_queue: the queue (queue.Store): lease, fencing and precomputed
-- eligibility columns on contacts, the attempt log and the blocks.
--
-- A contact is ready for a claim when q_rank < 9 (its lane's rank in the
-- campaign's lane order; 9 is parked: not due, leased, final), its queue
-- facts are current (q_version = version; new and edited contacts are
-- stale until the queue recomputes them), it is due (next_attempt_at) and
-- inside its zone group's callable interval [callable_from,
-- callable_until). The partial indexes below keep each claim and each
-- housekeeping step to an index range.

ALTER TABLE contacts ADD COLUMN q_version      BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN q_rank         BIGINT NOT NULL DEFAULT 9;
ALTER TABLE contacts ADD COLUMN list_priority  BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN zone_group     TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN callable_from  BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN callable_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN lease_token    TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN lease_expires  BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN q_prev_status  TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN q_extra        BIGINT NOT NULL DEFAULT 0;

-- Claims: ready contacts in queue order.
CREATE INDEX contacts_queue_ready ON contacts
    (workspace_id, campaign_id, q_rank, list_priority DESC, priority DESC, created_at, id) WHERE q_rank < 9;
-- Promotion: parked, waiting contacts by due time.
CREATE INDEX contacts_queue_parked ON contacts (workspace_id, campaign_id, next_attempt_at)
    WHERE q_rank = 9 AND status IN ('pending', 'retry', 'callback');
-- Lease expiry.
CREATE INDEX contacts_queue_leased ON contacts (workspace_id, campaign_id, lease_expires) WHERE lease_token <> '';
-- Stale queue facts: new or edited contacts.
CREATE INDEX contacts_queue_stale ON contacts (workspace_id, campaign_id) WHERE q_version <> version;
-- Lapsed callable intervals, by zone group.
CREATE INDEX contacts_queue_callable ON contacts (workspace_id, campaign_id, callable_until, zone_group)
    WHERE status IN ('pending', 'retry', 'callback');

-- attempts is the attempt log (campaign.Attempt), appended, never changed.
-- Reports read it by (campaign, started_at); caps by (number, started_at).
CREATE TABLE attempts (
    workspace_id    TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    campaign_id     TEXT COLLATE "C" NOT NULL,
    contact_id      TEXT COLLATE "C" NOT NULL,
    number          TEXT COLLATE "C" NOT NULL,
    caller_id       TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL,
    result          TEXT COLLATE "C" NOT NULL,
    answered_by     TEXT COLLATE "C" NOT NULL,
    started_at      BIGINT NOT NULL,
    answered_at     BIGINT NOT NULL,
    ended_at        BIGINT NOT NULL,
    ring_ns         BIGINT NOT NULL,
    talk_ns         BIGINT NOT NULL,
    wrap_ns         BIGINT NOT NULL,
    cost            BIGINT NOT NULL,
    currency        TEXT COLLATE "C" NOT NULL,
    carrier_call_id TEXT COLLATE "C" NOT NULL,
    carrier_code    TEXT COLLATE "C" NOT NULL,
    carrier_status  TEXT COLLATE "C" NOT NULL,
    agent_id        TEXT COLLATE "C" NOT NULL,
    disposition_id  TEXT COLLATE "C" NOT NULL,
    abandoned       BOOLEAN NOT NULL,
    outcome         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX attempts_campaign_started ON attempts (workspace_id, campaign_id, started_at);
CREATE INDEX attempts_campaign_id ON attempts (workspace_id, campaign_id, id);
CREATE INDEX attempts_contact ON attempts (workspace_id, contact_id, id);
CREATE INDEX attempts_number ON attempts (workspace_id, number, started_at);

-- blocks are compliance refusals (campaign.Block).
CREATE TABLE blocks (
    workspace_id TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    contact_id   TEXT COLLATE "C" NOT NULL,
    number       TEXT COLLATE "C" NOT NULL,
    reason       TEXT COLLATE "C" NOT NULL,
    scope        TEXT COLLATE "C" NOT NULL,
    stage        TEXT COLLATE "C" NOT NULL,
    detail       TEXT COLLATE "C" NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX blocks_campaign ON blocks (workspace_id, campaign_id, id);
CREATE INDEX blocks_campaign_at ON blocks (workspace_id, campaign_id, at);
CREATE INDEX blocks_contact ON blocks (workspace_id, contact_id, id);
