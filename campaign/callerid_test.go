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

// TestUpdateCallerID: a manager disables a number and records its score;
// a caller may not; a service without Config.CallerIDs says what it needs;
// bad input is refused.
func TestUpdateCallerID(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	now := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	svc, err := campaign.NewService(campaign.Config{Store: st, Clock: func() time.Time { return now }, CallerIDs: st})
	require.NoError(t, err)
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	_, err = svc.PutMember(ctx, admin, campaign.Member{UserID: "bo", Role: campaign.RoleCaller})
	require.NoError(t, err)

	yes, score := true, 9.5
	got, err := svc.UpdateCallerID(ctx, admin, "+14155550101", campaign.CallerIDUpdate{Disabled: &yes, SpamScore: &score})
	require.NoError(t, err)
	assert.Equal(t, campaign.CallerIDState{WorkspaceID: ws.ID, Number: "+14155550101", Disabled: true, SpamScore: 9.5, UpdatedAt: now}, got)

	_, err = svc.UpdateCallerID(ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: "bo"}, "+14155550101", campaign.CallerIDUpdate{Disabled: &yes})
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = svc.UpdateCallerID(ctx, admin, "4155550101", campaign.CallerIDUpdate{Disabled: &yes})
	require.ErrorIs(t, err, campaign.ErrInvalid)
	assert.Contains(t, err.Error(), "E.164")

	bare, err := campaign.NewService(campaign.Config{Store: st})
	require.NoError(t, err)
	_, err = bare.UpdateCallerID(ctx, admin, "+14155550101", campaign.CallerIDUpdate{Disabled: &yes})
	require.ErrorIs(t, err, campaign.ErrInvalid)
	assert.Contains(t, err.Error(), "Config.CallerIDs")
}
