package dialer_test

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// fleet is one running campaign on a shared memory store and the engines
// that dial it, as separate processes would: each node has its own queue
// service, carrier and agents.
type fleet struct {
	t     *testing.T
	ctx   context.Context
	st    *memory.Store
	now   func() time.Time
	svc   *campaign.Service
	supp  *suppression.Service
	admin campaign.Actor
	c     campaign.Campaign
	disp  campaign.Disposition
}

func newFleet(t *testing.T, now func() time.Time, settings campaign.Settings, contacts int, zone, state string) *fleet {
	t.Helper()
	f := &fleet{t: t, ctx: context.Background(), st: memory.New(), now: now}
	var err error
	f.svc, err = campaign.NewService(campaign.Config{Store: f.st, Clock: now})
	require.NoError(t, err)
	ws, err := f.svc.CreateWorkspace(f.ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	f.admin = campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	f.supp, err = suppression.NewService(suppression.Config{Store: f.st, Authorizer: f.svc, Clock: now})
	require.NoError(t, err)
	settings.CallerIDs = []string{"+14155550100", "+14155550101"}
	f.c, err = f.svc.CreateCampaign(f.ctx, f.admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York", Settings: settings})
	require.NoError(t, err)
	f.disp, err = f.svc.PutDisposition(f.ctx, f.admin, campaign.Disposition{CampaignID: f.c.ID, Title: "Interested", Contacted: true, Final: true})
	require.NoError(t, err)
	cs := make([]campaign.Contact, contacts)
	for i := range cs {
		cs[i] = campaign.Contact{CampaignID: f.c.ID, Phone: fmt.Sprintf("+1212%07d", 2000000+i), Timezones: []string{zone}, State: state, AreaCodeState: state}
	}
	_, err = f.svc.AddContacts(f.ctx, f.admin, cs)
	require.NoError(t, err)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		f.c, err = f.svc.Transition(f.ctx, f.admin, f.c.ID, to, "")
		require.NoError(t, err)
	}
	return f
}

// recCarrier is a simulated carrier that records the dials placed through
// it and can be started again by a new engine (a restarted process on the
// same carrier account): events then go to the newest engine.
type recCarrier struct {
	*sim.Carrier
	now     func() time.Time
	mu      sync.Mutex
	sink    telephony.EventSink
	started bool
	dials   []time.Time
}

// humanAnswers is a simulated carrier's Override: every call is answered by
// a person after ring and talks for talk.
func humanAnswers(ring, talk time.Duration) func(telephony.DialRequest, sim.Script) sim.Script {
	return func(_ telephony.DialRequest, s sim.Script) sim.Script {
		s.Outcome, s.Ring, s.Talk = sim.OutcomeHuman, ring, talk
		return s
	}
}

func newRecCarrier(t *testing.T, cfg sim.Config) *recCarrier {
	t.Helper()
	c, err := sim.New(cfg)
	require.NoError(t, err)
	return &recCarrier{Carrier: c, now: cfg.Now}
}

func (r *recCarrier) Start(ctx context.Context, sink telephony.EventSink) error {
	r.mu.Lock()
	r.sink = sink
	first := !r.started
	r.started = true
	r.mu.Unlock()
	if !first {
		return nil
	}
	return r.Carrier.Start(ctx, telephony.SinkFunc(func(ctx context.Context, ev telephony.Event) error {
		r.mu.Lock()
		s := r.sink
		r.mu.Unlock()
		return s.HandleEvent(ctx, ev)
	}))
}

func (r *recCarrier) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	r.mu.Lock()
	r.dials = append(r.dials, r.now())
	r.mu.Unlock()
	return r.Carrier.Dial(ctx, req)
}

func (r *recCarrier) dialTimes() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.dials...)
}

// node is one dialer process: an engine, its carrier, and agents who save
// an outcome a fixed wrap time after each call ends.
type node struct {
	f       *fleet
	eng     *dialer.Engine
	vt      *dialer.VirtualTime
	carrier nodeCarrier
	agents  []campaign.UserID
	wrap    time.Duration
	due     map[string]time.Time
	dead    bool
}

// nodeCarrier is a node's carrier in virtual time.
type nodeCarrier interface {
	telephony.Carrier
	dialer.VirtualCarrier
	dialTimes() []time.Time
}

func (f *fleet) node(carrier nodeCarrier, agents int, mutate func(*dialer.Config)) *node {
	f.t.Helper()
	q, err := queue.NewService(queue.Config{Store: f.st, Campaigns: f.st, Suppression: f.supp, Authorizer: f.svc, Clock: f.now})
	require.NoError(f.t, err)
	cfg := dialer.Config{
		Workspace: f.admin.WorkspaceID, Campaign: f.c.ID, Campaigns: dialer.CampaignSource{Store: f.st, Service: f.svc},
		Queue: q, Attempts: f.st, Suppression: f.supp, Authorizer: f.svc, Carrier: carrier, Clock: f.now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	eng, err := dialer.New(f.ctx, cfg)
	require.NoError(f.t, err)
	require.NoError(f.t, eng.Start(f.ctx))
	n := &node{f: f, eng: eng, vt: dialer.NewVirtualTime(), carrier: carrier, wrap: 10 * time.Second, due: map[string]time.Time{}}
	for i := range agents {
		id := campaign.UserID(fmt.Sprintf("agent%d", i))
		_, err := f.svc.PutMember(f.ctx, f.admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
		require.NoError(f.t, err)
		require.NoError(f.t, eng.Login(f.ctx, campaign.Actor{WorkspaceID: f.admin.WorkspaceID, UserID: id},
			dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(id)}}))
		n.agents = append(n.agents, id)
	}
	return n
}

// nextOutcome is when an agent of the node next saves an outcome.
func (n *node) nextOutcome(now time.Time) time.Time {
	var next time.Time
	for _, id := range n.agents {
		for _, att := range n.eng.Awaiting(id) {
			if _, ok := n.due[att]; !ok {
				n.due[att] = now.Add(n.wrap)
			}
		}
	}
	for _, t := range n.due {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next
}

func (n *node) saveOutcomes(ctx context.Context, now time.Time) error {
	for _, id := range n.agents {
		for _, att := range n.eng.Awaiting(id) {
			if t, ok := n.due[att]; !ok || t.After(now) {
				continue
			}
			err := n.eng.SaveOutcome(ctx, campaign.Actor{WorkspaceID: n.f.admin.WorkspaceID, UserID: id}, att, dialer.OutcomeInput{DispositionID: n.f.disp.ID})
			if err != nil && !errors.Is(err, dialer.ErrUnknownAttempt) {
				return err
			}
			delete(n.due, att)
		}
	}
	return nil
}

// runNodes drives the live nodes as one discrete-event simulation until
// the clock reaches until. A dead node is never stepped, nor are its
// carrier and agents: the process is gone.
func runNodes(t *testing.T, clock *sim.Clock, until time.Time, nodes ...*node) {
	t.Helper()
	ctx := context.Background()
	for {
		now := clock.Now()
		var next time.Time
		earlier := func(at time.Time) {
			if !at.IsZero() && (next.IsZero() || at.Before(next)) {
				next = at
			}
		}
		for _, n := range nodes {
			if n.dead {
				continue
			}
			at, err := n.vt.Step(ctx, n.eng)
			require.NotErrorIs(t, err, dialer.ErrStopped)
			earlier(at)
			if at, ok := n.carrier.NextEventAt(); ok {
				earlier(at)
			}
			earlier(n.nextOutcome(now))
		}
		if next.IsZero() || next.After(until) {
			clock.Set(until)
			return
		}
		if next.Before(now) {
			next = now
		}
		clock.Set(next)
		for _, n := range nodes {
			if n.dead {
				continue
			}
			require.NoError(t, n.carrier.Advance(ctx, next))
			require.NoError(t, n.saveOutcomes(ctx, next))
		}
	}
}

func (f *fleet) attempts() []campaign.Attempt {
	f.t.Helper()
	as, err := f.st.ListAttempts(f.ctx, f.admin.WorkspaceID, queue.AttemptFilter{CampaignID: f.c.ID, Limit: 10000})
	require.NoError(f.t, err)
	return as
}

// checkLog checks the attempt log: every attempt ID once, and a contact's
// attempts never overlap (one live attempt per contact).
func (f *fleet) checkLog() []campaign.Attempt {
	f.t.Helper()
	as := f.attempts()
	ids := map[campaign.AttemptID]bool{}
	byContact := map[campaign.ContactID][]campaign.Attempt{}
	for _, a := range as {
		assert.False(f.t, ids[a.ID], "attempt %s finished twice", a.ID)
		ids[a.ID] = true
		byContact[a.ContactID] = append(byContact[a.ContactID], a)
	}
	for id, as := range byContact {
		for i := 1; i < len(as); i++ {
			assert.False(f.t, as[i].StartedAt.Before(as[i-1].EndedAt), "attempts of %s overlap: %s–%s and %s–%s", id,
				as[i-1].StartedAt, as[i-1].EndedAt, as[i].StartedAt, as[i].EndedAt)
		}
	}
	return as
}

func (f *fleet) contacts() []campaign.Contact {
	f.t.Helper()
	p, err := f.st.ListContacts(f.ctx, f.admin.WorkspaceID, campaign.ContactFilter{CampaignID: f.c.ID, Limit: 1000})
	require.NoError(f.t, err)
	return p.Contacts
}

func (f *fleet) status() campaign.Status {
	f.t.Helper()
	c, err := f.st.GetCampaign(f.ctx, f.admin.WorkspaceID, f.c.ID)
	require.NoError(f.t, err)
	return c.Status
}

var leaseSettings = campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 2, RetryInterval: 10 * time.Minute, MinTimeBetweenCalls: 10 * time.Minute}

// TestCampaignLeaseOneHolderDials: two engines share a campaign on one
// store; only the lease holder dials. When the holder dies (it is no
// longer stepped, and never stopped), the other takes over once the lease
// lapses, and the campaign completes.
func TestCampaignLeaseOneHolderDials(t *testing.T) {
	const ttl = 30 * time.Second
	clock := sim.NewClock(start)
	f := newFleet(t, clock.Now, leaseSettings, 60, "America/New_York", "NY")
	leased := func(holder string) func(*dialer.Config) {
		return func(cfg *dialer.Config) { cfg.Leaser, cfg.Holder, cfg.LeaseTTL = f.st, holder, ttl }
	}
	a := f.node(newRecCarrier(t, sim.Config{Seed: 7, AnswerProb: sim.Constant(0.5), Now: clock.Now}), 3, leased("A"))
	b := f.node(newRecCarrier(t, sim.Config{Seed: 8, AnswerProb: sim.Constant(0.5), Now: clock.Now}), 3, leased("B"))

	runNodes(t, clock, start.Add(10*time.Minute), a, b)
	require.Positive(t, a.eng.Stats().Dials, "the holder dials")
	require.Zero(t, b.eng.Stats().Dials, "the other engine must not dial while the lease is held")

	death := clock.Now()
	a.dead = true
	runNodes(t, clock, start.Add(4*time.Hour), a, b)
	require.NoError(t, b.eng.Stop(f.ctx))

	aDials, bDials := a.carrier.dialTimes(), b.carrier.dialTimes()
	require.NotEmpty(t, bDials, "B takes over")
	first := bDials[0]
	t.Logf("A dialed %d (last %s), died %s; B dialed %d, first %s after the death", len(aDials), aDials[len(aDials)-1].Sub(start), death.Sub(start), len(bDials), first.Sub(death))
	assert.True(t, aDials[len(aDials)-1].Before(first), "the engines never dial at the same time")
	// A renewed at most ttl/3 before dying, so its lease ran at least 2/3
	// of ttl past the death; B tries every ttl/3 and dials at its next tick.
	assert.GreaterOrEqual(t, first.Sub(death), 2*ttl/3, "B dialed while A's lease was live")
	assert.LessOrEqual(t, first.Sub(death), ttl+ttl/3+time.Second, "B took over late")

	f.checkLog()
	for _, c := range f.contacts() {
		assert.True(t, c.Status.Final(), "contact %s is %s", c.ID, c.Status)
	}
	assert.Equal(t, campaign.StatusCompleted, f.status())
}

// TestCampaignLeaseReleasedOnStop: a stopped engine gives the lease up at
// once, so the other takes over at its next try rather than after the TTL.
func TestCampaignLeaseReleasedOnStop(t *testing.T) {
	const ttl = time.Minute
	clock := sim.NewClock(start)
	f := newFleet(t, clock.Now, leaseSettings, 30, "America/New_York", "NY")
	leased := func(holder string) func(*dialer.Config) {
		return func(cfg *dialer.Config) { cfg.Leaser, cfg.Holder, cfg.LeaseTTL = f.st, holder, ttl }
	}
	a := f.node(newRecCarrier(t, sim.Config{Seed: 1, AnswerProb: sim.Constant(0.5), Now: clock.Now}), 2, leased("A"))
	b := f.node(newRecCarrier(t, sim.Config{Seed: 2, AnswerProb: sim.Constant(0.5), Now: clock.Now}), 2, leased("B"))
	runNodes(t, clock, start.Add(5*time.Minute), a, b)
	require.Positive(t, a.eng.Stats().Dials)
	require.Zero(t, b.eng.Stats().Dials)
	stopped := clock.Now()
	require.NoError(t, a.eng.Stop(f.ctx))
	a.dead = true
	runNodes(t, clock, stopped.Add(ttl), a, b)
	require.NoError(t, b.eng.Stop(f.ctx))
	bDials := b.carrier.dialTimes()
	require.NotEmpty(t, bDials)
	assert.LessOrEqual(t, bDials[0].Sub(stopped), ttl/3+time.Second, "B should take a released lease at its next try")
}

// TestCrashResume: an engine dies mid-campaign (no Stop); once its queue
// leases lapse a fresh engine on the same store and carrier resumes the
// campaign. Nothing is lost and nothing is applied twice: the dead
// engine's late results are refused with queue.ErrLeaseLost.
func TestCrashResume(t *testing.T) {
	clock := sim.NewClock(start)
	f := newFleet(t, clock.Now, leaseSettings, 60, "America/New_York", "NY")
	carrier := newRecCarrier(t, sim.Config{Seed: 7, AnswerProb: sim.Constant(0.5), Now: clock.Now})
	leased := func(cfg *dialer.Config) { cfg.Leaser = f.st } // a random holder each
	e1 := f.node(carrier, 3, leased)
	runNodes(t, clock, start.Add(20*time.Minute), e1)
	inFlight := func() int { return e1.eng.Stats().Dials - len(f.attempts()) }
	for i := 0; i < 600 && inFlight() < 2; i++ {
		runNodes(t, clock, clock.Now().Add(time.Second), e1)
	}
	require.GreaterOrEqual(t, inFlight(), 2, "the crash must leave calls in flight")

	// Crash: e1 is never stepped again. Its calls go on at the carrier
	// (their events reach e1's inbox, unread) past the queue lease TTL.
	crash := clock.Now()
	e1.dead = true
	dials := e1.eng.Stats().Dials
	inFlightAtCrash := inFlight()
	t.Logf("crash at %s with %d calls in flight, %d attempts logged", crash.Sub(start), inFlight(), len(f.attempts()))
	require.NoError(t, sim.Run(f.ctx, carrier.Carrier, clock, crash.Add(f.c.Settings.HopperExpiry+time.Second)))

	// A fresh engine (a restarted process) on the same store and carrier.
	e2 := f.node(carrier, 3, leased)
	runNodes(t, clock, clock.Now().Add(10*time.Minute), e2)
	require.Positive(t, e2.eng.Stats().Dials, "the fresh engine resumes")
	// Every call in flight at the crash was journalled before it was
	// dialled: reaping its lease logged it as unknown and counted it.
	orphans := 0
	for _, a := range f.attempts() {
		if a.CarrierStatus != queue.LeaseExpiredStatus {
			continue
		}
		orphans++
		assert.Equal(t, campaign.ResultUnknown, a.Result)
		assert.False(t, a.StartedAt.After(crash), "attempt %s started after the crash", a.ID)
		ct, err := f.st.GetContact(f.ctx, f.admin.WorkspaceID, a.ContactID)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, ct.Attempts, a.Seq, "the lost call counts against contact %s", a.ContactID)
	}
	assert.Equal(t, inFlightAtCrash, orphans, "every call in flight at the crash is in the attempt log")

	// The dead engine comes back: it applies the events that reached it,
	// its agents save their late outcomes, and it stops. It places no call
	// (it has lost the campaign lease), every late result is refused with
	// queue.ErrLeaseLost, and nothing is written twice.
	logged := len(f.attempts())
	var late []error
	if _, err := e1.vt.Step(f.ctx, e1.eng); err != nil {
		late = append(late, err)
	}
	assert.Equal(t, dials, e1.eng.Stats().Dials, "the dead engine dialed without the lease")
	for _, id := range e1.agents {
		for _, att := range e1.eng.Awaiting(id) {
			err := e1.eng.SaveOutcome(f.ctx, campaign.Actor{WorkspaceID: f.admin.WorkspaceID, UserID: id}, att, dialer.OutcomeInput{DispositionID: f.disp.ID})
			require.Error(t, err, "a late outcome of %s was applied", att)
			late = append(late, err)
		}
	}
	if err := e1.eng.Stop(f.ctx); err != nil {
		late = append(late, err)
	}
	require.NotEmpty(t, late, "the dead engine's calls in flight must come back as late results")
	for _, err := range late {
		assert.ErrorIs(t, err, queue.ErrLeaseLost)
	}
	assert.Equal(t, logged, len(f.attempts()), "a late result was applied")

	runNodes(t, clock, start.Add(4*time.Hour), e2)
	require.NoError(t, e2.eng.Stop(f.ctx))
	f.checkLog()
	for _, c := range f.contacts() {
		scheduled := (c.Status == campaign.ContactRetry || c.Status == campaign.ContactCallback) && !c.NextAttemptAt.IsZero()
		assert.True(t, c.Status.Final() || scheduled, "contact %s is %s: lost", c.ID, c.Status)
	}
	assert.Equal(t, campaign.StatusCompleted, f.status())
}

// TestRunDrainsWithoutLeaks runs an engine in real time with the
// simulated carrier's real-time runner, cancels it, and checks that Run
// drains and returns, the lease is released, and no goroutine is left.
func TestRunDrainsWithoutLeaks(t *testing.T) {
	defer goleak.VerifyNone(t)
	zone := simagent.OpenZone(time.Now())
	settings := campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 3, RetryInterval: time.Minute, MinTimeBetweenCalls: time.Minute,
		DialerInterval: 100 * time.Millisecond, WrapUp: 100 * time.Millisecond}
	f := newFleet(t, time.Now, settings, 20, zone, "")
	carrier := newRecCarrier(t, sim.Config{Seed: 3, AnswerProb: sim.Constant(0.8), Now: time.Now, HeldProb: -1,
		RingMin: 100 * time.Millisecond, RingMean: 100 * time.Millisecond, RingMax: 300 * time.Millisecond,
		TalkMean: 2 * time.Second, Patience: time.Second})
	n := f.node(carrier, 2, func(cfg *dialer.Config) {
		cfg.Leaser, cfg.Holder, cfg.LeaseTTL = f.st, "realtime", 3*time.Second
		cfg.DrainTimeout, cfg.StatusEvery = 500*time.Millisecond, 200*time.Millisecond
	})

	carrierCtx, stopCarrier := context.WithCancel(f.ctx)
	carrierDone := make(chan error, 1)
	go func() { carrierDone <- sim.RunRealtime(carrierCtx, carrier.Carrier, 10*time.Millisecond) }()
	ctx, cancel := context.WithCancel(f.ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- n.eng.Run(ctx) }()

	time.Sleep(1200 * time.Millisecond)
	cancel()
	select {
	case err := <-runDone:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	stopCarrier()
	require.NoError(t, <-carrierDone)

	st := n.eng.Stats()
	t.Logf("zone %s: %+v", zone, st)
	assert.Positive(t, st.Dials, "the engine dialed in real time")
	assert.Len(t, f.attempts(), st.Dials, "every call placed was finished by the drain")
	_, err := dialer.NewVirtualTime().Step(f.ctx, n.eng)
	assert.ErrorIs(t, err, dialer.ErrStopped)
	held, _, err := f.st.AcquireCampaignLease(f.ctx, f.admin.WorkspaceID, f.c.ID, "next", time.Second, time.Now())
	require.NoError(t, err)
	assert.True(t, held, "Run released the campaign lease")
}
