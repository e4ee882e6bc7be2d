package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
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
	res, _ := x.importRejects(c, phones...)
	return res
}

// importRejects is importRows that also returns the rejects file's
// records, header first.
func (x *queueHarness) importRejects(c campaign.Campaign, phones ...string) (importer.Result, [][]string) {
	x.t.Helper()
	var b strings.Builder
	b.WriteString("phone,first_name\n")
	for i, p := range phones {
		fmt.Fprintf(&b, "%s,Person %d\n", p, i)
	}
	var rejects bytes.Buffer
	res, err := x.importer().Import(x.ctx, x.admin, strings.NewReader(b.String()), importer.Options{CampaignID: c.ID, FileName: "rows.csv", Rejects: &rejects})
	require.NoError(x.t, err)
	recs, err := csv.NewReader(&rejects).ReadAll()
	require.NoError(x.t, err)
	return res, recs
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
// (and no others) at import and at claim; the block and the rejects
// file's detail column name the list.
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
	res, rejects := x.importRejects(c, nyPhone(11), nyPhone(12), nyPhone(13), nyPhone(14))
	assert.Equal(t, 2, res.Counts.Accepted)
	assert.Equal(t, 2, res.Counts.Rejected)
	// The rejects file names the list, as the block does.
	assert.Equal(t, [][]string{
		{"phone", "first_name", "line", "reason", "detail"},
		{nyPhone(11), "Person 0", "2", "suppressed_list", `list "Litigators": dnc_request`},
		{nyPhone(12), "Person 1", "3", "suppressed_list", `list "Partner DNC": dnc_request`},
	}, rejects)

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

// activateCounter counts the contact writes of ActivateContacts.
type activateCounter struct {
	campaign.Store
	mu       sync.Mutex
	updates  int
	bulk     int
	bulkRows []int
}

func (s *activateCounter) UpdateContact(ctx context.Context, c campaign.Contact, a campaign.AuditEntry) error {
	s.mu.Lock()
	s.updates++
	s.mu.Unlock()
	return s.Store.UpdateContact(ctx, c, a)
}

func (s *activateCounter) ActivateHeldContacts(ctx context.Context, ws campaign.WorkspaceID, ids []campaign.ContactID, at time.Time, as []campaign.AuditEntry) (int, error) {
	s.mu.Lock()
	s.bulk++
	s.bulkRows = append(s.bulkRows, len(ids))
	s.mu.Unlock()
	return s.Store.ActivateHeldContacts(ctx, ws, ids, at, as)
}

// testActivateContactsBulk: ActivateContacts writes a page of held
// contacts in one store call (no per-contact update), moves only the held
// contacts of the campaign (and list), bumps their versions, audits each
// one and adds no feed event; the store call leaves alone what is not
// held or not the workspace's.
func testActivateContactsBulk(t *testing.T, x *queueHarness) {
	const total = 1205
	c := x.running(func(c *campaign.Campaign) { c.Settings.ImportStatus = campaign.ContactHeld })
	list, err := x.svc.PutList(x.ctx, x.admin, campaign.List{Name: "partners", CampaignID: c.ID})
	require.NoError(t, err)
	cs := make([]campaign.Contact, total)
	for i := range cs {
		cs[i] = campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("held-%05d", i)), Status: campaign.ContactHeld}
		if i < 5 {
			cs[i].ListID = list.ID
		}
	}
	x.add(c, cs...)
	x.add(c, campaign.Contact{ID: "already-pending"})
	other := x.running(func(c *campaign.Campaign) { c.Settings.ImportStatus = campaign.ContactHeld })
	x.add(other, campaign.Contact{ID: "other-held", Status: campaign.ContactHeld})
	before := x.get("held-00000")

	viewer := x.member(x.admin, "activate-watcher", campaign.RoleViewer)
	feedBefore := x.feedRead(x.svc, viewer, campaign.FeedQuery{}, 4) // two campaigns: draft → queued → running

	counter := &activateCounter{Store: x.store}
	svc, err := campaign.NewService(campaign.Config{Store: counter, Clock: x.clock.Now})
	require.NoError(t, err)
	x.clock.Advance(time.Minute)

	n, err := svc.ActivateContacts(x.ctx, x.admin, c.ID, list.ID)
	require.NoError(t, err)
	assert.Equal(t, 5, n, "only the list's held contacts")
	n, err = svc.ActivateContacts(x.ctx, x.admin, c.ID, "")
	require.NoError(t, err)
	assert.Equal(t, total-5, n, "the rest of the campaign's held contacts")
	assert.Zero(t, counter.updates, "no per-contact update")
	assert.Equal(t, []int{5, 1000, total - 1005}, counter.bulkRows, "one store call per page of 1,000")
	assert.Equal(t, map[campaign.ContactStatus]int{campaign.ContactPending: 1000}, x.statuses(c), "the first 1,000 (statuses lists one page)")
	page, err := x.store.ListContacts(x.ctx, x.admin.WorkspaceID, campaign.ContactFilter{CampaignID: c.ID, Status: campaign.ContactHeld})
	require.NoError(t, err)
	assert.Empty(t, page.Contacts, "none left on hold")
	assert.Equal(t, campaign.ContactHeld, x.get("other-held").Status, "another campaign's held contact stays")
	after := x.get("held-00000")
	assert.Equal(t, before.Version+1, after.Version, "the version grows, as an update's")
	assert.True(t, x.clock.Now().Equal(after.UpdatedAt), "UpdatedAt is the activation's time")
	pending := x.get("already-pending")
	assert.Equal(t, int64(1), int64(pending.Version), "a contact that was not held is not written")

	as, err := x.store.ListAudit(x.ctx, x.admin.WorkspaceID, campaign.AuditFilter{Entity: "contact", Limit: 5000})
	require.NoError(t, err)
	audited := map[string]int{}
	for _, a := range as {
		if a.Action == "contact.activate" {
			audited[a.EntityID]++
			assert.Equal(t, x.admin.UserID, a.ActorID)
		}
	}
	assert.Len(t, audited, total, "one audit entry per activated contact")
	assert.Equal(t, 1, audited["held-01204"])
	assert.Zero(t, audited["already-pending"])

	// A status change after the activation is the next event: the
	// activation wrote none, as before.
	x.status(other, campaign.StatusPaused)
	feedAfter := x.feedRead(x.svc, viewer, campaign.FeedQuery{After: feedBefore[len(feedBefore)-1].Position}, 1)
	assert.Equal(t, []string{"status:paused"}, feedKinds(feedAfter), "activation writes no feed event, as before")

	// The store call moves only held contacts of its workspace.
	otherWS := x.workspace("activate-other")
	oc := x.campaign(otherWS, "theirs")
	_, err = x.svc.AddContacts(x.ctx, otherWS, []campaign.Contact{{ID: "their-held", CampaignID: oc.ID, Phone: phone(990001),
		Status: campaign.ContactHeld, Timezones: []string{"America/New_York"}}})
	require.NoError(t, err)
	ids := []campaign.ContactID{"already-pending", "their-held", "missing", "other-held"}
	audits := make([]campaign.AuditEntry, len(ids))
	for i, id := range ids {
		audits[i] = campaign.AuditEntry{ID: campaign.AuditID(fmt.Sprintf("aud-direct-%d", i)), ActorID: x.admin.UserID,
			Action: "contact.activate", Entity: "contact", EntityID: string(id), At: x.clock.Now()}
	}
	n, err = x.store.ActivateHeldContacts(x.ctx, x.admin.WorkspaceID, ids, x.clock.Now(), audits)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the workspace's held contact")
	assert.Equal(t, campaign.ContactPending, x.get("other-held").Status)
	theirs, err := x.store.GetContact(x.ctx, otherWS.WorkspaceID, "their-held")
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactHeld, theirs.Status, "another workspace's contact is untouched")
	as, err = x.store.ListAudit(x.ctx, x.admin.WorkspaceID, campaign.AuditFilter{Entity: "contact", EntityID: "already-pending"})
	require.NoError(t, err)
	for _, a := range as {
		assert.NotEqual(t, "contact.activate", a.Action, "no entry for a contact not moved")
	}
	_, err = x.store.ActivateHeldContacts(x.ctx, x.admin.WorkspaceID, ids, x.clock.Now(), audits[:1])
	assert.ErrorIs(t, err, campaign.ErrInvalid, "one audit entry per contact")

	assert.Len(t, x.claim(c, 10), 10, "activated contacts are called")
}
