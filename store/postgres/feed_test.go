package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
)

// TestFeedOutOfOrderCommits provokes the case a sequence-ordered feed gets
// wrong: transaction 1 writes a block (taking the lower seq), transaction 2
// starts later, writes one and commits first. A reader polling while 1 is
// open must not pass 1's row: it gets neither row until 1 ends, then both,
// 1's first, and never skips one.
func TestFeedOutOfOrderCommits(t *testing.T) {
	ctx := context.Background()
	dsn := postgrestest.Schema(t)
	s, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	svc, err := campaign.NewService(campaign.Config{Store: s})
	require.NoError(t, err)
	w, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "admin"}, campaign.Workspace{Name: "acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: w.ID, UserID: "admin"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "c"})
	require.NoError(t, err)

	db := sqlx.MustOpen("postgres", dsn)
	defer db.Close()
	// The rows the store writes for a block (queue.Store.RecordBlocks):
	// the block and its feed row, in one transaction.
	write := func(tx *sqlx.Tx, id string) int64 {
		t.Helper()
		_, err := tx.ExecContext(ctx, `INSERT INTO blocks (workspace_id, id, campaign_id, contact_id, number, reason, scope, stage, detail, at)
VALUES ($1, $2, $3, 'ct', '+14155550100', 'outside_legal_hours', 'law', 'dial', '', 1)`, w.ID, id, c.ID)
		require.NoError(t, err)
		var seq int64
		require.NoError(t, tx.GetContext(ctx, &seq, `INSERT INTO feed (workspace_id, kind, campaign_id, ref, at)
VALUES ($1, 'block', $2, $3, 1) RETURNING seq`, w.ID, c.ID, id))
		return seq
	}
	blocks := func(evs []campaign.FeedEvent) []string {
		var out []string
		for _, ev := range evs {
			if ev.Kind == campaign.FeedBlock {
				out = append(out, string(ev.Block.ID))
			}
		}
		return out
	}
	// The reader catches up first (the campaign has no status change yet,
	// but wait for any older transaction on the server to end).
	var pos campaign.FeedPosition

	tx1, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx1.Rollback() }()
	seq1 := write(tx1, "blk-1")
	tx2, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	seq2 := write(tx2, "blk-2")
	require.NoError(t, tx2.Commit())
	require.Less(t, seq1, seq2, "the open transaction holds the lower seq: a reader ordered by seq would pass it")

	// While transaction 1 is open, transaction 2's committed row is held
	// back, however often the reader polls.
	for range 5 {
		evs, err := svc.ReadFeed(ctx, admin, campaign.FeedQuery{After: pos})
		require.NoError(t, err)
		assert.Empty(t, blocks(evs), "no row past an open transaction's")
		for _, ev := range evs {
			pos = ev.Position
		}
		time.Sleep(10 * time.Millisecond)
	}
	var seen int
	require.NoError(t, db.GetContext(ctx, &seen, `SELECT count(*) FROM feed WHERE seq = $1`, seq2))
	require.Equal(t, 1, seen, "transaction 2's row is committed and visible to a plain read")

	require.NoError(t, tx1.Commit())
	var got []string
	deadline := time.Now().Add(60 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		evs, err := svc.ReadFeed(ctx, admin, campaign.FeedQuery{After: pos})
		require.NoError(t, err)
		got = append(got, blocks(evs)...)
		for _, ev := range evs {
			pos = ev.Position
		}
		time.Sleep(5 * time.Millisecond)
	}
	assert.Equal(t, []string{"blk-1", "blk-2"}, got, "both rows, in transaction order, none skipped")
}
