package telephony

import (
	"context"
	"time"
)

// CallQuery names a call to look up at the carrier: by CallID when the
// dial returned one, else by the AttemptID it was placed for, with the
// numbers and the dial's start to find it among the carrier's calls.
type CallQuery struct {
	AttemptID string
	CallID    CallID
	From, To  string
	// Since is when the dial started.
	Since time.Time
}

// CallRecord is a carrier's record of one call.
type CallRecord struct {
	ID CallID
	// Final is the call's terminal event type (completed, busy,
	// no_answer, failed, canceled), or "" while the call is in progress.
	Final EventType
	// AnsweredBy is "human", "machine" or "" when unanswered (or unknown:
	// a carrier without answering-machine detection reports an answered
	// call as "human").
	AnsweredBy string
	// Bridged reports that the call was connected to an agent.
	Bridged bool
	// AnsweredAt and EndedAt are zero when unknown.
	AnsweredAt, EndedAt time.Time
	// Duration is the connected time of an answered call.
	Duration      time.Duration
	Cost          Cost
	CarrierCode   string
	CarrierStatus string
}

// Reconciler is implemented by carriers that can tell the final state of
// a call after the fact (a REST resource for calls, such as Twilio's). A
// dialer that stopped between placing a call and hearing its end asks it
// on restart, so the attempt is logged with the call's true result rather
// than as unknown. telephony/sim and telephony/twilio implement it.
type Reconciler interface {
	// CallRecord returns the carrier's record of the call q names, or an
	// error wrapping ErrUnknownCall when the carrier has none (the dial
	// never reached it).
	CallRecord(ctx context.Context, q CallQuery) (CallRecord, error)
}
