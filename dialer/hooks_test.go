package dialer_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// hookCounts counts the host callbacks that called back into the engine.
type hookCounts struct {
	spans, abandons atomic.Int32
}

// reentrantHooks returns Spans and OnAbandon callbacks that call the
// engine's methods, as a host's dashboard does. eng is read when they run.
func reentrantHooks(eng **dialer.Engine, n *hookCounts) (func(campaign.AgentSpan), func(campaign.Attempt)) {
	spans := func(sp campaign.AgentSpan) {
		e := *eng
		_ = e.Agents()
		_ = e.Awaiting(sp.AgentID)
		_, _ = e.CurrentCall(sp.AgentID)
		_ = e.Stats()
		n.spans.Add(1)
	}
	abandons := func(a campaign.Attempt) {
		e := *eng
		_ = e.Agents()
		_, _ = e.CallOf(string(a.ID))
		n.abandons.Add(1)
	}
	return spans, abandons
}

// finishes runs f and fails the test if it has not returned within d: a
// deadlock shows as a failure, not a hung test binary.
func finishes(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not return within %s: the engine deadlocked on a callback calling it", d)
	}
}

// TestCallbacksMayCallTheEngineVirtualTime: Config.Spans and
// Config.OnAbandon run outside the engine's lock, so a callback that asks
// the engine for its agents or calls does not deadlock it (it did when
// they ran inside the step).
func TestCallbacksMayCallTheEngineVirtualTime(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 3, MaxAttempts: 1}, 200, sim.Config{Seed: 3, AnswerProb: sim.Constant(0.6)})
	require.NoError(t, w.engine.Stop(w.ctx))
	var err error
	w.carrier, err = sim.New(sim.Config{Seed: 3, AnswerProb: sim.Constant(0.6), Now: w.clock.Now})
	require.NoError(t, err)
	var eng *dialer.Engine
	var n hookCounts
	spans, abandons := reentrantHooks(&eng, &n)
	eng, err = dialer.New(w.ctx, dialer.Config{
		Workspace: w.admin.WorkspaceID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
		Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now,
		Spans: spans, OnAbandon: abandons,
	})
	require.NoError(t, err)
	require.NoError(t, eng.Start(w.ctx))
	w.engine = eng
	agents := w.login(1)
	finishes(t, 30*time.Second, func() {
		require.NoError(t, dialer.RunVirtual(w.ctx, eng, w.carrier, w.clock, start.Add(20*time.Minute), agents))
		require.NoError(t, eng.Stop(w.ctx))
	})
	assert.Positive(t, n.spans.Load(), "spans delivered")
	assert.Positive(t, n.abandons.Load(), "abandons delivered")
	assert.Equal(t, eng.Stats().Abandoned, int(n.abandons.Load()), "one OnAbandon per abandoned call")
}

// TestCallbacksMayCallTheEngineUnderRun: the same in real time, with Run
// owning the engine's state and the callbacks calling back into it.
func TestCallbacksMayCallTheEngineUnderRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	zone := simagent.OpenZone(time.Now())
	settings := campaign.Settings{DialMode: campaign.DialPower, CallRatio: 3, MaxAttempts: 1, DialerInterval: 100 * time.Millisecond, WrapUp: time.Second}
	f := newFleet(t, time.Now, settings, 60, zone, "")
	sc, err := sim.New(sim.Config{Seed: 1, Now: time.Now, Override: humanAnswers(100*time.Millisecond, 3*time.Second)})
	require.NoError(t, err)
	qs, err := queue.NewService(queue.Config{Store: f.st, Campaigns: f.st, Suppression: f.supp, Authorizer: f.svc})
	require.NoError(t, err)
	var eng *dialer.Engine
	var n hookCounts
	spans, abandons := reentrantHooks(&eng, &n)
	eng, err = dialer.New(f.ctx, dialer.Config{Workspace: f.admin.WorkspaceID, Campaign: f.c.ID, Campaigns: dialer.CampaignSource{Store: f.st, Service: f.svc},
		Queue: qs, Attempts: f.st, Suppression: f.supp, Authorizer: f.svc, Carrier: sc, DrainTimeout: 100 * time.Millisecond,
		Spans: spans, OnAbandon: abandons})
	require.NoError(t, err)
	_, err = f.svc.PutMember(f.ctx, f.admin, campaign.Member{UserID: "agent0", Role: campaign.RoleCaller})
	require.NoError(t, err)
	agent := campaign.Actor{WorkspaceID: f.admin.WorkspaceID, UserID: "agent0"}
	require.NoError(t, eng.Login(f.ctx, agent, dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "agent0"}}))

	ctx, cancel := context.WithCancel(f.ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = sim.RunRealtime(ctx, sc, 5*time.Millisecond) })
	runErr := make(chan error, 1)
	wg.Go(func() { runErr <- eng.Run(ctx) })
	// The agent saves each outcome as it comes, so spans keep closing.
	deadline := time.Now().Add(10 * time.Second)
	for (n.spans.Load() < 4 || n.abandons.Load() < 1) && time.Now().Before(deadline) {
		for _, att := range eng.Awaiting("agent0") {
			_ = eng.SaveOutcome(f.ctx, agent, att, dialer.OutcomeInput{DispositionID: f.disp.ID})
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("stats %+v, spans %d, abandons %d", eng.Stats(), n.spans.Load(), n.abandons.Load())
	cancel()
	finishes(t, 10*time.Second, func() { wg.Wait() })
	require.NoError(t, <-runErr)
	assert.GreaterOrEqual(t, n.spans.Load(), int32(4), "spans delivered while Run went on")
	assert.Positive(t, n.abandons.Load(), "abandons delivered while Run went on")
}

// TestStopCountsOutcomesItCouldNotWait: a call whose agent had not saved
// the outcome when the engine stopped is written without it, says why,
// counts in Stats.LostOutcomes, and a late SaveOutcome says the engine
// stopped; a stopped engine refuses Login and Pause.
func TestStopCountsOutcomesItCouldNotWait(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 5, sim.Config{Seed: 2, AnswerProb: sim.Constant(1)})
	agents := w.login(1) // logged in, but nobody drives its saving
	var waiting []string
	// Step until a call has ended and awaits its outcome (well inside the
	// campaign's 10-minute completion timeout).
	for m := 1; m <= 9 && len(waiting) == 0; m++ {
		require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(time.Duration(m)*time.Minute)))
		waiting = w.engine.Awaiting(agents.ids[0])
	}
	require.NotEmpty(t, waiting, "a call awaits its outcome")
	require.NoError(t, w.engine.Stop(w.ctx))

	// The call awaiting its outcome, and any the agent was still talking
	// on (hung up by Stop), are written without an outcome and counted.
	lost := w.engine.Stats().LostOutcomes
	assert.GreaterOrEqual(t, lost, len(waiting))
	err := w.engine.SaveOutcome(w.ctx, campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: agents.ids[0]}, waiting[0], dialer.OutcomeInput{DispositionID: w.disp.ID})
	assert.ErrorIs(t, err, dialer.ErrStopped)
	noted := 0
	for _, a := range w.attempts() {
		if strings.Contains(a.Outcome.Note, "stopped before the outcome was saved") {
			noted++
			assert.Empty(t, a.DispositionID)
			if string(a.ID) == waiting[0] {
				assert.Equal(t, campaign.ResultHuman, a.Result, "the ended call keeps its result")
			}
		}
	}
	assert.Equal(t, lost, noted, "every lost outcome says why in its attempt")
	me := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: agents.ids[0]}
	assert.ErrorIs(t, w.engine.Login(w.ctx, me, dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "x"}}), dialer.ErrStopped)
	assert.ErrorIs(t, w.engine.Pause(w.ctx, me, me.UserID, true), dialer.ErrStopped)
}
