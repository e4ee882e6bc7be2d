package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// A real carrier's API takes time to answer (Twilio's REST API 100–300 ms a
// request, sometimes seconds) and sometimes fails: it times out, refuses
// with 429 and a Retry-After, answers 5xx, or loses its answer after acting.
// Latency and Faults model both, for every request (dial, bridge, play,
// hang up), from random streams of their own, so adding them does not
// change the calls' scripts.

// Dist draws a duration from a random stream.
type Dist func(r *rand.Rand) time.Duration

// Fixed returns a Dist that is always d.
func Fixed(d time.Duration) Dist { return func(*rand.Rand) time.Duration { return d } }

// LogNormal returns a Dist with the given mean whose logarithm has
// deviation sigma (μ = ln mean − σ²/2). A zero mean gives zero.
func LogNormal(mean time.Duration, sigma float64) Dist {
	if mean <= 0 {
		return Fixed(0)
	}
	mu := math.Log(float64(mean)) - sigma*sigma/2
	return func(r *rand.Rand) time.Duration {
		return time.Duration(math.Exp(mu + sigma*r.NormFloat64()))
	}
}

// Latency is how long each kind of request takes. A nil Dist takes no
// time.
type Latency struct {
	Dial, Bridge, Play, Hangup Dist
}

// AllRequests returns a Latency that draws every request's time from d.
func AllRequests(d Dist) Latency { return Latency{Dial: d, Bridge: d, Play: d, Hangup: d} }

// Fault is a kind of injected request failure.
type Fault int

// Faults a request may suffer.
const (
	// FaultTimeout: the request takes its latency and then fails with code
	// "timeout" and an unknown outcome; it took effect half the time (a
	// dial then rings).
	FaultTimeout Fault = iota + 1
	// FaultRateLimited: refused with code "rate_limited", retryable, and
	// Faults.RetryAfter; nothing happened.
	FaultRateLimited
	// FaultServerError: refused with code "unavailable" (a 5xx),
	// retryable; nothing happened.
	FaultServerError
	// FaultOutcomeUnknown: the request took effect but its answer was
	// lost: code "timeout", outcome unknown.
	FaultOutcomeUnknown
)

// Faults injects request failures.
type Faults struct {
	// Rate is the probability that a request fails. Defaults to 0.
	Rate float64
	// Kinds are the failures drawn from, in equal shares. Defaults to all
	// four.
	Kinds []Fault
	// RetryAfter is what a rate-limited request asks callers to wait.
	// Defaults to 1s.
	RetryAfter time.Duration
}

// request kinds, for the random streams.
const (
	reqDial uint64 = iota
	reqBridge
	reqPlay
	reqHangup
)

// request draws request n's latency and fault. c.mu must be held.
func (c *Carrier) request(kind uint64) (time.Duration, Fault) {
	n := c.requests
	c.requests++
	r := stream(c.cfg.Seed, n, saltRequest)
	var d time.Duration
	var dist Dist
	switch kind {
	case reqDial:
		dist = c.cfg.Latency.Dial
	case reqBridge:
		dist = c.cfg.Latency.Bridge
	case reqPlay:
		dist = c.cfg.Latency.Play
	default:
		dist = c.cfg.Latency.Hangup
	}
	if dist != nil {
		d = max(dist(r), 0)
	}
	f := c.cfg.Faults
	if f.Rate <= 0 || r.Float64() >= f.Rate {
		return d, 0
	}
	return d, f.Kinds[r.IntN(len(f.Kinds))]
}

// await waits out a request's latency with Config.Sleep. A request cut
// short by ctx fails as a timeout whose outcome is unknown when it may
// have acted.
func (c *Carrier) await(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if err := c.cfg.Sleep(ctx, d); err != nil {
		return &telephony.Error{Code: telephony.CodeTimeout, Unknown: true, Err: fmt.Errorf("sim: request cut short: %w", err)}
	}
	return nil
}

// faultErr is the error of fault f on a request; acted says whether the
// request took effect anyway.
func (c *Carrier) faultErr(f Fault, what string) (acted bool, err error) {
	switch f {
	case FaultRateLimited:
		return false, &telephony.Error{Code: telephony.CodeRateLimited, Retryable: true, RetryAfter: c.cfg.Faults.RetryAfter,
			Err: fmt.Errorf("sim: injected 429 on %s", what)}
	case FaultServerError:
		return false, &telephony.Error{Code: telephony.CodeUnavailable, Retryable: true, Err: fmt.Errorf("sim: injected 503 on %s", what)}
	case FaultOutcomeUnknown:
		return true, &telephony.Error{Code: telephony.CodeTimeout, Unknown: true, Err: fmt.Errorf("sim: injected lost answer on %s", what)}
	case FaultTimeout:
		return c.coin(), &telephony.Error{Code: telephony.CodeTimeout, Unknown: true, Err: fmt.Errorf("sim: injected timeout on %s", what)}
	}
	return true, nil
}

// coin is a fair draw from the fault stream. It locks c.mu.
func (c *Carrier) coin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.requests
	c.requests++
	return stream(c.cfg.Seed, n, saltRequest).IntN(2) == 0
}

// sleepWall waits d on the wall clock, or until ctx ends.
func sleepWall(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// begin draws a request's latency and fault, waits the latency out and
// reports whether the request should act and the fault's error.
func (c *Carrier) begin(ctx context.Context, kind uint64, what string) (act bool, err error) {
	c.mu.Lock()
	d, f := c.request(kind)
	c.mu.Unlock()
	if err := c.await(ctx, d); err != nil {
		return false, err
	}
	if f == 0 {
		return true, nil
	}
	return c.faultErr(f, what)
}

var _ telephony.Reconciler = (*Carrier)(nil)

// CallRecord implements telephony.Reconciler from the events the call has
// emitted so far; a call ended more than Retain ago is forgotten
// (ErrUnknownCall), like a call that was never placed.
func (c *Carrier) CallRecord(ctx context.Context, q telephony.CallQuery) (telephony.CallRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := q.CallID
	if id == "" {
		id = c.byAttempt[q.AttemptID]
	}
	cl, err := c.lookup(id)
	if err != nil {
		return telephony.CallRecord{}, err
	}
	r := telephony.CallRecord{ID: cl.id}
	for _, e := range cl.emitted {
		switch {
		case e.Type == telephony.EventAnsweredHuman:
			r.AnsweredBy, r.AnsweredAt = "human", e.At
		case e.Type == telephony.EventAnsweredMachine:
			r.AnsweredBy, r.AnsweredAt = "machine", e.At
		case e.Type == telephony.EventBridged:
			r.Bridged = true
		case e.Type.Terminal():
			r.Final, r.EndedAt, r.Duration, r.Cost = e.Type, e.At, e.Duration, e.Cost
			r.CarrierCode, r.CarrierStatus = e.CarrierCode, e.CarrierStatus
		}
	}
	return r, nil
}
