-- 0085_feed_pruned: each workspace's prune horizon, the position (txid,
-- seq) of the newest feed row PruneFeed deleted. A reader resuming from a
-- position before it has lost events and is told so (campaign.ErrFeedPruned);
-- the missing rows alone cannot say whether anything was pruned. See
-- docs/campaign-rules.md ("Change feed", "Retention").

CREATE TABLE feed_pruned (
    workspace_id TEXT COLLATE "C" PRIMARY KEY,
    txid         BIGINT NOT NULL,
    seq          BIGINT NOT NULL
);
