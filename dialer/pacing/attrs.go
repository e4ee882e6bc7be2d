package pacing

import (
	"math"
	"math/rand/v2"
	"time"
)

// Attrs is everything drawn for one simulated dial (docs/pacing.md).
type Attrs struct {
	// Live reports whether a person answers.
	Live bool
	// Held reports, for a call nobody answers, whether the line is held a
	// few seconds and ends busy or failed rather than ringing out.
	Held bool
	// Ring is the time from dial to the answer, or to the busy, failed or
	// no-answer signal.
	Ring time.Duration
	// Talk is how long the callee talks once connected. Drawn for every
	// dial, like Wrap, so both depend on (seed, k) only.
	Talk time.Duration
	// Wrap is the agent's wrap-up time after the call.
	Wrap time.Duration
}

// DialAttributes draws dial k's attributes (k counts from 0 over a whole
// campaign) from the seed's stream, for a call answered live with
// probability p. The k-th dial of a seed is the same call whatever the pacer
// (common random numbers): live with probability p after R = 3 − 6·ln(1 −
// u·(1 − e^(−22/6))) s (3 s plus an exponential of mean 6 s truncated at 25
// s); talk LogNormal(ln 120 − 0.32, 0.8); wrap U(10, 20) s; otherwise held
// U(2, 6) s with probability 0.3, else ringing 25 s. Durations are rounded
// to the millisecond.
//
// It draws exactly what the simulated carrier telephony/sim draws with its
// default Config and the same seed (a machine share of 0 and a ring timeout
// of 25 s), so the engine driven by that carrier and the model simulation
// in pacingtest face the same callees.
func DialAttributes(seed, k uint64, p float64) Attrs {
	r := dialStream(seed, k, 1)
	uAnswer, _, uRing := r.Float64(), r.Float64(), r.Float64()
	uWrap, uHeld, uHeldFor, _ := r.Float64(), r.Float64(), r.Float64(), r.Float64()
	z := r.NormFloat64()
	if math.IsNaN(p) || p < 0 {
		p = 0
	}
	p = min(p, 1)
	const sigma = 0.8
	mu := math.Log(120) - sigma*sigma/2
	a := Attrs{
		Talk: roundMS(math.Exp(mu + sigma*z)),
		Wrap: roundMS(10 + uWrap*10),
	}
	const noAnswer = 25 * time.Second
	switch {
	case uAnswer < p:
		a.Live = true
		a.Ring = roundMS(3 - 6*math.Log(1-uRing*(1-math.Exp(-22.0/6))))
		if a.Ring >= noAnswer { // as the carrier's ring timeout would
			a.Live, a.Ring = false, noAnswer
		}
	case uHeld < 0.3:
		a.Held = true
		a.Ring = roundMS(2 + uHeldFor*4)
	default:
		a.Ring = noAnswer
	}
	return a
}

func roundMS(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// splitmix64 scrambles x; it derives independent stream seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// dialStream is dial k's random stream, built as telephony/sim builds it.
func dialStream(seed, k, salt uint64) *rand.Rand {
	a := splitmix64(seed ^ splitmix64(salt))
	b := splitmix64(a ^ splitmix64(k+0x632be59bd9b4e019))
	return rand.New(rand.NewPCG(a^k, b))
}
