package dialer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// TestEngineAdmitsOnlyItsWorkspace logs in and saves outcomes as actors
// from the wrong workspace: an admin of another workspace, a user who is
// only a Viewer there, a non-member, a Viewer of the engine's own
// workspace. None may take or save calls; nothing they do reaches the
// campaign's calls.
func TestEngineAdmitsOnlyItsWorkspace(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive}, 3, sim.Config{Seed: 3, AnswerProb: sim.Constant(1)})
	ep := func(id string) dialer.AgentConfig {
		return dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: id}}
	}
	other, err := w.svc.CreateWorkspace(w.ctx, campaign.Member{UserID: "eve"}, campaign.Workspace{Name: "Other"})
	require.NoError(t, err)
	eve := campaign.Actor{WorkspaceID: other.ID, UserID: "eve"}
	// agent0 will take calls in the engine's workspace; the same user id is
	// an admin of the other workspace, and "vic" is a Viewer here.
	_, err = w.svc.PutMember(w.ctx, eve, campaign.Member{UserID: "agent0", Role: campaign.RoleTeamAdmin})
	require.NoError(t, err)
	_, err = w.svc.PutMember(w.ctx, w.admin, campaign.Member{UserID: "vic", Role: campaign.RoleViewer})
	require.NoError(t, err)
	_, err = w.svc.PutMember(w.ctx, eve, campaign.Member{UserID: "vic", Role: campaign.RoleTeamAdmin})
	require.NoError(t, err)

	refused := map[string]campaign.Actor{
		"admin of another workspace":                  eve,
		"admin elsewhere, naming this workspace":      {WorkspaceID: w.admin.WorkspaceID, UserID: "eve"},
		"viewer here, admin elsewhere":                {WorkspaceID: other.ID, UserID: "vic"},
		"viewer here":                                 {WorkspaceID: w.admin.WorkspaceID, UserID: "vic"},
		"non-member":                                  {WorkspaceID: w.admin.WorkspaceID, UserID: "stranger"},
		"same user id, acting from another workspace": {WorkspaceID: other.ID, UserID: "agent0"},
	}
	for name, a := range refused {
		err := w.engine.Login(w.ctx, a, ep(string(a.UserID)))
		assert.ErrorIs(t, err, campaign.ErrForbidden, "Login: %s", name)
		_, err = w.engine.Preview(w.ctx, a)
		assert.ErrorIs(t, err, campaign.ErrForbidden, "Preview: %s", name)
	}
	assert.Empty(t, w.engine.Agents(), "no refused actor got a session")

	// A Caller may log only themself in; a manager may log an AI agent in.
	_, err = w.svc.PutMember(w.ctx, w.admin, campaign.Member{UserID: "carl", Role: campaign.RoleCaller})
	require.NoError(t, err)
	carl := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "carl"}
	err = w.engine.Login(w.ctx, carl, dialer.AgentConfig{ID: "ghost", Endpoint: ep("ghost").Endpoint})
	assert.ErrorIs(t, err, campaign.ErrForbidden, "a Caller logs in someone else")
	require.NoError(t, w.engine.Login(w.ctx, w.admin, dialer.AgentConfig{ID: "ai-1", Kind: dialer.AgentAI, Capacity: 2, Endpoint: ep("ai-1").Endpoint}))
	err = w.engine.Logout(w.ctx, carl, "ai-1")
	assert.ErrorIs(t, err, campaign.ErrForbidden, "a Caller logs out someone else")
	err = w.engine.Pause(w.ctx, carl, "ai-1", true)
	assert.ErrorIs(t, err, campaign.ErrForbidden, "a Caller pauses someone else")
	stranger := campaign.Actor{WorkspaceID: other.ID, UserID: w.admin.UserID}
	err = w.engine.Logout(w.ctx, stranger, "ai-1")
	assert.ErrorIs(t, err, campaign.ErrForbidden, "another workspace's actor logs out an agent")
	require.NoError(t, w.engine.Logout(w.ctx, w.admin, "ai-1"))

	// A preview context carrying another campaign's lease is refused.
	foreign := dialer.PreviewContext{Lease: queue.Lease{WorkspaceID: other.ID, CampaignID: "elsewhere", ContactID: "ct-b", Token: "t"}}
	assert.ErrorIs(t, w.engine.Skip(w.ctx, w.admin, foreign), campaign.ErrForbidden)
	_, err = w.engine.Dial(w.ctx, w.admin, foreign)
	assert.ErrorIs(t, err, campaign.ErrForbidden)

	// agent0 takes a call in the engine's workspace.
	w.login(1)
	for i := 0; i < 600 && len(w.engine.Awaiting("agent0")) == 0; i++ {
		require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, w.clock.Now().Add(time.Second)))
	}
	att := w.engine.Awaiting("agent0")
	require.NotEmpty(t, att)
	in := dialer.OutcomeInput{DispositionID: w.disp.ID, Note: "hijack"}
	for name, a := range refused {
		assert.ErrorIs(t, w.engine.SaveOutcome(w.ctx, a, att[0], in), campaign.ErrForbidden, "SaveOutcome: %s", name)
	}
	assert.ErrorIs(t, w.engine.SaveOutcome(w.ctx, carl, att[0], in), campaign.ErrForbidden, "another caller's attempt")
	assert.Equal(t, att, w.engine.Awaiting("agent0"), "the outcome is still agent0's to save")
	require.NoError(t, w.engine.SaveOutcome(w.ctx, campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}, att[0], in))
	require.NoError(t, w.engine.Stop(w.ctx))
}
