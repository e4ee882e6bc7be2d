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
    workspace_id TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    bucket       BIGINT NOT NULL,
    shard        BIGINT NOT NULL,
    attempts          BIGINT NOT NULL,
    first_attempts    BIGINT NOT NULL,
    human             BIGINT NOT NULL,
    machine           BIGINT NOT NULL,
    no_answer         BIGINT NOT NULL,
    busy              BIGINT NOT NULL,
    failed            BIGINT NOT NULL,
    abandoned_result  BIGINT NOT NULL,
    cancelled         BIGINT NOT NULL,
    unknown           BIGINT NOT NULL,
    answered_human    BIGINT NOT NULL,
    answered_machine  BIGINT NOT NULL,
    abandoned         BIGINT NOT NULL,
    conversations     BIGINT NOT NULL,
    talk_ns           BIGINT NOT NULL,
    wrap_ns           BIGINT NOT NULL,
    costed            BIGINT NOT NULL,
    cost              BIGINT NOT NULL,
    dispositioned     BIGINT NOT NULL,
    meetings          BIGINT NOT NULL,
    meetings_accepted BIGINT NOT NULL,
    qualified         BIGINT NOT NULL,
    opportunities     BIGINT NOT NULL,
    revenue           BIGINT NOT NULL,
    playbook          BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, bucket, shard)
);

-- report_contacts: per contact, its attempt count and totals and its
-- latest attempt (highest seq), for contact exports and the successful
-- and voicemail counts.
CREATE TABLE report_contacts (
    workspace_id   TEXT COLLATE "C" NOT NULL,
    contact_id     TEXT COLLATE "C" NOT NULL,
    campaign_id    TEXT COLLATE "C" NOT NULL,
    attempts       BIGINT NOT NULL,
    talk_ns        BIGINT NOT NULL,
    cost           BIGINT NOT NULL,
    meetings       BIGINT NOT NULL,
    revenue        BIGINT NOT NULL,
    last_seq       BIGINT NOT NULL,
    last_started   BIGINT NOT NULL,
    last_result    TEXT COLLATE "C" NOT NULL,
    last_answered  TEXT COLLATE "C" NOT NULL,
    last_disp      TEXT COLLATE "C" NOT NULL,
    -- status mirrors contacts.status (kept by contacts_report_status), so
    -- the successful and voicemail counts read this table's index alone.
    status         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX report_contacts_status ON report_contacts (workspace_id, campaign_id, status, last_disp, last_answered, last_result);

-- report_goals and report_answers count attempts by recorded goal status
-- and by analysis answer.
CREATE TABLE report_goals (
    workspace_id TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    goal_id      TEXT COLLATE "C" NOT NULL,
    status       TEXT COLLATE "C" NOT NULL,
    shard        BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, goal_id, status, shard)
);
CREATE TABLE report_answers (
    workspace_id TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    analysis_id  TEXT COLLATE "C" NOT NULL,
    answer       TEXT COLLATE "C" NOT NULL,
    shard        BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, analysis_id, answer, shard)
);

-- The trigger function; shard spreads a campaign's concurrent writers
-- over 8 rows per bucket.
CREATE FUNCTION report_attempt_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o jsonb := NEW.outcome::jsonb;
    sh bigint := abs(hashtext(NEW.id)) % 8;
BEGIN
    INSERT INTO report_buckets (workspace_id, campaign_id, bucket, shard, attempts, first_attempts, human, machine, no_answer, busy, failed, abandoned_result, cancelled, unknown, answered_human, answered_machine, abandoned, conversations, talk_ns, wrap_ns, costed, cost, dispositioned, meetings, meetings_accepted, qualified, opportunities, revenue, playbook)
    VALUES (NEW.workspace_id, NEW.campaign_id, NEW.started_at - (NEW.started_at % 900000000000), sh,
        1,
        (NEW.seq = 1)::int,
        (NEW.result = 'human')::int,
        (NEW.result = 'machine')::int,
        (NEW.result = 'no_answer')::int,
        (NEW.result = 'busy')::int,
        (NEW.result = 'failed')::int,
        (NEW.result = 'abandoned')::int,
        (NEW.result = 'cancelled')::int,
        (NEW.result NOT IN ('human', 'machine', 'no_answer', 'busy', 'failed', 'abandoned', 'cancelled'))::int,
        (NEW.answered_by = 'human')::int,
        (NEW.answered_by = 'machine')::int,
        ((NEW.abandoned OR NEW.result = 'abandoned'))::int,
        (NEW.talk_ns > 0)::int,
        NEW.talk_ns,
        NEW.wrap_ns,
        ((NEW.currency <> '' OR NEW.cost <> 0))::int,
        NEW.cost,
        (NEW.disposition_id <> '')::int,
        (COALESCE((o ->> 'meeting_booked')::boolean, false))::int,
        (COALESCE((o ->> 'meeting_accepted')::boolean, false))::int,
        (COALESCE((o ->> 'qualified_lead')::boolean, false))::int,
        (COALESCE((o ->> 'opportunity')::boolean, false))::int,
        COALESCE((o ->> 'revenue')::bigint, 0),
        (NEW.talk_ns > 0 AND COALESCE(jsonb_typeof(o -> 'playbook_steps') = 'array' AND jsonb_array_length(o -> 'playbook_steps') > 0, false))::int)
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
        ((COALESCE((o ->> 'meeting_booked')::boolean, false))::int), COALESCE((o ->> 'revenue')::bigint, 0), NEW.seq, NEW.started_at, NEW.result, NEW.answered_by, NEW.disposition_id,
        COALESCE((SELECT c.status FROM contacts c WHERE c.workspace_id = NEW.workspace_id AND c.id = NEW.contact_id), ''))
    ON CONFLICT (workspace_id, contact_id) DO UPDATE SET
        status = excluded.status,
        attempts = report_contacts.attempts + 1,
        talk_ns = report_contacts.talk_ns + excluded.talk_ns,
        cost = report_contacts.cost + excluded.cost,
        meetings = report_contacts.meetings + excluded.meetings,
        revenue = report_contacts.revenue + excluded.revenue,
        last_seq = CASE WHEN (excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started)) THEN excluded.last_seq ELSE report_contacts.last_seq END,
        last_started = CASE WHEN (excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started)) THEN excluded.last_started ELSE report_contacts.last_started END,
        last_result = CASE WHEN (excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started)) THEN excluded.last_result ELSE report_contacts.last_result END,
        last_answered = CASE WHEN (excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started)) THEN excluded.last_answered ELSE report_contacts.last_answered END,
        last_disp = CASE WHEN (excluded.last_seq > report_contacts.last_seq OR (excluded.last_seq = report_contacts.last_seq AND excluded.last_started > report_contacts.last_started)) THEN excluded.last_disp ELSE report_contacts.last_disp END;
    IF jsonb_typeof(o -> 'goals') = 'object' THEN
        INSERT INTO report_goals (workspace_id, campaign_id, goal_id, status, shard, n)
        SELECT NEW.workspace_id, NEW.campaign_id, g.key, g.value, sh, 1 FROM jsonb_each_text(o -> 'goals') AS g
        ON CONFLICT (workspace_id, campaign_id, goal_id, status, shard) DO UPDATE SET n = report_goals.n + 1;
    END IF;
    IF jsonb_typeof(o -> 'answers') = 'object' THEN
        INSERT INTO report_answers (workspace_id, campaign_id, analysis_id, answer, shard, n)
        SELECT NEW.workspace_id, NEW.campaign_id, q.key, a.value, sh, 1
        FROM jsonb_each(o -> 'answers') AS q, jsonb_array_elements_text(CASE WHEN jsonb_typeof(q.value) = 'array' THEN q.value ELSE '[]'::jsonb END) AS a(value)
        ON CONFLICT (workspace_id, campaign_id, analysis_id, answer, shard) DO UPDATE SET n = report_answers.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER attempts_report_rollup AFTER INSERT ON attempts FOR EACH ROW EXECUTE FUNCTION report_attempt_rollup();

CREATE FUNCTION report_contact_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE report_contacts SET status = NEW.status WHERE workspace_id = NEW.workspace_id AND contact_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER contacts_report_status AFTER UPDATE OF status ON contacts
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION report_contact_status();

-- Agent spans (report.SpanWriter) and their rollups, written in the same
-- transaction as each span: state totals per agent, and the 15-minute UTC
-- buckets with an agent not paused.
CREATE TABLE agent_spans (
    seq          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    agent_id     TEXT COLLATE "C" NOT NULL,
    state        TEXT COLLATE "C" NOT NULL,
    start_at     BIGINT  NOT NULL,
    end_at       BIGINT  NOT NULL
);
CREATE INDEX agent_spans_campaign ON agent_spans (workspace_id, campaign_id, end_at);

CREATE TABLE report_agent_totals (
    workspace_id TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    agent_id     TEXT COLLATE "C" NOT NULL,
    state        TEXT COLLATE "C" NOT NULL,
    total_ns     BIGINT  NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, agent_id, state)
);

CREATE TABLE report_agent_buckets (
    workspace_id TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    bucket       BIGINT  NOT NULL,
    PRIMARY KEY (workspace_id, campaign_id, bucket)
);

-- Export history (report.Service.Export) and delivery history (report.Scheduler).
CREATE TABLE report_exports (
    seq          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    kind         TEXT COLLATE "C" NOT NULL,
    format       TEXT COLLATE "C" NOT NULL,
    compression  TEXT COLLATE "C" NOT NULL,
    file_name    TEXT COLLATE "C" NOT NULL,
    row_count    BIGINT  NOT NULL,
    byte_count   BIGINT  NOT NULL,
    by_user      TEXT COLLATE "C" NOT NULL,
    at           BIGINT  NOT NULL,
    error        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX report_exports_workspace ON report_exports (workspace_id, seq);

CREATE TABLE report_deliveries (
    seq          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL,
    schedule_id  TEXT COLLATE "C" NOT NULL,
    campaign_id  TEXT COLLATE "C" NOT NULL,
    due          BIGINT  NOT NULL,
    try          BIGINT  NOT NULL,
    at           BIGINT  NOT NULL,
    recipients   TEXT COLLATE "C" NOT NULL,
    error        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX report_deliveries_workspace ON report_deliveries (workspace_id, seq);

-- Contact counts by status (and due now) read this index alone.
CREATE INDEX contacts_report ON contacts (workspace_id, campaign_id, status, next_attempt_at);
