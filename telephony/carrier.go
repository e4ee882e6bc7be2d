package telephony

import (
	"context"
	"fmt"
	"strings"
)

// CallID identifies a call at the carrier. It is assigned by [Carrier.Dial]
// and is opaque to CallStack.
type CallID string

// Carrier places and controls calls. Implementations must be safe for
// concurrent use, and must not hold locks while they call the sink, because
// a sink may call back into the carrier (bridging an answered call from
// inside [EventSink.HandleEvent] is the normal case).
type Carrier interface {
	// Start hands the carrier the sink that receives every call event and
	// starts whatever background work the adapter needs (a webhook listener,
	// a poller), which lasts until ctx is done. It returns once the carrier
	// is ready; it does not block. Start must be called once, before Dial.
	Start(ctx context.Context, sink EventSink) error

	// Dial places a call. It validates req first (see DialRequest.Validate).
	// On success the call's events follow through the sink, ending with
	// exactly one terminal event. An error whose outcome is unknown
	// (IsOutcomeUnknown) means the call may have been placed anyway; its
	// events then carry req.AttemptID.
	Dial(ctx context.Context, req DialRequest) (CallID, error)

	// Bridge connects an answered call to an agent endpoint. It fails with
	// ErrCallState when the call is not answered, or already bridged or
	// ended, and with ErrUnknownCall when the carrier does not know the call.
	Bridge(ctx context.Context, id CallID, to Endpoint) error

	// Play plays a message to an answered call (the abandon message). The
	// caller hangs up afterwards. It fails like Bridge.
	Play(ctx context.Context, id CallID, msg Message) error

	// Hangup ends a call. A ringing call ends canceled, an answered one
	// completed. Hanging up a call that already ended is a no-op that returns
	// nil; an unknown call returns ErrUnknownCall.
	Hangup(ctx context.Context, id CallID) error
}

// EventSink receives call events from a carrier.
//
// HandleEvent returns nil once the sink has taken the event; a sink
// documents what that guarantees. A non-nil error asks the carrier to
// deliver the event again later; adapters that cannot (a carrier without
// webhook retries) log it. Either way a sink must tolerate duplicates: see
// Sequencer.
//
// The dialer's engine takes an event into memory and applies it on its
// next step: an event acknowledged by a process that then dies is lost
// with it. What repairs the loss is not redelivery but reconciliation: on
// restart the engine asks a carrier that implements [Reconciler] for the
// final state of every call its dial journal shows unfinished.
type EventSink interface {
	HandleEvent(ctx context.Context, e Event) error
}

// SinkFunc adapts a function to an EventSink.
type SinkFunc func(ctx context.Context, e Event) error

// HandleEvent calls f(ctx, e).
func (f SinkFunc) HandleEvent(ctx context.Context, e Event) error { return f(ctx, e) }

// EndpointKind says how an Endpoint's Address is read.
type EndpointKind string

// Endpoint kinds.
const (
	// EndpointPhone is a phone number in E.164 form, e.g. "+14155550100".
	EndpointPhone EndpointKind = "phone"
	// EndpointURI is a softphone or SIP URI, e.g. "sip:alice@pbx.example".
	EndpointURI EndpointKind = "uri"
	// EndpointAgent is the id of an AI agent known to the carrier adapter.
	EndpointAgent EndpointKind = "agent"
)

// Endpoint is where an answered call is bridged: an agent's phone or
// softphone, or an AI agent.
type Endpoint struct {
	// Kind says how Address is read.
	Kind EndpointKind
	// Address is the number, URI or agent id.
	Address string
}

// Validate reports whether e is well formed; the error wraps
// ErrInvalidRequest.
func (e Endpoint) Validate() error {
	switch e.Kind {
	case EndpointPhone:
		if !IsE164(e.Address) {
			return invalid("Endpoint.Address", "%q is not an E.164 number", e.Address)
		}
	case EndpointURI:
		scheme, rest, ok := strings.Cut(e.Address, ":")
		if !ok || scheme == "" || rest == "" || strings.ContainsAny(scheme, " /") {
			return invalid("Endpoint.Address", "%q is not a URI", e.Address)
		}
	case EndpointAgent:
		if strings.TrimSpace(e.Address) == "" {
			return invalid("Endpoint.Address", "an agent id is required")
		}
	default:
		return invalid("Endpoint.Kind", "unknown kind %q", string(e.Kind))
	}
	return nil
}

// String returns "kind:address".
func (e Endpoint) String() string { return fmt.Sprintf("%s:%s", e.Kind, e.Address) }

// Message is something played to a callee: text to speak or a recording.
type Message struct {
	// Text is spoken by the carrier's text-to-speech.
	Text string
	// Language is a BCP 47 tag for Text, e.g. "en-US". Empty means the
	// carrier's default.
	Language string
	// AudioURL is a recording to play instead of Text.
	AudioURL string
}

// Validate reports whether m has something to play; the error wraps
// ErrInvalidRequest.
func (m Message) Validate() error {
	if strings.TrimSpace(m.Text) == "" && m.AudioURL == "" {
		return invalid("Message", "Text or AudioURL is required")
	}
	return nil
}
