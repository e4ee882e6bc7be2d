package compliance

import (
	"fmt"
	"github.com/callstackhq/callstack/internal/testenv"
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/nyaruka/phonenumbers/v2/geocoding"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Area codes in our table that phonenumbers v2.0.8 does not know yet.
var nanpAheadOfPhonenumbers = []int{357, 624, 679, 861, 924}

// stateNames are the geocoder's names for states and provinces.
var stateNames = map[string]string{
	"Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
	"Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
	"Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
	"Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
	"Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
	"New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
	"North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
	"Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX",
	"Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington State": "WA", "West Virginia": "WV",
	"Wisconsin": "WI", "Wyoming": "WY", "Washington D.C.": "DC", "Alberta": "AB", "British Columbia": "BC",
	"British Colombia": "BC", "Manitoba": "MB", "New Brunswick": "NB", "Newfoundland and Labrador": "NL",
	"Ontario": "ON", "Quebec": "QC", "Saskatchewan": "SK", "U.S. Virgin Islands": "VI", "Guam": "GU",
	"Northern Mariana Islands": "MP", "American Samoa": "AS", "Puerto Rico": "PR",
	"Nova Scotia/Prince Edward Island": "NS", "Northwest Territories/Nunavut/Yukon": "YT",
}

// TestNANPTableMatchesPhonenumbers checks our area-code table both ways
// against phonenumbers: every area code with valid geographic numbers in the
// US, its territories or Canada is in the table with the same region, every
// table entry (but the few newer codes) has valid numbers, and the state
// agrees with what the phonenumbers geocoder says for most exchanges.
func TestNANPTableMatchesPhonenumbers(t *testing.T) {
	ours := map[string]bool{"US": true, "CA": true, "PR": true, "VI": true, "GU": true, "MP": true, "AS": true}
	// Every fifth area code by default, with or without -race (geocoding
	// is slow under the race detector); CALLSTACK_FULL_TESTS=1 checks all.
	step := testenv.Scale(t, 1, 5)
	for npa := 200; npa <= 999; npa += step {
		votes := map[string]int{}
		valid, region, geographic := 0, "", false
		for nxx := 200; nxx <= 999 && valid < 25; nxx += 7 {
			n, err := phonenumbers.Parse(fmt.Sprintf("+1%d%d4567", npa, nxx), "")
			require.NoError(t, err)
			if !phonenumbers.IsValidNumber(n) {
				continue
			}
			valid++
			region = phonenumbers.GetRegionCodeForNumber(n)
			geographic = phonenumbers.IsNumberGeographical(n) || phonenumbers.GetNumberType(n) == phonenumbers.MOBILE
			d, err := geocoding.GetDescriptionForNumber(n, "en")
			require.NoError(t, err)
			if i := strings.LastIndex(d, ", "); i >= 0 {
				d = d[i+2:]
			}
			if s, ok := stateNames[d]; ok {
				d = s
			}
			votes[d]++
		}
		code := fmt.Sprint(npa)
		a, inTable := LookupAreaCode(code)
		switch {
		case valid == 0:
			if inTable && a.Geographic {
				assert.Contains(t, nanpAheadOfPhonenumbers, npa, "area code %d is in our table but has no valid number", npa)
			}
		case !ours[region]:
			assert.False(t, inTable, "area code %d belongs to %s, not to the US or Canada", npa, region)
		case !geographic:
			if assert.True(t, inTable, "non-geographic area code %d (%s) is missing", npa, region) {
				assert.False(t, a.Geographic, "area code %d is not geographic", npa)
				assert.Empty(t, a.States)
			}
		default:
			if !assert.True(t, inTable, "area code %d (%s) is missing from the table", npa, region) {
				continue
			}
			assert.True(t, a.Geographic, npa)
			assert.Equal(t, region, a.Region, "region of %d", npa)
			best, bestN := "", 0
			for s, n := range votes {
				if n > bestN || n == bestN && s < best {
					best, bestN = s, n
				}
			}
			assert.Equal(t, best, a.States[0], "state of %d (geocoder votes %v)", npa, votes)
		}
	}
}

func TestNANPLookupAreaCode(t *testing.T) {
	a, ok := LookupAreaCode("415")
	require.True(t, ok)
	assert.Equal(t, AreaCode{NPA: "415", Region: "US", States: []string{"CA"}, Geographic: true}, a)

	a, ok = LookupAreaCode("867")
	require.True(t, ok)
	assert.Equal(t, []string{"YT", "NT", "NU"}, a.States)
	assert.Equal(t, "CA", a.Region)

	for _, code := range []string{"800", "833", "844", "855", "866", "877", "888", "500", "521", "533", "900", "700", "600"} {
		a, ok := LookupAreaCode(code)
		require.True(t, ok, code)
		assert.False(t, a.Geographic, code)
		assert.Empty(t, a.States, code)
		assert.Empty(t, a.Region, code)
		assert.NotEmpty(t, a.Service, code)
	}
	for _, code := range []string{"530", "531"} { // among the 5XX codes, yet California and Nebraska
		a, ok := LookupAreaCode(code)
		require.True(t, ok, code)
		assert.True(t, a.Geographic, code)
	}
	for _, code := range []string{"", "41", "4155", "abc", "911", "555", "123"} {
		_, ok := LookupAreaCode(code)
		assert.False(t, ok, code)
	}

	// The returned states are a copy.
	a, _ = LookupAreaCode("902")
	a.States[0] = "XX"
	b, _ := LookupAreaCode("902")
	assert.Equal(t, []string{"NS", "PE"}, b.States)
}

// Every state, DC, the five inhabited territories and every province and
// territory of Canada has an area code.
func TestNANPEveryJurisdictionCovered(t *testing.T) {
	want := strings.Fields(`AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI
		SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU MP AS AB BC MB NB NL NS PE ON QC SK YT NT NU`)
	got := map[string]bool{}
	for npa := range nanpGeographic {
		for _, s := range nanpStates(npa) {
			got[s] = true
		}
	}
	for _, s := range want {
		assert.True(t, got[s], s)
	}
	assert.Len(t, got, len(want))
}

func TestNANPRule(t *testing.T) {
	for nsn, want := range map[string]Reason{
		"4155552671": "",
		"2115551234": ReasonServiceNumber, "4111234": ReasonServiceNumber, "4154111234": ReasonServiceNumber,
		"4155551212": ReasonServiceNumber, "5551212": ReasonServiceNumber,
		"9005550000": ReasonPremiumRate, "2129761234": ReasonPremiumRate, "9761234": ReasonPremiumRate,
		"4155550100": ReasonFictionalNumber, "4155550199": ReasonFictionalNumber, "5550150": ReasonFictionalNumber,
		"4155550200": "", "4155550099": "", "4155551213": "", "4151114567": "",
		"411": ReasonServiceNumber, "41": "", "": "",
	} {
		assert.Equal(t, want, nanpRule(nsn), nsn)
	}
}

func TestNANPNonGeographicNotInGeographic(t *testing.T) {
	for npa := range nanpNonGeographic {
		_, clash := nanpGeographic[npa]
		assert.False(t, clash, npa)
	}
	assert.True(t, slices.IsSorted(nanpAheadOfPhonenumbers))
}
