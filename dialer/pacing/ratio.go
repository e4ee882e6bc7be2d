package pacing

import "math"

// Progressive dials one call per idle agent (1:1): it starts calls until
// the calls in flight (ringing, or answered and waiting) equal the idle
// agents. It never abandons a call while agents stay logged in. The zero
// value is ready to use.
type Progressive struct{}

var _ Pacer = Progressive{}

// Decide returns max(0, idle − ringing − waiting), or 0 with nobody logged
// in.
func (Progressive) Decide(obs Observation) int { return oneToOne(&obs) }

// Observe does nothing: Progressive learns nothing.
func (Progressive) Observe(Event) {}

// Ratio is power dialing at a fixed ratio: it starts calls until the calls
// in flight (ringing, or answered and waiting) reach X per idle agent,
// rounded to the nearest whole call (halves up). Ratio with X = 1 is
// Progressive. Agents on a call or in wrap-up are not counted: a ratio
// pacer does not look ahead. Create it with NewRatio.
type Ratio struct {
	x float64
}

var _ Pacer = (*Ratio)(nil)

// NewRatio returns a Ratio pacer dialing x lines per idle agent; x must be
// a finite number of at least 1.
func NewRatio(x float64) (*Ratio, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < 1 {
		return nil, invalid("Ratio.X", "= %v, must be a finite number ≥ 1", x)
	}
	return &Ratio{x: x}, nil
}

// X returns the ratio.
func (r *Ratio) X() float64 { return r.x }

// Decide returns max(0, ⌊X·idle + ½⌋ − ringing − waiting), or 0 with nobody
// logged in.
func (r *Ratio) Decide(obs Observation) int {
	if obs.AgentsLoggedIn <= 0 || obs.AgentsIdle <= 0 {
		return 0
	}
	target := int(math.Floor(r.x*float64(obs.AgentsIdle) + 0.5))
	return max(0, target-obs.inFlight())
}

// Observe does nothing: Ratio learns nothing.
func (r *Ratio) Observe(Event) {}
