package pacing

import (
	"math"
	"time"
)

// AdaptiveConfig configures Adaptive. The zero value gives VICIdial's
// defaults.
type AdaptiveConfig struct {
	// Intensity biases the update (VICIdial's adaptive_intensity, from −100
	// to 100): the multiplier k is 1 + Intensity/100 when agents are to
	// spare and |Intensity/100 − 1| when calls are waiting. Defaults to 0.
	Intensity float64
	// Target is the desired surplus of ready agents over waiting calls
	// (VICIdial's adaptive_dl_diff_target). Defaults to 0.
	Target float64
	// MaxLevel is the highest dial level. Defaults to 3; must be ≥ 1.
	MaxLevel float64
	// InitialLevel is the level before the first update. Defaults to 1.
	InitialLevel float64
	// Interval is how often the level is updated from the samples taken
	// at each Decide since the last update. Defaults to 15 s.
	Interval time.Duration
	// AvailableOnly counts only idle agents when sizing the calls to place
	// (VICIdial's available_only_ratio_tally = Y): calls in flight =
	// level × idle agents. Defaults to false, VICIdial's default: the level
	// applies to idle and talking agents, and talking agents' calls count
	// among the calls in progress.
	AvailableOnly bool
}

func (c AdaptiveConfig) withDefaults() (AdaptiveConfig, error) {
	if c.MaxLevel == 0 {
		c.MaxLevel = 3
	}
	if c.InitialLevel == 0 {
		c.InitialLevel = 1
	}
	if c.Interval == 0 {
		c.Interval = 15 * time.Second
	}
	switch {
	case math.IsNaN(c.Intensity) || c.Intensity < -100 || c.Intensity > 100:
		return c, invalid("AdaptiveConfig.Intensity", "= %v, must be in [-100, 100]", c.Intensity)
	case math.IsNaN(c.Target) || math.IsInf(c.Target, 0):
		return c, invalid("AdaptiveConfig.Target", "= %v, must be finite", c.Target)
	case math.IsNaN(c.MaxLevel) || math.IsInf(c.MaxLevel, 0) || c.MaxLevel < 1:
		return c, invalid("AdaptiveConfig.MaxLevel", "= %v, must be a finite number ≥ 1", c.MaxLevel)
	case math.IsNaN(c.InitialLevel) || c.InitialLevel < 1 || c.InitialLevel > c.MaxLevel:
		return c, invalid("AdaptiveConfig.InitialLevel", "= %v, must be in [1, MaxLevel]", c.InitialLevel)
	case c.Interval < 0:
		return c, invalid("AdaptiveConfig.Interval", "= %v, must be positive", c.Interval)
	}
	return c, nil
}

// Adaptive is a VICIdial-style adaptive pacer (ADAPT_AVERAGE with
// available-only tally), the baseline ours is measured against. At every
// Decide it samples the ready (idle) agents, the waiting calls and the
// logged-in agents; every Interval it updates its dial level from their
// averages:
//
//	diff  = ready − waiting + Target
//	k     = 1 + Intensity/100 if diff ≥ 0, else |Intensity/100 − 1|
//	level = clamp(level · (1 + diff/agents · k), 1, MaxLevel)
//
// then halves the level when more than 20 calls were answered live in the
// last minute and over half of them were abandoned, and forces it to 1 when
// the shift's abandoned ÷ live answers exceed the cap. Like VICIdial by
// default, it dials so that the calls in progress (ringing, waiting and
// talking) reach level × active agents (idle and talking; agents in
// wrap-up are not counted, as VICIdial pauses them for the disposition),
// rounded up to a whole call: at level 1 that is 1:1. With
// AdaptiveConfig.AvailableOnly the calls in flight reach level × idle
// agents instead. Create it with NewAdaptive.
type Adaptive struct {
	cfg   AdaptiveConfig
	level float64

	started    bool
	lastUpdate time.Time
	samples    int
	sumReady   float64
	sumWaiting float64
	sumAgents  float64

	// Live answers and abandons per tick over the last minute.
	recent                []tickCount
	lastLive, lastAbandon int
	recentLive, recentAb  int
}

type tickCount struct {
	at            time.Time
	live, abandon int
}

var _ Pacer = (*Adaptive)(nil)

// NewAdaptive returns an Adaptive pacer, or an error naming the Config field
// out of range.
func NewAdaptive(cfg AdaptiveConfig) (*Adaptive, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Adaptive{cfg: cfg, level: cfg.InitialLevel}, nil
}

// Level returns the current dial level.
func (a *Adaptive) Level() float64 { return a.level }

// Decide samples obs, updates the level when Interval has passed, and
// returns how many calls bring the calls in progress to the level.
func (a *Adaptive) Decide(obs Observation) int {
	a.count(obs)
	if !a.started || obs.Now.Sub(a.lastUpdate) > 4*a.cfg.Interval || obs.Now.Before(a.lastUpdate) {
		// First tick, or back after a pause (overnight): start sampling anew.
		a.started, a.lastUpdate = true, obs.Now
		a.samples, a.sumReady, a.sumWaiting, a.sumAgents = 0, 0, 0, 0
	}
	a.samples++
	a.sumReady += float64(obs.AgentsIdle)
	a.sumWaiting += float64(obs.Waiting)
	a.sumAgents += float64(obs.AgentsLoggedIn)
	if obs.Now.Sub(a.lastUpdate) >= a.cfg.Interval {
		a.update(obs.Abandons)
		a.lastUpdate = obs.Now
		a.samples, a.sumReady, a.sumWaiting, a.sumAgents = 0, 0, 0, 0
	}
	if obs.AgentsLoggedIn <= 0 {
		return 0
	}
	if a.cfg.AvailableOnly {
		return max(0, int(math.Ceil(a.level*float64(obs.AgentsIdle)-1e-9))-obs.inFlight())
	}
	talking := 0
	for _, b := range obs.Busy {
		if b.Phase == PhaseTalk {
			talking++
		}
	}
	active := obs.AgentsIdle + talking
	return max(0, int(math.Ceil(a.level*float64(active)-1e-9))-obs.inFlight()-talking)
}

// update applies the level rule to the samples since the last update.
func (a *Adaptive) update(ab AbandonStats) {
	n := float64(a.samples)
	ready, waiting, agents := a.sumReady/n, a.sumWaiting/n, a.sumAgents/n
	if agents > 0 {
		diff := ready - waiting + a.cfg.Target
		k := 1 + a.cfg.Intensity/100
		if diff < 0 {
			k = math.Abs(a.cfg.Intensity/100 - 1)
		}
		a.level *= 1 + diff/agents*k
	}
	a.level = min(max(a.level, 1), a.cfg.MaxLevel)
	if a.recentLive > 20 && 2*a.recentAb > a.recentLive {
		a.level = max(1, a.level/2)
	}
	if ab.ShiftLive > 0 && float64(ab.ShiftAbandoned) > ab.CapOrDefault()*float64(ab.ShiftLive) {
		a.level = 1
	}
}

// count keeps the live answers and abandons of the last minute, from the
// shift counters' increments.
func (a *Adaptive) count(obs Observation) {
	live, ab := obs.Abandons.ShiftLive, obs.Abandons.ShiftAbandoned
	if !a.started { // the first look sets the baseline
		a.lastLive, a.lastAbandon = live, ab
	}
	dl, da := live-a.lastLive, ab-a.lastAbandon
	if dl < 0 || da < 0 { // a new shift
		dl, da = live, ab
	}
	a.lastLive, a.lastAbandon = live, ab
	if dl > 0 || da > 0 {
		a.recent = append(a.recent, tickCount{at: obs.Now, live: dl, abandon: da})
		a.recentLive += dl
		a.recentAb += da
	}
	drop := 0
	for drop < len(a.recent) && obs.Now.Sub(a.recent[drop].at) >= time.Minute {
		a.recentLive -= a.recent[drop].live
		a.recentAb -= a.recent[drop].abandon
		drop++
	}
	if drop > 0 {
		a.recent = append(a.recent[:0], a.recent[drop:]...)
	}
}

// Observe does nothing: Adaptive reads everything it needs from
// observations.
func (a *Adaptive) Observe(Event) {}
