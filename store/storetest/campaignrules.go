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
	{"QueueActionsAudited", testQueueActionsAudited},
	{"EraseMasksAttemptsAndBlocks", testEraseMasksAttemptsAndBlocks},
	{"GoalsPrimaryAndScores", testGoalsPrimaryAndScores},
	{"WorkspaceMetricsByPeriod", testWorkspaceMetricsByPeriod},
	{"ChangeFeed", testChangeFeed},
	{"ChangeFeedFollowResume", testChangeFeedFollowResume},
	{"ImportStatusHeld", testImportStatusHeld},
	{"ActivateContactsBulk", testActivateContactsBulk},
	{"NamedSuppressionLists", testNamedSuppressionLists},
	{"AssignedAgentStored", testAssignedAgentStored},
}

// reports returns a report service over the harness's store and clock.
func (x *queueHarness) reports() *report.Service {
	x.t.Helper()
	rep, err := report.NewService(report.Config{Store: x.store, Clock: x.clock.Now})
	require.NoError(x.t, err)
	return rep
}

func runCampaignRuleTests(t *testing.T, newStore NewStore) {
	runQueueSuite(t, newStore, campaignRuleTests)
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
		c.Settings.Content = campaign.Content{Script: "Hi {{first_name|there}}, about {{custom.plan}}", Missing: campaign.MissingBlank}
		c.Settings.CallerIDPool = campaign.CallerIDPoolSettings{Rotation: "lowest_spam", DailyCap: 40, SpamThreshold: 5}
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
	assert.Equal(t, campaign.Content{Script: "Hi {{first_name|there}}, about {{custom.plan}}", Missing: campaign.MissingBlank}, got.Settings.Content)
	assert.Equal(t, campaign.CallerIDPoolSettings{Rotation: "lowest_spam", DailyCap: 40, SpamThreshold: 5}, got.Settings.CallerIDPool)
	assert.Equal(t, campaign.Clock(19, 45), got.Settings.DialWindow.End, "a refused edit stores nothing")
	assert.Equal(t, "en-GB", got.Locale)
}

func testCampaignStatusCheck(t *testing.T, x *queueHarness) {
	rep := x.reports()
	var err error
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

func testQueueActionsAudited(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) { c.Settings.MaxAttempts = 1 })
	x.add(c, campaign.Contact{ID: "a", OwnerID: "ada"}, campaign.Contact{ID: "b", OwnerID: "ada"}, campaign.Contact{ID: "z", OwnerID: "zed"})
	audit := func() []campaign.AuditEntry {
		t.Helper()
		as, err := x.store.ListAudit(x.ctx, x.admin.WorkspaceID, campaign.AuditFilter{Entity: "campaign", EntityID: string(c.ID)})
		require.NoError(t, err)
		var out []campaign.AuditEntry
		for _, a := range as {
			if len(a.Action) > 6 && a.Action[:6] == "queue." {
				out = append(out, a)
			}
		}
		return out
	}
	_, err := x.q.Redistribute(x.ctx, x.admin, c.ID, "ada", "bob")
	require.NoError(t, err)
	_, err = x.q.Redistribute(x.ctx, x.admin, c.ID, "bob", "")
	require.NoError(t, err)
	for _, l := range x.claim(c, 10) {
		x.finish(l, campaign.ResultNoAnswer, nil)
	}
	x.clock.Advance(2 * time.Hour)
	_, err = x.q.Retry(x.ctx, x.admin, c.ID, "a")
	require.NoError(t, err)
	_, err = x.q.RetryFailed(x.ctx, x.admin, c.ID)
	require.NoError(t, err)
	caller := x.member(x.admin, "caller", campaign.RoleCaller)
	_, err = x.q.RetryFailed(x.ctx, caller, c.ID)
	require.ErrorIs(t, err, campaign.ErrForbidden)

	got := audit()
	require.Len(t, got, 4, "one entry per action; a refused action writes none")
	want := []struct{ action, detail string }{
		{"queue.reassign", "from ada to bob; contacts changed: 2"},
		{"queue.redistribute", "from bob to anyone; contacts changed: 2"},
		{"queue.retry", "contacts a; contacts changed: 1"},
		{"queue.retry_failed", "status failed; contacts changed: 2"},
	}
	for i, w := range want {
		assert.Equal(t, w.action, got[i].Action)
		assert.Equal(t, w.detail, got[i].Detail)
		assert.Equal(t, x.admin.UserID, got[i].ActorID)
		assert.Equal(t, "campaign", got[i].Entity)
		assert.False(t, got[i].At.IsZero())
	}
}

func testEraseMasksAttemptsAndBlocks(t *testing.T, x *queueHarness) {
	rs := x.store
	svc, err := campaign.NewService(campaign.Config{Store: x.store, Clock: x.clock.Now, Suppressor: x.sup})
	require.NoError(t, err)
	c := x.running(func(c *campaign.Campaign) { c.Settings.MaxAttempts = 3 })
	cts := x.add(c, campaign.Contact{ID: "gone", FirstName: "Ada", Notes: "likes mornings"}, campaign.Contact{ID: "kept"})
	gone, kept := cts[0], cts[1]
	began := x.clock.Now()
	for _, l := range x.claim(c, 2) {
		require.NoError(t, x.q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultHuman, StartedAt: began,
			Outcome: campaign.OutcomeDetails{Note: "call back at her office, +14155550123", Fields: map[string]string{"email": "ada@example.com"},
				FollowUp: "send brochure to 1 Main St", MeetingBooked: true}},
			Disposition: &campaign.Disposition{ID: "sale", Final: true, Contacted: true}}))
	}
	require.NoError(t, x.qs.RecordBlocks(x.ctx, x.admin.WorkspaceID, []campaign.Block{
		{ID: "blk-gone", WorkspaceID: x.admin.WorkspaceID, CampaignID: c.ID, ContactID: gone.ID, Number: gone.Phone, Reason: "outside_legal_hours",
			Scope: campaign.BlockScopeLaw, Stage: "dial", Detail: "FL 08:00 " + gone.Phone, At: began},
		{ID: "blk-kept", WorkspaceID: x.admin.WorkspaceID, CampaignID: c.ID, ContactID: kept.ID, Number: kept.Phone, Reason: "outside_legal_hours",
			Scope: campaign.BlockScopeLaw, Stage: "dial", Detail: "FL 08:00", At: began},
	}))
	counts := func() (report.Counts, []report.BlockCount) {
		t.Helper()
		ac, err := rs.AttemptCounts(x.ctx, x.admin.WorkspaceID, c.ID, began.Add(-time.Hour), began.Add(time.Hour))
		require.NoError(t, err)
		bc, err := rs.BlockCounts(x.ctx, x.admin.WorkspaceID, c.ID)
		require.NoError(t, err)
		return ac, bc
	}
	ac0, bc0 := counts()

	_, err = svc.EraseContact(x.ctx, x.admin, gone.ID)
	require.NoError(t, err)

	atts, err := x.qs.ListAttempts(x.ctx, x.admin.WorkspaceID, queue.AttemptFilter{CampaignID: c.ID})
	require.NoError(t, err)
	require.Len(t, atts, 2, "erasure keeps every attempt row")
	for _, a := range atts {
		if a.ContactID == gone.ID {
			assert.Empty(t, a.Number)
			assert.Empty(t, a.Outcome.Note)
			assert.Empty(t, a.Outcome.Fields)
			assert.Empty(t, a.Outcome.FollowUp)
			assert.Equal(t, campaign.ResultHuman, a.Result, "what reports count stays")
			assert.Equal(t, campaign.DispositionID("sale"), a.DispositionID)
			assert.True(t, a.Outcome.MeetingBooked)
			continue
		}
		assert.Equal(t, kept.Phone, a.Number, "another contact's attempt is untouched")
		assert.NotEmpty(t, a.Outcome.Note)
	}
	bs, err := x.qs.ListBlocks(x.ctx, x.admin.WorkspaceID, queue.BlockFilter{CampaignID: c.ID})
	require.NoError(t, err)
	require.Len(t, bs, 2)
	for _, b := range bs {
		assert.Equal(t, "outside_legal_hours", b.Reason)
		if b.ContactID == gone.ID {
			assert.Empty(t, b.Number)
			assert.Empty(t, b.Detail)
		} else {
			assert.Equal(t, kept.Phone, b.Number)
		}
	}
	ac1, bc1 := counts()
	assert.Equal(t, ac0, ac1, "attempt counts stay")
	assert.Equal(t, bc0, bc1, "block counts stay")
	ms, err := x.sup.Check(x.ctx, x.admin.WorkspaceID, suppression.Query{Numbers: []string{gone.Phone}})
	require.NoError(t, err)
	assert.Contains(t, ms, gone.Phone, "the suppression entry stays, so the person is never called again")
	rec, err := x.qs.RecentAttempts(x.ctx, x.admin.WorkspaceID, []string{gone.Phone, kept.Phone}, began.Add(-time.Hour))
	require.NoError(t, err)
	assert.Empty(t, rec[gone.Phone], "no attempt is found by the erased number")
	assert.Len(t, rec[kept.Phone], 1)

	// Erasing again masks nothing more and says so in the audit log.
	_, err = svc.EraseContact(x.ctx, x.admin, gone.ID)
	require.NoError(t, err)
	as, err := x.store.ListAudit(x.ctx, x.admin.WorkspaceID, campaign.AuditFilter{Entity: "contact", EntityID: string(gone.ID)})
	require.NoError(t, err)
	var details []string
	for _, a := range as {
		if a.Action == "contact.erase_records" {
			details = append(details, a.Detail)
		}
	}
	assert.Equal(t, []string{"1 attempts, 1 blocks masked", "0 attempts, 0 blocks masked"}, details)
}

func testGoalsPrimaryAndScores(t *testing.T, x *queueHarness) {
	rep := x.reports()
	var err error
	c, err := x.svc.CreateCampaign(x.ctx, x.admin, campaign.Campaign{Name: "goals"})
	require.NoError(t, err)
	ref, err := x.svc.PutGoal(x.ctx, x.admin, campaign.Goal{CampaignID: c.ID, Kind: campaign.GoalSecondary, Title: "Referral"})
	require.NoError(t, err)
	_, err = x.svc.Transition(x.ctx, x.admin, c.ID, campaign.StatusQueued, "")
	require.ErrorIs(t, err, campaign.ErrInvalid, "goals without a primary one cannot be queued")
	assert.Contains(t, err.Error(), "exactly one active primary goal")
	meet, err := x.svc.PutGoal(x.ctx, x.admin, campaign.Goal{CampaignID: c.ID, Kind: campaign.GoalPrimary, Title: "Meeting"})
	require.NoError(t, err)
	_, err = x.svc.PutGoal(x.ctx, x.admin, campaign.Goal{CampaignID: c.ID, Kind: campaign.GoalPrimary, Title: "Demo"})
	require.ErrorIs(t, err, campaign.ErrInvalid, "a second primary goal is refused")
	assert.Contains(t, err.Error(), string(meet.ID))
	meet.Title = "Meeting booked"
	_, err = x.svc.PutGoal(x.ctx, x.admin, meet)
	require.NoError(t, err, "the primary goal itself may be edited")
	gs, err := x.store.ListGoals(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	require.Len(t, gs, 2)

	x.status(c, campaign.StatusQueued)
	c = x.status(c, campaign.StatusRunning)
	x.add(c, campaign.Contact{ID: "g1"}, campaign.Contact{ID: "g2"}, campaign.Contact{ID: "g3"})
	results := map[campaign.ContactID]map[campaign.GoalID]string{
		"g1": {meet.ID: campaign.GoalAchieved, ref.ID: campaign.GoalNotAchieved},
		"g2": {meet.ID: campaign.GoalPartial},
	}
	for _, l := range x.claim(c, 3) {
		require.NoError(t, x.q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultHuman, StartedAt: x.clock.Now(),
			Outcome: campaign.OutcomeDetails{Goals: results[l.ContactID]}}, Disposition: &campaign.Disposition{ID: "done", Final: true, Contacted: true}}))
	}
	cg, err := rep.ContactGoals(x.ctx, x.admin.WorkspaceID, c.ID, "g1")
	require.NoError(t, err)
	assert.Equal(t, results["g1"], cg.Results)
	assert.True(t, cg.Scored)
	assert.Equal(t, 50, cg.Score, "primary achieved (weight 1), secondary not (weight 1)")
	var all []campaign.ContactGoals
	require.NoError(t, rep.GoalScores(x.ctx, x.admin.WorkspaceID, c.ID, func(cg campaign.ContactGoals) error { all = append(all, cg); return nil }))
	require.Len(t, all, 2, "g3 has no goal result")
	assert.Equal(t, campaign.ContactID("g2"), all[1].ContactID)
	assert.Equal(t, 50, all[1].Score)
	cg, err = rep.ContactGoals(x.ctx, x.admin.WorkspaceID, c.ID, "g3")
	require.NoError(t, err)
	assert.False(t, cg.Scored)
}

func testWorkspaceMetricsByPeriod(t *testing.T, x *queueHarness) {
	rep := x.reports()
	t0 := x.clock.Now()
	a := x.running(nil)
	x.add(a, campaign.Contact{ID: "a1"}, campaign.Contact{ID: "a2"})
	b := x.running(nil)
	x.add(b, campaign.Contact{ID: "b1"})
	finish := func(c campaign.Campaign, meeting bool) {
		t.Helper()
		ls := x.claim(c, 1)
		require.Len(t, ls, 1)
		require.NoError(t, x.q.Finish(x.ctx, ls[0], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultHuman, StartedAt: x.clock.Now(),
			AnsweredAt: x.clock.Now(), AnsweredBy: "human", TalkDuration: time.Minute, EndedAt: x.clock.Now().Add(time.Minute),
			Outcome: campaign.OutcomeDetails{MeetingBooked: meeting}}, Disposition: &campaign.Disposition{ID: "done", Final: true, Contacted: true}}))
	}
	finish(a, true) // day one
	x.clock.Advance(24 * time.Hour)
	finish(a, false) // day two
	finish(b, false)
	x.running(nil) // created on day two, never calls

	day1, err := rep.WorkspacePeriod(x.ctx, x.admin.WorkspaceID, t0, t0.Add(24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1.0, day1.CallsCompleted.Value)
	assert.Equal(t, 1.0, day1.Active.Value)
	assert.Equal(t, 1.0, day1.Meetings.Value)
	assert.Equal(t, 1.0, day1.Conversations.Value)
	assert.Equal(t, 2.0, day1.Campaigns.Value, "campaigns created before the period's end")
	day2, err := rep.WorkspacePeriod(x.ctx, x.admin.WorkspaceID, t0.Add(24*time.Hour), t0.Add(48*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 2.0, day2.CallsCompleted.Value)
	assert.Equal(t, 2.0, day2.Active.Value)
	assert.Zero(t, day2.Meetings.Value)
	assert.Equal(t, 3.0, day2.Campaigns.Value)
	all, err := rep.Workspace(x.ctx, x.admin.WorkspaceID)
	require.NoError(t, err)
	assert.Equal(t, 3.0, all.CallsCompleted.Value)
	assert.True(t, all.From.IsZero() && all.To.IsZero())
	_, err = rep.WorkspacePeriod(x.ctx, x.admin.WorkspaceID, t0, t0)
	require.ErrorIs(t, err, report.ErrInvalid)
}
