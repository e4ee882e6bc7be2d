package dialer_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// dialLog records when each dial was placed, through the simulated
// carrier's FailDial hook.
type dialLog struct {
	mu  sync.Mutex
	now func() time.Time
	at  []time.Time
}

func (d *dialLog) hook(uint64, telephony.DialRequest) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.at = append(d.at, d.now())
	return nil
}

// peak returns the most dials placed within any window of length w
// (open at its start), and within the same instant when w is 0.
func (d *dialLog) peak(w time.Duration) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	best := 0
	for i, t := range d.at {
		n := 0
		for _, u := range d.at[:i+1] {
			if u.After(t.Add(-w)) || u.Equal(t) {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// ringOnly is a carrier where every call rings 25 s and ends unanswered.
func ringOnly(log *dialLog) sim.Config {
	return sim.Config{Seed: 1, AnswerProb: sim.Constant(0), HeldProb: -1, FailDial: log.hook}
}

func TestMaxConcurrentCallsCapsCallsInFlight(t *testing.T) {
	log := &dialLog{}
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 10, MaxConcurrentCalls: 5, CallSpacing: 100, MaxAttempts: 1}, 200, ringOnly(log))
	log.now = w.clock.Now
	agents := w.login(10)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(5*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	require.Greater(t, len(log.at), 20, "the campaign dialled steadily")
	assert.Equal(t, 5, log.peak(25*time.Second), "never more than MaxConcurrentCalls ringing at once (100 would be wanted)")
}

func TestCallSpacingCapsNewCallsPerSecond(t *testing.T) {
	log := &dialLog{}
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 10, MaxConcurrentCalls: 400, CallSpacing: 3, MaxAttempts: 1}, 400, ringOnly(log))
	log.now = w.clock.Now
	agents := w.login(20)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	require.Greater(t, len(log.at), 60, "the spacing, not the queue, limited the dials")
	assert.LessOrEqual(t, log.peak(time.Second), 3, "at most CallSpacing new calls in any second")
	assert.LessOrEqual(t, len(log.at), 3*61)
}

// eagerPacer asks for calls every tick and notes the ticks at which a
// live answer was waiting for an agent.
type eagerPacer struct {
	mu        sync.Mutex
	waitingAt []time.Time
}

func (p *eagerPacer) Decide(obs pacing.Observation) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if obs.Waiting > 0 {
		p.waitingAt = append(p.waitingAt, obs.Now)
	}
	return 3
}

func (p *eagerPacer) Observe(pacing.Event) {}

func TestDampersStopDialingWhileAnswersWait(t *testing.T) {
	// run returns the dials placed at a tick when an answer was waiting,
	// and the number of such ticks.
	run := func(dampers int) (dials, ticks int) {
		log := &dialLog{}
		simCfg := sim.Config{Seed: 3, AnswerProb: sim.Constant(0.6), HeldProb: -1, TalkMean: 20 * time.Second, FailDial: log.hook}
		w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, MaxAttempts: 1}, 400, simCfg)
		require.NoError(t, w.engine.Stop(w.ctx))
		simCfg.Now, log.now = w.clock.Now, w.clock.Now
		var err error
		w.carrier, err = sim.New(simCfg)
		require.NoError(t, err)
		p := &eagerPacer{}
		eng, err := dialer.New(w.ctx, dialer.Config{Workspace: w.admin.WorkspaceID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
			Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now, Dampers: dampers, Pacer: p})
		require.NoError(t, err)
		w.engine = eng
		require.NoError(t, eng.Start(w.ctx))
		agents := w.login(3)
		require.NoError(t, dialer.RunVirtual(w.ctx, eng, w.carrier, w.clock, start.Add(5*time.Minute), agents))
		require.NoError(t, eng.Stop(w.ctx))
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, at := range p.waitingAt {
			for _, d := range log.at {
				if d.Equal(at) {
					dials++
				}
			}
		}
		return dials, len(p.waitingAt)
	}
	freeDials, freeTicks := run(0)
	require.Positive(t, freeTicks, "answers waited for agents")
	require.Positive(t, freeDials, "without dampers the pacer keeps dialling while answers wait")
	dampedDials, dampedTicks := run(1)
	require.Positive(t, dampedTicks)
	assert.Zero(t, dampedDials, "with one damper no call starts while an answer waits")
}

func TestRetryConditionsDecideWhichResultsRetry(t *testing.T) {
	// Every call rings out unanswered; no_answer is not a retry condition,
	// so every contact fails after one attempt although three are allowed.
	log := &dialLog{}
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 2, MaxAttempts: 3, RetryInterval: time.Minute,
		MinTimeBetweenCalls: time.Minute, RetryConditions: []campaign.Result{campaign.ResultBusy}}, 10, ringOnly(log))
	log.now = w.clock.Now
	agents := w.login(3)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(30*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	assert.Len(t, log.at, 10, "one attempt per contact")
	p, err := w.st.ListContacts(w.ctx, w.admin.WorkspaceID, campaign.ContactFilter{CampaignID: w.c.ID})
	require.NoError(t, err)
	for _, c := range p.Contacts {
		assert.Equal(t, campaign.ContactFailed, c.Status)
		assert.Equal(t, 1, c.Attempts)
	}

	// The default conditions include no_answer: the same carrier earns retries.
	log2 := &dialLog{}
	w2 := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 2, MaxAttempts: 3, RetryInterval: time.Minute,
		MinTimeBetweenCalls: time.Minute}, 10, ringOnly(log2))
	log2.now = w2.clock.Now
	agents2 := w2.login(3)
	require.NoError(t, dialer.RunVirtual(w2.ctx, w2.engine, w2.carrier, w2.clock, start.Add(30*time.Minute), agents2))
	require.NoError(t, w2.engine.Stop(w2.ctx))
	assert.Len(t, log2.at, 30, "three attempts per contact")
}

func TestCompletionTimeoutFinishesAnUnsavedOutcome(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, ContactCompletionTimeout: 2 * time.Minute, MaxAttempts: 1},
		1, sim.Config{Seed: 4, AnswerProb: sim.Constant(1), HeldProb: -1, TalkMean: 30 * time.Second})
	w.login(1) // logged in, never saves an outcome
	var ended time.Time
	for i := 0; i < 900 && ended.IsZero(); i++ {
		require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, w.clock.Now().Add(time.Second)))
		if len(w.engine.Awaiting("agent0")) > 0 {
			ended = w.clock.Now()
		}
	}
	require.False(t, ended.IsZero(), "the call ended and awaits its outcome")
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, ended.Add(2*time.Minute-2*time.Second)))
	assert.Len(t, w.engine.Awaiting("agent0"), 1, "still awaited before the timeout")
	assert.Empty(t, w.attempts(), "nothing written before the timeout")
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, ended.Add(2*time.Minute+time.Second)))
	assert.Empty(t, w.engine.Awaiting("agent0"), "finished at the timeout")
	atts := w.attempts()
	require.Len(t, atts, 1)
	assert.Equal(t, campaign.ResultHuman, atts[0].Result)
	assert.Empty(t, atts[0].DispositionID, "no disposition was saved")
	assert.InDelta(t, (2 * time.Minute).Seconds(), atts[0].WrapDuration.Seconds(), 2)
	require.NoError(t, w.engine.Stop(w.ctx))
}

func TestPreviewFlowPreviewSkipDial(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPreview, MaxAttempts: 2}, 3, sim.Config{Seed: 6, AnswerProb: sim.Constant(1), HeldProb: -1, TalkMean: 20 * time.Second})
	w.login(1)
	agent := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(time.Minute)))
	assert.Zero(t, w.engine.Stats().Dials, "preview mode places no call on its own")

	_, err := w.svc.PutMember(w.ctx, w.admin, campaign.Member{UserID: "vic", Role: campaign.RoleViewer})
	require.NoError(t, err)
	_, err = w.engine.Preview(w.ctx, campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "vic"})
	require.ErrorIs(t, err, campaign.ErrForbidden, "a viewer cannot preview")
	_, err = w.engine.Preview(w.ctx, w.admin)
	require.ErrorIs(t, err, dialer.ErrNoAgent, "only a logged-in caller previews")

	p, err := w.engine.Preview(w.ctx, agent)
	require.NoError(t, err)
	first := p.Lease.ContactID
	assert.Equal(t, first, p.Contact.ID)
	assert.Empty(t, p.History)
	assert.Empty(t, p.Suppressed)
	leased, err := w.st.GetContact(w.ctx, w.admin.WorkspaceID, first)
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactDialing, leased.Status, "the previewed contact is the caller's")

	require.NoError(t, w.engine.Skip(w.ctx, agent, p))
	back, err := w.st.GetContact(w.ctx, w.admin.WorkspaceID, first)
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactPending, back.Status, "a skipped contact goes back to the queue uncalled")
	assert.Zero(t, back.Attempts)

	p, err = w.engine.Preview(w.ctx, agent)
	require.NoError(t, err)
	id, err := w.engine.Dial(w.ctx, agent, p)
	require.NoError(t, err)
	require.NotEmpty(t, id)
	_, err = w.engine.Preview(w.ctx, agent)
	require.Error(t, err, "a caller on a call cannot preview another contact")
	for i := 0; i < 600 && len(w.engine.Awaiting("agent0")) == 0; i++ {
		require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, w.clock.Now().Add(time.Second)))
	}
	require.Equal(t, []string{id}, w.engine.Awaiting("agent0"), "the answered preview call went to the caller who dialled it")
	require.NoError(t, w.engine.SaveOutcome(w.ctx, agent, id, dialer.OutcomeInput{DispositionID: w.disp.ID}))
	as, err := w.st.ListAttempts(w.ctx, w.admin.WorkspaceID, queue.AttemptFilter{CampaignID: w.c.ID})
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, campaign.UserID("agent0"), as[0].AgentID)
	assert.Equal(t, p.Lease.ContactID, as[0].ContactID)
	assert.Equal(t, w.disp.ID, as[0].DispositionID)
	require.NoError(t, w.engine.Stop(w.ctx))
}

func TestCallerIDPoolIsACampaignSetting(t *testing.T) {
	log := &dialLog{}
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 2, MaxAttempts: 1,
		CallerIDPool: campaign.CallerIDPoolSettings{Rotation: "least_used_today", DailyCap: 2}}, 10, ringOnly(log))
	log.now = w.clock.Now
	agents := w.login(2)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(20*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	assert.Len(t, log.at, 4, "two numbers, two calls each a day")
	perNumber := map[string]int{}
	for _, a := range w.attempts() {
		perNumber[a.CallerID]++
	}
	assert.Equal(t, map[string]int{"+14155550100": 2, "+14155550101": 2}, perNumber)

	bad := campaign.Campaign{Name: "x", Settings: campaign.Settings{CallerIDPool: campaign.CallerIDPoolSettings{Rotation: "random"}}}
	_, err := w.svc.CreateCampaign(w.ctx, w.admin, bad)
	require.ErrorIs(t, err, campaign.ErrInvalid)
	assert.Contains(t, err.Error(), "Settings.CallerIDPool.Rotation")
}
