-- 0021_caller_ids: caller-ID state (campaign.CallerIDStore), one row per
-- number of a workspace: disabled by a member, its spam score, the day's
-- call count (day is the caller's local date, YYYY-MM-DD) and the total.
-- A use is counted with one upsert that also checks the daily cap, so two
-- processes dialing from one number lose no count.

CREATE TABLE caller_ids (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    number       TEXT    NOT NULL,
    disabled     INTEGER NOT NULL DEFAULT 0,
    spam_score   REAL    NOT NULL DEFAULT 0,
    day          TEXT    NOT NULL DEFAULT '',
    calls_today  INTEGER NOT NULL DEFAULT 0,
    calls_total  INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, number)
);
