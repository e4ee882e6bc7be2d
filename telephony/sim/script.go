package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// Outcome is how a simulated call goes.
type Outcome int

// Outcomes.
const (
	// OutcomeHuman: a person answers after Script.Ring.
	OutcomeHuman Outcome = iota + 1
	// OutcomeMachine: a machine answers after Script.Ring. With AMD off it is
	// reported as answered_human, as a real carrier would.
	OutcomeMachine
	// OutcomeBusy: the line is held Script.Ring, then busy.
	OutcomeBusy
	// OutcomeFailed: the line is held Script.Ring, then failed.
	OutcomeFailed
	// OutcomeNoAnswer: the call rings Script.Ring, then no_answer.
	OutcomeNoAnswer
)

// String names o.
func (o Outcome) String() string {
	switch o {
	case OutcomeHuman:
		return "human"
	case OutcomeMachine:
		return "machine"
	case OutcomeBusy:
		return "busy"
	case OutcomeFailed:
		return "failed"
	case OutcomeNoAnswer:
		return "no_answer"
	}
	return "unknown"
}

// Script is everything drawn for one dial: the truth an in-simulation
// oracle may use.
type Script struct {
	// K is the dial's index, from 0.
	K uint64
	// DialedAt is when Dial was called.
	DialedAt time.Time
	// AnswerProb is the answer probability in force at DialedAt.
	AnswerProb float64
	// Outcome is how the call goes. An answer drawn after the request's
	// RingTimeout becomes OutcomeNoAnswer.
	Outcome Outcome
	// Ring is the time from dial to the answer, or to the busy, failed or
	// no_answer event.
	Ring time.Duration
	// Talk is how long the callee stays once bridged. Drawn for every dial.
	Talk time.Duration
	// Wrap is the agent's wrap time after the call, drawn for every dial so
	// that it too is common to all runs of a seed; the carrier ignores it.
	Wrap time.Duration
}

// Answered reports whether the call is answered (by a person or machine).
func (s Script) Answered() bool { return s.Outcome == OutcomeHuman || s.Outcome == OutcomeMachine }

// Live reports whether a person answers.
func (s Script) Live() bool { return s.Outcome == OutcomeHuman }

// splitmix64 scrambles x; used to derive independent stream seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// stream returns dial k's random stream; salt separates purposes.
func stream(seed, k, salt uint64) *rand.Rand {
	a := splitmix64(seed ^ splitmix64(salt))
	b := splitmix64(a ^ splitmix64(k+0x632be59bd9b4e019))
	return rand.New(rand.NewPCG(a^k, b))
}

const (
	saltScript uint64 = 1
	saltFail   uint64 = 2
	// saltRequest draws request latency and faults.
	saltRequest uint64 = 3
)

func seconds(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// draw computes dial k's script. Every draw happens, in the same order,
// whatever the outcome, so each attribute depends on (seed, k) only.
func (c *Config) draw(k uint64, req telephony.DialRequest, now time.Time) Script {
	r := stream(c.Seed, k, saltScript)
	uAnswer, uMachine, uRing := r.Float64(), r.Float64(), r.Float64()
	uWrap, uHeld, uHeldFor, uBusy := r.Float64(), r.Float64(), r.Float64(), r.Float64()
	z := r.NormFloat64()

	p := c.AnswerProb(now)
	if math.IsNaN(p) || p < 0 {
		p = 0
	}
	p = min(p, 1)

	lo, mean, hi := c.RingMin.Seconds(), c.RingMean.Seconds(), c.RingMax.Seconds()
	ring := lo
	if mean > 0 {
		ring = lo - mean*math.Log(1-uRing*(1-math.Exp(-(hi-lo)/mean)))
	}
	sigma := c.TalkSigma
	mu := math.Log(c.TalkMean.Seconds()) - sigma*sigma/2
	s := Script{
		K:          k,
		DialedAt:   now,
		AnswerProb: p,
		Talk:       seconds(math.Exp(mu + sigma*z)),
		Wrap:       seconds(c.WrapMin.Seconds() + uWrap*(c.WrapMax-c.WrapMin).Seconds()),
	}
	switch {
	case uAnswer < p:
		s.Outcome, s.Ring = OutcomeHuman, seconds(ring)
		if uMachine < c.MachineProb {
			s.Outcome = OutcomeMachine
		}
	case uHeld < c.HeldProb:
		s.Outcome = OutcomeFailed
		if uBusy < c.BusyShare {
			s.Outcome = OutcomeBusy
		}
		s.Ring = seconds(c.HeldMin.Seconds() + uHeldFor*(c.HeldMax-c.HeldMin).Seconds())
	default:
		s.Outcome, s.Ring = OutcomeNoAnswer, c.NoAnswerAfter
	}
	return s
}

// effective applies the request's ring timeout and repairs a script from
// Config.Override.
func effective(s Script, req telephony.DialRequest) Script {
	s.Ring, s.Talk, s.Wrap = max(s.Ring, 0), max(s.Talk, 0), max(s.Wrap, 0)
	switch s.Outcome {
	case OutcomeHuman, OutcomeMachine, OutcomeNoAnswer:
		if s.Ring >= req.RingTimeout {
			s.Outcome, s.Ring = OutcomeNoAnswer, req.RingTimeout
		}
	case OutcomeBusy, OutcomeFailed:
		s.Ring = min(s.Ring, req.RingTimeout)
	default:
		s.Outcome = OutcomeFailed
		s.Ring = min(s.Ring, req.RingTimeout)
	}
	return s
}
