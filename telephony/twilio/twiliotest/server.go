// Package twiliotest is an in-process, Twilio-compatible Calls API for
// soaks and examples: it listens on 127.0.0.1, answers the requests the
// telephony/twilio adapter makes (create, fetch, list and update a call)
// after a configurable latency, plays each call in real time from a plan,
// and posts Twilio-signed status callbacks to the adapter's callback URL,
// as Twilio does. It is not a test double of every Twilio behaviour: the
// adapter's own tests use a fuller fake in virtual time.
package twiliotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callstackhq/callstack/telephony/twilio"
)

// Answer is what a callee does.
type Answer int

// Answers.
const (
	NoAnswer Answer = iota
	Human
	Machine
	Busy
	Failed
)

// Plan is one call's life.
type Plan struct {
	Answer Answer
	// After is the time from the dial to the answer, busy or failure.
	After time.Duration
	// Talk is how long the callee stays on once bridged.
	Talk time.Duration
}

// Config configures a Server.
type Config struct {
	// AccountSID and AuthToken are the credentials the adapter uses; the
	// token signs the callbacks. Required.
	AccountSID, AuthToken string
	// Plan decides each new call from its number. Defaults to no answer.
	Plan func(to string) Plan
	// Latency is how long each API request takes before it is answered.
	// Defaults to none.
	Latency func() time.Duration
	// Patience is how long an answered call nobody bridges or hangs up
	// stays up. Defaults to 30s.
	Patience time.Duration
	// MessageTime is how long a message played before a hang-up takes.
	// Defaults to 200ms.
	MessageTime time.Duration
}

// Stats counts what the server did.
type Stats struct {
	Requests, Creates, Updates int
	// Callbacks counts status callbacks posted; CallbackFailures those the
	// adapter did not acknowledge with a 2xx after retries (events lost).
	Callbacks, CallbackFailures int
	// Live is how many calls have not ended.
	Live int
}

// Server is a running fake. Close it when done.
type Server struct {
	cfg    Config
	srv    *http.Server
	ln     net.Listener
	client *http.Client
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	calls  map[string]*call
	next   int
	stats  Stats
	bridge []time.Duration
}

type call struct {
	sid, to, from, statusCB string
	events                  []string
	status                  string
	created, answeredAt     time.Time
	ended                   bool
	duration                int
	plan                    Plan
	seq                     int
	timers                  []*time.Timer
	// cbs orders the call's callbacks: each is posted after the one
	// before it was answered.
	cbs chan url.Values
}

// Start listens on 127.0.0.1 and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("twiliotest: Config.AccountSID and Config.AuthToken are required")
	}
	if cfg.Plan == nil {
		cfg.Plan = func(string) Plan { return Plan{} }
	}
	if cfg.Latency == nil {
		cfg.Latency = func() time.Duration { return 0 }
	}
	if cfg.Patience == 0 {
		cfg.Patience = 30 * time.Second
	}
	if cfg.MessageTime == 0 {
		cfg.MessageTime = 200 * time.Millisecond
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("twiliotest: listen: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, ln: ln, calls: map[string]*call{}, ctx: ctx, stop: stop,
		client: &http.Client{Timeout: 10 * time.Second}}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	s.wg.Go(func() { _ = s.srv.Serve(ln) })
	return s, nil
}

// URL is the API's base URL, for twilio.Config.BaseURL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	for _, c := range s.calls {
		if !c.ended {
			st.Live++
		}
	}
	return st
}

// BridgeDelays returns, for each bridged call, the time from its answer
// (when the server queued the answered callback) to the arrival of the
// request that bridged it: what the callee waited, less the request's
// processing.
func (s *Server) BridgeDelays() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bridge)
}

// AnsweredAt returns when each answered call was answered, by call SID,
// at the server's clock and full resolution (callbacks carry whole-second
// timestamps).
func (s *Server) AnsweredAt() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]time.Time{}
	for sid, c := range s.calls {
		if !c.answeredAt.IsZero() {
			out[sid] = c.answeredAt
		}
	}
	return out
}

// Close stops the server, its calls' timers and callbacks.
func (s *Server) Close() error {
	s.stop()
	s.mu.Lock()
	for _, c := range s.calls {
		for _, t := range c.timers {
			t.Stop()
		}
		if c.cbs != nil {
			close(c.cbs)
			c.cbs = nil
		}
	}
	s.mu.Unlock()
	err := s.srv.Close()
	s.wg.Wait()
	s.client.CloseIdleConnections()
	return err
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.cfg.AccountSID || pass != s.cfg.AuthToken {
		WriteError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		WriteError(w, 400, 20001, "bad form")
		return
	}
	arrived := time.Now()
	if d := s.cfg.Latency(); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	s.stats.Requests++
	s.mu.Unlock()
	Dispatch(w, r, s.cfg.AccountSID, serverCalls{s, arrived})
}

// serverCalls answers the Calls API for s; arrived is when the request
// came, before its latency.
type serverCalls struct {
	s       *Server
	arrived time.Time
}

func (c serverCalls) Create(w http.ResponseWriter, r *http.Request) { c.s.create(w, r) }
func (c serverCalls) List(w http.ResponseWriter, r *http.Request)   { c.s.list(w, r) }
func (c serverCalls) Update(w http.ResponseWriter, r *http.Request, sid string) {
	c.s.update(w, r, sid, c.arrived)
}
func (c serverCalls) Fetch(sid string) (map[string]any, bool) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	call, ok := c.s.calls[sid]
	if !ok {
		return nil, false
	}
	return c.s.resource(call), true
}

// resource is the call's JSON. s.mu must be held.
func (s *Server) resource(c *call) map[string]any {
	r := map[string]any{"sid": c.sid, "account_sid": s.cfg.AccountSID, "to": c.to, "from": c.from, "status": c.status,
		"direction": "outbound-api", "date_created": c.created.Format(time.RFC1123Z), "price": nil, "price_unit": "USD"}
	if c.ended {
		r["duration"] = strconv.Itoa(c.duration)
		if c.duration > 0 {
			r["price"] = "-0.01300"
		}
	}
	if !c.answeredAt.IsZero() {
		r["start_time"] = c.answeredAt.Format(time.RFC1123Z)
	}
	return r
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	if CheckCreate(w, form) {
		return
	}
	to, from := form.Get("To"), form.Get("From")
	plan := s.cfg.Plan(to)
	timeout, _ := strconv.Atoi(form.Get("Timeout"))
	if timeout == 0 {
		timeout = 60
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		WriteError(w, 503, 20503, "Service Unavailable")
		return
	}
	s.stats.Creates++
	s.next++
	now := time.Now()
	cb := StripFragment(form.Get("StatusCallback"))
	c := &call{sid: fmt.Sprintf("CA%032x", s.next), to: to, from: from, status: "queued", created: now, statusCB: cb,
		events: form["StatusCallbackEvent"], plan: plan, cbs: make(chan url.Values, 16)}
	s.calls[c.sid] = c
	s.wg.Go(func() { s.poster(c.cbs, c.statusCB) })
	s.transition(c, 0, "initiated", nil)
	switch plan.Answer {
	case Human, Machine:
		s.transition(c, 0, "ringing", nil)
		s.transition(c, plan.After, "in-progress", nil)
		s.transition(c, plan.After+s.cfg.Patience, "completed", nil)
	case Busy:
		s.transition(c, plan.After, "busy", url.Values{"SipResponseCode": {"486"}})
	case Failed:
		s.transition(c, plan.After, "failed", url.Values{"SipResponseCode": {"503"}})
	default:
		// Rings out at the request's Timeout, or earlier when the plan
		// says so (compressed calls).
		ring := time.Duration(timeout) * time.Second
		if plan.After > 0 {
			ring = min(ring, plan.After)
		}
		s.transition(c, 0, "ringing", nil)
		s.transition(c, ring, "no-answer", url.Values{"SipResponseCode": {"487"}})
	}
	WriteJSON(w, http.StatusCreated, s.resource(c))
}

// transition schedules a status change after d, with its callback. s.mu
// must be held.
func (s *Server) transition(c *call, d time.Duration, status string, extra url.Values) {
	c.timers = append(c.timers, time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c.ended || c.cbs == nil {
			return
		}
		now := time.Now()
		c.status = status
		event, final := EventOf(status)
		switch {
		case status == "in-progress":
			c.answeredAt = now
		case final:
			c.ended = true
			for _, t := range c.timers {
				t.Stop()
			}
			if status == "completed" && !c.answeredAt.IsZero() {
				c.duration = int(now.Sub(c.answeredAt).Round(time.Second) / time.Second)
			}
		}
		if !slices.Contains(c.events, event) {
			return
		}
		p := s.params(c, now)
		p.Set("CallStatus", status)
		p.Set("SequenceNumber", strconv.Itoa(c.seq))
		c.seq++
		if c.ended && status == "completed" {
			p.Set("CallDuration", strconv.Itoa(c.duration))
			p.Set("Price", "-0.01300")
			p.Set("PriceUnit", "USD")
		}
		for k, v := range extra {
			p[k] = v
		}
		s.stats.Callbacks++
		c.cbs <- p
		if c.ended {
			close(c.cbs)
			c.cbs = nil
		}
	}))
}

func (s *Server) params(c *call, at time.Time) url.Values {
	return CallParams(s.cfg.AccountSID, c.sid, c.from, c.to, at)
}

// poster posts a call's callbacks in order, retrying failures as
// Twilio's connection overrides ask (three tries).
func (s *Server) poster(cbs chan url.Values, to string) {
	for p := range cbs {
		s.post(to, p)
	}
}

func (s *Server) post(to string, p url.Values) {
	for try := 0; try < 3; try++ {
		req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, to, strings.NewReader(p.Encode()))
		if err != nil {
			break
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", twilio.Signature(s.cfg.AuthToken, to, p))
		resp, err := s.client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return
			}
		}
		if s.ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.mu.Lock()
	s.stats.CallbackFailures++
	s.mu.Unlock()
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, c := range s.calls {
		if (q.Get("To") == "" || q.Get("To") == c.to) && (q.Get("From") == "" || q.Get("From") == c.from) {
			out = append(out, s.resource(c))
		}
	}
	WriteJSON(w, 200, map[string]any{"calls": out, "page": 0, "page_size": 50})
}

// stopTimers drops a call's scheduled changes. s.mu must be held.
func stopTimers(c *call) {
	for _, t := range c.timers {
		t.Stop()
	}
	c.timers = nil
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, sid string, arrived time.Time) {
	form := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Updates++
	c, ok := s.calls[sid]
	if !ok {
		WriteError(w, 404, 20404, "The requested resource was not found")
		return
	}
	switch status := form.Get("Status"); {
	case status == "canceled" || status == "completed":
		if !c.ended {
			stopTimers(c)
			end := "canceled"
			if c.status == "in-progress" {
				end = "completed"
			}
			s.transition(c, 0, end, nil)
		}
	case form.Get("Twiml") != "":
		if c.ended || c.status != "in-progress" {
			WriteError(w, 400, 21220, "Call is not in-progress. Cannot redirect.")
			return
		}
		doc, err := ParseRedirect(form.Get("Twiml"))
		if err != nil {
			WriteTwiMLError(w, err)
			return
		}
		switch {
		case doc.Dial != nil:
			n := doc.Dial
			stopTimers(c)
			s.bridge = append(s.bridge, arrived.Sub(c.answeredAt))
			if cb, _, _ := strings.Cut(n.StatusCallback, "#"); cb != "" && strings.Contains(n.Events, "answered") {
				q := s.params(c, time.Now())
				q.Set("CallSid", fmt.Sprintf("CA%032x", 1<<40+s.next))
				q.Set("ParentCallSid", c.sid)
				q.Set("CallStatus", "in-progress")
				q.Set("To", n.Address)
				q.Set("SequenceNumber", "0")
				s.stats.Callbacks++
				s.wg.Go(func() { s.post(cb, q) })
			}
			s.transition(c, max(c.plan.Talk, 100*time.Millisecond), "completed", nil)
		default: // a message, then hang up
			stopTimers(c)
			s.transition(c, s.cfg.MessageTime, "completed", nil)
		}
	default:
		WriteError(w, 400, 20001, "Nothing to update")
		return
	}
	WriteJSON(w, 200, s.resource(c))
}
