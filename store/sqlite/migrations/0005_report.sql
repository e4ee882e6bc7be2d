-- 0005_report: what reports read (report.Store).
--
-- Rollups of the attempt log, kept by a trigger on attempts so that they
-- are written in the same transaction as each attempt (DESIGN.md, data
-- flow step 7): report_buckets holds report.Counts per campaign and
-- 15-minute UTC bucket (bucket = unix ns of its start; every zone offset is
-- a multiple of 15 minutes, so buckets fold into any zone's local hours),
-- split into shards so that concurrent writers of one campaign do not
-- queue on one row; report_contacts, report_goals and report_answers serve
-- the contact, goal and answer counts. The conformance suite
-- (report/reporttest) and internal/sqlstore's rollup test prove them equal
-- to a recomputation from the log. Attempts are appended, never changed
-- or deleted (queue.Store), so the trigger handles INSERT alone.

CREATE TABLE report_buckets (
    workspace_id TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    bucket       INTEGER NOT NULL,
    shard        INTEGER NOT NULL,
    attempts          INTEGER NOT NULL,
    first_attempts    INTEGER NOT NULL,
    human             INTEGER NOT NULL,
    machine           INTEGER NOT NULL,
    no_answer         INTEGER NOT NULL,
    busy              INTEGER NOT NULL,
    failed            INTEGER NOT NULL,
    abandoned_result  INTEGER NOT NULL,
    cancelled         INTEGER NOT NULL,
    unknown           INTEGER NOT NULL,
    answered_human    INTEGER NOT NULL,
    answered_machine  INTEGER NOT NULL,
    abandoned         INTEGER NOT NULL,
    conversations     INTEGER NOT NULL,
    talk_ns           INTEGER NOT NULL,
    wrap_ns           INTEGER NOT NULL,
    costed            INTEGER NOT NULL,
    cost              INTEGER NOT NULL,
    dispositioned     INTEGER NOT NULL,
    meetings          INTEGER NOT NULL,
    meetings_accepted INTEGER NOT NULL,
    qualified         INTEGER NOT NULL,
    opportunities     INTEGER NOT NULL,
    revenue           INTEGER NOT NULL,
    playbook          INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, bucket, shard)
);

-- report_contacts: per contact, its attempt count and totals and its
-- latest attempt (highest seq), for contact exports and the successful
-- and voicemail counts.
CREATE TABLE report_contacts (
    workspace_id   TEXT NOT NULL,
    contact_id     TEXT NOT NULL,
    campaign_id    TEXT NOT NULL,
    attempts       INTEGER NOT NULL,
    talk_ns        INTEGER NOT NULL,
    cost           INTEGER NOT NULL,
    meetings       INTEGER NOT NULL,
    revenue        INTEGER NOT NULL,
    last_seq       INTEGER NOT NULL,
    last_started   INTEGER NOT NULL,
    last_result    TEXT NOT NULL,
    last_answered  TEXT NOT NULL,
    last_disp      TEXT NOT NULL,
    -- status mirrors contacts.status (kept by contacts_report_status), so
    -- the successful and voicemail counts read this table's index alone.
    status         TEXT NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX report_contacts_status ON report_contacts (workspace_id, campaign_id, status, last_disp, last_answered, last_result);

-- report_goals and report_answers count attempts by recorded goal status
-- and by analysis answer.
CREATE TABLE report_goals (
    workspace_id TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    goal_id      TEXT NOT NULL,
    status       TEXT NOT NULL,
    shard        INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, goal_id, status, shard)
);
CREATE TABLE report_answers (
    workspace_id TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    analysis_id  TEXT NOT NULL,
    answer       TEXT NOT NULL,
    shard        INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, analysis_id, answer, shard)
);

CREATE TRIGGER attempts_report_rollup AFTER INSERT ON attempts BEGIN
    INSERT INTO report_buckets (workspace_id, campaign_id, bucket, shard, attempts, first_attempts, human, machine, no_answer, busy, failed, abandoned_result, cancelled, unknown, answered_human, answered_machine, abandoned, conversations, talk_ns, wrap_ns, costed, cost, dispositioned, meetings, meetings_accepted, qualified, opportunities, revenue, playbook)
    VALUES (NEW.workspace_id, NEW.campaign_id, NEW.started_at - (NEW.started_at % 900000000000), 0,
        1,
        NEW.seq = 1,
        NEW.result = 'human',
        NEW.result = 'machine',
        NEW.result = 'no_answer',
        NEW.result = 'busy',
        NEW.result = 'failed',
        NEW.result = 'abandoned',
        NEW.result = 'cancelled',
        NEW.result NOT IN ('human', 'machine', 'no_answer', 'busy', 'failed', 'abandoned', 'cancelled'),
        NEW.answered_by = 'human',
        NEW.answered_by = 'machine',
        (NEW.abandoned OR NEW.result = 'abandoned'),
        NEW.talk_ns > 0,
        NEW.talk_ns,
        NEW.wrap_ns,
        (NEW.currency <> '' OR NEW.cost <> 0),
        NEW.cost,
        NEW.disposition_id <> '',
        COALESCE(json_extract(NEW.outcome, '$.meeting_booked'), 0),
        COALESCE(json_extract(NEW.outcome, '$.meeting_accepted'), 0),
        COALESCE(json_extract(NEW.outcome, '$.qualified_lead'), 0),
        COALESCE(json_extract(NEW.outcome, '$.opportunity'), 0),
        COALESCE(json_extract(NEW.outcome, '$.revenue'), 0),
        (NEW.talk_ns > 0 AND COALESCE(json_array_length(NEW.outcome, '$.playbook_steps'), 0) > 0))
    ON CONFLICT (workspace_id, campaign_id, bucket, shard) DO UPDATE SET
        attempts = report_buckets.attempts + excluded.attempts,
        first_attempts = report_buckets.first_attempts + excluded.first_attempts,
        human = report_buckets.human + excluded.human,
        machine = report_buckets.machine + excluded.machine,
        no_answer = report_buckets.no_answer + excluded.no_answer,
        busy = report_buckets.busy + excluded.busy,
        failed = report_buckets.failed + excluded.failed,
        abandoned_result = report_buckets.abandoned_result + excluded.abandoned_result,
        cancelled = report_buckets.cancelled + excluded.cancelled,
        unknown = report_buckets.unknown + excluded.unknown,
        answered_human = report_buckets.answered_human + excluded.answered_human,
        answered_machine = report_buckets.answered_machine + excluded.answered_machine,
        abandoned = report_buckets.abandoned + excluded.abandoned,
        conversations = report_buckets.conversations + excluded.conversations,
        talk_ns = report_buckets.talk_ns + excluded.talk_ns,
        wrap_ns = report_buckets.wrap_ns + excluded.wrap_ns,
        costed = report_buckets.costed + excluded.costed,
        cost = report_buckets.cost + excluded.cost,
        dispositioned = report_buckets.dispositioned + excluded.dispositioned,
        meetings = report_buckets.meetings + excluded.meetings,
        meetings_accepted = report_buckets.meetings_accepted + excluded.meetings_accepted,
        qualified = report_buckets.qualified + excluded.qualified,
        opportunities = report_buckets.opportunities + excluded.opportunities,
        revenue = report_buckets.revenue + excluded.revenue,
        playbook = report_buckets.playbook + excluded.playbook;
    INSERT INTO report_contacts (workspace_id, contact_id, campaign_id, attempts, talk_ns, cost, meetings, revenue,
        last_seq, last_started, last_result, last_answered, last_disp, status)
    VALUES (NEW.workspace_id, NEW.contact_id, NEW.campaign_id, 1, NEW.talk_ns, NEW.cost,
        COALESCE(json_extract(NEW.outcome, '$.meeting_booked'), 0), COALESCE(json_extract(NEW.outcome, '$.revenue'), 0),
        NEW.seq, NEW.started_at, NEW.result, NEW.answered_by, NEW.disposition_id,
        COALESCE((SELECT status FROM contacts WHERE workspace_id = NEW.workspace_id AND id = NEW.contact_id), ''))
    ON CONFLICT (workspace_id, contact_id) DO UPDATE SET
        status = excluded.status,
        attempts = report_contacts.attempts + 1,
        talk_ns = report_contacts.talk_ns + excluded.talk_ns,
        cost = report_contacts.cost + excluded.cost,
        meetings = report_contacts.meetings + excluded.meetings,
        revenue = report_contacts.revenue + excluded.revenue,
        last_seq = CASE WHEN excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started) THEN excluded.last_seq ELSE report_contacts.last_seq END,
        last_started = CASE WHEN excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started) THEN excluded.last_started ELSE report_contacts.last_started END,
        last_result = CASE WHEN excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started) THEN excluded.last_result ELSE report_contacts.last_result END,
        last_answered = CASE WHEN excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started) THEN excluded.last_answered ELSE report_contacts.last_answered END,
        last_disp = CASE WHEN excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started) THEN excluded.last_disp ELSE report_contacts.last_disp END;
    INSERT INTO report_goals (workspace_id, campaign_id, goal_id, status, shard, n)
    SELECT NEW.workspace_id, NEW.campaign_id, g.key, g.value, 0, 1 FROM json_each(NEW.outcome, '$.goals') AS g
    WHERE g.key IS NOT NULL
    ON CONFLICT (workspace_id, campaign_id, goal_id, status, shard) DO UPDATE SET n = report_goals.n + 1;
    INSERT INTO report_answers (workspace_id, campaign_id, analysis_id, answer, shard, n)
    SELECT NEW.workspace_id, NEW.campaign_id, q.key, a.value, 0, 1
    FROM json_each(NEW.outcome, '$.answers') AS q, json_each(q.value) AS a
    WHERE q.key IS NOT NULL AND a.key IS NOT NULL
    ON CONFLICT (workspace_id, campaign_id, analysis_id, answer, shard) DO UPDATE SET n = report_answers.n + 1;
END;

CREATE TRIGGER contacts_report_status AFTER UPDATE OF status ON contacts WHEN NEW.status <> OLD.status BEGIN
    UPDATE report_contacts SET status = NEW.status WHERE workspace_id = NEW.workspace_id AND contact_id = NEW.id;
END;

-- Agent spans (report.SpanWriter) and their rollups, written in the same
-- transaction as each span: state totals per agent, and the 15-minute UTC
-- buckets with an agent not paused.
CREATE TABLE agent_spans (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    agent_id     TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL
);
CREATE INDEX agent_spans_campaign ON agent_spans (workspace_id, campaign_id, end_at);

CREATE TABLE report_agent_totals (
    workspace_id TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    agent_id     TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    total_ns     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, agent_id, state)
);

CREATE TABLE report_agent_buckets (
    workspace_id TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    bucket       INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, bucket)
);

-- Export history (report.Service.Export) and delivery history (report.Scheduler).
CREATE TABLE report_exports (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    format       TEXT    NOT NULL,
    compression  TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    row_count    INTEGER NOT NULL,
    byte_count   INTEGER NOT NULL,
    by_user      TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    error        TEXT    NOT NULL
);
CREATE INDEX report_exports_workspace ON report_exports (workspace_id, seq);

CREATE TABLE report_deliveries (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    schedule_id  TEXT    NOT NULL,
    campaign_id  TEXT    NOT NULL,
    due          INTEGER NOT NULL,
    try          INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    recipients   TEXT    NOT NULL,
    error        TEXT    NOT NULL
);
CREATE INDEX report_deliveries_workspace ON report_deliveries (workspace_id, seq);

-- Contact counts by status (and due now) read this index alone.
CREATE INDEX contacts_report ON contacts (workspace_id, campaign_id, status, next_attempt_at);
