package campaign_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
)

func TestPermit(t *testing.T) {
	all := []campaign.Action{
		campaign.ActionManageMembers, campaign.ActionManageWorkspace, campaign.ActionManageSuppression,
		campaign.ActionManageCampaign, campaign.ActionChangeStatus, campaign.ActionImport, campaign.ActionCampaignDNC,
		campaign.ActionEditContact, campaign.ActionEraseContact, campaign.ActionDial, campaign.ActionSaveOutcome, campaign.ActionExport,
		campaign.ActionView,
	}
	allowed := map[campaign.Role][]campaign.Action{
		campaign.RoleTeamAdmin: all,
		campaign.RoleCampaignManager: {campaign.ActionManageCampaign, campaign.ActionChangeStatus, campaign.ActionImport, campaign.ActionCampaignDNC,
			campaign.ActionEditContact, campaign.ActionEraseContact, campaign.ActionDial, campaign.ActionSaveOutcome, campaign.ActionExport, campaign.ActionView},
		campaign.RoleCaller: {campaign.ActionEditContact, campaign.ActionDial, campaign.ActionSaveOutcome, campaign.ActionView},
		campaign.RoleViewer: {campaign.ActionView},
		"intruder":          nil,
	}
	for role, ok := range allowed {
		for _, a := range all {
			err := campaign.Permit(role, a)
			want := false
			for _, x := range ok {
				want = want || x == a
			}
			if want {
				assert.NoError(t, err, "%s %s", role, a)
				continue
			}
			require.ErrorIs(t, err, campaign.ErrForbidden, "%s %s", role, a)
			assert.Contains(t, err.Error(), string(role))
			assert.Contains(t, err.Error(), string(a))
		}
	}
}

func TestCheckTransition(t *testing.T) {
	st := []campaign.Status{campaign.StatusDraft, campaign.StatusQueued, campaign.StatusRunning, campaign.StatusPaused,
		campaign.StatusCompleted, campaign.StatusCancelled, campaign.StatusArchived}
	legal := map[[2]campaign.Status]bool{
		{campaign.StatusDraft, campaign.StatusQueued}: true, {campaign.StatusDraft, campaign.StatusCancelled}: true, {campaign.StatusDraft, campaign.StatusArchived}: true,
		{campaign.StatusQueued, campaign.StatusRunning}: true, {campaign.StatusQueued, campaign.StatusDraft}: true, {campaign.StatusQueued, campaign.StatusCancelled}: true,
		{campaign.StatusRunning, campaign.StatusPaused}: true, {campaign.StatusRunning, campaign.StatusCompleted}: true, {campaign.StatusRunning, campaign.StatusCancelled}: true,
		{campaign.StatusPaused, campaign.StatusRunning}: true, {campaign.StatusPaused, campaign.StatusCompleted}: true, {campaign.StatusPaused, campaign.StatusCancelled}: true,
		{campaign.StatusCompleted, campaign.StatusArchived}: true, {campaign.StatusCancelled, campaign.StatusArchived}: true,
	}
	for _, from := range st[:6] {
		for _, to := range st {
			err := campaign.CheckTransition(campaign.Campaign{Status: from}, to)
			if legal[[2]campaign.Status{from, to}] {
				assert.NoError(t, err, "%s→%s", from, to)
			} else {
				assert.ErrorIs(t, err, campaign.ErrInvalidTransition, "%s→%s", from, to)
			}
		}
	}
	archived := campaign.Campaign{Status: campaign.StatusArchived, ArchivedFrom: campaign.StatusCancelled}
	assert.NoError(t, campaign.CheckTransition(archived, campaign.StatusCancelled))
	assert.ErrorIs(t, campaign.CheckTransition(archived, campaign.StatusDraft), campaign.ErrInvalidTransition)
	assert.ErrorIs(t, campaign.CheckTransition(archived, campaign.StatusRunning), campaign.ErrInvalidTransition)
}

func validCampaign() campaign.Campaign {
	return campaign.Campaign{ID: "c", WorkspaceID: "w", Name: "n", DefaultRegion: "US", Timezone: "America/New_York",
		Health: campaign.HealthUnknown, Status: campaign.StatusDraft, Settings: campaign.Settings{}.WithDefaults("US")}
}

func TestSettingsDefaults(t *testing.T) {
	s := campaign.Settings{}.WithDefaults("CA")
	assert.Equal(t, campaign.DialProgressive, s.DialMode)
	assert.Equal(t, 25*time.Second, s.RingTimeout)
	assert.Equal(t, campaign.Clock(9, 0), s.DialWindow.Start)
	assert.Equal(t, campaign.Clock(21, 0), s.DialWindow.End)
	assert.Len(t, s.DialWindow.Days, 7)
	assert.Equal(t, []string{"CA"}, s.AllowedCountries)
	assert.Equal(t, 0.03, s.AbandonCap)
	assert.Equal(t, 30*24*time.Hour, s.AbandonWindow)
	assert.Equal(t, campaign.AbandonSuccessive, s.AbandonPeriod)
	assert.Equal(t, campaign.DefaultLaneOrder(), s.LaneOrder)
	assert.Equal(t, campaign.LaneCallback, s.LaneOrder[0], "due callbacks first")
	assert.Equal(t, campaign.ConsentNone, s.RequiredConsent)
	ai := campaign.Settings{Voice: campaign.VoiceAI}.WithDefaults("US")
	assert.Equal(t, campaign.ConsentExpress, ai.RequiredConsent, "AI voices need prior express consent by default")
	require.NoError(t, validCampaign().Validate())
}

func TestCampaignValidateNamesField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*campaign.Campaign)
	}{
		{"Name", func(c *campaign.Campaign) { c.Name = "" }},
		{"Timezone", func(c *campaign.Campaign) { c.Timezone = "Mars/Olympus" }},
		{"DefaultRegion", func(c *campaign.Campaign) { c.DefaultRegion = "usa" }},
		{"Deadline", func(c *campaign.Campaign) {
			c.StartDate = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			c.Deadline = c.StartDate.Add(-time.Hour)
		}},
		{"Settings.RingTimeout", func(c *campaign.Campaign) { c.Settings.RingTimeout = 14 * time.Second }},
		{"Settings.DialMode", func(c *campaign.Campaign) { c.Settings.DialMode = "turbo" }},
		{"Settings.CallRatio", func(c *campaign.Campaign) { c.Settings.CallRatio = 0.5 }},
		{"Settings.AbandonCap", func(c *campaign.Campaign) { c.Settings.AbandonCap = 0.2 }},
		{"Settings.DialWindow.End", func(c *campaign.Campaign) { c.Settings.DialWindow.End = c.Settings.DialWindow.Start }},
		{"Settings.RequiredConsent", func(c *campaign.Campaign) {
			c.Settings.Voice, c.Settings.RequiredConsent = campaign.VoicePrerecorded, campaign.ConsentNone
		}},
		{"Settings.LaneOrder[1]", func(c *campaign.Campaign) {
			c.Settings.LaneOrder = []campaign.Lane{campaign.LaneNew, campaign.LaneNew}
		}},
		{"Settings.CallerIDs[0]", func(c *campaign.Campaign) { c.Settings.CallerIDs = []string{"415-555-0100"} }},
		{"Settings.RetryConditions[0]", func(c *campaign.Campaign) { c.Settings.RetryConditions = []campaign.Result{campaign.ResultHuman} }},
		{"Settings.FallbackZone", func(c *campaign.Campaign) { c.Settings.FallbackZone = "EST" + "-nope" }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			c := validCampaign()
			tc.edit(&c)
			err := c.Validate()
			require.ErrorIs(t, err, campaign.ErrInvalid)
			var ve *campaign.ValidationError
			require.True(t, errors.As(err, &ve))
			fields := make([]string, len(ve.Problems))
			for i, p := range ve.Problems {
				fields[i] = p.Field
			}
			assert.Contains(t, fields, tc.field)
		})
	}
}

func TestConsentSatisfies(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	express := campaign.Consent{Kind: campaign.ConsentExpress}
	written := campaign.Consent{Kind: campaign.ConsentExpressWritten}
	revoked := campaign.Consent{Kind: campaign.ConsentExpressWritten, RevokedAt: now}
	assert.True(t, campaign.Consent{Kind: campaign.ConsentNone}.Satisfies(campaign.ConsentNone))
	assert.False(t, campaign.Consent{Kind: campaign.ConsentNone}.Satisfies(campaign.ConsentExpress))
	assert.True(t, express.Satisfies(campaign.ConsentExpress))
	assert.False(t, express.Satisfies(campaign.ConsentExpressWritten))
	assert.True(t, written.Satisfies(campaign.ConsentExpress))
	assert.False(t, revoked.Satisfies(campaign.ConsentExpress), "revoked consent satisfies nothing")
	assert.True(t, revoked.Satisfies(campaign.ConsentNone))
}

func TestScheduleOpenAcrossDST(t *testing.T) {
	s := campaign.Schedule{ID: "s", WorkspaceID: "w", Timezone: "America/New_York",
		Hours: map[time.Weekday][]campaign.Interval{
			time.Sunday: {{Start: campaign.Clock(9, 0), End: campaign.Clock(17, 0)}},
			time.Monday: {{Start: campaign.Clock(9, 0), End: campaign.Clock(12, 0)}, {Start: campaign.Clock(13, 0), End: campaign.Clock(17, 0)}},
		},
		Exceptions: []campaign.ScheduleException{{Date: "2026-03-09"}},
	}
	require.NoError(t, s.Validate())
	// 2026-03-08 is the US spring-forward day: 09:00 EDT is 13:00 UTC.
	assert.False(t, s.Open(time.Date(2026, 3, 8, 12, 59, 0, 0, time.UTC)))
	assert.True(t, s.Open(time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC)))
	// The Monday after is closed by exception; the one after that is open but not at lunch.
	assert.False(t, s.Open(time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC)))
	assert.True(t, s.Open(time.Date(2026, 3, 16, 14, 0, 0, 0, time.UTC)))
	assert.False(t, s.Open(time.Date(2026, 3, 16, 16, 30, 0, 0, time.UTC)))
	// After fall-back, 09:00 EST is 14:00 UTC.
	assert.False(t, s.Open(time.Date(2026, 11, 1, 13, 30, 0, 0, time.UTC)))
	assert.True(t, s.Open(time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC)))
	bad := s
	bad.Timezone = "Nowhere/Land"
	assert.False(t, bad.Open(time.Date(2026, 3, 16, 14, 0, 0, 0, time.UTC)), "an unknown zone is closed")
}

func TestContactErased(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := campaign.Contact{ID: "c", WorkspaceID: "w", FirstName: "A", Phone: "+14155550123", Email: "a@b.co", Attempts: 2,
		Status: campaign.ContactRetry, Consent: campaign.Consent{Kind: campaign.ConsentExpress, Scope: campaign.ConsentScopeAny}}
	e := c.Erased(now)
	assert.Empty(t, e.FirstName)
	assert.Empty(t, e.Phone)
	assert.Equal(t, 2, e.Attempts)
	assert.Equal(t, campaign.ContactDNC, e.Status)
	assert.Equal(t, now, e.Consent.RevokedAt)
	require.NoError(t, e.Validate(), "an erased contact stays valid without a phone")
	dialing := c
	dialing.Status = campaign.ContactDialing
	assert.Equal(t, campaign.ContactDialing, dialing.Erased(now).Status, "a live call keeps its state until it ends")
}

func TestListAndDispositionValidate(t *testing.T) {
	l := campaign.List{ID: "l", WorkspaceID: "w", Name: "x", Priority: 101, DupeDays: 90}
	require.ErrorIs(t, l.Validate(), campaign.ErrInvalid)
	l.Priority, l.DupeDays = 10, -2
	assert.ErrorContains(t, l.Validate(), "DupeDays")
	d := campaign.Disposition{ID: "d", WorkspaceID: "w", CampaignID: "c", Title: "DNC", DNC: true}
	assert.ErrorContains(t, d.Validate(), "DNC disposition must be final")
	a := campaign.Analysis{ID: "a", WorkspaceID: "w", CampaignID: "c", Question: "q", Kind: campaign.AnalysisSingleChoice, Choices: []string{"one"}}
	assert.ErrorContains(t, a.Validate(), "Choices")
}

func TestNewIDSortsByTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := campaign.NewID("ct", t0)
	b := campaign.NewID("ct", t0.Add(time.Millisecond))
	assert.Less(t, a, b)
	assert.NotEqual(t, campaign.NewID("ct", t0), campaign.NewID("ct", t0))
}
