-- 0080_feed: the change feed (campaign.FeedStore). Every status change,
-- attempt and block writes a feed row in the same transaction; ref names
-- the record (campaign_transitions.seq, attempts.id, blocks.id), read when
-- the feed is read, so an erasure's masking shows in the feed too.
--
-- SQLite has one writer at a time, so rows commit in seq order and a
-- position is (0, seq). AUTOINCREMENT keeps a pruned seq from being
-- handed out again. See docs/campaign-rules.md ("Change feed").

CREATE TABLE feed (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT    NOT NULL,
    txid         INTEGER NOT NULL DEFAULT 0,
    kind         TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    ref          TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX feed_position ON feed (workspace_id, txid, seq);
CREATE INDEX feed_at ON feed (workspace_id, at);
