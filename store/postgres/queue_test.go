package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
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

// TestQueueTwoPools: two Stores with separate connection pools on one
// schema stand for two dialer processes; 8 goroutines (4 on each) claim
// and finish every contact with the database's clock judging leases. No
// contact is leased twice, none is lost.
func TestQueueTwoPools(t *testing.T) {
	dsn := postgrestest.Schema(t)
	ctx := context.Background()
	var stores [2]*postgres.Store
	for i := range stores {
		s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(4))
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

// TestQueueClaimBenchmark measures claims for BENCHMARKS.md; it runs only
// when CALLSTACK_QUEUE_BENCH is set (to the number of contacts, default
// 1,000,000):
//
//	CALLSTACK_QUEUE_BENCH=1000000 go test -run TestQueueClaimBenchmark -v -timeout 60m ./store/postgres
//
// CALLSTACK_QUEUE_BENCH_LEASES=100000 stops each loop after that many
// leases, measuring a deep queue without draining it.
//
// It first runs a bare claim loop on the same table and batch (one
// UPDATE … WHERE id IN (SELECT … ORDER BY … LIMIT 10 FOR UPDATE SKIP
// LOCKED) per claim, no eligibility), resets the contacts, then the queue.
func TestQueueClaimBenchmark(t *testing.T) {
	env := os.Getenv("CALLSTACK_QUEUE_BENCH")
	if env == "" {
		t.Skip("set CALLSTACK_QUEUE_BENCH=1000000 to run the claim benchmark")
	}
	n, err := strconv.Atoi(env)
	if err != nil || n <= 0 {
		n = 1_000_000
	}
	dsn := postgrestest.Schema(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(16))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	began := time.Now()
	db := sqlx.MustConnect("postgres", dsn)
	defer db.Close()
	db.SetMaxOpenConns(16)
	b := storetest.NewClaimBench(t, s, n, func(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, n int) error {
		var cols []string
		if err := db.SelectContext(ctx, &cols, `SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'contacts' ORDER BY ordinal_position`); err != nil {
			return err
		}
		ins, sel := storetest.CloneColumns(cols, map[string]string{
			"id":         `'b' || lpad(g.x::text, 8, '0')`,
			"phone":      `'+1' || (201 + (g.x % $3) % 700)::text || lpad((g.x % 10000000)::text, 7, '0')`,
			"created_at": `t.created_at + g.x`,
		})
		_, err := db.ExecContext(ctx, `INSERT INTO contacts (`+ins+`) SELECT `+sel+`
FROM generate_series($3::bigint, $4::bigint - 1) AS g(x)
JOIN contacts t ON t.workspace_id = $1 AND t.campaign_id = $2 AND t.id = 'b' || lpad((g.x % $3)::text, 8, '0')`, ws, id, from, n)
		return err
	})
	t.Logf("setup: %d contacts inserted and refreshed in %s", n, time.Since(began).Round(time.Second))
	_, err = db.Exec(`ANALYZE contacts`)
	require.NoError(t, err)
	const claimers, batch = 8, 10
	limit, want := storetest.ClaimLeases(n)
	bare := storetest.RunClaimLoop(t, "bare UPDATE … FOR UPDATE SKIP LOCKED", claimers, batch, limit, func(ctx context.Context) ([]string, error) {
		var ids []string
		err := db.SelectContext(ctx, &ids, `WITH picked AS MATERIALIZED (SELECT id FROM contacts
  WHERE workspace_id = $1 AND campaign_id = $2 AND q_rank < 9
  ORDER BY q_rank, list_priority DESC, priority DESC, created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
UPDATE contacts SET status = 'dialing', q_rank = 9 WHERE workspace_id = $1 AND id IN (SELECT id FROM picked) RETURNING id`,
			b.Workspace, b.Campaign, batch)
		return ids, err
	})
	require.GreaterOrEqual(t, bare.Leased, want)
	t.Log(bare)
	_, err = db.Exec(`UPDATE contacts SET status = 'pending', q_rank = 4 WHERE workspace_id = $1 AND campaign_id = $2`, b.Workspace, b.Campaign)
	require.NoError(t, err)
	_, err = db.Exec(`VACUUM ANALYZE contacts`)
	require.NoError(t, err)
	res := b.RunQueue(t, claimers, batch, limit)
	require.GreaterOrEqual(t, res.Leased, want)
	t.Log(res)
	t.Logf("queue/bare rate: %.2f", res.PerSecond()/bare.PerSecond())
}
