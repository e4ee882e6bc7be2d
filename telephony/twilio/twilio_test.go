package twilio_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/telephonytest"
	"github.com/callstackhq/callstack/telephony/twilio"
	"github.com/callstackhq/callstack/telephony/twilio/twiliotest"
)

func dialReq(i int) telephony.DialRequest {
	return telephony.DialRequest{
		From:        "+15005550006",
		To:          fmt.Sprintf("+1415555%04d", i),
		RingTimeout: 20 * time.Second,
		AttemptID:   fmt.Sprintf("att-%d", i),
	}
}

// events is a sink that records what it gets and can refuse.
type events struct {
	mu     sync.Mutex
	got    []telephony.Event
	refuse int // refuse the next n events
}

func (s *events) HandleEvent(_ context.Context, e telephony.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse > 0 {
		s.refuse--
		return errors.New("store down")
	}
	s.got = append(s.got, e)
	return nil
}

func (s *events) all() []telephony.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]telephony.Event(nil), s.got...)
}

func started(t *testing.T, c *twilio.Carrier) *events {
	t.Helper()
	sink := &events{}
	require.NoError(t, c.Start(t.Context(), sink))
	return sink
}

func TestSignatureDocsVector(t *testing.T) {
	// The worked example of twilio.com/docs/usage/webhooks/webhooks-security.
	const u = "https://mycompany.com/myapp.php?foo=1&bar=2"
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675310"},
		"Digits":  {"1234"},
		"From":    {"+14158675310"},
		"To":      {"+18005551212"},
	}
	assert.Equal(t, "GvWf1cFY/Q7PnoempGyD5oXAezc=", twilio.Signature("12345", u, params))
	assert.True(t, twilio.ValidSignature("12345", u, params, "GvWf1cFY/Q7PnoempGyD5oXAezc="))
	assert.True(t, twilio.ValidSignature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", params,
		"GvWf1cFY/Q7PnoempGyD5oXAezc="), "the default port may be added")

	// With +12349013030 as Caller and From (as the issue quoted the vector)
	// the signature differs; this value was computed independently (Python
	// hmac) to check the same algorithm on other input.
	other := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	assert.Equal(t, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", twilio.Signature("12345", u, other))

	for name, ok := range map[string]bool{
		"wrong token":  twilio.ValidSignature("54321", u, params, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
		"http URL":     twilio.ValidSignature("12345", strings.Replace(u, "https", "http", 1), params, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
		"changed form": twilio.ValidSignature("12345", u, url.Values{"Digits": {"9999"}}, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
		"empty":        twilio.ValidSignature("12345", u, params, ""),
	} {
		assert.False(t, ok, name)
	}
}

// handlerCarrier is an adapter whose public callback URL is not the test
// server's (as behind a proxy); callbacks are served in-process.
func handlerCarrier(t *testing.T) (*twilio.Carrier, *vclock) {
	t.Helper()
	clock := newClock()
	c, err := twilio.New(twilio.Config{AccountSID: testAccount, AuthToken: testToken,
		BaseURL: "http://127.0.0.1:1", CallbackURL: "https://dialer.example.com/twilio/cb", Clock: clock})
	require.NoError(t, err)
	return c, clock
}

const publicCB = "https://dialer.example.com/twilio/cb"

// callback builds a callback request as Twilio would send it to the proxy,
// which forwards it to an internal address with the same query.
func callback(query string, p url.Values, sign bool) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080/internal/cb?"+query, strings.NewReader(p.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sign {
		r.Header.Set("X-Twilio-Signature", twilio.Signature(testToken, publicCB+"?"+query, p))
	}
	return r
}

func status(sid, st string, at time.Time, extra ...string) url.Values {
	p := url.Values{"AccountSid": {testAccount}, "CallSid": {sid}, "CallStatus": {st},
		"Timestamp": {at.Format(time.RFC1123Z)}}
	for i := 0; i+1 < len(extra); i += 2 {
		p.Set(extra[i], extra[i+1])
	}
	return p
}

func serve(c *twilio.Carrier, r *http.Request) int {
	w := httptest.NewRecorder()
	c.Handler().ServeHTTP(w, r)
	return w.Code
}

func TestHandlerSignature(t *testing.T) {
	c, _ := handlerCarrier(t)
	q := "attempt=a1&cb=status"
	p := status("CA1", "ringing", epoch)
	assert.Equal(t, http.StatusServiceUnavailable, serve(c, callback(q, p, true)), "before Start")
	sink := started(t, c)

	assert.Equal(t, http.StatusForbidden, serve(c, callback(q, p, false)), "missing signature")
	bad := callback(q, p, true)
	bad.Header.Set("X-Twilio-Signature", "GvWf1cFY/Q7PnoempGyD5oXAezc=")
	assert.Equal(t, http.StatusForbidden, serve(c, bad), "wrong signature")
	tampered := callback(q, p, true)
	tampered.URL.RawQuery = "attempt=a2&cb=status" // signed for a1
	assert.Equal(t, http.StatusForbidden, serve(c, tampered), "query changed")
	other := status("CA1", "ringing", epoch, "AccountSid", "AC999")
	assert.Equal(t, http.StatusForbidden, serve(c, callback(q, other, true)), "another account")
	get := httptest.NewRequest(http.MethodGet, "http://10.0.0.7/internal/cb", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, serve(c, get))
	assert.Empty(t, sink.all(), "nothing rejected reaches the sink")

	assert.Equal(t, http.StatusNoContent, serve(c, callback(q, p, true)), "signed for the public URL")
	require.Len(t, sink.all(), 1)
	frag := callback(q, p, false)
	frag.Header.Set("X-Twilio-Signature", twilio.Signature(testToken, publicCB+"?"+q+"#"+twilio.DefaultCallbackOverrides, p))
	assert.Equal(t, http.StatusNoContent, serve(c, frag), "signed with the overrides fragment")
	require.Len(t, sink.all(), 2)

	sink.refuse = 1
	p2 := status("CA1", "in-progress", epoch.Add(time.Second))
	assert.Equal(t, http.StatusInternalServerError, serve(c, callback(q, p2, true)), "sink refused: Twilio retries")
	assert.Equal(t, http.StatusNoContent, serve(c, callback(q, p2, true)), "the retry is accepted")
	evs := sink.all()
	require.Len(t, evs, 3)
	assert.Equal(t, telephony.EventAnsweredHuman, evs[2].Type)
}

func TestStatusMappingTable(t *testing.T) {
	for st, want := range map[string]telephony.EventType{
		"queued": telephony.EventQueued, "initiated": telephony.EventQueued, "ringing": telephony.EventRinging,
		"completed": telephony.EventCompleted, "busy": telephony.EventBusy, "no-answer": telephony.EventNoAnswer,
		"failed": telephony.EventFailed, "canceled": telephony.EventCanceled,
	} {
		got, ok := twilio.StatusEvent(st)
		assert.True(t, ok, st)
		assert.Equal(t, want, got, st)
	}
	for _, st := range []string{"in-progress", "bogus", ""} {
		_, ok := twilio.StatusEvent(st)
		assert.False(t, ok, st)
	}
	for by, want := range map[string]telephony.EventType{
		"human": telephony.EventAnsweredHuman, "unknown": telephony.EventAnsweredHuman, "": telephony.EventAnsweredHuman,
		"machine_start": telephony.EventAnsweredMachine, "machine_end_beep": telephony.EventAnsweredMachine,
		"machine_end_silence": telephony.EventAnsweredMachine, "machine_end_other": telephony.EventAnsweredMachine,
		"fax": telephony.EventAnsweredMachine,
	} {
		assert.Equal(t, want, twilio.AnswerEvent(by), by)
	}
}

func TestCallbackMapping(t *testing.T) {
	t.Run("a full call, with a redelivery", func(t *testing.T) {
		c, _ := handlerCarrier(t)
		sink := started(t, c)
		q := "attempt=a1&cb=status"
		steps := []url.Values{
			status("CA1", "initiated", epoch, "SequenceNumber", "0"),
			status("CA1", "ringing", epoch.Add(time.Second), "SequenceNumber", "1"),
			status("CA1", "in-progress", epoch.Add(5*time.Second), "SequenceNumber", "2"),
			status("CA1", "completed", epoch.Add(70*time.Second), "SequenceNumber", "3", "CallDuration", "65",
				"Price", "-0.01300", "PriceUnit", "usd", "SipResponseCode", "200"),
		}
		for _, p := range steps {
			require.Equal(t, http.StatusNoContent, serve(c, callback(q, p, true)))
		}
		require.Equal(t, http.StatusNoContent, serve(c, callback(q, steps[1], true)), "duplicate")
		evs := sink.all()
		require.Len(t, evs, 5)
		var types []telephony.EventType
		var seqs []int
		for _, e := range evs {
			types, seqs = append(types, e.Type), append(seqs, e.Seq)
			assert.Equal(t, "a1", e.AttemptID)
			assert.Equal(t, telephony.CallID("CA1"), e.CallID)
		}
		assert.Equal(t, []telephony.EventType{telephony.EventQueued, telephony.EventRinging,
			telephony.EventAnsweredHuman, telephony.EventCompleted, telephony.EventRinging}, types)
		assert.Equal(t, []int{1, 2, 3, 5, 2}, seqs, "fixed Seq per state; a duplicate keeps its Seq")
		end := evs[3]
		assert.Equal(t, 65*time.Second, end.Duration)
		assert.Equal(t, telephony.Cost{Micros: 13000, Currency: "USD"}, end.Cost, "Twilio's negative price is a charge")
		assert.Equal(t, "200", end.CarrierCode)
		assert.Equal(t, "completed", end.CarrierStatus)
		assert.Equal(t, epoch.Add(70*time.Second), end.At)
		assert.Equal(t, evs[1], evs[4], "a redelivery is the same event")
	})

	t.Run("completed before its answer", func(t *testing.T) {
		c, _ := handlerCarrier(t)
		sink := started(t, c)
		q := "attempt=a2&cb=status"
		require.Equal(t, http.StatusNoContent, serve(c, callback(q,
			status("CA2", "completed", epoch.Add(40*time.Second), "CallDuration", "30"), true)))
		require.Equal(t, http.StatusNoContent, serve(c, callback(q, status("CA2", "in-progress", epoch.Add(10*time.Second)), true)))
		evs := sink.all()
		require.Len(t, evs, 3)
		assert.Equal(t, telephony.EventAnsweredHuman, evs[0].Type, "the answer is reported first")
		assert.Equal(t, 3, evs[0].Seq)
		assert.Equal(t, epoch.Add(10*time.Second), evs[0].At, "answered at end minus duration")
		assert.Equal(t, telephony.EventCompleted, evs[1].Type)
		assert.Equal(t, evs[0], evs[2], "the late answer callback repeats the same Seq 3 event")
	})

	t.Run("AMD decides the answer", func(t *testing.T) {
		c, _ := handlerCarrier(t)
		sink := started(t, c)
		require.Equal(t, http.StatusNoContent, serve(c, callback("amd=1&attempt=a3&cb=status",
			status("CA3", "in-progress", epoch), true)))
		assert.Empty(t, sink.all(), "the answered status waits for AMD")
		amd := url.Values{"AccountSid": {testAccount}, "CallSid": {"CA3"}, "AnsweredBy": {"machine_end_beep"}}
		require.Equal(t, http.StatusNoContent, serve(c, callback("amd=1&attempt=a3&cb=amd", amd, true)))
		evs := sink.all()
		require.Len(t, evs, 1)
		assert.Equal(t, telephony.EventAnsweredMachine, evs[0].Type)
		assert.Equal(t, "machine_end_beep", evs[0].CarrierStatus)
		assert.Equal(t, 3, evs[0].Seq)
	})

	t.Run("agent leg answer is bridged", func(t *testing.T) {
		c, _ := handlerCarrier(t)
		sink := started(t, c)
		p := status("CA9", "in-progress", epoch, "ParentCallSid", "CA4")
		require.Equal(t, http.StatusNoContent, serve(c, callback("attempt=a4&cb=bridge&parent=CA4", p, true)))
		evs := sink.all()
		require.Len(t, evs, 1)
		assert.Equal(t, telephony.EventBridged, evs[0].Type)
		assert.Equal(t, telephony.CallID("CA4"), evs[0].CallID)
		assert.Equal(t, 4, evs[0].Seq)
	})

	t.Run("malformed", func(t *testing.T) {
		c, _ := handlerCarrier(t)
		started(t, c)
		assert.Equal(t, http.StatusBadRequest, serve(c, callback("cb=status",
			url.Values{"AccountSid": {testAccount}, "CallStatus": {"ringing"}}, true)), "no CallSid")
		assert.Equal(t, http.StatusBadRequest, serve(c, callback("cb=status",
			status("CA5", "completed", epoch, "Price", "abc"), true)), "bad price")
	})
}

// scripted is a Twilio stand-in that answers each request with the next
// scripted response.
type scripted struct {
	mu    sync.Mutex
	reqs  []string
	steps []func(w http.ResponseWriter, r *http.Request)
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r.Method+" "+r.URL.Path)
	var step func(w http.ResponseWriter, r *http.Request)
	if len(s.steps) > 0 {
		step, s.steps = s.steps[0], s.steps[1:]
	}
	s.mu.Unlock()
	if step == nil {
		twiliotest.WriteError(w, 500, 0, "no script")
		return
	}
	step(w, r)
}

func (s *scripted) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

func reply(status, code int, retryAfter string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		twiliotest.WriteError(w, status, code, "scripted")
	}
}

func scriptedCarrier(t *testing.T, s *scripted, mutate func(*twilio.Config)) (*twilio.Carrier, *vclock) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	clock := newClock()
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	cfg := twilio.Config{AccountSID: testAccount, AuthToken: testToken, BaseURL: srv.URL,
		CallbackURL: publicCB, Clock: clock, HTTPClient: client,
		Jitter: func() float64 { return 0.5 }}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := twilio.New(cfg)
	require.NoError(t, err)
	started(t, c)
	return c, clock
}

func TestErrorMapping(t *testing.T) {
	noRetry := func(c *twilio.Config) { c.MaxRetries = -1 }
	cases := []struct {
		name      string
		status    int
		code      int
		op        string // dial or hangup
		retryable bool
		unknown   bool
		is        error
		errCode   string
	}{
		{"429 on dial", 429, 20429, "dial", true, false, nil, telephony.CodeRateLimited},
		{"429 on hangup", 429, 20429, "hangup", true, false, nil, telephony.CodeRateLimited},
		{"21211 invalid To", 400, 21211, "dial", false, false, telephony.ErrInvalidRequest, twilio.CodeInvalidNumber},
		{"21214 unreachable To", 400, 21214, "dial", false, false, telephony.ErrInvalidRequest, twilio.CodeInvalidNumber},
		{"21217 not a number", 400, 21217, "dial", false, false, telephony.ErrInvalidRequest, twilio.CodeInvalidNumber},
		{"21614 not mobile", 400, 21614, "dial", false, false, telephony.ErrInvalidRequest, twilio.CodeInvalidNumber},
		{"20003 auth", 401, 20003, "dial", false, false, nil, twilio.CodeAuth},
		{"20404 unknown call", 404, 20404, "hangup", false, false, telephony.ErrUnknownCall, telephony.CodeUnknownCall},
		{"500 on hangup", 500, 20500, "hangup", true, false, nil, telephony.CodeUnavailable},
		{"503 on dial: unknown", 503, 20503, "dial", false, true, telephony.ErrOutcomeUnknown, telephony.CodeTimeout},
		{"other 400", 400, 21201, "dial", false, false, nil, twilio.CodeRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{}
			if tc.op == "hangup" { // the adapter first fetches a call it has not seen
				s.steps = append(s.steps, func(w http.ResponseWriter, r *http.Request) {
					twiliotest.WriteJSON(w, 200, map[string]any{"sid": "CA1", "status": "ringing"})
				})
			}
			s.steps = append(s.steps, reply(tc.status, tc.code, ""))
			if tc.unknown { // the lookup that follows finds nothing
				s.steps = append(s.steps, func(w http.ResponseWriter, r *http.Request) {
					twiliotest.WriteJSON(w, 200, map[string]any{"calls": []any{}})
				})
			}
			c, _ := scriptedCarrier(t, s, noRetry)
			var err error
			if tc.op == "dial" {
				_, err = c.Dial(t.Context(), dialReq(1))
			} else {
				err = c.Hangup(t.Context(), "CA1")
			}
			require.Error(t, err)
			var te *telephony.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tc.errCode, te.Code, "%v", err)
			assert.Equal(t, tc.retryable, telephony.IsRetryable(err), "retryable: %v", err)
			assert.Equal(t, tc.unknown, telephony.IsOutcomeUnknown(err), "unknown: %v", err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			var ae *twilio.APIError
			require.ErrorAs(t, err, &ae, "the Twilio error is in the chain")
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, "scripted", ae.Message)
			assert.Contains(t, ae.MoreInfo, fmt.Sprint(tc.code))
			assert.Equal(t, tc.status, ae.Status)
			assert.True(t, strings.HasPrefix(err.Error(), "telephony: "), err.Error())
			assert.Contains(t, err.Error(), "twilio: ")
		})
	}
}

func TestRetries(t *testing.T) {
	t.Run("429 honours Retry-After, then succeeds", func(t *testing.T) {
		s := &scripted{steps: []func(http.ResponseWriter, *http.Request){
			reply(429, 20429, "7"),
			func(w http.ResponseWriter, r *http.Request) {
				twiliotest.WriteJSON(w, 201, map[string]any{"sid": "CA7", "status": "queued"})
			},
		}}
		c, clock := scriptedCarrier(t, s, nil)
		id, err := c.Dial(t.Context(), dialReq(1))
		require.NoError(t, err)
		assert.Equal(t, telephony.CallID("CA7"), id)
		assert.Equal(t, 7*time.Second, clock.slept, "waited Retry-After, longer than the back-off")
		assert.Len(t, s.requests(), 2)
	})
	t.Run("5xx on an update: bounded exponential back-off", func(t *testing.T) {
		s := &scripted{}
		s.steps = append(s.steps, func(w http.ResponseWriter, r *http.Request) {
			twiliotest.WriteJSON(w, 200, map[string]any{"sid": "CA1", "status": "in-progress"})
		})
		for range 4 {
			s.steps = append(s.steps, reply(502, 0, ""))
		}
		c, clock := scriptedCarrier(t, s, nil)
		err := c.Hangup(t.Context(), "CA1")
		require.Error(t, err)
		assert.True(t, telephony.IsRetryable(err))
		assert.Len(t, s.requests(), 5, "a fetch, then 1 try + 3 retries")
		// Jitter 0.5 over [MinBackoff/2, MinBackoff·2^n]: 375 ms, 625 ms, 1125 ms.
		assert.Equal(t, 3, clock.sleeps)
		assert.Equal(t, 2125*time.Millisecond, clock.slept)
	})
	t.Run("connection refused: retryable, not unknown", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		client := &http.Client{}
		t.Cleanup(client.CloseIdleConnections)
		c, err := twilio.New(twilio.Config{AccountSID: testAccount, AuthToken: testToken, BaseURL: "http://" + addr,
			CallbackURL: publicCB, Clock: newClock(), MaxRetries: 2, HTTPClient: client, Jitter: func() float64 { return 0 }})
		require.NoError(t, err)
		started(t, c)
		_, err = c.Dial(t.Context(), dialReq(1))
		require.Error(t, err)
		assert.True(t, telephony.IsRetryable(err), "nothing reached Twilio: %v", err)
		assert.False(t, telephony.IsOutcomeUnknown(err))
	})
}

func TestUnknownOutcome(t *testing.T) {
	t.Run("stalled create is found by lookup, never re-sent", func(t *testing.T) {
		f := newFake(t)
		release := make(chan struct{})
		f.stallCreate = func() { <-release }
		t.Cleanup(func() { close(release) })
		c := newCarrier(t, f, func(cfg *twilio.Config) { cfg.RequestTimeout = 150 * time.Millisecond })
		sink := started(t, c)
		req := dialReq(1)
		f.Plan(req.To, human())
		id, err := c.Dial(t.Context(), req)
		require.NoError(t, err, "the lookup found the call")
		f.mu.Lock()
		f.stallCreate = nil
		f.mu.Unlock()
		require.Len(t, f.creates(), 1, "the create-call request was not sent again")
		assert.Equal(t, "CA00000000000000000000000000000001", string(id))
		var lists int
		for _, r := range f.allRequests() {
			if r.method == http.MethodGet {
				lists++
			}
		}
		assert.Equal(t, 1, lists, "one lookup")
		again, err := c.Dial(t.Context(), req)
		require.NoError(t, err)
		assert.Equal(t, id, again)
		assert.Len(t, f.creates(), 1)
		f.Advance(time.Minute)
		evs := sink.all()
		require.NotEmpty(t, evs)
		assert.Equal(t, req.AttemptID, evs[0].AttemptID)
	})

	t.Run("connection reset after sending: unknown when the lookup cannot tell", func(t *testing.T) {
		s := &scripted{steps: []func(http.ResponseWriter, *http.Request){
			func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			},
			func(w http.ResponseWriter, r *http.Request) { // the lookup: two candidates
				twiliotest.WriteJSON(w, 200, map[string]any{"calls": []map[string]any{
					{"sid": "CAa", "to": "+14155550001", "from": "+15005550006", "direction": "outbound-api"},
					{"sid": "CAb", "to": "+14155550001", "from": "+15005550006", "direction": "outbound-api"},
				}})
			},
			func(w http.ResponseWriter, r *http.Request) {
				twiliotest.WriteJSON(w, 200, map[string]any{"calls": []any{}})
			},
		}}
		c, _ := scriptedCarrier(t, s, nil)
		req := dialReq(1)
		_, err := c.Dial(t.Context(), req)
		require.Error(t, err)
		assert.True(t, telephony.IsOutcomeUnknown(err), "%v", err)
		assert.False(t, telephony.IsRetryable(err))
		// Dialing the attempt again only looks it up again.
		_, err = c.Dial(t.Context(), req)
		assert.True(t, telephony.IsOutcomeUnknown(err), "%v", err)
		posts := 0
		for _, r := range s.requests() {
			if strings.HasPrefix(r, "POST") {
				posts++
			}
		}
		assert.Equal(t, 1, posts, "never re-sent: %v", s.requests())
		// Its callbacks still reach the sink, with the attempt id, and make
		// the call known.
		code := serve(c, callback("attempt=att-1&cb=status", status("CAb", "ringing", epoch), true))
		assert.Equal(t, http.StatusNoContent, code)
		id, err := c.Dial(t.Context(), req)
		require.NoError(t, err)
		assert.Equal(t, telephony.CallID("CAb"), id)
	})
}

func human() telephonytest.Plan {
	return telephonytest.Plan{Answer: telephonytest.Human, After: 2 * time.Second, Talk: 5 * time.Second}
}

func TestRateLimit(t *testing.T) {
	f := newFake(t)
	c := newCarrier(t, f, func(cfg *twilio.Config) { cfg.CallsPerSecond, cfg.Burst = 0, 0 }) // defaults: 1 cps
	started(t, c)
	const n = 6
	start := f.clock.Now()
	for i := range n {
		_, err := c.Dial(t.Context(), dialReq(i))
		require.NoError(t, err)
	}
	assert.Equal(t, time.Duration(n-1)*time.Second, f.clock.Now().Sub(start), "N dials at 1 cps take N-1 s")
	creates := f.creates()
	require.Len(t, creates, n)
	for i := 1; i < n; i++ {
		assert.GreaterOrEqual(t, creates[i].at.Sub(creates[i-1].at), time.Second)
	}
}

func TestLimiter(t *testing.T) {
	clock := newClock()
	l, err := twilio.NewLimiter(2, 3, clock)
	require.NoError(t, err)
	for range 3 {
		require.NoError(t, l.Wait(t.Context()))
	}
	assert.Zero(t, clock.slept, "a burst of 3 passes at once")
	require.NoError(t, l.Wait(t.Context()))
	assert.Equal(t, 500*time.Millisecond, clock.slept, "then 2 a second")
	clock.set(clock.Now().Add(time.Hour))
	for range 3 {
		require.NoError(t, l.Wait(t.Context()))
	}
	assert.Equal(t, 500*time.Millisecond, clock.slept, "refilled to the burst, not beyond")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.Error(t, l.Wait(ctx))
	_, err = twilio.NewLimiter(0, 1, nil)
	assert.Error(t, err)
}

func TestCreateRequest(t *testing.T) {
	f := newFake(t)
	f.keySID, f.keySecret = "SK0123", "key-secret"
	c := newCarrier(t, f, func(cfg *twilio.Config) { cfg.APIKeySID, cfg.APIKeySecret = "SK0123", "key-secret" })
	started(t, c)
	req := dialReq(3)
	req.AMD = telephony.AMDDetectMessageEnd
	req.RingTimeout = 25 * time.Second
	_, err := c.Dial(t.Context(), req)
	require.NoError(t, err, "API key auth")
	creates := f.creates()
	require.Len(t, creates, 1)
	form := creates[0].form
	assert.Equal(t, req.To, form.Get("To"))
	assert.Equal(t, req.From, form.Get("From"))
	assert.Equal(t, twilio.DefaultAnswerTwiML, form.Get("Twiml"))
	assert.Equal(t, []string{"initiated", "ringing", "answered", "completed"}, form["StatusCallbackEvent"])
	assert.Equal(t, "POST", form.Get("StatusCallbackMethod"))
	assert.Equal(t, "DetectMessageEnd", form.Get("MachineDetection"))
	assert.Equal(t, "true", form.Get("AsyncAmd"))
	assert.Equal(t, "25", form.Get("Timeout"))
	cb, err := url.Parse(form.Get("StatusCallback"))
	require.NoError(t, err)
	assert.Equal(t, "att-3", cb.Query().Get("attempt"), "the attempt id rides in the callback URL")
	assert.Equal(t, "acme", cb.Query().Get("tenant"), "CallbackURL's own query is kept")
	assert.Equal(t, twilio.DefaultCallbackOverrides, cb.Fragment)
	amd, err := url.Parse(form.Get("AsyncAmdStatusCallback"))
	require.NoError(t, err)
	assert.Equal(t, "amd", amd.Query().Get("cb"))
	assert.Empty(t, form.Get("SendDigits"), "no extension, no digits")

	// An extension is dialled after answer, after a one-second pause.
	req = dialReq(4)
	req.Extension = "0042"
	_, err = c.Dial(t.Context(), req)
	require.NoError(t, err)
	creates = f.creates()
	require.Len(t, creates, 2)
	assert.Equal(t, "ww0042", creates[1].form.Get("SendDigits"))
	req.Extension = "12a"
	_, err = c.Dial(t.Context(), req)
	require.ErrorIs(t, err, telephony.ErrInvalidRequest, "an extension that is not digits is refused")
}

func TestTwiMLEscaping(t *testing.T) {
	msg := telephony.Message{Text: `Tom & Jerry's <offer> "today" ]]>`, Language: `en-US" onload="x`}
	s, err := twilio.MessageTwiML(msg, "Polly.Joanna")
	require.NoError(t, err)
	var doc struct {
		Say struct {
			Lang  string `xml:"language,attr"`
			Voice string `xml:"voice,attr"`
			Text  string `xml:",chardata"`
		} `xml:"Say"`
		Hangup *struct{} `xml:"Hangup"`
	}
	require.NoError(t, xml.Unmarshal([]byte(s), &doc), s)
	assert.Equal(t, msg.Text, doc.Say.Text)
	assert.Equal(t, msg.Language, doc.Say.Lang)
	assert.Equal(t, "Polly.Joanna", doc.Say.Voice)
	assert.NotNil(t, doc.Hangup)
	assert.NotContains(t, s, "<offer>")

	play, err := twilio.MessageTwiML(telephony.Message{AudioURL: "https://x.example/a.mp3?a=1&b=<2>"}, "")
	require.NoError(t, err)
	assert.Contains(t, play, "<Play>https://x.example/a.mp3?a=1&amp;b=&lt;2&gt;</Play>")

	for _, tc := range []struct {
		to   telephony.Endpoint
		noun string
		addr string
	}{
		{telephony.Endpoint{Kind: telephony.EndpointPhone, Address: "+15005550100"}, "Number", "+15005550100"},
		{telephony.Endpoint{Kind: telephony.EndpointURI, Address: "sip:a&b<c>@pbx.example"}, "Sip", "sip:a&b<c>@pbx.example"},
		{telephony.Endpoint{Kind: telephony.EndpointURI, Address: "client:alice"}, "Client", "alice"},
		{telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "ai<1>"}, "Client", "ai<1>"},
	} {
		s, err := twilio.BridgeTwiML(tc.to, "https://d.example/cb?a=1&b=2", 20)
		require.NoError(t, err)
		var d struct {
			Dial struct {
				Timeout string `xml:"timeout,attr"`
				Nouns   []struct {
					XMLName xml.Name
					CB      string `xml:"statusCallback,attr"`
					Events  string `xml:"statusCallbackEvent,attr"`
					Addr    string `xml:",chardata"`
				} `xml:",any"`
			} `xml:"Dial"`
		}
		require.NoError(t, xml.Unmarshal([]byte(s), &d), s)
		require.Len(t, d.Dial.Nouns, 1, s)
		n := d.Dial.Nouns[0]
		assert.Equal(t, tc.noun, n.XMLName.Local)
		assert.Equal(t, tc.addr, n.Addr)
		assert.Equal(t, "https://d.example/cb?a=1&b=2", n.CB)
		assert.Equal(t, "answered", n.Events)
		assert.Equal(t, "20", d.Dial.Timeout)
	}
	_, err = twilio.BridgeTwiML(telephony.Endpoint{Kind: telephony.EndpointURI, Address: "tel:+15005550100"}, "", 0)
	assert.ErrorIs(t, err, telephony.ErrInvalidRequest)
	_, err = twilio.MessageTwiML(telephony.Message{Text: strings.Repeat("x", 5000)}, "")
	assert.ErrorIs(t, err, telephony.ErrInvalidRequest, "over Twilio's TwiML limit")
}

func TestConfig(t *testing.T) {
	ok := twilio.Config{AccountSID: testAccount, AuthToken: "t", CallbackURL: "https://d.example/cb"}
	_, err := twilio.New(ok)
	require.NoError(t, err)
	for field, mutate := range map[string]func(*twilio.Config){
		"AccountSID":       func(c *twilio.Config) { c.AccountSID = "XX1" },
		"AuthToken":        func(c *twilio.Config) { c.AuthToken = "" },
		"APIKeySID":        func(c *twilio.Config) { c.APIKeySID = "SK1" },
		"BaseURL":          func(c *twilio.Config) { c.BaseURL = "api.twilio.com" },
		"CallbackURL":      func(c *twilio.Config) { c.CallbackURL = "/relative" },
		"AnswerURL":        func(c *twilio.Config) { c.AnswerURL = "nope" },
		"AgentDialTimeout": func(c *twilio.Config) { c.AgentDialTimeout = time.Second },
		"CallsPerSecond":   func(c *twilio.Config) { c.CallsPerSecond = -1 },
		"Burst":            func(c *twilio.Config) { c.Burst = -1 },
		"MaxRetries":       func(c *twilio.Config) { c.MaxRetries = -5 },
		"MinBackoff":       func(c *twilio.Config) { c.MinBackoff, c.MaxBackoff = time.Second, time.Millisecond },
		"RequestTimeout":   func(c *twilio.Config) { c.RequestTimeout = -1 },
		"Retain":           func(c *twilio.Config) { c.Retain = -1 },
	} {
		cfg := ok
		mutate(&cfg)
		_, err := twilio.New(cfg)
		require.Error(t, err, field)
		assert.Contains(t, err.Error(), field)
		assert.True(t, strings.HasPrefix(err.Error(), "twilio: "), err.Error())
	}
}
