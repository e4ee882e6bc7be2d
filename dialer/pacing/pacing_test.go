package pacing_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/dialer/pacing"
)

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func ringing(ages ...float64) []pacing.RingingCall {
	out := make([]pacing.RingingCall, len(ages))
	for i, a := range ages {
		out[i] = pacing.RingingCall{Age: sec(a)}
	}
	return out
}

func talking(n int, elapsed float64) []pacing.BusyAgent {
	out := make([]pacing.BusyAgent, n)
	for i := range out {
		out[i] = pacing.BusyAgent{Phase: pacing.PhaseTalk, Elapsed: sec(elapsed)}
	}
	return out
}

func allPacers(t *testing.T) map[string]pacing.Pacer {
	t.Helper()
	r, err := pacing.NewRatio(2)
	require.NoError(t, err)
	a, err := pacing.NewAdaptive(pacing.AdaptiveConfig{})
	require.NoError(t, err)
	p, err := pacing.NewPredictive(pacing.PredictiveConfig{})
	require.NoError(t, err)
	o, err := pacing.NewOracle(pacing.PredictiveConfig{}, truth{p: 0.2})
	require.NoError(t, err)
	return map[string]pacing.Pacer{"progressive": pacing.Progressive{}, "ratio": r, "adaptive": a, "predictive": p, "oracle": o}
}

// truth is a fixed OracleInfo.
type truth struct {
	p    float64
	free []time.Duration
}

func (t truth) AnswerProb(time.Time) float64 { return t.p }
func (t truth) FreeIn(i int) time.Duration   { return t.free[i] }

func TestNoAgentLoggedInStartsNothing(t *testing.T) {
	for name, p := range allPacers(t) {
		t.Run(name, func(t *testing.T) {
			for i := range 30 {
				// Inconsistent on purpose: idle agents reported, none logged in.
				n := p.Decide(pacing.Observation{Now: t0.Add(time.Duration(i) * time.Second), AgentsIdle: 5})
				assert.Zero(t, n)
			}
		})
	}
}

func TestProgressive(t *testing.T) {
	var p pacing.Progressive
	obs := pacing.Observation{Now: t0, AgentsLoggedIn: 8, AgentsIdle: 5, Ringing: ringing(1, 2), Waiting: 1}
	assert.Equal(t, 2, p.Decide(obs), "5 idle − 2 ringing − 1 waiting")
	obs.Ringing = ringing(1, 2, 3, 4, 5, 6)
	assert.Zero(t, p.Decide(obs), "never negative")
	obs = pacing.Observation{Now: t0, AgentsLoggedIn: 8, AgentsIdle: 0, Busy: talking(8, 30)}
	assert.Zero(t, p.Decide(obs), "no idle agent")
}

func TestRatio(t *testing.T) {
	_, err := pacing.NewRatio(0.5)
	require.ErrorIs(t, err, pacing.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "Ratio.X")
	_, err = pacing.NewRatio(math.NaN())
	require.Error(t, err)

	r, err := pacing.NewRatio(2.5)
	require.NoError(t, err)
	obs := pacing.Observation{Now: t0, AgentsLoggedIn: 10, AgentsIdle: 3, Ringing: ringing(1, 5)}
	assert.Equal(t, 6, r.Decide(obs), "⌊2.5·3 + ½⌋ = 8 in flight, 2 already")
	obs.AgentsIdle = 0
	assert.Zero(t, r.Decide(obs))

	one, err := pacing.NewRatio(1)
	require.NoError(t, err)
	obs = pacing.Observation{Now: t0, AgentsLoggedIn: 10, AgentsIdle: 4, Ringing: ringing(1), Waiting: 1}
	assert.Equal(t, pacing.Progressive{}.Decide(obs), one.Decide(obs), "ratio 1 is progressive")
}

// tick feeds an adaptive pacer the same observation every second for n
// seconds from *at.
func tick(a *pacing.Adaptive, at *time.Time, n int, obs pacing.Observation) int {
	d := 0
	for range n {
		obs.Now = *at
		d = a.Decide(obs)
		*at = at.Add(time.Second)
	}
	return d
}

func TestAdaptiveUpdateRule(t *testing.T) {
	a, err := pacing.NewAdaptive(pacing.AdaptiveConfig{})
	require.NoError(t, err)
	assert.InDelta(t, 1.0, a.Level(), 1e-12)
	at := t0
	// 20 agents, 5 ready, none waiting: level ← 1 · (1 + 5/20 · 1).
	obs := pacing.Observation{AgentsLoggedIn: 20, AgentsIdle: 5, Busy: talking(15, 40)}
	tick(a, &at, 15, obs) // samples at 0..14 s: not yet 15 s since the first
	assert.InDelta(t, 1.0, a.Level(), 1e-12)
	tick(a, &at, 1, obs) // at 15 s: update
	assert.InDelta(t, 1.25, a.Level(), 1e-12)
	// Default tally: in progress (ringing + waiting + talking) reaches
	// ⌈level · (idle + talking)⌉ = ⌈1.25 · 20⌉ = 25; 15 talking, 0 in flight.
	obs.Now = at
	assert.Equal(t, 10, a.Decide(obs))

	// Calls waiting, no agent ready: diff = −3, k = |0 − 1| = 1:
	// level ← 1.25 · (1 − 3/20) = 1.0625.
	b, err := pacing.NewAdaptive(pacing.AdaptiveConfig{InitialLevel: 1.25})
	require.NoError(t, err)
	at = t0
	tick(b, &at, 16, pacing.Observation{AgentsLoggedIn: 20, Waiting: 3, Busy: talking(20, 40)})
	assert.InDelta(t, 1.0625, b.Level(), 1e-12)

	// Intensity 20: k = 1.2 when agents are to spare.
	c, err := pacing.NewAdaptive(pacing.AdaptiveConfig{Intensity: 20})
	require.NoError(t, err)
	at = t0
	tick(c, &at, 16, obs)
	assert.InDelta(t, 1+0.25*1.2, c.Level(), 1e-12)

	// Clamped to MaxLevel.
	at = t0
	d, err := pacing.NewAdaptive(pacing.AdaptiveConfig{})
	require.NoError(t, err)
	tick(d, &at, 15*30, pacing.Observation{AgentsLoggedIn: 20, AgentsIdle: 20})
	assert.InDelta(t, 3.0, d.Level(), 1e-12)

	// More than 20 live answers in the last minute, over half abandoned:
	// halved (after the update: 3 · (1 + 1) → 3, then 1.5).
	ab := pacing.AbandonStats{ShiftLive: 1000, ShiftAbandoned: 10}
	tick(d, &at, 90, pacing.Observation{AgentsLoggedIn: 20, AgentsIdle: 20, Abandons: ab})
	assert.InDelta(t, 3.0, d.Level(), 1e-12)
	ab.ShiftLive, ab.ShiftAbandoned = 1030, 26 // 30 live, 16 abandoned
	tick(d, &at, 15, pacing.Observation{AgentsLoggedIn: 20, AgentsIdle: 20, Abandons: ab})
	assert.InDelta(t, 1.5, d.Level(), 1e-12)

	// The shift's rate over the cap forces 1.
	ab = pacing.AbandonStats{ShiftLive: 1000, ShiftAbandoned: 31}
	tick(d, &at, 15, pacing.Observation{AgentsLoggedIn: 20, AgentsIdle: 20, Abandons: ab})
	assert.InDelta(t, 1.0, d.Level(), 1e-12)

	// Available-only tally: in flight = ⌈level · idle⌉.
	e, err := pacing.NewAdaptive(pacing.AdaptiveConfig{AvailableOnly: true, InitialLevel: 2.5})
	require.NoError(t, err)
	assert.Equal(t, 7, e.Decide(pacing.Observation{Now: t0, AgentsLoggedIn: 20, AgentsIdle: 3, Ringing: ringing(2)}))
}

func TestConfigValidation(t *testing.T) {
	bad := map[string]pacing.PredictiveConfig{
		"PredictiveConfig.Margin":          {Margin: -0.1},
		"PredictiveConfig.MinThreshold":    {MinThreshold: 2},
		"PredictiveConfig.MaxThreshold":    {MaxThreshold: 1},
		"PredictiveConfig.Threshold":       {Threshold: 0.5, MaxThreshold: 0.3},
		"PredictiveConfig.Gain":            {Gain: 2},
		"PredictiveConfig.Guard":           {Guard: -1},
		"PredictiveConfig.Window":          {Window: time.Millisecond},
		"PredictiveConfig.PriorAnswerRate": {PriorAnswerRate: 1.5},
		"PredictiveConfig.PriorWeight":     {PriorWeight: -3},
		"PredictiveConfig.Patience":        {Patience: time.Minute},
	}
	for field, cfg := range bad {
		_, err := pacing.NewPredictive(cfg)
		require.Error(t, err, field)
		assert.True(t, errors.Is(err, pacing.ErrInvalidConfig), field)
		assert.Contains(t, err.Error(), field)
		_, err = pacing.NewOracle(cfg, truth{p: 0.2})
		assert.Contains(t, err.Error(), field)
	}
	_, err := pacing.NewOracle(pacing.PredictiveConfig{}, nil)
	require.ErrorIs(t, err, pacing.ErrInvalidConfig)

	badA := map[string]pacing.AdaptiveConfig{
		"AdaptiveConfig.Intensity":    {Intensity: 101},
		"AdaptiveConfig.MaxLevel":     {MaxLevel: 0.5},
		"AdaptiveConfig.InitialLevel": {InitialLevel: 4},
		"AdaptiveConfig.Interval":     {Interval: -time.Second},
		"AdaptiveConfig.Target":       {Target: math.Inf(1)},
	}
	for field, cfg := range badA {
		_, err := pacing.NewAdaptive(cfg)
		require.ErrorIs(t, err, pacing.ErrInvalidConfig, field)
		assert.Contains(t, err.Error(), field)
	}
}

func TestPredictiveWarmUp(t *testing.T) {
	p, err := pacing.NewPredictive(pacing.PredictiveConfig{})
	require.NoError(t, err)
	// Ten idle agents, nothing known: the prior (2/10) with its spread
	// gives more than 1:1 but far less than 1/p per agent.
	n := p.Decide(pacing.Observation{Now: t0, AgentsLoggedIn: 10, AgentsIdle: 10})
	assert.Greater(t, n, 10)
	assert.Less(t, n, 40)
}

func TestPredictiveFallsToOneToOneAtTheCap(t *testing.T) {
	p, err := pacing.NewPredictive(pacing.PredictiveConfig{})
	require.NoError(t, err)
	obs := pacing.Observation{Now: t0, AgentsLoggedIn: 10, AgentsIdle: 6, Ringing: ringing(1, 2), Busy: talking(4, 100)}
	below := obs
	below.Abandons = pacing.AbandonStats{PeriodLive: 1000, PeriodAbandoned: 10}
	assert.Greater(t, p.Decide(below), pacing.Progressive{}.Decide(obs), "room under the cap: more than 1:1")

	q, err := pacing.NewPredictive(pacing.PredictiveConfig{})
	require.NoError(t, err)
	at := obs
	at.Abandons = pacing.AbandonStats{PeriodLive: 1000, PeriodAbandoned: 30}
	assert.Equal(t, 4, q.Decide(at), "at 3%: 1:1")
	at.Abandons = pacing.AbandonStats{Cap: 0.05, PeriodLive: 1000, PeriodAbandoned: 50}
	assert.Equal(t, 4, q.Decide(at), "at a 5% cap: 1:1")
	at.Abandons = pacing.AbandonStats{Cap: 0.05, PeriodLive: 1000, PeriodAbandoned: 30}
	assert.Greater(t, q.Decide(at), 4, "3% is under a 5% cap")
}

func TestPredictiveWaitsForBusyAgents(t *testing.T) {
	p, err := pacing.NewPredictive(pacing.PredictiveConfig{})
	require.NoError(t, err)
	learn(p, 0.2, 2000)
	now := t0.Add(time.Hour)
	// Every agent has just started a call: nobody will be free for a
	// while, so nothing is dialed.
	obs := pacing.Observation{Now: now, AgentsLoggedIn: 10, Busy: talking(10, 1)}
	assert.Zero(t, p.Decide(obs))
	// Agents deep in wrap-up will be free within seconds: dial ahead.
	wrap := make([]pacing.BusyAgent, 10)
	for i := range wrap {
		wrap[i] = pacing.BusyAgent{Phase: pacing.PhaseWrap, Elapsed: 15 * time.Second}
	}
	obs.Busy = wrap
	assert.Greater(t, p.Decide(obs), 5)
	// A call waiting already takes the first agent.
	obs.Waiting = 10
	assert.Zero(t, p.Decide(obs))
}

func TestPredictiveUsesTheRecentAnswerRate(t *testing.T) {
	p, err := pacing.NewPredictive(pacing.PredictiveConfig{})
	require.NoError(t, err)
	at := t0
	feed := func(rate float64, n int) {
		live := 0.0
		for range n {
			at = at.Add(time.Second)
			kind := pacing.EventNoAnswer
			live += rate
			if live >= 1 {
				live--
				kind = pacing.EventLive
			}
			p.Observe(pacing.Event{At: at, Kind: kind, Duration: 10 * time.Second})
		}
	}
	feed(0.1, 3600)
	assert.InDelta(t, 0.1, p.AnswerRate(at), 0.01)
	feed(0.3, 3600) // an hour later the campaign-long rate is 0.2
	assert.InDelta(t, 0.3, p.AnswerRate(at), 0.01)
	// After a night without dials, the estimate falls back to the
	// campaign-long rate.
	assert.InDelta(t, 0.2, p.AnswerRate(at.Add(16*time.Hour)), 0.01)
}

func TestOracleUsesTheTruth(t *testing.T) {
	busy := talking(10, 200)
	free := make([]time.Duration, 10)
	for i := range free {
		free[i] = time.Hour
	}
	o, err := pacing.NewOracle(pacing.PredictiveConfig{}, truth{p: 0.2, free: free})
	require.NoError(t, err)
	obs := pacing.Observation{Now: t0, AgentsLoggedIn: 10, Busy: busy}
	assert.Zero(t, o.Decide(obs), "nobody free for an hour")
	for i := range 5 {
		free[i] = 3 * time.Second
	}
	assert.Greater(t, o.Decide(obs), 5, "five free in 3 s")
}

// learn feeds n resolved dials at answer rate p and typical durations.
func learn(p pacing.Pacer, rate float64, n int) {
	at := t0
	live := 0.0
	for i := range n {
		at = at.Add(time.Second)
		live += rate
		if live >= 1 {
			live--
			p.Observe(pacing.Event{At: at, Kind: pacing.EventLive, Duration: time.Duration(3+i%15) * time.Second})
			p.Observe(pacing.Event{At: at, Kind: pacing.EventTalkEnded, Duration: time.Duration(30+i%200) * time.Second})
			p.Observe(pacing.Event{At: at, Kind: pacing.EventWrapEnded, Duration: time.Duration(10+i%11) * time.Second})
			continue
		}
		if i%3 == 0 {
			p.Observe(pacing.Event{At: at, Kind: pacing.EventBusy, Duration: 4 * time.Second})
		} else {
			p.Observe(pacing.Event{At: at, Kind: pacing.EventNoAnswer, Duration: 25 * time.Second})
		}
	}
}

func TestEventKindString(t *testing.T) {
	assert.Equal(t, "live", pacing.EventLive.String())
	assert.Equal(t, "wrap_ended", pacing.EventWrapEnded.String())
	assert.Equal(t, "unknown", pacing.EventKind(0).String())
}
