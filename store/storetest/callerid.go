package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
)

// callerIDTests check caller-ID state (campaign.CallerIDStore).
var callerIDTests = []struct {
	name string
	fn   func(t *testing.T, h *harness, cs campaign.CallerIDStore)
}{
	{"CallerIDRecordUse", testCallerIDRecordUse},
	{"CallerIDUpdate", testCallerIDUpdate},
	{"CallerIDConcurrentUses", testCallerIDConcurrentUses},
}

func runCallerIDTests(t *testing.T, newStore NewStore) {
	for _, tt := range callerIDTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, newHarness(t, s), s)
		})
	}
}

const (
	cidA = "+14155550101"
	cidB = "+14155550102"
)

func testCallerIDRecordUse(t *testing.T, h *harness, cs campaign.CallerIDStore) {
	ws := h.workspace("acme").WorkspaceID
	t0 := h.clock.Now()

	got, err := cs.CallerIDStates(h.ctx, ws, nil)
	require.NoError(t, err)
	assert.Empty(t, got, "a number never used has no state")

	use := func(day string, limit int, at time.Time) (campaign.CallerIDState, error) {
		return cs.RecordCallerIDUse(h.ctx, ws, campaign.CallerIDUse{Number: cidA, Day: day, DailyCap: limit, At: at})
	}
	for i := 1; i <= 3; i++ {
		st, err := use("2026-03-08", 3, t0.Add(time.Duration(i)*time.Second))
		require.NoError(t, err, "use %d", i)
		assert.Equal(t, i, st.CallsToday)
		assert.Equal(t, int64(i), st.CallsTotal)
		assert.Equal(t, "2026-03-08", st.Day)
		assert.Equal(t, ws, st.WorkspaceID)
		assert.Equal(t, cidA, st.Number)
		assert.True(t, st.UpdatedAt.Equal(t0.Add(time.Duration(i)*time.Second)), "updated %s", st.UpdatedAt)
		assertUTC(t, st.UpdatedAt)
	}
	// The cap refuses the fourth use and counts nothing.
	st, err := use("2026-03-08", 3, t0.Add(time.Minute))
	require.ErrorIs(t, err, campaign.ErrCallerIDCapped)
	assert.Equal(t, 3, st.CallsToday, "the refusing state is returned")
	assert.Equal(t, int64(3), st.CallsTotal)
	// A host whose clock lags counts in the stored day, under its cap.
	_, err = use("2026-03-07", 3, t0.Add(time.Minute))
	require.ErrorIs(t, err, campaign.ErrCallerIDCapped)
	st, err = use("2026-03-07", 0, t0.Add(time.Minute))
	require.NoError(t, err, "no cap")
	assert.Equal(t, "2026-03-08", st.Day)
	assert.Equal(t, 4, st.CallsToday)
	// The next local day starts a new count; the total goes on.
	st, err = use("2026-03-09", 3, t0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, "2026-03-09", st.Day)
	assert.Equal(t, 1, st.CallsToday)
	assert.Equal(t, int64(5), st.CallsTotal)

	got, err = cs.CallerIDStates(h.ctx, ws, []string{cidA, cidB})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, st, got[0], "the stored state reads back")

	// Bad input is refused with nothing counted.
	for _, bad := range []campaign.CallerIDUse{
		{Number: "", Day: "2026-03-09", At: t0},
		{Number: cidA, Day: "09/03/2026", At: t0},
		{Number: cidA, Day: "2026-03-09", DailyCap: -1, At: t0},
	} {
		_, err := cs.RecordCallerIDUse(h.ctx, ws, bad)
		require.ErrorIs(t, err, campaign.ErrInvalid, "%+v", bad)
	}
	_, err = cs.RecordCallerIDUse(h.ctx, "ws_missing", campaign.CallerIDUse{Number: cidA, Day: "2026-03-09", At: t0})
	require.ErrorIs(t, err, campaign.ErrNotFound, "an unknown workspace")
	got, err = cs.CallerIDStates(h.ctx, ws, nil)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, int64(5), got[0].CallsTotal)
}

func testCallerIDUpdate(t *testing.T, h *harness, cs campaign.CallerIDStore) {
	ws := h.workspace("acme").WorkspaceID
	other := h.workspace("other").WorkspaceID
	t0 := h.clock.Now()
	yes, no, score := true, false, 8.5

	st, err := cs.UpdateCallerID(h.ctx, ws, cidB, campaign.CallerIDUpdate{SpamScore: &score}, t0)
	require.NoError(t, err)
	assert.Equal(t, campaign.CallerIDState{WorkspaceID: ws, Number: cidB, SpamScore: 8.5, UpdatedAt: st.UpdatedAt}, st)
	assert.True(t, st.UpdatedAt.Equal(t0))

	_, err = cs.RecordCallerIDUse(h.ctx, ws, campaign.CallerIDUse{Number: cidA, Day: "2026-03-08", DailyCap: 10, At: t0})
	require.NoError(t, err)
	st, err = cs.UpdateCallerID(h.ctx, ws, cidA, campaign.CallerIDUpdate{Disabled: &yes}, t0.Add(time.Second))
	require.NoError(t, err)
	assert.True(t, st.Disabled)
	assert.Equal(t, 1, st.CallsToday, "an update keeps the counts")
	assert.Equal(t, int64(1), st.CallsTotal)
	assert.Equal(t, "2026-03-08", st.Day)

	// nil fields keep the stored values.
	st, err = cs.UpdateCallerID(h.ctx, ws, cidB, campaign.CallerIDUpdate{Disabled: &no}, t0.Add(2*time.Second))
	require.NoError(t, err)
	assert.False(t, st.Disabled)
	assert.InDelta(t, 8.5, st.SpamScore, 1e-9, "the score is kept")
	zero := 0.0
	st, err = cs.UpdateCallerID(h.ctx, ws, cidA, campaign.CallerIDUpdate{SpamScore: &zero}, t0.Add(3*time.Second))
	require.NoError(t, err)
	assert.True(t, st.Disabled, "disabled is kept")
	assert.Zero(t, st.SpamScore)

	for _, bad := range []float64{-1, 10.5} {
		_, err := cs.UpdateCallerID(h.ctx, ws, cidA, campaign.CallerIDUpdate{SpamScore: &bad}, t0)
		require.ErrorIs(t, err, campaign.ErrInvalid, "score %g", bad)
	}
	_, err = cs.UpdateCallerID(h.ctx, ws, "", campaign.CallerIDUpdate{Disabled: &yes}, t0)
	require.ErrorIs(t, err, campaign.ErrInvalid)
	_, err = cs.UpdateCallerID(h.ctx, "ws_missing", cidA, campaign.CallerIDUpdate{Disabled: &yes}, t0)
	require.ErrorIs(t, err, campaign.ErrNotFound)

	got, err := cs.CallerIDStates(h.ctx, ws, nil)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, []string{cidA, cidB}, []string{got[0].Number, got[1].Number}, "ordered by number")
	assert.True(t, got[0].Disabled)
	assert.InDelta(t, 8.5, got[1].SpamScore, 1e-9)
	got, err = cs.CallerIDStates(h.ctx, ws, []string{cidB})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, cidB, got[0].Number)

	// Another workspace's numbers are its own.
	got, err = cs.CallerIDStates(h.ctx, other, nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	st, err = cs.RecordCallerIDUse(h.ctx, other, campaign.CallerIDUse{Number: cidA, Day: "2026-03-08", DailyCap: 1, At: t0})
	require.NoError(t, err)
	assert.False(t, st.Disabled)
	assert.Equal(t, 1, st.CallsToday)
}

// testCallerIDConcurrentUses records uses of one number from many
// goroutines at once: none is lost and the cap is never passed.
func testCallerIDConcurrentUses(t *testing.T, h *harness, cs campaign.CallerIDStore) {
	ws := h.workspace("acme").WorkspaceID
	const workers, each, limit = 6, 10, 40
	var ok, capped atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				_, err := cs.RecordCallerIDUse(h.ctx, ws, campaign.CallerIDUse{Number: cidA, Day: "2026-03-08", DailyCap: limit, At: h.clock.Now()})
				switch {
				case err == nil:
					ok.Add(1)
				case assert.ErrorIs(t, err, campaign.ErrCallerIDCapped):
					capped.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(limit), ok.Load(), "exactly the cap's uses succeed")
	assert.Equal(t, int64(workers*each-limit), capped.Load())
	got, err := cs.CallerIDStates(h.ctx, ws, []string{cidA})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, limit, got[0].CallsToday)
	assert.Equal(t, int64(limit), got[0].CallsTotal)
}
