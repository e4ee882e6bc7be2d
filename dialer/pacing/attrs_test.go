package pacing_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// DialAttributes draws what the simulated carrier draws: the engine's
// simulation and pacingtest face the same callees.
func TestDialAttributesMatchTheSimulatedCarrier(t *testing.T) {
	ctx := context.Background()
	for _, p := range []float64{0.2, 0.6} {
		clock := sim.NewClock(t0)
		c, err := sim.New(sim.Config{Seed: 7, Now: clock.Now, AnswerProb: sim.Constant(p)})
		require.NoError(t, err)
		require.NoError(t, c.Start(ctx, telephony.SinkFunc(func(context.Context, telephony.Event) error { return nil })))
		for k := range uint64(2000) {
			id, err := c.Dial(ctx, telephony.DialRequest{
				From: "+15005550006", To: "+14155550100", RingTimeout: 25 * time.Second,
				AttemptID: fmt.Sprintf("p%v-%d", p, k),
			})
			require.NoError(t, err)
			s, ok := c.Peek(id)
			require.True(t, ok)
			a := pacing.DialAttributes(7, k, p)
			require.Equal(t, s.Live(), a.Live, "dial %d", k)
			require.Equal(t, s.Outcome == sim.OutcomeBusy || s.Outcome == sim.OutcomeFailed, a.Held, "dial %d", k)
			require.Equal(t, s.Ring, a.Ring, "dial %d", k)
			require.Equal(t, s.Talk, a.Talk, "dial %d", k)
			require.Equal(t, s.Wrap, a.Wrap, "dial %d", k)
		}
	}
}

func TestDialAttributesDistributions(t *testing.T) {
	const n = 200000
	var live, held int
	var ring, talk, wrap float64
	for k := range uint64(n) {
		a := pacing.DialAttributes(3, k, 0.2)
		switch {
		case a.Live:
			live++
			ring += a.Ring.Seconds()
			assert.True(t, a.Ring >= 3*time.Second && a.Ring < 25*time.Second)
		case a.Held:
			held++
			assert.True(t, a.Ring >= 2*time.Second && a.Ring <= 6*time.Second)
		default:
			assert.Equal(t, 25*time.Second, a.Ring)
		}
		talk += a.Talk.Seconds()
		wrap += a.Wrap.Seconds()
	}
	assert.InDelta(t, 0.2, float64(live)/n, 0.005)
	assert.InDelta(t, 0.3, float64(held)/float64(n-live), 0.005)
	// E[R] = 3 + 6 − 22·e^(−22/6)/(1 − e^(−22/6)).
	e := math.Exp(-22.0 / 6)
	assert.InDelta(t, 9-22*e/(1-e), ring/float64(live), 0.05)
	assert.InDelta(t, 120, talk/n, 1.5)
	assert.InDelta(t, 15, wrap/n, 0.05)
	// The same (seed, k) is the same call; another seed is another.
	assert.Equal(t, pacing.DialAttributes(3, 42, 0.2), pacing.DialAttributes(3, 42, 0.2))
	assert.NotEqual(t, pacing.DialAttributes(3, 42, 0.2).Talk, pacing.DialAttributes(4, 42, 0.2).Talk)
}
