package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/report"
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
	{"CampaignConfigLock", testCampaignConfigLock},
	{"CampaignStatusCheck", testCampaignStatusCheck},
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

func testCampaignConfigLock(t *testing.T, x *queueHarness) {
	c, err := x.svc.CreateCampaign(x.ctx, x.admin, fullCampaign(x.harness))
	require.NoError(t, err)
	edit := func(f func(*campaign.Campaign)) error {
		t.Helper()
		_, err := x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, func(c *campaign.Campaign) error { f(c); return nil })
		return err
	}
	locked := func(err error, field string, status campaign.Status) {
		t.Helper()
		var le *campaign.LockedError
		require.True(t, errors.As(err, &le), "want a LockedError for %s, got %v", field, err)
		require.ErrorIs(t, err, campaign.ErrLocked)
		assert.Equal(t, field, le.Field)
		assert.Equal(t, status, le.Status)
		assert.Contains(t, err.Error(), field)
		if status != "" && len(le.EditableIn) > 0 {
			assert.Contains(t, err.Error(), string(status))
		}
	}

	// Draft: configuration is editable, the locale is not.
	require.NoError(t, edit(func(c *campaign.Campaign) {
		c.Settings.DialMode = campaign.DialPower
		c.StartDate = c.StartDate.Add(time.Hour)
	}))
	err = edit(func(c *campaign.Campaign) { c.Locale = "fr-FR" })
	locked(err, "Locale", campaign.StatusDraft)
	assert.Contains(t, err.Error(), "fixed when the campaign is created")
	require.NoError(t, edit(func(*campaign.Campaign) {}), "a no-op edit changes nothing, whatever the store's round trip")

	// Queued: configuration is locked (back to Draft to edit); bookkeeping is not.
	c = x.status(c, campaign.StatusQueued)
	locked(edit(func(c *campaign.Campaign) { c.Settings.MaxConcurrentCalls = 5 }), "Settings.MaxConcurrentCalls", campaign.StatusQueued)
	locked(edit(func(c *campaign.Campaign) { c.Settings.CallerIDs[0] = "+14155550199" }), "Settings.CallerIDs", campaign.StatusQueued)
	require.NoError(t, edit(func(c *campaign.Campaign) { c.Name, c.Notes = "Spring renewals II", "renamed" }))
	as, err := x.store.ListAudit(x.ctx, x.admin.WorkspaceID, campaign.AuditFilter{Entity: "campaign", EntityID: string(c.ID)})
	require.NoError(t, err)
	assert.Equal(t, "Name, Notes", as[len(as)-1].Detail, "the audit entry names the fields changed")

	// Running: only bookkeeping.
	c = x.status(c, campaign.StatusRunning)
	locked(edit(func(c *campaign.Campaign) { c.Deadline = c.Deadline.Add(time.Hour) }), "Deadline", campaign.StatusRunning)
	locked(edit(func(c *campaign.Campaign) { c.Settings.DialMode = campaign.DialProgressive }), "Settings.DialMode", campaign.StatusRunning)
	require.NoError(t, edit(func(c *campaign.Campaign) { c.Health = campaign.HealthOnTrack }))
	require.NoError(t, edit(func(*campaign.Campaign) {}))

	// Paused: what is safe mid-campaign.
	c = x.status(c, campaign.StatusPaused)
	require.NoError(t, edit(func(c *campaign.Campaign) {
		c.Settings.MaxConcurrentCalls, c.Settings.CallerIDs = 12, []string{"+14155550177"}
		c.Deadline = c.Deadline.Add(24 * time.Hour)
	}))
	for field, f := range map[string]func(*campaign.Campaign){
		"Settings.DialWindow":  func(c *campaign.Campaign) { c.Settings.DialWindow.End = campaign.Clock(18, 0) },
		"Settings.MaxAttempts": func(c *campaign.Campaign) { c.Settings.MaxAttempts = 9 },
		"Settings.LaneOrder":   func(c *campaign.Campaign) { c.Settings.LaneOrder = campaign.DefaultLaneOrder() },
		"Timezone":             func(c *campaign.Campaign) { c.Timezone = "America/New_York" },
		"StartDate":            func(c *campaign.Campaign) { c.StartDate = time.Time{} },
		"Client":               func(c *campaign.Campaign) { c.Client = "Initech" },
		"Locale":               func(c *campaign.Campaign) { c.Locale = "en-US" },
	} {
		want := campaign.StatusPaused
		locked(edit(f), field, want)
	}
	got, err := x.store.GetCampaign(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 12, got.Settings.MaxConcurrentCalls)
	assert.Equal(t, campaign.Clock(19, 45), got.Settings.DialWindow.End, "a refused edit stores nothing")
	assert.Equal(t, "en-GB", got.Locale)
}

func testCampaignStatusCheck(t *testing.T, x *queueHarness) {
	rs, ok := x.store.(report.Store)
	if !ok {
		t.Skipf("capability: %T does not implement report.Store yet", x.store)
	}
	rep, err := report.NewService(report.Config{Store: rs, Clock: x.clock.Now})
	require.NoError(t, err)
	check := func(c campaign.Campaign, live campaign.Liveness, reason string) campaign.StatusCheck {
		t.Helper()
		sc, err := rep.Status(x.ctx, c.WorkspaceID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, live, sc.Live, "%+v", sc)
		assert.Equal(t, reason, sc.Reason, "%+v", sc)
		return sc
	}
	now := x.clock.Now()

	draft, err := x.svc.CreateCampaign(x.ctx, x.admin, campaign.Campaign{Name: "draft"})
	require.NoError(t, err)
	check(draft, campaign.LiveInactive, "draft")
	later, err := x.svc.CreateCampaign(x.ctx, x.admin, campaign.Campaign{Name: "later", StartDate: now.Add(time.Hour)})
	require.NoError(t, err)
	x.add(later, campaign.Contact{})
	later = x.status(later, campaign.StatusQueued)
	check(later, campaign.LiveInactive, campaign.ReasonBeforeStart)

	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a"}, campaign.Contact{ID: "b"})
	sc := check(c, campaign.LiveStopped, "")
	assert.Equal(t, int64(2), sc.Remaining)

	ls := x.claim(c, 2)
	require.Len(t, ls, 2)
	check(c, campaign.LiveStopped, "") // leased ahead, nothing dialled yet
	require.NoError(t, x.q.BeginAttempt(x.ctx, ls[0], queue.Dial{AttemptID: "att-1", CallerID: "+14155550100"}))
	sc = check(c, campaign.LiveRunning, "")
	assert.Equal(t, int64(1), sc.InCall)
	x.status(c, campaign.StatusPaused)
	check(c, campaign.LiveRunning, "") // the paused campaign's last call is still live

	final := &campaign.Disposition{ID: "sale", Final: true, Contacted: true}
	x.finish(ls[0], campaign.ResultHuman, final)
	require.NoError(t, x.q.Release(x.ctx, ls[1]))
	sc = check(c, campaign.LiveStopped, "paused")
	assert.Equal(t, int64(1), sc.Remaining)
	assert.Zero(t, sc.InCall)

	x.status(c, campaign.StatusRunning)
	l := x.claim(c, 1)
	require.Len(t, l, 1)
	x.finish(l[0], campaign.ResultHuman, final)
	check(c, campaign.LiveCompleted, "")

	// The deadline ends dialing: the check shows it before and after the
	// engine completes the campaign.
	d := x.running(func(c *campaign.Campaign) { c.Deadline = now.Add(time.Hour) })
	x.add(d, campaign.Contact{})
	check(d, campaign.LiveStopped, "")
	x.clock.Advance(time.Hour)
	check(d, campaign.LiveInactive, campaign.ReasonAfterDeadline)
	_, err = x.svc.TransitionAsSystem(x.ctx, d.WorkspaceID, d.ID, campaign.StatusCompleted, campaign.ReasonAfterDeadline)
	require.NoError(t, err)
	check(d, campaign.LiveInactive, campaign.ReasonAfterDeadline)
	check(x.status(x.running(nil), campaign.StatusCancelled), campaign.LiveInactive, "cancelled")
}
