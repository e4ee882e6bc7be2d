package sim

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// Carrier is the simulated carrier. Create it with New; it is safe for
// concurrent use.
type Carrier struct {
	cfg Config

	// advMu serialises Advance, so events leave in order even when it is
	// called from several goroutines. It is held while the sink runs; mu is
	// not, so the sink may call Dial, Bridge, Play and Hangup.
	advMu sync.Mutex

	mu        sync.Mutex
	sink      telephony.EventSink
	dials     uint64    // dials so far: the next dial's k
	requests  uint64    // requests so far, for latency and fault draws
	horizon   time.Time // latest instant events were emitted for
	order     uint64    // tie-breaker: scheduling order
	queue     itemHeap
	calls     map[telephony.CallID]*call
	byAttempt map[string]telephony.CallID
	again     []telephony.Event // to deliver again (sink error, Redeliver)
	ended     []endedCall       // FIFO by end time, for Retain, from endedAt
	endedAt   int
}

var _ telephony.Carrier = (*Carrier)(nil)

type call struct {
	id       telephony.CallID
	req      telephony.DialRequest
	script   Script
	pending  []*item // scheduled, not yet emitted
	seq      int     // last emitted Seq
	answered bool    // an answer is scheduled at answerAt
	answerAt time.Time
	bridged  bool
	ending   bool // a terminal event is scheduled at endAt
	endAt    time.Time
	emitted  []telephony.Event
	plays    int
}

type endedCall struct {
	id telephony.CallID
	at time.Time
}

type item struct {
	at    time.Time
	order uint64
	call  *call
	typ   telephony.EventType
	dur   time.Duration
	code  string
	dead  bool
	index int
}

// New returns a simulated carrier, or an error naming the Config field that
// is out of range.
func New(cfg Config) (*Carrier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Carrier{
		cfg:       cfg,
		calls:     make(map[telephony.CallID]*call),
		byAttempt: make(map[string]telephony.CallID),
	}, nil
}

// Start registers the sink. The simulated carrier has no background work,
// so ctx is not kept. Starting twice is an error.
func (c *Carrier) Start(ctx context.Context, sink telephony.EventSink) error {
	if sink == nil {
		return &telephony.Error{Code: telephony.CodeInvalidRequest,
			Err: fmt.Errorf("%w: sink is nil", telephony.ErrInvalidRequest)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sink != nil {
		return &telephony.Error{Code: telephony.CodeCallState, Err: fmt.Errorf("sim: already started")}
	}
	c.sink = sink
	return nil
}

// now reads the clock, never earlier than events already emitted. c.mu must
// be held.
func (c *Carrier) now() time.Time {
	now := c.cfg.Now()
	if now.Before(c.horizon) {
		return c.horizon
	}
	return now
}

// Dial places a call at the clock's time and schedules its events. A second
// Dial with the same AttemptID, while the first call is retained, returns
// the first call's id and places nothing.
func (c *Carrier) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	if err := req.Validate(); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", &telephony.Error{Code: telephony.CodeCanceled, Retryable: true, Err: err}
	}
	act, ferr := c.begin(ctx, reqDial, "dial")
	if !act {
		return "", ferr
	}
	id, err := c.dial(req)
	if err == nil && ferr != nil {
		return "", ferr
	}
	return id, err
}

// dial places the call of Dial.
func (c *Carrier) dial(req telephony.DialRequest) (telephony.CallID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sink == nil {
		return "", &telephony.Error{Code: telephony.CodeNotStarted, Err: telephony.ErrNotStarted}
	}
	if id, ok := c.byAttempt[req.AttemptID]; ok {
		return id, nil
	}
	k := c.dials
	c.dials++
	now := c.now()
	failure := c.dialFailure(k, req)
	if failure != nil && !telephony.IsOutcomeUnknown(failure) {
		return "", failure
	}
	s := c.cfg.draw(k, req, now)
	if c.cfg.Override != nil {
		s = c.cfg.Override(req, s)
		s.K, s.DialedAt = k, now
	}
	s = effective(s, req)
	cl := &call{id: telephony.CallID(fmt.Sprintf("sim-%d", k+1)), req: req, script: s}
	c.calls[cl.id] = cl
	c.byAttempt[req.AttemptID] = cl.id
	c.schedule(cl, now)
	if failure != nil {
		return "", failure
	}
	return cl.id, nil
}

func (c *Carrier) dialFailure(k uint64, req telephony.DialRequest) error {
	if c.cfg.FailDial != nil {
		if err := c.cfg.FailDial(k, req); err != nil {
			return err
		}
	}
	if c.cfg.DialErrorProb == 0 && c.cfg.DialUnknownProb == 0 {
		return nil
	}
	u := stream(c.cfg.Seed, k, saltFail).Float64()
	switch {
	case u < c.cfg.DialErrorProb:
		return &telephony.Error{Code: telephony.CodeUnavailable, Retryable: true,
			Err: fmt.Errorf("sim: injected failure on dial %d", k)}
	case u < c.cfg.DialErrorProb+c.cfg.DialUnknownProb:
		return &telephony.Error{Code: telephony.CodeTimeout, Unknown: true,
			Err: fmt.Errorf("sim: injected timeout on dial %d", k)}
	}
	return nil
}

// schedule lays out a new call's events from its script.
func (c *Carrier) schedule(cl *call, now time.Time) {
	s := cl.script
	c.add(cl, now, telephony.EventQueued, 0, "")
	at := now.Add(s.Ring)
	switch s.Outcome {
	case OutcomeHuman, OutcomeMachine:
		c.add(cl, now, telephony.EventRinging, 0, "")
		typ := telephony.EventAnsweredHuman
		if s.Outcome == OutcomeMachine && cl.req.AMD != telephony.AMDOff {
			typ = telephony.EventAnsweredMachine
		}
		c.add(cl, at, typ, 0, "")
		c.add(cl, at.Add(c.cfg.Patience), telephony.EventCompleted, c.cfg.Patience, "200")
	case OutcomeBusy:
		c.add(cl, at, telephony.EventBusy, 0, "486")
	case OutcomeFailed:
		c.add(cl, at, telephony.EventFailed, 0, "503")
	default:
		c.add(cl, now, telephony.EventRinging, 0, "")
		c.add(cl, at, telephony.EventNoAnswer, 0, "480")
	}
}

// add schedules one event. c.mu must be held.
func (c *Carrier) add(cl *call, at time.Time, typ telephony.EventType, dur time.Duration, code string) {
	it := &item{at: at, order: c.order, call: cl, typ: typ, dur: dur, code: code}
	c.order++
	heap.Push(&c.queue, it)
	cl.pending = append(cl.pending, it)
	switch {
	case typ.Answered():
		cl.answered, cl.answerAt = true, at
	case typ == telephony.EventBridged:
		cl.bridged = true
	case typ.Terminal():
		cl.ending, cl.endAt = true, at
	}
}

// cancelAfter drops the call's events scheduled after now. c.mu must be held.
func (c *Carrier) cancelAfter(cl *call, now time.Time) {
	kept := cl.pending[:0]
	for _, it := range cl.pending {
		if !it.at.After(now) {
			kept = append(kept, it)
			continue
		}
		it.dead = true
		switch {
		case it.typ.Answered():
			cl.answered = false
		case it.typ == telephony.EventBridged:
			cl.bridged = false
		case it.typ.Terminal():
			cl.ending = false
		}
	}
	clear(cl.pending[len(kept):])
	cl.pending = kept
}

func (c *Carrier) lookup(id telephony.CallID) (*call, error) {
	cl, ok := c.calls[id]
	if !ok {
		return nil, &telephony.Error{Code: telephony.CodeUnknownCall,
			Err: fmt.Errorf("%w: %q", telephony.ErrUnknownCall, string(id))}
	}
	return cl, nil
}

func stateErr(format string, args ...any) error {
	return &telephony.Error{Code: telephony.CodeCallState,
		Err: fmt.Errorf("%w: %s", telephony.ErrCallState, fmt.Sprintf(format, args...))}
}

// answeredCall returns the call if it is answered and not ended at now.
// c.mu must be held.
func (c *Carrier) answeredCall(id telephony.CallID, now time.Time) (*call, error) {
	cl, err := c.lookup(id)
	if err != nil {
		return nil, err
	}
	if cl.ending && !cl.endAt.After(now) {
		return nil, stateErr("call %s has ended", id)
	}
	if !cl.answered || cl.answerAt.After(now) {
		return nil, stateErr("call %s is not answered", id)
	}
	return cl, nil
}

// Bridge connects an answered call to an endpoint: bridged is emitted at the
// clock's time and the callee hangs up Script.Talk later (completed).
func (c *Carrier) Bridge(ctx context.Context, id telephony.CallID, to telephony.Endpoint) error {
	if err := to.Validate(); err != nil {
		return err
	}
	act, ferr := c.begin(ctx, reqBridge, "bridge")
	if !act {
		return ferr
	}
	if err := c.bridge(id); err != nil {
		return err
	}
	return ferr
}

func (c *Carrier) bridge(id telephony.CallID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	cl, err := c.answeredCall(id, now)
	if err != nil {
		return err
	}
	if cl.bridged {
		return stateErr("call %s is already bridged", id)
	}
	c.cancelAfter(cl, now)
	c.add(cl, now, telephony.EventBridged, 0, "")
	end := now.Add(cl.script.Talk)
	c.add(cl, end, telephony.EventCompleted, end.Sub(cl.answerAt), "200")
	return nil
}

// Play plays a message to an answered call. The simulated message takes no
// time and emits no event.
func (c *Carrier) Play(ctx context.Context, id telephony.CallID, msg telephony.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	act, ferr := c.begin(ctx, reqPlay, "play")
	if !act {
		return ferr
	}
	if err := c.play(id); err != nil {
		return err
	}
	return ferr
}

func (c *Carrier) play(id telephony.CallID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, err := c.answeredCall(id, c.now())
	if err != nil {
		return err
	}
	cl.plays++
	return nil
}

// Hangup ends the call at the clock's time: canceled if it was not answered
// by then, completed if it was. A call that has ended is left alone.
func (c *Carrier) Hangup(ctx context.Context, id telephony.CallID) error {
	act, ferr := c.begin(ctx, reqHangup, "hangup")
	if !act {
		return ferr
	}
	if err := c.hangup(id); err != nil {
		return err
	}
	return ferr
}

func (c *Carrier) hangup(id telephony.CallID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, err := c.lookup(id)
	if err != nil {
		return err
	}
	now := c.now()
	if cl.ending && !cl.endAt.After(now) {
		return nil
	}
	c.cancelAfter(cl, now)
	if cl.answered {
		c.add(cl, now, telephony.EventCompleted, now.Sub(cl.answerAt), "200")
	} else {
		c.add(cl, now, telephony.EventCanceled, 0, "487")
	}
	return nil
}

// NextEventAt returns when the next event is due, and false when nothing
// is scheduled.
func (c *Carrier) NextEventAt() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.again) > 0 {
		return c.horizon, true
	}
	if it := c.peek(); it != nil {
		return it.at, true
	}
	return time.Time{}, false
}

// peek returns the next live item, discarding canceled ones. c.mu must be
// held.
func (c *Carrier) peek() *item {
	for len(c.queue) > 0 {
		if it := c.queue[0]; !it.dead {
			return it
		}
		heap.Pop(&c.queue)
	}
	return nil
}

// Advance emits, through the sink and in time order, every event due at or
// before now, including events the sink's own calls schedule meanwhile. It
// returns ctx's error if ctx ends first. If the sink returns an error,
// Advance stops and returns it; the event is delivered again by the next
// Advance (at-least-once delivery). The sink must not call Advance.
func (c *Carrier) Advance(ctx context.Context, now time.Time) error {
	c.advMu.Lock()
	defer c.advMu.Unlock()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.mu.Lock()
		e, ok := c.next(now)
		sink := c.sink
		c.mu.Unlock()
		if !ok {
			break
		}
		if err := sink.HandleEvent(ctx, e); err != nil {
			c.mu.Lock()
			c.again = append([]telephony.Event{e}, c.again...)
			c.mu.Unlock()
			return fmt.Errorf("sim: sink refused %s: %w", e, err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.After(c.horizon) {
		c.horizon = now
	}
	c.prune()
	return nil
}

// next takes the next event due at or before now. c.mu must be held.
func (c *Carrier) next(now time.Time) (telephony.Event, bool) {
	if len(c.again) > 0 {
		e := c.again[0]
		c.again = c.again[1:]
		return e, true
	}
	it := c.peek()
	if it == nil || it.at.After(now) {
		return telephony.Event{}, false
	}
	heap.Pop(&c.queue)
	if it.at.After(c.horizon) {
		c.horizon = it.at
	}
	cl := it.call
	for i, p := range cl.pending {
		if p == it {
			cl.pending = append(cl.pending[:i], cl.pending[i+1:]...)
			break
		}
	}
	cl.seq++
	e := telephony.Event{
		CallID:        cl.id,
		AttemptID:     cl.req.AttemptID,
		Type:          it.typ,
		Seq:           cl.seq,
		At:            it.at,
		Duration:      it.dur,
		CarrierCode:   it.code,
		CarrierStatus: string(it.typ),
	}
	if it.typ.Terminal() {
		e.Cost = telephony.Cost{Micros: c.price(it.dur), Currency: c.cfg.Currency}
		c.ended = append(c.ended, endedCall{id: cl.id, at: it.at})
	}
	cl.emitted = append(cl.emitted, e)
	return e, true
}

// price bills connected time per second, rounded up.
func (c *Carrier) price(d time.Duration) int64 {
	secs := int64((d + time.Second - 1) / time.Second)
	return (secs*c.cfg.CostPerMinute + 30) / 60
}

// prune forgets calls that ended more than Retain ago. c.mu must be held.
func (c *Carrier) prune() {
	if c.cfg.Retain < 0 {
		return
	}
	cut := c.horizon.Add(-c.cfg.Retain)
	for ; c.endedAt < len(c.ended) && c.ended[c.endedAt].at.Before(cut); c.endedAt++ {
		id := c.ended[c.endedAt].id
		if cl, ok := c.calls[id]; ok {
			delete(c.byAttempt, cl.req.AttemptID)
			delete(c.calls, id)
		}
	}
	// Compact once the forgotten head outweighs the rest (amortised O(1)).
	if c.endedAt > 64 && c.endedAt*2 > len(c.ended) {
		n := copy(c.ended, c.ended[c.endedAt:])
		clear(c.ended[n:])
		c.ended, c.endedAt = c.ended[:n], 0
	}
}

// Peek returns the script drawn for a call still retained.
func (c *Carrier) Peek(id telephony.CallID) (Script, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.calls[id]
	if !ok {
		return Script{}, false
	}
	return cl.script, true
}

// Plays returns how many messages were played to a call still retained.
func (c *Carrier) Plays(id telephony.CallID) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.calls[id]; ok {
		return cl.plays
	}
	return 0
}

// Redeliver queues every event already emitted for the call for delivery
// again (same Seq), as a carrier retrying webhooks would; the next Advance
// sends them. It returns how many were queued.
func (c *Carrier) Redeliver(id telephony.CallID) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.calls[id]
	if !ok {
		return 0
	}
	c.again = append(c.again, cl.emitted...)
	return len(cl.emitted)
}

// Dials returns how many dials were attempted, failed ones included: the
// next dial's k.
func (c *Carrier) Dials() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dials
}

// itemHeap orders items by time, then scheduling order.
type itemHeap []*item

func (h itemHeap) Len() int { return len(h) }
func (h itemHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].order < h[j].order
}
func (h itemHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *itemHeap) Push(x any) {
	it := x.(*item)
	it.index = len(*h)
	*h = append(*h, it)
}
func (h *itemHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return it
}
