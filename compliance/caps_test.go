package compliance

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCapCheck(t *testing.T) {
	now := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	day := 24 * time.Hour
	three := Cap{Limit: 3, Per: day}
	tests := []struct {
		name     string
		cap      Cap
		prior    []time.Time
		wantOK   bool
		wantNext time.Time
	}{
		{name: "no cap", cap: Cap{}, prior: []time.Time{ago(1), ago(2), ago(3), ago(4)}, wantOK: true, wantNext: now},
		{name: "no prior", cap: three, wantOK: true, wantNext: now},
		{name: "two in period", cap: three, prior: []time.Time{ago(time.Hour), ago(2 * time.Hour)}, wantOK: true, wantNext: now},
		{name: "three in period", cap: three, prior: []time.Time{ago(time.Hour), ago(10 * time.Hour), ago(5 * time.Hour)},
			wantOK: false, wantNext: ago(10 * time.Hour).Add(day)},
		{name: "exactly Per ago does not count", cap: three, prior: []time.Time{ago(day), ago(time.Hour), ago(2 * time.Hour)}, wantOK: true, wantNext: now},
		{name: "one ns inside Per counts", cap: three, prior: []time.Time{ago(day - 1), ago(time.Hour), ago(2 * time.Hour)},
			wantOK: false, wantNext: now.Add(1)},
		{name: "old attempts ignored", cap: three, prior: []time.Time{ago(25 * time.Hour), ago(48 * time.Hour), ago(30 * time.Hour), ago(time.Hour)}, wantOK: true, wantNext: now},
		{name: "five in period: wait for the third oldest", cap: three,
			prior:  []time.Time{ago(time.Hour), ago(20 * time.Hour), ago(3 * time.Hour), ago(12 * time.Hour), ago(6 * time.Hour)},
			wantOK: false, wantNext: ago(6 * time.Hour).Add(day)},
		{name: "future attempt counts (clock skew)", cap: Cap{Limit: 1, Per: time.Hour}, prior: []time.Time{now.Add(time.Minute)},
			wantOK: false, wantNext: now.Add(time.Minute + time.Hour)},
		{name: "invalid cap allows nothing", cap: Cap{Limit: 2}, wantOK: false},
		{name: "negative limit", cap: Cap{Limit: -1, Per: time.Hour}, wantOK: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.prior)
			ok, next := CapCheck(tc.cap, tc.prior, now)
			assert.Equal(t, tc.wantOK, ok)
			assert.True(t, tc.wantNext.Equal(next), "next %s, want %s", next, tc.wantNext)
			assert.Equal(t, before, tc.prior, "input must not be modified")
		})
	}
}

// TestCapCheckProperty: nextAllowed is allowed, and one nanosecond before
// it is not.
func TestCapCheckProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	now := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	for i := range 500 {
		c := Cap{Limit: 1 + rng.IntN(4), Per: time.Duration(1+rng.IntN(48)) * time.Hour}
		var prior []time.Time
		for range rng.IntN(12) {
			prior = append(prior, now.Add(-time.Duration(rng.Int64N(int64(72*time.Hour)))))
		}
		ok, next := CapCheck(c, prior, now)
		if ok {
			require.Equal(t, now, next)
			continue
		}
		require.True(t, next.After(now), "case %d", i)
		ok2, next2 := CapCheck(c, prior, next)
		require.True(t, ok2, "case %d: allowed at nextAllowed", i)
		require.Equal(t, next, next2)
		ok3, _ := CapCheck(c, prior, next.Add(-1))
		require.False(t, ok3, "case %d: nextAllowed is the earliest", i)
	}
}

func TestCapCheckAllAndRules(t *testing.T) {
	now := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	r := NewRules()
	tests := []struct {
		name string
		in   CallTarget
		want []string
	}{
		{name: "FL address", in: CallTarget{AddressState: "FL"}, want: []string{"FL"}},
		{name: "FL and MD", in: CallTarget{AddressState: "fl", AreaCodeState: "MD"}, want: []string{"FL", "MD"}},
		{name: "same state twice", in: CallTarget{AddressState: "OK", AreaCodeState: "ok"}, want: []string{"OK"}},
		{name: "no cap", in: CallTarget{AddressState: "NY", AreaCodeState: "PA"}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range r.Caps(tc.in) {
				got = append(got, c.State)
				assert.Equal(t, Cap{Limit: 3, Per: 24 * time.Hour}, c.Cap)
				assert.NotEmpty(t, c.Source)
			}
			assert.Equal(t, tc.want, got)
		})
	}

	prior := []time.Time{now.Add(-30 * time.Minute), now.Add(-2 * time.Hour)}
	caps := []Cap{{Limit: 3, Per: 24 * time.Hour}, {Limit: 1, Per: time.Hour}}
	ok, next := CapCheckAll(caps, prior, now)
	assert.False(t, ok)
	assert.Equal(t, now.Add(30*time.Minute), next, "the hourly cap is the binding one")

	prior = append(prior, now.Add(-3*time.Hour))
	ok, next = CapCheckAll(caps, prior, now)
	assert.False(t, ok)
	assert.Equal(t, now.Add(21*time.Hour), next, "the daily cap now binds later")

	ok, next = CapCheckAll(nil, prior, now)
	assert.True(t, ok)
	assert.Equal(t, now, next)
	ok, next = CapCheckAll([]Cap{{Limit: 1}}, nil, now)
	assert.False(t, ok)
	assert.True(t, next.IsZero())
	assert.Equal(t, "3 per 24h0m0s", Cap{Limit: 3, Per: 24 * time.Hour}.String())
	assert.Equal(t, "none", Cap{}.String())
}
