package callstack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
)

func TestNewRefusesBadConfig(t *testing.T) {
	_, err := callstack.New(nil, callstack.Config{})
	require.ErrorIs(t, err, callstack.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "store is required")
	for name, cfg := range map[string]callstack.Config{
		"ReportMinSample": {ReportMinSample: -1},
		"LabourRate":      {LabourRate: -1},
		"ImportBatchSize": {ImportBatchSize: -1},
		"ImportMaxBytes":  {ImportMaxBytes: -1},
	} {
		_, err := callstack.New(memory.New(), cfg)
		require.ErrorIs(t, err, callstack.ErrInvalidConfig, name)
		assert.Contains(t, err.Error(), name)
	}
}

// TestClientWiring checks the services share one store and one clock, and
// that an erasure reaches the suppression service (the wiring New closes
// as a cycle).
func TestClientWiring(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	cs, err := callstack.New(st, callstack.Config{})
	require.NoError(t, err)
	assert.Same(t, st, cs.Store())
	svc := cs.Campaigns()
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "c"})
	require.NoError(t, err)
	res, err := cs.Imports().Import(ctx, admin, strings.NewReader("phone\n(415) 231-1007\n"), importer.Options{CampaignID: c.ID})
	require.NoError(t, err)
	require.Equal(t, 1, res.Counts.Accepted)
	page, err := st.ListContacts(ctx, ws.ID, campaign.ContactFilter{CampaignID: c.ID})
	require.NoError(t, err)
	require.Len(t, page.Contacts, 1)

	_, err = svc.EraseContact(ctx, admin, page.Contacts[0].ID)
	require.NoError(t, err)
	m, err := cs.Suppression().Check(ctx, ws.ID, suppression.Query{Target: suppression.Target{CampaignID: c.ID}, Numbers: []string{"+14152311007"}})
	require.NoError(t, err)
	assert.NotEmpty(t, m["+14152311007"], "the erased number is suppressed through the client's suppression service")

	// No carrier: the engine is refused with what to do.
	_, err = cs.Engine(ctx, ws.ID, c.ID, dialer.Config{})
	require.ErrorIs(t, err, callstack.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "Config.Carrier")
}
