package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

// testContactEditByRole: a Caller edits the contacts it owns or was
// promised a callback by, and only their non-queue, non-compliance
// fields; it may record a withdrawal of consent, never strengthen it.
// A manager changes queue fields; nobody sets dialing or erases by hand.
func testContactEditByRole(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	caller := x.member(x.admin, "carol", campaign.RoleCaller)
	mgr := x.member(x.admin, "mona", campaign.RoleCampaignManager)
	cs := x.add(c,
		campaign.Contact{ID: "own", OwnerID: "carol", Consent: campaign.Consent{Kind: campaign.ConsentExpress, Scope: campaign.ConsentScopeCampaign}},
		campaign.Contact{ID: "cb", CallbackOwner: "carol"},
		campaign.Contact{ID: "other", OwnerID: "someone-else"})
	require.Len(t, cs, 3)

	up := func(a campaign.Actor, id campaign.ContactID, edit func(*campaign.Contact)) error {
		_, err := x.svc.UpdateContact(x.ctx, a, id, func(c *campaign.Contact) error { edit(c); return nil })
		return err
	}
	require.NoError(t, up(caller, "own", func(c *campaign.Contact) { c.Notes, c.FirstName, c.Tags = "called back", "Ann", []string{"warm"} }))
	require.NoError(t, up(caller, "cb", func(c *campaign.Contact) { c.Company = "Globex" }))
	err := up(caller, "other", func(c *campaign.Contact) { c.Notes = "mine now" })
	require.ErrorIs(t, err, campaign.ErrForbidden, "a Caller edits only what it owns")

	before := x.get("own")
	refused := map[string]func(*campaign.Contact){
		"reassign":          func(c *campaign.Contact) { c.OwnerID = "carol2" },
		"take a callback":   func(c *campaign.Contact) { c.CallbackOwner = "carol" },
		"attempts":          func(c *campaign.Contact) { c.Attempts = 99 },
		"status":            func(c *campaign.Contact) { c.Status = campaign.ContactCompleted },
		"lane":              func(c *campaign.Contact) { c.Lane = campaign.LaneHotLead },
		"priority":          func(c *campaign.Contact) { c.Priority = campaign.PriorityHigh },
		"due time":          func(c *campaign.Contact) { c.NextAttemptAt = x.clock.Now().Add(time.Hour) },
		"zones":             func(c *campaign.Contact) { c.Timezones = []string{"America/Los_Angeles"} },
		"phone":             func(c *campaign.Contact) { c.Phone = phone(424242) },
		"consent upgrade":   func(c *campaign.Contact) { c.Consent.Kind = campaign.ConsentExpressWritten },
		"consent scope":     func(c *campaign.Contact) { c.Consent.Scope = campaign.ConsentScopeAny },
		"another campaign":  func(c *campaign.Contact) { c.CampaignID = "elsewhere" },
		"dialing by hand":   func(c *campaign.Contact) { c.Status = campaign.ContactDialing },
		"erasure by a flag": func(c *campaign.Contact) { c.ErasedAt = x.clock.Now() },
	}
	for name, edit := range refused {
		err := up(caller, "own", edit)
		assert.ErrorIs(t, err, campaign.ErrForbidden, name)
	}
	assert.Equal(t, before.Version, x.get("own").Version, "refused edits change nothing")

	// Withdrawal of consent is the one consent change a Caller records.
	require.NoError(t, up(caller, "own", func(c *campaign.Contact) { c.Consent.RevokedAt, c.Consent.RevokedVia = x.clock.Now(), "call" }))
	assert.False(t, x.get("own").Consent.Satisfies(campaign.ConsentExpress))
	err = up(caller, "own", func(c *campaign.Contact) { c.Consent.RevokedAt, c.Consent.RevokedVia = time.Time{}, "" })
	assert.ErrorIs(t, err, campaign.ErrForbidden, "a Caller cannot restore revoked consent")

	// A manager changes queue and consent fields, but not to dialing, and
	// erases only through EraseContact.
	require.NoError(t, up(mgr, "other", func(c *campaign.Contact) {
		c.OwnerID, c.Lane, c.Consent.Kind = "carol", campaign.LaneHotLead, campaign.ConsentExpressWritten
	}))
	for _, a := range []campaign.Actor{mgr, x.admin} {
		assert.ErrorIs(t, up(a, "other", func(c *campaign.Contact) { c.Status = campaign.ContactDialing }), campaign.ErrForbidden)
		assert.ErrorIs(t, up(a, "other", func(c *campaign.Contact) { c.ErasedAt = x.clock.Now() }), campaign.ErrForbidden)
	}
	got := x.get("other")
	assert.Equal(t, campaign.UserID("carol"), got.OwnerID)
	assert.Equal(t, campaign.ContactPending, got.Status)
	assert.True(t, got.ErasedAt.IsZero())
}

// testContactEditLeased: an edit of a contact the queue leased is a
// conflict (campaign.ErrLeased) for every role, and the lease survives it:
// the call's outcome is still saved. An edit read before a claim and
// written after it is refused too, by the version the claim bumped and by
// the store itself, which never moves a leased contact out of dialing.
func testContactEditLeased(t *testing.T, x *queueHarness) {
	c := x.running(nil)
	x.add(c, campaign.Contact{ID: "a", OwnerID: "carol"}, campaign.Contact{ID: "b"})
	caller := x.member(x.admin, "carol", campaign.RoleCaller)
	readBefore := x.get("b")
	ls := x.claim(c, 2)
	require.Len(t, ls, 2)
	for _, a := range []campaign.Actor{x.admin, caller} {
		_, err := x.svc.UpdateContact(x.ctx, a, "a", func(c *campaign.Contact) error { c.Notes = "during the call"; return nil })
		assert.ErrorIs(t, err, campaign.ErrLeased, "%s", a.UserID)
		assert.ErrorIs(t, err, campaign.ErrConflict)
	}
	// A write prepared from a read before the claim.
	readBefore.Notes = "stale"
	audit := campaign.AuditEntry{ID: "aud-stale", WorkspaceID: x.admin.WorkspaceID, Action: "contact.update", At: x.clock.Now()}
	require.ErrorIs(t, x.store.UpdateContact(x.ctx, readBefore, audit), campaign.ErrConflict)
	// A write at the current version that would take the contact out of
	// dialing.
	cur := x.get("b")
	cur.Status, cur.Notes = campaign.ContactPending, "unlease"
	audit.ID = "aud-unlease"
	require.ErrorIs(t, x.store.UpdateContact(x.ctx, cur, audit), campaign.ErrConflict)
	assert.Equal(t, campaign.ContactDialing, x.get("b").Status)

	for _, l := range ls {
		require.NoError(t, x.q.Finish(x.ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer, StartedAt: x.clock.Now()}}),
			"the lease of %s survived the refused edits", l.ContactID)
	}
	_, err := x.svc.UpdateContact(x.ctx, caller, "a", func(c *campaign.Contact) error { c.Notes = "after the call"; return nil })
	require.NoError(t, err)
	assert.Equal(t, "after the call", x.get("a").Notes)
}
