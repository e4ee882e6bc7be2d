package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/store/storetest"
	"github.com/callstackhq/callstack/suppression"
)

// TestClaimRetriesDeadlock provokes a real deadlock (40P01) against a
// claim and shows the store re-runs it instead of failing. Claims never
// wait on each other (they skip numbers another claim is leasing), so the
// other side is a writer outside that protocol: a transaction that leases
// contact b1 (number P) by hand, without the number's advisory lock, and
// keeps it uncommitted. A claim of contact a1 (same number, another
// campaign) then waits on that transaction's entry in contacts_live_phone
// while holding a1's row lock; the writer then asks for a1's row: a
// cycle. Postgres aborts the claim, the first waiter, after
// deadlock_timeout; the store retries it, and the claim returns without
// an error.
func TestClaimRetriesDeadlock(t *testing.T) {
	dsn := postgrestest.Schema(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(4), postgres.WithVirtualTime())
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.Migrate(ctx))
	clock := storetest.NewClock(time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC))
	csvc, err := campaign.NewService(campaign.Config{Store: s, Clock: clock.Now})
	require.NoError(t, err)
	ws, err := csvc.CreateWorkspace(ctx, campaign.Member{UserID: "admin"}, campaign.Workspace{Name: "deadlock"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "admin"}
	sup, err := suppression.NewService(suppression.Config{Store: s, Authorizer: csvc, Clock: clock.Now})
	require.NoError(t, err)
	q, err := queue.NewService(queue.Config{Store: s, Campaigns: s, Suppression: sup, Clock: clock.Now})
	require.NoError(t, err)
	var cs []campaign.Campaign
	for _, name := range []string{"a", "b"} {
		c, err := csvc.CreateCampaign(ctx, admin, campaign.Campaign{Name: name})
		require.NoError(t, err)
		for _, st := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
			c, err = csvc.Transition(ctx, admin, c.ID, st, "")
			require.NoError(t, err)
		}
		_, err = csvc.AddContacts(ctx, admin, []campaign.Contact{{ID: campaign.ContactID(name + "1"), CampaignID: c.ID,
			Phone: "+13125550100", Timezones: []string{"America/Chicago"}}})
		require.NoError(t, err)
		_, err = q.Refresh(ctx, ws.ID, c.ID)
		require.NoError(t, err)
		cs = append(cs, c)
	}

	db := sqlx.MustConnect("postgres", dsn)
	t.Cleanup(func() { db.Close() })
	intruder, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer intruder.Rollback()
	_, err = intruder.Exec(`UPDATE contacts SET status = 'dialing', lease_token = 'intruder', lease_expires = 1 WHERE workspace_id = $1 AND id = 'b1'`, ws.ID)
	require.NoError(t, err)
	var xid string
	require.NoError(t, intruder.Get(&xid, `SELECT pg_current_xact_id()::xid::text`))

	type result struct {
		ls  []queue.Lease
		err error
	}
	done := make(chan result, 1)
	query := queue.ClaimQuery{Limit: 1, TTL: time.Minute, Token: "claim", LaneOrder: cs[0].Settings.WithDefaults(cs[0].DefaultRegion).LaneOrder}
	go func() {
		ls, err := s.Claim(ctx, ws.ID, cs[0].ID, query, clock.Now())
		done <- result{ls, err}
	}()
	// Wait until the claim waits on the intruder's transaction.
	require.Eventually(t, func() bool {
		var waiting int
		require.NoError(t, db.Get(&waiting, `SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND transactionid::text = $1 AND NOT granted`, xid))
		return waiting > 0
	}, 10*time.Second, 5*time.Millisecond, "the claim never waited on the intruder")
	// Close the cycle: the intruder waits for a1, which the claim holds.
	_, err = intruder.Exec(`SELECT 1 FROM contacts WHERE workspace_id = $1 AND id = 'a1' FOR UPDATE`, ws.ID)
	require.NoError(t, err, "the intruder should have won the deadlock")
	require.NoError(t, intruder.Rollback())

	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the claim did not return")
	}
	require.NoError(t, r.err)
	require.GreaterOrEqual(t, s.TransientRetries(), int64(1))
	// The retry ran when the intruder either still held a1 (skipped) or
	// had rolled back (leased): either way a1 is leased once, now.
	if len(r.ls) == 0 {
		r.ls, err = s.Claim(ctx, ws.ID, cs[0].ID, query, clock.Now())
		require.NoError(t, err)
	}
	require.Len(t, r.ls, 1)
	require.Equal(t, campaign.ContactID("a1"), r.ls[0].ContactID)
}
