package suppression_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
)

// TestLoadDNCL loads a National DNCL download (area code and number per
// line, as the operator delivers it) and checks Canadian numbers against
// it, at claim and dial time alike through Service.Check.
func TestLoadDNCL(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 17, 0, 0, 0, time.UTC)
	st := memory.New()
	svc, err := campaign.NewService(campaign.Config{Store: st, Clock: func() time.Time { return now }})
	require.NoError(t, err)
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	supp, err := suppression.NewService(suppression.Config{Store: st, Authorizer: svc, Clock: func() time.Time { return now }, BatchSize: 2})
	require.NoError(t, err)

	file := strings.Join([]string{
		"416,5550123",     // Toronto
		"5145550177",      // Montreal
		"+1 604 555 0199", // Vancouver
		"",
		"2125550123",     // New York: not Canadian
		"416555012",      // truncated
		"not a number",   //
		"1-902-555-0111", // Nova Scotia
	}, "\n")
	res, err := supp.LoadDNCL(ctx, admin, strings.NewReader(file), suppression.Entry{})
	require.NoError(t, err)
	assert.Equal(t, 7, res.Lines)
	assert.Equal(t, 4, res.Loaded)
	assert.Equal(t, 3, res.Invalid)
	assert.Equal(t, 1, res.OutOfCountry)
	assert.Equal(t, []int{5, 6, 7}, res.InvalidLines)

	nums := []string{"+14165550123", "+15145550177", "+16045550199", "+19025550111", "+12125550123", "+14165550124"}
	got, err := supp.Check(ctx, ws.ID, suppression.Query{Numbers: nums})
	require.NoError(t, err)
	for _, n := range nums[:4] {
		require.Len(t, got[n], 1, n)
		m := suppression.Widest(got[n])
		assert.Equal(t, suppression.DNCLReason, m.Reason)
		assert.Equal(t, suppression.DNCLSource, m.Source)
		assert.Equal(t, "suppressed_global", m.List.Scope.ReasonCode())
	}
	assert.Empty(t, got["+12125550123"], "a US number in a DNCL file is not loaded")
	assert.Empty(t, got["+14165550124"])

	// A viewer may not load the registry.
	_, err = svc.PutMember(ctx, admin, campaign.Member{UserID: "vic", Role: campaign.RoleViewer})
	require.NoError(t, err)
	_, err = supp.LoadDNCL(ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: "vic"}, strings.NewReader("4165550123\n"), suppression.Entry{})
	require.ErrorIs(t, err, campaign.ErrForbidden)
}
