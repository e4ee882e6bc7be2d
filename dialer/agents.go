package dialer

import (
	"errors"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/telephony"
)

// AgentKind is who takes the calls of a session.
type AgentKind string

// Agent kinds.
const (
	// AgentHuman is a person on a phone or softphone: one call at a time,
	// wrap-up after each.
	AgentHuman AgentKind = "human"
	// AgentAI is an AI voice agent: up to its Capacity calls at once.
	AgentAI AgentKind = "ai"
)

// Agent session errors.
var (
	ErrAgentNotLoggedIn = errors.New("dialer: agent is not logged in")
	ErrAgentExists      = errors.New("dialer: agent is already logged in")
)

// AgentConfig describes an agent logging in.
type AgentConfig struct {
	ID   campaign.UserID
	Kind AgentKind
	// Capacity is the concurrent calls of an AI agent. Defaults to 1; a
	// human agent always has 1.
	Capacity int
	// Endpoint is where answered calls are bridged.
	Endpoint telephony.Endpoint
}

// AgentStatus is a snapshot of one agent session.
type AgentStatus struct {
	AgentConfig
	State campaign.AgentState
	// Since is when the agent entered State.
	Since time.Time
	// Calls is the calls the agent is on now.
	Calls int
	// WrapUntil is when wrap-up ends automatically.
	WrapUntil time.Time
}

type agentSession struct {
	AgentStatus
	logoutPending bool
	// lastCall is the call the agent took last (the current one while on a
	// call, the one being wrapped up after).
	lastCall telephony.CallID
}

// agents keeps the sessions of one campaign. It is owned by the engine
// loop and not safe for concurrent use on its own.
type agents struct {
	byID  map[campaign.UserID]*agentSession
	order []campaign.UserID
	// spans receives each closed state span.
	spans func(campaign.AgentSpan)
	ws    campaign.WorkspaceID
	cid   campaign.ID
}

func newAgents(ws campaign.WorkspaceID, cid campaign.ID, spans func(campaign.AgentSpan)) *agents {
	return &agents{byID: map[campaign.UserID]*agentSession{}, spans: spans, ws: ws, cid: cid}
}

func (a *agents) setState(s *agentSession, st campaign.AgentState, now time.Time) {
	if s.State == st {
		return
	}
	if a.spans != nil && now.After(s.Since) {
		a.spans(campaign.AgentSpan{WorkspaceID: a.ws, CampaignID: a.cid, AgentID: s.ID, State: s.State, Start: s.Since, End: now})
	}
	s.State, s.Since = st, now
}

func (a *agents) login(cfg AgentConfig, now time.Time) error {
	if cfg.ID == "" {
		return fmt.Errorf("dialer: AgentConfig.ID is required")
	}
	if cfg.Kind == "" {
		cfg.Kind = AgentHuman
	}
	if cfg.Kind != AgentHuman && cfg.Kind != AgentAI {
		return fmt.Errorf("dialer: AgentConfig.Kind: unknown kind %q", cfg.Kind)
	}
	if cfg.Kind == AgentHuman || cfg.Capacity <= 0 {
		cfg.Capacity = 1
	}
	if err := cfg.Endpoint.Validate(); err != nil {
		return fmt.Errorf("dialer: AgentConfig.Endpoint: %w", err)
	}
	if s, ok := a.byID[cfg.ID]; ok {
		if s.logoutPending {
			s.logoutPending = false
			return nil
		}
		return fmt.Errorf("%w: %s", ErrAgentExists, cfg.ID)
	}
	a.byID[cfg.ID] = &agentSession{AgentStatus: AgentStatus{AgentConfig: cfg, State: campaign.AgentAvailable, Since: now}}
	a.order = append(a.order, cfg.ID)
	return nil
}

// logout ends the session now, or after its calls end.
func (a *agents) logout(id campaign.UserID, now time.Time) error {
	s, ok := a.byID[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrAgentNotLoggedIn, id)
	}
	if s.Calls > 0 || s.State == campaign.AgentWrapUp {
		s.logoutPending = true
		return nil
	}
	a.remove(s, now)
	return nil
}

func (a *agents) remove(s *agentSession, now time.Time) {
	a.setState(s, "", now)
	delete(a.byID, s.ID)
	for i, x := range a.order {
		if x == s.ID {
			a.order = append(a.order[:i], a.order[i+1:]...)
			break
		}
	}
}

// pause and resume take an idle agent out of and back into rotation.
func (a *agents) pause(id campaign.UserID, paused bool, now time.Time) error {
	s, ok := a.byID[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrAgentNotLoggedIn, id)
	}
	switch {
	case paused && s.State == campaign.AgentAvailable && s.Calls == 0:
		a.setState(s, campaign.AgentPaused, now)
	case !paused && s.State == campaign.AgentPaused:
		a.setState(s, campaign.AgentAvailable, now)
	case paused:
		return fmt.Errorf("dialer: agent %s is %s and cannot pause now", id, s.State)
	}
	return nil
}

// free reports whether s can take a call now.
func (s *agentSession) free() bool {
	return !s.logoutPending && s.Calls < s.Capacity && (s.State == campaign.AgentAvailable || (s.Kind == AgentAI && s.State == campaign.AgentOnCall))
}

// acquire gives a call to the longest-idle free agent.
func (a *agents) acquire(now time.Time) (*agentSession, bool) {
	var best *agentSession
	for _, id := range a.order {
		s := a.byID[id]
		if !s.free() {
			continue
		}
		if best == nil || (s.State == campaign.AgentAvailable && (best.State != campaign.AgentAvailable || s.Since.Before(best.Since))) ||
			(s.State == best.State && s.State != campaign.AgentAvailable && s.Calls < best.Calls) {
			best = s
		}
	}
	if best == nil {
		return nil, false
	}
	best.Calls++
	a.setState(best, campaign.AgentOnCall, now)
	return best, true
}

// release ends one of an agent's calls; a human goes to wrap-up for wrap,
// an AI agent with no calls left becomes available.
func (a *agents) release(id campaign.UserID, wrap time.Duration, now time.Time) {
	s, ok := a.byID[id]
	if !ok || s.Calls == 0 {
		return
	}
	s.Calls--
	if s.Calls > 0 {
		return
	}
	if s.Kind == AgentHuman && wrap > 0 {
		s.WrapUntil = now.Add(wrap)
		a.setState(s, campaign.AgentWrapUp, now)
		return
	}
	a.ready(s, now)
}

// ready ends wrap-up: the agent takes calls again, or leaves if a logout
// was pending.
func (a *agents) ready(s *agentSession, now time.Time) {
	s.WrapUntil = time.Time{}
	if s.logoutPending {
		a.remove(s, now)
		return
	}
	a.setState(s, campaign.AgentAvailable, now)
}

// endWrap ends one agent's wrap-up now (the outcome was saved) and
// reports how long it lasted.
func (a *agents) endWrap(id campaign.UserID, now time.Time) (time.Duration, bool) {
	s, ok := a.byID[id]
	if !ok || s.State != campaign.AgentWrapUp {
		return 0, false
	}
	d := now.Sub(s.Since)
	a.ready(s, now)
	return d, true
}

// expireWraps ends wrap-ups due by now, returning how long each lasted,
// and the next due time.
func (a *agents) expireWraps(now time.Time) (ended []time.Duration, next time.Time) {
	for _, id := range append([]campaign.UserID(nil), a.order...) {
		s := a.byID[id]
		if s.State != campaign.AgentWrapUp {
			continue
		}
		if !now.Before(s.WrapUntil) {
			ended = append(ended, now.Sub(s.Since))
			a.ready(s, now)
		} else if next.IsZero() || s.WrapUntil.Before(next) {
			next = s.WrapUntil
		}
	}
	return ended, next
}

// counts returns logged-in sessions and free call slots now.
func (a *agents) counts() (loggedIn, free int) {
	for _, s := range a.byID {
		if s.logoutPending {
			continue
		}
		loggedIn++
		if s.free() {
			free += s.Capacity - s.Calls
		}
	}
	return loggedIn, free
}

func (a *agents) snapshot() []AgentStatus {
	out := make([]AgentStatus, 0, len(a.order))
	for _, id := range a.order {
		out = append(out, a.byID[id].AgentStatus)
	}
	return out
}

// acquireID gives a call to one named agent, when free.
func (a *agents) acquireID(id campaign.UserID, now time.Time) (*agentSession, bool) {
	s, ok := a.byID[id]
	if !ok || !s.free() {
		return nil, false
	}
	s.Calls++
	a.setState(s, campaign.AgentOnCall, now)
	return s, true
}
