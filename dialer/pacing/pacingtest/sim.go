// Package pacingtest is a fast discrete-event model of a call centre
// (docs/pacing.md) for tuning pacers and cross-checking the dialer
// engine's simulation. It does not run the engine: it models agents,
// calls, the 2-second abandon rule and the abandon accounting directly,
// in virtual time, and asks a pacing.Pacer every second how many calls to
// start. Each dial's callee comes from pacing.DialAttributes, so the k-th
// dial of a seed is the same call in every run and with every pacer.
//
// The model: a shift lasts ShiftLength (8 h) with Agents agents all idle at
// its start; dials stop at the end of the shift and the calls still in
// flight are played out (their answers and abandons count in the shift).
// A live answer goes at once to the longest-idle agent; with none idle it
// waits and is abandoned unless an agent finishes wrap-up within Patience
// (an agent freeing exactly at the limit still takes it). An agent who
// finishes wrap-up takes the oldest waiting call first. Shifts run on
// consecutive weekdays at 09:00 UTC and form one campaign: the pacer and
// the abandon accounting (legal periods of PeriodShifts shifts) carry over.
package pacingtest

import (
	"container/heap"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callstackhq/callstack/dialer/pacing"
)

// Config is one simulated campaign.
type Config struct {
	// Agents is the number of agents, all logged in all shift. Defaults to
	// 20.
	Agents int
	// AnswerRate is the probability that a dial is answered live at the
	// start of each shift. Defaults to 0.2.
	AnswerRate float64
	// AnswerRateEnd, when set, is the answer rate at the end of each
	// shift; it moves linearly in between. Defaults to AnswerRate.
	AnswerRateEnd float64
	// Seed selects the callees (pacing.DialAttributes). Defaults to 0.
	Seed uint64
	// Shifts is the number of shifts in the campaign. Defaults to 30.
	Shifts int
	// ShiftLength is the length of a shift. Defaults to 8 h.
	ShiftLength time.Duration
	// PeriodShifts is the length of a legal period in shifts. Defaults to
	// 30.
	PeriodShifts int
	// Cap is the abandon-rate cap passed to the pacer. Defaults to 0.03.
	Cap float64
	// Patience is how long a live answer waits for an agent. Defaults to
	// 2 s.
	Patience time.Duration
	// Start is the first shift's start. Defaults to Monday 2025-03-03
	// 09:00 UTC.
	Start time.Time
	// NewPacer builds the campaign's pacer; the truth it is given serves
	// an oracle and may be ignored. Required.
	NewPacer func(truth pacing.OracleInfo) (pacing.Pacer, error)
}

func (c Config) withDefaults() (Config, error) {
	if c.Agents == 0 {
		c.Agents = 20
	}
	if c.AnswerRate == 0 {
		c.AnswerRate = 0.2
	}
	if c.AnswerRateEnd == 0 {
		c.AnswerRateEnd = c.AnswerRate
	}
	if c.Shifts == 0 {
		c.Shifts = 30
	}
	if c.ShiftLength == 0 {
		c.ShiftLength = 8 * time.Hour
	}
	if c.PeriodShifts == 0 {
		c.PeriodShifts = 30
	}
	if c.Cap == 0 {
		c.Cap = pacing.DefaultCap
	}
	if c.Patience == 0 {
		c.Patience = 2 * time.Second
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	}
	switch {
	case c.Agents < 0:
		return c, fmt.Errorf("pacingtest: Config.Agents = %d, must be ≥ 0", c.Agents)
	case c.AnswerRate < 0 || c.AnswerRate > 1:
		return c, fmt.Errorf("pacingtest: Config.AnswerRate = %v, must be in [0, 1]", c.AnswerRate)
	case c.AnswerRateEnd < 0 || c.AnswerRateEnd > 1:
		return c, fmt.Errorf("pacingtest: Config.AnswerRateEnd = %v, must be in [0, 1]", c.AnswerRateEnd)
	case c.Shifts < 0, c.PeriodShifts < 0:
		return c, errors.New("pacingtest: Config.Shifts and PeriodShifts must be ≥ 0")
	case c.ShiftLength < time.Second:
		return c, fmt.Errorf("pacingtest: Config.ShiftLength = %v, must be ≥ 1s", c.ShiftLength)
	case c.Patience < 0:
		return c, fmt.Errorf("pacingtest: Config.Patience = %v, must be ≥ 0", c.Patience)
	case c.NewPacer == nil:
		return c, errors.New("pacingtest: Config.NewPacer is required")
	}
	return c, nil
}

// Shift is what happened in one shift.
type Shift struct {
	// Dials counts the calls started.
	Dials int
	// Live counts live answers; Abandoned those abandoned.
	Live, Abandoned int
	// Connected counts calls connected to an agent.
	Connected int
	// Talk is the agents' talk time inside the shift, in seconds.
	Talk float64
	// Idle is the agents' idle time inside the shift, in seconds.
	Idle float64
}

// Result is one simulated campaign.
type Result struct {
	// Agents and ShiftSeconds give the capacity: Agents·ShiftSeconds per
	// shift.
	Agents       int
	ShiftSeconds float64
	// PeriodShifts is the legal period in shifts.
	PeriodShifts int
	// Shifts has one entry per shift.
	Shifts []Shift
	// WorstPartial is the highest abandon rate of the current (partial)
	// period seen at the end of any shift, counting only periods with at
	// least 100 live answers so far.
	WorstPartial float64
}

// Summary pools results (several seeds of one scenario).
type Summary struct {
	// Occupancy is talk time ÷ (agents · shift time), pooled.
	Occupancy float64
	// Abandon is abandoned ÷ live answers, pooled.
	Abandon float64
	// WorstPeriod is the highest abandon rate of any legal period of any
	// run; WorstShift that of any single shift.
	WorstPeriod, WorstShift float64
	// WorstPartial is the highest Result.WorstPartial.
	WorstPartial float64
	// IdleWait is agent idle seconds ÷ connected calls.
	IdleWait float64
	// Calls counts dials; Live and Abandoned the live answers and abandons.
	Calls, Live, Abandoned int
}

// Summarize pools results.
func Summarize(results ...Result) Summary {
	var s Summary
	var talk, capacity, idle float64
	var connected int
	for _, r := range results {
		for i, sh := range r.Shifts {
			talk += sh.Talk
			capacity += float64(r.Agents) * r.ShiftSeconds
			idle += sh.Idle
			connected += sh.Connected
			s.Calls += sh.Dials
			s.Live += sh.Live
			s.Abandoned += sh.Abandoned
			s.WorstShift = max(s.WorstShift, ratio(sh.Abandoned, sh.Live))
			if ps := max(r.PeriodShifts, 1); i%ps == 0 {
				var l, a int
				for _, x := range r.Shifts[i:min(i+ps, len(r.Shifts))] {
					l, a = l+x.Live, a+x.Abandoned
				}
				s.WorstPeriod = max(s.WorstPeriod, ratio(a, l))
			}
		}
		s.WorstPartial = max(s.WorstPartial, r.WorstPartial)
	}
	if capacity > 0 {
		s.Occupancy = talk / capacity
	}
	s.Abandon = ratio(s.Abandoned, s.Live)
	if connected > 0 {
		s.IdleWait = idle / float64(connected)
	}
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// String formats s as "occ 80.3% ab 2.70% worst 2.80%/3.50% idle 12.3s".
func (s Summary) String() string {
	return fmt.Sprintf("occ %5.1f%% ab %4.2f%% period %4.2f%% shift %4.2f%% partial %4.2f%% idle %5.1fs calls %d",
		100*s.Occupancy, 100*s.Abandon, 100*s.WorstPeriod, 100*s.WorstShift, 100*s.WorstPartial, s.IdleWait, s.Calls)
}

// PacerFactory returns the factory of the pacer named by spec:
// "progressive", "ratio:X" (e.g. "ratio:1.8"), "adaptive", "predictive" or
// "oracle". Predictive and oracle use cfg; oracleMargin, when positive,
// replaces cfg.Margin for the oracle.
func PacerFactory(spec string, cfg pacing.PredictiveConfig, oracleMargin float64) (func(pacing.OracleInfo) (pacing.Pacer, error), error) {
	name, arg, _ := strings.Cut(spec, ":")
	switch name {
	case "progressive":
		return func(pacing.OracleInfo) (pacing.Pacer, error) { return pacing.Progressive{}, nil }, nil
	case "ratio":
		x, err := strconv.ParseFloat(arg, 64)
		if err != nil {
			return nil, fmt.Errorf("pacingtest: pacer %q: %w", spec, err)
		}
		if _, err := pacing.NewRatio(x); err != nil {
			return nil, err
		}
		return func(pacing.OracleInfo) (pacing.Pacer, error) { return pacing.NewRatio(x) }, nil
	case "adaptive":
		return func(pacing.OracleInfo) (pacing.Pacer, error) { return pacing.NewAdaptive(pacing.AdaptiveConfig{}) }, nil
	case "predictive":
		return func(pacing.OracleInfo) (pacing.Pacer, error) { return pacing.NewPredictive(cfg) }, nil
	case "oracle":
		oc := cfg
		if oracleMargin > 0 {
			oc.Margin = oracleMargin
		}
		return func(info pacing.OracleInfo) (pacing.Pacer, error) { return pacing.NewOracle(oc, info) }, nil
	}
	return nil, fmt.Errorf("pacingtest: unknown pacer %q", spec)
}

// Run simulates one campaign.
func Run(cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	s := &sim{cfg: cfg}
	pacer, err := cfg.NewPacer(s)
	if err != nil {
		return Result{}, err
	}
	if pacer == nil {
		return Result{}, errors.New("pacingtest: Config.NewPacer returned nil")
	}
	s.pacer = pacer
	s.T = cfg.ShiftLength.Milliseconds()
	s.pat = cfg.Patience.Milliseconds()
	s.agents = make([]agent, cfg.Agents)
	res := Result{Agents: cfg.Agents, ShiftSeconds: cfg.ShiftLength.Seconds(), PeriodShifts: cfg.PeriodShifts}
	day := cfg.Start
	var periodLive, periodAb int
	for k := 0; k < cfg.Shifts; k++ {
		if k > 0 {
			day = day.AddDate(0, 0, 1)
			for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
				day = day.AddDate(0, 0, 1)
			}
		}
		if cfg.PeriodShifts > 0 && k%cfg.PeriodShifts == 0 {
			periodLive, periodAb = 0, 0
		}
		s.periodLive, s.periodAb = periodLive, periodAb
		sh := s.runShift(day)
		periodLive, periodAb = s.periodLive, s.periodAb
		res.Shifts = append(res.Shifts, sh)
		if periodLive >= partialMinLive {
			res.WorstPartial = max(res.WorstPartial, ratio(periodAb, periodLive))
		}
	}
	return res, nil
}

// partialMinLive is the fewest live answers a partial period needs for its
// rate to count in Result.WorstPartial.
const partialMinLive = 100

const (
	stIdle = iota
	stTalk
	stWrap
)

type agent struct {
	state     int
	since     int64 // ms, start of the current state
	talkEnd   int64
	wrapEnd   int64
	idleSince int64
	call      int32
}

type call struct {
	dialAt  int64
	attrs   pacing.Attrs
	pos     int32 // index in ringing, −1 when resolved
	waiting bool
}

const (
	evWrapEnd = iota // agents free first: one freeing at the patience limit takes the call
	evResolve
	evTalkEnd
	evTimeout
)

type event struct {
	at   int64
	kind int8
	id   int32
	seq  uint64
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	if h[i].kind != h[j].kind {
		return h[i].kind < h[j].kind
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

type sim struct {
	cfg   Config
	pacer pacing.Pacer
	T     int64 // shift length, ms
	pat   int64

	k      uint64 // dials so far in the campaign
	seq    uint64
	day    time.Time
	now    int64
	agents []agent
	calls  []call
	ring   []int32 // calls in flight
	wait   []int32 // waiting calls, oldest first
	idle   []int32 // idle agents, longest idle first
	events eventHeap

	periodLive, periodAb int
	sh                   Shift

	busyIdx []int32 // agent of obs.Busy[i] at the current tick
	obsBusy []pacing.BusyAgent
	obsRing []pacing.RingingCall
}

// AnswerProb implements pacing.OracleInfo.
func (s *sim) AnswerProb(t time.Time) float64 {
	return s.answerProb(t.Sub(s.day).Milliseconds())
}

// FreeIn implements pacing.OracleInfo.
func (s *sim) FreeIn(i int) time.Duration {
	a := &s.agents[s.busyIdx[i]]
	end := a.wrapEnd
	if a.state == stTalk {
		end = a.talkEnd + s.calls[a.call].attrs.Wrap.Milliseconds()
	}
	return time.Duration(end-s.now) * time.Millisecond
}

func (s *sim) answerProb(ms int64) float64 {
	c := s.cfg
	if c.AnswerRateEnd == c.AnswerRate {
		return c.AnswerRate
	}
	f := min(max(float64(ms)/float64(s.T), 0), 1)
	return c.AnswerRate + (c.AnswerRateEnd-c.AnswerRate)*f
}

func (s *sim) push(at int64, kind int8, id int32) {
	s.seq++
	heap.Push(&s.events, event{at: at, kind: kind, id: id, seq: s.seq})
}

func (s *sim) runShift(day time.Time) Shift {
	s.day, s.now = day, 0
	s.sh = Shift{}
	s.calls = s.calls[:0]
	s.ring, s.wait, s.events = s.ring[:0], s.wait[:0], s.events[:0]
	s.idle = s.idle[:0]
	for i := range s.agents {
		s.agents[i] = agent{state: stIdle, idleSince: 0}
		s.idle = append(s.idle, int32(i))
	}
	for t := int64(0); t < s.T; t += 1000 {
		s.process(t)
		s.now = t
		n := s.pacer.Decide(s.observe(t))
		for range n {
			s.dial(t)
		}
	}
	// Play out the calls in flight.
	for (len(s.ring) > 0 || len(s.wait) > 0) && len(s.events) > 0 {
		s.process(s.events[0].at)
	}
	for i := range s.agents {
		if a := &s.agents[i]; a.state == stIdle {
			s.sh.Idle += float64(max(0, s.T-a.idleSince)) / 1000
		}
	}
	return s.sh
}

func (s *sim) observe(t int64) pacing.Observation {
	s.obsBusy, s.busyIdx, s.obsRing = s.obsBusy[:0], s.busyIdx[:0], s.obsRing[:0]
	for i := range s.agents {
		a := &s.agents[i]
		switch a.state {
		case stTalk:
			s.obsBusy = append(s.obsBusy, pacing.BusyAgent{Phase: pacing.PhaseTalk, Elapsed: time.Duration(t-a.since) * time.Millisecond})
			s.busyIdx = append(s.busyIdx, int32(i))
		case stWrap:
			s.obsBusy = append(s.obsBusy, pacing.BusyAgent{Phase: pacing.PhaseWrap, Elapsed: time.Duration(t-a.since) * time.Millisecond})
			s.busyIdx = append(s.busyIdx, int32(i))
		}
	}
	for _, id := range s.ring {
		s.obsRing = append(s.obsRing, pacing.RingingCall{Age: time.Duration(t-s.calls[id].dialAt) * time.Millisecond})
	}
	return pacing.Observation{
		Now:            s.day.Add(time.Duration(t) * time.Millisecond),
		AgentsLoggedIn: len(s.agents),
		AgentsIdle:     len(s.idle),
		Busy:           s.obsBusy,
		Ringing:        s.obsRing,
		Waiting:        len(s.wait),
		Abandons: pacing.AbandonStats{
			Cap:        s.cfg.Cap,
			PeriodLive: s.periodLive, PeriodAbandoned: s.periodAb,
			ShiftLive: s.sh.Live, ShiftAbandoned: s.sh.Abandoned,
		},
	}
}

func (s *sim) dial(t int64) {
	a := pacing.DialAttributes(s.cfg.Seed, s.k, s.answerProb(t))
	s.k++
	id := int32(len(s.calls))
	s.calls = append(s.calls, call{dialAt: t, attrs: a, pos: int32(len(s.ring))})
	s.ring = append(s.ring, id)
	s.push(t+a.Ring.Milliseconds(), evResolve, id)
	s.sh.Dials++
}

func (s *sim) at(ms int64) time.Time { return s.day.Add(time.Duration(ms) * time.Millisecond) }

// process handles every event due at or before t.
func (s *sim) process(t int64) {
	for len(s.events) > 0 && s.events[0].at <= t {
		e := heap.Pop(&s.events).(event)
		s.now = e.at
		switch e.kind {
		case evResolve:
			s.resolve(e.id)
		case evTalkEnd:
			s.talkEnd(e.id)
		case evWrapEnd:
			s.wrapEnd(e.id)
		case evTimeout:
			s.timeout(e.id)
		}
	}
}

func (s *sim) resolve(id int32) {
	c := &s.calls[id]
	// Remove from the calls in flight.
	last := s.ring[len(s.ring)-1]
	s.ring[c.pos] = last
	s.calls[last].pos = c.pos
	s.ring = s.ring[:len(s.ring)-1]
	c.pos = -1
	kind := pacing.EventNoAnswer
	switch {
	case c.attrs.Live:
		kind = pacing.EventLive
	case c.attrs.Held:
		kind = pacing.EventBusy
	}
	s.pacer.Observe(pacing.Event{At: s.at(s.now), Kind: kind, Duration: c.attrs.Ring})
	if !c.attrs.Live {
		return
	}
	s.sh.Live++
	s.periodLive++
	if len(s.idle) > 0 {
		ag := s.idle[0]
		s.idle = s.idle[1:]
		s.connect(ag, id)
		return
	}
	c.waiting = true
	s.wait = append(s.wait, id)
	s.push(s.now+s.pat, evTimeout, id)
}

func (s *sim) connect(ag, id int32) {
	a := &s.agents[ag]
	c := &s.calls[id]
	c.waiting = false
	now := s.now
	s.sh.Idle += float64(max(0, min(now, s.T)-a.idleSince)) / 1000
	talk := c.attrs.Talk.Milliseconds()
	if now < s.T {
		s.sh.Talk += float64(min(now+talk, s.T)-now) / 1000
	}
	s.sh.Connected++
	*a = agent{state: stTalk, since: now, talkEnd: now + talk, call: id}
	s.push(now+talk, evTalkEnd, ag)
}

func (s *sim) talkEnd(ag int32) {
	a := &s.agents[ag]
	c := &s.calls[a.call]
	s.pacer.Observe(pacing.Event{At: s.at(s.now), Kind: pacing.EventTalkEnded, Duration: c.attrs.Talk})
	a.state, a.since = stWrap, s.now
	a.wrapEnd = s.now + c.attrs.Wrap.Milliseconds()
	s.push(a.wrapEnd, evWrapEnd, ag)
}

func (s *sim) wrapEnd(ag int32) {
	a := &s.agents[ag]
	s.pacer.Observe(pacing.Event{At: s.at(s.now), Kind: pacing.EventWrapEnded, Duration: time.Duration(s.now-a.since) * time.Millisecond})
	if len(s.wait) > 0 {
		id := s.wait[0]
		s.wait = s.wait[1:]
		a.idleSince = s.now
		s.connect(ag, id)
		return
	}
	*a = agent{state: stIdle, idleSince: s.now}
	s.idle = append(s.idle, ag)
}

func (s *sim) timeout(id int32) {
	c := &s.calls[id]
	if !c.waiting {
		return
	}
	c.waiting = false
	for i, w := range s.wait {
		if w == id {
			s.wait = append(s.wait[:i], s.wait[i+1:]...)
			break
		}
	}
	s.sh.Abandoned++
	s.periodAb++
}

// Occupancy is a shortcut: talk ÷ capacity of one result.
func (r Result) Occupancy() float64 { return Summarize(r).Occupancy }
