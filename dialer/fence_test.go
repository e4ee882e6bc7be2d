package dialer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// flakyLeaser is the store's campaign lease whose requests fail from
// failAt on (a database the process can no longer reach); it records the
// time of the last request that succeeded.
type flakyLeaser struct {
	campaign.Leaser
	failAt time.Time
	mu     sync.Mutex
	lastOK time.Time
}

func (l *flakyLeaser) AcquireCampaignLease(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, holder string, ttl time.Duration, now time.Time) (bool, time.Time, error) {
	if !now.Before(l.failAt) {
		return false, time.Time{}, errors.New("flaky: store unreachable")
	}
	held, exp, err := l.Leaser.AcquireCampaignLease(ctx, ws, id, holder, ttl, now)
	if err == nil && held {
		l.mu.Lock()
		l.lastOK = now
		l.mu.Unlock()
	}
	return held, exp, err
}

// TestPacingFencedAtTheLeaseExpiry: an engine whose lease renewals fail
// keeps pacing on the lease it holds, but stops dialing a margin
// (LeaseTTL/6) before that lease would run out, so that it never dials
// while another process may already hold the lease.
func TestPacingFencedAtTheLeaseExpiry(t *testing.T) {
	const ttl = 30 * time.Second
	clock := sim.NewClock(start)
	f := newFleet(t, clock.Now, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 300, "America/New_York", "NY")
	lz := &flakyLeaser{Leaser: f.st, failAt: start.Add(40 * time.Second)}
	busy := func(_ telephony.DialRequest, s sim.Script) sim.Script {
		s.Outcome, s.Ring = sim.OutcomeBusy, time.Second
		return s
	}
	a := f.node(newRecCarrier(t, sim.Config{Seed: 3, Now: clock.Now, Override: busy}), 3, func(cfg *dialer.Config) {
		cfg.Leaser, cfg.Holder, cfg.LeaseTTL = lz, "A", ttl
	})
	runNodes(t, clock, start.Add(3*time.Minute), a)
	require.NoError(t, a.eng.Stop(f.ctx))

	lz.mu.Lock()
	lastOK := lz.lastOK
	lz.mu.Unlock()
	fence := lastOK.Add(ttl - ttl/6)
	dials := a.carrier.dialTimes()
	require.NotEmpty(t, dials)
	last := dials[len(dials)-1]
	t.Logf("last renewal %s, fence %s, lease end %s; last dial %s (%d dials)", lastOK.Sub(start), fence.Sub(start), lastOK.Add(ttl).Sub(start), last.Sub(start), len(dials))
	assert.True(t, last.Before(fence), "dialed at %s, past the fence %s", last.Sub(start), fence.Sub(start))
	assert.True(t, last.After(lastOK.Add(ttl/3)), "kept pacing on the lease it still held")
}

// router is one simulated carrier account shared by several processes:
// each call's events go to the engine that dialed it, or that asked for
// its record since (a process taking over a call).
type router struct {
	*sim.Carrier
	mu      sync.Mutex
	sinks   map[string]telephony.EventSink // by attempt ID
	started bool
}

// routedView is one process's connection to a router.
type routedView struct {
	*router
	now   func() time.Time
	sink  telephony.EventSink
	dials []time.Time
}

func (r *router) view(now func() time.Time) *routedView { return &routedView{router: r, now: now} }

func (v *routedView) Start(ctx context.Context, sink telephony.EventSink) error {
	v.mu.Lock()
	v.sink = sink
	first := !v.started
	v.started = true
	v.mu.Unlock()
	if !first {
		return nil
	}
	r := v.router
	return r.Carrier.Start(ctx, telephony.SinkFunc(func(ctx context.Context, ev telephony.Event) error {
		r.mu.Lock()
		s := r.sinks[ev.AttemptID]
		r.mu.Unlock()
		if s == nil {
			return nil
		}
		return s.HandleEvent(ctx, ev)
	}))
}

func (v *routedView) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	v.mu.Lock()
	v.sinks[req.AttemptID] = v.sink
	v.dials = append(v.dials, v.now())
	v.mu.Unlock()
	return v.Carrier.Dial(ctx, req)
}

func (v *routedView) CallRecord(ctx context.Context, q telephony.CallQuery) (telephony.CallRecord, error) {
	v.mu.Lock()
	v.sinks[q.AttemptID] = v.sink
	v.mu.Unlock()
	return v.Carrier.CallRecord(ctx, q)
}

func (v *routedView) dialTimes() []time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]time.Time(nil), v.dials...)
}

// leaseFleet is a one-contact campaign dialed by two processes A and B on
// one carrier account; A takes the campaign lease first and its call
// talks for talk.
func leaseFleet(t *testing.T, talk time.Duration, leaserA func(campaign.Leaser) campaign.Leaser) (*fleet, *sim.Clock, *node, *node) {
	t.Helper()
	const ttl = 30 * time.Second
	clock := sim.NewClock(start)
	f := newFleet(t, clock.Now, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 1, "America/New_York", "NY")
	c, err := sim.New(sim.Config{Seed: 5, Now: clock.Now, Override: humanAnswers(5*time.Second, talk)})
	require.NoError(t, err)
	r := &router{Carrier: c, sinks: map[string]telephony.EventSink{}}
	a := f.node(r.view(clock.Now), 1, func(cfg *dialer.Config) { cfg.Leaser, cfg.Holder, cfg.LeaseTTL = leaserA(f.st), "A", ttl })
	b := f.node(r.view(clock.Now), 1, func(cfg *dialer.Config) { cfg.Leaser, cfg.Holder, cfg.LeaseTTL = f.st, "B", ttl })
	runNodes(t, clock, start.Add(20*time.Second), a, b)
	_, talking := a.eng.CurrentCall("agent0")
	require.True(t, talking, "A's call is answered and bridged")
	require.Empty(t, b.carrier.dialTimes())
	return f, clock, a, b
}

// TestNewHolderReconcilesADeadHoldersCall: the lease holder dies during a
// conversation; the process that takes the lease over finishes the
// attempt with the carrier's true result (not unknown) once the dead
// process's contact lease is no longer renewed, before it lapses.
func TestNewHolderReconcilesADeadHoldersCall(t *testing.T) {
	f, clock, a, b := leaseFleet(t, 90*time.Second, func(l campaign.Leaser) campaign.Leaser { return l })
	a.dead = true
	runNodes(t, clock, start.Add(5*time.Minute), b)
	require.NoError(t, b.eng.Stop(f.ctx))
	as := f.attempts()
	require.Len(t, as, 1)
	assert.Equal(t, campaign.ResultHuman, as[0].Result, "the carrier's result, not unknown")
	assert.Equal(t, 90*time.Second, as[0].TalkDuration.Round(time.Second))
	assert.Equal(t, 1, b.eng.Stats().Reconciled)
}

// TestReconcileLeavesALiveProcesssCall: the holder loses the campaign
// lease (its store requests fail) during a long conversation and the
// other process takes the lease over; the new holder leaves the call,
// whose contact lease the first process keeps renewing, alone, and the
// first process writes it with its agent's outcome.
func TestReconcileLeavesALiveProcesssCall(t *testing.T) {
	f, clock, a, b := leaseFleet(t, 4*time.Minute, func(l campaign.Leaser) campaign.Leaser {
		return &flakyLeaser{Leaser: l, failAt: start.Add(21 * time.Second)}
	})
	runNodes(t, clock, start.Add(6*time.Minute), a, b)
	require.NoError(t, a.eng.Stop(f.ctx))
	require.NoError(t, b.eng.Stop(f.ctx))
	as := f.attempts()
	require.Len(t, as, 1)
	assert.Equal(t, campaign.ResultHuman, as[0].Result)
	assert.Equal(t, f.disp.ID, as[0].DispositionID, "A's agent's outcome was written")
	assert.Zero(t, b.eng.Stats().Reconciled+b.eng.Stats().Adopted, "B took over A's live call")
	assert.Zero(t, a.eng.Stats().LostOutcomes)
}

// extendLog is the queue recording, for each lease extension, how much of
// the lease was left when it was asked for.
type extendLog struct {
	dialer.Queue
	now  func() time.Time
	mu   sync.Mutex
	left []time.Duration
}

func (q *extendLog) Extend(ctx context.Context, l queue.Lease, ttl time.Duration) (queue.Lease, error) {
	q.mu.Lock()
	q.left = append(q.left, l.ExpiresAt.Sub(q.now()))
	q.mu.Unlock()
	return q.Queue.Extend(ctx, l, ttl)
}

// TestCallLeaseRenewedAtAThird: the lease of a call in flight is renewed a
// third of the way through its TTL, so a renewal that is slow or must be
// retried still lands long before the lease lapses; a 12-minute
// conversation keeps its lease and its outcome is written.
func TestCallLeaseRenewedAtAThird(t *testing.T) {
	clock := sim.NewClock(start)
	f := newFleet(t, clock.Now, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 1, "America/New_York", "NY")
	var log *extendLog
	n := f.node(newRecCarrier(t, sim.Config{Seed: 4, Now: clock.Now, Override: humanAnswers(5*time.Second, 12*time.Minute)}), 1, func(cfg *dialer.Config) {
		log = &extendLog{Queue: cfg.Queue, now: clock.Now}
		cfg.Queue = log
	})
	runNodes(t, clock, start.Add(15*time.Minute), n)
	require.NoError(t, n.eng.Stop(f.ctx))
	ttl := f.c.Settings.HopperExpiry
	log.mu.Lock()
	defer log.mu.Unlock()
	require.GreaterOrEqual(t, len(log.left), 6, "renewed through the call")
	for _, left := range log.left {
		assert.GreaterOrEqual(t, left, ttl*2/3-time.Second, "renewed with only %s of %s left", left, ttl)
	}
	as := f.attempts()
	require.Len(t, as, 1)
	assert.Equal(t, f.disp.ID, as[0].DispositionID)
	assert.Equal(t, 12*time.Minute, as[0].TalkDuration.Round(time.Second))
}

// failingFinish is the queue whose Finish fails while fail is set.
type failingFinish struct {
	dialer.Queue
	fail bool
}

var errStoreDown = errors.New("test: store down")

func (q *failingFinish) Finish(ctx context.Context, l queue.Lease, o queue.Outcome) error {
	if q.fail {
		return errStoreDown
	}
	return q.Queue.Finish(ctx, l, o)
}

// TestSaveOutcomeReturnsTheStoresError: SaveOutcome writes the attempt in
// the caller's goroutine and returns the store's error; the call stays
// in the engine with its outcome (written at the completion timeout at
// the latest), and a second save writes it at once.
func TestSaveOutcomeReturnsTheStoresError(t *testing.T) {
	clock := sim.NewClock(start)
	f := newFleet(t, clock.Now, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 1, "America/New_York", "NY")
	var q *failingFinish
	n := f.node(newRecCarrier(t, sim.Config{Seed: 4, Now: clock.Now, Override: humanAnswers(5*time.Second, 30*time.Second)}), 1, func(cfg *dialer.Config) {
		q = &failingFinish{Queue: cfg.Queue}
		cfg.Queue = q
	})
	n.wrap = time.Hour // the test saves the outcome itself
	runNodes(t, clock, start.Add(time.Minute), n)
	att := n.eng.Awaiting("agent0")
	require.Len(t, att, 1)
	agent := campaign.Actor{WorkspaceID: f.admin.WorkspaceID, UserID: "agent0"}

	q.fail = true
	err := n.eng.SaveOutcome(f.ctx, agent, att[0], dialer.OutcomeInput{DispositionID: f.disp.ID})
	require.ErrorIs(t, err, errStoreDown)
	assert.Empty(t, f.attempts())

	q.fail = false
	require.NoError(t, n.eng.SaveOutcome(f.ctx, agent, att[0], dialer.OutcomeInput{DispositionID: f.disp.ID, Note: "second try"}))
	assert.Len(t, f.attempts(), 1, "written by the second save, before Stop")
	require.NoError(t, n.eng.Stop(f.ctx))
	as := f.attempts()
	require.Len(t, as, 1)
	assert.Equal(t, f.disp.ID, as[0].DispositionID)
	assert.Equal(t, "second try", as[0].Outcome.Note)
}
