package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/suppression"
)

// hopperService returns a queue.Service over x's store with a small
// hopper.
func (x *queueHarness) hopperService(size int) *queue.Service {
	x.t.Helper()
	q, err := queue.NewService(queue.Config{Store: x.qs, Campaigns: x.store, Suppression: x.sup, Clock: x.clock.Now, HopperSize: size})
	require.NoError(x.t, err)
	return q
}

// addAged adds n contacts to c, ids prefix00, prefix01, …, each a
// millisecond younger than the one before (so age orders them).
func (x *queueHarness) addAged(c campaign.Campaign, prefix string, n int) {
	x.t.Helper()
	cs := make([]campaign.Contact, 0, n)
	for i := range n {
		cs = append(cs, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("%s%02d", prefix, i))})
		x.clock.Advance(time.Millisecond)
	}
	x.add(c, cs...)
}

func (x *queueHarness) counts(c campaign.Campaign) queue.Counts {
	x.t.Helper()
	n, err := x.qs.Counts(x.ctx, c.WorkspaceID, c.ID, queue.CountQuery{MaxAttempts: c.Settings.WithDefaults(c.DefaultRegion).MaxAttempts}, x.clock.Now())
	require.NoError(x.t, err)
	return n
}

// testQueueHopper: claims lease only from the hopper, which a refill
// fills in queue order up to its target; a claim that takes it below half
// refills it; an entry whose contact changed is dropped, never leased; a
// contact a lease returns to the queue goes back to the hopper at once,
// in its place.
func testQueueHopper(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.addAged(c, "h", 30)
	// Not leased before any refill.
	raw, err := x.qs.Claim(x.ctx, c.WorkspaceID, c.ID, queue.ClaimQuery{Limit: 5, TTL: time.Minute, Token: "probe"}, x.clock.Now())
	require.NoError(t, err)
	assert.Empty(t, raw, "nothing is in the hopper before a refill")
	assert.Equal(t, 0, x.counts(c).Hopper)

	q := x.hopperService(10)
	ls, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 1, testTTL)
	require.NoError(t, err)
	assert.Equal(t, []campaign.ContactID{"h00"}, ids(ls))
	assert.Equal(t, 9, x.counts(c).Hopper, "refilled to 10, one leased")

	// Five more leave 4, below half: the claim refills at once.
	ls2, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 5, testTTL)
	require.NoError(t, err)
	assert.Equal(t, []campaign.ContactID{"h01", "h02", "h03", "h04", "h05"}, ids(ls2))
	q.Close() // the top-up runs in the background: wait for it
	assert.Equal(t, 10, x.counts(c).Hopper, "a claim that left the hopper low refilled it")

	// The store fills in queue order and reports what it did.
	res, err := x.qs.Refill(x.ctx, c.WorkspaceID, c.ID, queue.Refill{Target: 12}, x.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, queue.RefillResult{Added: 2, Level: 12}, res)

	// An edited contact's entry is dropped by the next refill and the
	// contact waits until its facts are computed again.
	_, err = x.svc.UpdateContact(x.ctx, x.admin, "h06", func(c *campaign.Contact) error {
		c.Notes = "edited"
		return nil
	})
	require.NoError(t, err)
	res, err = x.qs.Refill(x.ctx, c.WorkspaceID, c.ID, queue.Refill{Target: 12}, x.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, 1, res.Dropped)
	assert.Equal(t, 12, res.Level, "refilled from the next ready contact")

	// A released lease returns to the hopper in its place: it is next.
	require.NoError(t, q.Release(x.ctx, ls2[0]))
	ls3, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 1, testTTL)
	require.NoError(t, err)
	assert.Equal(t, []campaign.ContactID{"h01"}, ids(ls3))

	// A refill trims a hopper over its target from the end.
	res, err = x.qs.Refill(x.ctx, c.WorkspaceID, c.ID, queue.Refill{Target: 3}, x.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, 3, res.Level)
	ls4, err := x.qs.Claim(x.ctx, c.WorkspaceID, c.ID, queue.ClaimQuery{Limit: 10, TTL: time.Minute, Token: "probe2"}, x.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, []campaign.ContactID{"h07", "h08", "h09"}, ids(ls4), "the best three stayed")
}

// testQueueHopperFillOrder: refills keep queue order across fills. A
// store may start a refill where the last one stopped (Postgres does, to
// skip the index entries its claims left dead; docs/queue.md), but a
// contact made ready ahead of that point — here a new contact of higher
// priority whose facts the refresh computes — is filled first by the
// next refill, not after the rest of the campaign.
func testQueueHopperFillOrder(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.addAged(c, "f", 20)
	q := x.hopperService(5)
	_, err := q.Refresh(x.ctx, c.WorkspaceID, c.ID) // facts, then a refill to 5
	require.NoError(t, err)
	take := func(token queue.LeaseToken) []campaign.ContactID {
		t.Helper()
		ls, err := x.qs.Claim(x.ctx, c.WorkspaceID, c.ID, queue.ClaimQuery{Limit: 5, TTL: time.Minute, Token: token}, x.clock.Now())
		require.NoError(t, err)
		return ids(ls)
	}
	assert.Equal(t, []campaign.ContactID{"f00", "f01", "f02", "f03", "f04"}, take("a"))
	res, err := x.qs.Refill(x.ctx, c.WorkspaceID, c.ID, queue.Refill{Target: 5}, x.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, 5, res.Added)
	assert.Equal(t, []campaign.ContactID{"f05", "f06", "f07", "f08", "f09"}, take("b"))

	x.add(c, campaign.Contact{ID: "fp", Priority: campaign.PriorityHigh})
	_, err = q.Refresh(x.ctx, c.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []campaign.ContactID{"fp", "f10", "f11", "f12", "f13"}, take("c"), "the new contact's priority puts it first")
}

// testQueueStatus: when nothing is dialable the queue says why, as
// counts by blocking reason.
func testQueueStatus(t *testing.T, x *queueHarness) {
	now := x.clock.Now()
	c := x.running(func(c *campaign.Campaign) {
		c.Settings.Voice = campaign.VoiceAI // requires express consent
	})
	express := campaign.Consent{Kind: campaign.ConsentExpress, CapturedAt: now}
	x.add(c,
		campaign.Contact{ID: "ready", Consent: express},
		campaign.Contact{ID: "later", Consent: express, Status: campaign.ContactRetry, Lane: campaign.LaneRetry, Attempts: 1, NextAttemptAt: now.Add(time.Hour)},
		campaign.Contact{ID: "hawaii", Consent: express, Timezones: []string{"Pacific/Honolulu"}}, // 04:00 there
		campaign.Contact{ID: "no-consent"},
		campaign.Contact{ID: "suppressed", Phone: phone(9101), Consent: express},
		campaign.Contact{ID: "suppressed-2", Phone: phone(9102), Consent: express},
		campaign.Contact{ID: "exhausted", Consent: express, Status: campaign.ContactRetry, Lane: campaign.LaneRetry, Attempts: 3, LastAttemptAt: now.Add(-5 * time.Hour)},
	)
	for _, n := range []string{phone(9101), phone(9102)} {
		require.NoError(t, x.sup.Add(x.ctx, x.admin, suppression.Entry{List: suppression.Global(), Number: n, Reason: "registry"}))
	}
	st, err := x.q.Status(x.ctx, c.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 7, st.Stale, "nothing computed before the first refresh")
	assert.Equal(t, map[string]int{queue.BlockedNotChecked: 7}, st.Blocked)

	ls := x.claim(c, 10)
	require.Equal(t, []campaign.ContactID{"ready"}, ids(ls))
	st, err = x.q.Status(x.ctx, c.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, st.Dialable)
	assert.Equal(t, 0, st.Hopper)
	assert.Empty(t, st.Closed)
	assert.Equal(t, map[string]int{
		queue.BlockedLeased:         1,
		queue.BlockedNotDue:         1,
		queue.BlockedOutsideWindow:  1,
		queue.BlockedConsent:        1,
		queue.BlockedSuppressed:     2,
		queue.BlockedAttemptsUsedUp: 1,
	}, st.Blocked)
	assert.Equal(t, map[string]int{"consent_missing": 1, "suppressed_global": 2, "max_attempts": 1}, st.Refused)
	assert.Contains(t, st.String(), "hopper 0, dialable 0, suppressed 2")

	// Back in the queue but the campaign paused: ready, not dialable.
	require.NoError(t, x.q.Release(x.ctx, ls[0]))
	x.status(c, campaign.StatusPaused)
	st, err = x.q.Status(x.ctx, c.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Ready)
	assert.Equal(t, 0, st.Dialable)
	assert.Equal(t, "campaign is paused", st.Closed)
	assert.Equal(t, 1, st.Blocked[queue.BlockedCampaignClosed])
	assert.Equal(t, 0, st.Blocked[queue.BlockedLeased])
}

// drainingStore is a queue.Store whose first drains refills that add
// entries are followed at once by a claim of the whole hopper under
// another token: other claimers emptying the hopper faster than refills
// fill it.
type drainingStore struct {
	queue.Store
	mu     sync.Mutex
	drains int
	took   []campaign.ContactID
}

func (d *drainingStore) Refill(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r queue.Refill, now time.Time) (queue.RefillResult, error) {
	res, err := d.Store.Refill(ctx, ws, id, r, now)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil || res.Added == 0 || d.drains == 0 {
		return res, err
	}
	d.drains--
	ls, err := d.Store.Claim(ctx, ws, id, queue.ClaimQuery{Limit: res.Level, TTL: time.Hour, Token: "other-claimer"}, now)
	for _, l := range ls {
		d.took = append(d.took, l.ContactID)
	}
	return res, err
}

// testQueueClaimRefillsWhileShort: a claim that finds the hopper emptied
// by other claimers refills and claims again as long as refills find
// ready contacts, instead of returning short from a full queue. It
// returned nothing here after one refresh, and eight busy claimers all
// gave up on a queue of 80,000 ready contacts (claimbench).
func testQueueClaimRefillsWhileShort(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.addAged(c, "s", 40)
	d := &drainingStore{Store: x.qs, drains: 2}
	q, err := queue.NewService(queue.Config{Store: d, Campaigns: x.store, Suppression: x.sup, Clock: x.clock.Now, HopperSize: 5})
	require.NoError(t, err)
	defer q.Close()
	ls, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 10, testTTL)
	require.NoError(t, err)
	d.mu.Lock()
	took := d.took
	d.mu.Unlock()
	require.Len(t, took, 10, "the other claimer emptied the first two refills")
	assert.Equal(t, []campaign.ContactID{"s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19"}, ids(ls),
		"the claim refilled until it had what it asked for, in queue order")

	// With nothing ready left, a short claim is the answer, and it does
	// not spin: the refills that find nothing end it.
	rest, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 100, testTTL)
	require.NoError(t, err)
	assert.Len(t, ids(rest), 20)
	none, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 10, testTTL)
	require.NoError(t, err)
	assert.Empty(t, ids(none))
}

// blockingStore is a queue.Store whose refills after the first wait
// until release is closed.
type blockingStore struct {
	queue.Store
	mu      sync.Mutex
	refills int
	started chan struct{} // closed when a blocked refill begins
	release chan struct{}
}

func (b *blockingStore) Refill(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r queue.Refill, now time.Time) (queue.RefillResult, error) {
	b.mu.Lock()
	b.refills++
	block := b.refills == 2
	b.mu.Unlock()
	if block {
		close(b.started)
		<-b.release
	}
	return b.Store.Refill(ctx, ws, id, r, now)
}

// testQueueTopUpInBackground: a claim that leaves the hopper below half
// starts its top-up and returns without waiting for it (under load the
// top-up was the tail of every claimer's latency); Close waits for it.
func testQueueTopUpInBackground(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.addAged(c, "b", 30)
	b := &blockingStore{Store: x.qs, started: make(chan struct{}), release: make(chan struct{})}
	q, err := queue.NewService(queue.Config{Store: b, Campaigns: x.store, Suppression: x.sup, Clock: x.clock.Now, HopperSize: 10})
	require.NoError(t, err)
	ls, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 6, testTTL) // refills to 10 first, leaves 4
	require.NoError(t, err)
	require.Len(t, ls, 6)
	select {
	case <-b.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the claim that left the hopper low started no refill")
	}
	// The top-up is blocked; claims go on from what the hopper holds.
	more, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 2, testTTL)
	require.NoError(t, err)
	assert.Equal(t, []campaign.ContactID{"b06", "b07"}, ids(more), "a claim does not wait for a top-up")
	closed := make(chan struct{})
	go func() { q.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a background refill was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(b.release)
	<-closed
	assert.Equal(t, 10, x.counts(c).Hopper, "the background refill topped the hopper up")
}
