package dialer

import (
	"context"
	"errors"
	"sync"
	"time"
)

// VirtualCarrier is a carrier that runs in virtual time, such as
// telephony/sim: it tells when its next event is due and delivers every
// event due by a time when asked.
type VirtualCarrier interface {
	NextEventAt() (time.Time, bool)
	Advance(ctx context.Context, now time.Time) error
}

// VirtualClock is a settable clock, such as sim.Clock; the engine's
// Config.Clock must read it.
type VirtualClock interface {
	Now() time.Time
	Set(t time.Time)
}

// Actor is something else that acts in virtual time, such as simulated
// agents saving outcomes: Next says when it next wants to run, Act runs it.
type Actor interface {
	Next() (time.Time, bool)
	Act(ctx context.Context, now time.Time) error
}

// VirtualTime drives one engine as a discrete-event simulation: instead of
// Run's goroutines and timers, it steps the engine at each instant
// something is due and runs the engine's carrier requests itself, one at a
// time, each taking the latency the carrier reports through Sleep. The
// concurrency limit of Config.CarrierConcurrency holds in virtual time as
// it does under Run: a request waits for a free slot of its class (dials;
// bridges, messages and hang-ups), and its result reaches the engine when
// its latency has passed.
//
// Create it before the carrier when the carrier models latency, and pass
// its Sleep to the carrier (sim.Config.Sleep), so that latency passes in
// virtual time rather than on the wall clock.
type VirtualTime struct {
	mu sync.Mutex
	e  *Engine
	// waiting are submitted requests not yet started, by class (0
	// control, 1 dials), first in first out.
	waiting [2][]*carrierOp
	busy    [2]int
	// inflight are started requests whose results are not yet due.
	inflight []*carrierOp
	// delay accumulates the latency the carrier reports while one request
	// runs.
	delay time.Duration
	// stores is the store I/O submitted and not yet run, in order; it
	// takes no virtual time.
	stores []*storeOp
}

// NewVirtualTime returns a driver for one engine.
func NewVirtualTime() *VirtualTime { return &VirtualTime{} }

// Sleep records d as the latency of the carrier request running now and
// returns at once: the request's result reaches the engine d later in
// virtual time. Its signature fits sim.Config.Sleep.
func (v *VirtualTime) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		v.delay += d
	}
	return ctx.Err()
}

// bind makes v drive e, once.
func (v *VirtualTime) bind(ctx context.Context, e *Engine) error {
	if v.e == e {
		return nil
	}
	if v.e != nil {
		return errors.New("dialer: a VirtualTime drives one engine")
	}
	e.mu.Lock()
	switch {
	case e.stopped:
		e.mu.Unlock()
		return ErrStopped
	case e.exec != nil && e.virtual != v:
		e.mu.Unlock()
		return errors.New("dialer: the engine is already driven (by Run or another VirtualTime)")
	}
	v.e = e
	e.exec, e.virtual = v, v
	e.mu.Unlock()
	return e.Start(ctx)
}

// submit implements executor; it is called with e.mu held.
func (v *VirtualTime) submit(op *carrierOp) {
	v.mu.Lock()
	defer v.mu.Unlock()
	k := 0
	if !op.control() {
		k = 1
	}
	v.waiting[k] = append(v.waiting[k], op)
}

// submitStore implements executor; it is called with e.mu held.
func (v *VirtualTime) submitStore(op *storeOp) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stores = append(v.stores, op)
}

// pump runs the store I/O submitted so far, starts the requests that have
// a free slot at now and posts the results due by now. It reports whether
// it posted any.
func (v *VirtualTime) pump(ctx context.Context, now time.Time) bool {
	posted := false
	v.mu.Lock()
	stores := v.stores
	v.stores = nil
	v.mu.Unlock()
	for _, op := range stores {
		op.run(ctx)
		v.e.postStore(op)
		posted = true
	}
	limit := v.e.cfg.CarrierConcurrency
	for {
		v.mu.Lock()
		var op *carrierOp
		for k := range v.waiting {
			if len(v.waiting[k]) > 0 && v.busy[k] < limit {
				op = v.waiting[k][0]
				v.waiting[k] = v.waiting[k][1:]
				v.busy[k]++
				break
			}
		}
		v.mu.Unlock()
		if op == nil {
			break
		}
		v.delay = 0
		op.run(ctx, v.e.cfg.Carrier)
		op.done = now.Add(v.delay)
		v.mu.Lock()
		v.inflight = append(v.inflight, op)
		v.mu.Unlock()
	}
	v.mu.Lock()
	kept := v.inflight[:0]
	var due []*carrierOp
	for _, op := range v.inflight {
		if op.done.After(now) {
			kept = append(kept, op)
			continue
		}
		due = append(due, op)
		k := 0
		if !op.control() {
			k = 1
		}
		v.busy[k]--
	}
	clear(v.inflight[len(kept):])
	v.inflight = kept
	v.mu.Unlock()
	for _, op := range due {
		v.e.post(op)
		posted = true
	}
	if len(due) > 0 {
		// Freed slots may start waiting requests at once.
		v.pump(ctx, now)
	}
	return posted
}

// nextDone returns when the next request in flight finishes.
func (v *VirtualTime) nextDone() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var next time.Time
	for _, op := range v.inflight {
		if next.IsZero() || op.done.Before(next) {
			next = op.done
		}
	}
	return next, !next.IsZero()
}

// flush runs every waiting request and posts all results, for Stop.
func (v *VirtualTime) flush(ctx context.Context) {
	for {
		v.mu.Lock()
		n := len(v.waiting[0]) + len(v.waiting[1]) + len(v.inflight) + len(v.stores)
		v.mu.Unlock()
		if n == 0 {
			return
		}
		v.pump(ctx, time.Unix(1<<40, 0))
	}
}

// Step runs everything due at the engine clock's now, including the
// carrier requests that become due meanwhile, and returns when the engine
// next needs to run (zero: only on a carrier event). A discrete-event
// simulation calls it after delivering each carrier event and at each
// returned time.
func (v *VirtualTime) Step(ctx context.Context, e *Engine) (time.Time, error) {
	if err := v.bind(ctx, e); err != nil {
		return time.Time{}, err
	}
	var errs []error
	for {
		next, err := e.step(ctx)
		if errors.Is(err, ErrStopped) {
			return time.Time{}, err
		}
		if err != nil {
			errs = append(errs, err)
		}
		if v.pump(ctx, e.cfg.Clock()) {
			continue
		}
		if t, ok := v.nextDone(); ok && (next.IsZero() || t.Before(next)) {
			next = t
		}
		return next, errors.Join(errs...)
	}
}

// Run drives the engine until the virtual clock reaches until: it jumps
// the clock to the earliest of the engine's next wake-up, the next carrier
// request's result, the carrier's next event and each actor's next turn,
// delivers the carrier's due events, lets the actors act and steps the
// engine.
func (v *VirtualTime) Run(ctx context.Context, e *Engine, c VirtualCarrier, clock VirtualClock, until time.Time, actors ...Actor) error {
	if err := v.bind(ctx, e); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := clock.Now()
		next, err := v.Step(ctx, e)
		if errors.Is(err, ErrStopped) {
			return err
		}
		if err != nil {
			e.cfg.Logger.DebugContext(ctx, "dialer: virtual step", "err", err)
		}
		earlier := func(t time.Time, ok bool) {
			if ok && !t.IsZero() && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
		earlier(c.NextEventAt())
		for _, a := range actors {
			earlier(a.Next())
		}
		if next.IsZero() || next.After(until) {
			clock.Set(until)
			return nil
		}
		if next.Before(now) {
			next = now
		}
		clock.Set(next)
		if err := c.Advance(ctx, next); err != nil {
			return err
		}
		for _, a := range actors {
			if t, ok := a.Next(); ok && !t.After(next) {
				if err := a.Act(ctx, next); err != nil {
					return err
				}
			}
		}
	}
}

// RunVirtual drives the engine in virtual time until the clock reaches
// until, with the engine's own VirtualTime (one is made on first use; the
// engine must not be driven by Run). It is VirtualTime.Run for a carrier
// whose requests take no time; a carrier that models latency takes the
// Sleep of a VirtualTime made before it.
func RunVirtual(ctx context.Context, e *Engine, c VirtualCarrier, clock VirtualClock, until time.Time, actors ...Actor) error {
	e.mu.Lock()
	v := e.virtual
	e.mu.Unlock()
	if v == nil {
		v = NewVirtualTime()
	}
	return v.Run(ctx, e, c, clock, until, actors...)
}
