package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

// Compile-time check: the Store serves reports.
var (
	_ report.Store        = (*Store)(nil)
	_ campaign.SpanWriter = (*Store)(nil)
)

// sumCols sums report_buckets' columns into report.Counts, in countDest
// order.
const sumCols = `COALESCE(SUM(attempts), 0), COALESCE(SUM(first_attempts), 0), COALESCE(SUM(human), 0),
COALESCE(SUM(machine), 0), COALESCE(SUM(no_answer), 0), COALESCE(SUM(busy), 0), COALESCE(SUM(failed), 0),
COALESCE(SUM(abandoned_result), 0), COALESCE(SUM(cancelled), 0), COALESCE(SUM(unknown), 0),
COALESCE(SUM(answered_human), 0), COALESCE(SUM(answered_machine), 0), COALESCE(SUM(abandoned), 0),
COALESCE(SUM(conversations), 0), COALESCE(SUM(talk_ns), 0), COALESCE(SUM(wrap_ns), 0), COALESCE(SUM(costed), 0),
COALESCE(SUM(cost), 0), COALESCE(SUM(dispositioned), 0), COALESCE(SUM(meetings), 0),
COALESCE(SUM(meetings_accepted), 0), COALESCE(SUM(qualified), 0), COALESCE(SUM(opportunities), 0),
COALESCE(SUM(revenue), 0), COALESCE(SUM(playbook), 0)`

func countDest(c *report.Counts) []any {
	return []any{&c.Attempts, &c.FirstAttempts, &c.Human, &c.Machine, &c.NoAnswer, &c.Busy, &c.Failed,
		&c.AbandonedResult, &c.Cancelled, &c.Unknown, &c.AnsweredHuman, &c.AnsweredMachine, &c.Abandoned,
		&c.Conversations, (*int64)(&c.Talk), (*int64)(&c.Wrap), &c.Costed, (*int64)(&c.Cost), &c.Dispositioned,
		&c.Meetings, &c.MeetingsAccepted, &c.Qualified, &c.Opportunities, (*int64)(&c.Revenue), &c.Playbook}
}

// rangeWhere returns the condition and appends the arguments of the bounds of [from, to) on column col.
func rangeWhere(col string, from, to time.Time, args []any) (string, []any) {
	var w string
	if !from.IsZero() {
		w += " AND " + col + " >= ?"
		args = append(args, from.UnixNano())
	}
	if !to.IsZero() {
		w += " AND " + col + " < ?"
		args = append(args, to.UnixNano())
	}
	return w, args
}

// AttemptBuckets implements report.Store from the report_buckets rollup,
// which a trigger on attempts maintains in each attempt's transaction.
func (s *Store) AttemptBuckets(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) ([]report.Bucket, error) {
	where, args := rangeWhere("bucket", from, to, []any{ws, id})
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT bucket, `+sumCols+` FROM report_buckets
WHERE workspace_id = ? AND campaign_id = ?`+where+` GROUP BY bucket ORDER BY bucket`), args...)
	if err != nil {
		return nil, s.fail("attempt buckets", err)
	}
	return s.scanBuckets(rows, "attempt buckets")
}

// countExprs are report.Counts' definitions over one attempts row, in
// countCols order, per dialect; the 0005 trigger uses the same ones.
func (s *Store) countExprs() []string {
	pg := s.d.Name == "postgres"
	b := func(cond string) string {
		if pg {
			return "(" + cond + ")::int"
		}
		return "(" + cond + ")"
	}
	flag := func(key string) string {
		if pg {
			return "COALESCE((outcome::jsonb ->> '" + key + "')::boolean, false)::int"
		}
		return "COALESCE(json_extract(outcome, '$." + key + "'), 0)"
	}
	revenue := "COALESCE(json_extract(outcome, '$.revenue'), 0)"
	playbook := b("talk_ns > 0 AND COALESCE(json_array_length(outcome, '$.playbook_steps'), 0) > 0")
	if pg {
		revenue = "COALESCE((outcome::jsonb ->> 'revenue')::bigint, 0)"
		playbook = b("talk_ns > 0 AND COALESCE(jsonb_typeof(outcome::jsonb -> 'playbook_steps') = 'array' AND jsonb_array_length(outcome::jsonb -> 'playbook_steps') > 0, false)")
	}
	return []string{
		"1", b("seq = 1"), b("result = 'human'"), b("result = 'machine'"), b("result = 'no_answer'"), b("result = 'busy'"),
		b("result = 'failed'"), b("result = 'abandoned'"), b("result = 'cancelled'"),
		b("result NOT IN ('human', 'machine', 'no_answer', 'busy', 'failed', 'abandoned', 'cancelled')"),
		b("answered_by = 'human'"), b("answered_by = 'machine'"), b("abandoned OR result = 'abandoned'"), b("talk_ns > 0"),
		"talk_ns", "wrap_ns", b("currency <> '' OR cost <> 0"), "cost", b("disposition_id <> ''"),
		flag("meeting_booked"), flag("meeting_accepted"), flag("qualified_lead"), flag("opportunity"), revenue, playbook,
	}
}

// recomputeSums is the SELECT list that aggregates attempts rows into
// report.Counts directly, without the rollups.
func (s *Store) recomputeSums() string {
	var b strings.Builder
	for i, e := range s.countExprs() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("COALESCE(SUM(" + e + "), 0)")
	}
	return b.String()
}

// AttemptCounts implements report.Store. Without bounds it sums the
// rollups; with bounds it aggregates the attempt log directly through the
// (workspace_id, campaign_id, started_at) index (reports ask it only for
// the partial buckets at a window's edges).
func (s *Store) AttemptCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) (report.Counts, error) {
	var c report.Counts
	if from.IsZero() && to.IsZero() {
		err := s.r.QueryRowContext(ctx, s.q(`SELECT `+sumCols+` FROM report_buckets WHERE workspace_id = ? AND campaign_id = ?`), ws, id).
			Scan(countDest(&c)...)
		if err != nil {
			return c, s.fail("attempt counts", err)
		}
		return c, nil
	}
	return s.RecomputeCounts(ctx, ws, id, from, to)
}

// RecomputeCounts aggregates the campaign's attempts with StartedAt in
// [from, to) straight from the attempt log, ignoring the rollups: the
// reference the rollup tests compare with, and the bare SQL aggregate the
// report benchmark sets beside the report.
func (s *Store) RecomputeCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) (report.Counts, error) {
	var c report.Counts
	where, args := rangeWhere("started_at", from, to, []any{ws, id})
	err := s.r.QueryRowContext(ctx, s.q(`SELECT `+s.recomputeSums()+` FROM attempts WHERE workspace_id = ? AND campaign_id = ?`+where), args...).
		Scan(countDest(&c)...)
	if err != nil {
		return c, s.fail("recompute counts", err)
	}
	return c, nil
}

// RecomputeBuckets aggregates the campaign's attempts per 15-minute bucket
// straight from the attempt log, ignoring the rollups.
func (s *Store) RecomputeBuckets(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]report.Bucket, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT started_at - (started_at % 900000000000) AS b, `+s.recomputeSums()+`
FROM attempts WHERE workspace_id = ? AND campaign_id = ? GROUP BY started_at - (started_at % 900000000000) ORDER BY b`), ws, id)
	if err != nil {
		return nil, s.fail("recompute buckets", err)
	}
	return s.scanBuckets(rows, "recompute buckets")
}

func (s *Store) scanBuckets(rows *sql.Rows, op string) ([]report.Bucket, error) {
	defer rows.Close()
	var out []report.Bucket
	for rows.Next() {
		var b report.Bucket
		var start int64
		if err := rows.Scan(append([]any{&start}, countDest(&b.Counts)...)...); err != nil {
			return nil, s.fail(op, err)
		}
		b.Start = time.Unix(0, start).UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// GoalCounts implements report.Store.
func (s *Store) GoalCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]report.GoalCount, error) {
	var rows []struct {
		Goal   string `db:"goal_id"`
		Status string `db:"status"`
		N      int64  `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT goal_id, status, SUM(n) AS n FROM report_goals
WHERE workspace_id = ? AND campaign_id = ? GROUP BY goal_id, status ORDER BY goal_id, status`), ws, id); err != nil {
		return nil, s.fail("goal counts", err)
	}
	var out []report.GoalCount
	for _, r := range rows {
		out = append(out, report.GoalCount{GoalID: campaign.GoalID(r.Goal), Status: r.Status, Count: r.N})
	}
	return out, nil
}

// AnswerCounts implements report.Store.
func (s *Store) AnswerCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]report.AnswerCount, error) {
	var rows []struct {
		Analysis string `db:"analysis_id"`
		Answer   string `db:"answer"`
		N        int64  `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT analysis_id, answer, SUM(n) AS n FROM report_answers
WHERE workspace_id = ? AND campaign_id = ? GROUP BY analysis_id, answer ORDER BY analysis_id, answer`), ws, id); err != nil {
		return nil, s.fail("answer counts", err)
	}
	var out []report.AnswerCount
	for _, r := range rows {
		out = append(out, report.AnswerCount{AnalysisID: campaign.AnalysisID(r.Analysis), Answer: r.Answer, Count: r.N})
	}
	return out, nil
}

// completedIn is report.CompletedStatus as SQL.
const completedIn = `('completed', 'failed', 'no_conversation', 'dnc')`

// ContactCounts implements report.Store.
func (s *Store) ContactCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) (report.ContactCounts, error) {
	cc := report.ContactCounts{ByStatus: map[campaign.ContactStatus]int64{}}
	var rows []struct {
		Status string `db:"status"`
		N      int64  `db:"n"`
		Due    int64  `db:"due"`
		InCall int64  `db:"in_call"`
	}
	if err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT status, COUNT(*) AS n,
SUM(CASE WHEN status IN ('pending', 'retry', 'callback') AND next_attempt_at <= ? THEN 1 ELSE 0 END) AS due,
SUM(CASE WHEN status = 'dialing' AND dial_attempt <> '' THEN 1 ELSE 0 END) AS in_call
FROM contacts WHERE workspace_id = ? AND campaign_id = ? GROUP BY status`), now.UnixNano(), ws, id); err != nil {
		return cc, s.fail("contact counts", err)
	}
	for _, r := range rows {
		cc.ByStatus[campaign.ContactStatus(r.Status)] = r.N
		cc.Due += r.Due
		cc.InCall += r.InCall
	}
	// report_contacts mirrors each called contact's status and latest
	// attempt; grouping it by disposition first leaves a handful of rows
	// to join.
	err := s.r.QueryRowContext(ctx, s.q(`SELECT
COALESCE(SUM(CASE WHEN d.contacted OR d.qualified THEN g.n ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN d.contacted OR d.qualified THEN 0 WHEN g.machine THEN g.n ELSE 0 END), 0)
FROM (SELECT last_disp, (last_answered = 'machine' OR last_result = 'machine') AS machine, COUNT(*) AS n
  FROM report_contacts WHERE workspace_id = ? AND campaign_id = ? AND status IN `+completedIn+`
  GROUP BY last_disp, (last_answered = 'machine' OR last_result = 'machine')) g
LEFT JOIN dispositions d ON d.workspace_id = ? AND d.id = g.last_disp`), ws, id, ws).
		Scan(&cc.Successful, &cc.Voicemail)
	if err != nil {
		return cc, s.fail("contact counts", err)
	}
	return cc, nil
}

// BlockCounts implements report.Store.
func (s *Store) BlockCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]report.BlockCount, error) {
	var rows []struct {
		Scope    string `db:"scope"`
		Reason   string `db:"reason"`
		Blocks   int64  `db:"blocks"`
		Contacts int64  `db:"contacts"`
	}
	if err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT scope, reason, COUNT(*) AS blocks,
COUNT(DISTINCT CASE WHEN contact_id <> '' THEN contact_id END) AS contacts
FROM blocks WHERE workspace_id = ? AND campaign_id = ? GROUP BY scope, reason ORDER BY scope, reason`), ws, id); err != nil {
		return nil, s.fail("block counts", err)
	}
	var out []report.BlockCount
	for _, r := range rows {
		out = append(out, report.BlockCount{Scope: campaign.BlockScope(r.Scope), Reason: r.Reason, Blocks: r.Blocks, Contacts: r.Contacts})
	}
	return out, nil
}

// scanPage is how many rows a scan reads per query.
const scanPage = 1000

// ScanAttempts implements report.Store: pages of scanPage attempts by
// (started_at, id) keyset, so no query stays open while fn runs.
func (s *Store) ScanAttempts(ctx context.Context, ws campaign.WorkspaceID, f report.AttemptFilter, fn func(campaign.Attempt) error) error {
	base := `SELECT ` + attemptColumns + ` FROM attempts WHERE workspace_id = ?`
	args := []any{ws}
	if f.CampaignID != "" {
		base += ` AND campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	if f.ContactID != "" {
		base += ` AND contact_id = ?`
		args = append(args, f.ContactID)
	}
	where, args := rangeWhere("started_at", f.From, f.To, args)
	base += where
	var (
		afterAt int64
		afterID string
		first   = true
		rows    []attemptRow
	)
	for {
		q, a := base, args
		if !first {
			q += ` AND (started_at > ? OR (started_at = ? AND id > ?))`
			a = append(append([]any{}, args...), afterAt, afterAt, afterID)
		}
		rows = rows[:0]
		if err := s.r.SelectContext(ctx, &rows, s.q(q+` ORDER BY started_at, id LIMIT `+itoa(scanPage)), a...); err != nil {
			return s.fail("scan attempts", err)
		}
		for _, r := range rows {
			at, err := r.attempt()
			if err != nil {
				return s.fail("scan attempts", err)
			}
			if err := fn(at); err != nil {
				return err
			}
		}
		if len(rows) < scanPage {
			return nil
		}
		first, afterAt, afterID = false, rows[len(rows)-1].StartedAt, rows[len(rows)-1].ID
	}
}

type contactReportRow struct {
	contactRow
	RAttempts int64          `db:"r_attempts"`
	RTalk     int64          `db:"r_talk"`
	RCost     int64          `db:"r_cost"`
	RMeetings int64          `db:"r_meetings"`
	RRevenue  int64          `db:"r_revenue"`
	RStarted  int64          `db:"r_started"`
	RResult   sql.NullString `db:"r_result"`
	RDisp     sql.NullString `db:"r_disp"`
}

// ScanContactRows implements report.Store: pages of scanPage contacts by
// ID, each with its report_contacts totals.
func (s *Store) ScanContactRows(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, fn func(report.ContactRow) error) error {
	after := ""
	var rows []contactReportRow
	for {
		rows = rows[:0]
		err := s.r.SelectContext(ctx, &rows, s.q(`SELECT p.*, COALESCE(rc.attempts, 0) AS r_attempts, COALESCE(rc.talk_ns, 0) AS r_talk,
COALESCE(rc.cost, 0) AS r_cost, COALESCE(rc.meetings, 0) AS r_meetings, COALESCE(rc.revenue, 0) AS r_revenue,
COALESCE(rc.last_started, 0) AS r_started, rc.last_result AS r_result, rc.last_disp AS r_disp
FROM (SELECT `+contactColumns+` FROM contacts WHERE workspace_id = ? AND campaign_id = ? AND id > ? ORDER BY id LIMIT `+itoa(scanPage)+`) p
LEFT JOIN report_contacts rc ON rc.workspace_id = p.workspace_id AND rc.contact_id = p.id AND rc.campaign_id = p.campaign_id
ORDER BY p.id`), ws, id, after)
		if err != nil {
			return s.fail("scan contacts", err)
		}
		for _, r := range rows {
			c, err := r.contact()
			if err != nil {
				return s.fail("scan contacts", err)
			}
			row := report.ContactRow{Contact: c, Attempts: r.RAttempts, Talk: time.Duration(r.RTalk), Cost: campaign.Money(r.RCost),
				Meetings: r.RMeetings, Revenue: campaign.Money(r.RRevenue), LastAttemptAt: fromNanos(r.RStarted),
				LastResult: campaign.Result(r.RResult.String), LastDispositionID: campaign.DispositionID(r.RDisp.String)}
			if err := fn(row); err != nil {
				return err
			}
		}
		if len(rows) < scanPage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// SeedAttempts appends attempts to the log as history, without the queue's
// consequences (contact states are left as they are), in one transaction
// with batched inserts: for tests, examples, benchmarks and loading a past
// log. The rollup trigger sees every row.
func (s *Store) SeedAttempts(ctx context.Context, as []campaign.Attempt) error {
	if len(as) == 0 {
		return nil
	}
	ws := as[0].WorkspaceID
	for _, a := range as {
		if err := checkWorkspace(ws, a.WorkspaceID, "attempt"); err != nil {
			return s.fail("seed attempts", err)
		}
	}
	return s.inTx(ctx, "seed attempts", func(tx *sqlx.Tx) error {
		var e enc
		return s.insertBatched(ctx, tx, `INSERT INTO attempts (`+attemptColumns+`) VALUES `, attemptColumnCount, len(as),
			func(args []any, i int) []any { return append(args, attemptValues(&e, as[i])...) }, &e)
	})
}

// AnalyzeReport vacuums the tables reports read and refreshes their
// planner statistics, as autovacuum does after a while; call it after a
// bulk load (such as SeedAttempts of a past log) on Postgres, where the
// rollup upserts leave dead row versions behind. On SQLite it does nothing.
func (s *Store) AnalyzeReport(ctx context.Context) error {
	if s.d.Name != "postgres" {
		return nil
	}
	if _, err := s.w.ExecContext(ctx, `VACUUM (ANALYZE) attempts, contacts, report_buckets, report_contacts, report_goals, report_answers, blocks`); err != nil {
		return s.fail("analyze report", err)
	}
	return nil
}
