package postgrestest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/store/postgres/postgrestest"
)

// recorder is a testing.TB that records how the helper ended a test.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	skipped string
	fatal   string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

// run calls postgrestest.DSN in its own goroutine, as a test would.
func run(t *testing.T) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		postgrestest.DSN(r)
	}()
	<-done
	return r
}

const unreachable = "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"

func TestUnreachableWhenSetFails(t *testing.T) {
	t.Setenv(postgrestest.EnvDSN, unreachable)
	r := run(t)
	if r.fatal == "" || r.skipped != "" {
		t.Errorf("set and unreachable: fatal %q, skipped %q; want a failure", r.fatal, r.skipped)
	}
}

func TestUnsetUsesDefault(t *testing.T) {
	t.Setenv(postgrestest.EnvDSN, "")
	r := run(t)
	switch {
	case r.fatal != "":
		t.Errorf("unset: the helper failed (%s); it must skip or pass", r.fatal)
	case r.skipped != "" && !strings.Contains(r.skipped, "set "+postgrestest.EnvDSN+"=") && !strings.Contains(r.skipped, "start a local Postgres"):
		t.Errorf("skip message does not say how to enable the tests: %s", r.skipped)
	}
}

func TestSchemaIsFreshAndDropped(t *testing.T) {
	var dsn string
	t.Run("inner", func(t *testing.T) {
		dsn = postgrestest.Schema(t)
		db := sqlx.MustOpen("postgres", dsn)
		defer db.Close()
		var schema string
		if err := db.Get(&schema, `SELECT current_schema()`); err != nil || !strings.HasPrefix(schema, "cs_test_") {
			t.Fatalf("current_schema = %q, %v", schema, err)
		}
		var tables int
		if err := db.Get(&tables, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`); err != nil || tables != 0 {
			t.Errorf("fresh schema has %d tables, %v", tables, err)
		}
	})
	if t.Skipped() || dsn == "" {
		return
	}
	db := sqlx.MustOpen("postgres", dsn)
	defer db.Close()
	var schema *string
	if err := db.GetContext(context.Background(), &schema, `SELECT current_schema()`); err != nil {
		t.Fatal(err)
	}
	if schema != nil && strings.HasPrefix(*schema, "cs_test_") {
		t.Errorf("schema %s survived its test", *schema)
	}
}
