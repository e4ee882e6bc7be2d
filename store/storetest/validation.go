package storetest

import (
	"math"
	"strings"
	"time"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/suppression"
)

// testValidationOnWrite: settings that would wedge a campaign, unbounded
// contact fields and invalid UTF-8 are refused on write with
// campaign.ErrInvalid naming the field, the same on every store, and
// nothing is stored; a store written directly refuses invalid text too.
func testValidationOnWrite(t *testing.T, x *queueHarness) {
	invalidField := func(t *testing.T, err error, field string) {
		t.Helper()
		require.ErrorIs(t, err, campaign.ErrInvalid)
		assert.Contains(t, err.Error(), field)
	}
	bad := string([]byte{'A', 0xff, 0xfe, 'z'})

	// Settings.
	for name, tc := range map[string]struct {
		set   campaign.Settings
		field string
	}{
		"lease shorter than a ring": {campaign.Settings{RingTimeout: 30 * time.Second, HopperExpiry: 20 * time.Second}, "Settings.HopperExpiry"},
		"lease as long as a ring":   {campaign.Settings{RingTimeout: 30 * time.Second, HopperExpiry: 30 * time.Second}, "Settings.HopperExpiry"},
		"endless lease":             {campaign.Settings{HopperExpiry: math.MaxInt64}, "Settings.HopperExpiry"},
		"endless retry":             {campaign.Settings{RetryInterval: math.MaxInt64}, "Settings.RetryInterval"},
		"endless spacing":           {campaign.Settings{MinTimeBetweenCalls: math.MaxInt64}, "Settings.MinTimeBetweenCalls"},
		"endless completion":        {campaign.Settings{ContactCompletionTimeout: math.MaxInt64}, "Settings.ContactCompletionTimeout"},
		"endless grace":             {campaign.Settings{CallbackGrace: math.MaxInt64}, "Settings.CallbackGrace"},
		"endless wrap-up":           {campaign.Settings{WrapUp: math.MaxInt64}, "Settings.WrapUp"},
		"calls beyond count":        {campaign.Settings{MaxConcurrentCalls: math.MaxInt32}, "Settings.MaxConcurrentCalls"},
		"same day twice":            {campaign.Settings{DialWindow: campaign.DialWindow{Start: campaign.Clock(9, 0), End: campaign.Clock(17, 0), Days: []time.Weekday{time.Monday, time.Monday}}}, "Settings.DialWindow.Days[1]"},
	} {
		_, err := x.svc.CreateCampaign(x.ctx, x.admin, campaign.Campaign{Name: name, Settings: tc.set})
		invalidField(t, err, tc.field)
	}
	c := x.running(nil)
	// A running campaign's settings are locked; a paused one's lease and
	// ring timers may change, and are still validated.
	_, err := x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, func(c *campaign.Campaign) error { c.Settings.HopperExpiry = 10 * time.Minute; return nil })
	require.ErrorIs(t, err, campaign.ErrLocked)
	_, err = x.svc.Transition(x.ctx, x.admin, c.ID, campaign.StatusPaused, "")
	require.NoError(t, err)
	_, err = x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, func(c *campaign.Campaign) error { c.Settings.HopperExpiry = 10 * time.Second; return nil })
	invalidField(t, err, "Settings.HopperExpiry")
	_, err = x.svc.Transition(x.ctx, x.admin, c.ID, campaign.StatusRunning, "")
	require.NoError(t, err)
	_, err = x.svc.UpdateCampaign(x.ctx, x.admin, c.ID, func(c *campaign.Campaign) error { c.Notes = bad; return nil })
	invalidField(t, err, "Notes")
	_, err = x.svc.Transition(x.ctx, x.admin, c.ID, campaign.StatusPaused, bad)
	invalidField(t, err, "Reason")
	got, err := x.store.GetCampaign(x.ctx, x.admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, got.Settings.HopperExpiry, "refused updates change nothing")
	assert.Equal(t, campaign.StatusRunning, got.Status)
	_, err = x.svc.CreateCampaign(x.ctx, x.admin, campaign.Campaign{Name: "n" + bad})
	invalidField(t, err, "Name")

	// Contacts.
	tags := make([]string, 50_000)
	for i := range tags {
		tags[i] = "t"
	}
	for name, tc := range map[string]struct {
		ct    campaign.Contact
		field string
	}{
		"8 MiB custom value":     {campaign.Contact{Custom: map[string]string{"blob": strings.Repeat("x", 8<<20)}}, "Custom[blob]"},
		"50,000 tags":            {campaign.Contact{Tags: tags}, "Tags"},
		"too many custom fields": {campaign.Contact{Custom: manyKeys(campaign.MaxCustomFields + 1)}, "Custom"},
		"too many alt phones":    {campaign.Contact{AltPhones: slicesOf(phone(9), campaign.MaxAltPhones+1)}, "AltPhones"},
		"long email":             {campaign.Contact{Email: strings.Repeat("a", 250) + "@example.com"}, "Email"},
		"long source":            {campaign.Contact{Source: strings.Repeat("s", campaign.MaxNameLength+1)}, "Source"},
		"invalid name":           {campaign.Contact{FirstName: bad}, "FirstName"},
		"invalid custom value":   {campaign.Contact{Custom: map[string]string{"k": bad}}, "Custom[k]"},
		"invalid custom key":     {campaign.Contact{Custom: map[string]string{bad: "v"}}, "Custom"},
		"invalid tag":            {campaign.Contact{Tags: []string{bad}}, "Tags[0]"},
		"invalid notes":          {campaign.Contact{Notes: bad}, "Notes"},
		"invalid consent source": {campaign.Contact{Consent: campaign.Consent{Source: bad}}, "Consent.Source"},
	} {
		tc.ct.CampaignID, tc.ct.Phone = c.ID, phone(7)
		_, err := x.svc.AddContacts(x.ctx, x.admin, []campaign.Contact{tc.ct})
		if assert.Error(t, err, name) {
			invalidField(t, err, tc.field)
		}
	}
	page, err := x.store.ListContacts(x.ctx, x.admin.WorkspaceID, campaign.ContactFilter{CampaignID: c.ID})
	require.NoError(t, err)
	assert.Empty(t, page.Contacts, "no refused contact was stored")

	// Valid text of any script round-trips; invalid edits are refused.
	ct := x.add(c, campaign.Contact{FirstName: "Zoë", LastName: "東京", Custom: map[string]string{"note": "naïve — ok"}})[0]
	assert.Equal(t, "東京", x.get(ct.ID).LastName)
	_, err = x.svc.UpdateContact(x.ctx, x.admin, ct.ID, func(c *campaign.Contact) error { c.Company = bad; return nil })
	invalidField(t, err, "Company")

	// Written directly, the store refuses invalid text too.
	raw := x.get(ct.ID)
	raw.Notes = bad
	audit := campaign.AuditEntry{ID: "aud-raw", WorkspaceID: x.admin.WorkspaceID, Action: "contact.update", At: x.clock.Now()}
	require.ErrorIs(t, x.store.UpdateContact(x.ctx, raw, audit), campaign.ErrInvalid)
	fresh := raw
	fresh.ID, fresh.Phone, fresh.Version = "raw-new", phone(8), 1
	audit.ID = "aud-raw-new"
	require.ErrorIs(t, x.store.InsertContacts(x.ctx, x.admin.WorkspaceID, []campaign.Contact{fresh}, audit), campaign.ErrInvalid)
	assert.Equal(t, "", x.get(ct.ID).Notes)
	_, err = x.store.GetContact(x.ctx, x.admin.WorkspaceID, "raw-new")
	require.ErrorIs(t, err, campaign.ErrNotFound)

	// Suppression entries.
	err = x.sup.Add(x.ctx, x.admin, suppression.Entry{List: suppression.Global(), Number: phone(5), Reason: "dnc", Source: bad})
	require.ErrorIs(t, err, campaign.ErrInvalid)
	require.ErrorIs(t, err, suppression.ErrInvalidEntry)
	ms, err := x.sup.Check(x.ctx, x.admin.WorkspaceID, suppression.Query{Numbers: []string{phone(5)}})
	require.NoError(t, err)
	assert.Empty(t, ms)
}

func manyKeys(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[phone(i)] = "v"
	}
	return m
}

func slicesOf(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
