package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/store/storetest"
)

// TestSuppressionBenchmark measures the suppression targets on Postgres:
// a registry load of 10,000,000 numbers through
// suppression.Service.LoadRegistry in under 60 s, and a check of 1,000,000
// numbers (half of them on the list) through suppression.Service.Check in
// under 5 s. It runs only with CALLSTACK_BENCH_SUPPRESSION=1, in a fresh
// schema on the server of CALLSTACK_TEST_POSTGRES;
// CALLSTACK_BENCH_SUPPRESSION_LOAD and _CHECK change the sizes:
//
//	CALLSTACK_BENCH_SUPPRESSION=1 go test ./store/postgres/ -run TestSuppressionBenchmark -v -timeout 30m
//
// (The same harness runs on SQLite and the memory store in store/sqlite.)
// The CPU time it reports is this process's only, not the server's.
func TestSuppressionBenchmark(t *testing.T) {
	if os.Getenv("CALLSTACK_BENCH_SUPPRESSION") != "1" {
		t.Skip("set CALLSTACK_BENCH_SUPPRESSION=1 to run the suppression benchmark")
	}
	dsn := postgrestest.Schema(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Right after a load, the first reads of each page set its hint bits
	// (and write it back); autovacuum does that soon after a large load,
	// and the check then reads the index only where it can.
	storetest.SuppressionBenchmark(t, s, func(t *testing.T) string {
		if _, err := db.ExecContext(ctx, `VACUUM ANALYZE suppression_numbers`); err != nil {
			t.Fatal(err)
		}
		return "VACUUM ANALYZE"
	})
	var size int64
	if err := db.GetContext(ctx, &size, `SELECT pg_total_relation_size('suppression_numbers')`); err != nil {
		t.Fatal(err)
	}
	t.Logf("postgres: suppression_numbers with its index: %.0f MB", float64(size)/1e6)
}

// benchEnv returns the integer in environment variable name, or def.
