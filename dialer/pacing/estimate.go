package pacing

import (
	"math"
	"time"
)

// hist is an online histogram of durations with fixed-width bins; the last
// bin also holds everything longer. When its total weight passes limit, all
// weights are halved, so old observations fade by count, not by time.
type hist struct {
	width float64 // bin width, seconds
	bins  []float64
	total float64
	limit float64
	sum   float64 // weighted sum of values, for the mean
	fresh float64 // weight added since the last table refresh
}

func newHist(width, span float64, limit float64) *hist {
	return &hist{width: width, bins: make([]float64, int(math.Ceil(span/width))+1), limit: limit}
}

// add records one value (seconds) with weight w.
func (h *hist) add(v, w float64) {
	if math.IsNaN(v) || v < 0 {
		v = 0
	}
	i := min(int(math.Ceil(v/h.width)), len(h.bins)-1) // bin i holds ((i−1)·width, i·width]
	h.bins[i] += w
	h.total += w
	h.sum += w * v
	h.fresh += w
	if h.total > h.limit {
		for j := range h.bins {
			h.bins[j] /= 2
		}
		h.total /= 2
		h.sum /= 2
	}
}

// spread adds weight w spread evenly over [lo, hi] seconds: a weak prior.
func (h *hist) spread(lo, hi, w float64) {
	n := max(1, int(math.Round((hi-lo)/h.width)))
	for i := range n {
		h.add(lo+(float64(i)+0.5)*(hi-lo)/float64(n), w/float64(n))
	}
	h.fresh = 0
}

func (h *hist) mean() float64 {
	if h.total <= 0 {
		return 0
	}
	return h.sum / h.total
}

// cdf fills dst[i] = P(X ≤ i·width) for i = 0..len(bins)−1.
func (h *hist) cdf(dst []float64) []float64 {
	dst = dst[:0]
	acc := 0.0
	for _, b := range h.bins {
		acc += b
		if h.total > 0 {
			dst = append(dst, acc/h.total)
		} else {
			dst = append(dst, 0)
		}
	}
	if n := len(dst); n > 0 {
		dst[n-1] = 1
	}
	return dst
}

// needsRefresh reports whether enough weight arrived since the last table
// refresh to rebuild: a tenth of the total, and at least least.
func (h *hist) needsRefresh(least float64) bool {
	return h.fresh >= least && h.fresh >= 0.1*(h.total-h.fresh)
}

// rate is an answer-rate estimate over a recent window: sums of live and
// resolved dials, decayed exponentially in time with time constant tau, on
// top of a slow campaign-long estimate that serves as the prior.
type rate struct {
	tau       float64 // seconds
	live, res float64 // decayed sums
	at        time.Time
	slowLive  float64 // campaign-long, halved past slowLimit
	slowRes   float64
	slowLimit float64
	priorLive float64 // prior pseudo-counts of the slow estimate
	priorRes  float64
}

func (r *rate) decayTo(t time.Time) {
	if r.at.IsZero() {
		r.at = t
		return
	}
	if d := t.Sub(r.at).Seconds(); d > 0 {
		f := math.Exp(-d / r.tau)
		r.live *= f
		r.res *= f
		r.at = t
	}
}

func (r *rate) add(t time.Time, live bool) {
	r.decayTo(t)
	r.res++
	r.slowRes++
	if live {
		r.live++
		r.slowLive++
	}
	if r.slowRes > r.slowLimit {
		r.slowRes /= 2
		r.slowLive /= 2
	}
}

// slow is the campaign-long estimate with its prior: (live+2)/(resolved+10)
// by default.
func (r *rate) slow() float64 {
	return (r.slowLive + r.priorLive) / (r.slowRes + r.priorRes)
}
