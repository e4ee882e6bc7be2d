package twilio_test

// An in-process fake of Twilio's Calls API for the tests: it implements the
// documented request and response shapes (create call 201 with sid and
// status, update call, fetch, list, error JSON), simulates each call from the
// plan registered for its number on a virtual clock, and posts signed
// callbacks to the adapter, with duplicates and, when asked, concurrently
// (so out of order). It is also the conformance suite's Driver.

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/telephonytest"
	"github.com/callstackhq/callstack/telephony/twilio"
	"github.com/callstackhq/callstack/telephony/twilio/twiliotest"
)

const (
	testAccount = "AC00000000000000000000000000000001"
	testToken   = "test-auth-token"
)

var epoch = time.Date(2025, 3, 3, 14, 0, 0, 0, time.UTC)

// vclock is a virtual clock. Sleep moves it forward instead of waiting, so
// the adapter's rate limiter and back-off take no real time.
type vclock struct {
	mu     sync.Mutex
	t      time.Time
	slept  time.Duration
	sleeps int
}

func newClock() *vclock { return &vclock{t: epoch} }

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
		c.slept += d
		c.sleeps++
	}
	return nil
}

func (c *vclock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// item is something due at a time: a call's state change (with its
// callbacks), or a raw callback to deliver again.
type item struct {
	at    time.Time
	order int
	call  *fakeCall
	apply func() []post // under f.mu: changes the call, returns its callbacks
	dead  bool
}

// post is one callback request.
type post struct {
	url    string // without fragment
	params url.Values
	parent string // the call it belongs to (the parent for an agent leg)
	tries  int
}

type fakeCall struct {
	sid, to, from       string
	status              string
	created, answeredAt time.Time
	ended               bool
	statusCB, amdCB     string
	events              []string
	amd                 string
	timeout             time.Duration
	plan                telephonytest.Plan
	seqNo               int
	pending             []*item
	bridged             bool
	answeredBy          string
	duration            int
	price               string
}

type request struct {
	method, path string
	form         url.Values
	at           time.Time
}

type fakeTwilio struct {
	t      testing.TB
	clock  *vclock
	srv    *httptest.Server
	poster *http.Client

	// Settings, before use.
	concurrent bool // deliver a batch's callbacks concurrently
	dupEvery   int  // deliver every n-th callback twice (0: never)
	patience   time.Duration
	keySID     string
	keySecret  string
	// stallCreate, when set, runs after a call is created and before the
	// create response is written (to stall it past the client's timeout).
	stallCreate func()

	mu        sync.Mutex
	plans     map[string]telephonytest.Plan
	calls     map[string]*fakeCall
	order     int
	nextSid   int
	queue     []*item
	requests  []request
	sent      map[string][]post // callbacks posted, by call
	failNext  []bool
	failTo    map[string]bool // creates to these numbers get 429
	failList  map[string]bool // lists for these numbers get 503
	posts     int
	rejected  []string
	advanceMu sync.Mutex
}

func newFake(t testing.TB) *fakeTwilio {
	f := &fakeTwilio{
		t: t, clock: newClock(), patience: 30 * time.Second,
		plans: map[string]telephonytest.Plan{}, calls: map[string]*fakeCall{},
		sent: map[string][]post{}, failTo: map[string]bool{}, failList: map[string]bool{},
		poster: &http.Client{Timeout: 10 * time.Second},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serveAPI))
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.poster.CloseIdleConnections)
	return f
}

// Plan implements telephonytest.Driver.
func (f *fakeTwilio) Plan(to string, p telephonytest.Plan) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plans[to] = p
}

// FailNextDial implements telephonytest.DialFailer: the next create-call
// gets 429 (for every retry to that number), or (unknown) creates the call
// but answers 500, and lookups of that number then fail with 503.
func (f *fakeTwilio) FailNextDial(unknown bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext = append(f.failNext, unknown)
}

// Redeliver implements telephonytest.Redeliverer: every callback of the call
// posted so far is posted again by the next Advance.
func (f *fakeTwilio) Redeliver(id telephony.CallID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.sent[string(id)] {
		p := p
		p.tries = 0
		f.schedule(nil, f.clock.Now(), func() []post { return []post{p} })
	}
}

// Advance implements telephonytest.Driver: it moves the clock from item to
// item up to now+d, applying each and posting its callbacks, until nothing
// more is due (the sink's own calls may schedule more).
func (f *fakeTwilio) Advance(d time.Duration) {
	f.advanceMu.Lock()
	defer f.advanceMu.Unlock()
	until := f.clock.Now().Add(d)
	for {
		f.mu.Lock()
		slices.SortStableFunc(f.queue, func(a, b *item) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return a.order - b.order
		})
		var live []*item
		for _, it := range f.queue {
			if !it.dead {
				live = append(live, it)
			}
		}
		f.queue = live
		if len(live) == 0 || live[0].at.After(until) {
			f.mu.Unlock()
			break
		}
		f.clock.set(live[0].at)
		now := f.clock.Now()
		var batch []post
		n := 0
		for n < len(live) && !live[n].at.After(now) {
			batch = append(batch, live[n].apply()...)
			n++
		}
		f.queue = live[n:]
		for i := range batch {
			f.posts++
			if f.dupEvery > 0 && f.posts%f.dupEvery == 0 {
				batch = append(batch, batch[i])
			}
		}
		f.mu.Unlock()
		f.deliver(batch)
	}
	f.clock.set(until)
}

// deliver posts a batch of callbacks, concurrently when asked; a 5xx or a
// failed connection is retried (Twilio's rc=3 connection override).
func (f *fakeTwilio) deliver(batch []post) {
	var retry []post
	var mu sync.Mutex
	send := func(p post) {
		code := f.postCallback(p)
		if code >= 500 || code == 0 {
			mu.Lock()
			if p.tries < 3 {
				p.tries++
				retry = append(retry, p)
			}
			mu.Unlock()
		}
	}
	if f.concurrent {
		var wg sync.WaitGroup
		for _, p := range batch {
			wg.Go(func() { send(p) })
		}
		wg.Wait()
	} else {
		for _, p := range batch {
			send(p)
		}
	}
	if len(retry) > 0 {
		f.deliver(retry)
	}
}

// postCallback signs and posts one callback, and returns the status.
func (f *fakeTwilio) postCallback(p post) int {
	req, err := http.NewRequest(http.MethodPost, p.url, strings.NewReader(p.params.Encode()))
	if err != nil {
		f.t.Errorf("fake twilio: callback URL %q: %v", p.url, err)
		return 400
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilio.Signature(testToken, p.url, p.params))
	resp, err := f.poster.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusBadRequest {
		f.mu.Lock()
		f.rejected = append(f.rejected, fmt.Sprintf("%d %s %v", resp.StatusCode, p.url, p.params))
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.sent[p.parent] = append(f.sent[p.parent], p)
	f.mu.Unlock()
	return resp.StatusCode
}

// schedule adds an item. f.mu must be held.
func (f *fakeTwilio) schedule(c *fakeCall, at time.Time, apply func() []post) *item {
	it := &item{at: at, order: f.order, call: c, apply: apply}
	f.order++
	f.queue = append(f.queue, it)
	if c != nil {
		c.pending = append(c.pending, it)
	}
	return it
}

// cancel drops the call's pending state changes. f.mu must be held.
func (f *fakeTwilio) cancel(c *fakeCall) {
	for _, it := range c.pending {
		it.dead = true
	}
	c.pending = nil
}

// transition schedules a status change with its status callback.
func (f *fakeTwilio) transition(c *fakeCall, at time.Time, status string, extra url.Values) {
	f.schedule(c, at, func() []post {
		if c.ended {
			return nil
		}
		c.status = status
		event, final := twiliotest.EventOf(status)
		switch {
		case status == "in-progress":
			c.answeredAt = at
		case final:
			c.ended = true
			if status == "completed" {
				c.duration = int(math.Ceil(at.Sub(c.answeredAt).Seconds()))
				c.price = "-0.01300"
			}
		}
		if !slices.Contains(c.events, event) {
			return nil
		}
		p := f.params(c, at)
		p.Set("CallStatus", status)
		p.Set("SequenceNumber", strconv.Itoa(c.seqNo))
		p.Set("CallbackSource", "call-progress-events")
		c.seqNo++
		if c.ended && status == "completed" {
			p.Set("CallDuration", strconv.Itoa(c.duration))
			p.Set("Duration", strconv.Itoa((c.duration+59)/60))
			p.Set("Price", c.price)
			p.Set("PriceUnit", "USD")
		}
		if c.answeredBy != "" && status != "in-progress" {
			p.Set("AnsweredBy", c.answeredBy)
		}
		for k, v := range extra {
			p[k] = v
		}
		return []post{{url: c.statusCB, params: p, parent: c.sid}}
	})
}

func (f *fakeTwilio) params(c *fakeCall, at time.Time) url.Values {
	return twiliotest.CallParams(testAccount, c.sid, c.from, c.to, at)
}

// start lays out a new call's life from its plan.
func (f *fakeTwilio) start(c *fakeCall, now time.Time) {
	p := c.plan
	f.transition(c, now, "initiated", nil)
	at := now.Add(p.After)
	switch p.Answer {
	case telephonytest.Human, telephonytest.Machine:
		f.transition(c, now, "ringing", nil)
		f.transition(c, at, "in-progress", nil)
		if c.amd != "" {
			by, when := "human", at
			if p.Answer == telephonytest.Machine {
				by = "machine_start"
				if c.amd == "DetectMessageEnd" {
					by, when = "machine_end_beep", at.Add(3*time.Second)
				}
			}
			f.schedule(c, when, func() []post {
				if c.ended {
					return nil
				}
				c.answeredBy = by
				q := f.params(c, when)
				q.Set("AnsweredBy", by)
				q.Set("MachineDetectionDuration", "1800")
				return []post{{url: c.amdCB, params: q, parent: c.sid}}
			})
		}
		f.transition(c, at.Add(f.patience), "completed", nil)
	case telephonytest.Busy:
		f.transition(c, at, "busy", url.Values{"SipResponseCode": {"486"}})
	case telephonytest.Failed:
		f.transition(c, at, "failed", url.Values{"SipResponseCode": {"503"}, "ErrorCode": {"32009"}})
	default:
		f.transition(c, now, "ringing", nil)
		f.transition(c, now.Add(c.timeout), "no-answer", url.Values{"SipResponseCode": {"487"}})
	}
}

// API.

func (f *fakeTwilio) resource(c *fakeCall) map[string]any {
	r := map[string]any{
		"sid": c.sid, "account_sid": testAccount, "to": c.to, "from": c.from, "status": c.status,
		"direction": "outbound-api", "date_created": c.created.Format(time.RFC1123Z),
		"price": nil, "price_unit": "USD", "api_version": "2010-04-01",
		"uri": "/2010-04-01/Accounts/" + testAccount + "/Calls/" + c.sid + ".json",
	}
	if c.price != "" {
		r["price"] = c.price
	}
	if c.ended {
		r["duration"] = strconv.Itoa(c.duration)
	}
	if c.answeredBy != "" {
		r["answered_by"] = c.answeredBy
	}
	return r
}

func (f *fakeTwilio) serveAPI(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || !((user == testAccount && pass == testToken) || (f.keySID != "" && user == f.keySID && pass == f.keySecret)) {
		twiliotest.WriteError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		twiliotest.WriteError(w, 400, 20001, "bad form")
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, request{r.Method, r.URL.Path, r.PostForm, f.clock.Now()})
	f.mu.Unlock()
	twiliotest.Dispatch(w, r, testAccount, fakeCalls{f})
}

// fakeCalls answers the Calls API for f.
type fakeCalls struct{ f *fakeTwilio }

func (c fakeCalls) Create(w http.ResponseWriter, r *http.Request) { c.f.create(w, r) }
func (c fakeCalls) List(w http.ResponseWriter, r *http.Request)   { c.f.list(w, r) }
func (c fakeCalls) Update(w http.ResponseWriter, r *http.Request, sid string) {
	c.f.updateCall(w, r, sid)
}
func (c fakeCalls) Fetch(sid string) (map[string]any, bool) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	call, ok := c.f.calls[sid]
	if !ok {
		return nil, false
	}
	return c.f.resource(call), true
}

func (f *fakeTwilio) create(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	if twiliotest.CheckCreate(w, form) {
		return
	}
	to, from := form.Get("To"), form.Get("From")
	f.mu.Lock()
	if f.failTo[to] {
		f.mu.Unlock()
		w.Header().Set("Retry-After", "2")
		twiliotest.WriteError(w, 429, 20429, "Too Many Requests")
		return
	}
	var unknown bool
	if len(f.failNext) > 0 {
		fail := f.failNext[0]
		f.failNext = f.failNext[1:]
		if !fail {
			f.failTo[to] = true
			f.mu.Unlock()
			w.Header().Set("Retry-After", "2")
			twiliotest.WriteError(w, 429, 20429, "Too Many Requests")
			return
		}
		unknown = true
		f.failList[to] = true
	}
	now := f.clock.Now()
	f.nextSid++
	timeout, _ := strconv.Atoi(form.Get("Timeout"))
	if timeout == 0 {
		timeout = 60
	}
	c := &fakeCall{
		sid: fmt.Sprintf("CA%032x", f.nextSid), to: to, from: from, status: "queued", created: now,
		statusCB: twiliotest.StripFragment(form.Get("StatusCallback")), amdCB: twiliotest.StripFragment(form.Get("AsyncAmdStatusCallback")),
		events: form["StatusCallbackEvent"], amd: form.Get("MachineDetection"),
		timeout: time.Duration(timeout) * time.Second, plan: f.plans[to],
	}
	if c.plan.Answer == 0 {
		c.plan = telephonytest.Plan{Answer: telephonytest.NoAnswer}
	}
	f.calls[c.sid] = c
	f.start(c, now)
	res := f.resource(c)
	stall := f.stallCreate
	f.mu.Unlock()
	if stall != nil {
		stall()
	}
	if unknown {
		twiliotest.WriteError(w, 500, 20500, "Internal Server Error")
		return
	}
	twiliotest.WriteJSON(w, http.StatusCreated, res)
}

func (f *fakeTwilio) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failList[q.Get("To")] {
		twiliotest.WriteError(w, 503, 20503, "Service Unavailable")
		return
	}
	var out []map[string]any
	sids := make([]string, 0, len(f.calls))
	for sid := range f.calls {
		sids = append(sids, sid)
	}
	slices.Sort(sids)
	slices.Reverse(sids) // newest first
	for _, sid := range sids {
		c := f.calls[sid]
		if (q.Get("To") == "" || q.Get("To") == c.to) && (q.Get("From") == "" || q.Get("From") == c.from) {
			out = append(out, f.resource(c))
		}
	}
	twiliotest.WriteJSON(w, 200, map[string]any{"calls": out, "page": 0, "page_size": 50})
}

func (f *fakeTwilio) updateCall(w http.ResponseWriter, r *http.Request, sid string) {
	form := r.PostForm
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.calls[sid]
	if !ok {
		twiliotest.WriteError(w, 404, 20404, "The requested resource was not found")
		return
	}
	now := f.clock.Now()
	switch status := form.Get("Status"); {
	case status == "canceled":
		if !c.ended && c.status != "in-progress" {
			f.cancel(c)
			f.transition(c, now, "canceled", url.Values{"SipResponseCode": {"487"}})
			c.status = "canceled" // as the response shows it
		}
	case status == "completed":
		if !c.ended {
			f.cancel(c)
			end := "canceled"
			if c.status == "in-progress" {
				end = "completed"
			}
			f.transition(c, now, end, nil)
		}
	case form.Get("Twiml") != "":
		if c.ended || c.status != "in-progress" {
			twiliotest.WriteError(w, 400, 21220, "Call is not in-progress. Cannot redirect.")
			return
		}
		doc, err := twiliotest.ParseRedirect(form.Get("Twiml"))
		if err != nil {
			twiliotest.WriteTwiMLError(w, err)
			return
		}
		switch {
		case doc.Dial != nil:
			n := doc.Dial
			f.cancel(c)
			c.bridged = true
			if n.StatusCallback != "" && strings.Contains(n.Events, "answered") {
				child := fmt.Sprintf("CA%032x", 1<<40+len(f.calls))
				cb := twiliotest.StripFragment(n.StatusCallback)
				f.schedule(c, now, func() []post {
					q := f.params(c, now)
					q.Set("CallSid", child)
					q.Set("ParentCallSid", c.sid)
					q.Set("CallStatus", "in-progress")
					q.Set("To", n.Address)
					q.Set("SequenceNumber", "0")
					return []post{{url: cb, params: q, parent: c.sid}}
				})
			}
			f.transition(c, now.Add(max(c.plan.Talk, time.Second)), "completed", nil)
		default: // a message, then hang up
			f.cancel(c)
			f.transition(c, now.Add(2*time.Second), "completed", nil)
		}
	default:
		twiliotest.WriteError(w, 400, 20001, "Nothing to update")
		return
	}
	twiliotest.WriteJSON(w, 200, f.resource(c))
}

// creates returns the create-call requests received.
func (f *fakeTwilio) creates() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.requests {
		if r.method == http.MethodPost && strings.HasSuffix(r.path, "/Calls.json") {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeTwilio) allRequests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *fakeTwilio) rejections() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rejected)
}
