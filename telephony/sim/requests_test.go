package sim_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

func dialReq(i int) telephony.DialRequest {
	return telephony.DialRequest{From: "+14155550100", To: fmt.Sprintf("+1212%07d", 2000000+i), AttemptID: fmt.Sprintf("att-%d", i), RingTimeout: 25 * time.Second}
}

func TestLatencyGoesThroughSleep(t *testing.T) {
	var slept []time.Duration
	c, _, _ := newSim(t, sim.Config{Seed: 1, Latency: sim.Latency{Dial: sim.Fixed(300 * time.Millisecond), Hangup: sim.LogNormal(200*time.Millisecond, 0.5)},
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	ctx := context.Background()
	var sum time.Duration
	for i := range 400 {
		id, err := c.Dial(ctx, dialReq(i))
		require.NoError(t, err)
		require.NoError(t, c.Hangup(ctx, id))
	}
	require.Len(t, slept, 800, "every dial and hang-up waits out its latency")
	for i, d := range slept {
		if i%2 == 0 {
			assert.Equal(t, 300*time.Millisecond, d)
		} else {
			sum += d
		}
	}
	mean := sum / 400
	assert.InDelta(t, float64(200*time.Millisecond), float64(mean), float64(20*time.Millisecond), "lognormal mean")
}

func TestLatencyOnTheWallClockIsCutByTheContext(t *testing.T) {
	c, _, _ := newSim(t, sim.Config{Seed: 1, Latency: sim.AllRequests(sim.Fixed(time.Hour))})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Dial(ctx, dialReq(1))
	require.Error(t, err)
	assert.True(t, telephony.IsOutcomeUnknown(err), "a dial cut short may have rung: %v", err)
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("rate limited", func(t *testing.T) {
		c, _, _ := newSim(t, sim.Config{Seed: 1, Faults: sim.Faults{Rate: 1, Kinds: []sim.Fault{sim.FaultRateLimited}, RetryAfter: 3 * time.Second}})
		_, err := c.Dial(ctx, dialReq(1))
		require.Error(t, err)
		assert.True(t, telephony.IsRetryable(err))
		assert.Equal(t, 3*time.Second, telephony.RetryAfter(err))
		assert.Zero(t, c.Dials(), "a refused dial places nothing")
	})
	t.Run("outcome unknown", func(t *testing.T) {
		c, clock, sink := newSim(t, sim.Config{Seed: 1, AnswerProb: sim.Constant(1), Faults: sim.Faults{Rate: 1, Kinds: []sim.Fault{sim.FaultOutcomeUnknown}}})
		_, err := c.Dial(ctx, dialReq(1))
		require.True(t, telephony.IsOutcomeUnknown(err), "%v", err)
		require.NoError(t, sim.Run(ctx, c, clock, clock.Now().Add(time.Minute)))
		sink.mu.Lock()
		defer sink.mu.Unlock()
		require.NotEmpty(t, sink.evs, "the call was placed although its answer was lost")
		assert.Equal(t, "att-1", sink.evs[0].AttemptID)
	})
	t.Run("rate", func(t *testing.T) {
		c, _, _ := newSim(t, sim.Config{Seed: 5, Faults: sim.Faults{Rate: 0.05, Kinds: []sim.Fault{sim.FaultServerError}}})
		failed := 0
		for i := range 4000 {
			if _, err := c.Dial(ctx, dialReq(i)); err != nil {
				assert.True(t, telephony.IsRetryable(err))
				failed++
			}
		}
		assert.InDelta(t, 200, failed, 45)
	})
	t.Run("refused", func(t *testing.T) {
		_, err := sim.New(sim.Config{Faults: sim.Faults{Rate: 1.5}})
		assert.ErrorContains(t, err, "Faults.Rate")
	})
}
