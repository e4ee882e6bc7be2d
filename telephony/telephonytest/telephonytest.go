// Package telephonytest is the conformance suite every telephony.Carrier
// adapter runs, so that the engine can rely on one behaviour whatever the
// carrier.
//
// An adapter's test calls Run with a Harness. The harness builds a fresh
// carrier for each check together with a Driver, which stands in for the
// outside world: it decides what the callee at a number will do (answer,
// machine, busy, no answer, fail) and makes carrier time pass. For the
// simulated carrier (telephony/sim) the driver moves a virtual clock. For an
// HTTP adapter the driver talks to a fake carrier server started by the
// harness (httptest.Server): Plan registers the callee's behaviour on the
// fake server, keyed by the dialed number; Advance moves the fake server's
// clock, lets it send the webhooks (or answer the polls) now due, and waits
// until the adapter has handed them to the sink.
//
// Features a carrier lacks become explicit skips with the reason: set
// Features, and implement the optional Redeliverer and DialFailer on the
// driver when the fake can do that.
package telephonytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/telephony"
)

// Answer is what a callee does.
type Answer int

// Answers.
const (
	// Human: a person answers after Plan.After and, once bridged, hangs up
	// Plan.Talk later.
	Human Answer = iota + 1
	// Machine: a machine answers after Plan.After (answered_machine when the
	// dial asks for AMD).
	Machine
	// Busy: the line is busy after Plan.After.
	Busy
	// NoAnswer: the phone rings until the ring timeout.
	NoAnswer
	// Failed: the call fails after Plan.After.
	Failed
)

// String names a.
func (a Answer) String() string {
	switch a {
	case Human:
		return "human"
	case Machine:
		return "machine"
	case Busy:
		return "busy"
	case NoAnswer:
		return "no_answer"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Plan is what the callee at a number does on the next call to it. The
// suite always sets every field.
type Plan struct {
	// Answer is what the callee does.
	Answer Answer
	// After is the time from dial to the answer, busy or failure.
	After time.Duration
	// Talk is how long the callee stays on once bridged.
	Talk time.Duration
}

// Driver controls the world around a carrier under test. Its methods may be
// called concurrently with the carrier's.
type Driver interface {
	// Plan sets what the callee at number to does on the calls that follow.
	Plan(to string, p Plan)
	// Advance lets d of carrier time pass and returns once every event due
	// by then has been handed to the sink (including events caused by the
	// sink's own calls meanwhile). Advance(0) flushes what is due now.
	Advance(d time.Duration)
}

// Redeliverer is a Driver that can make the carrier deliver a call's events
// again, like a carrier retrying webhooks. The next Advance delivers them.
type Redeliverer interface {
	Redeliver(id telephony.CallID)
}

// DialFailer is a Driver that can make the next Dial fail: with a retryable
// error that places no call, or (unknown) with an outcome-unknown error
// although the call is placed.
type DialFailer interface {
	FailNextDial(unknown bool)
}

// Features says what a carrier supports; the checks for what it lacks are
// skipped with the reason.
type Features struct {
	// AMD: with AMD enabled, a machine is reported as answered_machine.
	AMD bool
	// IdempotentDial: a second Dial with the same AttemptID places no new
	// call and returns the first call's id.
	IdempotentDial bool
	// OutOfOrder: the carrier may deliver a call's events out of Seq order
	// (concurrent webhooks); order is then checked after sorting by Seq.
	OutOfOrder bool
}

// Harness builds carriers for the suite.
type Harness struct {
	// New returns a new carrier, not started, and its driver. It is called
	// once per check, with that check's t; register cleanups on it.
	New func(t *testing.T) (telephony.Carrier, Driver)
	// Features lists what the carrier supports.
	Features Features
	// From is the caller ID used. Defaults to "+15005550006".
	From string
	// Number returns the i-th callee number; each dial of a check uses a
	// new one. Defaults to "+1555" followed by i on 7 digits.
	Number func(i int) string
	// Step is the carrier time the suite passes to Advance while it waits
	// for something. Defaults to 1 s.
	Step time.Duration
	// Timeout is the most carrier time the suite waits for something.
	// Defaults to 5 minutes.
	Timeout time.Duration
}

func (h Harness) withDefaults() Harness {
	if h.From == "" {
		h.From = "+15005550006"
	}
	if h.Number == nil {
		h.Number = func(i int) string { return fmt.Sprintf("+1555%07d", i) }
	}
	if h.Step <= 0 {
		h.Step = time.Second
	}
	if h.Timeout <= 0 {
		h.Timeout = 5 * time.Minute
	}
	return h
}

// Run runs every check against the harness's carrier, each as a subtest
// with a fresh carrier.
func Run(t *testing.T, h Harness) {
	require.NotNil(t, h.New, "telephonytest: Harness.New is required")
	h = h.withDefaults()
	checks := []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"DialBeforeStart", testDialBeforeStart},
		{"Validation", testValidation},
		{"Outcomes", testOutcomes},
		{"HangupRinging", testHangupRinging},
		{"CallState", testCallState},
		{"UnknownCall", testUnknownCall},
		{"Redelivery", testRedelivery},
		{"IdempotentDial", testIdempotentDial},
		{"DialFailures", testDialFailures},
		{"Concurrency", testConcurrency},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			carrier, driver := h.New(t)
			require.NotNil(t, carrier)
			require.NotNil(t, driver)
			e := &env{h: h, c: carrier, d: driver, rec: newRecorder()}
			c.fn(t, e)
		})
	}
}

// env is one check's world.
type env struct {
	h    Harness
	c    telephony.Carrier
	d    Driver
	rec  *recorder
	mu   sync.Mutex
	next int
}

func (e *env) start(t *testing.T) {
	t.Helper()
	require.NoError(t, e.c.Start(t.Context(), e.rec), "Start")
}

// request returns a valid request to a new number.
func (e *env) request() telephony.DialRequest {
	e.mu.Lock()
	i := e.next
	e.next++
	e.mu.Unlock()
	return telephony.DialRequest{
		From:        e.h.From,
		To:          e.h.Number(i),
		RingTimeout: 20 * time.Second,
		AttemptID:   fmt.Sprintf("attempt-%d", i),
		Metadata:    map[string]string{"suite": "telephonytest"},
	}
}

// dial plans the callee and dials.
func (e *env) dial(t *testing.T, req telephony.DialRequest, p Plan) telephony.CallID {
	t.Helper()
	e.d.Plan(req.To, p)
	id, err := e.c.Dial(t.Context(), req)
	require.NoError(t, err, "Dial %s", req.To)
	require.NotEmpty(t, id, "Dial returned an empty CallID")
	e.rec.expect(id, req.AttemptID)
	return id
}

// waitFor advances carrier time until cond holds.
func (e *env) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	e.d.Advance(0)
	for waited := time.Duration(0); !cond(); waited += e.h.Step {
		if waited >= e.h.Timeout {
			t.Fatalf("telephonytest: after %v of carrier time, still waiting for %s", e.h.Timeout, what)
		}
		e.d.Advance(e.h.Step)
	}
}

func (e *env) waitType(t *testing.T, id telephony.CallID, typ telephony.EventType) {
	t.Helper()
	e.waitFor(t, fmt.Sprintf("%s on %s", typ, id), func() bool { return e.rec.has(id, typ) })
}

func (e *env) waitEnd(t *testing.T, id telephony.CallID) telephony.Event {
	t.Helper()
	e.waitFor(t, fmt.Sprintf("the end of %s", id), func() bool { _, ok := e.rec.terminal(id); return ok })
	end, _ := e.rec.terminal(id)
	return end
}

func human(talk time.Duration) Plan {
	return Plan{Answer: Human, After: 2 * time.Second, Talk: talk}
}

func testDialBeforeStart(t *testing.T, e *env) {
	_, err := e.c.Dial(t.Context(), e.request())
	require.Error(t, err, "Dial before Start must fail")
	assert.ErrorIs(t, err, telephony.ErrNotStarted)
	assert.False(t, telephony.IsOutcomeUnknown(err))
}

func testValidation(t *testing.T, e *env) {
	e.start(t)
	cases := []struct {
		field  string
		mutate func(*telephony.DialRequest)
	}{
		{"RingTimeout", func(r *telephony.DialRequest) { r.RingTimeout = 10 * time.Second }},
		{"RingTimeout", func(r *telephony.DialRequest) { r.RingTimeout = 0 }},
		{"To", func(r *telephony.DialRequest) { r.To = "12345" }},
		{"To", func(r *telephony.DialRequest) { r.To = "+0123456789" }},
		{"To", func(r *telephony.DialRequest) { r.To = "" }},
		{"To", func(r *telephony.DialRequest) { r.To = "+1 555 0100" }},
		{"From", func(r *telephony.DialRequest) { r.From = "not-a-number" }},
		{"AMD", func(r *telephony.DialRequest) { r.AMD = "sometimes" }},
		{"AttemptID", func(r *telephony.DialRequest) { r.AttemptID = "" }},
	}
	for _, c := range cases {
		req := e.request()
		c.mutate(&req)
		e.d.Plan(req.To, human(5*time.Second))
		id, err := e.c.Dial(t.Context(), req)
		require.Error(t, err, "Dial must refuse a bad %s (%+v)", c.field, req)
		assert.Empty(t, id)
		assert.ErrorIs(t, err, telephony.ErrInvalidRequest, "bad %s", c.field)
		assert.False(t, telephony.IsRetryable(err), "a bad %s is not retryable", c.field)
		assert.False(t, telephony.IsOutcomeUnknown(err), "a bad %s places no call", c.field)
		assert.Contains(t, err.Error(), c.field, "the error names the field")
	}
	e.d.Advance(time.Minute)
	assert.Empty(t, e.rec.all(), "refused dials emit no events")
}

func testOutcomes(t *testing.T, e *env) {
	e.start(t)
	type outcome struct {
		name  string
		plan  Plan
		amd   telephony.AMDMode
		react func(id telephony.CallID, ev telephony.Event) // on each applied event
		pass  []telephony.EventType                         // must be seen
		end   telephony.EventType
	}
	agent := telephony.Endpoint{Kind: telephony.EndpointURI, Address: "sip:agent1@pbx.example"}
	abandon := telephony.Message{Text: "Sorry we missed you. Call 555-0100 to opt out."}
	bridge := func(id telephony.CallID, ev telephony.Event) {
		if ev.Type == telephony.EventAnsweredHuman {
			// From inside the sink, as an engine does: carriers must allow it.
			assert.NoError(t, e.c.Bridge(context.Background(), id, agent), "Bridge from the sink")
		}
	}
	hangupOnAnswer := func(id telephony.CallID, ev telephony.Event) {
		if ev.Type.Answered() {
			assert.NoError(t, e.c.Play(context.Background(), id, abandon), "Play")
			assert.NoError(t, e.c.Hangup(context.Background(), id), "Hangup")
		}
	}
	cases := []outcome{
		{"human bridged", human(5 * time.Second), telephony.AMDOff, bridge,
			[]telephony.EventType{telephony.EventAnsweredHuman, telephony.EventBridged}, telephony.EventCompleted},
		{"human abandoned", human(5 * time.Second), telephony.AMDOff, hangupOnAnswer,
			[]telephony.EventType{telephony.EventAnsweredHuman}, telephony.EventCompleted},
		{"machine", Plan{Machine, 2 * time.Second, 5 * time.Second}, telephony.AMDEnable, hangupOnAnswer,
			[]telephony.EventType{telephony.EventAnsweredMachine}, telephony.EventCompleted},
		{"busy", Plan{Busy, 3 * time.Second, 0}, telephony.AMDOff, nil, nil, telephony.EventBusy},
		{"failed", Plan{Failed, 3 * time.Second, 0}, telephony.AMDOff, nil, nil, telephony.EventFailed},
		{"no answer", Plan{NoAnswer, 0, 0}, telephony.AMDOff, nil,
			[]telephony.EventType{telephony.EventRinging}, telephony.EventNoAnswer},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.amd != telephony.AMDOff && !e.h.Features.AMD {
				t.Skip("telephonytest: carrier lacks AMD (Features.AMD)")
			}
			req := e.request()
			req.AMD = c.amd
			e.d.Plan(req.To, c.plan)
			if c.react != nil {
				e.rec.react(req.AttemptID, c.react)
			}
			id := e.dial(t, req, c.plan)
			end := e.waitEnd(t, id)
			assert.Equal(t, c.end, end.Type, "terminal event of %s", c.name)
			for _, typ := range c.pass {
				assert.True(t, e.rec.has(id, typ), "%s: expected a %s event", c.name, typ)
			}
			if e.rec.has(id, telephony.EventBridged) {
				assert.Positive(t, end.Duration, "completed carries the connected Duration")
			}
			if c.end == telephony.EventNoAnswer {
				ring := e.rec.first(id, telephony.EventRinging)
				assert.GreaterOrEqual(t, end.At.Sub(ring.At), telephony.MinRingTimeout-time.Second,
					"an unanswered call rings at least the minimum")
			}
			e.check(t)
		})
	}
}

func testHangupRinging(t *testing.T, e *env) {
	e.start(t)
	req := e.request()
	id := e.dial(t, req, Plan{Answer: NoAnswer})
	e.waitType(t, id, telephony.EventRinging)
	require.NoError(t, e.c.Hangup(t.Context(), id), "Hangup of a ringing call")
	end := e.waitEnd(t, id)
	assert.Equal(t, telephony.EventCanceled, end.Type, "a ringing call hung up ends canceled")
	assert.NoError(t, e.c.Hangup(t.Context(), id), "Hangup of an ended call is a no-op")
	e.d.Advance(time.Minute)
	e.check(t)
}

func testCallState(t *testing.T, e *env) {
	e.start(t)
	agent := telephony.Endpoint{Kind: telephony.EndpointPhone, Address: "+15005550100"}
	msg := telephony.Message{Text: "hello"}
	req := e.request()
	id := e.dial(t, req, Plan{Answer: Human, After: 5 * time.Second, Talk: 5 * time.Second})
	e.waitFor(t, "queued or ringing", func() bool {
		return e.rec.has(id, telephony.EventRinging) || e.rec.has(id, telephony.EventQueued)
	})
	if !e.rec.has(id, telephony.EventAnsweredHuman) {
		assert.ErrorIs(t, e.c.Bridge(t.Context(), id, agent), telephony.ErrCallState, "Bridge before the answer")
		assert.ErrorIs(t, e.c.Play(t.Context(), id, msg), telephony.ErrCallState, "Play before the answer")
	}
	e.waitType(t, id, telephony.EventAnsweredHuman)
	assert.ErrorIs(t, e.c.Bridge(t.Context(), id, telephony.Endpoint{Kind: telephony.EndpointPhone, Address: "555"}),
		telephony.ErrInvalidRequest, "Bridge to a bad endpoint")
	assert.ErrorIs(t, e.c.Play(t.Context(), id, telephony.Message{}), telephony.ErrInvalidRequest, "Play of nothing")
	require.NoError(t, e.c.Bridge(t.Context(), id, agent))
	assert.ErrorIs(t, e.c.Bridge(t.Context(), id, agent), telephony.ErrCallState, "second Bridge")
	e.waitEnd(t, id)
	for name, err := range map[string]error{
		"Bridge": e.c.Bridge(t.Context(), id, agent),
		"Play":   e.c.Play(t.Context(), id, msg),
	} {
		require.Error(t, err, "%s after the end", name)
		assert.True(t, errors.Is(err, telephony.ErrCallState) || errors.Is(err, telephony.ErrUnknownCall),
			"%s after the end: want ErrCallState or ErrUnknownCall, got %v", name, err)
	}
	e.check(t)
}

func testUnknownCall(t *testing.T, e *env) {
	e.start(t)
	const id = telephony.CallID("telephonytest-no-such-call")
	agent := telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "ai-1"}
	for name, err := range map[string]error{
		"Bridge": e.c.Bridge(t.Context(), id, agent),
		"Play":   e.c.Play(t.Context(), id, telephony.Message{Text: "hi"}),
		"Hangup": e.c.Hangup(t.Context(), id),
	} {
		assert.ErrorIs(t, err, telephony.ErrUnknownCall, "%s of an unknown call", name)
		assert.False(t, telephony.IsRetryable(err), "%s of an unknown call is not retryable", name)
	}
}

func testRedelivery(t *testing.T, e *env) {
	r, ok := e.d.(Redeliverer)
	if !ok {
		t.Skip("telephonytest: driver cannot redeliver events (implement Redeliverer)")
	}
	e.start(t)
	req := e.request()
	agent := telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "ai-1"}
	e.rec.react(req.AttemptID, func(id telephony.CallID, ev telephony.Event) {
		if ev.Type == telephony.EventAnsweredHuman {
			assert.NoError(t, e.c.Bridge(context.Background(), id, agent))
		}
	})
	id := e.dial(t, req, human(3*time.Second))
	e.waitEnd(t, id)
	applied := e.rec.applied(id)
	raw := len(e.rec.all())
	r.Redeliver(id)
	e.d.Advance(0)
	assert.Greater(t, len(e.rec.all()), raw, "redelivered events reach the sink")
	assert.Equal(t, applied, e.rec.applied(id), "a Sequencer-using consumer sees each event once")
	e.check(t)
}

func testIdempotentDial(t *testing.T, e *env) {
	if !e.h.Features.IdempotentDial {
		t.Skip("telephonytest: carrier does not deduplicate dials by AttemptID (Features.IdempotentDial)")
	}
	e.start(t)
	req := e.request()
	id := e.dial(t, req, Plan{Answer: Busy, After: 2 * time.Second})
	again, err := e.c.Dial(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, id, again, "a second Dial with the same AttemptID returns the first call")
	e.waitEnd(t, id)
	e.d.Advance(time.Minute)
	assert.Equal(t, []telephony.CallID{id}, e.rec.calls(), "one call placed")
	e.check(t)
}

func testDialFailures(t *testing.T, e *env) {
	f, ok := e.d.(DialFailer)
	if !ok {
		t.Skip("telephonytest: driver cannot inject dial failures (implement DialFailer)")
	}
	e.start(t)

	req := e.request()
	e.d.Plan(req.To, human(time.Second))
	f.FailNextDial(false)
	_, err := e.c.Dial(t.Context(), req)
	require.Error(t, err)
	assert.True(t, telephony.IsRetryable(err), "an injected retryable failure: %v", err)
	assert.False(t, telephony.IsOutcomeUnknown(err))

	req = e.request()
	e.d.Plan(req.To, Plan{Answer: Busy, After: 2 * time.Second})
	f.FailNextDial(true)
	_, err = e.c.Dial(t.Context(), req)
	require.Error(t, err)
	assert.True(t, telephony.IsOutcomeUnknown(err), "an injected outcome-unknown failure: %v", err)
	assert.False(t, telephony.IsRetryable(err), "an unknown outcome is never retryable")
	e.d.Advance(time.Minute)
	for _, id := range e.rec.calls() {
		evs := e.rec.applied(id)
		require.NotEmpty(t, evs)
		assert.Equal(t, req.AttemptID, evs[0].AttemptID, "the placed call is found by its AttemptID")
		e.rec.expect(id, req.AttemptID)
	}
	e.check(t)
}

func testConcurrency(t *testing.T, e *env) {
	e.start(t)
	const dials, workers = 100, 8
	agent := telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "ai-1"}
	plans := []Plan{
		human(4 * time.Second),
		{Answer: Busy, After: 2 * time.Second},
		{Answer: NoAnswer},
		{Answer: Failed, After: 3 * time.Second},
		{Answer: Machine, After: 3 * time.Second, Talk: 2 * time.Second},
	}
	e.rec.reactAll(func(id telephony.CallID, ev telephony.Event) {
		switch ev.Type {
		case telephony.EventAnsweredHuman:
			assert.NoError(t, e.c.Bridge(context.Background(), id, agent))
		case telephony.EventAnsweredMachine:
			assert.NoError(t, e.c.Hangup(context.Background(), id))
		}
	})
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		ids   []telephony.CallID
		jobs  = make(chan int)
		done  = make(chan struct{})
		fails []error
	)
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				req := e.request()
				req.AMD = telephony.AMDEnable
				e.d.Plan(req.To, plans[i%len(plans)])
				id, err := e.c.Dial(context.Background(), req)
				mu.Lock()
				if err != nil {
					fails = append(fails, err)
				} else {
					ids = append(ids, id)
					e.rec.expect(id, req.AttemptID)
				}
				mu.Unlock()
			}
		})
	}
	go func() {
		for i := range dials {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(done)
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			e.d.Advance(e.h.Step / 4)
		}
	}
	require.Empty(t, fails, "concurrent dials")
	require.Len(t, ids, dials)
	e.waitFor(t, "every call to end", func() bool {
		for _, id := range ids {
			if _, ok := e.rec.terminal(id); !ok {
				return false
			}
		}
		return true
	})
	e.d.Advance(time.Minute)
	seen := map[telephony.CallID]bool{}
	for _, id := range ids {
		assert.False(t, seen[id], "CallID %s returned twice", id)
		seen[id] = true
	}
	e.check(t)
}

// check verifies every call the recorder saw; see the package telephony
// documentation for the rules.
func (e *env) check(t *testing.T) {
	t.Helper()
	for _, id := range e.rec.calls() {
		checkCall(t, id, e.rec.delivered(id), e.rec.attempt(id), e.h.Features.OutOfOrder)
	}
}

func checkCall(t *testing.T, id telephony.CallID, delivered []telephony.Event, attempt string, outOfOrder bool) {
	t.Helper()
	bySeq := map[int]telephony.Event{}
	var order []int
	for _, ev := range delivered {
		assert.Equal(t, id, ev.CallID)
		if attempt != "" {
			assert.Equal(t, attempt, ev.AttemptID, "%s: AttemptID", id)
		}
		require.GreaterOrEqual(t, ev.Seq, 1, "%s: Seq starts at 1: %v", id, ev)
		if prev, dup := bySeq[ev.Seq]; dup {
			assert.Equal(t, prev.Type, ev.Type, "%s: a redelivered Seq %d changed type", id, ev.Seq)
			continue
		}
		if !outOfOrder && len(order) > 0 {
			assert.Greater(t, ev.Seq, order[len(order)-1], "%s: Seq must increase in delivery order: %v", id, ev)
		}
		bySeq[ev.Seq] = ev
		order = append(order, ev.Seq)
	}
	sort.Ints(order)
	var prev telephony.Event
	terminals, rang := 0, false
	for i, seq := range order {
		ev := bySeq[seq]
		assert.True(t, telephony.CanFollow(prev.Type, ev.Type), "%s: %s cannot follow %q", id, ev.Type, prev.Type)
		if i > 0 {
			assert.False(t, ev.At.Before(prev.At), "%s: %v is earlier than %v", id, ev, prev)
		}
		if ev.Type.Answered() {
			assert.True(t, rang, "%s: answered before queued or ringing", id)
		}
		rang = rang || ev.Type == telephony.EventQueued || ev.Type == telephony.EventRinging
		if ev.Type.Terminal() {
			terminals++
		}
		prev = ev
	}
	assert.Equal(t, 1, terminals, "%s: exactly one terminal event, got %v", id, types(bySeq, order))
	assert.True(t, prev.Type.Terminal(), "%s: the last event is terminal, got %v", id, types(bySeq, order))
}

func types(bySeq map[int]telephony.Event, order []int) []telephony.EventType {
	out := make([]telephony.EventType, 0, len(order))
	for _, s := range order {
		out = append(out, bySeq[s].Type)
	}
	return out
}

// recorder is the sink: it records every delivery and applies events
// through a Sequencer, running reactions on applied ones outside its lock.
type recorder struct {
	seq      *telephony.Sequencer
	mu       sync.Mutex
	raw      []telephony.Event
	byCall   map[telephony.CallID][]telephony.Event // applied
	attempts map[telephony.CallID]string
	reacts   map[string]func(telephony.CallID, telephony.Event)
	fallback func(telephony.CallID, telephony.Event)
}

func newRecorder() *recorder {
	return &recorder{
		seq:      telephony.NewSequencer(),
		byCall:   map[telephony.CallID][]telephony.Event{},
		attempts: map[telephony.CallID]string{},
		reacts:   map[string]func(telephony.CallID, telephony.Event){},
	}
}

func (r *recorder) HandleEvent(_ context.Context, ev telephony.Event) error {
	r.mu.Lock()
	r.raw = append(r.raw, ev)
	v := r.seq.Observe(ev)
	if v.OK() {
		r.byCall[ev.CallID] = append(r.byCall[ev.CallID], ev)
	}
	react := r.reacts[ev.AttemptID]
	if react == nil {
		react = r.fallback
	}
	r.mu.Unlock()
	if v.OK() && react != nil {
		react(ev.CallID, ev)
	}
	return nil
}

func (r *recorder) react(attempt string, f func(telephony.CallID, telephony.Event)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reacts[attempt] = f
}

func (r *recorder) reactAll(f func(telephony.CallID, telephony.Event)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fallback = f
}

func (r *recorder) expect(id telephony.CallID, attempt string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[id] = attempt
}

func (r *recorder) attempt(id telephony.CallID) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts[id]
}

func (r *recorder) all() []telephony.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.raw)
}

func (r *recorder) delivered(id telephony.CallID) []telephony.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []telephony.Event
	for _, ev := range r.raw {
		if ev.CallID == id {
			out = append(out, ev)
		}
	}
	return out
}

func (r *recorder) applied(id telephony.CallID) []telephony.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.byCall[id])
}

func (r *recorder) calls() []telephony.CallID {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []telephony.CallID
	for _, ev := range r.raw {
		if !slices.Contains(ids, ev.CallID) {
			ids = append(ids, ev.CallID)
		}
	}
	return ids
}

func (r *recorder) has(id telephony.CallID, typ telephony.EventType) bool {
	return r.first(id, typ).Type == typ
}

func (r *recorder) first(id telephony.CallID, typ telephony.EventType) telephony.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.byCall[id] {
		if ev.Type == typ {
			return ev
		}
	}
	return telephony.Event{}
}

func (r *recorder) terminal(id telephony.CallID) (telephony.Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.byCall[id] {
		if ev.Type.Terminal() {
			return ev, true
		}
	}
	return telephony.Event{}, false
}
