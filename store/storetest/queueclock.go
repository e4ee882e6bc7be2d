package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

// testQueueOneClock: a claim judges every rule by one instant and
// reports it (Lease.ClaimedAt). For a store that judges by a clock of its
// own (storeClock; Capabilities.StoreClock) that instant is the store's,
// so a host whose clock is 10 minutes fast leases nothing before it is due
// or before its window opens, and one 10 minutes slow nothing after its
// window closed. A store without its own clock judges by the caller's.
func testQueueOneClock(t *testing.T, x *queueHarness, storeClock bool) {
	hasClock := storeClock
	c := x.running(nil)
	// truth is the clock that should judge: the store's (the database's
	// is the real time) or, without one, the caller's.
	truth := x.clock.Now()
	if hasClock {
		truth = time.Now()
	}
	x.add(c,
		campaign.Contact{ID: "ok"},
		campaign.Contact{ID: "due-soon", Status: campaign.ContactRetry, Lane: campaign.LaneRetry, NextAttemptAt: truth.Add(5 * time.Minute)},
		campaign.Contact{ID: "opens-soon"},
		campaign.Contact{ID: "closed"},
	)
	stale, err := x.qs.StaleContacts(x.ctx, c.WorkspaceID, c.ID, 10)
	require.NoError(t, err)
	require.Len(t, stale, 4)
	window := map[campaign.ContactID][2]time.Time{
		"ok":         {truth.Add(-time.Hour), truth.Add(time.Hour)},
		"due-soon":   {truth.Add(-time.Hour), truth.Add(time.Hour)},
		"opens-soon": {truth.Add(5 * time.Minute), truth.Add(2 * time.Hour)},
		"closed":     {truth.Add(-2 * time.Hour), truth.Add(-5 * time.Minute)},
	}
	var fs []queue.Facts
	for _, s := range stale {
		w := window[s.ID]
		fs = append(fs, queue.Facts{ContactID: s.ID, Version: s.Version, ZoneGroup: "g", CallableFrom: w[0], CallableUntil: w[1]})
	}
	n, err := x.qs.SetFacts(x.ctx, c.WorkspaceID, c.Settings.WithDefaults(c.DefaultRegion).LaneOrder, fs, truth)
	require.NoError(t, err)
	require.Equal(t, 4, n)

	claim := func(host time.Time) []queue.Lease {
		t.Helper()
		_, err := x.qs.Refill(x.ctx, c.WorkspaceID, c.ID, queue.Refill{Target: 10}, host)
		require.NoError(t, err)
		ls, err := x.qs.Claim(x.ctx, c.WorkspaceID, c.ID, queue.ClaimQuery{Limit: 10, TTL: time.Hour, Token: queue.LeaseToken("t" + host.Format("150405"))}, host)
		require.NoError(t, err)
		return ls
	}
	if !hasClock {
		ls := claim(truth)
		require.Equal(t, []campaign.ContactID{"ok"}, ids(ls))
		assert.True(t, ls[0].ClaimedAt.Equal(truth), "judged by the caller's now")
		return
	}
	before := time.Now()
	ls := claim(truth.Add(10 * time.Minute)) // the host is 10 minutes fast
	after := time.Now()
	require.Equal(t, []campaign.ContactID{"ok"}, ids(ls), "nothing early: due-soon and opens-soon wait for the store's clock")
	at := ls[0].ClaimedAt
	assert.False(t, at.Before(before.Add(-time.Second)) || at.After(after.Add(time.Second)), "ClaimedAt %s is the store's clock, not the host's", at)
	assert.True(t, ls[0].ExpiresAt.Equal(at.Add(time.Hour)), "the lease runs from the same instant")

	assert.Empty(t, claim(truth.Add(-10*time.Minute)), "nothing after the window: the host is 10 minutes slow, closed closed 5 minutes ago")
}
