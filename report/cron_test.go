package report_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

func nyc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	return loc
}

// firesOn returns the fire times of next on the local date of day.
func firesOn(loc *time.Location, next func(time.Time) time.Time, day string) []time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, day, loc)
	var out []time.Time
	for t := next(d.Add(-26 * time.Hour)); !t.IsZero() && t.Before(d.Add(50*time.Hour)); t = next(t) {
		if t.In(loc).Format(time.DateOnly) == day {
			out = append(out, t)
		}
	}
	return out
}

// TestRobfigDSTBehaviour pins down what robfig/cron's own schedule does on
// New York's 2026 daylight-saving days, which is why CronSchedule does not
// use it directly: it skips 02:30 on the spring-forward day and fires 01:30
// twice on the fall-back day.
func TestRobfigDSTBehaviour(t *testing.T) {
	loc := nyc(t)
	s230, err := cron.ParseStandard("CRON_TZ=America/New_York 30 2 * * *")
	require.NoError(t, err)
	s130, err := cron.ParseStandard("CRON_TZ=America/New_York 30 1 * * *")
	require.NoError(t, err)
	assert.Empty(t, firesOn(loc, s230.Next, "2026-03-08"), "robfig skips the non-existent 02:30")
	assert.Len(t, firesOn(loc, s130.Next, "2026-11-01"), 2, "robfig fires the repeated 01:30 twice")
	assert.Len(t, firesOn(loc, s230.Next, "2026-11-01"), 1)
	assert.Len(t, firesOn(loc, s130.Next, "2026-03-08"), 1)
}

func TestCronScheduleDST(t *testing.T) {
	loc := nyc(t)
	for _, tc := range []struct {
		spec, day string
		want      string // local wall time of the one fire
	}{
		{"30 2 * * *", "2026-03-08", "03:30 EDT"}, // 02:30 does not exist: shifted by the gap
		{"30 1 * * *", "2026-03-08", "01:30 EST"},
		{"30 2 * * *", "2026-11-01", "02:30 EST"},
		{"30 1 * * *", "2026-11-01", "01:30 EDT"}, // repeated: the first occurrence only
		{"CRON_TZ=America/New_York 30 2 * * *", "2026-03-08", "03:30 EDT"},
		{"CRON_TZ=America/New_York 30 1 * * *", "2026-11-01", "01:30 EDT"},
	} {
		s, err := report.ParseCron(tc.spec, loc)
		require.NoError(t, err)
		got := firesOn(loc, s.Next, tc.day)
		require.Len(t, got, 1, "%s on %s: %v", tc.spec, tc.day, got)
		assert.Equal(t, tc.want, got[0].In(loc).Format("15:04 MST"), tc.spec)
		// Every neighbouring day fires once too.
		for _, d := range []string{"2026-03-07", "2026-03-09", "2026-10-31", "2026-11-02"} {
			assert.Len(t, firesOn(loc, s.Next, d), 1, "%s on %s", tc.spec, d)
		}
	}
	// A zone prefix overrides the default zone.
	s, err := report.ParseCron("CRON_TZ=Asia/Kolkata 0 9 * * 1", time.UTC)
	require.NoError(t, err)
	next := s.Next(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) // a Monday
	assert.Equal(t, time.Date(2026, 6, 1, 3, 30, 0, 0, time.UTC), next.UTC())
	_, err = report.ParseCron("CRON_TZ=Nowhere/City 0 9 * * *", time.UTC)
	assert.ErrorIs(t, err, report.ErrInvalid)
	_, err = report.ParseCron("61 * * * *", time.UTC)
	assert.ErrorIs(t, err, report.ErrInvalid)
}

// fakeClock is a manual clock; Sleep advances it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

// recSender records messages and fails the first failures sends.
type recSender struct {
	mu       sync.Mutex
	failures int
	sent     []report.Message
	tries    int
}

func (r *recSender) Send(_ context.Context, m report.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if r.tries <= r.failures {
		return errors.New("451 try again later")
	}
	r.sent = append(r.sent, m)
	return nil
}

func TestSchedulerDSTDaysFireOnce(t *testing.T) {
	ctx := context.Background()
	loc := nyc(t)
	for _, tc := range []struct {
		trigger report.Trigger
		cron    string
		from    time.Time
		day     string
	}{
		{report.TriggerCron, "30 2 * * *", time.Date(2026, 3, 6, 12, 0, 0, 0, loc), "2026-03-08"},
		{report.TriggerCron, "30 1 * * *", time.Date(2026, 10, 30, 12, 0, 0, 0, loc), "2026-11-01"},
		{report.TriggerCron, "CRON_TZ=America/New_York 30 1 * * *", time.Date(2026, 3, 6, 12, 0, 0, 0, loc), "2026-03-08"},
		{report.TriggerCron, "30 2 * * *", time.Date(2026, 10, 30, 12, 0, 0, 0, loc), "2026-11-01"},
		{report.TriggerMidnight, "", time.Date(2026, 3, 6, 12, 0, 0, 0, loc), "2026-03-08"},
		{report.TriggerMidnight, "", time.Date(2026, 10, 30, 12, 0, 0, 0, loc), "2026-11-01"},
		{report.TriggerWindowEnd, "", time.Date(2026, 10, 30, 12, 0, 0, 0, loc), "2026-11-01"},
	} {
		clk := &fakeClock{t: tc.from.UTC()}
		s := newSmall(t, "America/New_York", tc.from, campaign.Settings{})
		svc, err := report.NewService(report.Config{Store: s.st, Clock: clk.Now, Authorizer: s.svc})
		require.NoError(t, err)
		snd := &recSender{}
		sc, err := report.NewScheduler(report.SchedulerConfig{Service: svc, Sender: snd, Sleep: clk.Sleep})
		require.NoError(t, err)
		require.NoError(t, sc.Add(ctx, s.act, report.Schedule{ID: "daily", WorkspaceID: s.ws, CampaignID: s.c.ID,
			Trigger: tc.trigger, Cron: tc.cron, Recipients: []string{"client@example.com"}}))
		// Tick every minute for four days.
		for range 4 * 24 * 60 {
			clk.Advance(time.Minute)
			require.NoError(t, sc.Tick(ctx))
		}
		perDay := map[string]int{}
		for _, m := range snd.sent {
			perDay[m.Date.In(loc).Format(time.DateOnly)]++
		}
		assert.Equal(t, 1, perDay[tc.day], "%s %q: fires once on %s: %v", tc.trigger, tc.cron, tc.day, perDay)
		assert.Len(t, perDay, 4, "%s %q: once a day: %v", tc.trigger, tc.cron, perDay)
		for d, n := range perDay {
			assert.Equal(t, 1, n, "%s %q on %s", tc.trigger, tc.cron, d)
		}
		if tc.trigger == report.TriggerWindowEnd {
			for _, m := range snd.sent {
				assert.Equal(t, "21:00", m.Date.In(loc).Format("15:04"), "the default window ends at 21:00")
			}
		}
	}
}

func TestSchedulerRetriesAndRecords(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	clk := &fakeClock{t: start}
	s := newSmall(t, "Europe/London", start, campaign.Settings{})
	svc, err := report.NewService(report.Config{Store: s.st, Clock: clk.Now, Authorizer: s.svc})
	require.NoError(t, err)
	snd := &recSender{failures: 2}
	sc, err := report.NewScheduler(report.SchedulerConfig{Service: svc, Sender: snd, Sleep: clk.Sleep, Backoff: time.Minute, MaxTries: 3})
	require.NoError(t, err)
	sch := report.Schedule{ID: "s1", WorkspaceID: s.ws, CampaignID: s.c.ID, Trigger: report.TriggerCron, Cron: "0 14 * * *", Recipients: []string{"a@example.com"}, Attach: true}
	require.NoError(t, sc.Add(ctx, s.act, sch))
	due, err := sc.Next(ctx, s.ws, "s1")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 5, 4, 13, 0, 0, 0, time.UTC), due, "14:00 BST")
	clk.Advance(time.Hour)
	require.NoError(t, sc.Tick(ctx))
	require.Len(t, snd.sent, 1)
	assert.Equal(t, start.Add(time.Hour+3*time.Minute), snd.sent[0].Date, "backoff 1m then 2m on the injected clock")
	require.Len(t, snd.sent[0].Attachments, 1)
	hist, err := svc.Store().ListDeliveries(ctx, s.ws, 0)
	require.NoError(t, err)
	require.Len(t, hist, 3)
	assert.Empty(t, hist[0].Error)
	assert.Equal(t, 3, hist[0].Try)
	assert.Contains(t, hist[1].Error, "451")
	assert.Equal(t, due, hist[2].Due)

	// Every try failing: bounded, recorded, and reported as ErrDelivery.
	snd2 := &recSender{failures: 100}
	sc2, err := report.NewScheduler(report.SchedulerConfig{Service: svc, Sender: snd2, Sleep: clk.Sleep, MaxTries: 4})
	require.NoError(t, err)
	other := sch
	other.ID = "s2"
	err = sc2.Deliver(ctx, other, clk.Now())
	assert.ErrorIs(t, err, report.ErrInvalid, "a schedule nobody added is not delivered")
	require.NoError(t, sc2.Add(ctx, s.act, sch))
	forged := sch
	forged.Recipients = []string{"thief@example.com"}
	assert.ErrorIs(t, sc2.Deliver(ctx, forged, clk.Now()), report.ErrInvalid, "nor one changed since")
	err = sc2.Deliver(ctx, sch, clk.Now())
	assert.ErrorIs(t, err, report.ErrDelivery)
	assert.Equal(t, 4, snd2.tries)
	hist, err = svc.Store().ListDeliveries(ctx, s.ws, 0)
	require.NoError(t, err)
	assert.Len(t, hist, 7)
}
