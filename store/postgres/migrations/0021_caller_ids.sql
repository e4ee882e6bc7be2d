-- 0021_caller_ids: caller-ID state (campaign.CallerIDStore), one row per
-- number of a workspace: disabled by a member, its spam score, the day's
-- call count (day is the caller's local date, YYYY-MM-DD) and the total.
-- A use is counted with one upsert that also checks the daily cap, so two
-- processes dialing from one number lose no count.

CREATE TABLE caller_ids (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id),
    number       TEXT COLLATE "C" NOT NULL,
    disabled     BIGINT NOT NULL DEFAULT 0,
    spam_score   DOUBLE PRECISION NOT NULL DEFAULT 0,
    day          TEXT COLLATE "C" NOT NULL DEFAULT '',
    calls_today  BIGINT NOT NULL DEFAULT 0,
    calls_total  BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, number)
);
