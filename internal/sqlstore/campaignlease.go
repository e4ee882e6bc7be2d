package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// Compile-time check: the Store grants campaign leases to the dialer.
var _ campaign.Leaser = (*Store)(nil)

// AcquireCampaignLease implements campaign.Leaser with one upsert:
// insert the campaign's lease row, or take the existing row over when it
// is holder's (a renewal) or has expired. Expiry is judged like the
// queue's leases (see SetLeaseClock): by the database's clock_timestamp()
// on Postgres in queue.StoreClock mode, else by now. A campaign the
// workspace does not have fails the foreign key: campaign.ErrNotFound.
func (s *Store) AcquireCampaignLease(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, holder string, ttl time.Duration, now time.Time) (bool, time.Time, error) {
	const op = "acquire campaign lease"
	if holder == "" || ttl <= 0 {
		return false, time.Time{}, s.fail(op, fmt.Errorf("%w: a holder and a positive TTL are required", campaign.ErrInvalid))
	}
	nowExpr, nowArgs := s.leaseNow(now)
	args := []any{ws, id, holder}
	args = append(args, nowArgs...)
	args = append(args, ttl.Nanoseconds())
	args = append(args, nowArgs...)
	// The update reads the clock again: on Postgres the VALUES row is
	// computed before the statement waits for a concurrent renewal's row
	// lock, and a lease granted after that wait must run its TTL from the
	// grant, not from before it (else it would appear to start while the
	// previous holder's lease still ran).
	args = append(args, nowArgs...)
	args = append(args, ttl.Nanoseconds())
	args = append(args, nowArgs...)
	args = append(args, nowArgs...)
	var exp []int64
	err := s.w.SelectContext(ctx, &exp, s.q(`INSERT INTO campaign_leases (workspace_id, campaign_id, holder, expires_at, acquired_at)
VALUES (?, ?, ?, `+nowExpr+` + CAST(? AS BIGINT), `+nowExpr+`)
ON CONFLICT (workspace_id, campaign_id) DO UPDATE SET holder = excluded.holder, expires_at = `+nowExpr+` + CAST(? AS BIGINT),
acquired_at = CASE WHEN campaign_leases.holder = excluded.holder THEN campaign_leases.acquired_at ELSE `+nowExpr+` END
WHERE campaign_leases.holder = excluded.holder OR campaign_leases.expires_at <= `+nowExpr+`
RETURNING expires_at`), args...)
	if err != nil {
		return false, time.Time{}, s.fail(op, err)
	}
	if len(exp) > 0 {
		return true, fromNanos(exp[0]), nil
	}
	// Held by another: report until when (the row may be gone already).
	var other []int64
	if err := s.w.SelectContext(ctx, &other, s.q(`SELECT expires_at FROM campaign_leases WHERE workspace_id = ? AND campaign_id = ?`), ws, id); err != nil {
		return false, time.Time{}, s.fail(op, err)
	}
	if len(other) == 0 {
		return false, time.Time{}, nil
	}
	return false, fromNanos(other[0]), nil
}

// ReleaseCampaignLease implements campaign.Leaser: it deletes the
// lease row while holder holds it.
func (s *Store) ReleaseCampaignLease(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, holder string) error {
	if _, err := s.w.ExecContext(ctx, s.q(`DELETE FROM campaign_leases WHERE workspace_id = ? AND campaign_id = ? AND holder = ?`), ws, id, holder); err != nil {
		return s.fail("release campaign lease", err)
	}
	return nil
}
