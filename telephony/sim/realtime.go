package sim

import (
	"context"
	"sync"
	"time"
)

// Clock is a settable clock for virtual time, safe for concurrent use. Its
// Now method fits Config.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t; it never moves back, so a t before the current
// time is ignored.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// Add moves the clock forward by d (ignored if negative) and returns the
// new time.
func (c *Clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return c.t
}

// Run drives c in virtual time: it moves clock from event to event,
// advancing c at each, until nothing is due before until. It then sets the
// clock to until. clock must be the clock c's Config.Now reads.
func Run(ctx context.Context, c *Carrier, clock *Clock, until time.Time) error {
	for {
		at, ok := c.NextEventAt()
		if !ok || at.After(until) {
			break
		}
		clock.Set(at)
		if err := c.Advance(ctx, clock.Now()); err != nil {
			return err
		}
	}
	clock.Set(until)
	return c.Advance(ctx, until)
}

// RunRealtime drives c by the wall clock until ctx ends, then returns nil.
// It sleeps until the next event is due, waking at least every tick
// (defaults to 100 ms when tick <= 0) to pick up calls dialed meanwhile, and
// advances c to its Config.Now, which should be the wall clock. It returns
// the sink's error if the sink refuses an event; the event stays queued, so
// calling RunRealtime again resumes.
func RunRealtime(ctx context.Context, c *Carrier, tick time.Duration) error {
	if tick <= 0 {
		tick = 100 * time.Millisecond
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		if err := c.Advance(ctx, c.cfg.Now()); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wait := tick
		if at, ok := c.NextEventAt(); ok {
			wait = min(wait, max(at.Sub(c.cfg.Now()), 0))
		}
		timer.Reset(wait)
	}
}
