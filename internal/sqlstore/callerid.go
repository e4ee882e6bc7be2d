package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// Compile-time check: the Store keeps caller-ID state.
var _ campaign.CallerIDStore = (*Store)(nil)

const callerIDColumns = `workspace_id, number, disabled, spam_score, day, calls_today, calls_total, updated_at`

type callerIDRow struct {
	WorkspaceID string  `db:"workspace_id"`
	Number      string  `db:"number"`
	Disabled    int64   `db:"disabled"`
	SpamScore   float64 `db:"spam_score"`
	Day         string  `db:"day"`
	CallsToday  int64   `db:"calls_today"`
	CallsTotal  int64   `db:"calls_total"`
	UpdatedAt   int64   `db:"updated_at"`
}

func (r callerIDRow) state() campaign.CallerIDState {
	return campaign.CallerIDState{WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), Number: r.Number, Disabled: r.Disabled != 0,
		SpamScore: r.SpamScore, Day: r.Day, CallsToday: int(r.CallsToday), CallsTotal: r.CallsTotal, UpdatedAt: fromNanos(r.UpdatedAt)}
}

// CallerIDStates implements campaign.CallerIDStore. A workspace has few
// numbers: they are all read and filtered here.
func (s *Store) CallerIDStates(ctx context.Context, ws campaign.WorkspaceID, numbers []string) ([]campaign.CallerIDState, error) {
	var rows []callerIDRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+callerIDColumns+` FROM caller_ids WHERE workspace_id = ? ORDER BY number`), ws); err != nil {
		return nil, s.fail("caller ID states", err)
	}
	var out []campaign.CallerIDState
	for _, r := range rows {
		if numbers == nil || slices.Contains(numbers, r.Number) {
			out = append(out, r.state())
		}
	}
	return out, nil
}

// RecordCallerIDUse implements campaign.CallerIDStore with one upsert
// whose WHERE clause checks the daily cap, so concurrent uses serialise
// on the row and none is lost or exceeds the cap.
func (s *Store) RecordCallerIDUse(ctx context.Context, ws campaign.WorkspaceID, use campaign.CallerIDUse) (campaign.CallerIDState, error) {
	const op = "record caller ID use"
	if err := campaign.ValidCallerIDUse(use); err != nil {
		return campaign.CallerIDState{}, s.fail(op, err)
	}
	at := use.At.UnixNano()
	capCheck := `TRUE`
	args := []any{ws, use.Number, use.Day, at}
	if use.DailyCap > 0 {
		capCheck = `(caller_ids.day < excluded.day OR caller_ids.calls_today < ?)`
		args = append(args, use.DailyCap)
	}
	var rows []callerIDRow
	err := s.w.SelectContext(ctx, &rows, s.q(`INSERT INTO caller_ids (`+callerIDColumns+`)
VALUES (?, ?, 0, 0, ?, 1, 1, ?)
ON CONFLICT (workspace_id, number) DO UPDATE SET
calls_today = CASE WHEN caller_ids.day < excluded.day THEN 1 ELSE caller_ids.calls_today + 1 END,
day = CASE WHEN caller_ids.day < excluded.day THEN excluded.day ELSE caller_ids.day END,
calls_total = caller_ids.calls_total + 1, updated_at = excluded.updated_at
WHERE `+capCheck+`
RETURNING `+callerIDColumns), args...)
	if err != nil {
		return campaign.CallerIDState{}, s.fail(op, err)
	}
	if len(rows) > 0 {
		return rows[0].state(), nil
	}
	// At the cap: report the state that refused the use.
	if err := s.w.SelectContext(ctx, &rows, s.q(`SELECT `+callerIDColumns+` FROM caller_ids WHERE workspace_id = ? AND number = ?`), ws, use.Number); err != nil {
		return campaign.CallerIDState{}, s.fail(op, err)
	}
	var st campaign.CallerIDState
	if len(rows) > 0 {
		st = rows[0].state()
	}
	return st, fmt.Errorf("sqlstore: %s: %w: %s has %d calls on %s", op, campaign.ErrCallerIDCapped, use.Number, st.CallsToday, st.Day)
}

// UpdateCallerID implements campaign.CallerIDStore.
func (s *Store) UpdateCallerID(ctx context.Context, ws campaign.WorkspaceID, number string, u campaign.CallerIDUpdate, now time.Time) (campaign.CallerIDState, error) {
	const op = "update caller ID"
	if err := campaign.ValidCallerIDUpdate(number, u); err != nil {
		return campaign.CallerIDState{}, s.fail(op, err)
	}
	var disabled, score any // NULL keeps the stored value
	if u.Disabled != nil {
		d := 0
		if *u.Disabled {
			d = 1
		}
		disabled = d
	}
	if u.SpamScore != nil {
		score = *u.SpamScore
	}
	var rows []callerIDRow
	err := s.w.SelectContext(ctx, &rows, s.q(`INSERT INTO caller_ids (`+callerIDColumns+`)
VALUES (?, ?, COALESCE(CAST(? AS BIGINT), 0), COALESCE(CAST(? AS DOUBLE PRECISION), 0), '', 0, 0, ?)
ON CONFLICT (workspace_id, number) DO UPDATE SET
disabled = COALESCE(CAST(? AS BIGINT), caller_ids.disabled),
spam_score = COALESCE(CAST(? AS DOUBLE PRECISION), caller_ids.spam_score),
updated_at = excluded.updated_at
RETURNING `+callerIDColumns), ws, number, disabled, score, now.UnixNano(), disabled, score)
	if err != nil {
		return campaign.CallerIDState{}, s.fail(op, err)
	}
	if len(rows) == 0 {
		return campaign.CallerIDState{}, s.fail(op, fmt.Errorf("caller ID %s: no row returned", number))
	}
	return rows[0].state(), nil
}
