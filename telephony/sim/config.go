package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// Config configures a simulated carrier. The zero value is usable except
// for Now, which then reads the wall clock.
type Config struct {
	// Seed selects the random streams; the same seed gives the same calls.
	// Defaults to 0, which is a seed like any other.
	Seed uint64

	// Now is the carrier's clock. Defaults to time.Now, which only suits
	// real-time use (RunRealtime); simulations pass their virtual clock.
	Now func() time.Time

	// AnswerProb is the probability that a call dialed at t is answered (by
	// a person or a machine). Defaults to Constant(0.2). LinearDrift makes
	// it change over a shift.
	AnswerProb func(t time.Time) float64
	// MachineProb is the share of answers that are machines. Defaults to 0.
	MachineProb float64

	// RingMin, RingMean and RingMax shape the time to answer:
	// R = RingMin + Exp(RingMean) truncated to RingMax. Default to 3 s, 6 s
	// and 25 s.
	RingMin, RingMean, RingMax time.Duration
	// TalkMean is the mean talk time (LogNormal, so μ = ln TalkMean −
	// TalkSigma²/2). Defaults to 120 s.
	TalkMean time.Duration
	// TalkSigma is the talk time's deviation in log space. Defaults to 0.8.
	TalkSigma float64
	// WrapMin and WrapMax bound the uniform wrap time drawn for each dial
	// (Script.Wrap; the carrier does not use it). Default to 10 s and 20 s.
	WrapMin, WrapMax time.Duration

	// HeldProb is the probability that an unanswered call ends busy or
	// failed after a U(HeldMin, HeldMax) hold, rather than ringing out.
	// Defaults to 0.3; a negative value means never.
	HeldProb float64
	// HeldMin and HeldMax bound that hold. Default to 2 s and 6 s.
	HeldMin, HeldMax time.Duration
	// BusyShare is the share of held calls that end busy rather than failed.
	// Defaults to 0.5; a negative value means none.
	BusyShare float64
	// NoAnswerAfter is how long an unanswered call rings before no_answer,
	// capped by the request's RingTimeout. Defaults to 25 s.
	NoAnswerAfter time.Duration

	// Patience is how long an answered call that is neither bridged nor
	// hung up waits before the callee hangs up (completed). Defaults to 30 s.
	Patience time.Duration

	// CostPerMinute is the price of a minute of connected time in
	// millionths of Currency, billed per second rounded up. Defaults to
	// 13_000 (0.013); a negative value means free.
	CostPerMinute int64
	// Currency is the ISO 4217 currency of costs. Defaults to "USD".
	Currency string

	// DialErrorProb is the probability that a dial fails with a retryable
	// error (code "unavailable") and places no call. Defaults to 0.
	DialErrorProb float64
	// DialUnknownProb is the probability that a dial fails with an
	// outcome-unknown error (code "timeout") although the call is placed:
	// its events arrive with its AttemptID. Defaults to 0.
	DialUnknownProb float64
	// FailDial, when set, is asked before each dial k (from 0) and may
	// return the error Dial returns. An error for which
	// telephony.IsOutcomeUnknown holds places the call anyway. Defaults to
	// nil. These failures draw from a stream of their own, so they do not
	// change the calls' attributes.
	FailDial func(k uint64, req telephony.DialRequest) error

	// Override, when set, gets each dial's drawn script and returns the one
	// to play, so tests can force outcomes. Defaults to nil.
	Override func(req telephony.DialRequest, s Script) Script

	// Latency is how long each request (dial, bridge, play, hang up)
	// takes; see Latency. Defaults to no time.
	Latency Latency
	// Faults injects request failures: timeouts, 429 with Retry-After,
	// 5xx and lost answers; see Faults. Defaults to none.
	Faults Faults
	// Sleep waits out a request's latency. Defaults to waiting on the wall
	// clock, cut short by the request's context (the request then fails as
	// a timeout with an unknown outcome). A simulation in virtual time
	// passes the Sleep of its driver (dialer.VirtualTime.Sleep), which
	// makes the request's result arrive that much later in virtual time.
	Sleep func(ctx context.Context, d time.Duration) error

	// Retain is how long an ended call stays known after its terminal event
	// (for Peek, Redeliver, idempotent Dial and Hangup). Defaults to 5
	// minutes; a negative value keeps calls forever.
	Retain time.Duration
}

// Constant returns an AnswerProb that is always p.
func Constant(p float64) func(time.Time) float64 {
	return func(time.Time) float64 { return p }
}

// LinearDrift returns an AnswerProb that moves linearly from p0 at start to
// p1 at end, and stays at p0 before start and p1 after end. A shift that
// starts answering 10% of calls and ends at 30% is
// LinearDrift(nine, five, 0.10, 0.30).
func LinearDrift(start, end time.Time, p0, p1 float64) func(time.Time) float64 {
	span := end.Sub(start)
	return func(t time.Time) float64 {
		if !t.After(start) {
			return p0
		}
		if span <= 0 || !t.Before(end) {
			return p1
		}
		return p0 + (p1-p0)*float64(t.Sub(start))/float64(span)
	}
}

// withDefaults fills in defaults and validates.
func (c Config) withDefaults() (Config, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AnswerProb == nil {
		c.AnswerProb = Constant(0.2)
	}
	setDur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	setDur(&c.RingMin, 3*time.Second)
	setDur(&c.RingMean, 6*time.Second)
	setDur(&c.RingMax, 25*time.Second)
	setDur(&c.TalkMean, 120*time.Second)
	setDur(&c.WrapMin, 10*time.Second)
	setDur(&c.WrapMax, 20*time.Second)
	setDur(&c.HeldMin, 2*time.Second)
	setDur(&c.HeldMax, 6*time.Second)
	setDur(&c.NoAnswerAfter, 25*time.Second)
	setDur(&c.Patience, 30*time.Second)
	setDur(&c.Retain, 5*time.Minute)
	if c.Sleep == nil {
		c.Sleep = sleepWall
	}
	if len(c.Faults.Kinds) == 0 {
		c.Faults.Kinds = []Fault{FaultTimeout, FaultRateLimited, FaultServerError, FaultOutcomeUnknown}
	}
	if c.Faults.RetryAfter == 0 {
		c.Faults.RetryAfter = time.Second
	}
	if c.TalkSigma == 0 {
		c.TalkSigma = 0.8
	}
	setProb := func(p *float64, def float64) {
		switch {
		case *p == 0:
			*p = def
		case *p < 0:
			*p = 0
		}
	}
	setProb(&c.HeldProb, 0.3)
	setProb(&c.BusyShare, 0.5)
	switch {
	case c.CostPerMinute == 0:
		c.CostPerMinute = 13_000
	case c.CostPerMinute < 0:
		c.CostPerMinute = 0
	}
	if c.Currency == "" {
		c.Currency = "USD"
	}

	var errs []error
	prob := func(name string, p float64) {
		if math.IsNaN(p) || p < 0 || p > 1 {
			errs = append(errs, fmt.Errorf("sim: Config.%s: %v is not a probability", name, p))
		}
	}
	prob("MachineProb", c.MachineProb)
	prob("HeldProb", c.HeldProb)
	prob("BusyShare", c.BusyShare)
	prob("DialErrorProb", c.DialErrorProb)
	prob("DialUnknownProb", c.DialUnknownProb)
	prob("Faults.Rate", c.Faults.Rate)
	for _, f := range c.Faults.Kinds {
		if f < FaultTimeout || f > FaultOutcomeUnknown {
			errs = append(errs, fmt.Errorf("sim: Config.Faults.Kinds: unknown fault %d", f))
		}
	}
	if c.DialErrorProb+c.DialUnknownProb > 1 {
		errs = append(errs, errors.New("sim: Config.DialErrorProb + DialUnknownProb exceeds 1"))
	}
	span := func(name string, lo, hi time.Duration) {
		if lo < 0 || hi < lo {
			errs = append(errs, fmt.Errorf("sim: Config.%s: need 0 <= min <= max, have %v, %v", name, lo, hi))
		}
	}
	span("RingMin/RingMax", c.RingMin, c.RingMax)
	span("WrapMin/WrapMax", c.WrapMin, c.WrapMax)
	span("HeldMin/HeldMax", c.HeldMin, c.HeldMax)
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"RingMean", c.RingMean}, {"TalkMean", c.TalkMean}, {"NoAnswerAfter", c.NoAnswerAfter}, {"Patience", c.Patience}} {
		if f.d < 0 {
			errs = append(errs, fmt.Errorf("sim: Config.%s: %v is negative", f.name, f.d))
		}
	}
	if math.IsNaN(c.TalkSigma) || c.TalkSigma < 0 {
		errs = append(errs, fmt.Errorf("sim: Config.TalkSigma: %v is negative", c.TalkSigma))
	}
	return c, errors.Join(errs...)
}
