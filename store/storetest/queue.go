package storetest

import (
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/suppression"
)

// queueTests check queue.Store, with suppression.Store beside it (a DNC
// outcome writes both atomically).
var queueTests = []struct {
	name string
	fn   func(t *testing.T, x *queueHarness)
}{
	{"QueueLaneOrder", testQueueLaneOrder},
	{"QueueCustomLaneOrder", testQueueCustomLaneOrder},
	{"QueueCampaignGates", testQueueCampaignGates},
	{"QueueWindow", testQueueWindow},
	{"QueueRefusals", testQueueRefusals},
	{"QueueFrequencyCap", testQueueFrequencyCap},
	{"QueueLeaseExpiry", testQueueLeaseExpiry},
	{"QueueExtendRelease", testQueueExtendRelease},
	{"QueueOutcomes", testQueueOutcomes},
	{"QueueDNC", testQueueDNC},
	{"QueueCallbacksAndNext", testQueueCallbacksAndNext},
	{"QueueRedistributeAndRetry", testQueueRedistributeAndRetry},
	{"QueueEditedContact", testQueueEditedContact},
	{"QueueEditedZoneNotClaimedStale", testQueueEditedZoneNotClaimedStale},
	{"QueueIsolation", testQueueIsolation},
	{"QueueRace", testQueueRace},
	{"QueueOneLiveLeasePerNumber", testQueueOneLiveLeasePerNumber},
	{"QueueOneLiveLeasePerNumberRace", testQueueOneLiveLeasePerNumberRace},
	{"QueueLostDialIsLogged", testQueueLostDialIsLogged},
	{"QueueOpenDials", testQueueOpenDials},
	{"QueueHopper", testQueueHopper},
	{"QueueHopperFillOrder", testQueueHopperFillOrder},
	{"QueueClaimRefillsWhileShort", testQueueClaimRefillsWhileShort},
	{"QueueTopUpInBackground", testQueueTopUpInBackground},
	{"QueueFinishMany", testQueueFinishMany},
	{"QueueFinishGroupCommit", testQueueFinishGroupCommit},
	{"QueueStatus", testQueueStatus},
	{"QueueClaimPredicate", testQueueClaimPredicate},
}

func runQueueTests(t *testing.T, newStore NewStore) { runQueueSuite(t, newStore, queueTests) }

// runQueueSuite runs each test on a fresh store with a queue harness.
func runQueueSuite(t *testing.T, newStore NewStore, tests []struct {
	name string
	fn   func(t *testing.T, x *queueHarness)
}) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, newQueueHarness(t, newHarness(t, s), s, s, s))
		})
	}
}

// queueMonday is a Monday 10:00 in New York (EDT since March 8), when every US zone but
// Hawaii's may be called.
var queueMonday = time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC)

type queueHarness struct {
	*harness
	qs    queue.Store
	ss    suppression.Store
	sup   *suppression.Service
	q     *queue.Service
	admin campaign.Actor
	n     int
}

func newQueueHarness(t *testing.T, h *harness, s store.Store, qs queue.Store, ss suppression.Store) *queueHarness {
	h.clock.Advance(queueMonday.Sub(h.clock.Now()))
	x := &queueHarness{harness: h, qs: qs, ss: ss}
	x.sup = h.suppression(t, ss)
	var err error
	x.q, err = queue.NewService(queue.Config{Store: qs, Campaigns: s, Suppression: x.sup, Authorizer: h.svc, Clock: h.clock.Now})
	require.NoError(t, err)
	x.admin = h.workspace("acme")
	return x
}

// running creates a Running campaign with the given settings.
func (x *queueHarness) running(edit func(*campaign.Campaign)) campaign.Campaign {
	x.t.Helper()
	c := campaign.Campaign{Name: fmt.Sprintf("c%d", x.n)}
	x.n++
	if edit != nil {
		edit(&c)
	}
	c, err := x.svc.CreateCampaign(x.ctx, x.admin, c)
	require.NoError(x.t, err)
	x.status(c, campaign.StatusQueued)
	return x.status(c, campaign.StatusRunning)
}

func (x *queueHarness) status(c campaign.Campaign, to campaign.Status) campaign.Campaign {
	x.t.Helper()
	c, err := x.svc.Transition(x.ctx, x.admin, c.ID, to, "")
	require.NoError(x.t, err)
	return c
}

// add inserts contacts into campaign c; a contact without a phone gets a
// fresh one, without zones New York's.
func (x *queueHarness) add(c campaign.Campaign, cs ...campaign.Contact) []campaign.Contact {
	x.t.Helper()
	for i := range cs {
		cs[i].CampaignID = c.ID
		if cs[i].Phone == "" {
			cs[i].Phone = phone(100000 + x.n)
			x.n++
		}
		if cs[i].Timezones == nil {
			cs[i].Timezones = []string{"America/New_York"}
		}
	}
	return x.contacts(x.admin, cs...)
}

func (x *queueHarness) claim(c campaign.Campaign, n int) []queue.Lease {
	x.t.Helper()
	ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, n, testTTL)
	require.NoError(x.t, err)
	return ls
}

// testTTL is the lease time of the queue tests' claims: long enough that
// no lease lapses unless a test means it to.
const testTTL = 72 * time.Hour

func (x *queueHarness) get(id campaign.ContactID) campaign.Contact {
	x.t.Helper()
	c, err := x.store.GetContact(x.ctx, x.admin.WorkspaceID, id)
	require.NoError(x.t, err)
	return c
}

func (x *queueHarness) finish(l queue.Lease, r campaign.Result, d *campaign.Disposition) {
	x.t.Helper()
	require.NoError(x.t, x.q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: r, StartedAt: x.clock.Now()}, Disposition: d}))
}

func (x *queueHarness) blocks(c campaign.Campaign, id campaign.ContactID) []campaign.Block {
	x.t.Helper()
	bs, err := x.qs.ListBlocks(x.ctx, x.admin.WorkspaceID, queue.BlockFilter{CampaignID: c.ID, ContactID: id})
	require.NoError(x.t, err)
	return bs
}

func ids(ls []queue.Lease) []campaign.ContactID {
	out := make([]campaign.ContactID, len(ls))
	for i, l := range ls {
		out[i] = l.ContactID
	}
	return out
}

func testQueueLaneOrder(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	hi, err := x.svc.PutList(x.ctx, x.admin, campaign.List{Name: "hi", CampaignID: c.ID, Priority: 90})
	require.NoError(t, err)
	lo, err := x.svc.PutList(x.ctx, x.admin, campaign.List{Name: "lo", CampaignID: c.ID, Priority: 10})
	require.NoError(t, err)
	past := x.clock.Now().Add(-2 * time.Hour)
	add := func(id string, lane campaign.Lane, status campaign.ContactStatus, list campaign.ListID, prio campaign.Priority, next time.Time) {
		x.add(c, campaign.Contact{ID: campaign.ContactID(id), Lane: lane, Status: status, ListID: list, Priority: prio, NextAttemptAt: next})
		x.clock.Advance(time.Millisecond) // age order
	}
	add("new-lo-old", campaign.LaneNew, "", lo.ID, 0, time.Time{})
	add("new-lo-young", campaign.LaneNew, "", lo.ID, 0, time.Time{})
	add("new-hi", campaign.LaneNew, "", hi.ID, 0, time.Time{})
	add("new-lo-high", campaign.LaneNew, "", lo.ID, campaign.PriorityHigh, time.Time{})
	add("redist", campaign.LaneRedistributable, "", "", 0, time.Time{})
	add("retry-due", campaign.LaneRetry, campaign.ContactRetry, "", 0, past)
	add("retry-later", campaign.LaneRetry, campaign.ContactRetry, "", 0, x.clock.Now().Add(time.Hour))
	add("prio", campaign.LanePriority, "", "", 0, time.Time{})
	add("hot", campaign.LaneHotLead, "", "", 0, time.Time{})
	add("cb-due", campaign.LaneCallback, campaign.ContactCallback, "", 0, past)
	add("cb-later", campaign.LaneCallback, campaign.ContactCallback, "", 0, x.clock.Now().Add(time.Hour))

	var got []campaign.ContactID
	for {
		ls := x.claim(c, 1)
		if len(ls) == 0 {
			break
		}
		require.Len(t, ls, 1)
		assert.Equal(t, campaign.ContactDialing, ls[0].Contact.Status)
		assert.Equal(t, campaign.ContactDialing, x.get(ls[0].ContactID).Status)
		got = append(got, ls[0].ContactID)
	}
	assert.Equal(t, []campaign.ContactID{"cb-due", "hot", "prio", "retry-due", "new-hi", "new-lo-high", "new-lo-old", "new-lo-young", "redist"}, got)

	// Not yet due: they come when their time comes.
	x.clock.Advance(time.Hour)
	assert.Equal(t, []campaign.ContactID{"cb-later", "retry-later"}, ids(x.claim(c, 10)))
	assert.Empty(t, x.claim(c, 10))
}

func testQueueCustomLaneOrder(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) {
		c.Settings.LaneOrder = []campaign.Lane{campaign.LaneNew, campaign.LaneRetry, campaign.LaneCallback, campaign.LaneHotLead, campaign.LanePriority, campaign.LaneRedistributable}
	})
	past := x.clock.Now().Add(-2 * time.Hour)
	x.add(c, campaign.Contact{ID: "cb", Lane: campaign.LaneCallback, Status: campaign.ContactCallback, NextAttemptAt: past})
	x.add(c, campaign.Contact{ID: "retry", Lane: campaign.LaneRetry, Status: campaign.ContactRetry, NextAttemptAt: past})
	x.add(c, campaign.Contact{ID: "new"})
	assert.Equal(t, []campaign.ContactID{"new", "retry", "cb"}, ids(x.claim(c, 10)))

}

func testQueueCampaignGates(t *testing.T, x *queueHarness) {
	sc, err := x.svc.PutSchedule(x.ctx, x.admin, campaign.Schedule{Name: "afternoons", Timezone: "America/New_York",
		Hours: map[time.Weekday][]campaign.Interval{time.Monday: {{Start: campaign.Clock(13, 0), End: campaign.Clock(17, 0)}}}})
	require.NoError(t, err)
	c := x.running(func(c *campaign.Campaign) { c.ScheduleID = sc.ID })
	x.add(c, campaign.Contact{ID: "a"})
	c = x.status(c, campaign.StatusPaused)
	_, err = x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 10, time.Minute)
	require.ErrorIs(t, err, queue.ErrNotRunning)
	assert.Equal(t, campaign.ContactPending, x.get("a").Status)
	x.status(c, campaign.StatusRunning)

	// A closed schedule leases nothing and records nothing.
	assert.Empty(t, x.claim(c, 10))
	assert.Empty(t, x.blocks(c, "a"))
	x.clock.Advance(3 * time.Hour) // 13:00 New York
	assert.Equal(t, []campaign.ContactID{"a"}, ids(x.claim(c, 10)))
	assert.Empty(t, x.claim(c, 10), "a leased contact is not leased again")
}

func testQueueWindow(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c,
		campaign.Contact{ID: "ny"},
		campaign.Contact{ID: "la", Timezones: []string{"America/Los_Angeles"}},                       // 07:00
		campaign.Contact{ID: "both", Timezones: []string{"America/New_York", "America/Los_Angeles"}}, // every zone must allow
		campaign.Contact{ID: "chicago", Timezones: []string{"America/Chicago"}},                      // 09:00
	)
	assert.Equal(t, []campaign.ContactID{"chicago", "ny"}, ids(x.claim(c, 10)), "same age: by ID")
	x.clock.Advance(2 * time.Hour) // 09:00 in Los Angeles
	assert.Equal(t, []campaign.ContactID{"both", "la"}, ids(x.claim(c, 10)))

	// Florida's 8 p.m. rule by address or area code, beside New York's 9 p.m.
	c2 := x.running(nil)
	x.add(c2,
		campaign.Contact{ID: "ny-plain"},
		campaign.Contact{ID: "ny-fl-address", State: "FL"},
		campaign.Contact{ID: "ny-fl-areacode", AreaCodeState: "FL"},
	)
	x.clock.Advance(20*time.Hour + 30*time.Minute - 12*time.Hour) // 20:30 New York
	assert.Equal(t, []campaign.ContactID{"ny-plain"}, ids(x.claim(c2, 10)))
	assert.Empty(t, x.blocks(c2, "ny-fl-address"), "a closed window waits; it is not a refusal")

	// No zone: skipped with a reason, or the fallback zone.
	x.clock.Advance(15 * time.Hour) // Tuesday 11:30 New York
	c3 := x.running(nil)
	c4 := x.running(func(c *campaign.Campaign) { c.Settings.FallbackZone = "America/Chicago" })
	x.add(c3, campaign.Contact{ID: "tollfree", Phone: "+18005550100", Timezones: []string{}})
	x.add(c4, campaign.Contact{ID: "tollfree-fb", Phone: "+18005550101", Timezones: []string{}})
	assert.Empty(t, x.claim(c3, 10))
	assert.Equal(t, campaign.ContactSkipped, x.get("tollfree").Status)
	bs := x.blocks(c3, "tollfree")
	require.Len(t, bs, 1)
	assert.Equal(t, "no_timezone", bs[0].Reason)
	assert.Equal(t, campaign.BlockScopePolicy, bs[0].Scope)
	assert.Equal(t, "claim", bs[0].Stage)
	assert.Equal(t, []campaign.ContactID{"tollfree-fb"}, ids(x.claim(c4, 10)))
}

func testQueueRefusals(t *testing.T, x *queueHarness) {
	now := x.clock.Now()
	c := x.running(func(c *campaign.Campaign) {
		c.Settings.Voice = campaign.VoiceAI // requires express consent
	})
	list, err := x.svc.PutList(x.ctx, x.admin, campaign.List{Name: "old", CampaignID: c.ID, ExpireDays: 1})
	require.NoError(t, err)
	express := campaign.Consent{Kind: campaign.ConsentExpress, CapturedAt: now}
	revoked := express
	revoked.RevokedAt = now
	x.add(c,
		campaign.Contact{ID: "ok", Consent: express},
		campaign.Contact{ID: "no-consent"},
		campaign.Contact{ID: "revoked", Consent: revoked},
		campaign.Contact{ID: "suppressed", Phone: phone(9001), Consent: express},
		campaign.Contact{ID: "exhausted", Consent: express, Status: campaign.ContactRetry, Lane: campaign.LaneRetry, Attempts: 3, LastAttemptAt: now.Add(-5 * time.Hour)},
		campaign.Contact{ID: "recent", Consent: express, Status: campaign.ContactRetry, Lane: campaign.LaneRetry, Attempts: 1, LastAttemptAt: now.Add(-10 * time.Minute)},
	)
	require.NoError(t, x.sup.Add(x.ctx, x.admin, suppression.Entry{List: suppression.Global(), Number: phone(9001), Reason: "registry"}))

	assert.Equal(t, []campaign.ContactID{"ok"}, ids(x.claim(c, 10)))
	want := map[campaign.ContactID]struct {
		reason string
		scope  campaign.BlockScope
		status campaign.ContactStatus
	}{
		"no-consent": {"consent_missing", campaign.BlockScopeLaw, campaign.ContactSkipped},
		"revoked":    {"consent_revoked", campaign.BlockScopeLaw, campaign.ContactSkipped},
		"suppressed": {"suppressed_global", campaign.BlockScopeGlobal, campaign.ContactSkipped},
		"exhausted":  {"max_attempts", campaign.BlockScopePolicy, campaign.ContactFailed},
		"recent":     {"min_time_between_calls", campaign.BlockScopePolicy, campaign.ContactRetry},
	}
	for id, w := range want {
		bs := x.blocks(c, id)
		require.Len(t, bs, 1, id)
		assert.Equal(t, w.reason, bs[0].Reason, id)
		assert.Equal(t, w.scope, bs[0].Scope, id)
		assert.Equal(t, x.get(id).Phone, bs[0].Number, id)
		assert.Equal(t, w.status, x.get(id).Status, id)
	}
	assert.True(t, x.get("recent").NextAttemptAt.Equal(now.Add(50*time.Minute)), "rescheduled to when the minimum time has passed")
	x.clock.Advance(50 * time.Minute)
	assert.Equal(t, []campaign.ContactID{"recent"}, ids(x.claim(c, 10)))

	// The list's expire days: uncalled contacts expire.
	x.add(c, campaign.Contact{ID: "stale-lead", ListID: list.ID, Consent: express})
	x.clock.Advance(25 * time.Hour)
	assert.Empty(t, x.claim(c, 10))
	assert.Equal(t, campaign.ContactExpired, x.get("stale-lead").Status)
	require.Len(t, x.blocks(c, "stale-lead"), 1)
	assert.Equal(t, "list_expired", x.blocks(c, "stale-lead")[0].Reason)
}

func testQueueFrequencyCap(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) {
		c.Settings.MaxAttempts, c.Settings.RetryInterval = 10, time.Hour
	})
	x.add(c, campaign.Contact{ID: "fl", State: "FL", Phone: phone(7)})
	// A second campaign calls the same number: caps count per person.
	c2 := x.running(nil)
	x.add(c2, campaign.Contact{ID: "fl-other", State: "FL", Phone: phone(7)})
	first := x.clock.Now()
	for i := range 3 {
		id := campaign.ContactID("fl")
		cc := c
		if i == 1 {
			id, cc = "fl-other", c2
		}
		ls := x.claim(cc, 1)
		require.Equal(t, []campaign.ContactID{id}, ids(ls), "call %d", i)
		x.finish(ls[0], campaign.ResultNoAnswer, nil)
		x.clock.Advance(time.Hour)
	}
	assert.Empty(t, x.claim(c, 1), "a fourth call within 24 h is refused")
	bs := x.blocks(c, "fl")
	require.Len(t, bs, 1)
	assert.Equal(t, "frequency_cap", bs[0].Reason)
	assert.Equal(t, campaign.BlockScopeLaw, bs[0].Scope)
	assert.True(t, x.get("fl").NextAttemptAt.Equal(first.Add(24*time.Hour)), "rescheduled to when the oldest call ages out: %s", x.get("fl").NextAttemptAt)
	x.clock.Advance(first.Add(24 * time.Hour).Sub(x.clock.Now()))
	assert.Equal(t, []campaign.ContactID{"fl"}, ids(x.claim(c, 1)))
}

func testQueueLeaseExpiry(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a"})
	ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 1, time.Minute)
	require.NoError(t, err)
	require.Len(t, ls, 1)
	old := ls[0]
	assert.True(t, old.ExpiresAt.Equal(x.clock.Now().Add(time.Minute)), "%s", old.ExpiresAt)
	assert.Equal(t, campaign.ContactPending, old.PrevStatus)
	x.clock.Advance(61 * time.Second)

	err = x.q.Finish(x.ctx, old, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer}})
	require.ErrorIs(t, err, queue.ErrLeaseLost)
	assert.Contains(t, err.Error(), "queue: lease lost")
	_, err = x.q.Extend(x.ctx, old, time.Minute)
	require.ErrorIs(t, err, queue.ErrLeaseLost)
	require.ErrorIs(t, x.q.Release(x.ctx, old), queue.ErrLeaseLost)

	// The expired lease returns the contact to its lane, with its status.
	ls = x.claim(c, 1)
	require.Len(t, ls, 1)
	assert.Equal(t, campaign.ContactID("a"), ls[0].ContactID)
	assert.NotEqual(t, old.Token, ls[0].Token)
	assert.Equal(t, campaign.ContactPending, ls[0].PrevStatus)
	require.ErrorIs(t, x.q.Finish(x.ctx, old, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer}}), queue.ErrLeaseLost)
	x.finish(ls[0], campaign.ResultHuman, &campaign.Disposition{ID: "won", Final: true, Contacted: true})
	as, err := x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{ContactID: "a"})
	require.NoError(t, err)
	require.Len(t, as, 1, "the late result was not applied")
	assert.Equal(t, campaign.ContactCompleted, x.get("a").Status)
}

func testQueueExtendRelease(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a"}, campaign.Contact{ID: "b"})
	ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 2, time.Minute)
	require.NoError(t, err)
	require.Len(t, ls, 2)
	x.clock.Advance(50 * time.Second)
	l, err := x.q.Extend(x.ctx, ls[0], 10*time.Minute)
	require.NoError(t, err)
	assert.True(t, l.ExpiresAt.Equal(x.clock.Now().Add(10*time.Minute)))
	x.clock.Advance(5 * time.Minute)
	require.NoError(t, x.q.Release(x.ctx, l))
	require.ErrorIs(t, x.q.Release(x.ctx, l), queue.ErrLeaseLost, "released once")
	a := x.get("a")
	assert.Equal(t, campaign.ContactPending, a.Status)
	assert.Zero(t, a.Attempts)
	// a is back in its lane; b's lease expired meanwhile and is back too.
	assert.Equal(t, []campaign.ContactID{"a", "b"}, ids(x.claim(c, 10)))
	as, err := x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID})
	require.NoError(t, err)
	assert.Empty(t, as)
}

func testQueueOutcomes(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) { c.Settings.MaxAttempts = 2 })
	x.add(c, campaign.Contact{ID: "na"}, campaign.Contact{ID: "won"}, campaign.Contact{ID: "wrong"})
	start := x.clock.Now()
	byID := map[campaign.ContactID]queue.Lease{}
	for _, l := range x.claim(c, 10) {
		byID[l.ContactID] = l
	}
	require.Len(t, byID, 3)
	ended := start.Add(40 * time.Second)
	x.clock.Advance(time.Minute)
	require.NoError(t, x.q.Finish(x.ctx, byID["na"], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer, StartedAt: start, EndedAt: ended, CallerID: "+14155550100"}}))
	x.finish(byID["won"], campaign.ResultHuman, &campaign.Disposition{ID: "sale", Final: true, Contacted: true})
	x.finish(byID["wrong"], campaign.ResultHuman, &campaign.Disposition{ID: "wrong-number", Final: true})

	na := x.get("na")
	assert.Equal(t, campaign.ContactRetry, na.Status)
	assert.Equal(t, campaign.LaneRetry, na.Lane)
	assert.Equal(t, 1, na.Attempts)
	assert.True(t, na.LastAttemptAt.Equal(start))
	assert.True(t, na.NextAttemptAt.Equal(ended.Add(4*time.Hour)), "retry interval from the end of the call: %s", na.NextAttemptAt)
	assert.Equal(t, campaign.ContactCompleted, x.get("won").Status)
	assert.Equal(t, campaign.ContactNoConversation, x.get("wrong").Status)

	as, err := x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{ContactID: "na"})
	require.NoError(t, err)
	require.Len(t, as, 1)
	a := as[0]
	assert.Equal(t, 1, a.Seq)
	assert.Equal(t, na.Phone, a.Number)
	assert.Equal(t, "+14155550100", a.CallerID)
	assert.Equal(t, c.ID, a.CampaignID)
	assertUTC(t, a.StartedAt, a.EndedAt)
	assert.True(t, a.StartedAt.Equal(start))

	assert.Empty(t, x.claim(c, 10), "the retry is not due yet")
	x.clock.Advance(4 * time.Hour)
	ls := x.claim(c, 10)
	require.Equal(t, []campaign.ContactID{"na"}, ids(ls))
	assert.Equal(t, campaign.ContactRetry, ls[0].PrevStatus)
	x.finish(ls[0], campaign.ResultBusy, nil)
	na = x.get("na")
	assert.Equal(t, campaign.ContactFailed, na.Status, "failed after the last attempt")
	assert.Equal(t, 2, na.Attempts)
	as, err = x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID})
	require.NoError(t, err)
	require.Len(t, as, 4)
	as, err = x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID, Since: start.Add(time.Hour), Limit: 1})
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, 2, as[0].Seq)

	// An outcome without a result is refused, the lease kept.
	x.clock.Advance(time.Hour)
	_, err = x.q.RetryFailed(x.ctx, x.admin, c.ID)
	require.NoError(t, err)
	ls = x.claim(c, 1)
	require.Len(t, ls, 1)
	require.ErrorIs(t, x.q.Finish(x.ctx, ls[0], queue.Outcome{}), queue.ErrInvalidOutcome)
	require.ErrorIs(t, x.q.Finish(x.ctx, ls[0], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultHuman},
		Disposition: &campaign.Disposition{ID: "cb", Callback: true}}), queue.ErrInvalidOutcome)
	x.finish(ls[0], campaign.ResultHuman, &campaign.Disposition{ID: "sale", Final: true, Contacted: true})
}

func testQueueDNC(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	c2 := x.running(nil)
	x.add(c, campaign.Contact{ID: "a", Phone: phone(1), AltPhones: []string{phone(2)}, Consent: campaign.Consent{Kind: campaign.ConsentExpress}})
	x.add(c2, campaign.Contact{ID: "same-person", Phone: phone(2)})
	ls := x.claim(c, 1)
	require.Len(t, ls, 1)
	agent := x.member(x.admin, "agent", campaign.RoleCaller)
	require.NoError(t, x.q.Finish(x.ctx, ls[0], queue.Outcome{
		Attempt:     campaign.Attempt{Result: campaign.ResultHuman, AgentID: agent.UserID},
		Disposition: &campaign.Disposition{ID: "dnc", DNC: true, Final: true},
	}))
	a := x.get("a")
	assert.Equal(t, campaign.ContactDNC, a.Status)
	assert.False(t, a.Consent.RevokedAt.IsZero(), "consent revoked")
	assert.Equal(t, "call", a.Consent.RevokedVia)
	got, err := x.sup.Check(x.ctx, x.admin.WorkspaceID, suppression.Query{Target: suppression.TargetOf(c2), Numbers: []string{phone(1), phone(2), phone(3)}})
	require.NoError(t, err)
	require.Len(t, got, 2)
	for _, n := range []string{phone(1), phone(2)} {
		require.Len(t, got[n], 1)
		assert.Equal(t, suppression.Global(), got[n][0].List)
		assert.Equal(t, "dnc_request", got[n][0].Reason)
	}
	// The alternate number is suppressed in every campaign of the workspace.
	assert.Empty(t, x.claim(c2, 1))
	assert.Equal(t, "suppressed_global", x.blocks(c2, "same-person")[0].Reason)

	// A viewer may not save an outcome.
	x.add(c, campaign.Contact{ID: "b"})
	ls = x.claim(c, 1)
	require.Len(t, ls, 1)
	viewer := x.member(x.admin, "viewer", campaign.RoleViewer)
	err = x.q.Finish(x.ctx, ls[0], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultHuman, AgentID: viewer.UserID}})
	require.ErrorIs(t, err, campaign.ErrForbidden)
}

func testQueueCallbacksAndNext(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) {
		c.Settings.DialMode = campaign.DialPreview
		c.Settings.MinTimeBetweenCalls = time.Minute
	})
	ada := x.member(x.admin, "ada", campaign.RoleCaller)
	bob := x.member(x.admin, "bob", campaign.RoleCaller)
	x.add(c, campaign.Contact{ID: "p1"}, campaign.Contact{ID: "p2"}, campaign.Contact{ID: "p3"}, campaign.Contact{ID: "p4"})

	l, err := x.q.Next(x.ctx, ada, c.ID, testTTL)
	require.NoError(t, err)
	require.Equal(t, campaign.ContactID("p1"), l.ContactID)
	due := x.clock.Now().Add(30 * time.Minute)
	require.NoError(t, x.q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultHuman, AgentID: ada.UserID},
		Disposition: &campaign.Disposition{ID: "cb", Callback: true}, CallbackAt: due, CallbackOwnerOnly: true}))
	p1 := x.get("p1")
	assert.Equal(t, campaign.ContactCallback, p1.Status)
	assert.Equal(t, campaign.LaneCallback, p1.Lane)
	assert.Equal(t, ada.UserID, p1.CallbackOwner)
	assert.True(t, p1.NextAttemptAt.Equal(due))

	x.clock.Advance(31 * time.Minute)
	// Bob and the dialer do not get Ada's callback within the grace.
	l, err = x.q.Next(x.ctx, bob, c.ID, testTTL)
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactID("p2"), l.ContactID)
	require.NoError(t, x.q.Release(x.ctx, l))
	assert.Equal(t, []campaign.ContactID{"p2"}, ids(x.claim(c, 1)))
	// Ada gets her own callback first.
	l, err = x.q.Next(x.ctx, ada, c.ID, testTTL)
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactID("p1"), l.ContactID)
	require.NoError(t, x.q.Release(x.ctx, l))
	// After the grace, anyone may take it.
	x.clock.Advance(15 * time.Minute)
	l, err = x.q.Next(x.ctx, bob, c.ID, testTTL)
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactID("p1"), l.ContactID)

	viewer := x.member(x.admin, "viewer", campaign.RoleViewer)
	_, err = x.q.Next(x.ctx, viewer, c.ID, 0)
	require.ErrorIs(t, err, campaign.ErrForbidden)
	for range 2 {
		_, err = x.q.Next(x.ctx, ada, c.ID, testTTL)
		require.NoError(t, err)
	}
	_, err = x.q.Next(x.ctx, ada, c.ID, testTTL)
	require.ErrorIs(t, err, queue.ErrNoContact)
}

func testQueueRedistributeAndRetry(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) { c.Settings.MaxAttempts = 1 })
	x.add(c,
		campaign.Contact{ID: "ada-old", OwnerID: "ada"},
		campaign.Contact{ID: "ada-cb", Lane: campaign.LaneCallback, Status: campaign.ContactCallback, CallbackOwner: "ada", NextAttemptAt: x.clock.Now().Add(time.Hour)},
		campaign.Contact{ID: "bob", OwnerID: "bob"},
	)
	x.clock.Advance(2 * time.Hour)
	x.add(c, campaign.Contact{ID: "ada-new", OwnerID: "ada"})
	n, err := x.q.RedistributeStale(x.ctx, x.admin, c.ID, "ada", "", time.Hour)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	old := x.get("ada-old")
	assert.Empty(t, old.OwnerID)
	assert.Equal(t, campaign.LaneRedistributable, old.Lane)
	assert.Empty(t, x.get("ada-cb").CallbackOwner)
	assert.Equal(t, campaign.LaneCallback, x.get("ada-cb").Lane)
	assert.Equal(t, campaign.UserID("ada"), x.get("ada-new").OwnerID)
	n, err = x.q.Redistribute(x.ctx, x.admin, c.ID, "ada", "cy")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, campaign.UserID("cy"), x.get("ada-new").OwnerID)
	caller := x.member(x.admin, "caller", campaign.RoleCaller)
	_, err = x.q.Redistribute(x.ctx, caller, c.ID, "cy", "")
	require.ErrorIs(t, err, campaign.ErrForbidden)

	assert.Equal(t, []campaign.ContactID{"ada-cb", "bob", "ada-new", "ada-old"}, ids(x.claim(c, 10)))
	// All four fail (one attempt each): retry one, then all failed.
	for _, l := range x.claimLeased(c) {
		x.finish(l, campaign.ResultNoAnswer, nil)
	}
	assert.Equal(t, campaign.ContactFailed, x.get("bob").Status)
	x.clock.Advance(2 * time.Hour)
	n, err = x.q.Retry(x.ctx, x.admin, c.ID, "bob")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, campaign.ContactRetry, x.get("bob").Status)
	ls := x.claim(c, 10)
	require.Equal(t, []campaign.ContactID{"bob"}, ids(ls))
	x.finish(ls[0], campaign.ResultNoAnswer, nil)
	assert.Equal(t, campaign.ContactFailed, x.get("bob").Status, "one more attempt granted, then failed again")
	x.clock.Advance(2 * time.Hour)
	n, err = x.q.RetryFailed(x.ctx, x.admin, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	assert.Len(t, x.claim(c, 10), 4)
}

// claimLeased returns the campaign's currently leased contacts' leases by
// letting them expire and claiming them again.
func (x *queueHarness) claimLeased(c campaign.Campaign) []queue.Lease {
	x.t.Helper()
	x.clock.Advance(testTTL)
	return x.claim(c, 100)
}

func testQueueEditedContact(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a"}, campaign.Contact{ID: "b"})
	require.Len(t, x.claim(c, 1), 1) // facts computed, a leased
	// An edit by a member is seen by the queue: b is cancelled, a new
	// contact moves to the hot lane.
	_, err := x.svc.UpdateContact(x.ctx, x.admin, "b", func(c *campaign.Contact) error { c.Status = campaign.ContactCancelled; return nil })
	require.NoError(t, err)
	x.add(c, campaign.Contact{ID: "c"})
	_, err = x.svc.UpdateContact(x.ctx, x.admin, "c", func(c *campaign.Contact) error { c.Lane = campaign.LaneHotLead; return nil })
	require.NoError(t, err)
	// A member's edit during a call does not lose the outcome, and the
	// outcome bumps the version so stale edits conflict.
	ls := x.claim(c, 10)
	assert.Equal(t, []campaign.ContactID{"c"}, ids(ls))
	stale := x.get("c")
	x.finish(ls[0], campaign.ResultHuman, &campaign.Disposition{ID: "sale", Final: true, Contacted: true})
	stale.Notes = "edited from a stale read"
	require.ErrorIs(t, x.store.UpdateContact(x.ctx, stale, campaign.AuditEntry{ID: "aud-x", WorkspaceID: x.admin.WorkspaceID, At: x.clock.Now()}), campaign.ErrConflict)
	assert.Equal(t, campaign.ContactCompleted, x.get("c").Status)
}

// testQueueEditedZoneNotClaimedStale: a ready contact whose zone an edit
// changes is judged by its new zone at the next claim, never by the
// facts computed before the edit.
func testQueueEditedZoneNotClaimedStale(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a"}, campaign.Contact{ID: "b"})
	require.Equal(t, []campaign.ContactID{"a"}, ids(x.claim(c, 1))) // facts computed; b ready (10:00 New York)
	_, err := x.svc.UpdateContact(x.ctx, x.admin, "b", func(c *campaign.Contact) error {
		c.Timezones = []string{"America/Los_Angeles"} // 07:00 there
		return nil
	})
	require.NoError(t, err)
	raw, err := x.qs.Claim(x.ctx, c.WorkspaceID, c.ID, queue.ClaimQuery{Limit: 10, TTL: time.Minute, Token: "stale-probe"}, x.clock.Now())
	require.NoError(t, err)
	assert.Empty(t, raw, "the store leases no contact whose facts are stale")
	assert.Empty(t, x.claim(c, 10), "b's window is closed in its new zone")
	x.clock.Advance(2 * time.Hour) // 09:00 in Los Angeles
	assert.Equal(t, []campaign.ContactID{"b"}, ids(x.claim(c, 10)))
}

func testQueueIsolation(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a"})
	other := x.workspace("other")
	_, err := x.q.Claim(x.ctx, other.WorkspaceID, c.ID, 10, time.Minute)
	require.ErrorIs(t, err, campaign.ErrNotFound)
	ls := x.claim(c, 1)
	require.Len(t, ls, 1)
	forged := ls[0]
	forged.WorkspaceID = other.WorkspaceID
	require.Error(t, x.q.Finish(x.ctx, forged, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultBusy}}))
	x.finish(ls[0], campaign.ResultBusy, nil)
	as, err := x.qs.ListAttempts(x.ctx, other.WorkspaceID, queue.AttemptFilter{})
	require.NoError(t, err)
	assert.Empty(t, as)
	rec, err := x.qs.RecentAttempts(x.ctx, other.WorkspaceID, []string{x.get("a").Phone}, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, rec)
}

// EnvQueueRace overrides the size of the queue race test (a number of
// contacts), e.g. for a slow database in CI.
const EnvQueueRace = "CALLSTACK_QUEUE_RACE"

// queueRaceContacts is the size of the queue race test: 5,000 contacts,
// with or without -race, so a plain `go test ./...` stays well inside go
// test's default timeout on a busy machine (a SQL adapter takes minutes
// for 100,000); $CALLSTACK_QUEUE_RACE sets another size, and
// CALLSTACK_FULL_TESTS=1 runs 100,000. The memory adapter's own test sets
// the variable to run 100,000, which it does in seconds.
func queueRaceContacts(t *testing.T) int {
	if n, err := strconv.Atoi(os.Getenv(EnvQueueRace)); err == nil && n > 0 {
		return n
	}
	if os.Getenv("CALLSTACK_FULL_TESTS") == "1" {
		return 100_000
	}
	return 5_000
}

// testQueueRace: 8 goroutines claim and finish every contact; no contact
// is leased twice at once, none is lost, and every contact ends final or
// scheduled.
func testQueueRace(t *testing.T, x *queueHarness) {
	n := queueRaceContacts(t)
	c := x.running(nil)
	began := time.Now()
	const chunk = 5000
	for i := 0; i < n; i += chunk {
		cs := make([]campaign.Contact, 0, chunk)
		for j := i; j < min(n, i+chunk); j++ {
			cs = append(cs, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("r%07d", j)), Phone: fmt.Sprintf("+1212%07d", j)})
		}
		x.add(c, cs...)
	}
	var (
		mu      sync.Mutex
		holding = map[campaign.ContactID]queue.LeaseToken{}
		claims  = map[campaign.ContactID]int{}
		double  []campaign.ContactID
	)
	outcome := func(id campaign.ContactID) (campaign.Result, *campaign.Disposition) {
		h := fnv.New32a()
		_, _ = h.Write([]byte(id))
		switch h.Sum32() % 50 {
		case 0:
			return campaign.ResultHuman, &campaign.Disposition{ID: "dnc", DNC: true, Final: true}
		case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15:
			return campaign.ResultHuman, &campaign.Disposition{ID: "sale", Final: true, Contacted: true}
		case 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32:
			return campaign.ResultBusy, nil
		}
		return campaign.ResultNoAnswer, nil
	}
	errs := make([]error, 8)
	var wg sync.WaitGroup
	t.Logf("inserted %d contacts in %s", n, time.Since(began))
	began = time.Now()
	for w := range 8 {
		wg.Go(func() {
			errs[w] = func() error {
				empty := 0
				for empty < 3 {
					ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 20, time.Hour)
					if err != nil {
						return err
					}
					if len(ls) == 0 {
						empty++
						continue
					}
					empty = 0
					mu.Lock()
					for _, l := range ls {
						if _, ok := holding[l.ContactID]; ok {
							double = append(double, l.ContactID)
						}
						holding[l.ContactID] = l.Token
						claims[l.ContactID]++
					}
					mu.Unlock()
					for _, l := range ls {
						r, d := outcome(l.ContactID)
						mu.Lock()
						delete(holding, l.ContactID)
						mu.Unlock()
						if err := x.q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: r, StartedAt: x.clock.Now()}, Disposition: d}); err != nil {
							return fmt.Errorf("finish %s: %w", l.ContactID, err)
						}
					}
				}
				return nil
			}()
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Empty(t, double, "double leases")
	assert.Len(t, claims, n, "every contact leased")
	for id, k := range claims {
		if k != 1 {
			t.Fatalf("contact %s leased %d times; retries are not due yet", id, k)
		}
	}
	assert.Empty(t, x.claim(c, 10))
	t.Logf("claimed and finished %d contacts in %s", n, time.Since(began))
	// Every contact is final or scheduled, with one attempt logged. Read
	// by pages of the campaign (reading the contacts one by one was a
	// fifth of the full-size run on Postgres).
	now := x.clock.Now()
	lost := map[string]string{}
	seen := 0
	for f := (campaign.ContactFilter{CampaignID: c.ID, Limit: 1000}); ; {
		page, err := x.store.ListContacts(x.ctx, x.admin.WorkspaceID, f)
		require.NoError(t, err)
		for _, ct := range page.Contacts {
			seen++
			switch {
			case ct.Attempts != 1:
				lost[string(ct.ID)] = fmt.Sprintf("%d attempts", ct.Attempts)
			case !ct.Status.Final() && !((ct.Status == campaign.ContactRetry || ct.Status == campaign.ContactCallback) && ct.NextAttemptAt.After(now)):
				lost[string(ct.ID)] = fmt.Sprintf("status %s, next %s", ct.Status, ct.NextAttemptAt)
			}
		}
		if page.NextCursor == "" {
			break
		}
		f.After = page.NextCursor
	}
	assert.Equal(t, n, seen, "every contact listed")
	t.Logf("checked contacts in %s", time.Since(began))
	for id, why := range lost {
		t.Errorf("contact %s lost: %s", id, why)
		break
	}
	total, after := 0, campaign.AttemptID("")
	for {
		as, err := x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID, After: after, Limit: 10000})
		require.NoError(t, err)
		total += len(as)
		if len(as) < 10000 {
			break
		}
		after = as[len(as)-1].ID
	}
	assert.Equal(t, n, total, "one attempt per finish")
	t.Logf("checked attempts in %s", time.Since(began))
}

// testQueueOneLiveLeasePerNumber: a number is in at most one live lease in
// the workspace, whichever campaign or contact carries it (docs/design.md
// invariant 1); an expired lease of a campaign nobody paces frees its
// number once any campaign's claim reaps it.
func testQueueOneLiveLeasePerNumber(t *testing.T, x *queueHarness) {
	shared := phone(900001)
	c1, c2 := x.running(nil), x.running(nil)
	x.add(c1, campaign.Contact{ID: "n-a1", Phone: shared}, campaign.Contact{ID: "n-a2", Phone: shared}, campaign.Contact{ID: "n-a3"})
	x.add(c2, campaign.Contact{ID: "n-b1", Phone: shared}, campaign.Contact{ID: "n-b2"})

	a := x.claim(c1, 10)
	require.Equal(t, []campaign.ContactID{"n-a1", "n-a3"}, ids(a), "one claim leases only the first contact of a number")
	assert.Equal(t, []campaign.ContactID{"n-b2"}, ids(x.claim(c2, 10)), "another campaign's contact with a leased number waits")
	assert.Empty(t, x.claim(c1, 10))
	assert.Equal(t, campaign.ContactPending, x.get("n-b1").Status, "a held-back contact is not refused, only deferred")
	assert.Empty(t, x.blocks(c2, "n-b1"))

	x.finish(a[0], campaign.ResultNoAnswer, nil)
	b := x.claim(c2, 10)
	require.Equal(t, []campaign.ContactID{"n-b1"}, ids(b), "the number is free once its lease ends")
	assert.Empty(t, x.claim(c1, 10))
	x.finish(b[0], campaign.ResultBusy, nil)
	assert.Equal(t, []campaign.ContactID{"n-a2"}, ids(x.claim(c1, 10)))

	// Workspaces do not share numbers.
	other := x.workspace("other")
	c3, err := x.svc.CreateCampaign(x.ctx, other, campaign.Campaign{Name: "o"})
	require.NoError(t, err)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		c3, err = x.svc.Transition(x.ctx, other, c3.ID, to, "")
		require.NoError(t, err)
	}
	x.contacts(other, campaign.Contact{ID: "n-o1", CampaignID: c3.ID, Phone: shared, Timezones: []string{"America/New_York"}})
	ls, err := x.q.Claim(x.ctx, other.WorkspaceID, c3.ID, 10, testTTL)
	require.NoError(t, err)
	assert.Equal(t, []campaign.ContactID{"n-o1"}, ids(ls), "another workspace's lease on the number does not count")

	// An expired lease in a campaign nobody paces any more.
	p2 := phone(900002)
	c4, c5 := x.running(nil), x.running(nil)
	x.add(c4, campaign.Contact{ID: "n-d1", Phone: p2})
	x.add(c5, campaign.Contact{ID: "n-e1", Phone: p2})
	d, err := x.q.Claim(x.ctx, c4.WorkspaceID, c4.ID, 10, time.Minute)
	require.NoError(t, err)
	require.Equal(t, []campaign.ContactID{"n-d1"}, ids(d))
	x.status(c4, campaign.StatusPaused)
	assert.Empty(t, x.claim(c5, 10), "the lease is live")
	x.clock.Advance(2 * time.Minute)
	assert.Equal(t, []campaign.ContactID{"n-e1"}, ids(x.claim(c5, 10)), "the expired lease was reaped by the other campaign's claim")
	err = x.q.Finish(x.ctx, d[0], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer, StartedAt: x.clock.Now()}})
	assert.ErrorIs(t, err, queue.ErrLeaseLost)
	assert.Equal(t, campaign.ContactPending, x.get("n-d1").Status, "the reaped contact is back in its lane")
}

// testQueueOneLiveLeasePerNumberRace: 8 goroutines claim and finish, from
// two campaigns whose contacts share every number, and no number is ever
// in two live leases; every contact is leased exactly once.
func testQueueOneLiveLeasePerNumberRace(t *testing.T, x *queueHarness) {
	const numbers = 300
	cs := []campaign.Campaign{x.running(nil), x.running(nil)}
	for k, c := range cs {
		batch := make([]campaign.Contact, 0, numbers)
		for i := range numbers {
			batch = append(batch, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("lr%d-%04d", k, i)), Phone: fmt.Sprintf("+1312%07d", i)})
		}
		x.add(c, batch...)
	}
	var (
		mu      sync.Mutex
		holder  = map[string]campaign.ContactID{}
		claims  = map[campaign.ContactID]int{}
		doubles []string
	)
	take := func(c campaign.Campaign) (int, error) {
		ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 10, time.Hour)
		if err != nil {
			return 0, err
		}
		mu.Lock()
		for _, l := range ls {
			if h, ok := holder[l.Contact.Phone]; ok {
				doubles = append(doubles, fmt.Sprintf("%s held by %s and %s", l.Contact.Phone, h, l.ContactID))
			}
			holder[l.Contact.Phone] = l.ContactID
			claims[l.ContactID]++
		}
		mu.Unlock()
		for _, l := range ls {
			mu.Lock()
			delete(holder, l.Contact.Phone)
			mu.Unlock()
			if err := x.q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer, StartedAt: x.clock.Now()}}); err != nil {
				return 0, fmt.Errorf("finish %s: %w", l.ContactID, err)
			}
		}
		return len(ls), nil
	}
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for empty := 0; empty < 5; {
				k, err := take(cs[w%2])
				if err != nil {
					errs[w] = err
					return
				}
				if k == 0 {
					empty++
				} else {
					empty = 0
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	// Drain what the workers left waiting behind a live number.
	for {
		k0, err := take(cs[0])
		require.NoError(t, err)
		k1, err := take(cs[1])
		require.NoError(t, err)
		if k0+k1 == 0 {
			break
		}
	}
	require.Empty(t, doubles, "a number in two live leases")
	assert.Len(t, claims, 2*numbers, "every contact leased")
	for id, k := range claims {
		assert.Equal(t, 1, k, "contact %s", id)
	}
}

// testQueueLostDialIsLogged: a dial journalled with BeginAttempt whose
// lease expires before Finish (the dialer died) is appended to the
// attempt log as unknown when the lease is reaped, and counted; Finish
// and Release clear the journal.
func testQueueLostDialIsLogged(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "lost"}, campaign.Contact{ID: "done"}, campaign.Contact{ID: "given-back"})
	ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 3, time.Minute)
	require.NoError(t, err)
	require.Len(t, ls, 3)
	began := x.clock.Now()
	for _, l := range ls {
		require.NoError(t, x.q.BeginAttempt(x.ctx, l, queue.Dial{AttemptID: campaign.AttemptID("att-" + string(l.ContactID)), CallerID: "+14155550100"}))
	}
	lease := map[campaign.ContactID]queue.Lease{}
	for _, l := range ls {
		lease[l.ContactID] = l
	}
	x.clock.Advance(10 * time.Second)
	require.NoError(t, x.q.Finish(x.ctx, lease["done"], queue.Outcome{Attempt: campaign.Attempt{ID: "att-done", Result: campaign.ResultBusy, StartedAt: began}}))
	require.NoError(t, x.q.Release(x.ctx, lease["given-back"]))

	x.clock.Advance(2 * time.Minute)
	err = x.q.BeginAttempt(x.ctx, lease["lost"], queue.Dial{AttemptID: "att-again"})
	require.ErrorIs(t, err, queue.ErrLeaseLost, "the lease expired")
	again := x.claim(c, 10) // reaps the expired lease first
	assert.Equal(t, []campaign.ContactID{"given-back"}, ids(again), "the lost call's contact waits out the time between calls")

	as, err := x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID})
	require.NoError(t, err)
	require.Len(t, as, 2, "the finished attempt and the lost one; a released lease logs nothing")
	byID := map[campaign.AttemptID]campaign.Attempt{}
	for _, a := range as {
		byID[a.ID] = a
	}
	lost, ok := byID["att-lost"]
	require.True(t, ok, "the lost dial is in the attempt log")
	assert.Equal(t, campaign.ResultUnknown, lost.Result)
	assert.Equal(t, queue.LeaseExpiredStatus, lost.CarrierStatus)
	assert.Equal(t, "lost", string(lost.ContactID))
	assert.Equal(t, x.get("lost").Phone, lost.Number)
	assert.Equal(t, "+14155550100", lost.CallerID)
	assert.Equal(t, 1, lost.Seq)
	assert.True(t, lost.StartedAt.Equal(began), "started %s, want %s", lost.StartedAt, began)
	assert.Equal(t, campaign.ResultBusy, byID["att-done"].Result)

	ct := x.get("lost")
	assert.Equal(t, 1, ct.Attempts, "the lost call counts")
	assert.True(t, ct.LastAttemptAt.Equal(began))
	assert.Equal(t, campaign.ContactPending, ct.Status)
	rs, err := x.qs.RecentAttempts(x.ctx, x.admin.WorkspaceID, []string{ct.Phone}, began.Add(-time.Hour))
	require.NoError(t, err)
	assert.Len(t, rs[ct.Phone], 1, "frequency caps see the lost call")

	// Reaping again logs nothing more.
	x.clock.Advance(time.Hour)
	x.claim(c, 10)
	as, err = x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID})
	require.NoError(t, err)
	assert.Len(t, as, 2)
}

// testQueueOpenDials: OpenDials lists the campaign's begun dials whose
// leases still hold, with the leases (which Finish accepts) and the
// journal, oldest first; not leases without a dial, not finished or
// released ones, not expired ones, not another campaign's.
func testQueueOpenDials(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	other := x.running(nil)
	x.add(c, campaign.Contact{ID: "first"}, campaign.Contact{ID: "second"}, campaign.Contact{ID: "no-dial"}, campaign.Contact{ID: "finished"})
	x.add(other, campaign.Contact{ID: "elsewhere"})
	ls, err := x.q.Claim(x.ctx, c.WorkspaceID, c.ID, 4, time.Minute)
	require.NoError(t, err)
	require.Len(t, ls, 4)
	lease := map[campaign.ContactID]queue.Lease{}
	for _, l := range ls {
		lease[l.ContactID] = l
	}
	began := x.clock.Now()
	for _, id := range []campaign.ContactID{"second", "first", "finished"} {
		require.NoError(t, x.q.BeginAttempt(x.ctx, lease[id], queue.Dial{AttemptID: campaign.AttemptID("att-" + string(id)), CallerID: "+14155550100",
			StartedAt: began.Add(map[campaign.ContactID]time.Duration{"first": time.Second, "second": 2 * time.Second, "finished": 3 * time.Second}[id])}))
	}
	ol, err := x.q.Claim(x.ctx, other.WorkspaceID, other.ID, 1, time.Minute)
	require.NoError(t, err)
	require.Len(t, ol, 1)
	require.NoError(t, x.q.BeginAttempt(x.ctx, ol[0], queue.Dial{AttemptID: "att-elsewhere"}))
	require.NoError(t, x.q.Finish(x.ctx, lease["finished"], queue.Outcome{Attempt: campaign.Attempt{ID: "att-finished", Result: campaign.ResultBusy, StartedAt: began}}))

	open, err := x.q.OpenDials(x.ctx, c.WorkspaceID, c.ID)
	require.NoError(t, err)
	require.Len(t, open, 2)
	assert.Equal(t, campaign.AttemptID("att-first"), open[0].Dial.AttemptID, "oldest dial first")
	assert.Equal(t, campaign.AttemptID("att-second"), open[1].Dial.AttemptID)
	assert.Equal(t, lease["first"].Token, open[0].Lease.Token)
	assert.Equal(t, x.get("first").Phone, open[0].Dial.Number)
	assert.Equal(t, "+14155550100", open[0].Dial.CallerID)
	assert.True(t, open[0].Dial.StartedAt.Equal(began.Add(time.Second)))
	assert.Equal(t, campaign.ContactDialing, open[0].Lease.Contact.Status)

	// The lease from OpenDials finishes the attempt (a restarted engine).
	require.NoError(t, x.q.Finish(x.ctx, open[0].Lease, queue.Outcome{Attempt: campaign.Attempt{ID: "att-first", Result: campaign.ResultHuman, StartedAt: began}}))
	open, err = x.q.OpenDials(x.ctx, c.WorkspaceID, c.ID)
	require.NoError(t, err)
	require.Len(t, open, 1)

	// Expired leases are not open dials any more (the reaper logs them).
	x.clock.Advance(2 * time.Minute)
	open, err = x.q.OpenDials(x.ctx, c.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Empty(t, open)
}
