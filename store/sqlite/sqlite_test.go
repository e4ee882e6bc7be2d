package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/sqlite"
	"github.com/callstackhq/callstack/store/storetest"
)

func open(t *testing.T, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Capabilities{}, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "callstack.db"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestForeignKeys checks the writer enforces foreign keys, reported as
// not found.
func TestForeignKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cs.db")
	s := open(t, path)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A disposition of a missing campaign violates dispositions' key.
	w := campaign.Workspace{ID: "ws", Name: "ws", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.CreateWorkspace(ctx, w, campaign.Member{WorkspaceID: "ws", UserID: "u", Role: campaign.RoleTeamAdmin}, campaign.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	err := s.PutDisposition(ctx, campaign.Disposition{ID: "d", WorkspaceID: "ws", CampaignID: "missing", Title: "d"}, campaign.AuditEntry{})
	if !errors.Is(err, campaign.ErrNotFound) {
		t.Errorf("foreign keys not enforced: %v", err)
	}
	// A member of a workspace that does not exist is refused the same way.
	err = s.PutMember(ctx, campaign.Member{WorkspaceID: "nope", UserID: "u", Role: campaign.RoleViewer}, campaign.AuditEntry{})
	if !errors.Is(err, campaign.ErrNotFound) {
		t.Errorf("member of missing workspace: %v", err)
	}
}

func TestOpenRefusesNonFiles(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared", "file:x.db?mode=memory"} {
		if _, err := sqlite.Open(context.Background(), path); err == nil || !strings.HasPrefix(err.Error(), "sqlite: ") {
			t.Errorf("Open(%q) = %v, want a sqlite: error", path, err)
		}
	}
	if _, err := sqlite.Open(context.Background(), "x.db", sqlite.WithReadConns(0)); err == nil {
		t.Error("WithReadConns(0) accepted")
	}
	if _, err := sqlite.Open(context.Background(), "x.db", sqlite.WithBusyTimeout(0)); err == nil {
		t.Error("WithBusyTimeout(0) accepted")
	}
	if _, err := sqlite.New(nil); err == nil {
		t.Error("New(nil) accepted")
	}
}

func TestPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a?b#c%d")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cs.db")
	s := open(t, path)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}

// TestConcurrentMigrate runs Migrate from two Stores (as two processes
// would) on one fresh file at once: both succeed, and the schema is
// applied once.
func TestConcurrentMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.db")
	a, b := open(t, path), open(t, path)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*sqlite.Store{a, b} {
		wg.Go(func() { errs[i] = s.Migrate(context.Background()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	db, err := sqlx.Open("sqlite3", "file:"+path+"?_query_only=on")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var versions []int64
	if err := db.Select(&versions, "SELECT version FROM schema_migrations ORDER BY version"); err != nil {
		t.Fatal(err)
	}
	if len(versions) == 0 || versions[0] != 1 {
		t.Errorf("schema_migrations = %v", versions)
	}
	for i := 1; i < len(versions); i++ {
		if versions[i] == versions[i-1] {
			t.Errorf("version %d recorded twice", versions[i])
		}
	}
}

// TestNewLeavesCallerHandleOpen checks New uses the caller's handle and
// Close leaves it to the caller.
func TestNewLeavesCallerHandleOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.db")
	db, err := sqlx.Open("sqlite3", "file:"+path+"?_foreign_keys=on&_busy_timeout=5000&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := sqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Errorf("caller's handle closed by Close: %v", err)
	}
	if _, err := s.GetWorkspace(ctx, "nope"); !errors.Is(err, campaign.ErrNotFound) {
		t.Errorf("GetWorkspace after Close of a New store: %v", err)
	}
}

// TestMigrateCancelledReleasesLock: a Migrate whose context is already
// done fails without leaving the write lock held.
func TestMigrateCancelledReleasesLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.db")
	s := open(t, path, sqlite.WithBusyTimeout(200*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Migrate(ctx); err == nil {
		t.Fatal("Migrate with a cancelled context succeeded")
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate after a cancelled one: %v", err)
	}
}
