package pacingtest_test

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/dialer/pacing/pacingtest"
)

// TestTune runs ad-hoc scenarios for tuning. It runs only with
// CALLSTACK_PACING_TUNE set, e.g.
//
//	CALLSTACK_PACING_TUNE='pacers=predictive,oracle scen=20/.2,10/.15 seeds=1 shifts=5' go test -run TestTune -v ./dialer/pacing/pacingtest
//
// Scenarios are N/p or N/p0-p1 (drift within each shift).
func TestTune(t *testing.T) {
	spec := os.Getenv("CALLSTACK_PACING_TUNE")
	if spec == "" {
		t.Skip("set CALLSTACK_PACING_TUNE to run")
	}
	opts := map[string]string{"pacers": "predictive", "scen": "20/.2", "seeds": "1", "shifts": "5", "par": "2"}
	for _, f := range strings.Fields(spec) {
		k, v, _ := strings.Cut(f, "=")
		opts[k] = v
	}
	num := func(k string) float64 {
		if opts[k] == "" {
			return 0
		}
		v, err := strconv.ParseFloat(opts[k], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cfg := pacing.PredictiveConfig{
		Margin: num("margin"), Threshold: num("theta"), Gain: num("gain"), Guard: num("guard"),
	}
	seeds, shifts, par := int(num("seeds")), int(num("shifts")), int(num("par"))
	sem := make(chan struct{}, par)
	type job struct {
		pacer, scen string
		out         string
	}
	var jobs []*job
	for _, p := range strings.Split(opts["pacers"], ",") {
		for _, sc := range strings.Split(opts["scen"], ",") {
			jobs = append(jobs, &job{pacer: p, scen: sc})
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			n, p0, p1 := parseScen(t, j.scen)
			f, err := pacingtest.PacerFactory(j.pacer, cfg, num("omargin"))
			if err != nil {
				t.Error(err)
				return
			}
			var rs []pacingtest.Result
			for seed := 1; seed <= seeds; seed++ {
				r, err := pacingtest.Run(pacingtest.Config{Agents: n, AnswerRate: p0, AnswerRateEnd: p1, Seed: uint64(seed), Shifts: shifts, NewPacer: f})
				if err != nil {
					t.Error(err)
					return
				}
				rs = append(rs, r)
			}
			j.out = pacingtest.Summarize(rs...).String()
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		t.Logf("%-12s %-12s %s", j.pacer, j.scen, j.out)
	}
}

func parseScen(t *testing.T, s string) (int, float64, float64) {
	ns, ps, _ := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if err != nil {
		t.Fatal(err)
	}
	a, b, drift := strings.Cut(ps, "-")
	p0, err := strconv.ParseFloat(a, 64)
	if err != nil {
		t.Fatal(err)
	}
	p1 := p0
	if drift {
		if p1, err = strconv.ParseFloat(b, 64); err != nil {
			t.Fatal(err)
		}
	}
	return n, p0, p1
}
