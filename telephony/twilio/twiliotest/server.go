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
	"encoding/json"
	"encoding/xml"
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

	"github.com/callstackhq/callstack/telephony"
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.cfg.AccountSID || pass != s.cfg.AuthToken {
		apiError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		apiError(w, 400, 20001, "bad form")
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
	rest, ok := strings.CutPrefix(r.URL.Path, "/2010-04-01/Accounts/"+s.cfg.AccountSID+"/Calls")
	switch {
	case !ok:
		apiError(w, 404, 20404, "The requested resource was not found")
	case rest == ".json" && r.Method == http.MethodPost:
		s.create(w, r)
	case rest == ".json" && r.Method == http.MethodGet:
		s.list(w, r)
	case strings.HasPrefix(rest, "/") && strings.HasSuffix(rest, ".json"):
		sid := strings.TrimSuffix(strings.TrimPrefix(rest, "/"), ".json")
		if r.Method == http.MethodGet {
			s.mu.Lock()
			c, ok := s.calls[sid]
			var res map[string]any
			if ok {
				res = s.resource(c)
			}
			s.mu.Unlock()
			if !ok {
				apiError(w, 404, 20404, "The requested resource "+r.URL.Path+" was not found")
				return
			}
			writeJSON(w, 200, res)
			return
		}
		s.update(w, r, sid, arrived)
	default:
		apiError(w, 405, 20004, "Method not allowed")
	}
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
	to, from := form.Get("To"), form.Get("From")
	switch {
	case !telephony.IsE164(to):
		apiError(w, 400, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	case from == "":
		apiError(w, 400, 21213, "No 'From' number is specified")
		return
	}
	plan := s.cfg.Plan(to)
	timeout, _ := strconv.Atoi(form.Get("Timeout"))
	if timeout == 0 {
		timeout = 60
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		apiError(w, 503, 20503, "Service Unavailable")
		return
	}
	s.stats.Creates++
	s.next++
	now := time.Now()
	cb, _, _ := strings.Cut(form.Get("StatusCallback"), "#")
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
	writeJSON(w, http.StatusCreated, s.resource(c))
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
		event := status
		switch status {
		case "in-progress":
			event = "answered"
			c.answeredAt = now
		case "busy", "no-answer", "failed", "canceled", "completed":
			event = "completed"
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
	p := url.Values{}
	p.Set("AccountSid", s.cfg.AccountSID)
	p.Set("CallSid", c.sid)
	p.Set("From", c.from)
	p.Set("To", c.to)
	p.Set("Direction", "outbound-api")
	p.Set("ApiVersion", "2010-04-01")
	p.Set("Timestamp", at.Format(time.RFC1123Z))
	return p
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
	writeJSON(w, 200, map[string]any{"calls": out, "page": 0, "page_size": 50})
}

type twiml struct {
	XMLName xml.Name `xml:"Response"`
	Dial    *struct {
		Number *noun `xml:"Number"`
		Sip    *noun `xml:"Sip"`
		Client *noun `xml:"Client"`
	} `xml:"Dial"`
	Say    *struct{} `xml:"Say"`
	Play   *struct{} `xml:"Play"`
	Hangup *struct{} `xml:"Hangup"`
}

type noun struct {
	StatusCallback string `xml:"statusCallback,attr"`
	Events         string `xml:"statusCallbackEvent,attr"`
	Address        string `xml:",chardata"`
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
		apiError(w, 404, 20404, "The requested resource was not found")
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
			apiError(w, 400, 21220, "Call is not in-progress. Cannot redirect.")
			return
		}
		var doc twiml
		if err := xml.Unmarshal([]byte(form.Get("Twiml")), &doc); err != nil {
			apiError(w, 400, 12100, "Document parse failure: "+err.Error())
			return
		}
		switch {
		case doc.Dial != nil:
			var n *noun
			for _, x := range []*noun{doc.Dial.Number, doc.Dial.Sip, doc.Dial.Client} {
				if x != nil {
					n = x
				}
			}
			if n == nil || n.Address == "" {
				apiError(w, 400, 12100, "Dial without a noun")
				return
			}
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
		case (doc.Say != nil || doc.Play != nil) && doc.Hangup != nil:
			stopTimers(c)
			s.transition(c, s.cfg.MessageTime, "completed", nil)
		default:
			apiError(w, 400, 12100, "Document parse failure")
			return
		}
	default:
		apiError(w, 400, 20001, "Nothing to update")
		return
	}
	writeJSON(w, 200, s.resource(c))
}
