package dialer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)

func pool(t *testing.T, cfg PoolConfig) *CallerIDPool {
	t.Helper()
	p, err := NewPool(cfg)
	require.NoError(t, err)
	return p
}

func picks(t *testing.T, p *CallerIDPool, n int, now time.Time) []string {
	t.Helper()
	var out []string
	for range n {
		x, err := p.Pick(now)
		require.NoError(t, err)
		out = append(out, x)
	}
	return out
}

func TestPoolRoundRobinSkipsUnusable(t *testing.T) {
	p := pool(t, PoolConfig{Numbers: []CallerID{{Number: "+14155550101"}, {Number: "+14155550102", Status: CallerIDDisabled}, {Number: "+14155550103"}, {Number: "+14155550104", SpamScore: 8}}})
	assert.Equal(t, []string{"+14155550101", "+14155550103", "+14155550101", "+14155550103"}, picks(t, p, 4, t0))
	assert.Equal(t, []string{"+14155550104"}, p.Excluded(), "a score over the default threshold 7 excludes at construction")
	require.True(t, p.SetSpamScore("+14155550103", 7.5))
	assert.Equal(t, []string{"+14155550101", "+14155550101"}, picks(t, p, 2, t0))
	require.Error(t, p.SetStatus("+14155550103", CallerIDActive), "cannot re-activate over the threshold")
	p.SetSpamScore("+14155550103", 2)
	require.NoError(t, p.SetStatus("+14155550103", CallerIDActive))
	assert.Contains(t, picks(t, p, 2, t0), "+14155550103")
}

func TestPoolDailyCapResetsAtLocalMidnight(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	p := pool(t, PoolConfig{Numbers: []CallerID{{Number: "+14155550101"}, {Number: "+14155550102"}}, DailyCap: 3, Location: ny})
	evening := time.Date(2026, 11, 2, 23, 0, 0, 0, ny)
	picks(t, p, 6, evening)
	_, err := p.Pick(evening)
	require.ErrorIs(t, err, ErrNoCallerID)
	// 00:30 UTC on Nov 3 is still Nov 2 in New York: still capped.
	_, err = p.Pick(time.Date(2026, 11, 3, 0, 30, 0, 0, time.UTC))
	require.ErrorIs(t, err, ErrNoCallerID)
	picks(t, p, 6, time.Date(2026, 11, 3, 0, 1, 0, 0, ny))
	ns := p.Numbers(time.Date(2026, 11, 3, 0, 1, 0, 0, ny))
	assert.Equal(t, 3, ns[0].CallsToday)
	assert.Equal(t, int64(6), ns[0].CallsTotal)
}

func TestPoolLowestSpamAndLeastUsed(t *testing.T) {
	nums := []CallerID{{Number: "+14155550101", SpamScore: 3}, {Number: "+14155550102", SpamScore: 1}, {Number: "+14155550103", SpamScore: 1, CallsToday: 0}}
	p := pool(t, PoolConfig{Numbers: nums, Rotation: RotateLowestSpam, DailyCap: 2})
	assert.Equal(t, []string{"+14155550102", "+14155550103", "+14155550102", "+14155550103", "+14155550101", "+14155550101"}, picks(t, p, 6, t0))
	q := pool(t, PoolConfig{Numbers: nums, Rotation: RotateLeastUsed})
	assert.Equal(t, []string{"+14155550101", "+14155550102", "+14155550103", "+14155550101"}, picks(t, q, 4, t0))
}

func TestPoolWeighted(t *testing.T) {
	p := pool(t, PoolConfig{Numbers: []CallerID{{Number: "+14155550101", Weight: 3}, {Number: "+14155550102", Weight: 1}}, Rotation: RotateWeighted, DailyCap: 100000})
	counts := map[string]int{}
	for _, n := range picks(t, p, 8000, t0) {
		counts[n]++
	}
	assert.InDelta(t, 6000, counts["+14155550101"], 200)
	assert.InDelta(t, 2000, counts["+14155550102"], 200)
}

func TestPoolConfigRefused(t *testing.T) {
	for name, cfg := range map[string]PoolConfig{
		"Rotation":      {Rotation: "random"},
		"SpamThreshold": {SpamThreshold: 12},
		"DailyCap":      {DailyCap: -1},
		"Numbers[0]":    {Numbers: []CallerID{{Number: "4155550101"}}},
		"listed twice":  {Numbers: []CallerID{{Number: "+14155550101"}, {Number: "+14155550101"}}},
	} {
		_, err := NewPool(cfg)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), name)
	}
	empty := pool(t, PoolConfig{})
	_, err := empty.Pick(t0)
	require.ErrorIs(t, err, ErrNoCallerID)
}
