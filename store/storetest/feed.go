package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

// feedWait bounds how long a feed test waits for events to show: on
// Postgres an event shows once every transaction older than its own has
// ended, anywhere on the server (docs/campaign-rules.md, "Change feed").
const feedWait = 60 * time.Second

// feedRead reads the actor's feed after q.After until it has n events
// (polling, as a host would), and fails the test if it gets more.
func (x *queueHarness) feedRead(svc *campaign.Service, actor campaign.Actor, q campaign.FeedQuery, n int) []campaign.FeedEvent {
	x.t.Helper()
	var out []campaign.FeedEvent
	deadline := time.Now().Add(feedWait)
	for len(out) < n && time.Now().Before(deadline) {
		evs, err := svc.ReadFeed(x.ctx, actor, q)
		require.NoError(x.t, err)
		out = append(out, evs...)
		if len(evs) > 0 {
			q.After = evs[len(evs)-1].Position
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	evs, err := svc.ReadFeed(x.ctx, actor, q)
	require.NoError(x.t, err)
	require.Len(x.t, append(out, evs...), n, "feed events")
	return out
}

// feedKinds lists each event's kind and record id.
func feedKinds(evs []campaign.FeedEvent) []string {
	var out []string
	for _, ev := range evs {
		switch ev.Kind {
		case campaign.FeedStatus:
			out = append(out, "status:"+string(ev.Transition.To))
		case campaign.FeedAttempt:
			out = append(out, "attempt:"+string(ev.Attempt.ID))
		case campaign.FeedBlock:
			out = append(out, "block:"+string(ev.Block.ID))
		}
	}
	return out
}

// testChangeFeed: status changes, attempts (finished and reaped) and
// blocks reach the feed in commit order with their records, only the
// workspace's own, for any member; pages and the campaign filter agree
// with one read; an erasure masks the events' personal data.
func testChangeFeed(t *testing.T, x *queueHarness) {
	viewer := x.member(x.admin, "watcher", campaign.RoleViewer)
	other := x.workspace("other")
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a", FirstName: "Ada"}, campaign.Contact{ID: "lost"})
	ls := x.claim(c, 2)
	require.Len(t, ls, 2)
	lease := map[campaign.ContactID]queue.Lease{}
	for _, l := range ls {
		lease[l.ContactID] = l
		require.NoError(t, x.q.BeginAttempt(x.ctx, l, queue.Dial{AttemptID: campaign.AttemptID("att-" + string(l.ContactID)), CallerID: "+14155550100"}))
	}
	began := x.clock.Now()
	require.NoError(t, x.q.Finish(x.ctx, lease["a"], queue.Outcome{Attempt: campaign.Attempt{ID: "att-a", Result: campaign.ResultHuman,
		StartedAt: began, Outcome: campaign.OutcomeDetails{Note: "call her at +14155550123"}},
		Disposition: &campaign.Disposition{ID: "sale", Final: true, Contacted: true}}))
	require.NoError(t, x.qs.RecordBlocks(x.ctx, x.admin.WorkspaceID, []campaign.Block{{ID: "blk-a", WorkspaceID: x.admin.WorkspaceID,
		CampaignID: c.ID, ContactID: "a", Number: x.get("a").Phone, Reason: "outside_legal_hours", Scope: campaign.BlockScopeLaw,
		Stage: "dial", Detail: "FL " + x.get("a").Phone, At: began}}))
	x.clock.Advance(2 * testTTL)
	x.claim(c, 10) // reaps the lost call's lease: its attempt is logged
	x.status(c, campaign.StatusPaused)
	// Another workspace's changes stay there.
	oc := x.campaign(other, "theirs")
	_, err := x.svc.Transition(x.ctx, other, oc.ID, campaign.StatusCancelled, "")
	require.NoError(t, err)
	cs := x.running(nil) // a second campaign of the first workspace
	x.status(cs, campaign.StatusPaused)
	csTrs, err := x.store.ListTransitions(x.ctx, x.admin.WorkspaceID, cs.ID)
	require.NoError(t, err)

	trs, err := x.store.ListTransitions(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	wantC := []string{}
	for _, tr := range trs[:len(trs)-1] {
		wantC = append(wantC, "status:"+string(tr.To))
	}
	wantC = append(wantC, "attempt:att-a", "block:blk-a", "attempt:att-lost", "status:paused")

	all := x.feedRead(x.svc, viewer, campaign.FeedQuery{}, len(wantC)+len(csTrs))
	for i := 1; i < len(all); i++ {
		assert.True(t, all[i-1].Position.Less(all[i].Position), "positions grow: %v then %v", all[i-1].Position, all[i].Position)
	}
	var ofC []campaign.FeedEvent
	for _, ev := range all {
		require.Contains(t, []campaign.ID{c.ID, cs.ID}, ev.CampaignID, "only the workspace's own campaigns")
		if ev.CampaignID == c.ID {
			ofC = append(ofC, ev)
		}
	}
	assert.Equal(t, wantC, feedKinds(ofC), "the campaign's changes in commit order")
	byC := x.feedRead(x.svc, viewer, campaign.FeedQuery{CampaignID: c.ID}, len(wantC))
	assert.Equal(t, ofC, byC, "the campaign filter returns the same events")

	// The records travel with their events.
	att := ofC[len(wantC)-4]
	require.Equal(t, campaign.FeedAttempt, att.Kind)
	assert.Equal(t, campaign.ContactID("a"), att.Attempt.ContactID)
	assert.Equal(t, campaign.ResultHuman, att.Attempt.Result)
	assert.Equal(t, x.get("a").Phone, att.Attempt.Number)
	assert.Equal(t, "call her at +14155550123", att.Attempt.Outcome.Note)
	blk := ofC[len(wantC)-3]
	assert.Equal(t, "outside_legal_hours", blk.Block.Reason)
	assert.True(t, began.Equal(blk.At), "the block's time")
	lost := ofC[len(wantC)-2]
	assert.Equal(t, campaign.ResultUnknown, lost.Attempt.Result)
	assert.Equal(t, queue.LeaseExpiredStatus, lost.Attempt.CarrierStatus)
	last := ofC[len(wantC)-1]
	assert.Equal(t, campaign.StatusRunning, last.Transition.From)
	assert.Equal(t, x.admin.UserID, last.Transition.By)

	// Pages of two read the same events.
	var paged []campaign.FeedEvent
	q := campaign.FeedQuery{Limit: 2}
	for {
		evs, err := x.svc.ReadFeed(x.ctx, viewer, q)
		require.NoError(t, err)
		if len(evs) == 0 {
			break
		}
		require.LessOrEqual(t, len(evs), 2)
		paged = append(paged, evs...)
		q.After = evs[len(evs)-1].Position
	}
	assert.Equal(t, all, paged)

	// The other workspace sees only its own campaign.
	theirs := x.feedRead(x.svc, other, campaign.FeedQuery{}, 1)
	assert.Equal(t, oc.ID, theirs[0].CampaignID)

	// An erasure masks the person's data in the feed, as in the log.
	_, err = x.svc.EraseContact(x.ctx, x.admin, "a")
	require.NoError(t, err)
	erased := x.feedRead(x.svc, viewer, campaign.FeedQuery{CampaignID: c.ID}, len(wantC))
	assert.Equal(t, feedKinds(ofC), feedKinds(erased), "erasure keeps every event")
	for _, ev := range erased {
		switch {
		case ev.Attempt != nil && ev.Attempt.ContactID == "a":
			assert.Empty(t, ev.Attempt.Number)
			assert.Empty(t, ev.Attempt.Outcome.Note)
			assert.Equal(t, campaign.ResultHuman, ev.Attempt.Result)
		case ev.Block != nil:
			assert.Empty(t, ev.Block.Number)
			assert.Empty(t, ev.Block.Detail)
			assert.Equal(t, "outside_legal_hours", ev.Block.Reason)
		}
	}

	// Reading needs membership of the workspace.
	_, err = x.svc.ReadFeed(x.ctx, campaign.Actor{WorkspaceID: x.admin.WorkspaceID, UserID: "nobody"}, campaign.FeedQuery{})
	assert.ErrorIs(t, err, campaign.ErrForbidden)
}

// testChangeFeedFollowResume: Follow hands events to a slow consumer one
// at a time, dropping none of those committed while it waited; a new
// host resumes from the last position it stored and gets exactly the
// rest; pruning keeps newer events, a position in the pruned range is
// refused with ErrFeedPruned and the start of the feed reads the oldest
// event kept.
func testChangeFeedFollowResume(t *testing.T, x *queueHarness) {
	viewer := x.member(x.admin, "watcher", campaign.RoleViewer)
	// Pruning a workspace whose feed has no event yet deletes nothing.
	fresh := x.workspace("fresh")
	n, err := x.svc.PruneFeed(x.ctx, fresh, x.clock.Now())
	require.NoError(t, err, "pruning an empty feed")
	require.Zero(t, n)
	c := x.running(nil)
	start := x.feedRead(x.svc, viewer, campaign.FeedQuery{}, 2) // draft → queued → running

	// A consumer that holds the first event until released.
	ctx, cancel := context.WithCancel(x.ctx)
	defer cancel()
	release := make(chan struct{})
	var mu sync.Mutex
	var got []campaign.FeedEvent
	var stored string // the position the host persists
	done := make(chan error, 1)
	go func() {
		done <- x.svc.Follow(ctx, viewer, campaign.FeedQuery{After: start[1].Position, Limit: 2, PollInterval: 5 * time.Millisecond},
			func(ev campaign.FeedEvent) error {
				if len(got) == 0 {
					<-release
				}
				mu.Lock()
				defer mu.Unlock()
				got = append(got, ev)
				stored = ev.Position.String()
				if len(got) == 3 {
					return errStopFollow
				}
				return nil
			})
	}()
	c = x.status(c, campaign.StatusPaused)
	c = x.status(c, campaign.StatusRunning)
	c = x.status(c, campaign.StatusPaused)
	c = x.status(c, campaign.StatusRunning)
	close(release)
	select {
	case err := <-done:
		require.ErrorIs(t, err, errStopFollow, "Follow returns the consumer's error")
	case <-time.After(feedWait):
		t.Fatal("Follow delivered too little")
	}
	mu.Lock()
	assert.Equal(t, []string{"status:paused", "status:running", "status:paused"}, feedKinds(got), "in order, none dropped while the consumer was slow")
	mu.Unlock()

	// A restarted host: a new service over the same store, resuming from
	// the stored text.
	svc, err := campaign.NewService(campaign.Config{Store: x.store, Clock: x.clock.Now})
	require.NoError(t, err)
	after, err := campaign.ParseFeedPosition(stored)
	require.NoError(t, err)
	rest := x.feedRead(svc, viewer, campaign.FeedQuery{After: after}, 1)
	assert.Equal(t, []string{"status:running"}, feedKinds(rest), "exactly the events after the stored position")
	_, err = campaign.ParseFeedPosition("12")
	assert.ErrorIs(t, err, campaign.ErrInvalid)

	// Pruning: only TeamAdmins; events before the time go, newer stay.
	x.clock.Advance(time.Hour)
	cut := x.clock.Now()
	x.clock.Advance(time.Minute)
	c = x.status(c, campaign.StatusPaused)
	_, err = x.svc.PruneFeed(x.ctx, viewer, cut)
	assert.ErrorIs(t, err, campaign.ErrForbidden)
	n, err = x.svc.PruneFeed(x.ctx, x.admin, cut)
	require.NoError(t, err)
	assert.Equal(t, 6, n, "every event before the cut")
	// A position in the pruned range is refused, naming the horizon.
	_, err = x.svc.ReadFeed(x.ctx, viewer, campaign.FeedQuery{After: after})
	require.ErrorIs(t, err, campaign.ErrFeedPruned, "a position in the pruned range lost events")
	var pe *campaign.FeedPrunedError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, after, pe.After)
	assert.True(t, after.Less(pe.Through), "the horizon %v is past the stored position %v", pe.Through, after)
	assert.Contains(t, err.Error(), pe.Through.String())
	err = svc.Follow(x.ctx, viewer, campaign.FeedQuery{After: after, PollInterval: time.Millisecond}, func(campaign.FeedEvent) error {
		return errors.New("no event may be delivered past a prune")
	})
	assert.ErrorIs(t, err, campaign.ErrFeedPruned, "Follow stops with the same error")
	// Resuming from the horizon, or from the start, reads the oldest event kept.
	kept := x.feedRead(x.svc, viewer, campaign.FeedQuery{After: pe.Through}, 1)
	assert.Equal(t, []string{"status:paused"}, feedKinds(kept), "the horizon resumes at the oldest event kept")
	fromStart := x.feedRead(x.svc, viewer, campaign.FeedQuery{}, 1)
	assert.Equal(t, kept, fromStart, "the start of the feed after a prune is the oldest event kept")
	// A later prune of nothing older does not move the horizon back, and
	// a position at or after the horizon stays valid.
	n, err = x.svc.PruneFeed(x.ctx, x.admin, cut.Add(-time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n)
	_, err = x.svc.ReadFeed(x.ctx, viewer, campaign.FeedQuery{After: after})
	assert.ErrorIs(t, err, campaign.ErrFeedPruned, "the horizon stays")
	_, err = x.svc.ReadFeed(x.ctx, viewer, campaign.FeedQuery{After: kept[0].Position})
	assert.NoError(t, err)
	// The horizon is the workspace's own.
	other := x.workspace("pruned-other")
	_, err = x.svc.ReadFeed(x.ctx, other, campaign.FeedQuery{After: after})
	assert.NoError(t, err, "another workspace's feed was not pruned")
	as, err := x.store.ListAudit(x.ctx, x.admin.WorkspaceID, campaign.AuditFilter{Entity: "workspace"})
	require.NoError(t, err)
	require.NotEmpty(t, as)
	assert.Equal(t, "feed.prune", as[len(as)-1].Action)
	trs, err := x.store.ListTransitions(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Len(t, trs, 7, "pruning the feed keeps the records")
}

var errStopFollow = errors.New("stop following")
