package dialer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/telephony"
)

func ep(n string) telephony.Endpoint {
	return telephony.Endpoint{Kind: telephony.EndpointAgent, Address: n}
}

func TestAgentsLongestIdleFirstAndWrap(t *testing.T) {
	var spans []campaign.AgentSpan
	a := newAgents("w", "c", func(s campaign.AgentSpan) { spans = append(spans, s) })
	require.NoError(t, a.login(AgentConfig{ID: "ann", Endpoint: ep("ann")}, t0))
	require.NoError(t, a.login(AgentConfig{ID: "bob", Endpoint: ep("bob")}, t0.Add(time.Second)))
	require.ErrorIs(t, a.login(AgentConfig{ID: "bob", Endpoint: ep("bob")}, t0), ErrAgentExists)
	n, free := a.counts()
	assert.Equal(t, 2, n)
	assert.Equal(t, 2, free)

	s, ok := a.acquire(t0.Add(2 * time.Second))
	require.True(t, ok)
	assert.Equal(t, campaign.UserID("ann"), s.ID, "longest idle first")
	a.release("ann", 10*time.Second, t0.Add(60*time.Second))
	s, ok = a.acquire(t0.Add(61 * time.Second))
	require.True(t, ok)
	assert.Equal(t, campaign.UserID("bob"), s.ID)
	_, ok = a.acquire(t0.Add(62 * time.Second))
	assert.False(t, ok, "ann is in wrap-up, bob on a call")
	_, next := a.expireWraps(t0.Add(65 * time.Second))
	assert.Equal(t, t0.Add(70*time.Second), next)
	ended, _ := a.expireWraps(t0.Add(70 * time.Second))
	assert.Equal(t, []time.Duration{10 * time.Second}, ended)
	s, ok = a.acquire(t0.Add(71 * time.Second))
	require.True(t, ok)
	assert.Equal(t, campaign.UserID("ann"), s.ID)

	// Spans tile ann's time with no gap.
	var annSpans []campaign.AgentSpan
	for _, sp := range spans {
		if sp.AgentID == "ann" {
			annSpans = append(annSpans, sp)
		}
	}
	require.Len(t, annSpans, 4)
	assert.Equal(t, campaign.AgentAvailable, annSpans[0].State)
	assert.Equal(t, campaign.AgentOnCall, annSpans[1].State)
	assert.Equal(t, campaign.AgentWrapUp, annSpans[2].State)
	assert.Equal(t, campaign.AgentAvailable, annSpans[3].State)
	for i := 1; i < len(annSpans); i++ {
		assert.Equal(t, annSpans[i-1].End, annSpans[i].Start)
	}
}

func TestAgentsAICapacityAndLogout(t *testing.T) {
	a := newAgents("w", "c", nil)
	require.NoError(t, a.login(AgentConfig{ID: "bot", Kind: AgentAI, Capacity: 3, Endpoint: ep("bot")}, t0))
	for range 3 {
		_, ok := a.acquire(t0)
		require.True(t, ok)
	}
	_, ok := a.acquire(t0)
	assert.False(t, ok, "capacity 3")
	_, free := a.counts()
	assert.Zero(t, free)
	require.NoError(t, a.logout("bot", t0))
	n, _ := a.counts()
	assert.Zero(t, n, "a pending logout takes no new calls")
	a.release("bot", time.Minute, t0)
	a.release("bot", time.Minute, t0)
	assert.Len(t, a.snapshot(), 1)
	a.release("bot", time.Minute, t0)
	assert.Empty(t, a.snapshot(), "the session ends with its last call; an AI agent has no wrap-up")
	require.ErrorIs(t, a.logout("bot", t0), ErrAgentNotLoggedIn)
}

func TestAgentsPause(t *testing.T) {
	a := newAgents("w", "c", nil)
	require.NoError(t, a.login(AgentConfig{ID: "ann", Endpoint: ep("ann")}, t0))
	require.NoError(t, a.pause("ann", true, t0))
	_, ok := a.acquire(t0)
	assert.False(t, ok)
	require.NoError(t, a.pause("ann", false, t0))
	_, ok = a.acquire(t0)
	assert.True(t, ok)
	require.Error(t, a.pause("ann", true, t0), "cannot pause on a call")
	require.Error(t, a.login(AgentConfig{ID: "x", Kind: "robot", Endpoint: ep("x")}, t0))
	require.Error(t, a.login(AgentConfig{ID: "y"}, t0), "an endpoint is required")
}
