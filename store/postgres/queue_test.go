package postgres_test

import (
	"context"
	"fmt"
	"sync"
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

// TestClockSkewRefused: with the database's clock judging (the default),
// a host whose clock is hours off leases nothing and says so, rather than
// judge calling windows and due times by its clock; opened for virtual
// time, the same now judges eligibility.
func TestClockSkewRefused(t *testing.T) {
	ctx := context.Background()
	dsn := postgrestest.Schema(t)
	s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(2))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.Migrate(ctx))
	q := queue.ClaimQuery{Limit: 1, TTL: time.Minute, Token: "t"}
	for _, off := range []time.Duration{-2 * time.Hour, 3 * time.Hour} {
		_, err = s.Claim(ctx, "ws", "cmp", q, time.Now().Add(off))
		require.ErrorIs(t, err, queue.ErrClockSkew, "a host %s off", off)
		_, err = s.Refill(ctx, "ws", "cmp", queue.Refill{Target: 10}, time.Now().Add(off))
		require.ErrorIs(t, err, queue.ErrClockSkew, "a host %s off", off)
	}
	ls, err := s.Claim(ctx, "ws", "cmp", q, time.Now().Add(10*time.Minute))
	require.NoError(t, err, "a host minutes off is judged by the database's clock")
	require.Empty(t, ls)

	v, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(2), postgres.WithVirtualTime())
	require.NoError(t, err)
	t.Cleanup(func() { v.Close() })
	_, err = v.Claim(ctx, "ws", "cmp", q, time.Now().Add(-2*time.Hour))
	require.NoError(t, err, "opened for virtual time, a far now judges eligibility")
}

// TestQueueTwoPools: two Stores with separate connection pools on one
// schema stand for two dialer processes; 8 goroutines (4 on each) claim
// and finish every contact with the database's clock judging leases. No
// contact is leased twice, none is lost.
func TestQueueTwoPools(t *testing.T) {
	dsn := postgrestest.Schema(t)
	ctx := context.Background()
	var stores [2]*postgres.Store
	for i := range stores {
		s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(4), postgres.WithVirtualTime())
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		require.NoError(t, s.Migrate(ctx))
		stores[i] = s
	}
	n := 20_000
	if testing.Short() {
		n = 4_000
	}
	clock := storetest.NewClock(time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC))
	csvc, err := campaign.NewService(campaign.Config{Store: stores[0], Clock: clock.Now})
	require.NoError(t, err)
	ws, err := csvc.CreateWorkspace(ctx, campaign.Member{UserID: "admin"}, campaign.Workspace{Name: "two pools"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "admin"}
	c, err := csvc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "c"})
	require.NoError(t, err)
	for _, st := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, err = csvc.Transition(ctx, admin, c.ID, st, "")
		require.NoError(t, err)
	}
	cs := make([]campaign.Contact, n)
	for i := range cs {
		cs[i] = campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("p%06d", i)), CampaignID: c.ID, Phone: fmt.Sprintf("+1312%07d", i), Timezones: []string{"America/Chicago"}}
	}
	_, err = csvc.AddContacts(ctx, admin, cs)
	require.NoError(t, err)
	var svcs [2]*queue.Service
	for i, s := range stores {
		sup, err := suppression.NewService(suppression.Config{Store: s, Authorizer: csvc, Clock: clock.Now})
		require.NoError(t, err)
		// Database clock (the default): the virtual clock only drives
		// eligibility; leases last an hour of real time.
		svcs[i], err = queue.NewService(queue.Config{Store: s, Campaigns: s, Suppression: sup, Clock: clock.Now})
		require.NoError(t, err)
	}
	var (
		mu      sync.Mutex
		holding = map[campaign.ContactID]bool{}
		claimed = map[campaign.ContactID]int{}
		wg      sync.WaitGroup
		errs    = make([]error, 8)
	)
	for w := range 8 {
		q := svcs[w%2]
		wg.Go(func() {
			for empty := 0; empty < 3; {
				ls, err := q.Claim(ctx, ws.ID, c.ID, 20, time.Hour)
				if err != nil {
					errs[w] = err
					return
				}
				if len(ls) == 0 {
					empty++
					continue
				}
				empty = 0
				mu.Lock()
				for _, l := range ls {
					if holding[l.ContactID] {
						errs[w] = fmt.Errorf("contact %s leased twice", l.ContactID)
					}
					holding[l.ContactID] = true
					claimed[l.ContactID]++
				}
				mu.Unlock()
				for _, l := range ls {
					mu.Lock()
					delete(holding, l.ContactID)
					mu.Unlock()
					if err := q.Finish(ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer}}); err != nil {
						errs[w] = err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, claimed, n)
	for id, k := range claimed {
		require.Equal(t, 1, k, "contact %s", id)
	}
	var counts []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	db := sqlx.MustConnect("postgres", dsn)
	defer db.Close()
	require.NoError(t, db.Select(&counts, `SELECT status, count(*) AS n FROM contacts GROUP BY status`))
	require.Len(t, counts, 1, "%v", counts)
	require.Equal(t, "retry", counts[0].Status)
	var attempts int
	require.NoError(t, db.Get(&attempts, `SELECT count(*) FROM attempts`))
	require.Equal(t, n, attempts)
}
