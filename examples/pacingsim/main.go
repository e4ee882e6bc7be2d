// Command pacingsim runs a call centre in virtual time through the real
// CallStack engine — the queue on the memory store, the dial-time
// compliance gate, agent sessions, bridging within 2 s, abandon accounting —
// against the simulated carrier, exactly as docs/pacing.md specifies, and
// prints one JSON object of fractions:
//
//	go run ./examples/pacingsim -agents 20 -answer 0.2 -pacer predictive
//	{"occupancy":0.80,"abandon_rate":0.027,"worst_period_abandon":0.027,"worst_shift_abandon":0.031,"idle_wait_s":14.6,"calls":…}
//
// Shift k starts at 09:00 on the k-th consecutive weekday in the contacts'
// zone (America/New_York) and lasts 8 hours; all shifts of a seed are one
// campaign, so the pacer's estimates and the abandon accounting carry over.
// Dial k of a seed has the same callee whatever the pacer (common random
// numbers), so pacers are compared on the same calls.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/dialer/pacing/pacingtest"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/telephony/sim"
)

// Options are the simulation's parameters (docs/pacing.md).
type Options struct {
	Agents            int
	Answer, AnswerEnd float64
	Talk              float64 // mean talk, seconds
	WrapMin, WrapMax  float64 // seconds
	Shifts, Seeds     int
	Pacer             string
	Cap               float64
	// ShiftLength defaults to 8 hours.
	ShiftLength time.Duration
	// APILatency is the mean time of each carrier request (dial, bridge,
	// play, hang up), lognormal with sigma 0.5. Defaults to 0.
	APILatency time.Duration
	// APIFaults is the probability that a carrier request fails (timeout,
	// 429 with Retry-After, 5xx, lost answer in equal shares). Defaults to 0.
	APIFaults float64
}

// Result is what the program prints: fractions, pooled over shifts and
// seeds.
type Result struct {
	Occupancy          float64 `json:"occupancy"`
	AbandonRate        float64 `json:"abandon_rate"`
	WorstPeriodAbandon float64 `json:"worst_period_abandon"`
	WorstShiftAbandon  float64 `json:"worst_shift_abandon"`
	IdleWaitS          float64 `json:"idle_wait_s"`
	Calls              int     `json:"calls"`
	// BridgeP99S is the 99th percentile, over bridged live answers, of
	// the time from the answer event to the bridge request, virtual
	// seconds.
	BridgeP99S float64 `json:"bridge_p99_s"`
	// BridgeEngineP99S is the same percentile of the engine's own part of
	// that time: from when both the answer and the agent who took it were
	// there to the bridge request (waiting for an agent to free up is the
	// pacer's choice; this is what carrier latency could add).
	BridgeEngineP99S float64 `json:"bridge_engine_p99_s"`
	// AbandonedWithFreeAgent counts abandoned answers during whose wait
	// some agent sat available.
	AbandonedWithFreeAgent int `json:"abandoned_with_free_agent"`
}

func main() {
	var o Options
	flag.IntVar(&o.Agents, "agents", 20, "agents logged in each shift")
	flag.Float64Var(&o.Answer, "answer", 0.20, "live-answer probability at the start of each shift")
	flag.Float64Var(&o.AnswerEnd, "answer-end", -1, "live-answer probability at the end of each shift (linear drift); defaults to -answer")
	flag.Float64Var(&o.Talk, "talk", 120, "mean talk time, seconds (lognormal, sigma 0.8)")
	flag.Float64Var(&o.WrapMin, "wrap-min", 10, "shortest wrap-up, seconds")
	flag.Float64Var(&o.WrapMax, "wrap-max", 20, "longest wrap-up, seconds")
	flag.IntVar(&o.Shifts, "shifts", 30, "shifts per seed (one campaign)")
	flag.IntVar(&o.Seeds, "seeds", 3, "seeds 1..K")
	flag.StringVar(&o.Pacer, "pacer", "predictive", "progressive | ratio:X | adaptive | predictive | oracle")
	flag.Float64Var(&o.Cap, "cap", 0.03, "abandon-rate cap")
	latency := flag.Float64("api-latency", 0, "mean carrier request time, seconds (lognormal, sigma 0.5)")
	flag.Float64Var(&o.APIFaults, "api-faults", 0, "probability that a carrier request fails (timeout, 429, 5xx, lost answer)")
	flag.Parse()
	o.APILatency = time.Duration(*latency * float64(time.Second))
	if o.AnswerEnd < 0 {
		o.AnswerEnd = o.Answer
	}
	res, err := Run(context.Background(), o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pacingsim:", err)
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		os.Exit(1)
	}
}

// shiftStats are one shift's counts.
type shiftStats struct {
	talk, idle             time.Duration
	live, abandoned, calls int
	connected              int
	bridgeWaits            []time.Duration
	engineWaits            []time.Duration
	abandonedFree          int
}

// Run simulates every seed and pools the results. Progress goes to log
// (nil for none).
func Run(ctx context.Context, o Options, log io.Writer) (Result, error) {
	if o.Agents < 1 || o.Shifts < 1 || o.Seeds < 1 || o.Answer < 0 || o.Answer > 1 || o.AnswerEnd < 0 || o.AnswerEnd > 1 ||
		o.Talk <= 0 || o.WrapMin < 0 || o.WrapMax < o.WrapMin || o.Cap <= 0 || o.Cap > 0.05 || o.APILatency < 0 || o.APIFaults < 0 || o.APIFaults > 1 {
		return Result{}, errors.New("options out of range (agents, shifts, seeds ≥ 1; answer in [0,1]; talk > 0; 0 ≤ wrap-min ≤ wrap-max; cap in (0, 0.05]; api-latency ≥ 0; api-faults in [0,1])")
	}
	if o.ShiftLength == 0 {
		o.ShiftLength = 8 * time.Hour
	}
	if _, err := pacingtest.PacerFactory(o.Pacer, pacing.PredictiveConfig{}, 0.001); err != nil {
		return Result{}, err
	}
	var all []shiftStats
	var res Result
	for seed := 1; seed <= o.Seeds; seed++ {
		shifts, err := runSeed(ctx, o, uint64(seed), log)
		if err != nil {
			return Result{}, fmt.Errorf("seed %d: %w", seed, err)
		}
		var period shiftStats
		for i, s := range shifts {
			period.live += s.live
			period.abandoned += s.abandoned
			res.WorstShiftAbandon = max(res.WorstShiftAbandon, frac(s.abandoned, s.live))
			// Each 30-shift period (the last may be partial) is one unit of the law.
			if (i+1)%30 == 0 || i == len(shifts)-1 {
				res.WorstPeriodAbandon = max(res.WorstPeriodAbandon, frac(period.abandoned, period.live))
				period = shiftStats{}
			}
		}
		all = append(all, shifts...)
		if log != nil {
			fmt.Fprintf(log, "seed %d done: %d shifts\n", seed, len(shifts))
		}
	}
	var talk, idle time.Duration
	var live, ab, conn int
	var waits, engine []time.Duration
	for _, s := range all {
		engine = append(engine, s.engineWaits...)
		talk += s.talk
		idle += s.idle
		live += s.live
		ab += s.abandoned
		conn += s.connected
		res.Calls += s.calls
		waits = append(waits, s.bridgeWaits...)
		res.AbandonedWithFreeAgent += s.abandonedFree
	}
	if len(waits) > 0 {
		slices.Sort(waits)
		res.BridgeP99S = waits[min(len(waits)-1, len(waits)*99/100)].Seconds()
		slices.Sort(engine)
		res.BridgeEngineP99S = engine[min(len(engine)-1, len(engine)*99/100)].Seconds()
	}
	res.Occupancy = talk.Seconds() / (float64(o.Agents) * o.ShiftLength.Seconds() * float64(len(all)))
	res.AbandonRate = frac(ab, live)
	if conn > 0 {
		res.IdleWaitS = idle.Seconds() / float64(conn)
	}
	return res, nil
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// shiftStart returns 09:00 New York time on the k-th weekday (k from 0)
// from Monday 2 November 2026.
func shiftStart(loc *time.Location, k int) time.Time {
	d := time.Date(2026, 11, 2, 9, 0, 0, 0, loc)
	for n := 0; ; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		if n == k {
			return d
		}
		n++
	}
}

// oracleInfo gives the oracle pacer the truth: the drifting answer rate
// and each busy agent's exact time left, from the calls' drawn scripts.
type oracleInfo struct {
	p       func(time.Time) float64
	carrier *sim.Carrier
	now     time.Time
	busy    []dialer.BusyAgentInfo
}

func (o *oracleInfo) AnswerProb(t time.Time) float64 { return o.p(t) }

func (o *oracleInfo) FreeIn(i int) time.Duration {
	if i < 0 || i >= len(o.busy) {
		return 0
	}
	b := o.busy[i]
	sc, ok := o.carrier.Peek(b.Call)
	if !ok {
		return 0
	}
	// A talking agent is free after the rest of the talk and the wrap; a
	// wrapping one after the rest of the wrap. Since is when the phase began.
	if sc.Live() && o.now.Sub(b.Since) < sc.Talk {
		if left := b.Since.Add(sc.Talk + sc.Wrap).Sub(o.now); left > 0 {
			return left
		}
		return 0
	}
	return max(b.Since.Add(sc.Wrap).Sub(o.now), 0)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// runSeed runs one campaign of o.Shifts shifts.
func runSeed(ctx context.Context, o Options, seed uint64, log io.Writer) ([]shiftStats, error) {
	began := time.Now() // wall time, for the progress lines only
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, err
	}
	first := shiftStart(loc, 0)
	clock := sim.NewClock(first.Add(-time.Hour))
	st := memory.New()
	defer st.Close()
	// One client wires the services; the engine below gets the carrier,
	// which needs the virtual-time driver first.
	client, err := callstack.New(st, callstack.Config{Clock: clock.Now})
	if err != nil {
		return nil, err
	}
	defer client.Close()
	svc := client.Campaigns()
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "manager"}, campaign.Workspace{Name: "sim"})
	if err != nil {
		return nil, err
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "manager"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "sim", Timezone: "America/New_York", Settings: campaign.Settings{
		DialMode: campaign.DialPredictive, MaxConcurrentCalls: 20 * o.Agents, CallSpacing: 1000, RingTimeout: 25 * time.Second,
		WrapUp: time.Minute, MaxAttempts: 100, RetryInterval: time.Hour, MinTimeBetweenCalls: time.Hour, HopperSize: 10 * o.Agents,
		AbandonCap: o.Cap, CallerIDs: []string{"+12125550100"},
	}})
	if err != nil {
		return nil, err
	}
	disp, err := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Talked", Contacted: true})
	if err != nil {
		return nil, err
	}
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		if _, err := svc.Transition(ctx, admin, c.ID, to, ""); err != nil {
			return nil, err
		}
	}
	// The answer rate drifts linearly within each shift.
	shiftOf := func(t time.Time) (time.Time, bool) {
		local := t.In(loc)
		s := time.Date(local.Year(), local.Month(), local.Day(), 9, 0, 0, 0, loc)
		return s, !t.Before(s) && t.Before(s.Add(o.ShiftLength))
	}
	p := func(t time.Time) float64 {
		s, in := shiftOf(t)
		x := 0.0
		if in {
			x = t.Sub(s).Seconds() / o.ShiftLength.Seconds()
		} else if !t.Before(s) {
			x = 1
		}
		return o.Answer + (o.AnswerEnd-o.Answer)*x
	}
	// The driver exists before the carrier, whose request latency passes
	// in virtual time through the driver's Sleep.
	vt := dialer.NewVirtualTime()
	carrier, err := sim.New(sim.Config{Seed: seed, Now: clock.Now, AnswerProb: p, Sleep: vt.Sleep,
		Latency: sim.AllRequests(sim.LogNormal(o.APILatency, 0.5)), Faults: sim.Faults{Rate: o.APIFaults},
		TalkMean: time.Duration(o.Talk * float64(time.Second)),
		WrapMin:  time.Duration(o.WrapMin * float64(time.Second)), WrapMax: time.Duration(o.WrapMax * float64(time.Second))})
	if err != nil {
		return nil, err
	}
	factory, err := pacingtest.PacerFactory(o.Pacer, pacing.PredictiveConfig{}, 0.001)
	if err != nil {
		return nil, err
	}
	oi := &oracleInfo{p: p, carrier: carrier}
	pacer, err := factory(oi)
	if err != nil {
		return nil, err
	}
	// One caller ID with no practical daily cap: the simulation studies
	// pacing, not number reputation.
	pool, err := dialer.NewPool(dialer.PoolConfig{Numbers: []dialer.CallerID{{Number: "+12125550100"}}, DailyCap: 1 << 30, Location: loc})
	if err != nil {
		return nil, err
	}
	var spans []campaign.AgentSpan
	e, err := client.Engine(ctx, ws.ID, c.ID, dialer.Config{CallerIDs: pool, Carrier: carrier, Pacer: pacer,
		Spans:        func(s campaign.AgentSpan) { spans = append(spans, s) },
		BeforeDecide: func(now time.Time, busy []dialer.BusyAgentInfo) { oi.now, oi.busy = now, busy },
		StatusEvery:  time.Minute,
	})
	if err != nil {
		return nil, err
	}
	if err := e.Start(ctx); err != nil {
		return nil, err
	}
	var ids []campaign.UserID
	for i := range o.Agents {
		id := campaign.UserID(fmt.Sprintf("agent%03d", i))
		if _, err := svc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller}); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	// Human agents who save each call's outcome once its wrap-up (the
	// sim's drawn wrap time for that call) is over.
	agents, err := simagent.New(simagent.Config{Engine: e, Workspace: ws.ID, Clock: clock.Now, Agents: ids, Carrier: carrier,
		Disposition: disp.ID})
	if err != nil {
		return nil, err
	}
	var out []shiftStats
	phone := 0
	numbers := &compliance.Checker{}
	for k := range o.Shifts {
		start := shiftStart(loc, k)
		end := start.Add(o.ShiftLength)
		// Enough fresh contacts for the shift: each is called at most
		// hourly, so a few hundred per agent keep the queue full.
		cs := make([]campaign.Contact, 0, 400*o.Agents)
		for len(cs) < cap(cs) {
			n := fmt.Sprintf("+1212%07d", 2000000+phone%8000000)
			phone++
			if _, err := numbers.Check(n); err != nil {
				continue // N11, 555-01xx, 976…: never imported
			}
			cs = append(cs, campaign.Contact{CampaignID: c.ID, Phone: n, Timezones: []string{"America/New_York"}})
		}
		if _, err := svc.AddContacts(ctx, admin, cs); err != nil {
			return nil, err
		}
		clock.Set(start)
		if err := agents.Login(ctx); err != nil {
			return nil, err
		}
		before := e.Stats()
		if err := vt.Run(ctx, e, carrier, clock, end, agents); err != nil {
			return nil, err
		}
		if err := agents.Logout(ctx); err != nil {
			return nil, err
		}
		// Let every call in flight end and the agents wrap up before the
		// clock jumps to the next shift: a real engine keeps stepping (and
		// extending leases) through a long call; a jump over one would let
		// its lease lapse.
		for t := end.Add(10 * time.Minute); ; t = t.Add(10 * time.Minute) {
			if err := vt.Run(ctx, e, carrier, clock, t, agents); err != nil {
				return nil, err
			}
			if len(e.Agents()) == 0 {
				break
			}
		}
		after := e.Stats()
		s := shiftStats{calls: after.Dials - before.Dials}
		// Available spans of the shift, by start, to find abandons that
		// waited while an agent sat free.
		var free []campaign.AgentSpan
		type agentAt struct {
			agent campaign.UserID
			at    time.Time
		}
		freeSince := map[agentAt]time.Time{} // agent, end of an available span → its start
		for _, sp := range spans {
			if sp.State == campaign.AgentAvailable && sp.End.After(sp.Start) {
				free = append(free, sp)
				freeSince[agentAt{sp.AgentID, sp.End}] = sp.Start
			}
		}
		// Talk, live answers and abandons from the attempt log.
		f := queue.AttemptFilter{CampaignID: c.ID, Since: start, Until: end, Limit: 10000}
		for {
			as, err := st.ListAttempts(ctx, ws.ID, f)
			if err != nil {
				return nil, err
			}
			for _, a := range as {
				if a.AnsweredBy == "human" {
					s.live++
				}
				if a.Abandoned {
					s.abandoned++
					// It waited from the answer until the abandon (or the
					// callee hung up); an agent available for any of it
					// could have taken it.
					until := earlier(a.EndedAt, a.AnsweredAt.Add(2*time.Second))
					for _, sp := range free {
						if sp.Start.Before(until) && sp.End.After(a.AnsweredAt) {
							s.abandonedFree++
							break
						}
					}
				}
				if a.AnsweredBy == "human" && a.TalkDuration > 0 {
					// The bridge request went out when the talk began.
					bridged := a.EndedAt.Add(-a.TalkDuration)
					s.bridgeWaits = append(s.bridgeWaits, bridged.Sub(a.AnsweredAt))
					// No available span ending at the bridge: the agent
					// became free at that very instant (from wrap-up, or
					// an outcome saved) and took the call at once.
					ready := bridged
					if since, ok := freeSince[agentAt{a.AgentID, bridged}]; ok {
						ready = later(a.AnsweredAt, since)
					}
					s.engineWaits = append(s.engineWaits, max(bridged.Sub(ready), 0))
				}
				if a.TalkDuration > 0 {
					s.connected++
					from, to := later(a.EndedAt.Add(-a.TalkDuration), start), earlier(a.EndedAt, end)
					if to.After(from) {
						s.talk += to.Sub(from)
					}
				}
			}
			if len(as) < f.PageLimit() {
				break
			}
			f.After = as[len(as)-1].ID
		}
		for _, sp := range spans {
			if sp.State != campaign.AgentAvailable {
				continue
			}
			from, to := later(sp.Start, start), earlier(sp.End, end)
			if to.After(from) {
				s.idle += to.Sub(from)
			}
		}
		spans = spans[:0]
		out = append(out, s)
		if log != nil {
			// Progress on stderr: a default run takes minutes.
			fmt.Fprintf(log, "seed %d/%d shift %d/%d: %d calls, %d live, %d abandoned (%s elapsed)\n",
				seed, o.Seeds, k+1, o.Shifts, s.calls, s.live, s.abandoned, time.Since(began).Round(time.Second))
		}
	}
	if err := e.Stop(ctx); err != nil && !strings.Contains(err.Error(), "lease") {
		return nil, err
	}
	return out, nil
}
