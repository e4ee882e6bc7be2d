package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/suppression"
)

// importerTests run when the adapter implements importer.Store.
var importerTests = []struct {
	name string
	fn   func(t *testing.T, h *harness, is importer.Store)
}{
	{"ImportHistory", testImportHistory},
	{"ImportMappings", testImportMappings},
	{"ImportFindPhones", testImportFindPhones},
	{"ImportEndToEnd", testImportEndToEnd},
}

// runImporterTests runs importerTests.
func runImporterTests(t *testing.T, newStore NewStore) {
	for _, tt := range importerTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, newHarness(t, s), s)
		})
	}
}

func testImportHistory(t *testing.T, h *harness, is importer.Store) {
	a := h.workspace("acme")
	b := h.workspace("globex")
	c, err := h.svc.CreateCampaign(h.ctx, a, campaign.Campaign{Name: "c"})
	require.NoError(t, err)
	start := h.clock.Now()
	r1 := importer.Record{
		ID: "imp_1", WorkspaceID: a.WorkspaceID, CampaignID: c.ID, ActorID: a.UserID, FileName: "one.csv",
		Header: []string{"Phone", "Name"}, Signature: importer.Signature([]string{"Phone", "Name"}),
		Mapping: importer.Mapping{importer.FieldPhone, importer.Custom("name")}, Policy: importer.DuplicateSkip,
		Status: importer.StatusRunning, StartedAt: start,
	}
	require.NoError(t, is.SaveImport(h.ctx, r1))
	r1.Status, r1.FinishedAt, r1.Duration = importer.StatusCompleted, start.Add(1500*time.Millisecond), 1500*time.Millisecond
	r1.Counts = importer.Counts{Rows: 3, Accepted: 1, Skipped: 1, Rejected: 1,
		Reasons:   map[string]int{"duplicate_in_file": 1, "invalid_email": 1},
		ByOutcome: map[importer.Outcome]map[string]int{importer.OutcomeSkipped: {"duplicate_in_file": 1}, importer.OutcomeRejected: {"invalid_email": 1}},
		Warnings:  map[string]int{"no_geographic_zone": 1}}
	require.NoError(t, is.SaveImport(h.ctx, r1), "SaveImport replaces")
	r2 := r1
	r2.ID, r2.FileName, r2.StartedAt, r2.Counts = "imp_2", "two.csv", start.Add(time.Minute), importer.Counts{}
	require.NoError(t, is.SaveImport(h.ctx, r2))

	got, err := is.GetImport(h.ctx, a.WorkspaceID, "imp_1")
	require.NoError(t, err)
	want := r1
	want.StartedAt, want.FinishedAt = r1.StartedAt.UTC(), r1.FinishedAt.UTC()
	assert.Equal(t, want, got)
	assert.True(t, got.Counts.Consistent())

	list, err := is.ListImports(h.ctx, a.WorkspaceID, 10)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, importer.ImportID("imp_2"), list[0].ID, "newest first")
	list, err = is.ListImports(h.ctx, a.WorkspaceID, 1)
	require.NoError(t, err)
	assert.Len(t, list, 1)

	_, err = is.GetImport(h.ctx, b.WorkspaceID, "imp_1")
	require.ErrorIs(t, err, campaign.ErrNotFound, "another workspace's import")
	list, err = is.ListImports(h.ctx, b.WorkspaceID, 10)
	require.NoError(t, err)
	assert.Empty(t, list)
	_, err = is.GetImport(h.ctx, a.WorkspaceID, "imp_none")
	require.ErrorIs(t, err, importer.ErrNotFound)
}

func testImportMappings(t *testing.T, h *harness, is importer.Store) {
	a := h.workspace("acme")
	b := h.workspace("globex")
	hdr := []string{"Tel", "Who"}
	sig := importer.Signature(hdr)
	_, err := is.GetMapping(h.ctx, a.WorkspaceID, sig)
	require.ErrorIs(t, err, campaign.ErrNotFound)
	m := importer.SavedMapping{WorkspaceID: a.WorkspaceID, Signature: sig, Header: hdr,
		Mapping: importer.Mapping{importer.FieldPhone, importer.FieldFirstName}, SavedBy: a.UserID, SavedAt: h.clock.Now()}
	require.NoError(t, is.SaveMapping(h.ctx, m))
	m.Mapping = importer.Mapping{importer.FieldPhone, importer.FieldFullName}
	require.NoError(t, is.SaveMapping(h.ctx, m), "replaces")
	got, err := is.GetMapping(h.ctx, a.WorkspaceID, sig)
	require.NoError(t, err)
	m.SavedAt = m.SavedAt.UTC()
	assert.Equal(t, m, got)
	_, err = is.GetMapping(h.ctx, b.WorkspaceID, sig)
	require.ErrorIs(t, err, importer.ErrNotFound, "mappings are per workspace")
}

func testImportFindPhones(t *testing.T, h *harness, is importer.Store) {
	a := h.workspace("acme")
	b := h.workspace("globex")
	ca, err := h.svc.CreateCampaign(h.ctx, a, campaign.Campaign{Name: "c"})
	require.NoError(t, err)
	cb, err := h.svc.CreateCampaign(h.ctx, b, campaign.Campaign{Name: "c"})
	require.NoError(t, err)
	cs, err := h.svc.AddContacts(h.ctx, a, []campaign.Contact{
		{CampaignID: ca.ID, Phone: phone(1)}, {CampaignID: ca.ID, Phone: phone(2)}, {Phone: phone(2)}, {CampaignID: ca.ID, Phone: phone(3)},
	})
	require.NoError(t, err)
	_, err = h.svc.AddContacts(h.ctx, b, []campaign.Contact{{CampaignID: cb.ID, Phone: phone(1)}})
	require.NoError(t, err)

	got, err := is.FindPhones(h.ctx, a.WorkspaceID, []string{phone(1), phone(2), phone(9), phone(2)})
	require.NoError(t, err)
	byID := map[campaign.ContactID]importer.PhoneMatch{}
	for _, m := range got {
		byID[m.ContactID] = m
	}
	require.Len(t, byID, 3, "%v", got)
	assert.Equal(t, importer.PhoneMatch{Phone: phone(1), ContactID: cs[0].ID, CampaignID: ca.ID, CreatedAt: cs[0].CreatedAt}, byID[cs[0].ID])
	assert.Equal(t, campaign.ID(""), byID[cs[2].ID].CampaignID)

	// A changed phone is found under its new number only; an erased
	// contact not at all.
	_, err = h.svc.UpdateContact(h.ctx, a, cs[3].ID, func(c *campaign.Contact) error { c.Phone = phone(7); return nil })
	require.NoError(t, err)
	_, err = h.svc.EraseContact(h.ctx, a, cs[0].ID)
	require.NoError(t, err)
	got, err = is.FindPhones(h.ctx, a.WorkspaceID, []string{phone(1), phone(3), phone(7)})
	require.NoError(t, err)
	require.Len(t, got, 1, "%v", got)
	assert.Equal(t, cs[3].ID, got[0].ContactID)
	assert.Equal(t, phone(7), got[0].Phone)

	got, err = is.FindPhones(h.ctx, a.WorkspaceID, nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testImportEndToEnd(t *testing.T, h *harness, is importer.Store) {
	a := h.workspace("acme")
	c, err := h.svc.CreateCampaign(h.ctx, a, campaign.Campaign{Name: "c", Client: "Globex"})
	require.NoError(t, err)
	supp := h.suppression(t, h.store)
	require.NoError(t, supp.Add(h.ctx, a, suppression.Entry{List: suppression.Client("Globex"), Number: phone(5)}))
	const suppressed = 1
	im, err := importer.New(importer.Config{Campaigns: h.svc, Store: is, Contacts: h.store, Suppression: supp, Clock: h.clock.Now, BatchSize: 2})
	require.NoError(t, err)
	var b strings.Builder
	b.WriteString("Phone Number,First Name,Tags\n")
	for i := 1; i <= 6; i++ {
		b.WriteString(strings.TrimPrefix(phone(i), "+1") + ",N" + string(rune('0'+i)) + ",a;b\n")
	}
	b.WriteString(phone(1) + ",Again,c\n")
	res, err := im.Import(h.ctx, a, strings.NewReader(b.String()), importer.Options{CampaignID: c.ID, FileName: "f.csv", DuplicatePolicy: importer.DuplicateMerge})
	require.NoError(t, err)
	assert.True(t, res.Counts.Consistent())
	assert.Equal(t, 7, res.Counts.Rows)
	assert.Equal(t, 6-suppressed, res.Counts.Accepted)
	assert.Equal(t, 1, res.Counts.Merged)

	page, err := h.store.ListContacts(h.ctx, a.WorkspaceID, campaign.ContactFilter{CampaignID: c.ID})
	require.NoError(t, err)
	require.Len(t, page.Contacts, 6-suppressed)
	for _, ct := range page.Contacts {
		require.NoError(t, ct.Validate())
		if ct.Phone == phone(1) {
			assert.Equal(t, "N1", ct.FirstName, "a merge fills empty fields only")
			assert.Equal(t, []string{"a", "b", "c"}, ct.Tags)
		}
	}
	// A second run, a second later, sees the first run's contacts.
	h.clock.Advance(time.Second)
	res, err = im.Import(h.ctx, a, strings.NewReader(b.String()), importer.Options{CampaignID: c.ID, DuplicatePolicy: importer.DuplicateSkip})
	require.NoError(t, err)
	assert.Equal(t, 0, res.Counts.Accepted)
	hist, err := is.ListImports(h.ctx, a.WorkspaceID, 10)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, importer.StatusCompleted, hist[1].Status)
	assert.Equal(t, "f.csv", hist[1].FileName)
}
