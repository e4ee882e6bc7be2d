package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/store/storetest"
)

func TestConformance(t *testing.T) {
	open := func(t *testing.T, c queue.LeaseClock) *postgres.Store {
		dsn := postgrestest.Schema(t)
		// The suite's clock is virtual (March 2026), so the database-clock
		// store is opened for virtual time.
		s, err := postgres.Open(context.Background(), dsn, postgres.WithMaxConns(4), postgres.WithLeaseClock(c), postgres.WithVirtualTime())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	}
	caps := storetest.Capabilities{
		// The adapter's default: leases judged by the database's clock.
		StoreClock: func(t *testing.T) store.Store { return open(t, queue.StoreClock) },
	}
	// The suite runs on a virtual clock.
	storetest.Run(t, caps, func(t *testing.T) store.Store { return open(t, queue.CallerClock) })
}

// TestConcurrentMigrate runs Migrate from two pools (as two processes
// would) on one empty schema at once: both succeed and each migration is
// applied once.
func TestConcurrentMigrate(t *testing.T) {
	dsn := postgrestest.Schema(t)
	ctx := context.Background()
	var stores []*postgres.Store
	for range 2 {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, len(stores))
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.Migrate(ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d: Migrate %d: %v", round, i, err)
			}
		}
	}
	db := sqlx.MustOpen("postgres", dsn)
	defer db.Close()
	var dup int
	if err := db.Get(&dup, `SELECT count(*) - count(DISTINCT version) FROM schema_migrations`); err != nil || dup != 0 {
		t.Errorf("duplicate migrations: %d, %v", dup, err)
	}
	// No migration lock of this schema is left behind on a pooled
	// connection (the key is the one lockMigrations computes).
	var locks int
	if err := db.Get(&locks, `SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND objsubid = 1
  AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('callstack.migrate.' || current_schema(), 0)`); err != nil || locks != 0 {
		t.Errorf("%d migration locks held after Migrate, %v", locks, err)
	}
}

// TestWithSchema checks WithSchema creates the schema and confines every
// pooled connection to it.
func TestWithSchema(t *testing.T) {
	// A throwaway schema gives a clean name to create; the one WithSchema
	// creates is dropped with it below.
	base := postgrestest.Schema(t)
	ctx := context.Background()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "cs_test_" + hex.EncodeToString(b[:]) + "_opt"
	admin := sqlx.MustOpen("postgres", base)
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`); err != nil {
			t.Error(err)
		}
		admin.Close()
	})

	s, err := postgres.Open(ctx, postgrestest.DSN(t), postgres.WithSchema(schema), postgres.WithMaxConns(3))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var tables int
	if err := admin.Get(&tables, `SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'contacts'`, schema); err != nil || tables != 1 {
		t.Fatalf("contacts in %s: %d, %v", schema, tables, err)
	}
	// Hold several connections of a pool opened with the same DSN at once:
	// each one is in the schema.
	dsn, err := postgres.SchemaDSN(postgrestest.DSN(t), schema)
	if err != nil {
		t.Fatal(err)
	}
	pool := sqlx.MustOpen("postgres", dsn)
	defer pool.Close()
	var conns []*sqlx.Conn
	for range 3 {
		c, err := pool.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		var got string
		if err := c.GetContext(ctx, &got, `SELECT current_schema()`); err != nil || got != schema {
			t.Errorf("connection %d: current_schema = %q, %v", i, got, err)
		}
	}
}

func TestSchemaDSN(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?search_path=s1&sslmode=disable"},
		{"postgresql://u@h/db?search_path=old", "postgresql://u@h/db?search_path=s1"},
		{"host=h user=u sslmode=disable", "host=h user=u sslmode=disable search_path=s1"},
		{"", "search_path=s1"},
	} {
		got, err := postgres.SchemaDSN(tc.dsn, "s1")
		if err != nil || got != tc.want {
			t.Errorf("SchemaDSN(%q) = %q, %v; want %q", tc.dsn, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "1abc", "a-b", "a b", `a"b`, strings.Repeat("x", 64)} {
		if _, err := postgres.SchemaDSN("host=h", bad); err == nil {
			t.Errorf("schema %q accepted", bad)
		}
		if _, err := postgres.Open(context.Background(), "host=h", postgres.WithSchema(bad)); err == nil || !strings.HasPrefix(err.Error(), "postgres: ") {
			t.Errorf("Open WithSchema(%q): %v", bad, err)
		}
	}
}

// TestNewLeavesCallerHandleOpen checks New uses the caller's handle (and
// its search_path) and Close leaves it open.
func TestNewLeavesCallerHandleOpen(t *testing.T) {
	db := sqlx.MustOpen("postgres", postgrestest.Schema(t))
	defer db.Close()
	s, err := postgres.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetWorkspace(ctx, "nope"); !errors.Is(err, campaign.ErrNotFound) {
		t.Errorf("GetWorkspace through the caller's handle: %v", err)
	}
	if _, err := postgres.New(nil); err == nil {
		t.Error("New(nil) accepted")
	}
}

// TestUnreachable checks Open reports an unreachable server as an error
// prefixed "postgres: ".
func TestUnreachable(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.HasPrefix(err.Error(), "postgres: ") {
		t.Errorf("Open of an unreachable server: %v", err)
	}
}
