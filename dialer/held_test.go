package dialer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/telephony/sim"
)

// TestHeldContactsKeepTheCampaignOpen: contacts imported on hold are not
// final (docs/campaign-rules.md), so a campaign whose callable contacts are
// all done stays Running until the held ones are activated and called; it
// must not complete with them never dialled.
func TestHeldContactsKeepTheCampaignOpen(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 6,
		sim.Config{Seed: 11, AnswerProb: sim.Constant(1)})
	p, err := w.st.ListContacts(w.ctx, w.admin.WorkspaceID, campaign.ContactFilter{CampaignID: w.c.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, p.Contacts, 6)
	held := map[campaign.ContactID]bool{}
	for _, c := range p.Contacts[:3] {
		c.Status = campaign.ContactHeld
		require.NoError(t, w.st.UpdateContact(w.ctx, c, campaign.AuditEntry{ID: campaign.AuditID("aud_hold_" + string(c.ID)), WorkspaceID: c.WorkspaceID, ActorID: "ada", Action: "contact.hold", Entity: "contact", EntityID: string(c.ID), At: start}))
		held[c.ID] = true
	}
	agents := w.login(2)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(time.Hour), agents))
	require.NoError(t, w.engine.Stop(w.ctx))

	atts := w.attempts()
	require.Len(t, atts, 3, "only the pending contacts are called")
	for _, a := range atts {
		assert.False(t, held[a.ContactID], "held contact %s dialled", a.ContactID)
	}
	got, err := w.st.GetCampaign(w.ctx, w.admin.WorkspaceID, w.c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.StatusRunning, got.Status, "three contacts are held, so the campaign is not complete")
}

// TestEngineRefusesAFinishedCampaign: an engine for a campaign that can
// never run again is refused at construction, saying what to do.
func TestEngineRefusesAFinishedCampaign(t *testing.T) {
	for _, to := range []campaign.Status{campaign.StatusCompleted, campaign.StatusCancelled} {
		t.Run(string(to), func(t *testing.T) {
			w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive}, 1, sim.Config{Seed: 1})
			require.NoError(t, w.engine.Stop(w.ctx))
			_, err := w.svc.Transition(w.ctx, w.admin, w.c.ID, to, "")
			require.NoError(t, err)
			_, err = dialer.New(w.ctx, dialer.Config{
				Workspace: w.admin.WorkspaceID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
				Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now,
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "can never dial again")
		})
	}
}
