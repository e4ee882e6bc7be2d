// Package postgrestest gives tests a Postgres database of their own: a
// fresh schema per test on the server named by CALLSTACK_TEST_POSTGRES
// (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable),
// dropped when the test ends.
//
// When CALLSTACK_TEST_POSTGRES is set, an unreachable server fails the
// test; when it is unset and the default server is unreachable, the test is
// skipped with a message saying how to enable it.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/callstackhq/callstack/store/postgres"
)

// EnvDSN is the environment variable naming the test server.
const EnvDSN = "CALLSTACK_TEST_POSTGRES"

// DefaultDSN is the server tried when EnvDSN is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// DSN returns the test server's DSN after checking that the server
// answers; see the package documentation for what happens when it does
// not.
func DSN(t testing.TB) string {
	t.Helper()
	dsn, set := os.LookupEnv(EnvDSN)
	if !set || dsn == "" {
		dsn, set = DefaultDSN, false
	}
	db, err := connect(dsn)
	if err != nil {
		if set {
			t.Fatalf("postgrestest: %s=%s: server unreachable: %v", EnvDSN, dsn, err)
		}
		t.Skipf("postgrestest: no Postgres at %s (%v): set %s=postgres://user@host:5432/db?sslmode=disable or start a local Postgres to run this test", dsn, err, EnvDSN)
	}
	db.Close()
	return dsn
}

func connect(dsn string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Schema creates a schema named cs_test_<random> on the test server and
// returns a DSN whose connections use it (their search_path). The schema
// and everything in it is dropped when the test ends.
func Schema(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("postgrestest: random schema name: %v", err)
	}
	schema := "cs_test_" + hex.EncodeToString(b[:])
	exec := func(query string) error {
		db, err := connect(dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = db.ExecContext(ctx, query)
		return err
	}
	if err := exec("CREATE SCHEMA " + pq.QuoteIdentifier(schema)); err != nil {
		t.Fatalf("postgrestest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + pq.QuoteIdentifier(schema) + " CASCADE"); err != nil {
			t.Errorf("postgrestest: drop schema %s: %v", schema, err)
		}
	})
	scoped, err := postgres.SchemaDSN(dsn, schema)
	if err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	return scoped
}

// Open returns a migrated Store in a fresh schema (see [Schema]), closed
// when the test ends.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	dsn := Schema(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(4))
	if err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("postgrestest: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	return s
}
