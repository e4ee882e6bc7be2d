package pacing

import (
	"math"
	"time"
)

// PredictiveConfig configures Predictive (and Oracle). The zero value gives
// the defaults, tuned on the simulation of docs/pacing.md.
type PredictiveConfig struct {
	// Margin is how far under the cap the pacer aims the realised abandon
	// rate: the feedback loop drives the rate towards Cap − Margin (but at
	// least Cap/4), so that random swings stay under the cap. Defaults to
	// 0.003 (a 2.7% target under a 3% cap); must be in [0, 0.5).
	Margin float64
	// Threshold is the starting value of the risk threshold: a call is
	// started only while the predicted probability that it is abandoned,
	// if answered, stays under the threshold. The feedback loop then moves
	// it within [MinThreshold, MaxThreshold]. Defaults to 0.02.
	Threshold float64
	// MinThreshold and MaxThreshold bound the threshold. Default to 0.001
	// and 0.25; 0 < MinThreshold ≤ Threshold ≤ MaxThreshold < 1.
	MinThreshold, MaxThreshold float64
	// Gain is the feedback loop's integral gain: each live answer in the
	// period raises the log-threshold by Gain·target and each abandoned
	// call lowers it by Gain, so it settles where the realised rate meets
	// the target. Defaults to 0.02; must be in (0, 1].
	Gain float64
	// Guard is how hard the threshold is cut as the current period's rate
	// climbs from the target to the cap: the threshold is multiplied by
	// e^(−Guard·x), x going from 0 at the target to 1 at the cap (and on
	// above). At or above the cap the pacer dials 1:1. Defaults to 3; must
	// be ≥ 0 (use a tiny positive value to disable it).
	Guard float64
	// Window is the time constant of the recent-window answer-rate
	// estimate: a dial resolved Window ago weighs 1/e of one resolved now.
	// Defaults to 10 minutes; at least 1 s.
	Window time.Duration
	// PriorAnswerRate and PriorWeight are the prior of the answer rate,
	// worth PriorWeight dials: the campaign-long estimate starts at
	// (live + PriorWeight·PriorAnswerRate) ÷ (resolved + PriorWeight), and
	// the recent-window estimate leans on the campaign-long one with the
	// same weight. Default to 0.2 and 10, i.e. (live+2)/(resolved+10).
	PriorAnswerRate, PriorWeight float64
	// Patience is how long a live answer may wait for an agent before it
	// counts as abandoned, rounded to whole seconds. Defaults to 2 s, the
	// US and Canadian rule; must be in [0, 30 s].
	Patience time.Duration
}

func (c PredictiveConfig) withDefaults() (PredictiveConfig, error) {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Margin, 0.003)
	def(&c.Threshold, 0.02)
	def(&c.MinThreshold, 0.001)
	def(&c.MaxThreshold, 0.25)
	def(&c.Gain, 0.02)
	def(&c.Guard, 3)
	def(&c.PriorAnswerRate, 0.2)
	def(&c.PriorWeight, 10)
	if c.Window == 0 {
		c.Window = 10 * time.Minute
	}
	if c.Patience == 0 {
		c.Patience = 2 * time.Second
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(c.Margin) || c.Margin < 0 || c.Margin >= 0.5:
		return c, invalid("PredictiveConfig.Margin", "= %v, must be in [0, 0.5)", c.Margin)
	case bad(c.MinThreshold) || c.MinThreshold <= 0 || c.MinThreshold >= 1:
		return c, invalid("PredictiveConfig.MinThreshold", "= %v, must be in (0, 1)", c.MinThreshold)
	case bad(c.MaxThreshold) || c.MaxThreshold < c.MinThreshold || c.MaxThreshold >= 1:
		return c, invalid("PredictiveConfig.MaxThreshold", "= %v, must be in [MinThreshold, 1)", c.MaxThreshold)
	case bad(c.Threshold) || c.Threshold < c.MinThreshold || c.Threshold > c.MaxThreshold:
		return c, invalid("PredictiveConfig.Threshold", "= %v, must be in [MinThreshold, MaxThreshold]", c.Threshold)
	case bad(c.Gain) || c.Gain <= 0 || c.Gain > 1:
		return c, invalid("PredictiveConfig.Gain", "= %v, must be in (0, 1]", c.Gain)
	case bad(c.Guard) || c.Guard < 0:
		return c, invalid("PredictiveConfig.Guard", "= %v, must be ≥ 0", c.Guard)
	case c.Window < time.Second:
		return c, invalid("PredictiveConfig.Window", "= %v, must be at least 1s", c.Window)
	case bad(c.PriorAnswerRate) || c.PriorAnswerRate <= 0 || c.PriorAnswerRate >= 1:
		return c, invalid("PredictiveConfig.PriorAnswerRate", "= %v, must be in (0, 1)", c.PriorAnswerRate)
	case bad(c.PriorWeight) || c.PriorWeight <= 0:
		return c, invalid("PredictiveConfig.PriorWeight", "= %v, must be > 0", c.PriorWeight)
	case c.Patience < 0 || c.Patience > 30*time.Second:
		return c, invalid("PredictiveConfig.Patience", "= %v, must be in [0, 30s]", c.Patience)
	}
	return c, nil
}

// Predictive is our model-based pacer. Each tick it predicts, for
// horizons of 1 s up to the longest ring time, how many live answers will
// want an agent (the waiting calls, the calls in flight given their age,
// and the calls it is about to start) and how many agents will be free by
// then plus the patience (idle agents, and busy agents given the time they
// have spent talking or wrapping up), and it starts calls while a new
// call's probability of being abandoned, if answered, stays under a risk
// threshold. The threshold follows the realised abandon rate of the current
// legal period: it settles where the rate meets the cap minus a margin, is
// cut as the period's rate nears the cap, and at the cap the pacer dials
// 1:1. It never dials fewer calls than Progressive would.
//
// It learns online from Observe: the answer rate over a recent window
// (resolved dials, decayed over PredictiveConfig.Window, plus the calls in
// flight weighted by how likely they still are to answer), and the
// distributions of ring time, talk time and wrap time (histograms that
// forget by count). Create it with NewPredictive.
type Predictive struct {
	m model
}

var _ Pacer = (*Predictive)(nil)

// NewPredictive returns a Predictive pacer, or an error naming the Config
// field out of range.
func NewPredictive(cfg PredictiveConfig) (*Predictive, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Predictive{}
	p.m.init(cfg)
	return p, nil
}

// Decide returns how many calls to start now.
func (p *Predictive) Decide(obs Observation) int { return p.m.decide(&obs, nil) }

// Observe learns from ev.
func (p *Predictive) Observe(ev Event) { p.m.observe(ev) }

// Threshold returns the current risk threshold.
func (p *Predictive) Threshold() float64 { return math.Exp(p.m.logTheta) }

// AnswerRate returns the current recent-window answer-rate estimate at t,
// not counting calls in flight.
func (p *Predictive) AnswerRate(t time.Time) float64 {
	p.m.rate.decayTo(t)
	w := p.m.cfg.PriorWeight
	return (p.m.rate.live + w*p.m.rate.slow()) / (p.m.rate.res + w)
}

// OracleInfo is the truth an informed oracle is given: it exists only in a
// simulation, where the future is known.
type OracleInfo interface {
	// AnswerProb is the true probability that a call dialed at t is
	// answered live.
	AnswerProb(t time.Time) float64
	// FreeIn is how long the busy agent obs.Busy[i] of the observation
	// being decided has left until it is ready again (end of talk and
	// wrap-up).
	FreeIn(i int) time.Duration
}

// Oracle is Predictive's logic fed the truth by an OracleInfo: the true
// answer probability instead of the estimate, and each busy agent's exact
// time left instead of the talk and wrap distributions. It is the reference
// for what a causal pacer can reach, and exists for simulations. Create it
// with NewOracle.
type Oracle struct {
	m    model
	info OracleInfo
}

var _ Pacer = (*Oracle)(nil)

// NewOracle returns an Oracle reading the truth from info, or an error
// naming the Config field out of range (or "info" when it is nil).
func NewOracle(cfg PredictiveConfig, info OracleInfo) (*Oracle, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if info == nil {
		return nil, invalid("NewOracle info", "is nil")
	}
	o := &Oracle{info: info}
	o.m.init(cfg)
	return o, nil
}

// Decide returns how many calls to start now.
func (o *Oracle) Decide(obs Observation) int { return o.m.decide(&obs, o.info) }

// Observe learns from ev (the ring-time distribution; the rest it is told).
func (o *Oracle) Observe(ev Event) { o.m.observe(ev) }

// Threshold returns the current risk threshold.
func (o *Oracle) Threshold() float64 { return math.Exp(o.m.logTheta) }

const (
	ringBin   = 0.1  // s
	ringSpan  = 60.0 // s
	talkSpan  = 3600.0
	wrapSpan  = 600.0
	guardLive = 200.0 // pseudo live answers at the target rate, smoothing the period's rate
)

// model is the prediction and control shared by Predictive and Oracle.
type model struct {
	cfg PredictiveConfig
	pat int // patience, whole seconds

	ringLive, ringOther *hist
	talk, wrap          *hist
	rate                rate

	// Tables, rebuilt when the histograms have moved.
	built      bool
	fl, fn     []float64 // CDF of live and other ring times, per ringBin
	hmax       int       // horizons 1..hmax seconds
	fh         []float64 // fh[h] = P(live ring ≤ h s)
	ph         []float64 // ph[h] = P(live ring in (h−1, h] s)
	cols       int       // hmax + pat + 1 columns per row
	fs, fw     []float64 // CDF of talk and wrap per 1 s
	talkTab    []float64 // P(free within x s | talking e s), row e, column x
	wrapTab    []float64 // P(free within x s | wrapping e s)
	talkRows   int
	wrapRows   int
	meanTalk   float64
	meanWrap   float64
	fallbackT  []float64 // exponential fallback rows
	fallbackW  []float64
	scratchPMF []float64

	// Feedback.
	logTheta       float64
	seen           bool // lastPL and lastPA hold a baseline
	lastPL, lastPA int
	minLog, maxLog float64

	// Per-decision sums per horizon.
	sup, supVar, dem, demVar, q []float64
}

func (m *model) init(cfg PredictiveConfig) {
	m.cfg = cfg
	m.pat = int(math.Round(cfg.Patience.Seconds()))
	m.ringLive = newHist(ringBin, ringSpan, 20000)
	m.ringOther = newHist(ringBin, ringSpan, 80000)
	m.talk = newHist(1, talkSpan, 5000)
	m.wrap = newHist(1, wrapSpan, 5000)
	// Weak priors, soon outweighed.
	m.ringLive.spread(3, 25, 5)
	m.ringOther.spread(2, 6, 1.5)
	m.ringOther.spread(24.5, 25, 3.5)
	m.talk.spread(30, 300, 3)
	m.wrap.spread(5, 30, 3)
	m.rate = rate{
		tau:       cfg.Window.Seconds(),
		slowLimit: 50000,
		priorLive: cfg.PriorWeight * cfg.PriorAnswerRate,
		priorRes:  cfg.PriorWeight,
	}
	m.logTheta = math.Log(cfg.Threshold)
	m.minLog, m.maxLog = math.Log(cfg.MinThreshold), math.Log(cfg.MaxThreshold)
}

func (m *model) observe(ev Event) {
	d := ev.Duration.Seconds()
	switch {
	case ev.Kind == EventLive:
		m.ringLive.add(d, 1)
		m.rate.add(ev.At, true)
	case ev.Kind.resolution():
		m.ringOther.add(d, 1)
		m.rate.add(ev.At, false)
	case ev.Kind == EventTalkEnded:
		m.talk.add(d, 1)
	case ev.Kind == EventWrapEnded:
		m.wrap.add(d, 1)
	}
}

// refresh rebuilds the tables when a histogram has moved enough.
func (m *model) refresh() {
	if m.built && !m.ringLive.needsRefresh(20) && !m.ringOther.needsRefresh(50) &&
		!m.talk.needsRefresh(20) && !m.wrap.needsRefresh(20) {
		return
	}
	m.built = true
	m.ringLive.fresh, m.ringOther.fresh, m.talk.fresh, m.wrap.fresh = 0, 0, 0, 0

	m.fl = m.ringLive.cdf(m.fl)
	m.fn = m.ringOther.cdf(m.fn)
	per := int(math.Round(1 / ringBin))
	m.hmax = 1
	for m.hmax < int(ringSpan) && m.fl[m.hmax*per] < 0.9995 {
		m.hmax++
	}
	m.fh = grow(m.fh, m.hmax+1)
	m.ph = grow(m.ph, m.hmax+1)
	for h := 1; h <= m.hmax; h++ {
		m.fh[h] = m.fl[h*per]
		m.ph[h] = m.fh[h] - m.fh[h-1]
	}
	m.cols = m.hmax + m.pat + 1

	m.fs = m.talk.cdf(m.fs)
	m.fw = m.wrap.cdf(m.fw)
	m.meanTalk, m.meanWrap = max(m.talk.mean(), 1), max(m.wrap.mean(), 1)
	// Wrap pmf per whole second (bin w holds (w−1, w]).
	pmf := grow(m.scratchPMF, len(m.fw))
	for w := range m.fw {
		pmf[w] = m.fw[w]
		if w > 0 {
			pmf[w] -= m.fw[w-1]
		}
	}
	m.scratchPMF = pmf

	// Rows up to the longest value seen (the last bin with weight).
	m.talkRows = lastNonZero(m.talk.bins) + 1
	m.wrapRows = lastNonZero(m.wrap.bins) + 1
	m.talkTab = grow(m.talkTab, m.talkRows*m.cols)
	m.wrapTab = grow(m.wrapTab, m.wrapRows*m.cols)
	for e := 0; e < m.talkRows; e++ {
		row := m.talkTab[e*m.cols : (e+1)*m.cols]
		surv := 1 - m.fs[e]
		for x := range row {
			row[x] = 0
			if surv < 1e-9 {
				row[x] = expFree(float64(x), m.meanTalk+m.meanWrap)
				continue
			}
			acc := 0.0
			for w := 0; w < x && w < len(pmf); w++ {
				if pmf[w] <= 0 {
					continue
				}
				j := min(e+x-w, len(m.fs)-1)
				acc += pmf[w] * (m.fs[j] - m.fs[e])
			}
			row[x] = min(1, acc/surv)
		}
	}
	for e := 0; e < m.wrapRows; e++ {
		row := m.wrapTab[e*m.cols : (e+1)*m.cols]
		surv := 1 - m.fw[e]
		for x := range row {
			if surv < 1e-9 {
				row[x] = expFree(float64(x), m.meanWrap)
				continue
			}
			j := min(e+x, len(m.fw)-1)
			row[x] = min(1, (m.fw[j]-m.fw[e])/surv)
		}
	}
	m.fallbackT = grow(m.fallbackT, m.cols)
	m.fallbackW = grow(m.fallbackW, m.cols)
	for x := range m.cols {
		m.fallbackT[x] = expFree(float64(x), m.meanTalk+m.meanWrap)
		m.fallbackW[x] = expFree(float64(x), m.meanWrap)
	}
	m.sup = grow(m.sup, m.hmax+1)
	m.supVar = grow(m.supVar, m.hmax+1)
	m.dem = grow(m.dem, m.hmax+1)
	m.demVar = grow(m.demVar, m.hmax+1)
	m.q = grow(m.q, m.hmax+1)
}

// expFree is P(free within x) for a memoryless remaining time of mean m.
func expFree(x, m float64) float64 { return 1 - math.Exp(-x/m) }

func lastNonZero(b []float64) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] > 0 {
			return i
		}
	}
	return 0
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// freeRow returns the row of P(free within x s) for a busy agent.
func (m *model) freeRow(a BusyAgent) []float64 {
	e := max(0, int((a.Elapsed+time.Second/2)/time.Second))
	if a.Phase == PhaseWrap {
		if e >= m.wrapRows {
			return m.fallbackW
		}
		return m.wrapTab[e*m.cols : (e+1)*m.cols]
	}
	if e >= m.talkRows {
		return m.fallbackT
	}
	return m.talkTab[e*m.cols : (e+1)*m.cols]
}

// control moves the threshold from the period's new live answers and
// abandons since the last decision. The first decision only takes the
// counts as a baseline: a pacer started mid-period learns from what
// follows.
func (m *model) control(ab AbandonStats, target float64) {
	if !m.seen {
		m.seen, m.lastPL, m.lastPA = true, ab.PeriodLive, ab.PeriodAbandoned
	}
	dl, da := ab.PeriodLive-m.lastPL, ab.PeriodAbandoned-m.lastPA
	if dl < 0 || da < 0 { // a new period
		dl, da = ab.PeriodLive, ab.PeriodAbandoned
	}
	m.lastPL, m.lastPA = ab.PeriodLive, ab.PeriodAbandoned
	m.logTheta += m.cfg.Gain * (target*float64(dl) - float64(da))
	m.logTheta = min(max(m.logTheta, m.minLog), m.maxLog)
}

func (m *model) decide(obs *Observation, info OracleInfo) int {
	if obs.AgentsLoggedIn <= 0 {
		return 0
	}
	prog := oneToOne(obs)
	m.refresh()

	ab := obs.Abandons
	capv := ab.CapOrDefault()
	target := max(capv-m.cfg.Margin, capv/4)
	m.control(ab, target)
	live, aband := float64(ab.PeriodLive), float64(ab.PeriodAbandoned)
	if aband > 0 && aband >= capv*live {
		return prog
	}
	theta := m.logTheta
	if r := (aband + target*guardLive) / (live + guardLive); r > target {
		theta -= m.cfg.Guard * (r - target) / max(capv-target, 1e-9)
	}
	threshold := math.Exp(theta)

	// The answer rate and its variance.
	per := int(math.Round(1 / ringBin))
	last := len(m.fl) - 1
	var p, varP float64
	if info != nil {
		p = min(max(info.AnswerProb(obs.Now), 1e-6), 1)
	} else {
		m.rate.decayTo(obs.Now)
		w := m.cfg.PriorWeight
		num, den := m.rate.live+w*m.rate.slow(), m.rate.res+w
		p = num / den
		// The calls in flight count by how likely each still is to answer
		// (an EM step on censored outcomes); two iterations suffice.
		if len(obs.Ringing) > 0 {
			for range 2 {
				s := 0.0
				for _, c := range obs.Ringing {
					i := min(max(int(c.Age.Seconds()/ringBin), 0), last)
					sl, sn := p*(1-m.fl[i]), (1-p)*(1-m.fn[i])
					if sl+sn > 1e-12 {
						s += sl / (sl + sn)
					}
				}
				p = (num + s) / (den + float64(len(obs.Ringing)))
			}
		}
		p = min(max(p, 1e-4), 1)
		varP = p * (1 - p) / den
	}

	// Supply: agents free by h + patience; demand: answers by h.
	H := m.hmax
	for h := 1; h <= H; h++ {
		m.sup[h] = float64(obs.AgentsIdle)
		m.supVar[h] = 0
		m.dem[h] = float64(obs.Waiting)
		m.demVar[h] = 0
		m.q[h] = 0
	}
	for i, a := range obs.Busy {
		if info != nil {
			left := info.FreeIn(i).Seconds()
			for h := 1; h <= H; h++ {
				if left <= float64(h+m.pat) {
					m.sup[h]++
				}
			}
			continue
		}
		row := m.freeRow(a)
		for h := 1; h <= H; h++ {
			v := row[h+m.pat]
			m.sup[h] += v
			m.supVar[h] += v * (1 - v)
		}
	}
	for _, c := range obs.Ringing {
		i := min(max(int(c.Age.Seconds()/ringBin), 0), last)
		fa := m.fl[i]
		den := p*(1-fa) + (1-p)*(1-m.fn[i])
		if den < 1e-12 {
			continue
		}
		k := p / den
		for h := 1; h <= H; h++ {
			v := k * (m.fl[min(i+h*per, last)] - fa)
			m.dem[h] += v
			m.demVar[h] += v * (1 - v)
			m.q[h] += v
		}
	}

	// The n-th new call's probability of being abandoned if answered.
	risk := func(n int) float64 {
		others := float64(n - 1)
		total := 0.0
		for h := 1; h <= H; h++ {
			ph := m.ph[h]
			if ph < 1e-7 {
				continue
			}
			pf := p * m.fh[h]
			mu := m.sup[h] - m.dem[h] - others*pf
			d := m.q[h]/p + others*m.fh[h]
			v := m.supVar[h] + m.demVar[h] + others*pf*(1-pf) + varP*d*d + 0.02
			total += ph * phi((0.5-mu)/math.Sqrt(v))
			if total > threshold {
				return total
			}
		}
		return total
	}
	n := 0
	if risk(1) <= threshold {
		limit := 20*obs.AgentsLoggedIn + 20
		lo, hi := 1, 2
		for hi <= limit && risk(hi) <= threshold {
			lo, hi = hi, hi*2
		}
		hi = min(hi, limit+1)
		for hi-lo > 1 { // risk(lo) ≤ threshold < risk(hi)
			mid := (lo + hi) / 2
			if risk(mid) <= threshold {
				lo = mid
			} else {
				hi = mid
			}
		}
		n = lo
	}
	return max(n, prog)
}

// phi is the standard normal CDF.
func phi(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
