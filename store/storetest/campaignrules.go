package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
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
