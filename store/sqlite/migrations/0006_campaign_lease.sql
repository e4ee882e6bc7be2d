-- 0006_campaign_lease: the campaign lease (dialer.CampaignLeaser). One row
-- per campaign names the process that paces it and until when (unix ns);
-- another process takes the row over once expires_at has passed, judged by
-- the caller's now (one file on one host). Releasing deletes the row.

CREATE TABLE campaign_leases (
    workspace_id TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    holder       TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    acquired_at  INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
