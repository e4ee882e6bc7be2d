package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
)

// TestFeedWriteCost measures what the change feed adds to a write on
// Postgres: 8 writers commit transactions of one block each, as
// RecordBlocks does, (a) with no feed row (the baseline), (b) with the
// feed row the store writes (txid from the column default), and (c) with
// the alternative we did not choose, a per-workspace counter row bumped in
// the same transaction for a dense position. Rounds alternate a, b, c so
// the machine's noise falls on all three. It runs only with
// CALLSTACK_BENCH_FEED=1:
//
//	CALLSTACK_BENCH_FEED=1 go test ./store/postgres -run TestFeedWriteCost -v
func TestFeedWriteCost(t *testing.T) {
	if os.Getenv("CALLSTACK_BENCH_FEED") != "1" {
		t.Skip("set CALLSTACK_BENCH_FEED=1 to run the feed write benchmark")
	}
	ctx := context.Background()
	dsn := postgrestest.Schema(t)
	s, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	db := sqlx.MustOpen("postgres", dsn)
	defer db.Close()
	const writers, perRound, rounds = 8, 500, 3
	db.SetMaxOpenConns(writers)
	_, err = db.ExecContext(ctx, `CREATE TABLE feed_counter (workspace_id TEXT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO feed_counter VALUES ('ws', 0)`)
	require.NoError(t, err)
	var id atomic.Int64
	variants := []struct {
		name string
		tx   func(tx *sqlx.Tx) error
	}{
		{"block only (baseline)", func(tx *sqlx.Tx) error { return insertBlock(ctx, tx, id.Add(1)) }},
		{"block + feed row (txid)", func(tx *sqlx.Tx) error {
			n := id.Add(1)
			if err := insertBlock(ctx, tx, n); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO feed (workspace_id, kind, campaign_id, ref, at) VALUES ('ws', 'block', 'c', $1, 1)`, fmt.Sprint(n))
			return err
		}},
		{"block + feed row + workspace counter", func(tx *sqlx.Tx) error {
			n := id.Add(1)
			if err := insertBlock(ctx, tx, n); err != nil {
				return err
			}
			var pos int64
			if err := tx.GetContext(ctx, &pos, `UPDATE feed_counter SET n = n + 1 WHERE workspace_id = 'ws' RETURNING n`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO feed (workspace_id, txid, kind, campaign_id, ref, at) VALUES ('ws', 0, 'block', 'c', $1, 1)`, fmt.Sprint(n))
			return err
		}},
	}
	elapsed := make([]time.Duration, len(variants))
	for range rounds {
		for i, v := range variants {
			began := time.Now()
			var wg sync.WaitGroup
			errs := make([]error, writers)
			for w := range writers {
				wg.Go(func() {
					for range perRound {
						tx, err := db.BeginTxx(ctx, nil)
						if err == nil {
							if err = v.tx(tx); err == nil {
								err = tx.Commit()
							} else {
								_ = tx.Rollback()
							}
						}
						if err != nil {
							errs[w] = err
							return
						}
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			elapsed[i] += time.Since(began)
		}
	}
	n := float64(writers * perRound * rounds)
	for i, v := range variants {
		t.Logf("%-40s %7.0f commits/s  %6.2f ms/commit per writer", v.name, n/elapsed[i].Seconds(),
			float64(elapsed[i].Milliseconds())*writers/n)
	}
}

func insertBlock(ctx context.Context, tx *sqlx.Tx, n int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO blocks (workspace_id, id, campaign_id, contact_id, number, reason, scope, stage, detail, at)
VALUES ('ws', $1, 'c', 'ct', '+14155550100', 'outside_legal_hours', 'law', 'dial', '', 1)`, fmt.Sprint(n))
	return err
}
