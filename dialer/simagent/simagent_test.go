package simagent_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/telephony/sim"
)

type world struct {
	ctx     context.Context
	clock   *sim.Clock
	carrier *sim.Carrier
	e       *dialer.Engine
	ws      campaign.WorkspaceID
	done    campaign.DispositionID
	agents  []campaign.UserID
}

// newWorld builds a running campaign of n contacts with the agents as
// callers, and its engine, on the memory store and the simulated carrier.
func newWorld(t *testing.T, mode campaign.DialMode, n int, agents ...campaign.UserID) *world {
	t.Helper()
	ctx := context.Background()
	clock := sim.NewClock(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC))
	carrier, err := sim.New(sim.Config{Seed: 5, Now: clock.Now, AnswerProb: sim.Constant(0.5)})
	require.NoError(t, err)
	cs, err := callstack.New(memory.New(), callstack.Config{Carrier: carrier, Clock: clock.Now})
	require.NoError(t, err)
	svc := cs.Campaigns()
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "c", Timezone: "America/New_York",
		Settings: campaign.Settings{DialMode: mode, CallRatio: 3, CallerIDs: []string{"+12125550100"}}})
	require.NoError(t, err)
	d, err := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Done", Contacted: true, Final: true})
	require.NoError(t, err)
	var cs2 []campaign.Contact
	for i := range n {
		cs2 = append(cs2, campaign.Contact{CampaignID: c.ID, Phone: fmt.Sprintf("+1212279%04d", 1000+i), Timezones: []string{"America/New_York"}})
	}
	_, err = svc.AddContacts(ctx, admin, cs2)
	require.NoError(t, err)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, err = svc.Transition(ctx, admin, c.ID, to, "")
		require.NoError(t, err)
	}
	for _, id := range agents {
		_, err = svc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
		require.NoError(t, err)
	}
	e, err := cs.Engine(ctx, ws.ID, c.ID, dialer.Config{})
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	t.Cleanup(func() { _ = e.Stop(ctx) })
	return &world{ctx: ctx, clock: clock, carrier: carrier, e: e, ws: ws.ID, done: d.ID, agents: agents}
}

func TestNewRefusesBadConfig(t *testing.T) {
	w := newWorld(t, campaign.DialProgressive, 1, "bo")
	good := simagent.Config{Engine: w.e, Workspace: w.ws, Clock: w.clock.Now, Agents: w.agents, Disposition: w.done}
	for name, edit := range map[string]func(*simagent.Config){
		"Engine":      func(c *simagent.Config) { c.Engine = nil },
		"Workspace":   func(c *simagent.Config) { c.Workspace = "" },
		"Clock":       func(c *simagent.Config) { c.Clock = nil },
		"Agents":      func(c *simagent.Config) { c.Agents = nil },
		"Disposition": func(c *simagent.Config) { c.Disposition = "" },
		"kind":        func(c *simagent.Config) { c.Kind = "robot" },
		"Wrap":        func(c *simagent.Config) { c.Wrap = -time.Second },
	} {
		cfg := good
		edit(&cfg)
		_, err := simagent.New(cfg)
		require.ErrorIs(t, err, simagent.ErrInvalidConfig, name)
		assert.Contains(t, err.Error(), name)
	}
	_, err := simagent.New(good)
	require.NoError(t, err)
}

// run lets the team work an hour of virtual time and wind down, and
// returns the engine's stats.
func run(t *testing.T, w *world, team *simagent.Team) dialer.Stats {
	t.Helper()
	require.NoError(t, team.Login(w.ctx))
	require.NoError(t, dialer.RunVirtual(w.ctx, w.e, w.carrier, w.clock, w.clock.Now().Add(time.Hour), team))
	require.NoError(t, team.Logout(w.ctx))
	require.NoError(t, dialer.RunVirtual(w.ctx, w.e, w.carrier, w.clock, w.clock.Now().Add(30*time.Minute), team))
	return w.e.Stats()
}

// TestHumansSaveEveryCall: every call a human agent took gets its outcome,
// after the wrap-up, and nothing is left awaiting.
func TestHumansSaveEveryCall(t *testing.T) {
	w := newWorld(t, campaign.DialProgressive, 30, "bo", "cy")
	var saves []time.Time
	team, err := simagent.New(simagent.Config{Engine: w.e, Workspace: w.ws, Clock: w.clock.Now, Agents: w.agents, Wrap: 20 * time.Second,
		Outcome: func(att string, now time.Time) dialer.OutcomeInput {
			saves = append(saves, now)
			return dialer.OutcomeInput{DispositionID: w.done}
		}})
	require.NoError(t, err)
	s := run(t, w, team)
	require.Positive(t, s.Connected)
	assert.Equal(t, s.Connected, team.Saved(), "one outcome per connected call")
	assert.Zero(t, team.Lost())
	assert.Len(t, saves, team.Saved())
	for _, id := range w.agents {
		assert.Empty(t, w.e.Awaiting(id), id)
	}
}

// TestAIAgentTakesSeveralCalls: one AI agent of capacity 4 connects more
// calls in an hour than one human, since it talks to several people at
// once and needs no wrap-up.
func TestAIAgentTakesSeveralCalls(t *testing.T) {
	connected := map[dialer.AgentKind]int{}
	for _, kind := range []dialer.AgentKind{dialer.AgentHuman, dialer.AgentAI} {
		w := newWorld(t, campaign.DialPower, 200, "bot")
		team, err := simagent.New(simagent.Config{Engine: w.e, Workspace: w.ws, Clock: w.clock.Now, Agents: w.agents,
			Kind: kind, Capacity: 4, Carrier: w.carrier, Disposition: w.done})
		require.NoError(t, err)
		s := run(t, w, team)
		assert.Equal(t, s.Connected, team.Saved(), kind)
		connected[kind] = s.Connected
	}
	t.Log(connected)
	assert.Greater(t, connected[dialer.AgentAI], connected[dialer.AgentHuman]*2)
}
