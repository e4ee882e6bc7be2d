-- 0001_init: the campaign model (campaign.Store).
--
-- Conventions shared with the Postgres schema (store/postgres/migrations):
-- times are INTEGER unix nanoseconds, 0 for the zero time; structured
-- fields are JSON text (encoding/json of the Go value; consent has its own
-- keys); every table carries workspace_id and every key
-- starts with it; seq (an alias of the rowid) records creation order.

CREATE TABLE workspaces (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    settings   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE members (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    user_id      TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, user_id)
);

CREATE TABLE campaigns (
    seq                INTEGER PRIMARY KEY,
    workspace_id       TEXT    NOT NULL REFERENCES workspaces (id),
    id                 TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    owner_id           TEXT    NOT NULL,
    client             TEXT    NOT NULL,
    goal               TEXT    NOT NULL,
    target_call_volume INTEGER NOT NULL,
    start_date         INTEGER NOT NULL,
    deadline           INTEGER NOT NULL,
    notes              TEXT    NOT NULL,
    locale             TEXT    NOT NULL,
    default_region     TEXT    NOT NULL,
    timezone           TEXT    NOT NULL,
    source_labels      TEXT    NOT NULL,
    health             TEXT    NOT NULL,
    schedule_id        TEXT    NOT NULL,
    settings           TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    archived_from      TEXT    NOT NULL,
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
);
CREATE INDEX campaigns_created ON campaigns (workspace_id, created_at, seq);
CREATE INDEX campaigns_status ON campaigns (workspace_id, status);
CREATE INDEX campaigns_owner ON campaigns (workspace_id, owner_id);

CREATE TABLE campaign_transitions (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    by_user      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
CREATE INDEX campaign_transitions_campaign ON campaign_transitions (workspace_id, campaign_id, seq);

CREATE TABLE lists (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    id           TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    priority     INTEGER NOT NULL,
    expire_days  INTEGER NOT NULL,
    dupe_days    INTEGER NOT NULL,
    archived     BOOLEAN NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
);
CREATE INDEX lists_created ON lists (workspace_id, created_at, seq);
CREATE INDEX lists_campaign ON lists (workspace_id, campaign_id);

CREATE TABLE dispositions (
    seq             INTEGER PRIMARY KEY,
    workspace_id    TEXT    NOT NULL REFERENCES workspaces (id),
    id              TEXT    NOT NULL,
    campaign_id     TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    qualified       BOOLEAN NOT NULL,
    contacted       BOOLEAN NOT NULL,
    callback        BOOLEAN NOT NULL,
    dnc             BOOLEAN NOT NULL,
    requires_note   BOOLEAN NOT NULL,
    required_fields TEXT    NOT NULL,
    final           BOOLEAN NOT NULL,
    archived        BOOLEAN NOT NULL,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
CREATE INDEX dispositions_campaign ON dispositions (workspace_id, campaign_id, seq);

CREATE TABLE goals (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    id           TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    archived     BOOLEAN NOT NULL,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
CREATE INDEX goals_campaign ON goals (workspace_id, campaign_id, seq);

CREATE TABLE analyses (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    id           TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    question     TEXT    NOT NULL,
    choices      TEXT    NOT NULL,
    active       BOOLEAN NOT NULL,
    archived     BOOLEAN NOT NULL,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
CREATE INDEX analyses_campaign ON analyses (workspace_id, campaign_id, seq);

CREATE TABLE schedules (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
    id           TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    timezone     TEXT    NOT NULL,
    hours        TEXT    NOT NULL,
    exceptions   TEXT    NOT NULL,
    UNIQUE (workspace_id, id)
);

-- contacts keeps the queue's fields (status, lane, priority, attempts,
-- times, callback owner, zones, states) as real columns so later
-- migrations can index them for claims.
CREATE TABLE contacts (
    workspace_id    TEXT    NOT NULL REFERENCES workspaces (id),
    id              TEXT    NOT NULL,
    campaign_id     TEXT    NOT NULL,
    list_id         TEXT    NOT NULL,
    first_name      TEXT    NOT NULL,
    last_name       TEXT    NOT NULL,
    company         TEXT    NOT NULL,
    phone           TEXT    NOT NULL,
    alt_phones      TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    owner_id        TEXT    NOT NULL,
    priority        INTEGER NOT NULL,
    custom          TEXT    NOT NULL,
    notes           TEXT    NOT NULL,
    timezones       TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    area_code_state TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    lane            TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    last_attempt_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    callback_owner  TEXT    NOT NULL,
    consent         TEXT    NOT NULL,
    erased_at       INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX contacts_phone ON contacts (workspace_id, phone);
CREATE INDEX contacts_campaign ON contacts (workspace_id, campaign_id, id);
CREATE INDEX contacts_list ON contacts (workspace_id, list_id, id);
CREATE INDEX contacts_status ON contacts (workspace_id, status, id);
CREATE INDEX contacts_owner ON contacts (workspace_id, owner_id, id);

-- contact_tags holds Contact.Tags, one row per tag in order, so the tag
-- filter uses an index.
CREATE TABLE contact_tags (
    workspace_id TEXT    NOT NULL,
    contact_id   TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    tag          TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, position),
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_tags_tag ON contact_tags (workspace_id, tag, contact_id);

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    actor_id     TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    entity       TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    detail       TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (workspace_id, entity, entity_id, seq);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, seq);
