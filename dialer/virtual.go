package dialer

import (
	"context"
	"errors"
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

// RunVirtual drives the engine as a discrete-event simulation until the
// virtual clock reaches until: it jumps the clock to the earliest of the
// engine's next wake-up, the carrier's next event and each actor's next
// turn, delivers the carrier's due events, lets the actors act and steps
// the engine. The engine must have been started (Start).
func RunVirtual(ctx context.Context, e *Engine, c VirtualCarrier, clock VirtualClock, until time.Time, actors ...Actor) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := clock.Now()
		next, err := e.Step(ctx)
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
