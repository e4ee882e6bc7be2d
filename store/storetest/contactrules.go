package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/suppression"
)

// nyPhone is a New York number, callable at the queue suite's clock
// (10:00 there).
func nyPhone(i int) string { return fmt.Sprintf("+1212%07d", 2790000+i) }

// importer returns an importer over the harness's store.
func (x *queueHarness) importer() *importer.Importer {
	x.t.Helper()
	im, err := importer.New(importer.Config{Campaigns: x.svc, Store: x.store, Contacts: x.store, Suppression: x.sup, Clock: x.clock.Now})
	require.NoError(x.t, err)
	return im
}

// importRows imports one CSV row per phone into c and returns the result.
func (x *queueHarness) importRows(c campaign.Campaign, phones ...string) importer.Result {
	x.t.Helper()
	var b strings.Builder
	b.WriteString("phone,first_name\n")
	for i, p := range phones {
		fmt.Fprintf(&b, "%s,Person %d\n", p, i)
	}
	res, err := x.importer().Import(x.ctx, x.admin, strings.NewReader(b.String()), importer.Options{CampaignID: c.ID, FileName: "rows.csv"})
	require.NoError(x.t, err)
	return res
}

// statuses returns the status of each contact of campaign c.
func (x *queueHarness) statuses(c campaign.Campaign) map[campaign.ContactStatus]int {
	x.t.Helper()
	page, err := x.store.ListContacts(x.ctx, x.admin.WorkspaceID, campaign.ContactFilter{CampaignID: c.ID, Limit: 1000})
	require.NoError(x.t, err)
	out := map[campaign.ContactStatus]int{}
	for _, ct := range page.Contacts {
		out[ct.Status]++
	}
	return out
}

// testImportStatusHeld: a campaign whose ImportStatus is held imports its
// rows on hold; the queue leases none of them until a manager activates
// them; the setting changes while the campaign runs and then applies to
// the next import.
func testImportStatusHeld(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) { c.Settings.ImportStatus = campaign.ContactHeld })
	res := x.importRows(c, nyPhone(1), nyPhone(2))
	require.Equal(t, 2, res.Counts.Accepted)
	assert.Equal(t, map[campaign.ContactStatus]int{campaign.ContactHeld: 2}, x.statuses(c), "imported on hold")
	assert.Empty(t, x.claim(c, 10), "held contacts are not called")
	st, err := x.reports().Status(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.LiveStopped, st.Live, "held contacts are prospects left: the campaign is not completed")

	// The setting is not configuration: it changes while running.
	c, err = x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, func(c *campaign.Campaign) error {
		c.Settings.ImportStatus = campaign.ContactPending
		return nil
	})
	require.NoError(t, err)
	x.importRows(c, nyPhone(3))
	assert.Equal(t, map[campaign.ContactStatus]int{campaign.ContactHeld: 2, campaign.ContactPending: 1}, x.statuses(c))
	_, err = x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, func(c *campaign.Campaign) error {
		c.Settings.ImportStatus = campaign.ContactCompleted
		return nil
	})
	assert.ErrorIs(t, err, campaign.ErrInvalid, "only pending or held")

	n, err := x.svc.ActivateContacts(x.ctx, x.admin, c.ID, "")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, map[campaign.ContactStatus]int{campaign.ContactPending: 3}, x.statuses(c))
	assert.Len(t, x.claim(c, 10), 3, "activated contacts are called")
	n, err = x.svc.ActivateContacts(x.ctx, x.admin, c.ID, "")
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left on hold")
	as, err := x.store.ListAudit(x.ctx, x.admin.WorkspaceID, campaign.AuditFilter{Entity: "contact"})
	require.NoError(t, err)
	activated := 0
	for _, a := range as {
		if a.Action == "contact.activate" {
			activated++
		}
	}
	assert.Equal(t, 2, activated, "each activation is audited")
}

// testNamedSuppressionLists: a campaign honours the named lists it names
// (and no others) at import and at claim; the block names the list.
func testNamedSuppressionLists(t *testing.T, x *queueHarness) {
	add := func(list string, p string) {
		t.Helper()
		require.NoError(t, x.sup.Add(x.ctx, x.admin, suppression.Entry{List: suppression.Named(list), Number: p, Reason: "dnc_request"}))
	}
	add("Litigators", nyPhone(11))
	add("Partner DNC", nyPhone(12))
	add("Unused", nyPhone(13))
	c := x.running(func(c *campaign.Campaign) { c.Settings.SuppressionLists = []string{"Litigators", "Partner DNC"} })
	got, err := x.store.GetCampaign(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Litigators", "Partner DNC"}, got.Settings.SuppressionLists, "stored")

	// At import: both named lists refuse their numbers; the unused list
	// does not apply.
	res := x.importRows(c, nyPhone(11), nyPhone(12), nyPhone(13), nyPhone(14))
	assert.Equal(t, 2, res.Counts.Accepted)
	assert.Equal(t, 2, res.Counts.Rejected)

	// At claim: a number listed after its import is blocked, the block
	// names the list.
	page, err := x.store.ListContacts(x.ctx, x.admin.WorkspaceID, campaign.ContactFilter{CampaignID: c.ID})
	require.NoError(t, err)
	require.Len(t, page.Contacts, 2)
	late := page.Contacts[0]
	if late.Phone != nyPhone(14) {
		late = page.Contacts[1]
	}
	require.NoError(t, x.sup.Add(x.ctx, x.admin, suppression.Entry{List: suppression.Named("Partner DNC"), Number: late.Phone, Reason: "partner_request"}))
	ls := x.claim(c, 10)
	require.Len(t, ls, 1, "the other contact is leased")
	assert.Equal(t, nyPhone(13), ls[0].Contact.Phone)
	bs := x.blocks(c, late.ID)
	require.Len(t, bs, 1)
	assert.Equal(t, "suppressed_list", bs[0].Reason)
	assert.Equal(t, campaign.BlockScopeList, bs[0].Scope)
	assert.Equal(t, `list "Partner DNC": partner_request`, bs[0].Detail)
	assert.Equal(t, campaign.ContactSkipped, x.get(late.ID).Status)

	// A campaign that names no list is not held by them.
	other := x.running(nil)
	res = x.importRows(other, nyPhone(11), nyPhone(12))
	assert.Equal(t, 2, res.Counts.Accepted)
	ms, err := x.sup.Check(x.ctx, x.admin.WorkspaceID, suppression.Query{Target: suppression.TargetOf(other), Numbers: []string{nyPhone(11)}})
	require.NoError(t, err)
	assert.Empty(t, ms)

	// A list name is checked when the campaign is saved.
	_, err = x.svc.CreateCampaign(x.ctx, x.admin, campaign.Campaign{Name: "dup", Settings: campaign.Settings{SuppressionLists: []string{"A", "A"}}})
	assert.ErrorIs(t, err, campaign.ErrInvalid)
	_ = queue.Lease{}
}

// testAssignedAgentStored: a campaign's assigned agent and owner wait,
// and a contact's owner, round-trip; the agent is editable while Paused,
// not while Running.
func testAssignedAgentStored(t *testing.T, x *queueHarness) {
	c := x.running(func(c *campaign.Campaign) {
		c.Settings.AssignedAgent, c.Settings.OwnerWait = "ai-renewals", 1500*time.Millisecond
	})
	got, err := x.store.GetCampaign(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "ai-renewals", got.Settings.AssignedAgent)
	assert.Equal(t, 1500*time.Millisecond, got.Settings.OwnerWait)
	cts := x.add(c, campaign.Contact{ID: "owned", OwnerID: "bo"})
	assert.Equal(t, campaign.UserID("bo"), x.get(cts[0].ID).OwnerID)

	edit := func(c *campaign.Campaign) error { c.Settings.AssignedAgent = "bo"; return nil }
	_, err = x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, edit)
	assert.ErrorIs(t, err, campaign.ErrLocked, "not while running")
	x.status(c, campaign.StatusPaused)
	_, err = x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, edit)
	require.NoError(t, err)
	got, err = x.store.GetCampaign(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "bo", got.Settings.AssignedAgent)
}
