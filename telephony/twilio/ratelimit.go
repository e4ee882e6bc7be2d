package twilio

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// Limiter is a token bucket that paces call creation, driven by a Clock so
// that tests run in virtual time. It is safe for concurrent use; share one
// between Carriers that use the same Twilio account.
type Limiter struct {
	clock Clock
	rate  float64 // tokens per second
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter of perSecond calls a second with bursts of
// up to burst calls, on clock (SystemClock when nil). It starts full.
func NewLimiter(perSecond float64, burst int, clock Clock) (*Limiter, error) {
	if !(perSecond > 0) || math.IsInf(perSecond, 1) {
		return nil, fmt.Errorf("twilio: limiter rate %v is not positive", perSecond)
	}
	if burst < 1 {
		return nil, fmt.Errorf("twilio: limiter burst %d is below 1", burst)
	}
	if clock == nil {
		clock = SystemClock{}
	}
	return &Limiter{clock: clock, rate: perSecond, burst: float64(burst), tokens: float64(burst)}, nil
}

// Wait takes a token, sleeping on the clock until one is available. It
// returns ctx's error, and gives the token back, if ctx ends first.
func (l *Limiter) Wait(ctx context.Context) error {
	wait := l.reserve()
	if wait <= 0 {
		return nil
	}
	if err := l.clock.Sleep(ctx, wait); err != nil {
		l.mu.Lock()
		l.tokens = min(l.tokens+1, l.burst)
		l.mu.Unlock()
		return fmt.Errorf("twilio: waiting for the rate limiter: %w", err)
	}
	return nil
}

// reserve takes a token, possibly into debt, and says how long to wait for
// it. Reservations queue up: the n-th waiter waits n/rate.
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if !l.last.IsZero() && now.After(l.last) {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	if l.last.IsZero() || now.After(l.last) {
		l.last = now
	}
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(math.Ceil(-l.tokens / l.rate * float64(time.Second)))
}
