-- Report schedules (report.Scheduler), with the scheduler's state: next_at
-- is the fire time next due (0: never), last_due the fire time of the last
-- delivery claimed. A delivery is claimed by moving next_at from the due
-- time to the following one in one UPDATE, so two schedulers never both
-- send it.
CREATE TABLE report_schedules (
    workspace_id TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    trigger_kind TEXT COLLATE "C" NOT NULL,
    cron         TEXT COLLATE "C" NOT NULL,
    recipients   TEXT COLLATE "C" NOT NULL,
    subject      TEXT COLLATE "C" NOT NULL,
    attach       BOOLEAN NOT NULL,
    next_at      BIGINT  NOT NULL,
    last_due     BIGINT  NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX report_schedules_due ON report_schedules (next_at) WHERE next_at <> 0;
