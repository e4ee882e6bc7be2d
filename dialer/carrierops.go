package dialer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// Carrier requests never run under the engine's lock. The engine loop
// builds each request (a carrierOp), hands it to an executor, and applies
// its result when it comes back through the inbox, like a carrier event.
// Dials and control requests (bridge, play, hang up) have separate
// concurrency limits, so an answered call is never bridged behind dial
// requests, however slow the carrier is to place calls.

// opKind is the kind of a carrier request.
type opKind int

const (
	opDial opKind = iota
	opBridge
	opPlay
	opHangup
)

func (k opKind) String() string {
	switch k {
	case opDial:
		return "dial"
	case opBridge:
		return "bridge"
	case opPlay:
		return "play"
	default:
		return "hangup"
	}
}

// carrierOp is one carrier request and, once run, its result. The fields
// before the result are set by the engine loop before submit and only read
// by the executor.
type carrierOp struct {
	kind      opKind
	attemptID string
	callID    telephony.CallID
	req       telephony.DialRequest
	to        telephony.Endpoint
	msg       telephony.Message
	// tries counts earlier attempts of the same request (hang-up and
	// bridge retries); unsure is set once one of them may have acted.
	tries  int
	unsure bool
	// issued is when the engine asked, by its clock.
	issued time.Time
	// retryAt is when a failed request is tried again (hang-ups).
	retryAt time.Time

	// id and err are the result.
	id  telephony.CallID
	err error
	// done is when the result arrives in virtual time (virtualExec).
	done time.Time
}

// run makes the request.
func (op *carrierOp) run(ctx context.Context, c telephony.Carrier) {
	switch op.kind {
	case opDial:
		op.id, op.err = c.Dial(ctx, op.req)
	case opBridge:
		op.err = c.Bridge(ctx, op.callID, op.to)
	case opPlay:
		op.err = c.Play(ctx, op.callID, op.msg)
	case opHangup:
		op.err = c.Hangup(ctx, op.callID)
	}
}

// control reports whether op is a control request (not a dial).
func (op *carrierOp) control() bool { return op.kind != opDial }

// storeOp is store I/O the engine loop needs (a claim, the dial-time gate
// and the dial journal, writing an attempt, extending a lease, the
// campaign lease, re-reading the campaign): run reads nothing of the
// engine's state and runs beside the loop; apply runs on the loop, with
// the engine's state, once run has returned. So a slow database delays
// only what waits for its answer, never the loop (bridging, abandons) nor
// the agents' calls.
type storeOp struct {
	name  string
	run   func(ctx context.Context)
	apply func(ctx context.Context, now time.Time) error
}

// executor runs carrier requests and store I/O outside the engine's lock
// and posts each finished one back with Engine.post.
type executor interface {
	// submit queues op. It is called with Engine.mu held and never
	// blocks or calls the carrier.
	submit(op *carrierOp)
	// submitStore queues store I/O; like submit, it never blocks.
	submitStore(op *storeOp)
}

// liveExec runs each request on a goroutine of its own, at most limit
// dials and limit control requests at a time, each bounded by the
// engine's RequestTimeout. It is the executor of Run.
type liveExec struct {
	e       *Engine
	ctx     context.Context
	cancel  context.CancelFunc
	dials   chan struct{}
	control chan struct{}
	store   chan struct{}
	wg      sync.WaitGroup
}

func newLiveExec(e *Engine) *liveExec {
	ctx, cancel := context.WithCancel(context.Background())
	return &liveExec{e: e, ctx: ctx, cancel: cancel,
		dials: make(chan struct{}, e.cfg.CarrierConcurrency), control: make(chan struct{}, e.cfg.CarrierConcurrency),
		store: make(chan struct{}, e.cfg.CarrierConcurrency)}
}

// submitStore runs op on a goroutine of its own, at most limit at a time.
func (x *liveExec) submitStore(op *storeOp) {
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		// Store I/O runs even while stopping: Stop waits for it, so that
		// no write the engine began is abandoned half-way.
		x.store <- struct{}{}
		op.run(context.WithoutCancel(x.ctx))
		<-x.store
		x.e.postStore(op)
	}()
}

func (x *liveExec) submit(op *carrierOp) {
	sem := x.dials
	if op.control() {
		sem = x.control
	}
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		select {
		case sem <- struct{}{}:
		case <-x.ctx.Done():
			op.err = &telephony.Error{Code: telephony.CodeCanceled, Retryable: true, Err: fmt.Errorf("dialer: engine stopped before the %s request ran: %w", op.kind, x.ctx.Err())}
			x.e.post(op)
			return
		}
		ctx, cancel := context.WithTimeout(x.ctx, x.e.cfg.RequestTimeout)
		op.run(ctx, x.e.cfg.Carrier)
		cancel()
		<-sem
		x.e.post(op)
	}()
}

// wait waits for the requests in flight, up to grace; then it cancels the
// rest and waits for them to return.
func (x *liveExec) wait(grace time.Duration) {
	done := make(chan struct{})
	go func() {
		x.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		x.cancel()
		<-done
	}
	x.cancel()
}

// post hands a finished request back to the engine loop.
func (e *Engine) post(op *carrierOp) {
	e.inboxMu.Lock()
	e.inbox = append(e.inbox, inboxItem{op: op})
	e.inboxMu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// postStore hands finished store I/O back to the engine loop.
func (e *Engine) postStore(op *storeOp) {
	e.inboxMu.Lock()
	e.inbox = append(e.inbox, inboxItem{st: op})
	e.inboxMu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// submitStore runs store I/O beside the loop: at once in the caller's
// goroutine when nothing drives the engine yet (New, Start, Stop), else
// through the executor, its apply coming back through the inbox. e.mu
// must be held.
func (e *Engine) submitStore(ctx context.Context, op *storeOp, now time.Time) error {
	if e.exec == nil || e.stopped {
		op.run(ctx)
		return op.apply(ctx, now)
	}
	e.exec.submitStore(op)
	return nil
}

// submit hands op to the executor. e.mu must be held.
func (e *Engine) submit(op *carrierOp, now time.Time) {
	op.issued = now
	e.exec.submit(op)
}

// hangup asks the carrier to end a call. e.mu must be held.
func (e *Engine) hangup(c *call, now time.Time) {
	if c.callID == "" {
		// The dial has not returned yet: hang up when it does.
		c.hangupOnDial = true
		return
	}
	e.submit(&carrierOp{kind: opHangup, attemptID: c.attemptID, callID: c.callID}, now)
}

// hangupRetries is how many times a failed hang-up is retried at
// increasing intervals before the call is reported in Stats.Unhung; it is
// then retried every hangupRetryMax until it succeeds.
const (
	hangupRetries  = 5
	hangupRetryMax = time.Minute
)

// result applies the result of a carrier request. e.mu must be held.
func (e *Engine) result(ctx context.Context, op *carrierOp, now time.Time) error {
	if op.err != nil && !errors.Is(op.err, telephony.ErrUnknownCall) {
		e.stats.CarrierErrors++
	}
	switch op.kind {
	case opDial:
		return e.dialResult(ctx, op, now)
	case opBridge:
		return e.bridgeResult(ctx, op, now)
	case opPlay:
		if op.err != nil {
			e.cfg.Logger.DebugContext(ctx, "dialer: abandon message", "call", op.callID, "err", op.err)
		}
		if c := e.byCall[op.callID]; c != nil && !c.ended {
			e.hangup(c, now)
		}
	case opHangup:
		e.hangupResult(ctx, op, now)
	}
	return nil
}

// hangupResult retries a failed hang-up with backoff: a call left up is a
// live line nobody sees. After hangupRetries it shows in Stats.Unhung
// until a retry succeeds or the call's end is heard.
func (e *Engine) hangupResult(ctx context.Context, op *carrierOp, now time.Time) {
	if op.err == nil || errors.Is(op.err, telephony.ErrUnknownCall) {
		delete(e.unhung, op.callID)
		return
	}
	if c := e.byCall[op.callID]; c != nil && c.ended {
		return
	}
	op.tries++
	wait := min(time.Second<<min(op.tries-1, 6), hangupRetryMax)
	e.cfg.Logger.ErrorContext(ctx, "dialer: hang-up failed; retrying", "call", op.callID, "attempt", op.attemptID, "tries", op.tries, "retry_in", wait, "err", op.err)
	if op.tries == hangupRetries {
		e.stats.HangupFailures++
		e.unhung[op.callID] = op.attemptID
	}
	op.retryAt = now.Add(wait)
	op.err = nil
	e.retries = append(e.retries, op)
}

// runRetries submits the retries due by now. e.mu must be held.
func (e *Engine) runRetries(now time.Time) {
	kept := e.retries[:0]
	for _, op := range e.retries {
		if op.retryAt.After(now) {
			kept = append(kept, op)
			continue
		}
		e.submit(op, now)
	}
	clear(e.retries[len(kept):])
	e.retries = kept
}

// heardEnd forgets the hang-up retries of a call whose end the carrier
// reported. e.mu must be held.
func (e *Engine) heardEnd(id telephony.CallID) {
	delete(e.unhung, id)
	kept := e.retries[:0]
	for _, op := range e.retries {
		if op.callID != id {
			kept = append(kept, op)
		}
	}
	clear(e.retries[len(kept):])
	e.retries = kept
}
