package dialer_test

import (
	"context"
	"errors"
	"sync"
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

// slowDialCarrier is a simulated carrier in real time whose second Dial
// blocks for block; it records when each answer arrives and when each
// bridge is asked for.
type slowDialCarrier struct {
	*sim.Carrier
	block time.Duration

	mu        sync.Mutex
	dials     int
	slowDone  time.Time
	answered  map[telephony.CallID]time.Time
	bridgedAt map[telephony.CallID]time.Time
}

func (c *slowDialCarrier) Start(ctx context.Context, sink telephony.EventSink) error {
	return c.Carrier.Start(ctx, telephony.SinkFunc(func(ctx context.Context, ev telephony.Event) error {
		if ev.Type == telephony.EventAnsweredHuman {
			c.mu.Lock()
			c.answered[ev.CallID] = time.Now()
			c.mu.Unlock()
		}
		return sink.HandleEvent(ctx, ev)
	}))
}

func (c *slowDialCarrier) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	c.mu.Lock()
	c.dials++
	slow := c.dials == 2
	c.mu.Unlock()
	if slow {
		select {
		case <-time.After(c.block):
		case <-ctx.Done():
			return "", &telephony.Error{Code: telephony.CodeTimeout, Unknown: true, Err: ctx.Err()}
		}
		defer func() {
			c.mu.Lock()
			c.slowDone = time.Now()
			c.mu.Unlock()
		}()
	}
	return c.Carrier.Dial(ctx, req)
}

func (c *slowDialCarrier) Bridge(ctx context.Context, id telephony.CallID, to telephony.Endpoint) error {
	c.mu.Lock()
	c.bridgedAt[id] = time.Now()
	c.mu.Unlock()
	return c.Carrier.Bridge(ctx, id, to)
}

// TestBridgeNotDelayedByASlowDial: a carrier whose Dial blocks for a second
// while another line answers. The answer is bridged within BridgeWithin,
// and before the blocked dial returns: no answered call waits behind a
// dial request.
func TestBridgeNotDelayedByASlowDial(t *testing.T) {
	defer goleak.VerifyNone(t)
	zone := simagent.OpenZone(time.Now())
	settings := campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1, DialerInterval: 100 * time.Millisecond, WrapUp: 100 * time.Millisecond}
	f := newFleet(t, time.Now, settings, 2, zone, "")
	sc, err := sim.New(sim.Config{Seed: 1, Now: time.Now, Override: humanAnswers(100*time.Millisecond, 5*time.Second)})
	require.NoError(t, err)
	carrier := &slowDialCarrier{Carrier: sc, block: time.Second, answered: map[telephony.CallID]time.Time{}, bridgedAt: map[telephony.CallID]time.Time{}}
	q, err := queue.NewService(queue.Config{Store: f.st, Campaigns: f.st, Suppression: f.supp, Authorizer: f.svc})
	require.NoError(t, err)
	eng, err := dialer.New(f.ctx, dialer.Config{Workspace: f.admin.WorkspaceID, Campaign: f.c.ID, Campaigns: dialer.CampaignSource{Store: f.st, Service: f.svc},
		Queue: q, Attempts: f.st, Suppression: f.supp, Authorizer: f.svc, Carrier: carrier, DrainTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	for _, id := range []campaign.UserID{"agent0", "agent1"} {
		_, err := f.svc.PutMember(f.ctx, f.admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
		require.NoError(t, err)
		require.NoError(t, eng.Login(f.ctx, campaign.Actor{WorkspaceID: f.admin.WorkspaceID, UserID: id},
			dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(id)}}))
	}
	ctx, cancel := context.WithCancel(f.ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = sim.RunRealtime(ctx, sc, 5*time.Millisecond) })
	runErr := make(chan error, 1)
	wg.Go(func() { runErr <- eng.Run(ctx) })

	deadline := time.Now().Add(5 * time.Second)
	for {
		carrier.mu.Lock()
		n, done := len(carrier.bridgedAt), !carrier.slowDone.IsZero()
		carrier.mu.Unlock()
		if n >= 1 && done {
			break
		}
		require.True(t, time.Now().Before(deadline), "no bridge and no slow dial return within 5 s")
		time.Sleep(10 * time.Millisecond)
	}
	// Stats never waits on the blocked dial either.
	_ = eng.Stats()
	cancel()
	require.NoError(t, <-runErr)
	wg.Wait()

	carrier.mu.Lock()
	defer carrier.mu.Unlock()
	require.NotEmpty(t, carrier.answered)
	var first telephony.CallID
	for id, at := range carrier.answered {
		if first == "" || at.Before(carrier.answered[first]) {
			first = id
		}
	}
	b, ok := carrier.bridgedAt[first]
	require.True(t, ok, "the first answer was never bridged")
	wait := b.Sub(carrier.answered[first])
	t.Logf("answer → bridge request %s; slow dial returned %s after the answer", wait, carrier.slowDone.Sub(carrier.answered[first]))
	assert.Less(t, wait, 2*time.Second, "bridged within BridgeWithin")
	assert.True(t, b.Before(carrier.slowDone), "the bridge waited for the blocked dial")
}

// outcomeWorld is one agent who takes one short call, on a campaign with
// the default HopperExpiry (5 min) and ContactCompletionTimeout (10 min).
func outcomeWorld(t *testing.T) (*world, campaign.Actor, string) {
	t.Helper()
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 1, sim.Config{Seed: 2,
		Override: humanAnswers(5*time.Second, 30*time.Second)})
	w.login(1)
	agent := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}
	for i := 0; i < 120 && len(w.engine.Awaiting("agent0")) == 0; i++ {
		require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, w.clock.Now().Add(time.Second)))
	}
	att := w.engine.Awaiting("agent0")
	require.Len(t, att, 1)
	return w, agent, att[0]
}

// TestOutcomeOutlivesHopperExpiry: the call's lease lives until its
// outcome is saved, whatever HopperExpiry is; after the completion timeout
// the attempt is written without it, says why, and a late save is a clear
// error and a count in Stats.
func TestOutcomeOutlivesHopperExpiry(t *testing.T) {
	for _, after := range []time.Duration{2 * time.Minute, 3 * time.Minute, 8 * time.Minute} {
		t.Run(after.String(), func(t *testing.T) {
			w, agent, att := outcomeWorld(t)
			ended := w.clock.Now()
			require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, ended.Add(after)))
			require.NoError(t, w.engine.SaveOutcome(w.ctx, agent, att, dialer.OutcomeInput{DispositionID: w.disp.ID, Note: "late but fine"}))
			require.NoError(t, w.engine.Stop(w.ctx))
			as := w.attempts()
			require.Len(t, as, 1)
			assert.Equal(t, w.disp.ID, as[0].DispositionID)
			assert.Equal(t, campaign.ResultHuman, as[0].Result)
			assert.Equal(t, "late but fine", as[0].Outcome.Note)
			assert.Zero(t, w.engine.Stats().LostOutcomes)
		})
	}
	t.Run("12m0s", func(t *testing.T) {
		w, agent, att := outcomeWorld(t)
		ended := w.clock.Now()
		require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, ended.Add(12*time.Minute)))
		err := w.engine.SaveOutcome(w.ctx, agent, att, dialer.OutcomeInput{DispositionID: w.disp.ID})
		require.ErrorIs(t, err, dialer.ErrOutcomeTimeout)
		assert.Contains(t, err.Error(), "ContactCompletionTimeout 10m0s")
		assert.Equal(t, 1, w.engine.Stats().LostOutcomes)
		require.NoError(t, w.engine.Stop(w.ctx))
		as := w.attempts()
		require.Len(t, as, 1)
		assert.Equal(t, campaign.ResultHuman, as[0].Result, "the conversation is logged as such, not as unknown")
		assert.Empty(t, as[0].DispositionID)
		assert.Contains(t, as[0].Outcome.Note, "no outcome saved within the contact completion timeout")
	})
}

// TestEngineRefusesOtherWorkspacesAndViewers: the engine authorises every
// actor in its own workspace; an admin of another workspace, and a member
// of this one whose role may not take calls, are refused.
func TestEngineRefusesOtherWorkspacesAndViewers(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPreview}, 2, sim.Config{Seed: 1})
	other, err := w.svc.CreateWorkspace(w.ctx, campaign.Member{UserID: "mallory"}, campaign.Workspace{Name: "Other"})
	require.NoError(t, err)
	// mallory is admin of Other and, to make it harder, a viewer here.
	_, err = w.svc.PutMember(w.ctx, w.admin, campaign.Member{UserID: "mallory", Role: campaign.RoleViewer})
	require.NoError(t, err)
	ep := dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "m"}}
	for _, actor := range []campaign.Actor{{WorkspaceID: other.ID, UserID: "mallory"}, {WorkspaceID: w.admin.WorkspaceID, UserID: "mallory"}} {
		assert.ErrorIs(t, w.engine.Login(w.ctx, actor, ep), campaign.ErrForbidden, "%+v", actor)
		_, err := w.engine.Preview(w.ctx, actor)
		assert.ErrorIs(t, err, campaign.ErrForbidden)
		_, err = w.engine.Dial(w.ctx, actor, dialer.PreviewContext{})
		assert.ErrorIs(t, err, campaign.ErrForbidden)
		assert.ErrorIs(t, w.engine.Skip(w.ctx, actor, dialer.PreviewContext{}), campaign.ErrForbidden)
		assert.ErrorIs(t, w.engine.SaveOutcome(w.ctx, actor, "att", dialer.OutcomeInput{}), campaign.ErrForbidden)
	}
	assert.Empty(t, w.engine.Agents())
	require.NoError(t, w.engine.Stop(w.ctx))
}

// TestMisconfigurationFailsLoudly: a draft campaign, a campaign without
// caller IDs and a preview dial on an engine nothing drives are errors
// that say what to do.
func TestMisconfigurationFailsLoudly(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPreview}, 2, sim.Config{Seed: 1})
	base := dialer.Config{Workspace: w.admin.WorkspaceID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
		Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now}

	draft, err := w.svc.CreateCampaign(w.ctx, w.admin, campaign.Campaign{Name: "Draft", Timezone: "America/New_York",
		Settings: campaign.Settings{CallerIDs: []string{"+14155550100"}}})
	require.NoError(t, err)
	cfg := base
	cfg.Campaign = draft.ID
	_, err = dialer.New(w.ctx, cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a draft: move it to queued or running")

	bare, err := w.svc.CreateCampaign(w.ctx, w.admin, campaign.Campaign{Name: "No numbers", Timezone: "America/New_York"})
	require.NoError(t, err)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, err = w.svc.Transition(w.ctx, w.admin, bare.ID, to, "")
		require.NoError(t, err)
	}
	cfg.Campaign = bare.ID
	_, err = dialer.New(w.ctx, cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no caller IDs")
	assert.Contains(t, err.Error(), "Settings.CallerIDs")

	// The world's engine was started but is driven by nothing: a preview
	// dial says so instead of placing a call nobody follows.
	w.login(1)
	agent := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}
	p, err := w.engine.Preview(w.ctx, agent)
	require.NoError(t, err)
	_, err = w.engine.Dial(w.ctx, agent, p)
	require.ErrorIs(t, err, dialer.ErrNotRunning)
	assert.Contains(t, err.Error(), "call Run")
	assert.Zero(t, w.carrier.Dials())
	require.NoError(t, w.engine.Skip(w.ctx, agent, p))
	require.NoError(t, w.engine.Stop(w.ctx))
}

// TestHangupRetriedUntilItWorks: a hang-up that fails is retried with
// backoff; a call still up after the retries shows in Stats until the
// carrier finally hangs it up.
func TestHangupRetriedUntilItWorks(t *testing.T) {
	machine := sim.Config{Seed: 3, Patience: time.Hour, Override: func(_ telephony.DialRequest, s sim.Script) sim.Script {
		s.Outcome, s.Ring = sim.OutcomeMachine, 5*time.Second
		return s
	}}
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1, AMD: campaign.AMDEnable}, 1, machine)
	machine.Now = w.clock.Now
	var err error
	w.carrier, err = sim.New(machine)
	require.NoError(t, err)
	failing := &failingHangups{Carrier: w.carrier, left: 7}
	eng, err := dialer.New(w.ctx, dialer.Config{Workspace: w.admin.WorkspaceID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
		Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: failing, Clock: w.clock.Now})
	require.NoError(t, err)
	require.NoError(t, w.engine.Stop(w.ctx))
	w.engine = eng
	w.login(1)
	vt := dialer.NewVirtualTime()
	// Machine answers at 5 s; the hang-up fails 7 times: retries at 1, 2,
	// 4, 8 s, … → after the fifth failure the call counts as unhung.
	require.NoError(t, vt.Run(w.ctx, eng, w.carrier, w.clock, start.Add(40*time.Second)))
	st := eng.Stats()
	assert.Equal(t, 1, st.HangupFailures)
	assert.Equal(t, 1, st.Unhung, "the call that could not be hung up shows in Stats")
	require.NoError(t, vt.Run(w.ctx, eng, w.carrier, w.clock, start.Add(5*time.Minute)))
	st = eng.Stats()
	assert.Equal(t, 8, failing.calls(), "retried until it worked")
	assert.Zero(t, st.Unhung, "hung up at last")
	require.NoError(t, eng.Stop(w.ctx))
}

type failingHangups struct {
	*sim.Carrier
	mu    sync.Mutex
	left  int
	tries int
}

func (f *failingHangups) Hangup(ctx context.Context, id telephony.CallID) error {
	f.mu.Lock()
	f.tries++
	fail := f.left > 0
	f.left--
	f.mu.Unlock()
	if fail {
		return &telephony.Error{Code: telephony.CodeUnavailable, Retryable: true, Err: errors.New("503")}
	}
	return f.Carrier.Hangup(ctx, id)
}

func (f *failingHangups) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries
}

// TestCallerIDPoolFromCampaignSettings: the pool's configuration is a
// campaign setting; a daily cap of one call per number stops dialing after
// one call from each of the two numbers.
func TestCallerIDPoolFromCampaignSettings(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1,
		CallerIDPool: campaign.CallerIDPoolSettings{DailyCap: 1, Rotation: campaign.RotateLeastUsed}}, 6, sim.Config{Seed: 4, AnswerProb: sim.Constant(0)})
	w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(20*time.Minute)))
	require.NoError(t, w.engine.Stop(w.ctx))
	as := w.attempts()
	require.Len(t, as, 2, "one call a day from each number")
	assert.NotEqual(t, as[0].CallerID, as[1].CallerID)

	_, err := w.svc.CreateCampaign(w.ctx, w.admin, campaign.Campaign{Name: "bad", Timezone: "America/New_York",
		Settings: campaign.Settings{CallerIDPool: campaign.CallerIDPoolSettings{Rotation: "random"}}})
	require.ErrorIs(t, err, campaign.ErrInvalid)
	assert.Contains(t, err.Error(), "Settings.CallerIDPool.Rotation")
}
