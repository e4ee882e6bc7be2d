package dialer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony/sim"
)

// newQueuedWorld is newWorld's campaign left Queued, with edit applied at
// creation (StartDate, Deadline), and its engine started.
func newQueuedWorld(t *testing.T, settings campaign.Settings, contacts int, simCfg sim.Config, edit func(*campaign.Campaign)) *world {
	t.Helper()
	w := newWorld(t, settings, 0, simCfg)
	require.NoError(t, w.engine.Stop(w.ctx))
	c := campaign.Campaign{Name: "Launch", Timezone: "America/New_York", Settings: w.c.Settings}
	edit(&c)
	var err error
	w.c, err = w.svc.CreateCampaign(w.ctx, w.admin, c)
	require.NoError(t, err)
	w.disp, err = w.svc.PutDisposition(w.ctx, w.admin, campaign.Disposition{CampaignID: w.c.ID, Title: "Interested", Contacted: true, Final: true})
	require.NoError(t, err)
	cs := make([]campaign.Contact, contacts)
	for i := range cs {
		cs[i] = campaign.Contact{CampaignID: w.c.ID, Phone: fmt.Sprintf("+1212%07d", 3000000+i), Timezones: []string{"America/New_York"}, State: "NY", AreaCodeState: "NY"}
	}
	_, err = w.svc.AddContacts(w.ctx, w.admin, cs)
	require.NoError(t, err)
	w.c, err = w.svc.Transition(w.ctx, w.admin, w.c.ID, campaign.StatusQueued, "")
	require.NoError(t, err)
	simCfg.Now = w.clock.Now
	w.carrier, err = sim.New(simCfg)
	require.NoError(t, err)
	w.engine, err = dialer.New(w.ctx, dialer.Config{
		Workspace: w.admin.WorkspaceID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
		Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now,
	})
	require.NoError(t, err)
	require.NoError(t, w.engine.Start(w.ctx))
	return w
}

func (w *world) campaignNow() campaign.Campaign {
	w.t.Helper()
	c, err := w.st.GetCampaign(w.ctx, w.admin.WorkspaceID, w.c.ID)
	require.NoError(w.t, err)
	return c
}

func TestQueuedCampaignStartsAtItsStartDateAndEndsAtItsDeadline(t *testing.T) {
	startAt, deadline := start.Add(time.Hour), start.Add(3*time.Hour)
	w := newQueuedWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 5, RetryInterval: 10 * time.Minute,
		MinTimeBetweenCalls: 10 * time.Minute}, 400, sim.Config{Seed: 11, AnswerProb: sim.Constant(0.3)},
		func(c *campaign.Campaign) { c.StartDate, c.Deadline = startAt, deadline })
	agents := w.login(2)

	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, startAt.Add(-time.Second), agents))
	assert.Equal(t, campaign.StatusQueued, w.campaignNow().Status)
	assert.Zero(t, w.engine.Stats().Dials, "nothing is dialled before the start date")

	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, startAt.Add(time.Minute), agents))
	assert.Equal(t, campaign.StatusRunning, w.campaignNow().Status)
	assert.Positive(t, w.engine.Stats().Dials, "dialing starts at the start date")
	ts, err := w.st.ListTransitions(w.ctx, w.admin.WorkspaceID, w.c.ID)
	require.NoError(t, err)
	last := ts[len(ts)-1]
	assert.Equal(t, campaign.SystemUser, last.By, "the engine starts it on its own authority")
	assert.Equal(t, startAt, last.At, "on time, not a status interval late")

	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, deadline.Add(10*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	got := w.campaignNow()
	assert.Equal(t, campaign.StatusCompleted, got.Status, "the deadline ends the campaign")
	ts, err = w.st.ListTransitions(w.ctx, w.admin.WorkspaceID, w.c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.ReasonAfterDeadline, ts[len(ts)-1].Reason)
	atts := w.attempts()
	require.NotEmpty(t, atts)
	for _, a := range atts {
		assert.False(t, a.StartedAt.Before(startAt), "attempt %s started before the start date", a.ID)
		assert.True(t, a.StartedAt.Before(deadline), "attempt %s started after the deadline", a.ID)
	}
	p, err := w.st.ListContacts(w.ctx, w.admin.WorkspaceID, campaign.ContactFilter{CampaignID: w.c.ID, Status: campaign.ContactPending, Limit: 1})
	require.NoError(t, err)
	assert.NotEmpty(t, p.Contacts, "contacts were left when the deadline came: the test must end dialing early")
}

func TestQueuedCampaignWithoutStartDateStartsAtOnce(t *testing.T) {
	w := newQueuedWorld(t, campaign.Settings{DialMode: campaign.DialProgressive}, 3, sim.Config{Seed: 2, AnswerProb: sim.Constant(0)},
		func(*campaign.Campaign) {})
	agents := w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(time.Second), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	assert.Equal(t, campaign.StatusRunning, w.campaignNow().Status)
	assert.Positive(t, w.engine.Stats().Dials)
}

func TestGateBlocksAPreviewedContactPastTheDeadline(t *testing.T) {
	deadline := start.Add(30 * time.Minute)
	w := newQueuedWorld(t, campaign.Settings{DialMode: campaign.DialPreview}, 2, sim.Config{Seed: 3, AnswerProb: sim.Constant(1)},
		func(c *campaign.Campaign) { c.Deadline = deadline })
	w.login(1)
	agent := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, deadline.Add(-time.Minute)))
	require.Equal(t, campaign.StatusRunning, w.campaignNow().Status)
	p, err := w.engine.Preview(w.ctx, agent)
	require.NoError(t, err)

	// The caller reads the contact past the deadline, then presses Dial.
	w.clock.Set(deadline.Add(time.Second))
	_, err = w.engine.Dial(w.ctx, agent, p)
	require.Error(t, err)
	assert.Zero(t, w.engine.Stats().Dials)
	bs, err := w.st.ListBlocks(w.ctx, w.admin.WorkspaceID, queue.BlockFilter{CampaignID: w.c.ID, ContactID: p.Lease.ContactID})
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Equal(t, campaign.ReasonAfterDeadline, bs[0].Reason)
	assert.Equal(t, "dial", bs[0].Stage)

	// The queue leases nothing past the deadline either.
	_, err = w.engine.Preview(w.ctx, agent)
	require.ErrorIs(t, err, queue.ErrNoContact)
	require.NoError(t, w.engine.Stop(w.ctx))
}
