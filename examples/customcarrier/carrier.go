package main

// This file is the adapter: everything a team writes to plug its own
// carrier into CallStack. "Acme Voice" is a made-up carrier with a small
// JSON API and signed JSON webhooks (fakecarrier.go plays it here). Copy the
// shape, not the details: your carrier's API will differ, the contract
// (telephony.Carrier) will not.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// AcmeCarrier implements telephony.Carrier on the Acme Voice API.
type AcmeCarrier struct {
	base   string // the API's base URL
	secret []byte // webhook signing secret
	hc     *http.Client

	mu   sync.Mutex
	sink telephony.EventSink
}

// Compile-time check: the adapter satisfies the interface.
var _ telephony.Carrier = (*AcmeCarrier)(nil)

// NewAcmeCarrier returns an adapter for the API at base.
func NewAcmeCarrier(base, secret string, hc *http.Client) *AcmeCarrier {
	return &AcmeCarrier{base: base, secret: []byte(secret), hc: hc}
}

// Start keeps the sink. Webhooks arrive through ServeHTTP, so there is no
// background work to start; an adapter that polls would start it here and
// stop it when ctx ends.
func (c *AcmeCarrier) Start(ctx context.Context, sink telephony.EventSink) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sink == nil || c.sink != nil {
		return errors.New("acme: Start needs a sink, once")
	}
	c.sink = sink
	return nil
}

// Dial places a call. Rule 1: validate first, with the shared rules, so
// every carrier refuses the same bad requests with the same error.
func (c *AcmeCarrier) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	if err := req.Validate(); err != nil {
		return "", err
	}
	c.mu.Lock()
	started := c.sink != nil
	c.mu.Unlock()
	if !started {
		return "", &telephony.Error{Code: telephony.CodeNotStarted, Err: telephony.ErrNotStarted}
	}
	// Rule 2: send the AttemptID with the call, so that every event carries
	// it back; Acme also uses it as an idempotency key.
	var out struct {
		ID string `json:"id"`
	}
	err := c.call(ctx, "/calls", map[string]any{
		"to": req.To, "from": req.From, "attempt_id": req.AttemptID,
		"ring_seconds": int(req.RingTimeout / time.Second), "amd": req.AMD != telephony.AMDOff,
	}, &out)
	if err != nil {
		return "", err
	}
	return telephony.CallID(out.ID), nil
}

// Bridge, Play and Hangup are one request each; Acme answers 409 when the
// call's state forbids it and 404 for a call it does not know, which call()
// turns into ErrCallState and ErrUnknownCall.
func (c *AcmeCarrier) Bridge(ctx context.Context, id telephony.CallID, to telephony.Endpoint) error {
	if err := to.Validate(); err != nil {
		return err
	}
	return c.call(ctx, "/calls/"+url.PathEscape(string(id))+"/bridge", map[string]any{"to": to.String()}, nil)
}

func (c *AcmeCarrier) Play(ctx context.Context, id telephony.CallID, msg telephony.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	return c.call(ctx, "/calls/"+url.PathEscape(string(id))+"/play", map[string]any{"text": msg.Text, "audio": msg.AudioURL}, nil)
}

func (c *AcmeCarrier) Hangup(ctx context.Context, id telephony.CallID) error {
	return c.call(ctx, "/calls/"+url.PathEscape(string(id))+"/hangup", map[string]any{}, nil)
}

// call POSTs JSON and translates failures into *telephony.Error. Rule 3:
// say whether a retry helps, and never pretend to know the outcome of a
// request that may have reached the carrier.
func (c *AcmeCarrier) call(ctx context.Context, path string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return &telephony.Error{Code: telephony.CodeInvalidRequest, Err: fmt.Errorf("%w: %w", telephony.ErrInvalidRequest, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		// A timeout or a reset: the carrier may have acted. For a dial that
		// means the callee may be ringing, so the engine must reconcile by
		// AttemptID rather than dial again. (Telling "never sent" apart,
		// with net/http/httptrace, would make it retryable.)
		return &telephony.Error{Code: telephony.CodeTimeout, Unknown: true, Err: fmt.Errorf("acme: %s: %w", path, err)}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	cause := fmt.Errorf("acme: %s: HTTP %d: %s", path, resp.StatusCode, bytes.TrimSpace(data))
	switch {
	case resp.StatusCode < 300:
		if out != nil {
			return json.Unmarshal(data, out)
		}
		return nil
	case resp.StatusCode == http.StatusTooManyRequests: // refused: nothing happened
		return &telephony.Error{Code: telephony.CodeRateLimited, Retryable: true, Err: cause}
	case resp.StatusCode == http.StatusNotFound:
		return &telephony.Error{Code: telephony.CodeUnknownCall, Err: fmt.Errorf("%w: %w", telephony.ErrUnknownCall, cause)}
	case resp.StatusCode == http.StatusConflict:
		return &telephony.Error{Code: telephony.CodeCallState, Err: fmt.Errorf("%w: %w", telephony.ErrCallState, cause)}
	case resp.StatusCode >= 500: // the carrier may have acted before failing
		return &telephony.Error{Code: telephony.CodeUnavailable, Unknown: true, Err: cause}
	}
	return &telephony.Error{Code: telephony.CodeInvalidRequest, Err: fmt.Errorf("%w: %w", telephony.ErrInvalidRequest, cause)}
}

// acmeTypes maps Acme's event names to CallStack's. This table is most of
// the semantic work of an adapter: read the carrier's docs closely.
var acmeTypes = map[string]telephony.EventType{
	"dialing":   telephony.EventQueued,
	"ringing":   telephony.EventRinging,
	"answered":  telephony.EventAnsweredHuman,
	"machine":   telephony.EventAnsweredMachine,
	"connected": telephony.EventBridged,
	"busy":      telephony.EventBusy,
	"no-answer": telephony.EventNoAnswer,
	"failed":    telephony.EventFailed,
	"cancelled": telephony.EventCanceled,
	"hangup":    telephony.EventCompleted,
}

// acmeEvent is Acme's webhook body.
type acmeEvent struct {
	CallID     string    `json:"call_id"`
	AttemptID  string    `json:"attempt_id"`
	Seq        int       `json:"seq"`
	Type       string    `json:"type"`
	At         time.Time `json:"at"`
	DurationMS int64     `json:"duration_ms"`
	Cause      string    `json:"cause"`
}

// ServeHTTP receives Acme's webhooks. Rule 4: authenticate them (constant-
// time compare), and answer 2xx only once the sink accepted the event, so
// that the carrier redelivers what was not applied.
func (c *AcmeCarrier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, c.secret)
	mac.Write(body)
	got, _ := hex.DecodeString(r.Header.Get("X-Acme-Signature"))
	if !hmac.Equal(got, mac.Sum(nil)) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var in acmeEvent
	if err := json.Unmarshal(body, &in); err != nil || acmeTypes[in.Type] == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	sink := c.sink
	c.mu.Unlock()
	if sink == nil {
		http.Error(w, "not started", http.StatusServiceUnavailable)
		return
	}
	// Rule 5: keep the carrier's Seq (a redelivery keeps its number), and
	// pass duplicates on: the sink applies events through a Sequencer.
	ev := telephony.Event{
		CallID: telephony.CallID(in.CallID), AttemptID: in.AttemptID, Type: acmeTypes[in.Type],
		Seq: in.Seq, At: in.At, Duration: time.Duration(in.DurationMS) * time.Millisecond,
		CarrierCode: in.Cause, CarrierStatus: in.Type,
	}
	// Rule 6: hold no lock while the sink runs; it may call Bridge.
	if err := sink.HandleEvent(r.Context(), ev); err != nil {
		http.Error(w, "not applied", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
