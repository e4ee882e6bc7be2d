package dialer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/telephony/sim"
)

// TestRestartReconcilesWithTheCarrier stops an engine between an answer
// and the call's end (no Stop: the process is gone, and the events the
// carrier sends meanwhile are lost with it). The restarted engine asks
// the carrier for the call's record: the attempt carries the carrier's
// true result, not unknown, whether the call ended before the restart or
// is still going on.
func TestRestartReconcilesWithTheCarrier(t *testing.T) {
	for _, tc := range []struct {
		name    string
		down    time.Duration // how long the engine is gone
		adopted bool
	}{
		{"ended before the restart", 2 * time.Minute, false},
		{"still talking at the restart", 20 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := sim.NewClock(start)
			settings := campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}
			f := newFleet(t, clock.Now, settings, 1, "America/New_York", "NY")
			carrier := newRecCarrier(t, sim.Config{Seed: 1, Now: clock.Now, Override: humanAnswers(5*time.Second, time.Minute)})
			e1 := f.node(carrier, 1, nil)
			runNodes(t, clock, start.Add(10*time.Second), e1)
			cur, ok := e1.eng.CurrentCall("agent0")
			require.True(t, ok, "the call is answered and bridged")
			e1.dead = true // gone, without Stop
			require.NoError(t, sim.Run(f.ctx, carrier.Carrier, clock, clock.Now().Add(tc.down)))
			require.Empty(t, f.attempts(), "nothing was logged by the dead engine")

			e2 := f.node(carrier, 1, nil)
			st := e2.eng.Stats()
			if tc.adopted {
				assert.Equal(t, 1, st.Adopted)
				runNodes(t, clock, clock.Now().Add(2*time.Minute), e2)
			} else {
				assert.Equal(t, 1, st.Reconciled)
			}
			require.NoError(t, e2.eng.Stop(f.ctx))
			as := f.attempts()
			require.Len(t, as, 1)
			a := as[0]
			assert.Equal(t, cur, string(a.ID))
			assert.Equal(t, campaign.ResultHuman, a.Result, "the carrier's result, not unknown")
			assert.Equal(t, "human", a.AnsweredBy)
			assert.Equal(t, time.Minute, a.TalkDuration.Round(time.Second))
			assert.NotEmpty(t, a.CarrierCallID)
			assert.Equal(t, 1, e2.eng.Stats().Reconciled+e2.eng.Stats().Adopted)
		})
	}
}
