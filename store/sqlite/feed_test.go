package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/sqlite"
)

// TestFeedResumesAfterRestart: a host stores the position of the last
// event it handled, the process and the store are closed, and after
// reopening the file the feed continues with exactly the later events;
// a pruned store never hands out a pruned position again.
func TestFeedResumesAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cs.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	svc, err := campaign.NewService(campaign.Config{Store: s})
	require.NoError(t, err)
	w, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "admin"}, campaign.Workspace{Name: "acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: w.ID, UserID: "admin"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "c"})
	require.NoError(t, err)
	_, err = svc.Transition(ctx, admin, c.ID, campaign.StatusQueued, "")
	require.NoError(t, err)
	evs, err := svc.ReadFeed(ctx, admin, campaign.FeedQuery{})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	stored := evs[0].Position.String()
	_, err = svc.Transition(ctx, admin, c.ID, campaign.StatusDraft, "")
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s = open(t, path)
	svc, err = campaign.NewService(campaign.Config{Store: s})
	require.NoError(t, err)
	after, err := campaign.ParseFeedPosition(stored)
	require.NoError(t, err)
	evs, err = svc.ReadFeed(ctx, admin, campaign.FeedQuery{After: after})
	require.NoError(t, err)
	require.Len(t, evs, 1, "exactly the event after the stored position")
	assert.Equal(t, campaign.StatusDraft, evs[0].Transition.To)

	// Pruning everything, then a new change: its position is past every
	// pruned one, so a reader at the last position still gets it.
	last := evs[0].Position
	n, err := svc.PruneFeed(ctx, admin, svc.Now().Add(1))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = svc.Transition(ctx, admin, c.ID, campaign.StatusQueued, "")
	require.NoError(t, err)
	evs, err = svc.ReadFeed(ctx, admin, campaign.FeedQuery{After: last})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.True(t, last.Less(evs[0].Position))
}
