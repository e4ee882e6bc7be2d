package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/store/sqlite"
	"github.com/callstackhq/callstack/store/storetest"
)

// TestSuppressionBenchmark measures the suppression targets: a registry
// load of 10,000,000 numbers through suppression.Service.LoadRegistry in
// under 60 s, and a check of 1,000,000 numbers (half of them on the list)
// through suppression.Service.Check in under 5 s, on SQLite and on the
// memory store. It runs only with CALLSTACK_BENCH_SUPPRESSION=1;
// CALLSTACK_BENCH_SUPPRESSION_LOAD and _CHECK change the sizes and
// CALLSTACK_BENCH_SUPPRESSION_MEMORY=0 skips the memory store:
//
//	CALLSTACK_BENCH_SUPPRESSION=1 go test ./store/sqlite/ -run TestSuppressionBenchmark -v -timeout 30m
//
// (The same harness runs on Postgres in store/postgres.)
func TestSuppressionBenchmark(t *testing.T) {
	if os.Getenv("CALLSTACK_BENCH_SUPPRESSION") != "1" {
		t.Skip("set CALLSTACK_BENCH_SUPPRESSION=1 to run the suppression benchmark")
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bench.db")
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		storetest.SuppressionBenchmark(t, s, nil)
		size := int64(0)
		for _, f := range []string{path, path + "-wal"} {
			if fi, err := os.Stat(f); err == nil {
				size += fi.Size()
			}
		}
		t.Logf("sqlite: database file and WAL: %.0f MB", float64(size)/1e6)
	})
	if os.Getenv("CALLSTACK_BENCH_SUPPRESSION_MEMORY") != "0" {
		t.Run("memory", func(t *testing.T) { storetest.SuppressionBenchmark(t, memory.New(), nil) })
	}
}

// benchEnv returns the integer in environment variable name, or def.
