-- 0003_importer: import history, remembered column mappings and the small
-- name table (importer.Store). Phone lookups use contacts_phone from 0001.

CREATE TABLE import_history (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    id           TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    list_id      TEXT    NOT NULL,
    actor_id     TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    header       TEXT    NOT NULL, -- JSON array of the header's names
    signature    TEXT    NOT NULL,
    mapping      TEXT    NOT NULL, -- JSON array of fields, one per column
    policy       TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    error        TEXT    NOT NULL,
    counts       TEXT    NOT NULL, -- JSON importer.Counts
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    duration     INTEGER NOT NULL, -- nanoseconds
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX import_history_started ON import_history (workspace_id, started_at, id);

CREATE TABLE import_mappings (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    signature    TEXT    NOT NULL,
    header       TEXT    NOT NULL,
    mapping      TEXT    NOT NULL,
    saved_by     TEXT    NOT NULL,
    saved_at     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, signature)
);

CREATE TABLE import_names (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
