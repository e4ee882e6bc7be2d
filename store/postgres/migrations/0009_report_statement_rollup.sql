-- 0009_report_statement_rollup: the attempt rollups of 0005, kept once per
-- INSERT statement instead of once per row (Postgres only; SQLite keeps its
-- row trigger, having no transition tables).
--
-- The trigger reads the statement's new rows as a transition table and
-- folds them with GROUP BY into one upsert per rollup row, so a bulk append
-- (SeedAttempts of a past log, an import of call history) costs one
-- aggregate per statement rather than five upserts per attempt, and the
-- rollups are still written in the same transaction as the attempts. Each
-- upsert inserts its rows in key order, so two concurrent statements lock
-- shared rollup rows in one order and cannot deadlock on them. Grouping
-- also fixes a fault of the row trigger: an attempt whose analysis answer
-- listed the same value twice made one upsert touch a row twice, which
-- Postgres refuses; both copies are now counted, as the recomputation does.
-- JIT is off inside the function: compiling a few-thousand-row aggregate
-- costs more than running it.

DROP TRIGGER attempts_report_rollup ON attempts;
DROP FUNCTION report_attempt_rollup();

CREATE FUNCTION report_attempts_rollup() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    INSERT INTO report_buckets (workspace_id, campaign_id, bucket, shard, attempts, first_attempts, human, machine, no_answer, busy, failed, abandoned_result, cancelled, unknown, answered_human, answered_machine, abandoned, conversations, talk_ns, wrap_ns, costed, cost, dispositioned, meetings, meetings_accepted, qualified, opportunities, revenue, playbook)
    SELECT workspace_id, campaign_id, started_at - (started_at % 900000000000), abs(hashtext(id)) % 8,
        count(*),
        count(*) FILTER (WHERE seq = 1),
        count(*) FILTER (WHERE result = 'human'),
        count(*) FILTER (WHERE result = 'machine'),
        count(*) FILTER (WHERE result = 'no_answer'),
        count(*) FILTER (WHERE result = 'busy'),
        count(*) FILTER (WHERE result = 'failed'),
        count(*) FILTER (WHERE result = 'abandoned'),
        count(*) FILTER (WHERE result = 'cancelled'),
        count(*) FILTER (WHERE result NOT IN ('human', 'machine', 'no_answer', 'busy', 'failed', 'abandoned', 'cancelled')),
        count(*) FILTER (WHERE answered_by = 'human'),
        count(*) FILTER (WHERE answered_by = 'machine'),
        count(*) FILTER (WHERE abandoned OR result = 'abandoned'),
        count(*) FILTER (WHERE talk_ns > 0),
        sum(talk_ns),
        sum(wrap_ns),
        count(*) FILTER (WHERE currency <> '' OR cost <> 0),
        sum(cost),
        count(*) FILTER (WHERE disposition_id <> ''),
        count(*) FILTER (WHERE COALESCE((o ->> 'meeting_booked')::boolean, false)),
        count(*) FILTER (WHERE COALESCE((o ->> 'meeting_accepted')::boolean, false)),
        count(*) FILTER (WHERE COALESCE((o ->> 'qualified_lead')::boolean, false)),
        count(*) FILTER (WHERE COALESCE((o ->> 'opportunity')::boolean, false)),
        sum(COALESCE((o ->> 'revenue')::bigint, 0)),
        count(*) FILTER (WHERE talk_ns > 0 AND CASE WHEN jsonb_typeof(o -> 'playbook_steps') = 'array' THEN jsonb_array_length(o -> 'playbook_steps') > 0 ELSE false END)
    FROM (SELECT n.*, n.outcome::jsonb AS o FROM new_attempts n) a
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
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

    -- Per contact: the statement's totals, and its latest attempt (highest
    -- seq, then latest start), which replaces the stored one when later.
    INSERT INTO report_contacts AS r (workspace_id, contact_id, campaign_id, attempts, talk_ns, cost, meetings, revenue,
        last_seq, last_started, last_result, last_answered, last_disp, status)
    SELECT g.workspace_id, g.contact_id, l.campaign_id, g.attempts, g.talk_ns, g.cost, g.meetings, g.revenue,
        l.seq, l.started_at, l.result, l.answered_by, l.disposition_id,
        COALESCE((SELECT c.status FROM contacts c WHERE c.workspace_id = g.workspace_id AND c.id = g.contact_id), '')
    FROM (SELECT workspace_id, contact_id, count(*) AS attempts, sum(talk_ns) AS talk_ns, sum(cost) AS cost,
              count(*) FILTER (WHERE outcome LIKE '%"meeting_booked"%' AND COALESCE((outcome::jsonb ->> 'meeting_booked')::boolean, false)) AS meetings,
              sum(CASE WHEN outcome LIKE '%"revenue"%' THEN COALESCE((outcome::jsonb ->> 'revenue')::bigint, 0) ELSE 0 END) AS revenue
          FROM new_attempts GROUP BY workspace_id, contact_id) g
    JOIN (SELECT DISTINCT ON (workspace_id, contact_id) workspace_id, contact_id, campaign_id, seq, started_at, result, answered_by, disposition_id
          FROM new_attempts ORDER BY workspace_id, contact_id, seq DESC, started_at DESC) l
      ON l.workspace_id = g.workspace_id AND l.contact_id = g.contact_id
    ORDER BY 1, 2
    ON CONFLICT (workspace_id, contact_id) DO UPDATE SET
        status = excluded.status,
        attempts = r.attempts + excluded.attempts,
        talk_ns = r.talk_ns + excluded.talk_ns,
        cost = r.cost + excluded.cost,
        meetings = r.meetings + excluded.meetings,
        revenue = r.revenue + excluded.revenue,
        last_seq = CASE WHEN (excluded.last_seq > r.last_seq OR (excluded.last_seq = r.last_seq AND excluded.last_started > r.last_started)) THEN excluded.last_seq ELSE r.last_seq END,
        last_started = CASE WHEN (excluded.last_seq > r.last_seq OR (excluded.last_seq = r.last_seq AND excluded.last_started > r.last_started)) THEN excluded.last_started ELSE r.last_started END,
        last_result = CASE WHEN (excluded.last_seq > r.last_seq OR (excluded.last_seq = r.last_seq AND excluded.last_started > r.last_started)) THEN excluded.last_result ELSE r.last_result END,
        last_answered = CASE WHEN (excluded.last_seq > r.last_seq OR (excluded.last_seq = r.last_seq AND excluded.last_started > r.last_started)) THEN excluded.last_answered ELSE r.last_answered END,
        last_disp = CASE WHEN (excluded.last_seq > r.last_seq OR (excluded.last_seq = r.last_seq AND excluded.last_started > r.last_started)) THEN excluded.last_disp ELSE r.last_disp END;

    -- Goal statuses and analysis answers; the LIKE skips parsing outcomes
    -- that have none.
    INSERT INTO report_goals (workspace_id, campaign_id, goal_id, status, shard, n)
    SELECT a.workspace_id, a.campaign_id, g.key, g.value, abs(hashtext(a.id)) % 8, count(*)
    FROM (SELECT workspace_id, campaign_id, id, outcome::jsonb -> 'goals' AS goals FROM new_attempts WHERE outcome LIKE '%"goals"%') a,
         jsonb_each_text(CASE WHEN jsonb_typeof(a.goals) = 'object' THEN a.goals ELSE '{}'::jsonb END) AS g
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (workspace_id, campaign_id, goal_id, status, shard) DO UPDATE SET n = report_goals.n + excluded.n;

    INSERT INTO report_answers (workspace_id, campaign_id, analysis_id, answer, shard, n)
    SELECT a.workspace_id, a.campaign_id, q.key, v.value, abs(hashtext(a.id)) % 8, count(*)
    FROM (SELECT workspace_id, campaign_id, id, outcome::jsonb -> 'answers' AS answers FROM new_attempts WHERE outcome LIKE '%"answers"%') a,
         jsonb_each(CASE WHEN jsonb_typeof(a.answers) = 'object' THEN a.answers ELSE '{}'::jsonb END) AS q,
         jsonb_array_elements_text(CASE WHEN jsonb_typeof(q.value) = 'array' THEN q.value ELSE '[]'::jsonb END) AS v(value)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (workspace_id, campaign_id, analysis_id, answer, shard) DO UPDATE SET n = report_answers.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER attempts_report_rollup AFTER INSERT ON attempts
    REFERENCING NEW TABLE AS new_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION report_attempts_rollup();
