package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migration is one numbered SQL file.
type migration struct {
	version int64
	name    string
	sql     string
}

// loadMigrations reads the files NNNN_name.sql at the root of fsys, sorted
// by version. Other files are ignored; two files with one version, or a
// .sql file without a version, are an error.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	if fsys == nil {
		return nil, errors.New("no migrations")
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations")
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %q and %q share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// Migrate applies the migrations the database has not recorded in
// schema_migrations, in version order. It holds the dialect's migration
// lock on one pinned connection throughout, so it is idempotent and safe
// when several processes run it at once: the later ones find nothing to do.
// When a migration fails, the run stops there: with Dialect.LockIsTx
// nothing of the run stays, otherwise the migrations before it do.
func (s *Store) Migrate(ctx context.Context) (err error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return s.fail("migrate", err)
	}
	defer conn.Close()
	release, err := s.d.LockMigrations(ctx, conn)
	if err != nil {
		discard(conn)
		return fmt.Errorf("sqlstore: migrate: lock: %s: %w", s.d.Name, err)
	}
	defer func() {
		// Release even when ctx is done: a lock left on a pooled
		// connection would block every later migration.
		if rerr := release(context.WithoutCancel(ctx), err == nil); rerr != nil {
			discard(conn)
			if err == nil {
				err = fmt.Errorf("sqlstore: migrate: release lock: %s: %w", s.d.Name, rerr)
			}
		}
	}()
	if err := s.migrate(ctx, conn); err != nil {
		return fmt.Errorf("sqlstore: migrate: %s: %w", s.d.Name, err)
	}
	return nil
}

func (s *Store) migrate(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int64]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	record := s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`)
	for _, m := range s.migrations {
		if applied[m.version] {
			continue
		}
		apply := func(ex interface {
			ExecContext(context.Context, string, ...any) (sql.Result, error)
		}) error {
			if _, err := ex.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply %s: %w", m.name, err)
			}
			if _, err := ex.ExecContext(ctx, record, m.version, m.name, time.Now().UnixNano()); err != nil {
				return fmt.Errorf("record %s: %w", m.name, err)
			}
			return nil
		}
		if s.d.LockIsTx {
			if err := apply(conn); err != nil {
				return err
			}
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("apply %s: %w", m.name, err)
		}
		if err := apply(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("apply %s: commit: %w", m.name, err)
		}
	}
	return nil
}
