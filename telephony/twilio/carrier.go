package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// Carrier is a telephony.Carrier on Twilio's Programmable Voice API. Create
// it with New, mount Handler at Config.CallbackURL, then Start it. It is
// safe for concurrent use.
type Carrier struct {
	cfg       Config
	log       *slog.Logger
	limiter   *Limiter
	user      string // basic auth
	pass      string
	callsPath string // /2010-04-01/Accounts/{sid}/Calls
	cbBase    string // CallbackURL without its query
	cbQuery   url.Values

	mu       sync.Mutex
	sink     telephony.EventSink
	calls    map[telephony.CallID]*callState
	attempts map[string]telephony.CallID // AttemptID → call, from dials and callbacks
	dialing  map[string]*pendingDial     // dials in flight, by AttemptID
	unknown  map[string]time.Time        // AttemptIDs whose dial outcome is unknown → when dialed
}

var _ telephony.Carrier = (*Carrier)(nil)

// callState is what the adapter knows of a call, from its own requests and
// the callbacks. c.mu guards it.
type callState struct {
	attempt  string
	amd      bool
	answered bool // Twilio reported the call in-progress
	bridging bool // a Bridge was accepted
	playing  bool // a Play was accepted; its TwiML hangs up at the end
	ended    bool
	endedAt  time.Time
	seen     time.Time               // when the adapter last heard of the call
	synth    bool                    // the answer event was synthesized from completed
	events   map[int]telephony.Event // by Seq: what each Seq was mapped to, for exact redelivery
}

type pendingDial struct {
	done chan struct{}
	id   telephony.CallID
	err  error
}

// New returns a Carrier, or an error naming the Config field that is wrong.
func New(cfg Config) (*Carrier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	lim := cfg.Limiter
	if lim == nil {
		if lim, err = NewLimiter(cfg.CallsPerSecond, cfg.Burst, cfg.Clock); err != nil {
			return nil, configErr("CallsPerSecond", "%v", err)
		}
	}
	cb, _ := url.Parse(cfg.CallbackURL) // validated
	q := cb.Query()
	cb.RawQuery = ""
	c := &Carrier{
		cfg:       cfg,
		log:       cfg.Logger,
		limiter:   lim,
		user:      cfg.AccountSID,
		pass:      cfg.AuthToken,
		callsPath: "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Calls",
		cbBase:    cb.String(),
		cbQuery:   q,
		calls:     make(map[telephony.CallID]*callState),
		attempts:  make(map[string]telephony.CallID),
		dialing:   make(map[string]*pendingDial),
		unknown:   make(map[string]time.Time),
	}
	if cfg.APIKeySID != "" {
		c.user, c.pass = cfg.APIKeySID, cfg.APIKeySecret
	}
	return c, nil
}

// Start registers the sink. The adapter has no background work: events
// arrive through Handler, which answers 503 until Start. Starting twice is
// an error.
func (c *Carrier) Start(ctx context.Context, sink telephony.EventSink) error {
	if sink == nil {
		return &telephony.Error{Code: telephony.CodeInvalidRequest,
			Err: fmt.Errorf("%w: twilio: sink is nil", telephony.ErrInvalidRequest)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sink != nil {
		return &telephony.Error{Code: telephony.CodeCallState, Err: fmt.Errorf("twilio: already started")}
	}
	c.sink = sink
	return nil
}

// Callback kinds, in the cb query parameter of callback URLs.
const (
	cbStatus = "status"
	cbAMD    = "amd"
	cbBridge = "bridge"
)

// callbackURL is the URL Twilio posts a callback of kind to: CallbackURL
// with the kind, the attempt, whether AMD is on and the parent call, then
// the connection overrides as the fragment.
func (c *Carrier) callbackURL(kind, attempt string, amd bool, parent telephony.CallID) string {
	q := url.Values{}
	for k, v := range c.cbQuery {
		q[k] = v
	}
	q.Set("cb", kind)
	q.Set("attempt", attempt)
	if amd {
		q.Set("amd", "1")
	}
	if parent != "" {
		q.Set("parent", string(parent))
	}
	u := c.cbBase + "?" + q.Encode()
	if c.cfg.CallbackOverrides != "" {
		u += "#" + c.cfg.CallbackOverrides
	}
	return u
}

// maxRingSeconds is the longest Timeout the Calls API takes.
const maxRingSeconds = 600

// createForm is the create-call request for req.
func (c *Carrier) createForm(req telephony.DialRequest) url.Values {
	amd := req.AMD != telephony.AMDOff
	f := url.Values{}
	f.Set("To", req.To)
	f.Set("From", req.From)
	if c.cfg.AnswerURL != "" {
		f.Set("Url", c.cfg.AnswerURL)
		f.Set("Method", "POST")
	} else {
		f.Set("Twiml", c.cfg.AnswerTwiML)
	}
	f.Set("StatusCallback", c.callbackURL(cbStatus, req.AttemptID, amd, ""))
	f.Set("StatusCallbackMethod", "POST")
	for _, ev := range []string{"initiated", "ringing", "answered", "completed"} {
		f.Add("StatusCallbackEvent", ev)
	}
	f.Set("Timeout", strconv.Itoa(min(int(math.Ceil(req.RingTimeout.Seconds())), maxRingSeconds)))
	switch req.AMD {
	case telephony.AMDEnable:
		f.Set("MachineDetection", "Enable")
	case telephony.AMDDetectMessageEnd:
		f.Set("MachineDetection", "DetectMessageEnd")
	}
	if req.Extension != "" {
		// Dialled once the call is answered, after a one-second pause
		// ("w" is half a second) for the far end's attendant to listen.
		f.Set("SendDigits", "ww"+req.Extension)
	}
	if amd {
		f.Set("AsyncAmd", "true")
		f.Set("AsyncAmdStatusCallback", c.callbackURL(cbAMD, req.AttemptID, amd, ""))
		f.Set("AsyncAmdStatusCallbackMethod", "POST")
	}
	return f
}

// callResource is the part of Twilio's Call resource the adapter reads.
type callResource struct {
	Sid         string  `json:"sid"`
	Status      string  `json:"status"`
	To          string  `json:"to"`
	From        string  `json:"from"`
	Direction   string  `json:"direction"`
	DateCreated string  `json:"date_created"`
	Price       *string `json:"price"`
	PriceUnit   string  `json:"price_unit"`
	AnsweredBy  string  `json:"answered_by"`
	Duration    string  `json:"duration"`
	StartTime   string  `json:"start_time"`
	EndTime     string  `json:"end_time"`
}

// Dial places a call through the Calls API. It waits for the rate limiter,
// and retries only failures that placed no call (429, a connection that
// never carried the request). When the outcome is unknown (a timeout, a
// connection reset after the request was sent, a 5xx) it never sends the
// request again: it looks the call up, and returns an error for which
// telephony.IsOutcomeUnknown holds if it cannot tell. Callbacks of such a
// call still reach the sink, with req.AttemptID. A second Dial with the
// same AttemptID returns the first call (while it is retained), waits for a
// dial in flight, and after an unknown outcome only looks the call up again.
func (c *Carrier) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	if err := req.Validate(); err != nil {
		return "", err
	}
	now := c.cfg.Clock.Now()
	c.mu.Lock()
	if c.sink == nil {
		c.mu.Unlock()
		return "", &telephony.Error{Code: telephony.CodeNotStarted, Err: telephony.ErrNotStarted}
	}
	c.prune(now)
	if id, ok := c.attempts[req.AttemptID]; ok {
		c.mu.Unlock()
		return id, nil
	}
	if p, ok := c.dialing[req.AttemptID]; ok {
		c.mu.Unlock()
		select {
		case <-p.done:
			return p.id, p.err
		case <-ctx.Done():
			return "", &telephony.Error{Code: telephony.CodeCanceled, Unknown: true,
				Err: fmt.Errorf("twilio: waiting for a dial of the same attempt: %w", ctx.Err())}
		}
	}
	since, wasUnknown := c.unknown[req.AttemptID]
	p := &pendingDial{done: make(chan struct{})}
	c.dialing[req.AttemptID] = p
	c.mu.Unlock()

	var id telephony.CallID
	var err error
	if wasUnknown {
		id, err = c.reconcile(ctx, req, since, &telephony.Error{Code: telephony.CodeTimeout, Unknown: true,
			Err: fmt.Errorf("twilio: an earlier dial of attempt %q has an unknown outcome", req.AttemptID)})
	} else {
		id, err = c.create(ctx, req, now)
	}

	c.mu.Lock()
	delete(c.dialing, req.AttemptID)
	switch {
	case err == nil:
		delete(c.unknown, req.AttemptID)
		c.attempts[req.AttemptID] = id
		st := c.state(id, req.AttemptID, req.AMD != telephony.AMDOff, c.cfg.Clock.Now())
		st.attempt = req.AttemptID
	case telephony.IsOutcomeUnknown(err) && !wasUnknown:
		c.unknown[req.AttemptID] = now
	}
	p.id, p.err = id, err
	close(p.done)
	c.mu.Unlock()
	return id, err
}

// create sends the create-call request.
func (c *Carrier) create(ctx context.Context, req telephony.DialRequest, now time.Time) (telephony.CallID, error) {
	body, err := c.send(ctx, "POST", c.callsPath+".json", c.createForm(req), true)
	if telephony.IsOutcomeUnknown(err) {
		c.log.Warn("twilio: dial outcome unknown; looking the call up", "attempt", req.AttemptID, "err", err)
		return c.reconcile(ctx, req, now, err)
	}
	if err != nil {
		return "", err
	}
	var res callResource
	if err := json.Unmarshal(body, &res); err != nil || res.Sid == "" {
		// Twilio answered 2xx, so the call exists, but we cannot name it.
		cause := &telephony.Error{Code: telephony.CodeUnavailable, Unknown: true,
			Err: fmt.Errorf("twilio: create-call response without a sid: %q", truncate(body))}
		return c.reconcile(ctx, req, now, cause)
	}
	c.log.Debug("twilio: dialed", "attempt", req.AttemptID, "call", res.Sid, "status", res.Status)
	return telephony.CallID(res.Sid), nil
}

// reconcile decides whether a dial whose outcome is unknown placed a call,
// without placing one: first by the callbacks already received for the
// attempt (their URL carries the AttemptID), then by listing the calls to
// req.To from req.From created since the dial (less ReconcileWindow). It
// returns the call when exactly one candidate is not claimed by another
// attempt, and cause otherwise.
func (c *Carrier) reconcile(ctx context.Context, req telephony.DialRequest, since time.Time, cause error) (telephony.CallID, error) {
	if id, ok := c.byAttempt(req.AttemptID); ok {
		return id, nil
	}
	q := url.Values{}
	q.Set("To", req.To)
	q.Set("From", req.From)
	q.Set("PageSize", "50")
	body, err := c.send(ctx, "GET", c.callsPath+".json?"+q.Encode(), nil, false)
	if err != nil {
		c.log.Warn("twilio: call lookup failed; outcome stays unknown", "attempt", req.AttemptID, "err", err)
		return "", unknownErr(cause, "lookup failed: %v", err)
	}
	var page struct {
		Calls []callResource `json:"calls"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return "", unknownErr(cause, "lookup response: %v", err)
	}
	if id, ok := c.byAttempt(req.AttemptID); ok { // a callback came meanwhile
		return id, nil
	}
	from := since.Add(-c.cfg.ReconcileWindow)
	var found []telephony.CallID
	c.mu.Lock()
	for _, r := range page.Calls {
		created, err := time.Parse(time.RFC1123Z, r.DateCreated)
		switch {
		case r.Sid == "" || r.To != req.To || r.From != req.From:
			continue
		case r.Direction != "" && !strings.HasPrefix(r.Direction, "outbound-api"):
			continue
		case err == nil && created.Before(from):
			continue
		}
		if st, ok := c.calls[telephony.CallID(r.Sid)]; ok && st.attempt != "" && st.attempt != req.AttemptID {
			continue // another attempt's call
		}
		found = append(found, telephony.CallID(r.Sid))
	}
	c.mu.Unlock()
	if len(found) == 1 {
		c.log.Info("twilio: dial with unknown outcome found by lookup", "attempt", req.AttemptID, "call", found[0])
		return found[0], nil
	}
	c.log.Warn("twilio: cannot tell whether the dial placed a call", "attempt", req.AttemptID, "candidates", len(found))
	return "", unknownErr(cause, "%d candidate calls", len(found))
}

func unknownErr(cause error, format string, args ...any) error {
	return &telephony.Error{Code: telephony.CodeTimeout, Unknown: true,
		Err: fmt.Errorf("twilio: dial outcome unknown (%s): %w", fmt.Sprintf(format, args...), cause)}
}

func (c *Carrier) byAttempt(attempt string) (telephony.CallID, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.attempts[attempt]
	return id, ok
}

// state returns the call's state, creating it, and notes that the call
// was heard of at now. c.mu must be held.
func (c *Carrier) state(id telephony.CallID, attempt string, amd bool, now time.Time) *callState {
	st, ok := c.calls[id]
	if !ok {
		st = &callState{attempt: attempt, amd: amd, events: map[int]telephony.Event{}}
		c.calls[id] = st
		if len(c.calls) > c.cfg.MaxCalls {
			c.evict(id)
		}
	}
	if now.After(st.seen) {
		st.seen = now
	}
	if st.attempt == "" && attempt != "" {
		st.attempt = attempt
	}
	st.amd = st.amd || amd
	if attempt != "" {
		if _, ok := c.attempts[attempt]; !ok {
			c.attempts[attempt] = id
		}
	}
	return st
}

// prune forgets calls ended more than Retain ago, calls not ended and
// not heard of for IdleRetain (a callback for a call of no dial of ours,
// an end that never came), and unknown dial outcomes older than Retain.
// c.mu must be held.
func (c *Carrier) prune(now time.Time) {
	for attempt, at := range c.unknown {
		if now.Sub(at) > c.cfg.Retain {
			delete(c.unknown, attempt)
		}
	}
	for id, st := range c.calls {
		if (st.ended && now.Sub(st.endedAt) > c.cfg.Retain) || (!st.ended && now.Sub(st.seen) > c.cfg.IdleRetain) {
			c.forget(id, st)
		}
	}
}

// TrackedCalls returns how many calls the adapter holds state for (live
// calls, and ended ones within Config.Retain), for a host's metrics: it
// stays bounded by Config.MaxCalls whatever callbacks arrive.
func (c *Carrier) TrackedCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

// forget drops a call's state. c.mu must be held.
func (c *Carrier) forget(id telephony.CallID, st *callState) {
	delete(c.calls, id)
	if c.attempts[st.attempt] == id {
		delete(c.attempts, st.attempt)
	}
}

// evict makes room under MaxCalls, keeping keep: ended calls go first,
// then the calls heard of least recently. It runs only past the bound,
// which a healthy process does not reach (Retain and IdleRetain prune
// first). c.mu must be held.
func (c *Carrier) evict(keep telephony.CallID) {
	type entry struct {
		id telephony.CallID
		st *callState
	}
	all := make([]entry, 0, len(c.calls))
	for id, st := range c.calls {
		if id != keep {
			all = append(all, entry{id, st})
		}
	}
	slices.SortFunc(all, func(a, b entry) int {
		if a.st.ended != b.st.ended {
			if a.st.ended {
				return -1
			}
			return 1
		}
		return a.st.seen.Compare(b.st.seen)
	})
	// Free a tenth of the bound at once, so a flood does not sort per call.
	n := len(c.calls) - c.cfg.MaxCalls + c.cfg.MaxCalls/10
	n = min(n, len(all))
	for _, e := range all[:n] {
		c.forget(e.id, e.st)
	}
	c.log.Warn("twilio: call state over Config.MaxCalls; forgot the least recent", "forgot", n, "max", c.cfg.MaxCalls)
}

// known returns the call's state, fetching the call from Twilio when the
// adapter has not seen it (a call of an earlier process, say).
func (c *Carrier) known(ctx context.Context, id telephony.CallID) (*callState, error) {
	if id == "" {
		return nil, &telephony.Error{Code: telephony.CodeUnknownCall,
			Err: fmt.Errorf("%w: empty call id", telephony.ErrUnknownCall)}
	}
	c.mu.Lock()
	st, ok := c.calls[id]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	res, err := c.fetch(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st = c.state(id, "", false, c.cfg.Clock.Now())
	switch res.Status {
	case "in-progress":
		st.answered = true
	case "completed", "busy", "no-answer", "failed", "canceled":
		if !st.ended {
			st.ended, st.endedAt = true, c.cfg.Clock.Now()
		}
	}
	return st, nil
}

// fetch reads a call from Twilio.
func (c *Carrier) fetch(ctx context.Context, id telephony.CallID) (callResource, error) {
	var res callResource
	body, err := c.send(ctx, "GET", c.callPath(id), nil, false)
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return res, &telephony.Error{Code: telephony.CodeUnavailable, Retryable: true,
			Err: fmt.Errorf("twilio: reading call %s: %w", id, err)}
	}
	return res, nil
}

func (c *Carrier) callPath(id telephony.CallID) string {
	return c.callsPath + "/" + url.PathEscape(string(id)) + ".json"
}

// update posts to the call resource and returns it.
func (c *Carrier) update(ctx context.Context, id telephony.CallID, form url.Values) (callResource, error) {
	var res callResource
	body, err := c.send(ctx, "POST", c.callPath(id), form, false)
	if err != nil {
		return res, err
	}
	_ = json.Unmarshal(body, &res) // the status is a hint only
	return res, nil
}

func stateErr(format string, args ...any) error {
	return &telephony.Error{Code: telephony.CodeCallState,
		Err: fmt.Errorf("%w: twilio: %s", telephony.ErrCallState, fmt.Sprintf(format, args...))}
}

// Bridge connects an answered call to an agent endpoint by replacing the
// call's TwiML with <Dial> (see BridgeTwiML). Twilio reports the agent
// leg's answer to Handler, which emits EventBridged; if the agent does not
// answer the call ends (completed). It fails with ErrCallState when the call
// is not answered, already bridged or ended.
func (c *Carrier) Bridge(ctx context.Context, id telephony.CallID, to telephony.Endpoint) error {
	if err := to.Validate(); err != nil {
		return err
	}
	st, err := c.known(ctx, id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	switch {
	case st.ended:
		err = stateErr("call %s has ended", id)
	case !st.answered:
		err = stateErr("call %s is not answered", id)
	case st.bridging:
		err = stateErr("call %s is already bridged", id)
	}
	if err != nil {
		c.mu.Unlock()
		return err
	}
	st.bridging = true
	cb := c.callbackURL(cbBridge, st.attempt, false, id)
	c.mu.Unlock()

	twiml, err := BridgeTwiML(to, cb, int(c.cfg.AgentDialTimeout/time.Second))
	if err == nil {
		_, err = c.update(ctx, id, url.Values{"Twiml": {twiml}})
	}
	if err != nil {
		c.mu.Lock()
		st.bridging = false
		c.mu.Unlock()
		return err
	}
	return nil
}

// Play plays msg to an answered call by replacing its TwiML with <Say> or
// <Play> followed by <Hangup> (see MessageTwiML): the call ends by itself
// once the message has played, and a Hangup meanwhile leaves it to finish.
// It fails like Bridge.
func (c *Carrier) Play(ctx context.Context, id telephony.CallID, msg telephony.Message) error {
	twiml, err := MessageTwiML(msg, c.cfg.Voice)
	if err != nil {
		return err
	}
	st, err := c.known(ctx, id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	switch {
	case st.ended:
		err = stateErr("call %s has ended", id)
	case !st.answered:
		err = stateErr("call %s is not answered", id)
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if _, err := c.update(ctx, id, url.Values{"Twiml": {twiml}}); err != nil {
		return err
	}
	c.mu.Lock()
	st.playing = true
	c.mu.Unlock()
	return nil
}

// Hangup ends a call: Status=canceled while it is queued or ringing,
// Status=completed once answered (and completed after all if the cancel
// finds the call answered). A call that has ended is a no-op, and so is a
// call playing a message from Play: its TwiML hangs up when the message
// ends, so the callee hears all of it.
func (c *Carrier) Hangup(ctx context.Context, id telephony.CallID) error {
	st, err := c.known(ctx, id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	ended, playing, answered := st.ended, st.playing, st.answered
	c.mu.Unlock()
	if ended || playing {
		return nil
	}
	status := "canceled"
	if answered {
		status = "completed"
	}
	res, err := c.update(ctx, id, url.Values{"Status": {status}})
	if err == nil && status == "canceled" && res.Status == "in-progress" {
		// Answered meanwhile: canceled does not touch an answered call.
		_, err = c.update(ctx, id, url.Values{"Status": {"completed"}})
	}
	if telephony.IsOutcomeUnknown(err) || err == nil {
		return err
	}
	if errors.Is(err, telephony.ErrCallState) {
		return nil // Twilio says the call is no longer live: it ended meanwhile
	}
	return err
}

// Price fetches what Twilio charged for a call, which it often reports
// only some time after the call ended. Twilio prices charges as negative
// numbers; the Cost is positive for a charge. A zero Cost means Twilio has
// not priced the call yet.
func (c *Carrier) Price(ctx context.Context, id telephony.CallID) (telephony.Cost, error) {
	res, err := c.fetch(ctx, id)
	if err != nil {
		return telephony.Cost{}, err
	}
	if res.Price == nil {
		return telephony.Cost{}, nil
	}
	return parsePrice(*res.Price, res.PriceUnit)
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
