package dialer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/telephony/sim"
)

// storedPoolEngine builds and starts an engine for w's campaign whose
// caller-ID pool keeps its state in w's store, with a fresh simulated
// carrier where nobody answers.
func storedPoolEngine(t *testing.T, w *world) *dialer.Engine {
	t.Helper()
	var err error
	w.carrier, err = sim.New(sim.Config{Seed: 4, AnswerProb: sim.Constant(0), Now: w.clock.Now})
	require.NoError(t, err)
	e, err := dialer.New(w.ctx, dialer.Config{
		Workspace: w.admin.WorkspaceID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
		Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now,
		CallerIDStore: w.st,
	})
	require.NoError(t, err)
	require.NoError(t, e.Start(w.ctx))
	w.engine = e
	return e
}

func callsFrom(as []campaign.Attempt) map[string]int {
	n := map[string]int{}
	for _, a := range as {
		n[a.CallerID]++
	}
	return n
}

// TestCallerIDDailyCapSurvivesRestart: an engine places calls up to the
// daily cap of each number; a new engine over the same store places none
// the same local day, and dialing resumes the next day.
func TestCallerIDDailyCapSurvivesRestart(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1,
		CallerIDPool: campaign.CallerIDPoolSettings{DailyCap: 2, Rotation: campaign.RotateRoundRobin}}, 12, sim.Config{Seed: 4, AnswerProb: sim.Constant(0)})
	require.NoError(t, w.engine.Stop(w.ctx)) // newWorld's engine keeps no state
	ws := w.admin.WorkspaceID

	e := storedPoolEngine(t, w)
	w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, e, w.carrier, w.clock, start.Add(20*time.Minute)))
	require.NoError(t, e.Stop(w.ctx))
	assert.Equal(t, map[string]int{"+14155550100": 2, "+14155550101": 2}, callsFrom(w.attempts()), "two calls from each number")
	sts, err := w.st.CallerIDStates(w.ctx, ws, nil)
	require.NoError(t, err)
	require.Len(t, sts, 2)
	for _, st := range sts {
		assert.Equal(t, "2026-11-02", st.Day, "the campaign's local day")
		assert.Equal(t, 2, st.CallsToday)
		assert.Equal(t, int64(2), st.CallsTotal)
	}

	// A restart the same day: the caps are spent, nothing is dialled.
	e = storedPoolEngine(t, w)
	w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, e, w.carrier, w.clock, start.Add(2*time.Hour)))
	require.NoError(t, e.Stop(w.ctx))
	assert.Len(t, w.attempts(), 4, "a restarted engine keeps today's caps")

	// The next local day the counts start again.
	w.clock.Set(start.Add(24 * time.Hour))
	e = storedPoolEngine(t, w)
	w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, e, w.carrier, w.clock, start.Add(24*time.Hour+20*time.Minute)))
	require.NoError(t, e.Stop(w.ctx))
	assert.Equal(t, map[string]int{"+14155550100": 4, "+14155550101": 4}, callsFrom(w.attempts()), "two more from each number the next day")
	sts, err = w.st.CallerIDStates(w.ctx, ws, nil)
	require.NoError(t, err)
	for _, st := range sts {
		assert.Equal(t, "2026-11-03", st.Day)
		assert.Equal(t, 2, st.CallsToday)
		assert.Equal(t, int64(4), st.CallsTotal)
	}
}

// TestCallerIDStoredStateDisablesAndExcludes: a number disabled in the
// store, or whose stored spam score passes the campaign's threshold, is
// not used by an engine built afterwards.
func TestCallerIDStoredStateDisablesAndExcludes(t *testing.T) {
	for name, u := range map[string]campaign.CallerIDUpdate{
		"disabled": {Disabled: ptr(true)},
		"spam":     {SpamScore: ptr(9.0)},
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 4, sim.Config{Seed: 4, AnswerProb: sim.Constant(0)})
			require.NoError(t, w.engine.Stop(w.ctx))
			_, err := w.st.UpdateCallerID(w.ctx, w.admin.WorkspaceID, "+14155550100", u, w.clock.Now())
			require.NoError(t, err)
			e := storedPoolEngine(t, w)
			w.login(1)
			require.NoError(t, dialer.RunVirtual(w.ctx, e, w.carrier, w.clock, start.Add(20*time.Minute)))
			require.NoError(t, e.Stop(w.ctx))
			assert.Equal(t, map[string]int{"+14155550101": 4}, callsFrom(w.attempts()))
		})
	}
}

func ptr[T any](v T) *T { return &v }
