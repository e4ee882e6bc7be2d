package sim_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
	"github.com/callstackhq/callstack/telephony/telephonytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var shiftStart = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// driver is the conformance-suite driver for the simulated carrier.
type driver struct {
	t     *testing.T
	c     *sim.Carrier
	clock *sim.Clock
	mu    sync.Mutex
	plans map[string]telephonytest.Plan
	fail  []bool // pending FailNextDial calls: unknown or not
}

func harness() telephonytest.Harness {
	return telephonytest.Harness{
		New: func(t *testing.T) (telephony.Carrier, telephonytest.Driver) {
			d := &driver{t: t, clock: sim.NewClock(shiftStart), plans: map[string]telephonytest.Plan{}}
			c, err := sim.New(sim.Config{Seed: 7, Now: d.clock.Now, Override: d.override, FailDial: d.failDial})
			require.NoError(t, err)
			d.c = c
			return c, d
		},
		Features: telephonytest.Features{AMD: true, IdempotentDial: true},
	}
}

func (d *driver) Plan(to string, p telephonytest.Plan) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.plans[to] = p
}

func (d *driver) Advance(dur time.Duration) {
	assert.NoError(d.t, sim.Run(context.Background(), d.c, d.clock, d.clock.Now().Add(dur)))
}

func (d *driver) Redeliver(id telephony.CallID) { d.c.Redeliver(id) }

func (d *driver) FailNextDial(unknown bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fail = append(d.fail, unknown)
}

func (d *driver) failDial(k uint64, _ telephony.DialRequest) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.fail) == 0 {
		return nil
	}
	unknown := d.fail[0]
	d.fail = d.fail[1:]
	if unknown {
		return &telephony.Error{Code: telephony.CodeTimeout, Unknown: true, Err: errors.New("injected")}
	}
	return &telephony.Error{Code: telephony.CodeRateLimited, Retryable: true, Err: errors.New("injected")}
}

func (d *driver) override(req telephony.DialRequest, s sim.Script) sim.Script {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.plans[req.To]
	if !ok {
		return s
	}
	s.Ring, s.Talk = p.After, p.Talk
	switch p.Answer {
	case telephonytest.Human:
		s.Outcome = sim.OutcomeHuman
	case telephonytest.Machine:
		s.Outcome = sim.OutcomeMachine
	case telephonytest.Busy:
		s.Outcome = sim.OutcomeBusy
	case telephonytest.Failed:
		s.Outcome = sim.OutcomeFailed
	default:
		s.Outcome, s.Ring = sim.OutcomeNoAnswer, time.Hour // rings until the ring timeout
	}
	return s
}

func TestConformance(t *testing.T) { telephonytest.Run(t, harness()) }

// collect is a sink that keeps events.
type collect struct {
	mu  sync.Mutex
	evs []telephony.Event
}

func (c *collect) HandleEvent(_ context.Context, e telephony.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evs = append(c.evs, e)
	return nil
}

func (c *collect) types(id telephony.CallID) []telephony.EventType {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []telephony.EventType
	for _, e := range c.evs {
		if e.CallID == id {
			out = append(out, e.Type)
		}
	}
	return out
}

func request(i int) telephony.DialRequest {
	return telephony.DialRequest{
		From:        "+15005550006",
		To:          fmt.Sprintf("+1555%07d", i),
		RingTimeout: 25 * time.Second,
		AttemptID:   fmt.Sprintf("attempt-%d", i),
	}
}

func newSim(t testing.TB, cfg sim.Config) (*sim.Carrier, *sim.Clock, *collect) {
	t.Helper()
	clock := sim.NewClock(shiftStart)
	cfg.Now = clock.Now
	c, err := sim.New(cfg)
	require.NoError(t, err)
	sink := &collect{}
	require.NoError(t, c.Start(context.Background(), sink))
	return c, clock, sink
}

func TestCommonRandomNumbers(t *testing.T) {
	a, clockA, _ := newSim(t, sim.Config{Seed: 42})
	b, clockB, _ := newSim(t, sim.Config{Seed: 42, MachineProb: 0})
	ctx := context.Background()
	for i := range 200 {
		ida, err := a.Dial(ctx, request(i))
		require.NoError(t, err)
		idb, err := b.Dial(ctx, request(i))
		require.NoError(t, err)
		sa, ok := a.Peek(ida)
		require.True(t, ok)
		sb, ok := b.Peek(idb)
		require.True(t, ok)
		sa.DialedAt, sb.DialedAt = time.Time{}, time.Time{}
		require.Equal(t, sa, sb, "dial %d", i)
		// The two callers behave differently between dials.
		clockA.Add(time.Second)
		require.NoError(t, a.Advance(ctx, clockA.Now()))
		clockB.Add(7 * time.Second)
		if i%3 == 0 {
			require.NoError(t, b.Hangup(ctx, idb))
		}
		require.NoError(t, b.Advance(ctx, clockB.Now()))
	}
	other, _, _ := newSim(t, sim.Config{Seed: 43})
	id1, err := other.Dial(ctx, request(0))
	require.NoError(t, err)
	s1, _ := other.Peek(id1)
	s0, _ := a.Peek("sim-1")
	assert.NotEqual(t, s0.Talk, s1.Talk, "another seed draws other calls")
}

func TestDistributions(t *testing.T) {
	const n = 20000
	c, clock, _ := newSim(t, sim.Config{Seed: 1, AnswerProb: sim.Constant(0.3), MachineProb: 0.25, Retain: -1})
	ctx := context.Background()
	counts := map[sim.Outcome]int{}
	var talk, wrap float64
	for i := range n {
		req := request(i)
		id, err := c.Dial(ctx, req)
		require.NoError(t, err)
		s, ok := c.Peek(id)
		require.True(t, ok)
		counts[s.Outcome]++
		talk += s.Talk.Seconds()
		wrap += s.Wrap.Seconds()
		require.GreaterOrEqual(t, s.Wrap, 10*time.Second)
		require.LessOrEqual(t, s.Wrap, 20*time.Second)
		switch s.Outcome {
		case sim.OutcomeHuman, sim.OutcomeMachine:
			require.GreaterOrEqual(t, s.Ring, 3*time.Second)
			require.Less(t, s.Ring, 25*time.Second)
		case sim.OutcomeBusy, sim.OutcomeFailed:
			require.GreaterOrEqual(t, s.Ring, 2*time.Second)
			require.LessOrEqual(t, s.Ring, 6*time.Second)
		case sim.OutcomeNoAnswer:
			require.Equal(t, 25*time.Second, s.Ring)
		}
		clock.Add(time.Millisecond)
	}
	answered := float64(counts[sim.OutcomeHuman] + counts[sim.OutcomeMachine])
	assert.InDelta(t, 0.30, answered/n, 0.015, "answer rate")
	assert.InDelta(t, 0.25, float64(counts[sim.OutcomeMachine])/answered, 0.025, "machine share")
	held := float64(counts[sim.OutcomeBusy] + counts[sim.OutcomeFailed])
	assert.InDelta(t, 0.30, held/(n-answered), 0.015, "held share of unanswered")
	assert.InDelta(t, 0.5, float64(counts[sim.OutcomeBusy])/held, 0.03, "busy share of held")
	assert.InDelta(t, 120, talk/n, 4, "mean talk")
	assert.InDelta(t, 15, wrap/n, 0.2, "mean wrap")
}

func TestRingTimeoutCapsAnswer(t *testing.T) {
	c, clock, sink := newSim(t, sim.Config{Override: func(_ telephony.DialRequest, s sim.Script) sim.Script {
		s.Outcome, s.Ring = sim.OutcomeHuman, 20*time.Second
		return s
	}})
	req := request(1)
	req.RingTimeout = 15 * time.Second
	id, err := c.Dial(context.Background(), req)
	require.NoError(t, err)
	s, _ := c.Peek(id)
	assert.Equal(t, sim.OutcomeNoAnswer, s.Outcome)
	require.NoError(t, sim.Run(context.Background(), c, clock, shiftStart.Add(time.Minute)))
	assert.Equal(t, []telephony.EventType{"queued", "ringing", "no_answer"}, sink.types(id))
	assert.Equal(t, 15*time.Second, sink.evs[2].At.Sub(shiftStart))
}

// A Hangup at a time the owner has not advanced to yet still sees the
// events due by then: the answer happened, so the call ends completed.
func TestHangupAfterUndeliveredAnswer(t *testing.T) {
	c, clock, sink := newSim(t, sim.Config{Override: func(_ telephony.DialRequest, s sim.Script) sim.Script {
		s.Outcome, s.Ring = sim.OutcomeHuman, 5*time.Second
		return s
	}})
	ctx := context.Background()
	id, err := c.Dial(ctx, request(1))
	require.NoError(t, err)
	clock.Add(8 * time.Second)
	require.NoError(t, c.Hangup(ctx, id))
	require.NoError(t, c.Advance(ctx, clock.Now()))
	assert.Equal(t, []telephony.EventType{"queued", "ringing", "answered_human", "completed"}, sink.types(id))
	assert.Equal(t, 3*time.Second, sink.evs[3].Duration)
	_, ok := c.NextEventAt()
	assert.False(t, ok, "the patience hangup was canceled")
}

func TestPatienceAndCost(t *testing.T) {
	c, clock, sink := newSim(t, sim.Config{CostPerMinute: 60_000, Patience: 10 * time.Second,
		Override: func(_ telephony.DialRequest, s sim.Script) sim.Script {
			s.Outcome, s.Ring = sim.OutcomeHuman, 4*time.Second
			return s
		}})
	id, err := c.Dial(context.Background(), request(1))
	require.NoError(t, err)
	require.NoError(t, sim.Run(context.Background(), c, clock, shiftStart.Add(time.Minute)))
	require.Equal(t, []telephony.EventType{"queued", "ringing", "answered_human", "completed"}, sink.types(id))
	end := sink.evs[3]
	assert.Equal(t, shiftStart.Add(14*time.Second), end.At)
	assert.Equal(t, 10*time.Second, end.Duration)
	assert.Equal(t, telephony.Cost{Micros: 10_000, Currency: "USD"}, end.Cost)
	assert.Equal(t, 4, end.Seq)
}

func TestSinkErrorRedelivers(t *testing.T) {
	clock := sim.NewClock(shiftStart)
	c, err := sim.New(sim.Config{Now: clock.Now})
	require.NoError(t, err)
	var got []telephony.Event
	fail := true
	require.NoError(t, c.Start(context.Background(), telephony.SinkFunc(func(_ context.Context, e telephony.Event) error {
		if fail && e.Seq == 2 {
			fail = false
			return errors.New("store down")
		}
		got = append(got, e)
		return nil
	})))
	id, err := c.Dial(context.Background(), request(1))
	require.NoError(t, err)
	err = c.Advance(context.Background(), shiftStart)
	require.ErrorContains(t, err, "store down")
	require.NoError(t, sim.Run(context.Background(), c, clock, shiftStart.Add(time.Hour)))
	seqs := []int{}
	for _, e := range got {
		require.Equal(t, id, e.CallID)
		seqs = append(seqs, e.Seq)
	}
	for i, seq := range seqs {
		require.Equal(t, i+1, seq, "each Seq delivered once, in order, after the refusal")
	}
	assert.True(t, got[len(got)-1].Type.Terminal())
}

func TestRetainForgetsEndedCalls(t *testing.T) {
	c, clock, _ := newSim(t, sim.Config{Retain: time.Minute})
	ctx := context.Background()
	req := request(1)
	id, err := c.Dial(ctx, req)
	require.NoError(t, err)
	require.NoError(t, sim.Run(ctx, c, clock, shiftStart.Add(30*time.Minute)))
	_, ok := c.Peek(id)
	assert.False(t, ok)
	assert.ErrorIs(t, c.Hangup(ctx, id), telephony.ErrUnknownCall)
	again, err := c.Dial(ctx, req)
	require.NoError(t, err)
	assert.NotEqual(t, id, again, "a forgotten AttemptID dials anew")
}

func TestDialFailureProbabilities(t *testing.T) {
	c, clock, sink := newSim(t, sim.Config{Seed: 3, DialErrorProb: 0.2, DialUnknownProb: 0.2})
	ctx := context.Background()
	var retryable, unknown, ok int
	for i := range 500 {
		req := request(i)
		_, err := c.Dial(ctx, req)
		switch {
		case err == nil:
			ok++
		case telephony.IsRetryable(err):
			retryable++
		case telephony.IsOutcomeUnknown(err):
			unknown++
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	assert.InDelta(t, 100, retryable, 30)
	assert.InDelta(t, 100, unknown, 30)
	require.NoError(t, sim.Run(ctx, c, clock, shiftStart.Add(time.Hour)))
	calls := map[telephony.CallID]bool{}
	for _, e := range sink.evs {
		calls[e.CallID] = true
	}
	assert.Len(t, calls, ok+unknown, "outcome-unknown dials are placed anyway")
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []sim.Config{
		{MachineProb: 1.5},
		{DialErrorProb: 0.7, DialUnknownProb: 0.7},
		{RingMin: 30 * time.Second},
		{TalkSigma: -1},
		{Patience: -time.Second},
	} {
		_, err := sim.New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
	_, err := sim.New(sim.Config{})
	assert.NoError(t, err)
}

func TestLinearDrift(t *testing.T) {
	end := shiftStart.Add(8 * time.Hour)
	p := sim.LinearDrift(shiftStart, end, 0.1, 0.3)
	assert.InDelta(t, 0.1, p(shiftStart.Add(-time.Hour)), 1e-12)
	assert.InDelta(t, 0.2, p(shiftStart.Add(4*time.Hour)), 1e-12)
	assert.InDelta(t, 0.3, p(end.Add(time.Hour)), 1e-12)
	assert.False(t, math.IsNaN(sim.LinearDrift(shiftStart, shiftStart, 0.1, 0.3)(shiftStart)))
}

func TestRunRealtime(t *testing.T) {
	c, err := sim.New(sim.Config{Override: func(_ telephony.DialRequest, s sim.Script) sim.Script {
		s.Outcome, s.Ring = sim.OutcomeBusy, 20*time.Millisecond
		return s
	}})
	require.NoError(t, err)
	done := make(chan telephony.Event, 1)
	require.NoError(t, c.Start(context.Background(), telephony.SinkFunc(func(_ context.Context, e telephony.Event) error {
		if e.Type.Terminal() {
			done <- e
		}
		return nil
	})))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { assert.NoError(t, sim.RunRealtime(ctx, c, 5*time.Millisecond)) })
	_, err = c.Dial(ctx, request(1))
	require.NoError(t, err)
	select {
	case e := <-done:
		assert.Equal(t, telephony.EventBusy, e.Type)
	case <-time.After(5 * time.Second):
		t.Error("no terminal event in real time")
	}
	cancel()
	wg.Wait()
}

func BenchmarkDialAdvance(b *testing.B) {
	c, clock, _ := newSimBench(b)
	ctx := context.Background()
	req := request(1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req.AttemptID = strconv.Itoa(i)
		i++
		if _, err := c.Dial(ctx, req); err != nil {
			b.Fatal(err)
		}
		if err := c.Advance(ctx, clock.Add(100*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
}

func newSimBench(b *testing.B) (*sim.Carrier, *sim.Clock, telephony.EventSink) {
	clock := sim.NewClock(shiftStart)
	c, err := sim.New(sim.Config{Now: clock.Now})
	require.NoError(b, err)
	sink := telephony.SinkFunc(func(ctx context.Context, e telephony.Event) error { return nil })
	require.NoError(b, c.Start(context.Background(), sink))
	return c, clock, sink
}
