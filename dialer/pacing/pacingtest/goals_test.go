package pacingtest_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/dialer/pacing/pacingtest"
)

// oracleMargin aims the informed oracle just under the cap (2.9% under 3%),
// as the reference of what pacing can reach at the cap.
const oracleMargin = 0.001

// ratios are the fixed ratios tried for "best fixed ratio in hindsight".
var ratios = []string{"1.5", "2", "2.5", "3", "3.5", "4", "5", "6", "8"}

type scenario struct {
	name   string
	agents int
	p0, p1 float64
}

var scenarios = []scenario{
	{"N=20 p=.20", 20, 0.20, 0.20},
	{"N=10 p=.15", 10, 0.15, 0.15},
	{"N=10 p=.30", 10, 0.30, 0.30},
	{"N=50 p=.15", 50, 0.15, 0.15},
	{"N=50 p=.30", 50, 0.30, 0.30},
	{"N=20 p=.10→.30", 20, 0.10, 0.30},
	{"N=20 p=.30→.10", 20, 0.30, 0.10},
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestGoals runs every pacer on every scenario of docs/pacing.md (seeds
// 1..3, 30 shifts each, one campaign per seed), prints the results table
// and asserts the goals. It takes a few minutes, so it runs only with
// CALLSTACK_PACING_FULL=1:
//
//	CALLSTACK_PACING_FULL=1 go test -run TestGoals -v -timeout 60m ./dialer/pacing/pacingtest
//
// CALLSTACK_PACING_SEEDS, CALLSTACK_PACING_SHIFTS and CALLSTACK_PACING_PAR
// (parallel runs, default 2) override the defaults for a leaner run.
func TestGoals(t *testing.T) {
	if os.Getenv("CALLSTACK_PACING_FULL") == "" {
		t.Skip("set CALLSTACK_PACING_FULL=1 to run the full pacing grid (minutes)")
	}
	seeds := envInt("CALLSTACK_PACING_SEEDS", 3)
	shifts := envInt("CALLSTACK_PACING_SHIFTS", 30)
	par := envInt("CALLSTACK_PACING_PAR", 2)

	specs := []string{"progressive", "adaptive", "predictive", "oracle"}
	for _, x := range ratios {
		specs = append(specs, "ratio:"+x)
	}
	results := map[[2]string]pacingtest.Summary{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, par)
	for _, sc := range scenarios {
		for _, spec := range specs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				f, err := pacingtest.PacerFactory(spec, pacing.PredictiveConfig{}, oracleMargin)
				if !assert.NoError(t, err) {
					return
				}
				var rs []pacingtest.Result
				for seed := 1; seed <= seeds; seed++ {
					r, err := pacingtest.Run(pacingtest.Config{
						Agents: sc.agents, AnswerRate: sc.p0, AnswerRateEnd: sc.p1,
						Seed: uint64(seed), Shifts: shifts, NewPacer: f,
					})
					if !assert.NoError(t, err) {
						return
					}
					rs = append(rs, r)
				}
				mu.Lock()
				results[[2]string{sc.name, spec}] = pacingtest.Summarize(rs...)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	require.False(t, t.Failed())

	// Best fixed ratio in hindsight: the highest occupancy whose worst
	// period stays at or under the cap.
	best := map[string]string{}
	for _, sc := range scenarios {
		b := ""
		for _, x := range ratios {
			s := results[[2]string{sc.name, "ratio:" + x}]
			if s.WorstPeriod <= pacing.DefaultCap && (b == "" || s.Occupancy > results[[2]string{sc.name, b}].Occupancy) {
				b = "ratio:" + x
			}
		}
		best[sc.name] = b
	}

	var out strings.Builder
	fmt.Fprintf(&out, "\n%d seeds × %d shifts per scenario; occupancy %% / abandon %% (pooled)\n\n", seeds, shifts)
	fmt.Fprintf(&out, "| pacer |")
	for _, sc := range scenarios {
		fmt.Fprintf(&out, " %s |", sc.name)
	}
	fmt.Fprintf(&out, "\n|---|%s\n", strings.Repeat("---|", len(scenarios)))
	for _, row := range []string{"progressive", "best ratio", "adaptive", "predictive", "oracle"} {
		fmt.Fprintf(&out, "| %s |", row)
		for _, sc := range scenarios {
			spec := row
			if row == "best ratio" {
				spec = best[sc.name]
			}
			s := results[[2]string{sc.name, spec}]
			if row == "best ratio" {
				fmt.Fprintf(&out, " %.1f / %.2f (%s) |", 100*s.Occupancy, 100*s.Abandon, strings.TrimPrefix(spec, "ratio:"))
			} else {
				fmt.Fprintf(&out, " %.1f / %.2f |", 100*s.Occupancy, 100*s.Abandon)
			}
		}
		fmt.Fprintln(&out)
	}
	fmt.Fprintf(&out, "\n| scenario | pacer | occupancy | abandon | worst 30-shift period | worst shift | worst partial period | idle wait s/call | calls |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, sc := range scenarios {
		for _, row := range []string{"progressive", "best ratio", "adaptive", "predictive", "oracle"} {
			spec := row
			if row == "best ratio" {
				spec = best[sc.name]
			}
			s := results[[2]string{sc.name, spec}]
			fmt.Fprintf(&out, "| %s | %s | %.1f%% | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.1f | %d |\n",
				sc.name, spec, 100*s.Occupancy, 100*s.Abandon, 100*s.WorstPeriod, 100*s.WorstShift, 100*s.WorstPartial, s.IdleWait, s.Calls)
		}
	}
	t.Log(out.String())

	// The goals (docs/pacing.md).
	pred := func(name string) pacingtest.Summary { return results[[2]string{name, "predictive"}] }
	orac := func(name string) pacingtest.Summary { return results[[2]string{name, "oracle"}] }
	head := pred("N=20 p=.20")
	assert.GreaterOrEqual(t, head.Occupancy, 0.80, "N=20 p=.2: occupancy")
	assert.LessOrEqual(t, head.WorstPeriod, pacing.DefaultCap, "N=20 p=.2: every 30-shift period under the cap")
	assert.LessOrEqual(t, head.IdleWait, 20.0, "N=20 p=.2: idle wait per connected call")
	for _, sc := range scenarios[1:5] {
		assert.LessOrEqual(t, pred(sc.name).WorstPeriod, pacing.DefaultCap, "%s: worst period", sc.name)
		assert.LessOrEqual(t, orac(sc.name).WorstPeriod, pacing.DefaultCap, "%s: oracle's worst period", sc.name)
		assert.GreaterOrEqual(t, pred(sc.name).Occupancy, orac(sc.name).Occupancy-0.02, "%s: within 2 points of the oracle", sc.name)
	}
	up, down := pred("N=20 p=.10→.30"), pred("N=20 p=.30→.10")
	assert.LessOrEqual(t, up.WorstPeriod, pacing.DefaultCap, "rising answer rate: every period under the cap")
	assert.LessOrEqual(t, down.WorstPeriod, pacing.DefaultCap, "falling answer rate: every period under the cap")
	assert.GreaterOrEqual(t, down.Occupancy, orac("N=20 p=.30→.10").Occupancy-0.02, "falling answer rate: graceful")
	for _, sc := range scenarios {
		// Partial periods stay under the cap too (beyond the first 100 live
		// answers, where one abandon is already 1%).
		assert.LessOrEqual(t, pred(sc.name).WorstPartial, pacing.DefaultCap, "%s: worst partial period", sc.name)
	}
}
