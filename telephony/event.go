package telephony

import (
	"fmt"
	"time"
)

// EventType is what happened to a call.
type EventType string

// Event types, in the order a call goes through them (see the package
// documentation for the legal sequences).
const (
	// EventQueued: the carrier accepted the call and is placing it.
	EventQueued EventType = "queued"
	// EventRinging: the callee's phone is ringing.
	EventRinging EventType = "ringing"
	// EventAnsweredHuman: answered, by a person as far as the carrier can
	// tell (with AMD off, every answer). An agent must be connected within
	// 2 s or the call counts as abandoned.
	EventAnsweredHuman EventType = "answered_human"
	// EventAnsweredMachine: answered by a machine (AMD on). With
	// AMDDetectMessageEnd it arrives after the greeting ends.
	EventAnsweredMachine EventType = "answered_machine"
	// EventBridged: the call is connected to the endpoint given to Bridge.
	EventBridged EventType = "bridged"
	// EventBusy (terminal): the line was busy.
	EventBusy EventType = "busy"
	// EventNoAnswer (terminal): the call rang out.
	EventNoAnswer EventType = "no_answer"
	// EventFailed (terminal): the call could not be placed or connected.
	EventFailed EventType = "failed"
	// EventCanceled (terminal): the caller hung up before the answer.
	EventCanceled EventType = "canceled"
	// EventCompleted (terminal): an answered call ended; Event.Duration is
	// the time from answer to hangup.
	EventCompleted EventType = "completed"
)

// rank orders the states; a call never moves to a lower rank.
func (t EventType) rank() int {
	switch t {
	case EventQueued:
		return 1
	case EventRinging:
		return 2
	case EventAnsweredHuman, EventAnsweredMachine:
		return 3
	case EventBridged:
		return 4
	case EventBusy, EventNoAnswer, EventFailed, EventCanceled, EventCompleted:
		return 5
	}
	return 0
}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool { return t.rank() > 0 }

// Terminal reports whether t ends a call: busy, no_answer, failed, canceled
// or completed. Nothing follows a terminal event.
func (t EventType) Terminal() bool { return t.rank() == 5 }

// Answered reports whether t is answered_human or answered_machine.
func (t EventType) Answered() bool { return t.rank() == 3 }

// CanFollow reports whether next may follow prev in one call's events
// (prev == "" for a call's first event). Steps may be skipped, but a call
// never goes back, nothing follows a terminal event, bridged and completed
// need an answer, and busy, no_answer and canceled cannot follow one.
func CanFollow(prev, next EventType) bool {
	if !next.Valid() || (prev != "" && !prev.Valid()) || prev.Terminal() {
		return false
	}
	answered := prev.rank() >= EventAnsweredHuman.rank()
	switch next {
	case EventQueued, EventRinging:
		return next.rank() > prev.rank()
	case EventAnsweredHuman, EventAnsweredMachine:
		return !answered
	case EventBridged, EventCompleted:
		return answered && next.rank() > prev.rank()
	case EventBusy, EventNoAnswer, EventCanceled:
		return !answered
	case EventFailed:
		return true
	}
	return false
}

// Event is one thing that happened to a call.
type Event struct {
	// CallID is the call, as returned by Dial.
	CallID CallID
	// AttemptID is DialRequest.AttemptID, so events can be matched to an
	// attempt even when Dial's outcome was unknown.
	AttemptID string
	// Type is what happened.
	Type EventType
	// Seq numbers the call's events from 1, in the order they happened.
	// Redeliveries keep their Seq; gaps are allowed.
	Seq int
	// At is when it happened, by the carrier's clock.
	At time.Time
	// Duration is the connected time, from answer to hangup, on completed;
	// zero otherwise.
	Duration time.Duration
	// Cost is what the carrier charges for the call, on terminal events
	// when known; zero otherwise.
	Cost Cost
	// CarrierCode is the carrier's own code (a SIP or Q.850 cause, say).
	CarrierCode string
	// CarrierStatus is the carrier's own status string.
	CarrierStatus string
}

// String formats e for logs.
func (e Event) String() string {
	return fmt.Sprintf("%s #%d %s at %s", e.CallID, e.Seq, e.Type, e.At.Format(time.RFC3339Nano))
}

// Cost is an amount of money in millionths of the currency unit, so that
// sums stay exact.
type Cost struct {
	// Micros is the amount in millionths: 13_000 is 0.013.
	Micros int64
	// Currency is an ISO 4217 code such as "USD".
	Currency string
}

// IsZero reports whether c is zero.
func (c Cost) IsZero() bool { return c.Micros == 0 }

// String formats c as "0.013000 USD".
func (c Cost) String() string {
	sign, m := "", c.Micros
	if m < 0 {
		sign, m = "-", -m
	}
	s := fmt.Sprintf("%s%d.%06d", sign, m/1e6, m%1e6)
	if c.Currency != "" {
		s += " " + c.Currency
	}
	return s
}
