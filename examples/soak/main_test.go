package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSoak is the CI version of the soak: 20 seconds of real time through
// the engine, the Twilio adapter and the Twilio-compatible server, with
// 200 ms per API request. (-short: 5 seconds.)
func TestSoak(t *testing.T) {
	d := 20 * time.Second
	if testing.Short() {
		d = 5 * time.Second
	}
	res, err := Run(context.Background(), Options{Duration: d, Agents: 5, APILatency: 200 * time.Millisecond}, nil)
	require.NoError(t, err)
	t.Logf("%+v", res)
	require.Positive(t, res.Dials)
	assert.Positive(t, res.Bridged)
	assert.Less(t, res.BridgeP99Ms, int64(2000), "no bridge after BridgeWithin")
	assert.Less(t, res.BridgeEngineP99Ms, int64(1000), "the engine bridges once answer and agent are there")
	assert.Zero(t, res.AbandonedWithFreeAgent)
	assert.Zero(t, res.Stuck, "contacts left dialing")
	assert.Zero(t, res.LostEvents)
}
