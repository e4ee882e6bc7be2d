-- 0002_suppression: suppression lists and entries (suppression.Store).
--
-- Built for registry loads of tens of millions of numbers, so the entry
-- tables are compact:
--   * a list (workspace, scope, ref) is a small integer, suppression_lists.id;
--   * an entry's metadata (reason, source, added by, added at, expiry) is
--     shared by all the entries written with it, as every number of a
--     registry load is: suppression_origins.id;
--   * a number is the INTEGER of its E.164 digits (+14155552671 is
--     14155552671; E.164 has at most 15 digits and never starts with 0).
-- A number-only entry is a row of suppression_numbers, a clustered
-- (WITHOUT ROWID) key of (list, number): about 20 bytes a row. An entry
-- with an email (and maybe a number too, 0 for none) is a row of
-- suppression_emails. Entry tables are keyed by list rather than starting
-- with workspace_id: a list belongs to one workspace, and every query
-- reaches list ids only through suppression_lists filtered by workspace.

CREATE TABLE suppression_lists (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    scope        TEXT    NOT NULL,
    ref          TEXT    NOT NULL,
    UNIQUE (workspace_id, scope, ref)
);

CREATE TABLE suppression_origins (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    reason       TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    added_by     TEXT    NOT NULL,
    added_at     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, reason, source, added_by, added_at, expires_at)
);

CREATE TABLE suppression_numbers (
    list_id   INTEGER NOT NULL,
    number    INTEGER NOT NULL,
    origin_id INTEGER NOT NULL,
    PRIMARY KEY (list_id, number)
) WITHOUT ROWID;

CREATE TABLE suppression_emails (
    list_id   INTEGER NOT NULL,
    email     TEXT    NOT NULL,
    number    INTEGER NOT NULL,
    origin_id INTEGER NOT NULL,
    PRIMARY KEY (list_id, email, number)
) WITHOUT ROWID;
CREATE INDEX suppression_emails_number ON suppression_emails (list_id, number, email);
