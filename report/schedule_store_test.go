package report_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/store/sqlite"
)

// schedHost is one process's view of a shared SQLite database: its own
// store handle, services and scheduler, as a separate dialer host has.
type schedHost struct {
	st  *sqlite.Store
	svc *report.Service
	sc  *report.Scheduler
	snd *recSender
}

func openSchedHost(t *testing.T, path string, clk *fakeClock) *schedHost {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	t.Cleanup(func() { _ = st.Close() })
	csvc, err := campaign.NewService(campaign.Config{Store: st, Clock: clk.Now})
	require.NoError(t, err)
	svc, err := report.NewService(report.Config{Store: st, Clock: clk.Now, Authorizer: csvc})
	require.NoError(t, err)
	snd := &recSender{}
	sc, err := report.NewScheduler(report.SchedulerConfig{Service: svc, Sender: snd, Sleep: clk.Sleep})
	require.NoError(t, err)
	return &schedHost{st: st, svc: svc, sc: sc, snd: snd}
}

// newSchedDB makes a SQLite database with workspace ws and a London
// campaign c1, and returns its path and the workspace's admin.
func newSchedDB(t *testing.T, clk *fakeClock) (string, campaign.Actor) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "callstack.db")
	h := openSchedHost(t, path, clk)
	csvc, err := campaign.NewService(campaign.Config{Store: h.st, Clock: clk.Now})
	require.NoError(t, err)
	w, err := csvc.CreateWorkspace(ctx, campaign.Member{UserID: "u"}, campaign.Workspace{ID: "ws", Name: "W"})
	require.NoError(t, err)
	act := campaign.Actor{WorkspaceID: w.ID, UserID: "u"}
	_, err = csvc.CreateCampaign(ctx, act, campaign.Campaign{ID: "c1", Name: "C", Timezone: "Europe/London"})
	require.NoError(t, err)
	require.NoError(t, h.st.Close())
	return path, act
}

func (h *schedHost) sent() int {
	h.snd.mu.Lock()
	defer h.snd.mu.Unlock()
	return len(h.snd.sent)
}

// A schedule outlives its scheduler: added by one host, it is delivered by
// another opened after the first stopped, once per due time; after
// downtime spanning several fire times it catches up once and is next due
// at its first fire time after now.
func TestSchedulerRestartDeliversOnce(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC) // a Monday, 13:00 BST
	clk := &fakeClock{t: start}
	path, act := newSchedDB(t, clk)

	h1 := openSchedHost(t, path, clk)
	sch := report.Schedule{ID: "daily", CampaignID: "c1", Trigger: report.TriggerCron, Cron: "0 14 * * *", Recipients: []string{"a@example.com"}}
	require.NoError(t, h1.sc.Add(ctx, act, sch))
	clk.Advance(30 * time.Minute)
	require.NoError(t, h1.sc.Tick(ctx))
	require.Zero(t, h1.sent(), "not due yet")
	require.NoError(t, h1.st.Close()) // the host stops

	// The next run falls due while no scheduler runs; a new host sends it
	// once, however many times it ticks.
	clk.Advance(45 * time.Minute)
	h2 := openSchedHost(t, path, clk)
	list, err := h2.sc.List(ctx, act, "")
	require.NoError(t, err)
	require.Len(t, list, 1, "the schedule survived the restart")
	assert.Equal(t, time.Date(2026, 5, 4, 13, 0, 0, 0, time.UTC), list[0].Next)
	for range 3 {
		require.NoError(t, h2.sc.Tick(ctx))
	}
	assert.Equal(t, 1, h2.sent(), "the run missed while down is delivered once")
	next, err := h2.sc.Next(ctx, "ws", "daily")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 5, 5, 13, 0, 0, 0, time.UTC), next)
	require.NoError(t, h2.st.Close())

	// Down for three fire times: one catch-up delivery, for the first
	// missed, then due at the next fire time after now.
	clk.Advance(50 * time.Hour) // Wed 15:45 UTC
	h3 := openSchedHost(t, path, clk)
	require.NoError(t, h3.sc.Tick(ctx))
	require.NoError(t, h3.sc.Tick(ctx))
	assert.Equal(t, 1, h3.sent(), "catch up once, not once per missed fire time")
	hist, err := h3.st.ListDeliveries(ctx, "ws", 0)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, time.Date(2026, 5, 5, 13, 0, 0, 0, time.UTC), hist[0].Due, "the first fire time missed")
	next, err = h3.sc.Next(ctx, "ws", "daily")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 5, 7, 13, 0, 0, 0, time.UTC), next)

	// Removed: never sent again, by any host.
	require.NoError(t, h3.sc.Remove(ctx, act, "", "daily"))
	assert.ErrorIs(t, h3.sc.Remove(ctx, act, "", "daily"), campaign.ErrNotFound)
	clk.Advance(48 * time.Hour)
	require.NoError(t, h3.sc.Tick(ctx))
	assert.Equal(t, 1, h3.sent())
}

// Two hosts whose schedulers share one store deliver each run once: the
// due time is claimed in the store before it is sent.
func TestSchedulersSharingAStoreDeliverOnce(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	clk := &fakeClock{t: start}
	path, act := newSchedDB(t, clk)
	a, b := openSchedHost(t, path, clk), openSchedHost(t, path, clk)
	require.NoError(t, a.sc.Add(ctx, act, report.Schedule{ID: "daily", CampaignID: "c1", Trigger: report.TriggerCron,
		Cron: "0 14 * * *", Recipients: []string{"a@example.com"}}))
	const days = 4
	for range days {
		clk.Advance(24 * time.Hour)
		var wg sync.WaitGroup
		for _, h := range []*schedHost{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, h.sc.Tick(ctx))
			}()
		}
		wg.Wait()
	}
	assert.Equal(t, days, a.sent()+b.sent(), "one delivery a day between the two hosts")
	hist, err := b.st.ListDeliveries(ctx, "ws", 0)
	require.NoError(t, err)
	assert.Len(t, hist, days)
	seen := map[time.Time]bool{}
	for _, d := range hist {
		assert.False(t, seen[d.Due], "due %s sent twice", d.Due)
		seen[d.Due] = true
	}
}
