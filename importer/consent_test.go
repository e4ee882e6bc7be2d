package importer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/store/memory"
)

// TestConsentColumnsReachTheQueue imports consent columns into a campaign
// that requires prior express written consent, then claims through the
// queue: only the row with that consent, not revoked, is dialable.
func TestConsentColumnsReachTheQueue(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 4, 15, 0, 0, 0, time.UTC) // Wednesday, 10:00 in New York
	cs, err := callstack.New(memory.New(), callstack.Config{Clock: func() time.Time { return now }})
	require.NoError(t, err)
	svc := cs.Campaigns()
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York",
		Settings: campaign.Settings{RequiredConsent: campaign.ConsentExpressWritten}})
	require.NoError(t, err)

	data := "Phone,First Name,Consent Type,Consent Date,TrustedForm Cert URL,Consent Scope,Opt Out\n" +
		"(212) 279-0141,Ann,Express Written,10/01/2026 14:30,https://cert.trustedform.com/abc,campaign,\n" +
		"(212) 279-0142,Bob,express,2026-10-02,,,\n" +
		"(212) 279-0143,Cy,PEWC,2026-10-03,https://example.com/form,any,2026-10-15\n" +
		"(212) 279-0144,Di,maybe,,,,\n" +
		"(212) 279-0145,Ed,express written,2027-01-01,,,\n" +
		"(212) 279-0146,Flo,Opted Out,,,,\n" +
		"(212) 279-0147,Gus,,,,,\n"
	res, err := cs.Imports().Import(ctx, admin, strings.NewReader(data), importer.Options{CampaignID: c.ID})
	require.NoError(t, err)
	assert.Equal(t, importer.Mapping{importer.FieldPhone, importer.FieldFirstName, importer.FieldConsent, importer.FieldConsentDate,
		importer.FieldConsentSource, importer.FieldConsentScope, importer.FieldConsentRevoked}, res.Mapping)
	assert.Equal(t, 5, res.Counts.Accepted)
	assert.Equal(t, map[string]int{importer.ReasonInvalidConsent: 2}, res.Counts.Reasons, "an unknown kind; a date in the future")

	page, err := cs.Store().ListContacts(ctx, ws.ID, campaign.ContactFilter{CampaignID: c.ID})
	require.NoError(t, err)
	got := byPhone(page.Contacts)
	ann := got["+12122790141"].Consent
	assert.Equal(t, campaign.Consent{Kind: campaign.ConsentExpressWritten, Source: "https://cert.trustedform.com/abc",
		CapturedAt: time.Date(2026, 10, 1, 14, 30, 0, 0, time.UTC), Scope: campaign.ConsentScopeCampaign}, ann)
	cy := got["+12122790143"].Consent
	assert.Equal(t, campaign.ConsentScopeAny, cy.Scope)
	assert.Equal(t, time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), cy.RevokedAt, "the revocation is kept")
	assert.Equal(t, "import", cy.RevokedVia)
	assert.Equal(t, now, got["+12122790146"].Consent.RevokedAt, "an opt-out without a date is revoked as of the import")
	assert.Equal(t, campaign.ConsentNone, got["+12122790147"].Consent.Kind)

	// A later file claiming consent again never undoes a revocation, even
	// with overwrite; it fills the consent of a contact without one.
	res, err = cs.Imports().Import(ctx, admin, strings.NewReader("Phone,Consent\n(212) 279-0143,express written\n(212) 279-0147,express written\n"),
		importer.Options{CampaignID: c.ID, DuplicatePolicy: importer.DuplicateMerge, MergeOverwrite: true})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Counts.Merged)

	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, err := svc.Transition(ctx, admin, c.ID, to, "")
		require.NoError(t, err)
	}
	leases, err := cs.Queue().Claim(ctx, ws.ID, c.ID, 10, time.Minute)
	require.NoError(t, err)
	var names []string
	for _, l := range leases {
		names = append(names, l.Contact.FirstName)
	}
	assert.ElementsMatch(t, []string{"Ann", "Gus"}, names, "only prior express written consent, not revoked, is claimed")
}
