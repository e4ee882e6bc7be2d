package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/store"
)

// runScheduleTests checks the stored report schedules (report.Store's
// schedule methods): round trip and workspace scope, due listing, and the
// atomic claim that lets several schedulers share one store.
func runScheduleTests(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"RoundTrip", testReportScheduleRoundTrip},
		{"Due", testReportScheduleDue},
		{"Claim", testReportScheduleClaim},
		{"ClaimRace", testReportScheduleClaimRace},
	}
	t.Run("Schedule", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := newStore(t)
				t.Cleanup(func() { _ = s.Close() })
				tt.fn(t, s)
			})
		}
	})
}

var schedT0 = time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)

func reportSchedule(ws campaign.WorkspaceID, id report.ScheduleID, next time.Time) report.ScheduleRecord {
	return report.ScheduleRecord{Schedule: report.Schedule{ID: id, WorkspaceID: ws, CampaignID: "c-" + campaign.ID(id),
		Trigger: report.TriggerCron, Cron: "CRON_TZ=Europe/London 0 14 * * 1-5", Recipients: []string{"a@example.com", "b@example.com"},
		Subject: "Daily " + string(id), Attach: true}, Next: next}
}

func testReportScheduleRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := reportSchedule("ws-a", "s1", schedT0.In(time.FixedZone("X", 3600)))
	require.NoError(t, s.PutReportSchedule(ctx, a))
	got, err := s.GetReportSchedule(ctx, "ws-a", "s1")
	require.NoError(t, err)
	want := a
	want.Next = schedT0
	assert.Equal(t, want, got, "every field back, times in UTC")

	_, err = s.GetReportSchedule(ctx, "ws-b", "s1")
	assert.ErrorIs(t, err, campaign.ErrNotFound, "another workspace does not see it")
	b := reportSchedule("ws-b", "s1", time.Time{})
	b.Attach, b.Subject, b.Cron, b.Trigger = false, "", "", report.TriggerMidnight
	require.NoError(t, s.PutReportSchedule(ctx, b), "the same ID in another workspace is another schedule")
	got, err = s.GetReportSchedule(ctx, "ws-a", "s1")
	require.NoError(t, err)
	assert.Equal(t, want, got, "untouched by the other workspace's")
	got, err = s.GetReportSchedule(ctx, "ws-b", "s1")
	require.NoError(t, err)
	assert.Equal(t, b, got, "zero times and false stay so")

	require.NoError(t, s.PutReportSchedule(ctx, reportSchedule("ws-a", "s0", schedT0)))
	repl := a
	repl.Recipients = []string{"c@example.com"}
	repl.Next, repl.LastDue = schedT0.Add(time.Hour), schedT0.Add(-time.Hour)
	require.NoError(t, s.PutReportSchedule(ctx, repl), "put replaces")
	list, err := s.ListReportSchedules(ctx, "ws-a")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, report.ScheduleID("s0"), list[0].ID, "ordered by ID")
	assert.Equal(t, repl, list[1])

	require.ErrorIs(t, s.DeleteReportSchedule(ctx, "ws-b", "s0"), campaign.ErrNotFound, "not another workspace's")
	require.NoError(t, s.DeleteReportSchedule(ctx, "ws-a", "s1"))
	assert.ErrorIs(t, s.DeleteReportSchedule(ctx, "ws-a", "s1"), campaign.ErrNotFound)
	_, err = s.GetReportSchedule(ctx, "ws-a", "s1")
	assert.ErrorIs(t, err, campaign.ErrNotFound)
	list, err = s.ListReportSchedules(ctx, "ws-b")
	require.NoError(t, err)
	assert.Len(t, list, 1, "the other workspace's stays")
	assert.ErrorIs(t, s.PutReportSchedule(ctx, reportSchedule("", "s9", schedT0)), campaign.ErrInvalid, "a workspace is required")
}

func testReportScheduleDue(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, r := range []report.ScheduleRecord{
		reportSchedule("ws-b", "late", schedT0.Add(-time.Minute)),
		reportSchedule("ws-a", "late", schedT0.Add(-time.Minute)),
		reportSchedule("ws-a", "early", schedT0.Add(-time.Hour)),
		reportSchedule("ws-a", "now", schedT0),
		reportSchedule("ws-a", "future", schedT0.Add(time.Nanosecond)),
		reportSchedule("ws-a", "never", time.Time{}),
	} {
		require.NoError(t, s.PutReportSchedule(ctx, r))
	}
	due, err := s.DueReportSchedules(ctx, schedT0, 0)
	require.NoError(t, err)
	var keys []string
	for _, r := range due {
		keys = append(keys, string(r.WorkspaceID)+"/"+string(r.ID))
	}
	assert.Equal(t, []string{"ws-a/early", "ws-a/late", "ws-b/late", "ws-a/now"}, keys,
		"every workspace, by Next then workspace and ID; none in the future, none without a Next")
	assert.Equal(t, []string{"a@example.com", "b@example.com"}, due[0].Recipients)
	due, err = s.DueReportSchedules(ctx, schedT0, 2)
	require.NoError(t, err)
	assert.Len(t, due, 2, "limit")
}

func testReportScheduleClaim(t *testing.T, s store.Store) {
	ctx := context.Background()
	require.NoError(t, s.PutReportSchedule(ctx, reportSchedule("ws-a", "s1", schedT0)))
	next := schedT0.Add(24 * time.Hour)

	ok, err := s.ClaimReportSchedule(ctx, "ws-a", "s1", schedT0.Add(-time.Hour), next)
	require.NoError(t, err)
	assert.False(t, ok, "not a due time the schedule has")
	ok, err = s.ClaimReportSchedule(ctx, "ws-b", "s1", schedT0, next)
	require.NoError(t, err)
	assert.False(t, ok, "not another workspace's")
	ok, err = s.ClaimReportSchedule(ctx, "ws-a", "nope", schedT0, next)
	require.NoError(t, err)
	assert.False(t, ok, "not a schedule that does not exist")

	ok, err = s.ClaimReportSchedule(ctx, "ws-a", "s1", schedT0, next)
	require.NoError(t, err)
	assert.True(t, ok)
	got, err := s.GetReportSchedule(ctx, "ws-a", "s1")
	require.NoError(t, err)
	assert.Equal(t, next, got.Next)
	assert.Equal(t, schedT0, got.LastDue)
	ok, err = s.ClaimReportSchedule(ctx, "ws-a", "s1", schedT0, next)
	require.NoError(t, err)
	assert.False(t, ok, "a due time is claimed once")
	due, err := s.DueReportSchedules(ctx, next.Add(-time.Nanosecond), 0)
	require.NoError(t, err)
	assert.Empty(t, due, "claimed: not due until next")

	// A claim with no next time leaves the schedule never due again.
	ok, err = s.ClaimReportSchedule(ctx, "ws-a", "s1", next, time.Time{})
	require.NoError(t, err)
	require.True(t, ok)
	due, err = s.DueReportSchedules(ctx, next.Add(1000*time.Hour), 0)
	require.NoError(t, err)
	assert.Empty(t, due)
	ok, err = s.ClaimReportSchedule(ctx, "ws-a", "s1", time.Time{}, next)
	require.NoError(t, err)
	assert.False(t, ok, "a zero due time is never claimed")
}

func testReportScheduleClaimRace(t *testing.T, s store.Store) {
	ctx := context.Background()
	const rounds, claimers = 5, 6
	require.NoError(t, s.PutReportSchedule(ctx, reportSchedule("ws-a", "s1", schedT0)))
	for i := range rounds {
		due := schedT0.Add(time.Duration(i) * time.Hour)
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			won int
		)
		for range claimers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ClaimReportSchedule(ctx, "ws-a", "s1", due, due.Add(time.Hour))
				assert.NoError(t, err)
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, won, "round %d: exactly one claimer wins", i)
	}
}
