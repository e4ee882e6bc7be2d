package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"

	"github.com/callstackhq/callstack/internal/sqlstore"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
)

// testDialect is enough of a dialect to drive Migrate; the adapters'
// real dialects are tested through the adapters.
func testDialect(name string, bind int, lock func(context.Context, *sql.Conn) (func(context.Context, bool) error, error), lockIsTx bool) sqlstore.Dialect {
	return sqlstore.Dialect{
		Name: name, BindType: bind, MaxParams: 32766,
		IsUniqueViolation:     func(error) bool { return false },
		IsForeignKeyViolation: func(error) bool { return false },
		LockMigrations:        lock, LockIsTx: lockIsTx,
	}
}

func sqliteLock(ctx context.Context, conn *sql.Conn) (func(context.Context, bool) error, error) {
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

func pgLock(ctx context.Context, conn *sql.Conn) (func(context.Context, bool) error, error) {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(42)`); err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ bool) error {
		_, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(42)`)
		return err
	}, nil
}

func TestNewRefusesBadMigrations(t *testing.T) {
	db := sqlx.MustOpen("sqlite3", filepath.Join(t.TempDir(), "m.db"))
	defer db.Close()
	d := testDialect("sqlite", sqlx.QUESTION, sqliteLock, true)
	for name, fsys := range map[string]fstest.MapFS{
		"empty":     {},
		"no number": {"init.sql": {Data: []byte("SELECT 1")}},
		"zero":      {"0000_init.sql": {Data: []byte("SELECT 1")}},
		"duplicate": {"0001_a.sql": {Data: []byte("SELECT 1")}, "001_b.sql": {Data: []byte("SELECT 1")}},
	} {
		if _, err := sqlstore.New(d, db, db, fsys); err == nil || !strings.HasPrefix(err.Error(), "sqlstore: ") {
			t.Errorf("%s: New = %v, want a sqlstore: error", name, err)
		}
	}
	bad := d
	bad.LockMigrations = nil
	if _, err := sqlstore.New(bad, db, db, fstest.MapFS{"0001_a.sql": {Data: []byte("SELECT 1")}}); err == nil {
		t.Error("dialect without a migration lock accepted")
	}
}

// TestMigrateAppliesNewFiles checks that adding a file is all a schema
// change takes, that versions apply in numeric order whatever the file
// names' widths, and what a failing migration leaves: nothing of the run
// where the lock is a transaction (SQLite), the migrations before it
// where each has its own (Postgres).
func TestMigrateAppliesNewFiles(t *testing.T) {
	cases := []struct {
		name     string
		lockIsTx bool
		open     func(t *testing.T) *sqlx.DB
		d        sqlstore.Dialect
	}{
		{"sqlite", true, func(t *testing.T) *sqlx.DB {
			return sqlx.MustOpen("sqlite3", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_busy_timeout=5000")
		}, testDialect("sqlite", sqlx.QUESTION, sqliteLock, true)},
		{"postgres", false, func(t *testing.T) *sqlx.DB {
			return sqlx.MustOpen("postgres", postgrestest.Schema(t))
		}, testDialect("postgres", sqlx.DOLLAR, pgLock, false)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := tc.open(t)
			defer db.Close()
			fsys := fstest.MapFS{
				"0001_init.sql": {Data: []byte("CREATE TABLE a (x INT);\nINSERT INTO a VALUES (1);")},
				"README.md":     {Data: []byte("not a migration")},
			}
			migrate := func() error {
				s, err := sqlstore.New(tc.d, db, db, fsys)
				if err != nil {
					t.Fatal(err)
				}
				return s.Migrate(ctx)
			}
			versions := func() []int64 {
				var v []int64
				if err := db.Select(&v, "SELECT version FROM schema_migrations ORDER BY version"); err != nil {
					t.Fatal(err)
				}
				return v
			}
			if err := migrate(); err != nil {
				t.Fatal(err)
			}
			if err := migrate(); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			// Two new files, the second failing.
			fsys["10_c.sql"] = &fstest.MapFile{Data: []byte("INSERT INTO nonexistent VALUES (1)")}
			fsys["9_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE b (y INT)")}
			if err := migrate(); err == nil || !strings.Contains(err.Error(), "10_c.sql") {
				t.Fatalf("failing migration: %v, want an error naming 10_c.sql", err)
			}
			want := []int64{1, 9}
			if tc.lockIsTx {
				want = []int64{1}
			}
			if got := versions(); len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
				t.Errorf("after a failed run: versions %v, want %v", got, want)
			}
			fsys["10_c.sql"] = &fstest.MapFile{Data: []byte("INSERT INTO b VALUES (2)")}
			if err := migrate(); err != nil {
				t.Fatal(err)
			}
			if got := versions(); len(got) != 3 || got[1] != 9 || got[2] != 10 {
				t.Errorf("versions %v, want [1 9 10]", got)
			}
			var y int
			if err := db.Get(&y, "SELECT y FROM b"); err != nil || y != 2 {
				t.Errorf("migration 10 ran before 9? y = %d, %v", y, err)
			}
		})
	}
}
