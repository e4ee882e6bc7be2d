package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/suppression"
)

// campaignRuleTests check the campaign rules that need the queue and the
// report store: the calling period, the status check, queue audit and
// erasure of the attempt log.
var campaignRuleTests = []struct {
	name string
	fn   func(t *testing.T, x *queueHarness)
}{
	{"QueueCallingPeriod", testQueueCallingPeriod},
}

func runCampaignRuleTests(t *testing.T, newStore NewStore) {
	for _, tt := range campaignRuleTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			qs, ok := s.(queue.Store)
			if !ok {
				t.Skipf("capability: %T does not implement queue.Store yet", s)
			}
			ss, ok := s.(suppression.Store)
			if !ok {
				t.Skipf("capability: %T does not implement suppression.Store yet", s)
			}
			if lc, ok := s.(queue.LeaseClocker); ok {
				lc.SetLeaseClock(queue.CallerClock) // virtual time
			}
			tt.fn(t, newQueueHarness(t, newHarness(t, s), s, qs, ss))
		})
	}
}

func testQueueCallingPeriod(t *testing.T, x *queueHarness) {
	now := x.clock.Now()
	startAt, deadline := now.Add(time.Hour), now.Add(2*time.Hour)
	c := x.running(func(c *campaign.Campaign) { c.StartDate, c.Deadline = startAt, deadline })
	x.add(c, campaign.Contact{ID: "a"}, campaign.Contact{ID: "b"})

	assert.Empty(t, x.claim(c, 10), "nothing is leased before the start date")
	assert.Empty(t, x.blocks(c, "a"), "the queue records nothing: the contact is not refused, the campaign is not open")
	assert.Equal(t, campaign.ContactPending, x.get("a").Status)

	x.clock.Advance(time.Hour)
	ls := x.claim(c, 1)
	require.Len(t, ls, 1, "leased from the start date")
	x.finish(ls[0], campaign.ResultHuman, nil)

	x.clock.Advance(time.Hour)
	assert.Empty(t, x.claim(c, 10), "nothing is leased at or after the deadline")
	_, err := x.q.Next(x.ctx, x.admin, c.ID, time.Minute)
	require.ErrorIs(t, err, queue.ErrNoContact)
}
