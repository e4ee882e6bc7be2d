-- 0003_importer: import history, remembered column mappings and the small
-- name table (importer.Store). Phone lookups use contacts_phone from 0001.
-- Same layout as the SQLite schema (store/sqlite/migrations).

CREATE TABLE import_history (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id),
    id           TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    list_id      TEXT COLLATE "C" NOT NULL,
    actor_id     TEXT COLLATE "C" NOT NULL,
    file_name    TEXT NOT NULL,
    header       TEXT NOT NULL, -- JSON array of the header's names
    signature    TEXT COLLATE "C" NOT NULL,
    mapping      TEXT NOT NULL, -- JSON array of fields, one per column
    policy       TEXT NOT NULL,
    status       TEXT NOT NULL,
    error        TEXT NOT NULL,
    counts       TEXT NOT NULL, -- JSON importer.Counts
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL,
    duration     BIGINT NOT NULL, -- nanoseconds
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX import_history_started ON import_history (workspace_id, started_at, id);

CREATE TABLE import_mappings (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id),
    signature    TEXT COLLATE "C" NOT NULL,
    header       TEXT NOT NULL,
    mapping      TEXT NOT NULL,
    saved_by     TEXT COLLATE "C" NOT NULL,
    saved_at     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, signature)
);

CREATE TABLE import_names (
    name  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
