package main

// FakeAcme plays the carrier: a tiny in-process "Acme Voice" that keeps a
// virtual clock, simulates each call from the Behavior planned for its
// number, and posts signed webhooks. Your tests need the same thing for
// your carrier: a fake server the conformance suite can drive.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Behavior is what the callee at a number does.
type Behavior struct {
	Outcome     string        // human, machine, busy, failed or no-answer
	After, Talk time.Duration // time to answer (or fail); talk once bridged
}

type fakeCall struct {
	id, attempt string
	amd         bool
	b           Behavior
	state       string // dialing, answered, bridged, ended
	seq         int
	answeredAt  time.Time
}

// item is a webhook due at a time; a nil call means a raw redelivery.
type item struct {
	at    time.Time
	call  *fakeCall
	typ   string
	cause string
	raw   *acmeEvent
	dead  bool
}

// FakeAcme is the fake carrier; it serves the API as an http.Handler.
type FakeAcme struct {
	secret  []byte
	Webhook string // where webhooks go
	Client  *http.Client
	advance sync.Mutex // serialises Advance

	mu        sync.Mutex
	now       time.Time
	plans     map[string]Behavior
	calls     map[string]*fakeCall
	byAttempt map[string]string
	queue     []*item
	sent      map[string][]acmeEvent
	failNext  []bool
}

// NewFakeAcme returns a fake whose clock starts at start.
func NewFakeAcme(secret string, start time.Time) *FakeAcme {
	return &FakeAcme{secret: []byte(secret), now: start, Client: http.DefaultClient,
		plans: map[string]Behavior{}, calls: map[string]*fakeCall{}, byAttempt: map[string]string{}, sent: map[string][]acmeEvent{}}
}

// Plan sets what the callee at to does.
func (f *FakeAcme) Plan(to string, b Behavior) { f.mu.Lock(); f.plans[to] = b; f.mu.Unlock() }

// FailNextDial makes the next dial fail: 429 (nothing placed), or, when
// unknown, 500 after placing the call.
func (f *FakeAcme) FailNextDial(unknown bool) {
	f.mu.Lock()
	f.failNext = append(f.failNext, unknown)
	f.mu.Unlock()
}

// Redeliver queues every webhook of the call sent so far again.
func (f *FakeAcme) Redeliver(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ev := range f.sent[id] {
		f.queue = append(f.queue, &item{at: f.now, raw: &ev})
	}
}

// schedule queues a state change of c. f.mu must be held.
func (f *FakeAcme) schedule(c *fakeCall, at time.Time, typ, cause string) {
	f.queue = append(f.queue, &item{at: at, call: c, typ: typ, cause: cause})
}

// cancel drops c's pending events. f.mu must be held.
func (f *FakeAcme) cancel(c *fakeCall) {
	for _, it := range f.queue {
		if it.call == c {
			it.dead = true
		}
	}
}

// Advance moves the clock by d, delivering every webhook due, in order, one
// at a time (so this carrier never delivers out of order).
func (f *FakeAcme) Advance(d time.Duration) {
	f.advance.Lock()
	defer f.advance.Unlock()
	f.mu.Lock()
	until := f.now.Add(d)
	f.mu.Unlock()
	for {
		f.mu.Lock()
		f.queue = slices.DeleteFunc(f.queue, func(it *item) bool { return it.dead })
		slices.SortStableFunc(f.queue, func(a, b *item) int { return a.at.Compare(b.at) })
		if len(f.queue) == 0 || f.queue[0].at.After(until) {
			f.now = until
			f.mu.Unlock()
			return
		}
		it := f.queue[0]
		f.queue = f.queue[1:]
		if it.at.After(f.now) {
			f.now = it.at
		}
		ev, ok := f.apply(it)
		f.mu.Unlock()
		if ok && !f.post(ev) { // refused: deliver again on the next Advance
			f.mu.Lock()
			f.queue = append(f.queue, &item{at: until.Add(time.Nanosecond), raw: &ev})
			f.mu.Unlock()
		}
	}
}

// apply makes a due item happen and returns its webhook. f.mu must be held.
func (f *FakeAcme) apply(it *item) (acmeEvent, bool) {
	if it.raw != nil {
		return *it.raw, true
	}
	c := it.call
	if c.state == "ended" {
		return acmeEvent{}, false
	}
	c.seq++
	ev := acmeEvent{CallID: c.id, AttemptID: c.attempt, Seq: c.seq, Type: it.typ, At: it.at, Cause: it.cause}
	switch it.typ {
	case "answered", "machine":
		c.state, c.answeredAt = "answered", it.at
	case "connected":
		c.state = "bridged"
	case "hangup":
		ev.DurationMS = it.at.Sub(c.answeredAt).Milliseconds()
		c.state = "ended"
	case "busy", "failed", "no-answer", "cancelled":
		c.state = "ended"
	}
	f.sent[c.id] = append(f.sent[c.id], ev)
	return ev, true
}

// post signs and sends one webhook; it reports whether it was accepted.
func (f *FakeAcme) post(ev acmeEvent) bool {
	body, _ := json.Marshal(ev)
	mac := hmac.New(sha256.New, f.secret)
	mac.Write(body)
	req, _ := http.NewRequest(http.MethodPost, f.Webhook, bytes.NewReader(body))
	req.Header.Set("X-Acme-Signature", hex.EncodeToString(mac.Sum(nil)))
	resp, err := f.Client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode < 300
}

// ServeHTTP is the Acme API: POST /calls and POST /calls/{id}/{bridge,play,hangup}.
func (f *FakeAcme) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		To          string `json:"to"`
		AttemptID   string `json:"attempt_id"`
		RingSeconds int    `json:"ring_seconds"`
		AMD         bool   `json:"amd"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/calls" {
		f.dial(w, in.To, in.AttemptID, in.RingSeconds, in.AMD)
		return
	}
	id, action, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/calls/"), "/")
	c, ok := f.calls[id]
	if !ok {
		http.Error(w, "no such call", http.StatusNotFound)
		return
	}
	switch {
	case action == "hangup" && c.state == "ended":
	case action == "hangup":
		f.cancel(c)
		if c.state == "dialing" {
			f.schedule(c, f.now, "cancelled", "487")
		} else {
			f.schedule(c, f.now, "hangup", "200")
		}
	case action == "bridge" && c.state == "answered":
		f.cancel(c)
		c.state = "bridged" // at once: a second bridge is refused
		f.schedule(c, f.now, "connected", "")
		f.schedule(c, f.now.Add(c.b.Talk), "hangup", "200")
	case action == "play" && (c.state == "answered" || c.state == "bridged"):
	default:
		http.Error(w, "call is "+c.state, http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// dial places a call (idempotently by attempt id). f.mu must be held.
func (f *FakeAcme) dial(w http.ResponseWriter, to, attempt string, ring int, amd bool) {
	if id, ok := f.byAttempt[attempt]; ok {
		_ = json.NewEncoder(w).Encode(map[string]string{"id": id})
		return
	}
	unknown := false
	if len(f.failNext) > 0 {
		unknown, f.failNext = f.failNext[0], f.failNext[1:]
		if !unknown {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
	}
	c := &fakeCall{id: fmt.Sprintf("acme-%d", len(f.calls)+1), attempt: attempt, amd: amd, b: f.plans[to], state: "dialing"}
	f.calls[c.id], f.byAttempt[attempt] = c, c.id
	f.schedule(c, f.now, "dialing", "")
	at := f.now.Add(c.b.After)
	switch c.b.Outcome {
	case "human", "machine":
		f.schedule(c, f.now, "ringing", "")
		typ := "answered"
		if c.b.Outcome == "machine" && amd {
			typ = "machine"
		}
		f.schedule(c, at, typ, "")
		f.schedule(c, at.Add(30*time.Second), "hangup", "200") // nobody came: the callee hangs up
	case "busy", "failed":
		f.schedule(c, at, c.b.Outcome, map[string]string{"busy": "486", "failed": "503"}[c.b.Outcome])
	default:
		f.schedule(c, f.now, "ringing", "")
		f.schedule(c, f.now.Add(time.Duration(ring)*time.Second), "no-answer", "480")
	}
	if unknown {
		http.Error(w, "oops", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": c.id})
}
