package dialer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/memory"
)

// TestPickCallerIDSharesTheStoredCap: another process counts uses of a
// number after this engine loaded the pool; the store refuses the use past
// the cap, the engine moves to the next number, and the refused number is
// not tried again that day.
func TestPickCallerIDSharesTheStoredCap(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	ws := campaign.Workspace{ID: "ws_1", Name: "Acme", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, st.CreateWorkspace(ctx, ws, campaign.Member{WorkspaceID: ws.ID, UserID: "ada", Role: campaign.RoleTeamAdmin, CreatedAt: t0},
		campaign.AuditEntry{WorkspaceID: ws.ID, At: t0}))
	p := pool(t, PoolConfig{Numbers: []CallerID{{Number: "+14155550101"}, {Number: "+14155550102"}}, DailyCap: 2})
	e := &Engine{cfg: Config{Workspace: ws.ID, CallerIDStore: st}, pool: p}
	require.NoError(t, e.loadCallerIDs(ctx, t0))

	// Another process spends the first number's cap.
	for range 2 {
		_, err := st.RecordCallerIDUse(ctx, ws.ID, campaign.CallerIDUse{Number: "+14155550101", Day: "2026-11-02", DailyCap: 2, At: t0})
		require.NoError(t, err)
	}
	var got []string
	for range 3 {
		from, err := e.pickCallerID(ctx, e.pool, t0)
		if err != nil {
			require.ErrorIs(t, err, ErrNoCallerID)
			break
		}
		got = append(got, from)
	}
	assert.Equal(t, []string{"+14155550102", "+14155550102"}, got, "the first number is at the stored cap")
	sts, err := st.CallerIDStates(ctx, ws.ID, nil)
	require.NoError(t, err)
	require.Len(t, sts, 2)
	assert.Equal(t, 2, sts[0].CallsToday, "the refused use was not counted")
	assert.Equal(t, 2, sts[1].CallsToday)
	ns := p.Numbers(t0)
	assert.Equal(t, 2, ns[0].CallsToday, "the pool knows the first number is spent")
	assert.Equal(t, int64(2), ns[0].CallsTotal)

	// The next local day both numbers are used again.
	from, err := e.pickCallerID(ctx, e.pool, t0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.NotEmpty(t, from)
}
