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
)

// finished is what a store's Finish writes for a completed call of l.
func finished(l queue.Lease, at time.Time) queue.Finished {
	return queue.Finished{
		Attempt: campaign.Attempt{ID: campaign.AttemptID("att-" + string(l.ContactID)), WorkspaceID: l.WorkspaceID, CampaignID: l.CampaignID,
			ContactID: l.ContactID, Number: l.Contact.Phone, Seq: 1, Result: campaign.ResultHuman, StartedAt: at},
		Next: queue.NextState{Status: campaign.ContactCompleted, Lane: l.Contact.Lane, Attempts: 1, LastAttemptAt: at},
	}
}

// testQueueFinishMany: FinishMany ends each lease as Finish would and
// answers for each item alone: a lost lease or a bad item writes nothing
// and keeps nothing of the others from committing.
func testQueueFinishMany(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "m1"}, campaign.Contact{ID: "m2"}, campaign.Contact{ID: "m3"}, campaign.Contact{ID: "m4"})
	ls := x.claim(c, 4)
	require.Len(t, ls, 4)
	now := x.clock.Now()
	stale := ls[1]
	stale.Token = "not-the-holder"
	bad := finished(ls[2], now)
	bad.Attempt.WorkspaceID = "another-workspace"
	errs := x.qs.FinishMany(x.ctx, []queue.LeaseFinish{
		{Lease: ls[3], Finished: finished(ls[3], now), Now: now},
		{Lease: stale, Finished: finished(ls[1], now), Now: now},
		{Lease: ls[2], Finished: bad, Now: now},
		{Lease: ls[0], Finished: finished(ls[0], now), Now: now},
	})
	require.Len(t, errs, 4)
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], queue.ErrLeaseLost)
	assert.ErrorIs(t, errs[2], campaign.ErrInvalid)
	assert.NoError(t, errs[3])

	as, err := x.qs.ListAttempts(x.ctx, c.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID})
	require.NoError(t, err)
	var got []campaign.ContactID
	for _, a := range as {
		got = append(got, a.ContactID)
	}
	assert.ElementsMatch(t, []campaign.ContactID{ls[0].ContactID, ls[3].ContactID}, got, "only the two good items wrote attempts")
	for i, want := range []campaign.ContactStatus{campaign.ContactCompleted, campaign.ContactDialing, campaign.ContactDialing, campaign.ContactCompleted} {
		got, err := x.store.GetContact(x.ctx, c.WorkspaceID, ls[i].ContactID)
		require.NoError(t, err)
		assert.Equal(t, want, got.Status, "contact %s", ls[i].ContactID)
	}
	// The refused leases are still held: their holders finish them.
	errs = x.qs.FinishMany(x.ctx, []queue.LeaseFinish{{Lease: ls[1], Finished: finished(ls[1], now), Now: now},
		{Lease: ls[2], Finished: finished(ls[2], now), Now: now}})
	assert.Equal(t, []error{nil, nil}, errs)
}

// countingStore is a queue.Store that records the size of each
// FinishMany; the first one waits until release is closed.
type countingStore struct {
	queue.Store
	mu      sync.Mutex
	sizes   []int
	started chan struct{}
	release chan struct{}
}

func (s *countingStore) FinishMany(ctx context.Context, fs []queue.LeaseFinish) []error {
	s.mu.Lock()
	s.sizes = append(s.sizes, len(fs))
	first := len(s.sizes) == 1
	s.mu.Unlock()
	if first {
		close(s.started)
		<-s.release
	}
	return s.Store.FinishMany(ctx, fs)
}

// testQueueFinishGroupCommit: concurrent Finish calls of the Service
// share store transactions — the outcomes that arrive while one is being
// written are written together — and each caller gets its own answer.
func testQueueFinishGroupCommit(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	var cs []campaign.Contact
	for i := range 6 {
		cs = append(cs, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("g%d", i))})
	}
	x.add(c, cs...)
	cnt := &countingStore{Store: x.qs, started: make(chan struct{}), release: make(chan struct{})}
	q, err := queue.NewService(queue.Config{Store: cnt, Campaigns: x.store, Suppression: x.sup, Clock: x.clock.Now})
	require.NoError(t, err)
	defer q.Close()
	ls, err := q.Claim(x.ctx, c.WorkspaceID, c.ID, 6, testTTL)
	require.NoError(t, err)
	require.Len(t, ls, 6)
	lost := ls[5]
	lost.Token = "not-the-holder"
	errs := make([]error, 6)
	var wg sync.WaitGroup
	finish := func(i int, l queue.Lease) {
		wg.Go(func() {
			errs[i] = q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer, StartedAt: x.clock.Now()}})
		})
	}
	finish(0, ls[0])
	<-cnt.started // the first outcome is being written
	for i := 1; i < 5; i++ {
		finish(i, ls[i])
	}
	finish(5, lost)
	time.Sleep(100 * time.Millisecond) // let them queue behind it
	close(cnt.release)
	wg.Wait()
	for i := range 5 {
		assert.NoError(t, errs[i], "outcome %d", i)
	}
	assert.ErrorIs(t, errs[5], queue.ErrLeaseLost)
	cnt.mu.Lock()
	sizes := cnt.sizes
	cnt.mu.Unlock()
	total, most := 0, 0
	for _, n := range sizes {
		total += n
		most = max(most, n)
	}
	assert.Equal(t, 6, total, "every outcome written once: %v", sizes)
	assert.GreaterOrEqual(t, most, 2, "outcomes that arrived during a write were written together: %v", sizes)
	as, err := x.qs.ListAttempts(x.ctx, c.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID})
	require.NoError(t, err)
	assert.Len(t, as, 5)
}
