package compliance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAddressZonesAreCandidates: the truth-table cases. The law of
// the address state is applied on the address's clock, not the number's.
func TestAddressZonesAreCandidates(t *testing.T) {
	r := NewRules()
	w := Window{Start: 0, End: EndOfDay}
	la, ny := []string{"America/Los_Angeles"}, []string{"America/New_York"}
	tests := []struct {
		name string
		at   time.Time
		in   CallTarget
		want VerdictCode
		zone string
	}{
		{"CA number, FL address, 19:30 PDT = 22:30 EDT", wtLocal(t, "America/Los_Angeles", "2026-03-11 19:30"),
			CallTarget{Zones: la, AreaCodeState: "CA", AddressState: "FL"}, CodeOutsideLegalHours, "America/Chicago"},
		{"CA number, FL address, 16:30 PDT = 19:30 EDT", wtLocal(t, "America/Los_Angeles", "2026-03-11 16:30"),
			CallTarget{Zones: la, AreaCodeState: "CA", AddressState: "FL"}, "", ""},
		{"CA number, Florida spelled out, 17:30 PDT = 20:30 EDT", wtLocal(t, "America/Los_Angeles", "2026-03-11 17:30"),
			CallTarget{Zones: la, AreaCodeState: "CA", AddressState: "Florida"}, CodeOutsideLegalHours, "America/New_York"},
		{"NY number, CA address, 08:30 EDT = 05:30 PDT", wtLocal(t, "America/New_York", "2026-03-11 08:30"),
			CallTarget{Zones: ny, AreaCodeState: "NY", AddressState: "CA"}, CodeOutsideLegalHours, "America/Los_Angeles"},
		{"NY number, CA address, 11:00 EDT = 08:00 PDT", wtLocal(t, "America/New_York", "2026-03-11 11:00"),
			CallTarget{Zones: ny, AreaCodeState: "NY", AddressState: "ca"}, "", ""},
		{"toll-free number placed by its address", wtLocal(t, "America/New_York", "2026-03-11 08:30"),
			CallTarget{AddressState: "TX"}, CodeOutsideLegalHours, "America/Chicago"},
		{"toll-free number, address open", wtLocal(t, "America/New_York", "2026-03-11 12:00"),
			CallTarget{AddressState: "TX"}, "", ""},
		{"unknown address state blocks", wtLocal(t, "America/New_York", "2026-03-11 12:00"),
			CallTarget{Zones: ny, AddressState: "Floride"}, CodeUnknownState, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := r.Check(tc.at, tc.in, w)
			assert.Equal(t, tc.want, v.Code, "%s", v)
			if tc.zone != "" {
				assert.Equal(t, tc.zone, v.Zone)
			}
			// NextCallable agrees with Check: allowed now ⇔ next is now.
			next, ok := r.NextCallable(tc.at, tc.in, w)
			if tc.want == "" {
				require.True(t, ok)
				assert.True(t, next.Equal(tc.at))
			} else if ok {
				assert.True(t, next.After(tc.at))
				assert.True(t, r.Check(next, tc.in, w).Allowed)
				assert.False(t, r.Check(next.Add(-time.Minute), tc.in, w).Allowed)
			}
		})
	}

	// The fallback zone joins the candidates when the number has none.
	fb := Window{Start: 0, End: EndOfDay, FallbackZone: "America/Los_Angeles"}
	v := r.Check(wtLocal(t, "America/New_York", "2026-03-11 10:30"), CallTarget{AddressState: "NY"}, fb)
	assert.Equal(t, CodeOutsideLegalHours, v.Code)
	assert.Equal(t, "America/Los_Angeles", v.Zone)
	assert.Equal(t, []string{"America/Chicago", "America/New_York"}, StateZones("fl"))
	assert.Nil(t, StateZones("Floride"))
}

func TestNormalizeState(t *testing.T) {
	for in, want := range map[string]string{"fl": "FL", "Florida": "FL", " NEW YORK ": "NY", "US-TX": "TX", "Ontario": "ON", "": ""} {
		got, err := NormalizeState(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"Floride", "ZZ", "Fla"} {
		_, err := NormalizeState(in)
		assert.ErrorIs(t, err, ErrUnknownState, in)
	}
	assert.Equal(t, "CA", StateCountry("QC"))
	assert.Equal(t, "US", StateCountry("ca"))
}

// TestCanadaCRTCHours: 09:00–21:30 on weekdays, 10:00–18:00 at weekends,
// in the called party's time, and the US federal hours do not apply to a
// call into Canada.
func TestCanadaCRTCHours(t *testing.T) {
	r := NewRules()
	to := CallTarget{Zones: []string{"America/Toronto"}, AreaCodeState: "ON", Country: "CA"}
	w := Window{Start: 0, End: EndOfDay}
	tests := []struct {
		at      string
		allowed bool
	}{
		{"2026-03-11 08:30", false}, // Wednesday
		{"2026-03-11 08:59", false},
		{"2026-03-11 09:00", true},
		{"2026-03-11 21:15", true}, // past the US 21:00
		{"2026-03-11 21:29", true},
		{"2026-03-11 21:30", false},
		{"2026-03-14 09:15", false}, // Saturday
		{"2026-03-14 10:00", true},
		{"2026-03-14 17:59", true},
		{"2026-03-14 18:00", false},
		{"2026-03-15 09:59", false}, // Sunday
		{"2026-03-15 12:00", true},
		{"2026-03-15 18:00", false},
	}
	for _, tc := range tests {
		v := r.Check(wtLocal(t, "America/Toronto", tc.at), to, w)
		assert.Equal(t, tc.allowed, v.Allowed, "%s: %s", tc.at, v)
		if !v.Allowed {
			assert.Equal(t, CodeOutsideLegalHours, v.Code)
			assert.Equal(t, "CA", v.Country)
			assert.Equal(t, CanadaSource, v.Source)
		}
	}
	// A Toronto area code alone (no Country) is Canadian through its
	// province.
	v := r.Check(wtLocal(t, "America/Toronto", "2026-03-11 08:30"), CallTarget{Zones: []string{"America/Toronto"}, AreaCodeState: "ON"}, w)
	assert.Equal(t, "CA", v.Country)
	// A US number whose owner lives in Ontario: both countries' law.
	both := CallTarget{Zones: []string{"America/Detroit"}, AreaCodeState: "MI", AddressState: "ON"}
	v = r.Check(wtLocal(t, "America/Detroit", "2026-03-14 09:30"), both, w)
	assert.Equal(t, CodeOutsideLegalHours, v.Code, "Saturday 09:30: CRTC weekend hours start at 10:00")
	v = r.Check(wtLocal(t, "America/Detroit", "2026-03-11 21:10"), both, w)
	assert.Equal(t, CodeOutsideLegalHours, v.Code, "21:10: past Michigan's 21:00")
	next, ok := r.NextCallable(wtLocal(t, "America/Toronto", "2026-03-13 21:45"), to, w)
	require.True(t, ok)
	assert.Equal(t, wtLocal(t, "America/Toronto", "2026-03-14 10:00"), next.In(wtLoc(t, "America/Toronto")))
}

// TestCountryOverrideAndAddition: a stricter province, an added country
// and an overridden national rule, through Rules configuration.
func TestCountryOverrideAndAddition(t *testing.T) {
	base := NewRules()
	w := Window{Start: 0, End: EndOfDay}
	qc, err := base.With(StateRule{State: "QC", Hours: Between(At(9, 0), At(20, 0)), NoSunday: true, Source: "house reading"})
	require.NoError(t, err)
	row, _ := qc.State("QC")
	assert.Equal(t, "CA", row.Country, "a province row belongs to Canada")
	target := CallTarget{Zones: []string{"America/Toronto"}, AddressState: "QC"}
	assert.True(t, base.Check(wtLocal(t, "America/Toronto", "2026-03-11 20:30"), target, w).Allowed)
	v := qc.Check(wtLocal(t, "America/Toronto", "2026-03-11 20:30"), target, w)
	assert.Equal(t, "QC", v.State)
	assert.Equal(t, CodeSundayBan, qc.Check(wtLocal(t, "America/Toronto", "2026-03-15 12:00"), target, w).Code)

	uk := CallTarget{Zones: []string{"Europe/London"}, Country: "GB"}
	at := wtLocal(t, "Europe/London", "2026-03-11 20:30")
	assert.True(t, base.Check(at, uk, w).Allowed, "no GB row: the federal floor applies")
	gb, err := base.WithCountries(CountryRule{Country: "gb", Hours: Between(At(9, 0), At(20, 0)), Source: "house policy for the UK"})
	require.NoError(t, err)
	v = gb.Check(at, uk, w)
	assert.Equal(t, CodeOutsideLegalHours, v.Code)
	assert.Equal(t, "GB", v.Country)
	c, ok := gb.Country("GB")
	require.True(t, ok)
	assert.Equal(t, "house policy for the UK", c.Source)
	_, ok = base.Country("GB")
	assert.False(t, ok, "WithCountries does not change the receiver")

	for _, bad := range []CountryRule{{Country: "G"}, {Country: "GB"}, {Country: "GB", Hours: Between(At(9, 0), At(8, 0))},
		{Country: "GB", Hours: Between(At(9, 0), At(18, 0)), NoHolidays: true}} {
		_, err := base.WithCountries(bad)
		assert.ErrorIs(t, err, ErrInvalidRule, "%+v", bad)
	}
}
