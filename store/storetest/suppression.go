package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/suppression"
)

// suppressionTests check suppression.Store.
var suppressionTests = []struct {
	name string
	fn   func(t *testing.T, h *harness, ss suppression.Store)
}{
	{"SuppressionScopes", testSuppressionScopes},
	{"SuppressionExpiryAndRemove", testSuppressionExpiryAndRemove},
	{"SuppressionIsolation", testSuppressionIsolation},
	{"SuppressionRegistryLoad", testSuppressionRegistryLoad},
	{"SuppressionRoles", testSuppressionRoles},
	{"SuppressionErase", testSuppressionErase},
	{"SuppressionListing", testSuppressionListing},
	{"SuppressionNormalisesNumbers", testSuppressionNormalisesNumbers},
}

func (h *harness) suppression(t *testing.T, ss suppression.Store) *suppression.Service {
	t.Helper()
	svc, err := suppression.NewService(suppression.Config{Store: ss, Authorizer: h.svc, Clock: h.clock.Now, BatchSize: 1000})
	require.NoError(t, err)
	return svc
}

func testSuppressionScopes(t *testing.T, h *harness, ss suppression.Store) {
	admin := h.workspace("acme")
	sup := h.suppression(t, ss)
	c1, err := h.svc.CreateCampaign(h.ctx, admin, campaign.Campaign{Name: "c1", Client: "Globex"})
	require.NoError(t, err)
	c2, err := h.svc.CreateCampaign(h.ctx, admin, campaign.Campaign{Name: "c2", Client: "Initech"})
	require.NoError(t, err)
	require.NoError(t, sup.Add(h.ctx, admin,
		suppression.Entry{List: suppression.Global(), Number: phone(1), Reason: "dnc_request", Source: "call"},
		suppression.Entry{List: suppression.Client("Globex"), Number: phone(2), Reason: "client_dnc"},
		suppression.Entry{List: suppression.Campaign(c1.ID), Number: phone(3), Reason: "campaign_dnc"},
		suppression.Entry{List: suppression.Campaign(c1.ID), Number: phone(1), Reason: "both"},
		suppression.Entry{List: suppression.Global(), Email: "Grace@Example.com", Reason: "email_optout"},
	))
	nums := []string{phone(1), phone(2), phone(3), phone(4)}
	got, err := sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Target: suppression.TargetOf(c1), Numbers: nums, Emails: []string{"grace@example.com", "other@example.com"}})
	require.NoError(t, err)
	require.Len(t, got, 4, "%v", got)
	require.Len(t, got[phone(1)], 2)
	assert.Equal(t, suppression.ScopeGlobal, suppression.Widest(got[phone(1)]).List.Scope)
	assert.Equal(t, "suppressed_global", suppression.Widest(got[phone(1)]).List.Scope.ReasonCode())
	assert.Equal(t, suppression.Client("Globex"), got[phone(2)][0].List)
	assert.Equal(t, "client_dnc", got[phone(2)][0].Reason)
	assert.Equal(t, suppression.Campaign(c1.ID), got[phone(3)][0].List)
	assert.Equal(t, "email_optout", got["grace@example.com"][0].Reason)
	assert.NotContains(t, got, phone(4))

	// Another client's campaign sees only the global entries.
	got, err = sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Target: suppression.TargetOf(c2), Numbers: nums})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Len(t, got[phone(1)], 1)
	assert.Equal(t, suppression.ScopeGlobal, got[phone(1)][0].List.Scope)

	// Putting the same key again replaces the entry.
	require.NoError(t, sup.Add(h.ctx, admin, suppression.Entry{List: suppression.Global(), Number: phone(1), Reason: "updated"}))
	got, err = sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Target: suppression.TargetOf(c2), Numbers: []string{phone(1)}})
	require.NoError(t, err)
	require.Len(t, got[phone(1)], 1)
	assert.Equal(t, "updated", got[phone(1)][0].Reason)

	// Bad entries are refused whole.
	err = sup.Add(h.ctx, admin, suppression.Entry{List: suppression.Global(), Number: phone(9)}, suppression.Entry{List: suppression.Global(), Number: "415-55"})
	require.ErrorIs(t, err, suppression.ErrInvalidEntry)
	got, err = sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Numbers: []string{phone(9)}})
	require.NoError(t, err)
	assert.Empty(t, got)
	require.ErrorIs(t, sup.Add(h.ctx, admin, suppression.Entry{List: suppression.List{Scope: suppression.ScopeClient}, Number: phone(9)}), suppression.ErrInvalidEntry)
}

func testSuppressionExpiryAndRemove(t *testing.T, h *harness, ss suppression.Store) {
	admin := h.workspace("acme")
	sup := h.suppression(t, ss)
	expires := h.clock.Now().Add(time.Hour)
	require.NoError(t, sup.Add(h.ctx, admin,
		suppression.Entry{List: suppression.Global(), Number: phone(1), Reason: "temporary", ExpiresAt: expires},
		suppression.Entry{List: suppression.Global(), Number: phone(2), Reason: "forever"},
	))
	check := func() map[string][]suppression.Match {
		got, err := sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Numbers: []string{phone(1), phone(2)}})
		require.NoError(t, err)
		return got
	}
	assert.Len(t, check(), 2)
	h.clock.Advance(time.Hour - time.Nanosecond)
	assert.Len(t, check(), 2, "still active a nanosecond before expiry")
	h.clock.Advance(time.Nanosecond)
	got := check()
	assert.Len(t, got, 1, "expired at ExpiresAt")
	assert.Contains(t, got, phone(2))

	require.NoError(t, sup.Remove(h.ctx, admin, suppression.Key{List: suppression.Global(), Number: phone(2)}))
	assert.Empty(t, check())
	require.ErrorIs(t, sup.Remove(h.ctx, admin, suppression.Key{List: suppression.Global(), Number: phone(2)}), campaign.ErrNotFound)
	au, err := h.store.ListAudit(h.ctx, admin.WorkspaceID, campaign.AuditFilter{Entity: "suppression"})
	require.NoError(t, err)
	actions := make([]string, len(au))
	for i, a := range au {
		actions[i] = a.Action
	}
	assert.Equal(t, []string{"suppression.add", "suppression.remove"}, actions)
}

func testSuppressionIsolation(t *testing.T, h *harness, ss suppression.Store) {
	a, b := h.workspace("a"), h.workspace("b")
	sup := h.suppression(t, ss)
	require.NoError(t, sup.Add(h.ctx, a, suppression.Entry{List: suppression.Global(), Number: phone(1), Email: "x@example.com"}))
	got, err := sup.Check(h.ctx, b.WorkspaceID, suppression.Query{Numbers: []string{phone(1)}, Emails: []string{"x@example.com"}})
	require.NoError(t, err)
	assert.Empty(t, got)
	// An entry with a number and an email suppresses each on its own.
	got, err = sup.Check(h.ctx, a.WorkspaceID, suppression.Query{Numbers: []string{phone(1)}})
	require.NoError(t, err)
	assert.Contains(t, got, phone(1))
	got, err = sup.Check(h.ctx, a.WorkspaceID, suppression.Query{Emails: []string{"x@example.com"}})
	require.NoError(t, err)
	assert.Contains(t, got, "x@example.com")
	es, _, err := ss.ListSuppressions(h.ctx, b.WorkspaceID, suppression.Global(), "", 100)
	require.NoError(t, err)
	assert.Empty(t, es)
	require.ErrorIs(t, sup.Remove(h.ctx, b, suppression.Key{List: suppression.Global(), Number: phone(1)}), campaign.ErrNotFound)
}

func testSuppressionRegistryLoad(t *testing.T, h *harness, ss suppression.Store) {
	admin := h.workspace("acme")
	sup := h.suppression(t, ss)
	var sb strings.Builder
	const n = 5000
	for i := range n {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&sb, "%s\n", phone(i)[2:])
		case 1:
			fmt.Fprintf(&sb, "%s,%s\r\n", phone(i)[2:5], phone(i)[5:])
		case 2:
			fmt.Fprintf(&sb, "%s-%s-%s\n", phone(i)[2:5], phone(i)[5:8], phone(i)[8:])
		default:
			fmt.Fprintf(&sb, "%s\n", phone(i))
		}
	}
	sb.WriteString("\n12345\n0415555123\nnot a number\n415555212x\n")
	res, err := sup.LoadRegistry(h.ctx, admin, strings.NewReader(sb.String()), suppression.Global(), suppression.Entry{Source: "ftc-415.txt"})
	require.NoError(t, err)
	assert.Equal(t, n+4, res.Lines)
	assert.Equal(t, n, res.Loaded)
	assert.Equal(t, 4, res.Invalid)
	assert.Equal(t, []int{n + 2, n + 3, n + 4, n + 5}, res.InvalidLines)

	// Loading again keeps the entries (no duplicates, no error).
	res, err = sup.LoadRegistry(h.ctx, admin, strings.NewReader(sb.String()), suppression.Global(), suppression.Entry{Source: "ftc-415.txt"})
	require.NoError(t, err)
	assert.Equal(t, n, res.Loaded)

	q := make([]string, 0, 2*n)
	for i := range 2 * n {
		q = append(q, phone(i))
	}
	got, err := sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Numbers: q})
	require.NoError(t, err)
	assert.Len(t, got, n)
	for i := range n {
		m, ok := got[phone(i)]
		require.True(t, ok, "%s not suppressed", phone(i))
		require.Len(t, m, 1)
		if m[0].Reason != "registry" || m[0].Source != "ftc-415.txt" {
			t.Fatalf("match %d = %+v", i, m[0])
		}
	}
}

func testSuppressionRoles(t *testing.T, h *harness, ss suppression.Store) {
	admin := h.workspace("acme")
	mgr := h.member(admin, "mgr", campaign.RoleCampaignManager)
	caller := h.member(admin, "caller", campaign.RoleCaller)
	viewer := h.member(admin, "viewer", campaign.RoleViewer)
	sup := h.suppression(t, ss)
	c := h.campaign(mgr, "c")
	global := suppression.Entry{List: suppression.Global(), Number: phone(1)}
	require.ErrorIs(t, sup.Add(h.ctx, mgr, global), campaign.ErrForbidden, "only a TeamAdmin manages workspace-wide suppression")
	require.ErrorIs(t, sup.Add(h.ctx, caller, global), campaign.ErrForbidden)
	require.ErrorIs(t, sup.Add(h.ctx, viewer, suppression.Entry{List: suppression.Campaign(c.ID), Number: phone(1)}), campaign.ErrForbidden)
	require.NoError(t, sup.Add(h.ctx, mgr, suppression.Entry{List: suppression.Campaign(c.ID), Number: phone(1)}))
	_, err := sup.LoadRegistry(h.ctx, mgr, strings.NewReader("4155552671\n"), suppression.Global(), suppression.Entry{})
	require.ErrorIs(t, err, campaign.ErrForbidden)
	require.NoError(t, sup.Add(h.ctx, admin, global))
}

func testSuppressionErase(t *testing.T, h *harness, ss suppression.Store) {
	admin := h.workspace("acme")
	sup := h.suppression(t, ss)
	svc, err := campaign.NewService(campaign.Config{Store: h.store, Clock: h.clock.Now, Suppressor: sup})
	require.NoError(t, err)
	c := h.campaign(admin, "c")
	ct := h.contacts(admin, campaign.Contact{CampaignID: c.ID, Phone: phone(1), AltPhones: []string{phone(2)}, Email: "Ada@Example.com"})[0]
	_, err = svc.EraseContact(h.ctx, admin, ct.ID)
	require.NoError(t, err)
	got, err := sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Target: suppression.TargetOf(c), Numbers: []string{phone(1), phone(2)}, Emails: []string{"ada@example.com"}})
	require.NoError(t, err)
	assert.Len(t, got, 3)
	for _, m := range got {
		assert.Equal(t, "erasure_request", m[0].Reason)
	}
}

func testSuppressionListing(t *testing.T, h *harness, ss suppression.Store) {
	admin := h.workspace("acme")
	sup := h.suppression(t, ss)
	var es []suppression.Entry
	for i := range 25 {
		es = append(es, suppression.Entry{List: suppression.Client("Globex"), Number: phone(i), Reason: "r", Source: "s"})
	}
	require.NoError(t, sup.Add(h.ctx, admin, es...))
	var all []suppression.Entry
	after := ""
	for {
		page, next, err := ss.ListSuppressions(h.ctx, admin.WorkspaceID, suppression.Client("Globex"), after, 10)
		require.NoError(t, err)
		all = append(all, page...)
		if next == "" {
			break
		}
		after = next
	}
	require.Len(t, all, 25)
	for i, e := range all {
		assert.Equal(t, phone(i), e.Number)
		assert.Equal(t, admin.UserID, e.AddedBy)
		assert.True(t, e.AddedAt.Equal(h.clock.Now()))
		assertUTC(t, e.AddedAt)
		assert.Equal(t, admin.WorkspaceID, e.WorkspaceID)
	}
}

// testSuppressionNormalisesNumbers: Add and Remove read a number as the
// importer does, so a DNC request written as a person says it is kept in
// E.164 and matches the contact the importer stored.
func testSuppressionNormalisesNumbers(t *testing.T, h *harness, ss suppression.Store) {
	admin := h.workspace("acme")
	sup := h.suppression(t, ss)
	for _, raw := range []string{"(415) 231-1007", "415.231.1007", " +1 415 231 1007 "} {
		require.NoError(t, sup.Add(h.ctx, admin, suppression.Entry{List: suppression.Global(), Number: raw, Reason: "asked"}), raw)
		got, err := sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Numbers: []string{"+14152311007"}})
		require.NoError(t, err)
		require.Len(t, got["+14152311007"], 1, raw)
		require.NoError(t, sup.Remove(h.ctx, admin, suppression.Key{List: suppression.Global(), Number: raw}), raw)
		got, err = sup.Check(h.ctx, admin.WorkspaceID, suppression.Query{Numbers: []string{"+14152311007"}})
		require.NoError(t, err)
		assert.Empty(t, got, "removed by %q", raw)
	}
	err := sup.Add(h.ctx, admin, suppression.Entry{List: suppression.Global(), Number: "call me maybe"})
	require.ErrorIs(t, err, suppression.ErrInvalidEntry)
	assert.Contains(t, err.Error(), "call me maybe")
}
