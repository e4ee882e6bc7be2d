// Package sqlstore is the one SQL implementation of CallStack's storage
// interfaces, shared by the SQLite and Postgres adapters (store/sqlite,
// store/postgres). The adapters own their connections, migrations and
// driver quirks; they describe the latter in a [Dialect], and this package
// runs the same SQL on both, rebinding placeholders for each.
//
// Conventions of the schema (see each adapter's migrations directory):
// times are 64-bit unix nanoseconds with 0 for the zero time, read back in
// UTC; structured fields are JSON text; every table carries workspace_id
// and every query filters by it, so a record of another workspace is
// [campaign.ErrNotFound]; a seq column records creation order.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store"
)

// Dialect describes what differs between the databases the Store runs on.
// Every field is required.
type Dialect struct {
	// Name names the database in messages, such as "sqlite".
	Name string
	// BindType is the placeholder style queries are rebound to, such as
	// sqlx.QUESTION or sqlx.DOLLAR. The Store writes its SQL with "?".
	BindType int
	// MaxParams is the most bind parameters one statement may carry
	// (SQLite: 32766; Postgres: 65535). Batched inserts stay under it.
	MaxParams int
	// IsUniqueViolation reports whether err is a unique or primary-key
	// violation; the Store reports those as [campaign.ErrConflict].
	IsUniqueViolation func(err error) bool
	// IsForeignKeyViolation reports whether err is a foreign-key violation;
	// the Store reports those as [campaign.ErrNotFound] (the parent, such as
	// the workspace, does not exist).
	IsForeignKeyViolation func(err error) bool
	// IsUndefinedTable reports whether err says a table does not exist;
	// the Store reports those as [store.ErrNotMigrated], which tells the
	// user to call Migrate.
	IsUndefinedTable func(err error) bool
	// LockMigrations takes the migration lock on conn, which Migrate pins
	// for the whole migration, so that two processes migrating at once run
	// one after the other. It returns the function that releases the lock;
	// release's argument reports whether the migration succeeded.
	LockMigrations func(ctx context.Context, conn *sql.Conn) (release func(ctx context.Context, ok bool) error, err error)
	// LockIsTx reports that LockMigrations begins a transaction on conn
	// (SQLite's BEGIN IMMEDIATE), so migrations run inside it and release
	// commits it. Otherwise each migration runs in its own transaction on
	// conn while the lock is held (Postgres' session advisory lock).
	LockIsTx bool
	// IsTransient reports whether err aborted a transaction that may
	// succeed when run again: Postgres' deadlock_detected (40P01) and
	// serialization_failure (40001). The queue's writes re-run such a
	// transaction a bounded number of times. Nil means never.
	IsTransient func(err error) bool
	// FeedHorizon is an SQL expression bounding the feed's txid column:
	// ReadFeed returns only rows with txid below it, the transactions
	// that have all ended, so rows that commit out of order are never
	// skipped (Postgres: the xmin of the reader's snapshot). Empty when
	// writers commit one at a time and every row's txid is 0 (SQLite).
	// See docs/campaign-rules.md ("Change feed").
	FeedHorizon string
}

func (d Dialect) validate() error {
	switch {
	case d.Name == "":
		return errors.New("sqlstore: Dialect.Name is required")
	case d.BindType == sqlx.UNKNOWN:
		return fmt.Errorf("sqlstore: %s: Dialect.BindType is required", d.Name)
	case d.MaxParams < contactColumnCount:
		return fmt.Errorf("sqlstore: %s: Dialect.MaxParams must be at least %d, got %d", d.Name, contactColumnCount, d.MaxParams)
	case d.IsUniqueViolation == nil || d.IsForeignKeyViolation == nil:
		return fmt.Errorf("sqlstore: %s: Dialect error classifiers are required", d.Name)
	case d.LockMigrations == nil:
		return fmt.Errorf("sqlstore: %s: Dialect.LockMigrations is required", d.Name)
	}
	return nil
}

// Store implements campaign.Store (and Migrate) over SQL. It is safe for
// concurrent use. It does not own its handles: the adapter that made them
// closes them.
type Store struct {
	d          Dialect
	w          *sqlx.DB // writes and every transaction
	r          *sqlx.DB // single-statement reads
	migrations []migration
	queue      queueOptions // queue.Store settings (queue.go)
	// lists caches committed suppression list ids (suppression.go); a
	// list row is never deleted or renumbered once committed.
	lists sync.Map // listKey → int64
	// retries counts the re-runs of retryTransient (retry.go).
	retries atomic.Int64
	// hopperChurn counts hopper rows deleted since the Store last
	// vacuumed the hopper (hopper.go).
	hopperChurn atomic.Int64
	// cursors holds each campaign's fillCursor (hopper.go), by
	// workspace and campaign; hopperGen counts the writes that
	// invalidate them (hopperMoved).
	cursors   sync.Map // string → fillCursor
	hopperGen atomic.Int64
	// growth tracks the rows this Store added to the tables it analyses
	// itself (analyzeGrown), by table.
	growth map[string]*tableGrowth
	// stmts holds the statements prepared on w by prepared, by query.
	stmts sync.Map // string → *sqlx.Stmt
}

// Compile-time check: the Store serves the campaign package.
var _ campaign.Store = (*Store)(nil)

// New returns a Store that writes through write and reads through read
// (the same handle is fine). migrations holds the dialect's numbered
// migration files, "0001_init.sql" and on, at its root.
func New(d Dialect, write, read *sqlx.DB, migrations fs.FS) (*Store, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	if write == nil || read == nil {
		return nil, fmt.Errorf("sqlstore: %s: nil database handle", d.Name)
	}
	ms, err := loadMigrations(migrations)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", d.Name, err)
	}
	// The tables analyzeGrown keeps statistics of: those the claim and
	// its trigger read by key while they grow by thousands of rows an
	// import or a busy hour.
	growth := map[string]*tableGrowth{"contacts": {}, "report_contacts": {}}
	return &Store{d: d, w: write, r: read, migrations: ms, growth: growth}, nil
}

// prepared returns query (already rebound) prepared on the write handle,
// preparing it on first use. database/sql prepares it again on each
// connection it runs on; the statement lives as long as the handle. The
// queue's hottest statements use it, so that Postgres parses and plans
// them once per connection (a generic plan once it has seen five) rather
// than on every call: the claim's planning alone took 0.5–2 ms
// (docs/queue.md).
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := s.w.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// q rebinds a query written with "?" placeholders for the dialect.
func (s *Store) q(query string) string { return sqlx.Rebind(s.d.BindType, query) }

// inTx runs fn in a write transaction, committing when fn succeeds.
//
// Every transaction's first statement is a write, so on SQLite even a
// deferred transaction takes the write lock before reading and the busy
// timeout applies; adapters still begin them IMMEDIATE where they can.
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return s.fail(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.fail(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// fail wraps err for the caller: a driver's no-rows and foreign-key
// errors become campaign.ErrNotFound, a unique violation
// campaign.ErrConflict (keeping the driver's error in the chain), and
// every error is prefixed "sqlstore: " and the operation.
func (s *Store) fail(op string, err error) error {
	switch {
	case errors.Is(err, campaign.ErrNotFound), errors.Is(err, campaign.ErrConflict), errors.Is(err, campaign.ErrInvalid):
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: %w", op, campaign.ErrNotFound)
	case s.d.IsUniqueViolation(err):
		return fmt.Errorf("sqlstore: %s: %w: %w", op, campaign.ErrConflict, err)
	case s.d.IsForeignKeyViolation(err):
		return fmt.Errorf("sqlstore: %s: %w: %w", op, campaign.ErrNotFound, err)
	case s.d.IsUndefinedTable != nil && s.d.IsUndefinedTable(err):
		return fmt.Errorf("sqlstore: %s: %w (%s: %w)", op, store.ErrNotMigrated, s.d.Name, err)
	}
	return fmt.Errorf("sqlstore: %s: %s: %w", op, s.d.Name, err)
}

// discard makes database/sql drop conn's underlying connection instead
// of returning it to the pool (after a failure left it in an unknown state,
// such as holding a lock).
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}

// storable bounds the times a 64-bit nanosecond count can hold.
var (
	minStorable = time.Unix(0, math.MinInt64)
	maxStorable = time.Unix(0, math.MaxInt64)
)

// enc encodes Go values into column values, keeping the first error, so
// that a row's encoding reads as one list.
type enc struct{ err error }

// time returns t as unix nanoseconds, 0 for the zero time. A time outside
// 1677–2262 is refused with campaign.ErrInvalid. (The instant 1970-01-01
// 00:00:00 UTC is stored as 0 and so reads back as the zero time.)
func (e *enc) time(field string, t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if t.Before(minStorable) || t.After(maxStorable) {
		if e.err == nil {
			e.err = fmt.Errorf("%w: %s: time %s is outside the storable range 1677–2262", campaign.ErrInvalid, field, t)
		}
		return 0
	}
	return t.UnixNano()
}

// json returns v as JSON text.
func (e *enc) json(field string, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		if e.err == nil {
			e.err = fmt.Errorf("%w: %s: %w", campaign.ErrInvalid, field, err)
		}
		return "null"
	}
	return string(b)
}

// fromNanos is the inverse of enc.time: 0 is the zero time, others are
// in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// dec decodes column values, keeping the first error.
type dec struct{ err error }

// json decodes JSON text s into v.
func (d *dec) json(field, s string, v any) {
	if err := json.Unmarshal([]byte(s), v); err != nil && d.err == nil {
		d.err = fmt.Errorf("decode %s: %w", field, err)
	}
}

// notFound reports a missing record of kind with id.
func notFound(kind string, id any) error {
	return fmt.Errorf("%s %q: %w", kind, id, campaign.ErrNotFound)
}

// checkWorkspace refuses a record whose WorkspaceID differs from ws, so
// that no call writes into another workspace.
func checkWorkspace(ws, recordWS campaign.WorkspaceID, kind string) error {
	if recordWS != ws {
		return fmt.Errorf("%w: %s belongs to workspace %q, not %q", campaign.ErrInvalid, kind, recordWS, ws)
	}
	return nil
}
