package dialer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// CallerIDStatus is whether a caller-ID number may be used.
type CallerIDStatus string

// Caller-ID statuses.
const (
	// CallerIDActive numbers are used in rotation.
	CallerIDActive CallerIDStatus = "active"
	// CallerIDDisabled numbers were turned off by a member.
	CallerIDDisabled CallerIDStatus = "disabled"
	// CallerIDExcluded numbers were taken out automatically, their spam
	// score having passed the pool's threshold.
	CallerIDExcluded CallerIDStatus = "excluded"
)

// Rotation is how a pool picks the next number.
type Rotation string

// Rotations.
const (
	// RotateRoundRobin takes the active numbers in turn.
	RotateRoundRobin Rotation = "round_robin"
	// RotateLowestSpam takes the number with the lowest spam score (ties:
	// least used today, then pool order).
	RotateLowestSpam Rotation = "lowest_spam"
	// RotateLeastUsed takes the number least used today (ties: pool order).
	RotateLeastUsed Rotation = "least_used_today"
	// RotateWeighted picks at random in proportion to each number's Weight.
	RotateWeighted Rotation = "weighted"
)

// ErrNoCallerID is returned when no number in the pool may be used now:
// all disabled, excluded or at their daily cap.
var ErrNoCallerID = errors.New("dialer: no caller ID available")

// CallerID is one number in a pool.
type CallerID struct {
	// Number is the E.164 number presented.
	Number string
	// Status defaults to CallerIDActive.
	Status CallerIDStatus
	// SpamScore is the reputation score from the carrier or a reputation
	// service, 0 (clean) to 10.
	SpamScore float64
	// Weight is the share of calls under RotateWeighted. Defaults to 1.
	Weight float64
	// CallsToday counts calls placed since local midnight in the pool's
	// zone.
	CallsToday int
	// CallsTotal counts every call placed.
	CallsTotal int64
}

// PoolConfig configures a [CallerIDPool].
type PoolConfig struct {
	// Numbers are the pool's numbers, in order.
	Numbers []CallerID
	// Rotation defaults to RotateRoundRobin.
	Rotation Rotation
	// SpamThreshold excludes a number whose SpamScore exceeds it, 1–9.
	// Defaults to 7.
	SpamThreshold float64
	// DailyCap bounds each number's calls per local day. Defaults to 100.
	DailyCap int
	// Location is the zone whose midnight resets the daily counts.
	// Defaults to UTC.
	Location *time.Location
	// Seed seeds RotateWeighted's random choice. Defaults to 1.
	Seed uint64
}

// CallerIDPool rotates the numbers calls are placed from. It is safe for
// concurrent use.
type CallerIDPool struct {
	mu       sync.Mutex
	cfg      PoolConfig
	numbers  []CallerID
	next     int
	day      string
	rng      *rand.Rand
	excluded []string
	// storeDisabled lists numbers disabled by their stored state
	// (restore), so that a stored re-enable takes effect.
	storeDisabled map[string]bool
}

// NewPool validates cfg and returns a pool; the error names the field.
func NewPool(cfg PoolConfig) (*CallerIDPool, error) {
	if cfg.Rotation == "" {
		cfg.Rotation = RotateRoundRobin
	}
	if cfg.SpamThreshold == 0 {
		cfg.SpamThreshold = 7
	}
	if cfg.DailyCap == 0 {
		cfg.DailyCap = 100
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	switch cfg.Rotation {
	case RotateRoundRobin, RotateLowestSpam, RotateLeastUsed, RotateWeighted:
	default:
		return nil, fmt.Errorf("dialer: PoolConfig.Rotation: unknown rotation %q", cfg.Rotation)
	}
	if cfg.SpamThreshold < 1 || cfg.SpamThreshold > 9 {
		return nil, fmt.Errorf("dialer: PoolConfig.SpamThreshold must be 1–9, got %g", cfg.SpamThreshold)
	}
	if cfg.DailyCap < 1 {
		return nil, fmt.Errorf("dialer: PoolConfig.DailyCap must be positive, got %d", cfg.DailyCap)
	}
	p := &CallerIDPool{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))}
	seen := map[string]bool{}
	for i, n := range cfg.Numbers {
		if !isE164(n.Number) {
			return nil, fmt.Errorf("dialer: PoolConfig.Numbers[%d].Number must be E.164, got %q", i, n.Number)
		}
		if seen[n.Number] {
			return nil, fmt.Errorf("dialer: PoolConfig.Numbers[%d].Number %s is listed twice", i, n.Number)
		}
		seen[n.Number] = true
		if n.Status == "" {
			n.Status = CallerIDActive
		}
		if n.Status != CallerIDActive && n.Status != CallerIDDisabled && n.Status != CallerIDExcluded {
			return nil, fmt.Errorf("dialer: PoolConfig.Numbers[%d].Status: unknown status %q", i, n.Status)
		}
		if n.Weight == 0 {
			n.Weight = 1
		}
		if n.Weight < 0 || n.SpamScore < 0 || n.SpamScore > 10 {
			return nil, fmt.Errorf("dialer: PoolConfig.Numbers[%d]: weight must be positive and spam score 0–10", i)
		}
		p.numbers = append(p.numbers, n)
	}
	for i := range p.numbers {
		p.exclude(i)
	}
	return p, nil
}

func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// exclude moves number i to Excluded when its score passes the threshold.
func (p *CallerIDPool) exclude(i int) {
	n := &p.numbers[i]
	if n.Status == CallerIDActive && n.SpamScore > p.cfg.SpamThreshold {
		n.Status = CallerIDExcluded
		p.excluded = append(p.excluded, n.Number)
	}
}

// rollDay resets daily counts when now is on a new local day.
func (p *CallerIDPool) rollDay(now time.Time) {
	day := now.In(p.cfg.Location).Format(time.DateOnly)
	if day != p.day {
		for i := range p.numbers {
			p.numbers[i].CallsToday = 0
		}
		p.day = day
	}
}

func (p *CallerIDPool) usable(i int) bool {
	n := p.numbers[i]
	return n.Status == CallerIDActive && n.CallsToday < p.cfg.DailyCap
}

// Pick returns the number to place the next call from and counts the call
// against it, or ErrNoCallerID.
func (p *CallerIDPool) Pick(now time.Time) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rollDay(now)
	best := -1
	switch p.cfg.Rotation {
	case RotateRoundRobin:
		for k := range p.numbers {
			i := (p.next + k) % len(p.numbers)
			if p.usable(i) {
				best = i
				p.next = i + 1
				break
			}
		}
	case RotateLowestSpam, RotateLeastUsed:
		for i := range p.numbers {
			if !p.usable(i) {
				continue
			}
			if best < 0 || p.better(i, best) {
				best = i
			}
		}
	case RotateWeighted:
		var total float64
		for i := range p.numbers {
			if p.usable(i) {
				total += p.numbers[i].Weight
			}
		}
		if total > 0 {
			x := p.rng.Float64() * total
			for i := range p.numbers {
				if !p.usable(i) {
					continue
				}
				best = i
				if x -= p.numbers[i].Weight; x < 0 {
					break
				}
			}
		}
	}
	if best < 0 {
		return "", ErrNoCallerID
	}
	p.numbers[best].CallsToday++
	p.numbers[best].CallsTotal++
	return p.numbers[best].Number, nil
}

func (p *CallerIDPool) better(i, j int) bool {
	a, b := p.numbers[i], p.numbers[j]
	if p.cfg.Rotation == RotateLowestSpam && a.SpamScore != b.SpamScore {
		return a.SpamScore < b.SpamScore
	}
	return a.CallsToday < b.CallsToday
}

// SetSpamScore records a new score for number; a score past the threshold
// excludes the number at once. It reports whether the number is in the pool.
func (p *CallerIDPool) SetSpamScore(number string, score float64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.numbers {
		if p.numbers[i].Number == number {
			p.numbers[i].SpamScore = score
			p.exclude(i)
			return true
		}
	}
	return false
}

// SetStatus enables or disables a number. Re-activating an excluded number
// is allowed once its score is back under the threshold.
func (p *CallerIDPool) SetStatus(number string, s CallerIDStatus) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.numbers {
		n := &p.numbers[i]
		if n.Number != number {
			continue
		}
		if s == CallerIDActive && n.SpamScore > p.cfg.SpamThreshold {
			return fmt.Errorf("dialer: caller ID %s has spam score %g, over the threshold %g", number, n.SpamScore, p.cfg.SpamThreshold)
		}
		n.Status = s
		return nil
	}
	return fmt.Errorf("dialer: caller ID %s is not in the pool", number)
}

// Numbers returns a snapshot of the pool's numbers with their counts.
func (p *CallerIDPool) Numbers(now time.Time) []CallerID {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rollDay(now)
	return append([]CallerID(nil), p.numbers...)
}

// Excluded returns the numbers the pool excluded automatically, in order.
func (p *CallerIDPool) Excluded() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.excluded...)
}

// Day returns now's local date in the pool's zone, YYYY-MM-DD: the day
// whose calls count against DailyCap.
func (p *CallerIDPool) Day(now time.Time) string {
	return now.In(p.cfg.Location).Format(time.DateOnly)
}

// restore applies stored states to the pool's numbers: a disabled number
// is disabled (and enabled again once its state is), the stored spam
// score replaces the pool's (excluding the number past the threshold),
// and the stored counts replace the pool's when they are for today.
func (p *CallerIDPool) restore(states []campaign.CallerIDState, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rollDay(now)
	if p.storeDisabled == nil {
		p.storeDisabled = map[string]bool{}
	}
	for _, st := range states {
		i := slices.IndexFunc(p.numbers, func(n CallerID) bool { return n.Number == st.Number })
		if i < 0 {
			continue
		}
		n := &p.numbers[i]
		switch {
		case st.Disabled && n.Status == CallerIDActive:
			n.Status = CallerIDDisabled
			p.storeDisabled[n.Number] = true
		case !st.Disabled && n.Status == CallerIDDisabled && p.storeDisabled[n.Number]:
			n.Status = CallerIDActive
			delete(p.storeDisabled, n.Number)
		}
		n.SpamScore = st.SpamScore
		p.exclude(i)
		p.count(i, st)
	}
}

// count takes number i's counts from st, the store's. p.mu is held.
func (p *CallerIDPool) count(i int, st campaign.CallerIDState) {
	n := &p.numbers[i]
	n.CallsTotal = st.CallsTotal
	switch {
	case st.Day == p.day:
		n.CallsToday = st.CallsToday
	case st.Day > p.day:
		// Another process is on a later day already: nothing of ours to
		// count, but the store will refuse past its cap there; keep ours.
	default:
		n.CallsToday = 0
	}
}

// settle corrects the count Pick made for number with the store's answer:
// st is the state after the use was recorded (ok) or refused at the cap;
// on another failure st is zero and Pick's count is undone.
func (p *CallerIDPool) settle(number string, st campaign.CallerIDState, recorded, failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.IndexFunc(p.numbers, func(n CallerID) bool { return n.Number == number })
	if i < 0 {
		return
	}
	if failed {
		p.numbers[i].CallsToday--
		p.numbers[i].CallsTotal--
		return
	}
	p.count(i, st)
	if !recorded {
		// Refused at the cap (for the store's day, which may be ahead of
		// ours): the number is spent here until our next local day.
		p.numbers[i].CallsToday = max(p.numbers[i].CallsToday, p.cfg.DailyCap)
	}
}

// pickCallerID picks the number to place the next call from and, when the
// engine has a CallerIDStore, counts the use there first: the daily cap is
// then enforced from the stored count, shared by every process and kept
// across restarts. A number the store finds at its cap is skipped.
// It runs beside the loop: the pool has a lock of its own.
func (e *Engine) pickCallerID(ctx context.Context, pool *CallerIDPool, now time.Time) (string, error) {
	for range len(pool.cfg.Numbers) + 1 {
		from, err := pool.Pick(now)
		if err != nil || e.cfg.CallerIDStore == nil {
			return from, err
		}
		st, err := e.cfg.CallerIDStore.RecordCallerIDUse(ctx, e.cfg.Workspace,
			campaign.CallerIDUse{Number: from, Day: pool.Day(now), DailyCap: pool.cfg.DailyCap, At: now})
		switch {
		case err == nil:
			pool.settle(from, st, true, false)
			return from, nil
		case errors.Is(err, campaign.ErrCallerIDCapped):
			pool.settle(from, st, false, false)
		default:
			pool.settle(from, st, false, true)
			return "", fmt.Errorf("dialer: record caller ID use: %w", err)
		}
	}
	return "", ErrNoCallerID
}

// numberList lists the pool's numbers in order.
func (p *CallerIDPool) numberList() []string {
	nums := make([]string, len(p.cfg.Numbers))
	for i, n := range p.cfg.Numbers {
		nums[i] = n.Number
	}
	return nums
}

// loadCallerIDs applies the stored caller-ID states to the pool.
func (e *Engine) loadCallerIDs(ctx context.Context, now time.Time) error {
	if e.cfg.CallerIDStore == nil {
		return nil
	}
	sts, err := e.cfg.CallerIDStore.CallerIDStates(ctx, e.cfg.Workspace, e.pool.numberList())
	if err != nil {
		return fmt.Errorf("dialer: load caller IDs: %w", err)
	}
	e.pool.restore(sts, now)
	return nil
}
