-- 0006_campaign_lease: the campaign lease (dialer.CampaignLeaser). One row
-- per campaign names the process that paces it and until when (unix ns);
-- another process takes the row over once expires_at has passed, judged by
-- the database's clock_timestamp() in the default database-clock mode
-- (queue.LeaseClock), so hosts with skewed clocks agree. Releasing deletes
-- the row.

CREATE TABLE campaign_leases (
    workspace_id TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    holder       TEXT COLLATE "C" NOT NULL,
    expires_at   BIGINT NOT NULL,
    acquired_at  BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
