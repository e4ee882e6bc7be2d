// Command soak runs the dialer in real time through the real stack: the
// engine, the queue on a store, and the telephony/twilio adapter talking
// real HTTP both ways to an in-process Twilio-compatible server on
// 127.0.0.1 (telephony/twilio/twiliotest), whose every request takes
// -api-latency on average and whose status callbacks are signed. Call
// lengths are compressed (rings of 1–4 s, talks of about 6 s) so a
// two-minute run sees hundreds of calls; simulated agents save each
// outcome after a short wrap-up. It prints one JSON object:
//
//	go run ./examples/soak -duration 2m -agents 20 -api-latency 200ms
//	{"dials":…,"answered":…,"bridged":…,"abandoned":…,"abandoned_with_free_agent":0,"bridge_p50_ms":…,"bridge_p99_ms":…,
//	 "outcome_p99_ms":…,"carrier_errors":…,"stuck":0,"lost_events":0}
//
// -store takes memory (the default), sqlite:PATH or postgres:DSN. The run
// lasts -duration plus the drain (at most a few seconds).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/sqlite"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/twilio"
	"github.com/callstackhq/callstack/telephony/twilio/twiliotest"
)

// Options are the soak's parameters.
type Options struct {
	Duration   time.Duration
	Agents     int
	APILatency time.Duration
	// Store is "memory", "sqlite:PATH" or "postgres:DSN".
	Store string
	// Answer is the share of calls a person answers. Defaults to 0.3.
	Answer float64
	// Seed seeds the calls. Defaults to 1.
	Seed uint64
}

// Result is what the soak prints.
type Result struct {
	Dials                  int `json:"dials"`
	Answered               int `json:"answered"`
	Bridged                int `json:"bridged"`
	Abandoned              int `json:"abandoned"`
	AbandonedWithFreeAgent int `json:"abandoned_with_free_agent"`
	// BridgeP50Ms and BridgeP99Ms are percentiles of the time from a
	// call's answer to the arrival of its bridge request at the server,
	// over bridged calls (those that waited for an agent included).
	BridgeP50Ms int64 `json:"bridge_p50_ms"`
	BridgeP99Ms int64 `json:"bridge_p99_ms"`
	// BridgeEngineP99Ms is the engine's own share: from when both the
	// answer and the agent who took it were there to the engine's bridge
	// decision (waiting for an agent to free up is the pacer's choice).
	BridgeEngineP99Ms int64 `json:"bridge_engine_p99_ms"`
	OutcomeP99Ms      int64 `json:"outcome_p99_ms"`
	CarrierErrors     int   `json:"carrier_errors"`
	// Stuck counts contacts left dialing at the end.
	Stuck int `json:"stuck"`
	// LostEvents counts status callbacks the adapter never acknowledged
	// and attempts logged as unknown (their end never heard).
	LostEvents int `json:"lost_events"`
}

func main() {
	var o Options
	flag.DurationVar(&o.Duration, "duration", 2*time.Minute, "how long to dial")
	flag.IntVar(&o.Agents, "agents", 20, "agents logged in")
	flag.DurationVar(&o.APILatency, "api-latency", 200*time.Millisecond, "mean time of each carrier API request (lognormal, sigma 0.5)")
	flag.StringVar(&o.Store, "store", "memory", "memory | sqlite:PATH | postgres:DSN")
	flag.Parse()
	res, err := Run(context.Background(), o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		os.Exit(1)
	}
}

func openStore(ctx context.Context, spec string) (store.Store, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	var st store.Store
	var err error
	switch kind {
	case "", "memory":
		st = memory.New()
	case "sqlite":
		st, err = sqlite.Open(ctx, arg)
	case "postgres":
		st, err = postgres.Open(ctx, arg)
	default:
		return nil, fmt.Errorf("unknown -store %q: memory, sqlite:PATH or postgres:DSN", spec)
	}
	if err != nil {
		return nil, err
	}
	return st, st.Migrate(ctx)
}

const (
	account = "AC0000000000000000000000000000soak"
	token   = "soak-auth-token"
)

// Run soaks the stack for o.Duration and reports. Progress goes to log
// (nil for none).
func Run(ctx context.Context, o Options, log io.Writer) (Result, error) {
	if o.Duration <= 0 || o.Agents < 1 || o.APILatency < 0 {
		return Result{}, errors.New("options out of range (duration > 0, agents ≥ 1, api-latency ≥ 0)")
	}
	if o.Answer == 0 {
		o.Answer = 0.3
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if log == nil {
		log = io.Discard
	}
	st, err := openStore(ctx, o.Store)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()

	// The carrier: the Twilio-compatible server, and the adapter with its
	// callback handler on a listener of its own.
	var rngMu sync.Mutex
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	draw := func() float64 { rngMu.Lock(); defer rngMu.Unlock(); return rng.Float64() }
	norm := func() float64 { rngMu.Lock(); defer rngMu.Unlock(); return rng.NormFloat64() }
	lognormal := func(mean time.Duration, sigma float64) time.Duration {
		if mean <= 0 {
			return 0
		}
		return time.Duration(math.Exp(math.Log(float64(mean)) - sigma*sigma/2 + sigma*norm()))
	}
	srv, err := twiliotest.Start(twiliotest.Config{AccountSID: account, AuthToken: token, Patience: 20 * time.Second,
		Latency: func() time.Duration { return lognormal(o.APILatency, 0.5) },
		Plan: func(string) twiliotest.Plan {
			u := draw()
			p := twiliotest.Plan{After: time.Second + time.Duration(draw()*float64(3*time.Second)), Talk: lognormal(6*time.Second, 0.5)}
			switch {
			case u < o.Answer:
				p.Answer = twiliotest.Human
			case u < o.Answer+0.1:
				p.Answer = twiliotest.Busy
			case u < o.Answer+0.15:
				p.Answer = twiliotest.Failed
			default:
				// Rings out after 3–8 s rather than the whole ring timeout.
				p.Answer, p.After = twiliotest.NoAnswer, 3*time.Second+time.Duration(draw()*float64(5*time.Second))
			}
			return p
		}})
	if err != nil {
		return Result{}, err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	var handler http.Handler = http.NotFoundHandler()
	var hmu sync.RWMutex
	cbSrv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hmu.RLock()
		h := handler
		hmu.RUnlock()
		h.ServeHTTP(w, r)
	})}
	var serving sync.WaitGroup
	serving.Go(func() { _ = cbSrv.Serve(ln) })
	defer func() { _ = cbSrv.Close(); serving.Wait() }()
	httpClient := &http.Client{}
	defer httpClient.CloseIdleConnections()
	carrier, err := twilio.New(twilio.Config{AccountSID: account, AuthToken: token, BaseURL: srv.URL(),
		CallbackURL: "http://" + ln.Addr().String() + "/twilio", CallsPerSecond: 50, Burst: 20, HTTPClient: httpClient,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return Result{}, err
	}
	hmu.Lock()
	handler = carrier.Handler()
	hmu.Unlock()

	// The campaign, its agents and contacts.
	svc, err := campaign.NewService(campaign.Config{Store: st})
	if err != nil {
		return Result{}, err
	}
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "manager"}, campaign.Workspace{Name: "soak"})
	if err != nil {
		return Result{}, err
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "manager"}
	supp, err := suppression.NewService(suppression.Config{Store: st, Authorizer: svc})
	if err != nil {
		return Result{}, err
	}
	q, err := queue.NewService(queue.Config{Store: st, Campaigns: st, Suppression: supp, Authorizer: svc})
	if err != nil {
		return Result{}, err
	}
	defer q.Close() // before the store closes
	// The contacts live in a zone where it is daytime now, so calling
	// hours allow the soak whenever it runs.
	zone := simagent.OpenZone(time.Now())
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "soak", Timezone: "UTC", Settings: campaign.Settings{
		DialMode: campaign.DialPredictive, MaxConcurrentCalls: 10 * o.Agents, CallSpacing: 100, DialerInterval: 200 * time.Millisecond,
		RingTimeout: 15 * time.Second, WrapUp: 5 * time.Second, MaxAttempts: 1, HopperSize: 20 * o.Agents,
		// Two numbers with no practical daily cap: the soak studies the
		// engine, not number reputation.
		CallerIDs: []string{"+12125550100", "+12125550101"}, CallerIDPool: campaign.CallerIDPoolSettings{DailyCap: 1_000_000},
	}})
	if err != nil {
		return Result{}, err
	}
	disp, err := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Talked", Contacted: true, Final: true})
	if err != nil {
		return Result{}, err
	}
	n := int(o.Duration.Seconds()) * o.Agents
	cs := make([]campaign.Contact, 0, n)
	for i := range n {
		cs = append(cs, campaign.Contact{CampaignID: c.ID, Phone: fmt.Sprintf("+1212%07d", 2000000+i), Timezones: []string{zone}})
	}
	if _, err := svc.AddContacts(ctx, admin, cs); err != nil {
		return Result{}, err
	}
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		if _, err := svc.Transition(ctx, admin, c.ID, to, ""); err != nil {
			return Result{}, err
		}
	}
	var spanMu sync.Mutex
	var spans []campaign.AgentSpan
	e, err := dialer.New(ctx, dialer.Config{Workspace: ws.ID, Campaign: c.ID, Campaigns: dialer.CampaignSource{Store: st, Service: svc},
		Queue: q, Attempts: st, Suppression: supp, Authorizer: svc, Carrier: carrier, DrainTimeout: 10 * time.Second,
		StatusEvery: time.Second, Spans: func(s campaign.AgentSpan) { spanMu.Lock(); spans = append(spans, s); spanMu.Unlock() }})
	if err != nil {
		return Result{}, err
	}
	var agents []campaign.UserID
	for i := range o.Agents {
		id := campaign.UserID(fmt.Sprintf("agent%03d", i))
		if _, err := svc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller}); err != nil {
			return Result{}, err
		}
		if err := e.Login(ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: id}, dialer.AgentConfig{ID: id,
			Endpoint: telephony.Endpoint{Kind: telephony.EndpointPhone, Address: fmt.Sprintf("+1415555%04d", i)}}); err != nil {
			return Result{}, err
		}
		agents = append(agents, id)
	}

	runCtx, stop := context.WithTimeout(ctx, o.Duration)
	defer stop()
	runErr := make(chan error, 1)
	var bg sync.WaitGroup
	bg.Go(func() { runErr <- e.Run(runCtx) })
	// Simulated agents: each saves its outcome 1–2 s after its call ends,
	// until the engine has drained (calls answered during the drain still
	// find agents who behave as before).
	var saves []time.Duration
	agentsDone := make(chan struct{})
	bg.Go(func() {
		due := map[string]time.Time{}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-agentsDone:
				return
			case <-tick.C:
			}
			now := time.Now()
			for _, id := range agents {
				for _, att := range e.Awaiting(id) {
					at, ok := due[att]
					if !ok {
						due[att] = now.Add(time.Second + time.Duration(draw()*float64(time.Second)))
						continue
					}
					if at.After(now) {
						continue
					}
					t0 := time.Now()
					err := e.SaveOutcome(ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: id}, att, dialer.OutcomeInput{DispositionID: disp.ID})
					saves = append(saves, time.Since(t0))
					if err != nil && !errors.Is(err, dialer.ErrUnknownAttempt) {
						fmt.Fprintln(log, "soak: save outcome:", err)
					}
					delete(due, att)
				}
			}
		}
	})
	progress := time.NewTicker(10 * time.Second)
	defer progress.Stop()
wait:
	for {
		select {
		case err := <-runErr:
			close(agentsDone)
			if err != nil {
				bg.Wait()
				return Result{}, err
			}
			break wait
		case <-progress.C:
			s := e.Stats()
			fmt.Fprintf(log, "soak: %d dials, %d live, %d bridged, %d abandoned\n", s.Dials, s.Live, s.Connected, s.Abandoned)
		}
	}
	bg.Wait()

	s := e.Stats()
	res := Result{Dials: s.Dials, Answered: s.Live, Bridged: s.Connected, Abandoned: s.Abandoned, CarrierErrors: s.CarrierErrors}
	answered := srv.AnsweredAt()
	type agentAt struct {
		agent campaign.UserID
		at    time.Time
	}
	freeSince := map[agentAt]time.Time{}
	for _, sp := range spans {
		if sp.State == campaign.AgentAvailable && sp.End.After(sp.Start) {
			freeSince[agentAt{sp.AgentID, sp.End}] = sp.Start
		}
	}
	var engine []time.Duration
	f := queue.AttemptFilter{CampaignID: c.ID, Limit: 10000}
	spanMu.Lock()
	defer spanMu.Unlock()
	for {
		as, err := st.ListAttempts(ctx, ws.ID, f)
		if err != nil {
			return Result{}, err
		}
		for _, a := range as {
			if a.Result == campaign.ResultUnknown {
				res.LostEvents++
			}
			if at, ok := answered[a.CarrierCallID]; ok && a.AnsweredBy == "human" && a.TalkDuration > 0 && a.AgentID != "" {
				// The bridge decision, on the engine's clock; the agent
				// was free since the start of its available span ending
				// then, or became free at that very instant.
				decided := a.EndedAt.Add(-a.TalkDuration)
				ready := decided
				if since, ok := freeSince[agentAt{a.AgentID, decided}]; ok {
					ready = since
				}
				if at.After(ready) {
					ready = at
				}
				engine = append(engine, max(decided.Sub(ready), 0))
			}
			if a.Abandoned {
				// The answer as the server saw it: the attempt's
				// AnsweredAt comes from a callback's whole-second
				// timestamp.
				if at, ok := answered[a.CarrierCallID]; ok {
					a.AnsweredAt = at
				}
				until := a.AnsweredAt.Add(2 * time.Second)
				if a.EndedAt.Before(until) {
					until = a.EndedAt
				}
				for _, sp := range spans {
					if sp.State == campaign.AgentAvailable && sp.Start.Before(until) && sp.End.After(a.AnsweredAt) {
						res.AbandonedWithFreeAgent++
						break
					}
				}
			}
		}
		if len(as) < f.PageLimit() {
			break
		}
		f.After = as[len(as)-1].ID
	}
	// Measured at the server, at millisecond resolution: callbacks carry
	// whole-second timestamps.
	bridge := srv.BridgeDelays()
	res.BridgeP50Ms, res.BridgeP99Ms = pct(bridge, 50), pct(bridge, 99)
	res.OutcomeP99Ms = pct(saves, 99)
	res.BridgeEngineP99Ms = pct(engine, 99)
	res.LostEvents += srv.Stats().CallbackFailures
	p, err := svc.ListContacts(ctx, admin, campaign.ContactFilter{CampaignID: c.ID, Status: campaign.ContactDialing, Limit: 1000})
	if err != nil {
		return Result{}, err
	}
	res.Stuck = len(p.Contacts)
	return res, nil
}

func pct(ds []time.Duration, p int) int64 {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*p/100)].Milliseconds()
}
