package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/store/sqlite"
	"github.com/callstackhq/callstack/suppression"
)

// TestNotMigratedSaysCallMigrate uses each SQL adapter before Migrate, as
// a user who forgot it would: the first calls a host makes fail with
// store.ErrNotMigrated, whose message says to call Migrate, not with a
// bare "no such table".
func TestNotMigratedSaysCallMigrate(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, s store.Store) {
		now := time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC)
		w := campaign.Workspace{ID: "ws_1", Name: "Acme", Settings: campaign.WorkspaceSettings{}.WithDefaults(), CreatedAt: now, UpdatedAt: now}
		calls := map[string]error{
			"CreateWorkspace": s.CreateWorkspace(ctx, w, campaign.Member{WorkspaceID: "ws_1", UserID: "ada", Role: campaign.RoleTeamAdmin, CreatedAt: now},
				campaign.AuditEntry{ID: "aud_1", WorkspaceID: "ws_1", ActorID: "ada", Action: "workspace.create", Entity: "workspace", EntityID: "ws_1", At: now}),
		}
		_, calls["GetWorkspace"] = s.GetWorkspace(ctx, "ws_1")
		_, calls["ListCampaigns"] = s.ListCampaigns(ctx, "ws_1")
		_, calls["CheckSuppressed"] = s.CheckSuppressed(ctx, "ws_1", suppression.Query{Numbers: []string{"+14152311007"}}, now)
		_, calls["ListImports"] = s.ListImports(ctx, "ws_1", 10)
		_, calls["Claim"] = s.Claim(ctx, "ws_1", "c_1", queue.ClaimQuery{Limit: 1, TTL: time.Minute, Token: "t"}, now)
		_, calls["AttemptCounts"] = s.AttemptCounts(ctx, "ws_1", "c_1", time.Time{}, time.Time{})
		for name, err := range calls {
			require.ErrorIs(t, err, store.ErrNotMigrated, name)
			assert.Contains(t, err.Error(), "call Migrate", name)
			assert.NotErrorIs(t, err, importer.ErrNotFound, name)
		}
		require.NoError(t, s.Migrate(ctx))
		_, err := s.GetWorkspace(ctx, "ws_1")
		assert.ErrorIs(t, err, campaign.ErrNotFound, "after Migrate, a plain not found")
	}
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "cs.db"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		check(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := postgres.Open(ctx, postgrestest.Schema(t), postgres.WithVirtualTime())
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		check(t, s)
	})
}
