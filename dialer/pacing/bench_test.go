package pacing_test

import (
	"testing"
	"time"

	"github.com/callstackhq/callstack/dialer/pacing"
)

// floor returns a busy floor of n agents: a few idle, most talking, some
// wrapping up, about n/2 calls ringing at various ages.
func floor(n int) pacing.Observation {
	obs := pacing.Observation{Now: t0.Add(time.Hour), AgentsLoggedIn: n, AgentsIdle: n / 10}
	for i := range n - n/10 {
		if i%5 == 0 {
			obs.Busy = append(obs.Busy, pacing.BusyAgent{Phase: pacing.PhaseWrap, Elapsed: time.Duration(i%15) * time.Second})
		} else {
			obs.Busy = append(obs.Busy, pacing.BusyAgent{Phase: pacing.PhaseTalk, Elapsed: time.Duration(7*i%300) * time.Second})
		}
	}
	for i := range n / 2 {
		obs.Ringing = append(obs.Ringing, pacing.RingingCall{Age: time.Duration(i%24) * time.Second})
	}
	return obs
}

func benchDecide(b *testing.B, p pacing.Pacer, agents int) {
	learn(p, 0.2, 20000)
	obs := floor(agents)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		obs.Now = obs.Now.Add(time.Second)
		p.Decide(obs)
	}
}

func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{20, 50, 200} {
		b.Run("progressive/"+itoa(n), func(b *testing.B) { benchDecide(b, pacing.Progressive{}, n) })
		b.Run("adaptive/"+itoa(n), func(b *testing.B) {
			a, _ := pacing.NewAdaptive(pacing.AdaptiveConfig{})
			benchDecide(b, a, n)
		})
		b.Run("predictive/"+itoa(n), func(b *testing.B) {
			p, _ := pacing.NewPredictive(pacing.PredictiveConfig{})
			benchDecide(b, p, n)
		})
	}
}

func BenchmarkObserve(b *testing.B) {
	p, _ := pacing.NewPredictive(pacing.PredictiveConfig{})
	at := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		at = at.Add(100 * time.Millisecond)
		p.Observe(pacing.Event{At: at, Kind: pacing.EventKind(1 + i%7), Duration: time.Duration(i%30) * time.Second})
	}
}

func itoa(n int) string {
	switch n {
	case 20:
		return "20"
	case 50:
		return "50"
	}
	return "200"
}
