package pacing_test

import (
	"fmt"
	"time"

	"github.com/callstackhq/callstack/dialer/pacing"
)

// The engine asks the pacer every second; here, one tick of a team of four:
// two idle agents, one talking, one wrapping up, one call ringing.
func ExampleProgressive() {
	obs := pacing.Observation{
		Now:            time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC),
		AgentsLoggedIn: 4,
		AgentsIdle:     2,
		Busy: []pacing.BusyAgent{
			{Phase: pacing.PhaseTalk, Elapsed: 40 * time.Second},
			{Phase: pacing.PhaseWrap, Elapsed: 5 * time.Second},
		},
		Ringing: []pacing.RingingCall{{Age: 4 * time.Second}},
	}
	fmt.Println(pacing.Progressive{}.Decide(obs))
	// Output: 1
}

func ExampleNewRatio() {
	r, err := pacing.NewRatio(2.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Decide(pacing.Observation{AgentsLoggedIn: 10, AgentsIdle: 4}))
	_, err = pacing.NewRatio(0.5)
	fmt.Println(err)
	// Output:
	// 10
	// pacing: Ratio.X = 0.5, must be a finite number ≥ 1: pacing: invalid config
}

// A predictive pacer learns from every dial result and every end of talk
// and wrap-up, and decides from the state of the floor. With the default
// prior (an answer rate of 2/10) and no agent busy, it dials more than one
// call per idle agent, but cautiously: the prior is worth only ten dials.
// With the period's abandon rate at the cap it dials 1:1.
func ExampleNewPredictive() {
	p, err := pacing.NewPredictive(pacing.PredictiveConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	obs := pacing.Observation{Now: start, AgentsLoggedIn: 5, AgentsIdle: 5}
	fmt.Println("cold start:", p.Decide(obs))

	// An hour of results at a 20% answer rate.
	at := start
	for i := range 3600 {
		at = at.Add(time.Second)
		kind := pacing.EventNoAnswer
		if i%5 == 0 {
			kind = pacing.EventLive
		}
		p.Observe(pacing.Event{At: at, Kind: kind, Duration: time.Duration(3+i%20) * time.Second})
	}
	obs.Now = at
	fmt.Printf("answer rate: %.2f\n", p.AnswerRate(at))
	fmt.Println("learned:", p.Decide(obs))

	obs.Abandons = pacing.AbandonStats{PeriodLive: 1000, PeriodAbandoned: 30} // 3%
	fmt.Println("at the cap:", p.Decide(obs))
	// Output:
	// cold start: 11
	// answer rate: 0.20
	// learned: 12
	// at the cap: 5
}
