package compliance

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTruncatedNANPNumbersAreRefused pins the numbers of the issue that
// phonenumbers reads as valid Canadian universal access numbers.
func TestTruncatedNANPNumbersAreRefused(t *testing.T) {
	c := &Checker{AllowedCountries: []string{"US", "CA"}}
	for _, raw := range []string{"(310) 471-6", "3106065", "+13107999", "310-6065", "+1 310 606 51", "+1 (310) 606-512"} {
		f, err := checkBoth(t, c, raw)
		assert.Equal(t, ReasonInvalidPhone, ReasonOf(err), raw)
		assert.Equal(t, NumberTypeUnknown, f.Type, raw)
		assert.Empty(t, f.Region, raw)
		assert.Empty(t, f.Timezones, raw)
		_, err = Normalize(raw, "US")
		assert.Equal(t, ReasonInvalidPhone, ReasonOf(err), raw)
	}
}

// TestNANPSevenToNineDigitsAlwaysRefused is the property of the issue:
// however a 7-, 8- or 9-digit NANP input is written (bare, with +1 or 1,
// with punctuation), it is never accepted, under a US or a Canadian
// default region.
func TestNANPSevenToNineDigitsAlwaysRefused(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	rng := rand.New(rand.NewPCG(14, 2026))
	formats := []func(d string) string{
		func(d string) string { return d },
		func(d string) string { return "+1" + d },
		func(d string) string { return "1" + d },
		func(d string) string { return "+1 " + d[:3] + " " + d[3:] },
		func(d string) string { return "(" + d[:3] + ") " + d[3:6] + "-" + d[6:] },
		func(d string) string { return d[:3] + "." + d[3:] },
	}
	us, ca := &Checker{}, &Checker{DefaultRegion: "CA"}
	for i := range n {
		l := 7 + i%3
		b := make([]byte, l)
		for j := range b {
			b[j] = byte('0' + rng.IntN(10))
		}
		if i%2 == 0 {
			b[0] = byte('2' + rng.IntN(8)) // a plausible area code or exchange
		}
		raw := formats[rng.IntN(len(formats))](string(b))
		for _, c := range []*Checker{us, ca} {
			f, err := c.Check(raw)
			require.Error(t, err, "accepted %q as %s (%s)", raw, f.E164, f.Type)
			if ReasonOf(err) == ReasonCountryNotAllowed || f.Region != "" {
				require.NotEqual(t, 1, f.CountryCode, "NANP facts for %q: %+v", raw, f)
			}
			_, serr := c.CheckSlow(raw)
			require.Error(t, serr, raw)
		}
	}
}

// TestNumberTypeUnknownWhenNotValid: refused-as-invalid and emergency
// numbers report no type; valid refused numbers keep theirs.
func TestNumberTypeUnknownWhenNotValid(t *testing.T) {
	var c Checker
	for _, raw := range []string{"911", "+1 911", "9112345", "+1 415 555 267", "+44 20 7946", "112"} {
		f, err := checkBoth(t, &c, raw)
		require.Error(t, err, raw)
		assert.Equal(t, NumberTypeUnknown, f.Type, raw)
	}
	f, err := checkBoth(t, &c, "+1 900 555 1234")
	assert.Equal(t, ReasonPremiumRate, ReasonOf(err))
	assert.NotEqual(t, NumberTypeUnknown, f.Type, fmt.Sprint(f))
}

func TestNewWindowRefusesEmptyAndInverted(t *testing.T) {
	for _, tc := range [][2]string{{"00:00", "00:00"}, {"21:00", "09:00"}, {"09:00", "09:00"}, {"09:00", "24:01"}, {"9:00", "17:00"}} {
		_, err := ParseWindow(tc[0], tc[1], EveryDay)
		assert.ErrorIs(t, err, ErrInvalidWindow, "%s–%s", tc[0], tc[1])
	}
	_, err := NewWindow(At(9, 0), At(17, 0), Weekdays(0xff))
	assert.ErrorIs(t, err, ErrInvalidWindow)
	w, err := ParseWindow("00:00", "24:00", MondayToFriday)
	require.NoError(t, err)
	assert.Equal(t, Interval{Start: 0, End: EndOfDay}, w.Interval())
	assert.Equal(t, MondayToFriday, w.Weekdays())
	assert.NoError(t, w.Validate())
}
