-- Report schedules (report.Scheduler), with the scheduler's state: next_at
-- is the fire time next due (0: never), last_due the fire time of the last
-- delivery claimed. A delivery is claimed by moving next_at from the due
-- time to the following one in one UPDATE, so two schedulers never both
-- send it.
CREATE TABLE report_schedules (
    workspace_id TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    trigger_kind TEXT    NOT NULL,
    cron         TEXT    NOT NULL,
    recipients   TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    attach       BOOLEAN NOT NULL,
    next_at      INTEGER NOT NULL,
    last_due     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX report_schedules_due ON report_schedules (next_at) WHERE next_at <> 0;
