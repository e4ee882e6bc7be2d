// Package postgres is CallStack's Postgres adapter: one [Store] value
// serves every engine package's storage interface ([store.Store]) through
// lib/pq and sqlx, so any number of CallStack processes can share one
// database.
//
// [Open] connects with a DSN, optionally confining the Store to one schema
// ([WithSchema]); [New] wraps a handle the caller opened. The schema is
// created and upgraded by [Store.Migrate] from SQL files embedded in the
// package (migrations/NNNN_name.sql), holding a Postgres advisory lock on
// one connection so that processes starting together migrate once.
//
// Tests use package postgrestest: a fresh schema per test on the server
// named by CALLSTACK_TEST_POSTGRES.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/callstackhq/callstack/internal/sqlstore"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the Postgres adapter. It is safe for concurrent use.
type Store struct {
	*sqlstore.Store
	// db is the handle Open opened; nil after New, which leaves the
	// caller's handle alone.
	db *sqlx.DB
}

// Compile-time check: the adapter serves every engine package.
var _ store.Store = (*Store)(nil)

type options struct {
	schema     string
	maxConns   int
	leaseClock queue.LeaseClock
	virtual    bool
}

// Option configures [Open].
type Option func(*options) error

// WithSchema confines the Store to schema: every connection's search_path
// is set to it, and [Store.Migrate] creates it when missing. Defaults to
// the DSN's search_path (usually "public").
func WithSchema(schema string) Option {
	return func(o *options) error {
		if err := checkSchema(schema); err != nil {
			return err
		}
		o.schema = schema
		return nil
	}
}

// WithMaxConns bounds the open connections of the Store's pool. Defaults
// to 10.
func WithMaxConns(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("postgres: max connections must be at least 1, got %d", n)
		}
		o.maxConns = n
		return nil
	}
}

// WithLeaseClock chooses whose clock judges when leases (of contacts and
// of campaigns) expire: queue.StoreClock, the database's clock, so hosts
// with skewed clocks agree; or queue.CallerClock, the now passed to each
// call, as a simulation or a test on a virtual clock needs. Defaults to
// queue.StoreClock.
func WithLeaseClock(c queue.LeaseClock) Option {
	return func(o *options) error {
		if c != queue.StoreClock && c != queue.CallerClock {
			return fmt.Errorf("postgres: unknown lease clock %d", c)
		}
		o.leaseClock = c
		return nil
	}
}

// WithVirtualTime opens the Store for hosts on a virtual clock (a
// simulation, a test of another day) while leases run on the database's
// clock: a caller's now more than an hour from the database's clock then
// judges eligibility (due times, calling windows) as given. Without it
// (the default) such a now is a broken host clock, and claims, refills
// and promotions refuse it with queue.ErrClockSkew rather than judge
// calling windows by it. Has no effect with queue.CallerClock.
func WithVirtualTime() Option {
	return func(o *options) error {
		o.virtual = true
		return nil
	}
}

// checkSchema accepts a plain Postgres identifier: a letter or _, then
// letters, digits or _, at most 63 bytes.
func checkSchema(schema string) error {
	ok := schema != "" && len(schema) <= 63 && !(schema[0] >= '0' && schema[0] <= '9')
	for _, c := range schema {
		ok = ok && (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}
	if !ok {
		return fmt.Errorf("postgres: schema %q must be a plain identifier: a letter or _, then letters, digits or _, at most 63", schema)
	}
	return nil
}

// SchemaDSN returns dsn (a postgres:// URL or key=value string) with
// search_path set to schema, so that every connection opened with it uses
// schema. Use it to open a handle for [New] in a given schema.
func SchemaDSN(dsn, schema string) (string, error) {
	if err := checkSchema(schema); err != nil {
		return "", err
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("postgres: parse DSN: %w", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// key=value: a later setting overrides an earlier one.
	return strings.TrimSpace(dsn + " search_path=" + schema), nil
}

// Open connects to the database at dsn and returns a Store over it. Call
// [Store.Migrate] before use and [Store.Close] when done.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{maxConns: 10}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.schema != "" {
		var err error
		if dsn, err = SchemaDSN(dsn, o.schema); err != nil {
			return nil, err
		}
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s, err := newStore(db, o.schema)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.db = db
	s.SetLeaseClock(o.leaseClock)
	s.SetVirtualTime(o.virtual)
	return s, nil
}

// New returns a Store over db, a Postgres handle the caller opened and
// keeps: [Store.Close] leaves it open. The Store uses the handle's
// search_path.
func New(db *sqlx.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("postgres: New: nil database handle")
	}
	return newStore(db, "")
}

func newStore(db *sqlx.DB, schema string) (*Store, error) {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	s, err := sqlstore.New(dialect(schema), db, db, migrations)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{Store: s}, nil
}

// Close closes the handle Open opened; after New it does nothing.
func (s *Store) Close() error {
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("postgres: close: %w", err)
	}
	return nil
}

// dialect is Postgres for sqlstore: "$n" placeholders, the 65535-parameter
// limit, SQLSTATE error classes, and a session advisory lock keyed by the
// schema as the migration lock (which also creates schema, when set).
func dialect(schema string) sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:                  "postgres",
		BindType:              sqlx.DOLLAR,
		MaxParams:             65535,
		IsUniqueViolation:     func(err error) bool { return sqlState(err) == "23505" },
		IsForeignKeyViolation: func(err error) bool { return sqlState(err) == "23503" },
		IsUndefinedTable:      func(err error) bool { return sqlState(err) == "42P01" },
		IsTransient: func(err error) bool {
			code := sqlState(err)
			return code == "40P01" || code == "40001"
		},
		LockMigrations: func(ctx context.Context, conn *sql.Conn) (func(context.Context, bool) error, error) {
			return lockMigrations(ctx, conn, schema)
		},
		FeedHorizon: `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`,
	}
}

// sqlState returns err's SQLSTATE code, or "". It reads any driver's
// error that reports one (lib/pq, pgx).
func sqlState(err error) string {
	var e interface{ SQLState() string }
	if errors.As(err, &e) {
		return e.SQLState()
	}
	return ""
}

// lockMigrations takes a session advisory lock on conn, keyed by the
// schema being migrated (the configured one, else current_schema()), so
// that processes migrating the same schema take turns while other schemas
// migrate in parallel. With a configured schema it then creates the schema
// when missing.
func lockMigrations(ctx context.Context, conn *sql.Conn, schema string) (func(context.Context, bool) error, error) {
	var key int64
	if err := conn.QueryRowContext(ctx,
		`SELECT hashtextextended('callstack.migrate.' || coalesce(nullif($1::text, ''), current_schema()::text, ''), 0)`,
		schema).Scan(&key); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return nil, err
	}
	release := func(ctx context.Context, _ bool) error {
		_, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key)
		return err
	}
	if schema != "" {
		if _, err := conn.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pq.QuoteIdentifier(schema)); err != nil {
			return nil, errors.Join(err, release(context.WithoutCancel(ctx), false))
		}
	}
	return release, nil
}
