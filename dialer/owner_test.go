package dialer_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// agentLog records the Agent of each dial request, by number.
type agentLog struct {
	mu sync.Mutex
	to map[string]string
}

func (l *agentLog) hook(_ uint64, req telephony.DialRequest) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.to[req.To] = req.Agent
	return nil
}

// answered is a carrier where every call is answered by a person who
// hangs up after 1.5 s unless bridged (so a call bridged only at the
// 2 s abandon limit shows), and talks for about a minute.
func answered(hook func(uint64, telephony.DialRequest) error) sim.Config {
	return sim.Config{Seed: 5, AnswerProb: sim.Constant(1), HeldProb: -1, TalkMean: time.Minute, TalkSigma: 0.01,
		Patience: 1500 * time.Millisecond, FailDial: hook}
}

// addOwned adds one contact per owner ("" for none) and returns their
// numbers.
func (w *world) addOwned(owners ...campaign.UserID) []string {
	w.t.Helper()
	cs := make([]campaign.Contact, len(owners))
	for i, o := range owners {
		cs[i] = campaign.Contact{CampaignID: w.c.ID, Phone: fmt.Sprintf("+1212%03d0147", 279+i), OwnerID: o,
			Timezones: []string{"America/New_York"}, State: "NY", AreaCodeState: "NY"}
	}
	out, err := w.svc.AddContacts(w.ctx, w.admin, cs)
	require.NoError(w.t, err)
	phones := make([]string, len(out))
	for i, c := range out {
		phones[i] = c.Phone
	}
	return phones
}

// byNumber maps each attempt's number to it.
func (w *world) byNumber() map[string]campaign.Attempt {
	out := map[string]campaign.Attempt{}
	for _, a := range w.attempts() {
		out[a.Number] = a
	}
	return out
}

// TestAnsweredCallGoesToTheContactsOwnerFirst: of three free agents, the
// one that owns the contact takes its answered call, though the others
// waited longer; a contact without an owner goes to the longest idle.
// Each dial request names the assigned agent: the owner, else the
// campaign's.
func TestAnsweredCallGoesToTheContactsOwnerFirst(t *testing.T) {
	log := &agentLog{to: map[string]string{}}
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1, AssignedAgent: "ai-renewals"}, 0, answered(log.hook))
	agents := w.login(3)
	phones := w.addOwned("agent2", "")
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(10*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))

	got := w.byNumber()
	require.Len(t, got, 2)
	assert.Equal(t, campaign.UserID("agent2"), got[phones[0]].AgentID, "the owner takes its contact's call")
	assert.Equal(t, campaign.UserID("agent0"), got[phones[1]].AgentID, "anyone (the longest idle) takes an unowned contact's call")
	for _, a := range got {
		assert.False(t, a.Abandoned)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	assert.Equal(t, map[string]string{phones[0]: "agent2", phones[1]: "ai-renewals"}, log.to, "the dial request names the assigned agent")
}

// TestOwnersBusyCallGoesToAnotherAfterOwnerWait: two answered calls of
// one owner's contacts: the owner takes the first; the second waits for
// the busy owner no longer than OwnerWait and goes to the free agent
// instead of being abandoned.
func TestOwnersBusyCallGoesToAnotherAfterOwnerWait(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1}, 0, answered(nil))
	agents := w.login(2)
	phones := w.addOwned("agent1", "agent1")
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(10*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))

	got := w.byNumber()
	require.Len(t, got, 2)
	var agentsOf []campaign.UserID
	for _, p := range phones {
		a := got[p]
		assert.False(t, a.Abandoned, "%s was not abandoned", p)
		assert.Equal(t, campaign.ResultHuman, a.Result)
		agentsOf = append(agentsOf, a.AgentID)
	}
	assert.ElementsMatch(t, []campaign.UserID{"agent0", "agent1"}, agentsOf,
		"the owner took one; the other went to the free agent once the owner had been waited for")
}

// TestCallOfAnOwnerNotLoggedInIsNotHeld: a contact whose owner is not
// logged in to the engine goes to whoever is free.
func TestCallOfAnOwnerNotLoggedInIsNotHeld(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1, OwnerWait: 2 * time.Second}, 0, answered(nil))
	// (Held for the whole OwnerWait, the callee would hang up first.)
	agents := w.login(1)
	phones := w.addOwned("away")
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(10*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	a := w.byNumber()[phones[0]]
	assert.Equal(t, campaign.UserID("agent0"), a.AgentID)
	assert.False(t, a.Abandoned)
}

// TestOwnerWaitIsBoundedByTheAbandonRule: a campaign cannot hold a live
// answer for its owner past the 2 s the abandon rule allows.
func TestOwnerWaitIsBoundedByTheAbandonRule(t *testing.T) {
	w := newWorld(t, campaign.Settings{}, 0, answered(nil))
	_, err := w.svc.CreateCampaign(w.ctx, w.admin, campaign.Campaign{Name: "slow", Settings: campaign.Settings{OwnerWait: 3 * time.Second}})
	assert.ErrorIs(t, err, campaign.ErrInvalid)
	require.NoError(t, w.engine.Stop(w.ctx))
}

// TestGateBlocksANumberOnANamedList: a number added to a named
// suppression list the campaign honours, after its contact was previewed,
// is refused by the dial-time gate with a block naming the list.
func TestGateBlocksANumberOnANamedList(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPreview, SuppressionLists: []string{"Litigators"}}, 1, answered(nil))
	w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(time.Second)))
	agent := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}
	p, err := w.engine.Preview(w.ctx, agent)
	require.NoError(t, err)
	require.NoError(t, w.supp.Add(w.ctx, w.admin, suppression.Entry{List: suppression.Named("Litigators"), Number: p.Lease.Contact.Phone, Reason: "litigator"}))
	_, err = w.engine.Dial(w.ctx, agent, p)
	require.Error(t, err)
	assert.Zero(t, w.engine.Stats().Dials)
	bs, err := w.st.ListBlocks(w.ctx, w.admin.WorkspaceID, queue.BlockFilter{CampaignID: w.c.ID, ContactID: p.Lease.ContactID})
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Equal(t, "suppressed_list", bs[0].Reason)
	assert.Equal(t, campaign.BlockScopeList, bs[0].Scope)
	assert.Equal(t, `list "Litigators": litigator`, bs[0].Detail)
	assert.Equal(t, "dial", bs[0].Stage)
	require.NoError(t, w.engine.Stop(w.ctx))
}
