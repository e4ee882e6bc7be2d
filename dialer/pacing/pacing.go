package pacing

import (
	"errors"
	"fmt"
	"time"
)

// DefaultCap is the abandon-rate cap used when AbandonStats.Cap is zero: 3%
// of live-answered calls, the US rule (47 CFR 64.1200(a)(7)).
const DefaultCap = 0.03

// ErrInvalidConfig is wrapped by every error a constructor returns for a bad
// configuration; the message names the offending field.
var ErrInvalidConfig = errors.New("pacing: invalid config")

func invalid(field string, format string, args ...any) error {
	return fmt.Errorf("pacing: %s %s: %w", field, fmt.Sprintf(format, args...), ErrInvalidConfig)
}

// Pacer decides, once per tick, how many calls to start. A pacer is a pure
// function of what it has been shown: the observations passed to Decide and
// the events passed to Observe. It never reads a clock, so the same inputs
// give the same decisions. Pacers are not safe for concurrent use: the
// engine calls them from one goroutine.
type Pacer interface {
	// Decide returns how many calls to start now (0 or more). The pacer must
	// not keep obs's slices after it returns.
	Decide(obs Observation) int
	// Observe learns from something that happened: a dial's result or an
	// agent finishing talk or wrap. Events may arrive between or during
	// ticks, in time order.
	Observe(ev Event)
}

// Observation is the state of one campaign at one tick, as the engine sees
// it.
type Observation struct {
	// Now is the time of the tick. Pacers read time only from here.
	Now time.Time
	// AgentsLoggedIn counts agents logged in to the campaign, in any state.
	// With none, every pacer starts zero calls.
	AgentsLoggedIn int
	// AgentsIdle counts agents ready to take a call right now.
	AgentsIdle int
	// Busy lists the agents on a call or in wrap-up, who will be ready
	// again once done. Agents logged in but neither idle nor busy (paused)
	// are in neither list and are not counted on.
	Busy []BusyAgent
	// Ringing lists the calls in flight: dialed and not yet resolved
	// (neither answered nor ended).
	Ringing []RingingCall
	// Waiting counts live answers waiting for an agent (they are abandoned
	// if none frees in time).
	Waiting int
	// Abandons is the campaign's abandon accounting.
	Abandons AbandonStats
}

// Phase is what a busy agent is doing.
type Phase uint8

// Phases of a busy agent.
const (
	// PhaseTalk: the agent is connected to a callee.
	PhaseTalk Phase = iota + 1
	// PhaseWrap: the call is over and the agent is wrapping up.
	PhaseWrap
)

// BusyAgent is an agent on a call or in wrap-up.
type BusyAgent struct {
	// Phase says whether the agent is talking or wrapping up.
	Phase Phase
	// Elapsed is the time spent in Phase so far.
	Elapsed time.Duration
}

// RingingCall is a call in flight.
type RingingCall struct {
	// Age is the time since the call was dialed.
	Age time.Duration
}

// AbandonStats is the abandon accounting the engine keeps for a campaign:
// live answers and abandoned calls in the current legal period (counted from
// the campaign's start, the current partial period included) and in the
// current shift (the "day").
type AbandonStats struct {
	// Cap is the highest allowed abandoned ÷ live-answered ratio in a
	// period. Defaults to DefaultCap (0.03) when zero.
	Cap float64
	// PeriodLive and PeriodAbandoned count live answers and abandoned calls
	// in the current legal period (30 days under the US rule; 24 h in the
	// UK). They drop back to zero when a new period starts.
	PeriodLive, PeriodAbandoned int
	// ShiftLive and ShiftAbandoned count them since the current shift
	// started.
	ShiftLive, ShiftAbandoned int
}

// CapOrDefault returns Cap, or DefaultCap when Cap is zero or negative.
func (a AbandonStats) CapOrDefault() float64 {
	if a.Cap > 0 {
		return a.Cap
	}
	return DefaultCap
}

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds.
const (
	// EventLive: a dial was answered by a person. Duration is the ring
	// time, from dial to answer.
	EventLive EventKind = iota + 1
	// EventMachine: a dial was answered by a machine (and will not reach an
	// agent). Duration is the ring time.
	EventMachine
	// EventBusy: a dial ended busy. Duration is the time from dial to the
	// signal.
	EventBusy
	// EventFailed: a dial failed (network or number). Duration is the time
	// from dial to the failure.
	EventFailed
	// EventNoAnswer: a dial rang out. Duration is the ring time.
	EventNoAnswer
	// EventTalkEnded: an agent's call ended. Duration is the talk time.
	EventTalkEnded
	// EventWrapEnded: an agent finished wrap-up. Duration is the wrap time.
	EventWrapEnded
)

// String names k.
func (k EventKind) String() string {
	switch k {
	case EventLive:
		return "live"
	case EventMachine:
		return "machine"
	case EventBusy:
		return "busy"
	case EventFailed:
		return "failed"
	case EventNoAnswer:
		return "no_answer"
	case EventTalkEnded:
		return "talk_ended"
	case EventWrapEnded:
		return "wrap_ended"
	}
	return "unknown"
}

// resolution reports whether k is a dial's result.
func (k EventKind) resolution() bool { return k >= EventLive && k <= EventNoAnswer }

// Event is something a pacer learns from.
type Event struct {
	// At is when it happened.
	At time.Time
	// Kind says what happened.
	Kind EventKind
	// Duration is the ring time for a dial's result, the talk time for
	// EventTalkEnded and the wrap time for EventWrapEnded.
	Duration time.Duration
}

// inFlight counts the calls that may still take an agent.
func (o *Observation) inFlight() int { return len(o.Ringing) + o.Waiting }

// oneToOne is the progressive decision: enough calls that calls in flight
// equal idle agents.
func oneToOne(obs *Observation) int {
	if obs.AgentsLoggedIn <= 0 {
		return 0
	}
	return max(0, obs.AgentsIdle-obs.inFlight())
}
