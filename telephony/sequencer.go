package telephony

import (
	"slices"
	"sync"
)

// Verdict is what a Sequencer decided about an event.
type Verdict int

// Verdicts. Only VerdictApply asks the consumer to apply the event.
const (
	// VerdictApply: a new event that moves the call forward; apply it.
	VerdictApply Verdict = iota
	// VerdictDuplicate: an event with this Seq was already applied.
	VerdictDuplicate
	// VerdictStale: an event older than the call's current state (a lower
	// Seq, or a state the call has passed). It is not a transition, but it
	// may carry facts the consumer lacks, such as who answered.
	VerdictStale
	// VerdictAfterTerminal: the call already ended; a terminal event is final.
	VerdictAfterTerminal
	// VerdictInvalid: the event has no CallID, an unknown Type or a Seq
	// below 1.
	VerdictInvalid
)

// String names v.
func (v Verdict) String() string {
	switch v {
	case VerdictApply:
		return "apply"
	case VerdictDuplicate:
		return "duplicate"
	case VerdictStale:
		return "stale"
	case VerdictAfterTerminal:
		return "after_terminal"
	case VerdictInvalid:
		return "invalid"
	}
	return "unknown"
}

// OK reports whether v is VerdictApply.
func (v Verdict) OK() bool { return v == VerdictApply }

// Sequencer lets a consumer apply call events idempotently and in order
// when the carrier delivers them at least once and possibly out of order.
//
// Policy: per call, keep the highest state seen and drop anything else. An
// event is applied when its Seq is higher than the last applied one and its
// state is not lower (see CanFollow's ranks); a terminal event is final.
// Out-of-order events are dropped as stale rather than held: holding needs
// a timeout, because carriers may skip Seq numbers, and would delay the
// answer that an agent must take within 2 s. The price is that a late
// answered_* event after completed is stale: consumers that need who
// answered may read it from stale events.
//
// The zero value is ready to use. A Sequencer is safe for concurrent use. It
// remembers every call until Forget.
type Sequencer struct {
	mu    sync.Mutex
	calls map[CallID]*seqState
}

type seqState struct {
	last    Event
	applied []int // Seqs applied, for exact duplicate detection
}

// NewSequencer returns an empty Sequencer.
func NewSequencer() *Sequencer { return &Sequencer{} }

// Observe records e if it should be applied and says what to do with it.
func (s *Sequencer) Observe(e Event) Verdict {
	if e.CallID == "" || e.Seq < 1 || !e.Type.Valid() {
		return VerdictInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = make(map[CallID]*seqState)
	}
	st, ok := s.calls[e.CallID]
	if !ok {
		s.calls[e.CallID] = &seqState{last: e, applied: []int{e.Seq}}
		return VerdictApply
	}
	switch {
	case slices.Contains(st.applied, e.Seq):
		return VerdictDuplicate
	case e.Seq < st.last.Seq:
		return VerdictStale
	case st.last.Type.Terminal():
		return VerdictAfterTerminal
	case e.Type.rank() < st.last.Type.rank():
		return VerdictStale
	}
	st.last = e
	st.applied = append(st.applied, e.Seq)
	return VerdictApply
}

// Last returns the last event applied for the call.
func (s *Sequencer) Last(id CallID) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.calls[id]
	if !ok {
		return Event{}, false
	}
	return st.last, true
}

// Forget drops what s knows about the call. Call it once the call's
// terminal event is durably applied and redeliveries are no longer expected;
// a later event for the call is then treated as new.
func (s *Sequencer) Forget(id CallID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.calls, id)
}

// Len returns how many calls s remembers.
func (s *Sequencer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}
