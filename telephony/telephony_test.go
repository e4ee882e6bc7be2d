package telephony_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/telephony"
)

func validRequest() telephony.DialRequest {
	return telephony.DialRequest{From: "+15005550006", To: "+14155550100", RingTimeout: 20 * time.Second, AttemptID: "a1"}
}

func TestDialRequestValidate(t *testing.T) {
	require.NoError(t, validRequest().Validate())
	cases := map[string]func(*telephony.DialRequest){
		"From":        func(r *telephony.DialRequest) { r.From = "0044 20 7946 0000" },
		"To":          func(r *telephony.DialRequest) { r.To = "+1234567890123456" },
		"RingTimeout": func(r *telephony.DialRequest) { r.RingTimeout = 14999 * time.Millisecond },
		"AMD":         func(r *telephony.DialRequest) { r.AMD = "maybe" },
		"AttemptID":   func(r *telephony.DialRequest) { r.AttemptID = "" },
	}
	for field, mutate := range cases {
		r := validRequest()
		mutate(&r)
		err := r.Validate()
		require.Error(t, err, field)
		assert.ErrorIs(t, err, telephony.ErrInvalidRequest, field)
		assert.False(t, telephony.IsRetryable(err), field)
		assert.Contains(t, err.Error(), field)
		var te *telephony.Error
		require.ErrorAs(t, err, &te)
		assert.Equal(t, telephony.CodeInvalidRequest, te.Code)
	}
	r := validRequest()
	r.RingTimeout = telephony.MinRingTimeout
	r.AMD = telephony.AMDDetectMessageEnd
	assert.NoError(t, r.Validate(), "exactly the minimum is allowed")
}

func TestIsE164(t *testing.T) {
	for s, want := range map[string]bool{
		"+14155550100": true, "+442079460000": true, "+12": true, "+123456789012345": true,
		"": false, "+": false, "+1": false, "14155550100": false, "+04155550100": false,
		"+1234567890123456": false, "+1 415": false, "+1415x": false,
	} {
		assert.Equal(t, want, telephony.IsE164(s), s)
	}
}

func TestEndpointAndMessage(t *testing.T) {
	for _, ep := range []telephony.Endpoint{
		{Kind: telephony.EndpointPhone, Address: "+14155550100"},
		{Kind: telephony.EndpointURI, Address: "sip:alice@pbx.example"},
		{Kind: telephony.EndpointURI, Address: "client:alice"},
		{Kind: telephony.EndpointAgent, Address: "ai-sales-1"},
	} {
		assert.NoError(t, ep.Validate(), ep.String())
	}
	for _, ep := range []telephony.Endpoint{
		{}, {Kind: telephony.EndpointPhone, Address: "555"}, {Kind: telephony.EndpointURI, Address: "alice"},
		{Kind: telephony.EndpointURI, Address: ":x"}, {Kind: telephony.EndpointAgent, Address: " "},
	} {
		assert.ErrorIs(t, ep.Validate(), telephony.ErrInvalidRequest, ep.String())
	}
	assert.NoError(t, telephony.Message{Text: "hi"}.Validate())
	assert.NoError(t, telephony.Message{AudioURL: "https://example.com/a.wav"}.Validate())
	assert.ErrorIs(t, telephony.Message{Text: "  "}.Validate(), telephony.ErrInvalidRequest)
}

func TestErrors(t *testing.T) {
	cause := errors.New("503 from upstream")
	retry := &telephony.Error{Code: telephony.CodeUnavailable, Retryable: true, Err: cause}
	assert.Equal(t, "telephony: unavailable: 503 from upstream", retry.Error())
	assert.True(t, telephony.IsRetryable(retry))
	assert.True(t, telephony.IsRetryable(fmt.Errorf("dial: %w", retry)))
	assert.False(t, telephony.IsOutcomeUnknown(retry))
	assert.ErrorIs(t, retry, cause)

	unknown := &telephony.Error{Code: telephony.CodeTimeout, Retryable: true, Unknown: true}
	assert.Equal(t, "telephony: timeout", unknown.Error())
	assert.True(t, telephony.IsOutcomeUnknown(fmt.Errorf("dial: %w", unknown)))
	assert.ErrorIs(t, unknown, telephony.ErrOutcomeUnknown)
	assert.False(t, telephony.IsRetryable(unknown), "unknown outcome wins over Retryable")

	assert.True(t, telephony.IsOutcomeUnknown(telephony.ErrOutcomeUnknown))
	assert.False(t, telephony.IsRetryable(nil))
	assert.False(t, telephony.IsOutcomeUnknown(nil))
	assert.False(t, telephony.IsRetryable(errors.New("plain")))
	assert.Equal(t, "telephony: error", (&telephony.Error{}).Error())

	for _, err := range []error{telephony.ErrUnknownCall, telephony.ErrOutcomeUnknown, telephony.ErrInvalidRequest,
		telephony.ErrCallState, telephony.ErrNotStarted} {
		assert.Regexp(t, "^telephony: ", err.Error())
	}
}

func TestEventTypes(t *testing.T) {
	terminal := []telephony.EventType{telephony.EventBusy, telephony.EventNoAnswer, telephony.EventFailed,
		telephony.EventCanceled, telephony.EventCompleted}
	for _, typ := range terminal {
		assert.True(t, typ.Terminal(), typ)
		assert.True(t, typ.Valid(), typ)
	}
	for _, typ := range []telephony.EventType{telephony.EventQueued, telephony.EventRinging,
		telephony.EventAnsweredHuman, telephony.EventAnsweredMachine, telephony.EventBridged} {
		assert.False(t, typ.Terminal(), typ)
	}
	assert.False(t, telephony.EventType("answered").Valid())

	legal := [][]telephony.EventType{
		{"", "queued"}, {"", "ringing"}, {"queued", "ringing"}, {"ringing", "answered_human"},
		{"queued", "answered_machine"}, {"answered_human", "bridged"}, {"bridged", "completed"},
		{"answered_human", "completed"}, {"ringing", "busy"}, {"ringing", "no_answer"}, {"queued", "failed"},
		{"ringing", "canceled"}, {"bridged", "failed"}, {"", "failed"},
	}
	for _, p := range legal {
		assert.True(t, telephony.CanFollow(p[0], p[1]), "%s → %s", p[0], p[1])
	}
	illegal := [][]telephony.EventType{
		{"ringing", "queued"}, {"ringing", "ringing"}, {"answered_human", "ringing"}, {"answered_human", "answered_machine"},
		{"ringing", "bridged"}, {"ringing", "completed"}, {"answered_human", "busy"}, {"bridged", "canceled"},
		{"completed", "completed"}, {"busy", "failed"}, {"bridged", "bridged"}, {"", "nonsense"}, {"nonsense", "ringing"},
	}
	for _, p := range illegal {
		assert.False(t, telephony.CanFollow(p[0], p[1]), "%s → %s", p[0], p[1])
	}
}

func TestCost(t *testing.T) {
	assert.Equal(t, "0.013000 USD", telephony.Cost{Micros: 13_000, Currency: "USD"}.String())
	assert.Equal(t, "-1.500000 EUR", telephony.Cost{Micros: -1_500_000, Currency: "EUR"}.String())
	assert.Equal(t, "0.000000", telephony.Cost{}.String())
	assert.True(t, telephony.Cost{Currency: "USD"}.IsZero())
}

func ev(id string, seq int, typ telephony.EventType) telephony.Event {
	return telephony.Event{CallID: telephony.CallID(id), Seq: seq, Type: typ}
}

func TestSequencer(t *testing.T) {
	var s telephony.Sequencer // zero value works
	steps := []struct {
		e    telephony.Event
		want telephony.Verdict
	}{
		{ev("a", 1, "queued"), telephony.VerdictApply},
		{ev("a", 1, "queued"), telephony.VerdictDuplicate},
		{ev("a", 3, "answered_human"), telephony.VerdictApply},
		{ev("a", 2, "ringing"), telephony.VerdictStale},
		{ev("a", 3, "answered_human"), telephony.VerdictDuplicate},
		{ev("a", 4, "ringing"), telephony.VerdictStale}, // higher Seq but lower state
		{ev("b", 5, "ringing"), telephony.VerdictApply}, // calls are independent
		{ev("a", 6, "completed"), telephony.VerdictApply},
		{ev("a", 7, "completed"), telephony.VerdictAfterTerminal},
		{ev("a", 5, "bridged"), telephony.VerdictStale},
		{ev("", 1, "queued"), telephony.VerdictInvalid},
		{ev("c", 0, "queued"), telephony.VerdictInvalid},
		{ev("c", 1, "answered"), telephony.VerdictInvalid},
	}
	for i, st := range steps {
		assert.Equal(t, st.want, s.Observe(st.e), "step %d: %v", i, st.e)
	}
	last, ok := s.Last("a")
	require.True(t, ok)
	assert.Equal(t, telephony.EventCompleted, last.Type)
	assert.Equal(t, 2, s.Len())
	s.Forget("a")
	_, ok = s.Last("a")
	assert.False(t, ok)
	assert.Equal(t, "after_terminal", telephony.VerdictAfterTerminal.String())
}

func TestSequencerConcurrent(t *testing.T) {
	s := telephony.NewSequencer()
	seq := []telephony.EventType{"queued", "ringing", "answered_human", "bridged", "completed"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := map[telephony.CallID]int{}
	for range 8 {
		wg.Go(func() {
			for c := range 50 {
				id := telephony.CallID(fmt.Sprintf("call-%d", c))
				for i, typ := range seq {
					// Every worker delivers every event: 8 duplicates each.
					if s.Observe(telephony.Event{CallID: id, Seq: i + 1, Type: typ}).OK() {
						mu.Lock()
						applied[id]++
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	for c := range 50 {
		id := telephony.CallID(fmt.Sprintf("call-%d", c))
		// Interleaving may make a lower Seq stale, never apply one twice.
		assert.LessOrEqual(t, applied[id], len(seq), id)
		last, _ := s.Last(id)
		assert.Equal(t, telephony.EventCompleted, last.Type, id)
	}
}
