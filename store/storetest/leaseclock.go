package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

// runLeaseClockTests checks whose clock judges lease expiry, as caps
// declares: the now passed to each call always for newStore's store, and
// the store's own clock for caps.StoreClock's.
func runLeaseClockTests(t *testing.T, caps Capabilities, newStore NewStore) {
	t.Run("LeaseClockCaller", func(t *testing.T) {
		s := newStore(t)
		t.Cleanup(func() { _ = s.Close() })
		testLeaseClock(t, newQueueHarness(t, newHarness(t, s), s, s, s), false)
	})
	t.Run("LeaseClockStore", func(t *testing.T) {
		if caps.StoreClock == nil {
			// Declared absent: the caller's clock is the only one, which
			// LeaseClockCaller checked.
			return
		}
		s := caps.StoreClock(t)
		t.Cleanup(func() { _ = s.Close() })
		testLeaseClock(t, newQueueHarness(t, newHarness(t, s), s, s, s), true)
	})
	t.Run("QueueOneClockCaller", func(t *testing.T) {
		s := newStore(t)
		t.Cleanup(func() { _ = s.Close() })
		testQueueOneClock(t, newQueueHarness(t, newHarness(t, s), s, s, s), false)
	})
	t.Run("QueueOneClockStore", func(t *testing.T) {
		if caps.StoreClock == nil {
			return // no clock of its own: QueueOneClockCaller checked the caller's
		}
		s := caps.StoreClock(t)
		t.Cleanup(func() { _ = s.Close() })
		testQueueOneClock(t, newQueueHarness(t, newHarness(t, s), s, s, s), true)
	})
}

// testLeaseClock claims a contact for a minute, then moves the caller's
// clock an hour ahead. By the caller's clock the lease has expired: it can
// no longer be extended, and a new claim takes the contact back. By a
// store clock that did not move, the lease is still held: it extends, and
// the contact is not claimed twice.
func testLeaseClock(t *testing.T, x *queueHarness, storeClock bool) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a"})
	ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 1, time.Minute)
	require.NoError(t, err)
	require.Len(t, ls, 1)
	x.clock.Advance(time.Hour)

	again, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 1, time.Minute)
	require.NoError(t, err)
	_, extendErr := x.q.Extend(x.ctx, ls[0], time.Minute)
	if storeClock {
		assert.Empty(t, again, "the store's clock says the lease is live: no second claim")
		assert.NoError(t, extendErr, "the store's clock says the lease is live")
		return
	}
	require.Len(t, again, 1, "the caller's clock says the lease expired: the contact is claimed again")
	assert.Equal(t, campaign.ContactID("a"), again[0].ContactID)
	assert.ErrorIs(t, extendErr, queue.ErrLeaseLost)
}
