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

// misuseWorld is a workspace with one draft campaign on the memory store.
func misuseWorld(t *testing.T) (context.Context, *campaign.Service, campaign.Actor, campaign.Campaign) {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	svc, err := campaign.NewService(campaign.Config{Store: memory.New(), Clock: clock})
	require.NoError(t, err)
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals"})
	require.NoError(t, err)
	return ctx, svc, admin, c
}

// TestListContactsRefusesABadFilter: an unknown status (the retired
// "called" included) or a page size out of range is an error, not an empty
// page a paging loop would take for the end.
func TestListContactsRefusesABadFilter(t *testing.T) {
	ctx, svc, admin, c := misuseWorld(t)
	for _, f := range []campaign.ContactFilter{
		{CampaignID: c.ID, Status: "bogus"},
		{CampaignID: c.ID, Status: campaign.ContactCalled},
		{CampaignID: c.ID, Limit: -5},
		{CampaignID: c.ID, Limit: 5000},
	} {
		_, err := svc.ListContacts(ctx, admin, f)
		assert.ErrorIs(t, err, campaign.ErrInvalid, "%+v", f)
	}
	_, err := svc.ListContacts(ctx, admin, campaign.ContactFilter{CampaignID: c.ID, Status: campaign.ContactHeld, Limit: 1000})
	require.NoError(t, err)
}

// TestUpdateCampaignRefusesAnIdentityChange: an edit that moves a campaign
// to another workspace or renames its ID is refused, not silently undone.
func TestUpdateCampaignRefusesAnIdentityChange(t *testing.T) {
	ctx, svc, admin, c := misuseWorld(t)
	_, err := svc.UpdateCampaign(ctx, admin, c.ID, func(x *campaign.Campaign) error { x.WorkspaceID = "ws_other"; return nil })
	assert.ErrorIs(t, err, campaign.ErrInvalid)
	_, err = svc.UpdateCampaign(ctx, admin, c.ID, func(x *campaign.Campaign) error { x.ID = "cmp_other"; return nil })
	assert.ErrorIs(t, err, campaign.ErrInvalid)
	got, err := svc.UpdateCampaign(ctx, admin, c.ID, func(x *campaign.Campaign) error { x.Name = "Renewals 2"; return nil })
	require.NoError(t, err)
	assert.Equal(t, "Renewals 2", got.Name)
}

// TestFeedRefusesABadQuery: a position the feed never gave, a page size
// out of range and a campaign the workspace lacks are errors, not a replay
// from the start or an empty page; pruning a feed with no event yet is no
// error (the memory store once panicked on it).
func TestFeedRefusesABadQuery(t *testing.T) {
	ctx, svc, admin, c := misuseWorld(t)
	n, err := svc.PruneFeed(ctx, admin, time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Zero(t, n)
	for _, q := range []campaign.FeedQuery{
		{After: campaign.FeedPosition{Tx: -5, Seq: -1}},
		{After: campaign.FeedPosition{Seq: -1}},
		{Limit: -1},
		{Limit: 1001},
	} {
		_, err := svc.ReadFeed(ctx, admin, q)
		assert.ErrorIs(t, err, campaign.ErrInvalid, "%+v", q)
	}
	_, err = svc.ReadFeed(ctx, admin, campaign.FeedQuery{CampaignID: "cmp_nope"})
	assert.ErrorIs(t, err, campaign.ErrNotFound)
	evs, err := svc.ReadFeed(ctx, admin, campaign.FeedQuery{CampaignID: c.ID})
	require.NoError(t, err)
	assert.Empty(t, evs, "a draft campaign has no status change yet")
}

// TestActivateRefusesAFinishedCampaign: activating held contacts of a
// campaign that will never run again is refused, not reported as done.
func TestActivateRefusesAFinishedCampaign(t *testing.T) {
	ctx, svc, admin, c := misuseWorld(t)
	_, err := svc.Transition(ctx, admin, c.ID, campaign.StatusCancelled, "")
	require.NoError(t, err)
	_, err = svc.ActivateContacts(ctx, admin, c.ID, "")
	assert.ErrorIs(t, err, campaign.ErrInvalidTransition)
}
