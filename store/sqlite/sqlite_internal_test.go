package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConnections checks what Open promises of its two pools: the writer
// has one connection in WAL mode with foreign keys, synchronous=NORMAL,
// the busy timeout and immediate transactions; the readers cannot write.
func TestConnections(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cs.db")
	s, err := Open(ctx, path, WithBusyTimeout(1500*time.Millisecond), WithReadConns(3))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	writer, reader := s.closers[0], s.closers[1]
	if n := writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
	if n := reader.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("read pool allows %d connections, want 3", n)
	}
	for _, p := range []struct {
		pragma string
		want   string
	}{{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"synchronous", "1"}, {"busy_timeout", "1500"}, {"query_only", "0"}} {
		var got string
		if err := writer.GetContext(ctx, &got, "PRAGMA "+p.pragma); err != nil || got != p.want {
			t.Errorf("writer: PRAGMA %s = %q, %v; want %q", p.pragma, got, err, p.want)
		}
	}
	for _, p := range []struct {
		pragma string
		want   string
	}{{"journal_mode", "wal"}, {"query_only", "1"}, {"busy_timeout", "1500"}} {
		var got string
		if err := reader.GetContext(ctx, &got, "PRAGMA "+p.pragma); err != nil || got != p.want {
			t.Errorf("reader: PRAGMA %s = %q, %v; want %q", p.pragma, got, err, p.want)
		}
	}
	if _, err := reader.ExecContext(ctx, "DELETE FROM workspaces"); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("write through the read pool: %v, want a readonly error", err)
	}
	// _txlock=immediate: a transaction takes the write lock at BEGIN.
	tx, err := writer.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := Open(ctx, path, WithBusyTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.closers[0].ExecContext(ctx, "BEGIN IMMEDIATE"); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("BEGIN IMMEDIATE beside an open writer transaction: %v, want database is locked", err)
	}
}
