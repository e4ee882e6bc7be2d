// Package sqlite is CallStack's SQLite adapter: one [Store] value serves
// every engine package's storage interface ([store.Store]) from a single
// database file, through mattn/go-sqlite3 (cgo) and sqlx.
//
// [Open] configures the file for a server: WAL journal, foreign keys,
// synchronous=NORMAL and a busy timeout, with ONE writer connection (every
// write transaction begins IMMEDIATE, so writers queue instead of failing)
// and a separate pool of read-only connections, so reads never wait for a
// writer. [New] wraps a handle the caller opened and configured.
//
// The schema is created and upgraded by [Store.Migrate] from SQL files
// embedded in the package (migrations/NNNN_name.sql); adding a file is all
// a schema change takes.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/callstackhq/callstack/internal/sqlstore"
	"github.com/callstackhq/callstack/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the SQLite adapter. It is safe for concurrent use.
type Store struct {
	*sqlstore.Store
	// closers are the handles Open opened; New leaves the caller's alone.
	closers []*sqlx.DB
}

// Compile-time check: the adapter serves every engine package.
var _ store.Store = (*Store)(nil)

// options are Open's settings.
type options struct {
	readConns   int
	busyTimeout time.Duration
}

// Option configures [Open].
type Option func(*options) error

// WithReadConns sets the size of the read pool. Defaults to the number of
// CPUs, at least 4.
func WithReadConns(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("sqlite: read connections must be at least 1, got %d", n)
		}
		o.readConns = n
		return nil
	}
}

// WithBusyTimeout sets how long a statement waits for a lock held by
// another connection or process before failing. Defaults to 5s.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < time.Millisecond {
			return fmt.Errorf("sqlite: busy timeout must be at least 1ms, got %s", d)
		}
		o.busyTimeout = d
		return nil
	}
}

// Open opens (creating if needed) the database file at path and returns a
// Store over it. Call [Store.Migrate] before use and [Store.Close] when
// done. path must name a file: an in-memory database cannot be shared by
// the writer and the read pool (use store/memory instead).
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{readConns: max(4, runtime.NumCPU()), busyTimeout: 5 * time.Second}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "mode=memory") {
		return nil, fmt.Errorf("sqlite: Open needs a file path, got %q (for a URI or an in-memory database, use New)", path)
	}
	busy := fmt.Sprint(o.busyTimeout.Milliseconds())
	base := "file:" + escapePath(path) + "?"
	writer, err := sqlx.Open("sqlite3", base+url.Values{
		"_journal_mode": {"WAL"}, "_foreign_keys": {"on"}, "_busy_timeout": {busy},
		"_synchronous": {"NORMAL"}, "_txlock": {"immediate"},
	}.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	// Connect the writer first: it creates the file and switches it to WAL
	// before any reader opens it.
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	reader, err := sqlx.Open("sqlite3", base+url.Values{
		"_query_only": {"on"}, "_foreign_keys": {"on"}, "_busy_timeout": {busy}, "_synchronous": {"NORMAL"},
	}.Encode())
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	reader.SetMaxOpenConns(o.readConns)
	reader.SetMaxIdleConns(o.readConns)
	if err := reader.PingContext(ctx); err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	s, err := newStore(writer, reader)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}
	s.closers = []*sqlx.DB{writer, reader}
	return s, nil
}

// escapePath escapes the characters a SQLite URI filename gives meaning
// to.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// New returns a Store over db, a handle the caller opened with the
// "sqlite3" driver (mattn/go-sqlite3) and keeps: [Store.Close] leaves it
// open. The Store reads and writes through db. Configure it as Open does
// for concurrent use: _foreign_keys=on, _busy_timeout, _journal_mode=WAL
// and _txlock=immediate in the DSN, or SetMaxOpenConns(1).
func New(db *sqlx.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlite: New: nil database handle")
	}
	return newStore(db, db)
}

func newStore(writer, reader *sqlx.DB) (*Store, error) {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	s, err := sqlstore.New(dialect(), writer, reader, migrations)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return &Store{Store: s}, nil
}

// Close closes the handles Open opened; after New it does nothing.
func (s *Store) Close() error {
	var errs []error
	for _, db := range s.closers {
		if err := db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlite: close: %w", err))
		}
	}
	s.closers = nil
	return errors.Join(errs...)
}

// dialect is SQLite for sqlstore: "?" placeholders, the 32766-parameter
// limit, mattn's constraint error codes, and BEGIN IMMEDIATE (the
// database's write lock) as the migration lock.
func dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:      "sqlite",
		BindType:  sqlx.QUESTION,
		MaxParams: 32766,
		IsUniqueViolation: func(err error) bool {
			var e sqlite3.Error
			return errors.As(err, &e) && (e.ExtendedCode == sqlite3.ErrConstraintUnique || e.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
		},
		IsForeignKeyViolation: func(err error) bool {
			var e sqlite3.Error
			return errors.As(err, &e) && e.ExtendedCode == sqlite3.ErrConstraintForeignKey
		},
		IsUndefinedTable: func(err error) bool {
			var e sqlite3.Error
			return errors.As(err, &e) && e.Code == sqlite3.ErrError && strings.HasPrefix(e.Error(), "no such table")
		},
		LockMigrations: lockMigrations,
		LockIsTx:       true,
	}
}

// lockMigrations begins an IMMEDIATE transaction on conn: it takes the
// database's write lock (waiting up to the busy timeout), so a second
// process migrating at once waits, then finds the work done.
func lockMigrations(ctx context.Context, conn *sql.Conn) (func(context.Context, bool) error, error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, err
	}
	return func(ctx context.Context, ok bool) error {
		end := "COMMIT"
		if !ok {
			end = "ROLLBACK"
		}
		_, err := conn.ExecContext(ctx, end)
		return err
	}, nil
}
