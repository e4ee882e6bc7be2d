package sqlite_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/sqlite"
	"github.com/callstackhq/callstack/store/storetest"
)

// TestQueueClaimBenchmark measures claims for BENCHMARKS.md; it runs only
// when CALLSTACK_QUEUE_BENCH is set (to the number of contacts, default
// 1,000,000):
//
//	CALLSTACK_QUEUE_BENCH=1000000 go test -run TestQueueClaimBenchmark -v -timeout 60m ./store/sqlite
//
// It first runs a bare claim loop on the same table and batch (one
// UPDATE … WHERE id IN (SELECT … ORDER BY … LIMIT 10) RETURNING id per
// claim through one writer connection, no eligibility), resets the
// contacts, then the queue.
func TestQueueClaimBenchmark(t *testing.T) {
	env := os.Getenv("CALLSTACK_QUEUE_BENCH")
	if env == "" {
		t.Skip("set CALLSTACK_QUEUE_BENCH=1000000 to run the claim benchmark")
	}
	n, err := strconv.Atoi(env)
	if err != nil || n <= 0 {
		n = 1_000_000
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bench.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	began := time.Now()
	db := sqlx.MustConnect("sqlite3", "file:"+path+"?"+url.Values{"_busy_timeout": {"5000"}, "_txlock": {"immediate"}}.Encode())
	defer db.Close()
	db.SetMaxOpenConns(1)
	b := storetest.NewClaimBench(t, s, n, func(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, n int) error {
		var cols []string
		if err := db.SelectContext(ctx, &cols, `SELECT name FROM pragma_table_info('contacts') ORDER BY cid`); err != nil {
			return err
		}
		ins, sel := storetest.CloneColumns(cols, map[string]string{
			"id":         `printf('b%08d', g.x)`,
			"phone":      `printf('+1%03d%07d', 201 + (g.x % ?3) % 700, g.x % 10000000)`,
			"created_at": `t.created_at + g.x`,
		})
		_, err := db.ExecContext(ctx, `WITH RECURSIVE g(x) AS (SELECT ?3 UNION ALL SELECT x + 1 FROM g WHERE x + 1 < ?4)
INSERT INTO contacts (`+ins+`) SELECT `+sel+`
FROM g JOIN contacts t ON t.workspace_id = ?1 AND t.campaign_id = ?2 AND t.id = printf('b%08d', g.x % ?3)`, ws, id, from, n)
		return err
	})
	t.Logf("setup: %d contacts inserted and refreshed in %s", n, time.Since(began).Round(time.Second))
	_, err = db.Exec(`ANALYZE`)
	require.NoError(t, err)
	const claimers, batch = 8, 10
	limit, want := storetest.ClaimLeases(n)
	bare := storetest.RunClaimLoop(t, "bare UPDATE … WHERE id IN (SELECT … LIMIT 10)", claimers, batch, limit, func(ctx context.Context) ([]string, error) {
		var ids []string
		err := db.SelectContext(ctx, &ids, `WITH picked AS MATERIALIZED (SELECT id FROM contacts
  WHERE workspace_id = ? AND campaign_id = ? AND q_rank < 9
  ORDER BY q_rank, list_priority DESC, priority DESC, created_at, id LIMIT ?)
UPDATE contacts SET status = 'dialing', q_rank = 9 WHERE workspace_id = ? AND id IN (SELECT id FROM picked) RETURNING id`,
			b.Workspace, b.Campaign, batch, b.Workspace)
		return ids, err
	})
	require.GreaterOrEqual(t, bare.Leased, want)
	t.Log(bare)
	_, err = db.Exec(`UPDATE contacts SET status = 'pending', q_rank = 4 WHERE workspace_id = ? AND campaign_id = ?`, b.Workspace, b.Campaign)
	require.NoError(t, err)
	res := b.RunQueue(t, claimers, batch, limit)
	require.GreaterOrEqual(t, res.Leased, want)
	t.Log(res)
	t.Logf("queue/bare rate: %.2f", res.PerSecond()/bare.PerSecond())
}
