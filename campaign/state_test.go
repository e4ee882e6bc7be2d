package campaign_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/memory"
)

func TestLookupSubdivisionSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"FL": "FL", "fl": "FL", "Florida": "FL", "FLORIDA": "FL", "  florida ": "FL", "US-FL": "FL",
		"new  york": "NY", "District of Columbia": "DC", "ontario": "ON", "Québec": "QC", "QC": "QC", "ca": "CA",
	} {
		got, ok := campaign.LookupSubdivision(in)
		require.True(t, ok, in)
		assert.Equal(t, want, got.Code, in)
	}
	for _, in := range []string{"", "Floride", "XX", "F", "Fla.", "US-ON", "Florida Keys"} {
		_, ok := campaign.LookupSubdivision(in)
		assert.False(t, ok, in)
	}
	n := 0
	for _, s := range campaign.Subdivisions() {
		if s.Country == "US" && len(s.Code) == 2 {
			n++
		}
	}
	assert.Equal(t, 56, n, "50 states, DC and 5 territories")
}

func TestContactWriteNormalisesOrRefusesAddressState(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	svc, err := campaign.NewService(campaign.Config{Store: memory.New(), Clock: func() time.Time { return now }})
	require.NoError(t, err)
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "R", Timezone: "America/New_York"})
	require.NoError(t, err)

	got, err := svc.AddContacts(ctx, admin, []campaign.Contact{{CampaignID: c.ID, Phone: "+13105550123", State: "florida"}})
	require.NoError(t, err)
	assert.Equal(t, "FL", got[0].State)

	_, err = svc.AddContacts(ctx, admin, []campaign.Contact{{CampaignID: c.ID, Phone: "+13105550124", State: "Floride"}})
	require.ErrorIs(t, err, campaign.ErrInvalid)
	assert.Contains(t, err.Error(), "State")

	_, err = svc.UpdateContact(ctx, admin, got[0].ID, func(c *campaign.Contact) error { c.State = "Atlantis"; return nil })
	require.ErrorIs(t, err, campaign.ErrInvalid)
	up, err := svc.UpdateContact(ctx, admin, got[0].ID, func(c *campaign.Contact) error { c.State = "new york"; return nil })
	require.NoError(t, err)
	assert.Equal(t, "NY", up.State)
}

func TestCampaignWindowRefusedWithClearError(t *testing.T) {
	ctx := context.Background()
	svc, err := campaign.NewService(campaign.Config{Store: memory.New()})
	require.NoError(t, err)
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	for name, tc := range map[string]struct {
		w    campaign.DialWindow
		want string
	}{
		"start after end": {campaign.DialWindow{Start: campaign.Clock(21, 0), End: campaign.Clock(9, 0)}, "21:00–09:00"},
		"empty":           {campaign.DialWindow{Start: campaign.Clock(9, 0), End: campaign.Clock(9, 0)}, "09:00–09:00"},
		"past midnight":   {campaign.DialWindow{Start: campaign.Clock(9, 0), End: campaign.Clock(25, 0)}, "Settings.DialWindow.End"},
		"bad weekday":     {campaign.DialWindow{Start: campaign.Clock(9, 0), End: campaign.Clock(17, 0), Days: []time.Weekday{9}}, "unknown weekday 9"},
		"twice":           {campaign.DialWindow{Start: campaign.Clock(9, 0), End: campaign.Clock(17, 0), Days: []time.Weekday{1, 1}}, "Monday listed twice"},
	} {
		_, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: name, Timezone: "America/New_York", Settings: campaign.Settings{DialWindow: tc.w}})
		require.ErrorIs(t, err, campaign.ErrInvalid, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
	_, err = svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "ok", Timezone: "America/New_York",
		Settings: campaign.Settings{DialWindow: campaign.DialWindow{Start: campaign.Clock(9, 0), End: campaign.Clock(24, 0)}}})
	require.NoError(t, err)
}
