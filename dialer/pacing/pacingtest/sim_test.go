package pacingtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/dialer/pacing/pacingtest"
)

func factory(t *testing.T, spec string) func(pacing.OracleInfo) (pacing.Pacer, error) {
	t.Helper()
	f, err := pacingtest.PacerFactory(spec, pacing.PredictiveConfig{}, 0)
	require.NoError(t, err)
	return f
}

func TestProgressiveNeverAbandons(t *testing.T) {
	r, err := pacingtest.Run(pacingtest.Config{Agents: 10, Seed: 1, Shifts: 2, NewPacer: factory(t, "progressive")})
	require.NoError(t, err)
	s := pacingtest.Summarize(r)
	assert.Zero(t, s.Abandoned)
	assert.Equal(t, s.Live, connected(r), "every live answer is connected")
	// About the reference figure (docs/pacing.md: 54.1% at N=20, p=0.2; fewer
	// agents, same ratio).
	assert.InDelta(t, 0.54, s.Occupancy, 0.03)
}

func connected(r pacingtest.Result) int {
	n := 0
	for _, s := range r.Shifts {
		n += s.Connected
	}
	return n
}

func TestSimulationAccounting(t *testing.T) {
	r, err := pacingtest.Run(pacingtest.Config{Agents: 8, AnswerRate: 0.3, Seed: 2, Shifts: 2, ShiftLength: 2 * time.Hour, NewPacer: factory(t, "ratio:3")})
	require.NoError(t, err)
	require.Len(t, r.Shifts, 2)
	for _, s := range r.Shifts {
		assert.Equal(t, s.Live, s.Connected+s.Abandoned, "each live answer is connected or abandoned")
		assert.Positive(t, s.Abandoned)
		assert.LessOrEqual(t, s.Talk, 8*2*3600.0)
		assert.InDelta(t, 0.3, float64(s.Live)/float64(s.Dials), 0.03)
	}
}

func TestSimulationIsDeterministic(t *testing.T) {
	run := func() pacingtest.Result {
		r, err := pacingtest.Run(pacingtest.Config{Agents: 5, Seed: 3, Shifts: 2, ShiftLength: time.Hour, NewPacer: factory(t, "predictive")})
		require.NoError(t, err)
		return r
	}
	assert.Equal(t, run(), run())
}

func TestCommonRandomNumbers(t *testing.T) {
	// Two pacers on one seed face the same callees: the answer share of
	// their dials is the same stream, so it agrees closely.
	var rates []float64
	for _, spec := range []string{"progressive", "ratio:2"} {
		r, err := pacingtest.Run(pacingtest.Config{Agents: 10, Seed: 4, Shifts: 1, NewPacer: factory(t, spec)})
		require.NoError(t, err)
		rates = append(rates, float64(r.Shifts[0].Live)/float64(r.Shifts[0].Dials))
	}
	assert.InDelta(t, rates[0], rates[1], 0.01)
}

func TestConfigErrors(t *testing.T) {
	_, err := pacingtest.Run(pacingtest.Config{})
	assert.ErrorContains(t, err, "NewPacer")
	_, err = pacingtest.Run(pacingtest.Config{AnswerRate: 2, NewPacer: factory(t, "progressive")})
	assert.ErrorContains(t, err, "AnswerRate")
	_, err = pacingtest.PacerFactory("ratio:0.3", pacing.PredictiveConfig{}, 0)
	assert.ErrorContains(t, err, "Ratio.X")
	_, err = pacingtest.PacerFactory("magic", pacing.PredictiveConfig{}, 0)
	assert.Error(t, err)
}

// One simulated hour of a team of ten with our pacer.
func ExampleRun() {
	f, err := pacingtest.PacerFactory("predictive", pacing.PredictiveConfig{}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := pacingtest.Run(pacingtest.Config{Agents: 10, AnswerRate: 0.2, Seed: 1, Shifts: 1, ShiftLength: time.Hour, NewPacer: f})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := pacingtest.Summarize(r)
	fmt.Printf("%d dials, %d live, %d abandoned, occupancy %.0f%%\n", s.Calls, s.Live, s.Abandoned, 100*s.Occupancy)
	// Output: 1203 dials, 237 live, 7 abandoned, occupancy 74%
}

// A quick look at the goals (the full grid is TestGoals): one shift at
// N=20, p=0.2 and one with the answer rate rising 0.10 → 0.30.
func TestPredictiveQuick(t *testing.T) {
	for _, p1 := range []float64{0.2, 0.3} {
		p0 := 0.2
		if p1 != p0 {
			p0 = 0.1
		}
		r, err := pacingtest.Run(pacingtest.Config{Agents: 20, AnswerRate: p0, AnswerRateEnd: p1, Seed: 1, Shifts: 1, NewPacer: factory(t, "predictive")})
		require.NoError(t, err)
		s := pacingtest.Summarize(r)
		assert.Greater(t, s.Occupancy, 0.77, "p %v→%v", p0, p1)
		assert.Less(t, s.Abandon, 0.032, "p %v→%v", p0, p1)
	}
}
