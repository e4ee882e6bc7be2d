package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPacingSimDrivesTheEngine(t *testing.T) {
	o := Options{Agents: 5, Answer: 0.3, AnswerEnd: 0.3, Talk: 120, WrapMin: 10, WrapMax: 20, Shifts: 2, Seeds: 1,
		Pacer: "predictive", Cap: 0.03, ShiftLength: time.Hour}
	pred, err := Run(context.Background(), o, nil)
	require.NoError(t, err)
	o.Pacer = "progressive"
	prog, err := Run(context.Background(), o, nil)
	require.NoError(t, err)
	t.Logf("predictive %+v", pred)
	t.Logf("progressive %+v", prog)
	assert.Zero(t, prog.AbandonRate, "progressive never abandons")
	assert.Greater(t, pred.Occupancy, prog.Occupancy, "predictive keeps agents busier")
	assert.Greater(t, pred.Calls, prog.Calls)
	assert.Less(t, pred.Occupancy, 0.889, "below the ceiling E[S]/(E[S]+E[W])")
	_, err = Run(context.Background(), Options{Agents: 0}, nil)
	require.Error(t, err)
}

// TestPacingSimWithCarrierLatency runs the engine against a carrier whose
// every request takes 0.3 s on average and 5% of requests fail: answered
// calls are still bridged at once, and no call is abandoned while an
// agent is free.
func TestPacingSimWithCarrierLatency(t *testing.T) {
	o := Options{Agents: 5, Answer: 0.3, AnswerEnd: 0.3, Talk: 120, WrapMin: 10, WrapMax: 20, Shifts: 2, Seeds: 1,
		Pacer: "predictive", Cap: 0.03, ShiftLength: time.Hour, APILatency: 300 * time.Millisecond, APIFaults: 0.05}
	res, err := Run(context.Background(), o, nil)
	require.NoError(t, err)
	t.Logf("%+v", res)
	assert.Positive(t, res.Calls)
	assert.Zero(t, res.AbandonedWithFreeAgent)
	assert.LessOrEqual(t, res.BridgeEngineP99S, 0.1, "the engine bridges as soon as answer and agent are there")
	assert.Less(t, res.BridgeP99S, 2.0, "no bridge after BridgeWithin")
	assert.Greater(t, res.Occupancy, 0.5)
}
