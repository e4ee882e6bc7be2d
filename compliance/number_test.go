package compliance

import (
	"errors"
	"testing"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkBoth runs raw through Check and CheckSlow of c and requires the same
// answer from both.
func checkBoth(t *testing.T, c *Checker, raw string) (NumberFacts, error) {
	t.Helper()
	f, err := c.Check(raw)
	sf, serr := c.CheckSlow(raw)
	require.Equal(t, sf, f, "facts of %q: fast vs slow", raw)
	require.Equal(t, ReasonOf(serr), ReasonOf(err), "reason of %q: fast vs slow", raw)
	return f, err
}

func TestNumberCheckFormats(t *testing.T) {
	sf := []string{"America/Los_Angeles"}
	tests := []struct {
		raw    string
		region string // default region; "" is US
		reason Reason
		e164   string
		ext    string
		typ    NumberType
		tz     []string
		states []string
		warn   []NumberWarning
	}{
		{raw: "(415) 555-2671", e164: "+14155552671", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "415.555.2671", e164: "+14155552671", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "+1 415 555 2671", e164: "+14155552671", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "1-415-555-2671", e164: "+14155552671", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "  4155552671  ", e164: "+14155552671", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "+1 415 555 2671", region: "GB", e164: "+14155552671", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "415-555-2671 ext. 12", e164: "+14155552671", ext: "12", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "415-555-2671 x12", e164: "+14155552671", ext: "12", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "+1 416 555 2671", e164: "+14165552671", typ: NumberTypeFixedLineOrMobile, tz: []string{"America/Toronto"}, states: []string{"ON"}},
		{raw: "+1 902 555 2671", e164: "+19025552671", typ: NumberTypeFixedLineOrMobile, tz: []string{"America/Halifax"}, states: []string{"NS", "PE"}},
		{raw: "208-555-2671", e164: "+12085552671", typ: NumberTypeFixedLineOrMobile,
			tz: []string{"America/Boise", "America/Los_Angeles"}, states: []string{"ID"}, warn: []NumberWarning{NumberWarningMultipleTimezones}},
		{raw: "787-555-2671", e164: "+17875552671", typ: NumberTypeFixedLineOrMobile, tz: []string{"America/Puerto_Rico"}, states: []string{"PR"}},
		{raw: "+1 800 555 2671", e164: "+18005552671", typ: NumberTypeTollFree, warn: []NumberWarning{NumberWarningNoGeographicZone}},
		{raw: "1-800-FLOWERS", e164: "+18003569377", typ: NumberTypeTollFree, warn: []NumberWarning{NumberWarningNoGeographicZone}},
		{raw: "+1 876 555 2671", e164: "+18765552671", typ: NumberTypeMobile, tz: []string{"America/Jamaica"}},
		{raw: "+49 30 1234567", e164: "+49301234567", typ: NumberTypeFixedLine, tz: []string{"Europe/Berlin"}},
		{raw: "020 7123 4567", region: "GB", e164: "+442071234567", typ: NumberTypeFixedLine, tz: []string{"Europe/London"}},
		{raw: "07400 123456", region: "gb", e164: "+447400123456", typ: NumberTypeMobile, warn: []NumberWarning{NumberWarningMultipleTimezones},
			tz: []string{"Europe/Guernsey", "Europe/Isle_of_Man", "Europe/Jersey", "Europe/London"}},
		// A Russian mobile may be anywhere in +7, which phonenumbers says
		// includes Kazakhstan and, oddly, Europe/Bucharest.
		{raw: "+7 984 123 4567", e164: "+79841234567", typ: NumberTypeMobile, warn: []NumberWarning{NumberWarningMultipleTimezones}, tz: []string{
			"Asia/Almaty", "Asia/Anadyr", "Asia/Aqtobe", "Asia/Irkutsk", "Asia/Kamchatka", "Asia/Krasnoyarsk", "Asia/Magadan", "Asia/Novosibirsk",
			"Asia/Omsk", "Asia/Sakhalin", "Asia/Vladivostok", "Asia/Yakutsk", "Asia/Yekaterinburg", "Europe/Bucharest", "Europe/Moscow", "Europe/Samara"}},
		{raw: "+1 246 521 1234", e164: "+12465211234", typ: NumberTypeMobile, tz: []string{"America/Barbados"}},
		{raw: "+1 246 521 0234", e164: "+12465210234", typ: NumberTypeFixedLine, tz: []string{"America/Barbados"}},
		{raw: "+61 412 345 678", e164: "+61412345678", typ: NumberTypeMobile, warn: []NumberWarning{NumberWarningMultipleTimezones},
			tz: []string{"Australia/Adelaide", "Australia/Brisbane", "Australia/Eucla", "Australia/Lord_Howe", "Australia/Perth", "Australia/Sydney", "Indian/Christmas", "Indian/Cocos"}},

		{raw: "", reason: ReasonMissingPhone},
		{raw: "   ", reason: ReasonMissingPhone},
		{raw: "call me", reason: ReasonUnparseablePhone},
		{raw: "+999 1234 5678", reason: ReasonUnparseablePhone},
		{raw: "911", reason: ReasonEmergencyNumber, e164: "+1911"},
		{raw: "+1 911", reason: ReasonEmergencyNumber, e164: "+1911"},
		{raw: "9112345", reason: ReasonEmergencyNumber, e164: "+19112345"},
		{raw: "911-555-1234", reason: ReasonEmergencyNumber, e164: "+19115551234"},
		{raw: "112", reason: ReasonEmergencyNumber, e164: "+1112"},
		{raw: "999", region: "GB", reason: ReasonEmergencyNumber, e164: "+44999"},
		{raw: "+44 999", reason: ReasonEmergencyNumber, e164: "+44999"},
		{raw: "411", reason: ReasonServiceNumber, e164: "+1411"},
		{raw: "211", reason: ReasonServiceNumber, e164: "+1211"},
		{raw: "+1 311", reason: ReasonServiceNumber, e164: "+1311"},
		{raw: "611", reason: ReasonServiceNumber, e164: "+1611"},
		{raw: "811-555-1234", reason: ReasonServiceNumber, e164: "+18115551234"},
		{raw: "415-411-1234", reason: ReasonServiceNumber, e164: "+14154111234", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "555-1212", reason: ReasonServiceNumber, e164: "+15551212"},
		{raw: "212-555-1212", reason: ReasonServiceNumber, e164: "+12125551212", typ: NumberTypeFixedLineOrMobile,
			tz: []string{"America/New_York"}, states: []string{"NY"}},
		{raw: "118 118", region: "GB", reason: ReasonServiceNumber, e164: "+44118118"},
		{raw: "+1 900 555 0000", reason: ReasonPremiumRate, e164: "+19005550000", typ: NumberTypePremiumRate, warn: []NumberWarning{NumberWarningNoGeographicZone}},
		{raw: "212-976-1234", reason: ReasonPremiumRate, e164: "+12129761234", typ: NumberTypeFixedLineOrMobile,
			tz: []string{"America/New_York"}, states: []string{"NY"}},
		{raw: "09098 790123", region: "GB", reason: ReasonPremiumRate, e164: "+449098790123", typ: NumberTypePremiumRate, // drama range, premium first
			tz: []string{"Europe/Guernsey", "Europe/Isle_of_Man", "Europe/Jersey", "Europe/London"}, warn: []NumberWarning{NumberWarningMultipleTimezones}},
		{raw: "415-555-0123", reason: ReasonFictionalNumber, e164: "+14155550123", typ: NumberTypeFixedLineOrMobile, tz: sf, states: []string{"CA"}},
		{raw: "555-0100", reason: ReasonFictionalNumber, e164: "+15550100"},
		{raw: "+44 20 7946 0958", reason: ReasonFictionalNumber, e164: "+442079460958", typ: NumberTypeFixedLine, tz: []string{"Europe/London"}},
		{raw: "020 7946 0000", region: "GB", reason: ReasonFictionalNumber, e164: "+442079460000", typ: NumberTypeFixedLine, tz: []string{"Europe/London"}},
		{raw: "07700 900123", region: "GB", reason: ReasonFictionalNumber, e164: "+447700900123"},
		{raw: "415-055-2671", reason: ReasonInvalidPhone, e164: "+14150552671"},
		{raw: "555-2671", reason: ReasonInvalidPhone, e164: "+15552671"},
		{raw: "+1 999 555 2671", reason: ReasonInvalidPhone, e164: "+19995552671"},
		{raw: "+1 500 555 2671", reason: ReasonUnsupportedNumberType, e164: "+15005552671", typ: NumberTypePersonalNumber, warn: []NumberWarning{NumberWarningNoGeographicZone}},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			c := &Checker{DefaultRegion: tc.region}
			f, err := checkBoth(t, c, tc.raw)
			if tc.reason == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrUnsafeNumber)
				var ne *NumberError
				require.ErrorAs(t, err, &ne)
				assert.Equal(t, tc.reason, ne.Reason)
				assert.Equal(t, tc.raw, ne.Input)
				if tc.raw != "" && tc.raw != "   " {
					assert.NotContains(t, err.Error(), tc.raw, "the error text must not leak the number")
				}
				if tc.typ == "" {
					tc.typ = f.Type // the type of a refused number is not under test unless given
				}
				if tc.reason == ReasonMissingPhone || tc.reason == ReasonUnparseablePhone {
					assert.Equal(t, NumberFacts{}, f)
					return
				}
				if tc.warn == nil && f.HasWarning(NumberWarningNoGeographicZone) && tc.tz == nil {
					tc.warn = f.Warnings
				}
			}
			assert.Equal(t, tc.e164, f.E164)
			assert.Equal(t, tc.ext, f.Extension)
			assert.Equal(t, tc.typ, f.Type)
			assert.Equal(t, tc.tz, f.Timezones)
			assert.Equal(t, tc.states, f.States)
			assert.Equal(t, tc.warn, f.Warnings)
		})
	}
}

func TestNumberFactsFields(t *testing.T) {
	var c Checker
	f, err := c.Check("415-555-2671 ext. 12")
	require.NoError(t, err)
	assert.Equal(t, NumberFacts{
		E164: "+14155552671", Region: "US", CountryCode: 1, NationalNumber: "4155552671", Extension: "12",
		Type: NumberTypeFixedLineOrMobile, Timezones: []string{"America/Los_Angeles"}, States: []string{"CA"},
	}, f)

	f, err = c.Check("+44 20 7123 4567")
	require.NoError(t, err)
	assert.Equal(t, "GB", f.Region)
	assert.Equal(t, 44, f.CountryCode)
	assert.Equal(t, "2071234567", f.NationalNumber)
	assert.Empty(t, f.States)
}

func TestNumberFactsState(t *testing.T) {
	assert.Equal(t, "CA", NumberFacts{States: []string{"CA"}}.State())
	assert.Equal(t, "", NumberFacts{States: []string{"NS", "PE"}}.State())
	assert.Equal(t, "", NumberFacts{}.State())
}

func TestNumberFactsAreCopies(t *testing.T) {
	var c Checker
	f, err := c.Check("415-555-2671")
	require.NoError(t, err)
	f.Timezones[0] = "Mars/Olympus"
	f.States[0] = "XX"
	g, err := c.Check("415-555-2672")
	require.NoError(t, err)
	assert.Equal(t, []string{"America/Los_Angeles"}, g.Timezones)
	assert.Equal(t, []string{"CA"}, g.States)
}

func TestNumberAllowedCountries(t *testing.T) {
	c := &Checker{AllowedCountries: []string{"us", "CA"}}
	for raw, want := range map[string]Reason{
		"(415) 555-2671":   "",
		"+1 416 555 2671":  "",
		"+1 787 555 2671":  ReasonCountryNotAllowed, // Puerto Rico is its own region
		"+1 876 555 2671":  ReasonCountryNotAllowed,
		"+44 20 7123 4567": ReasonCountryNotAllowed,
		"911":              ReasonEmergencyNumber, // safety rules come first
	} {
		_, err := checkBoth(t, c, raw)
		assert.Equal(t, want, ReasonOf(err), raw)
	}
}

func TestNumberErrorWrapsCause(t *testing.T) {
	var c Checker
	_, err := c.Check("+999 1234 5678")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnsafeNumber)
	assert.ErrorIs(t, err, phonenumbers.ErrInvalidCountryCode)
	assert.Contains(t, err.Error(), "compliance: unsafe phone number: unparseable_phone")
	assert.Equal(t, Reason(""), ReasonOf(errors.New("other")))
	assert.Equal(t, Reason(""), ReasonOf(nil))
}

func TestNormalize(t *testing.T) {
	got, err := Normalize("(415) 555-2671", "")
	require.NoError(t, err)
	assert.Equal(t, "+14155552671", got)

	got, err = Normalize("020 7123 4567", "GB")
	require.NoError(t, err)
	assert.Equal(t, "+442071234567", got)

	got, err = Normalize("415-555-2671 x99", "US")
	require.NoError(t, err)
	assert.Equal(t, "+14155552671", got, "the extension is not part of E.164")

	_, err = Normalize("+1 911", "US")
	assert.Equal(t, ReasonEmergencyNumber, ReasonOf(err))
	_, err = Normalize("", "US")
	assert.Equal(t, ReasonMissingPhone, ReasonOf(err))
	_, err = Normalize("4155552671", "XX")
	assert.Equal(t, ReasonUnparseablePhone, ReasonOf(err), "an unknown default region cannot read national numbers")
}

func TestCheckerValidate(t *testing.T) {
	var zero Checker
	require.NoError(t, zero.Validate())
	require.NoError(t, (&Checker{DefaultRegion: "gb", AllowedCountries: []string{"US", "pr"}}).Validate())
	require.Error(t, (&Checker{DefaultRegion: "XX"}).Validate())
	require.Error(t, (&Checker{AllowedCountries: []string{"USA"}}).Validate())
}

// The rules lean on phonenumbers behaviour that is easy to misremember;
// these pin it down so an upgrade that changes it fails here.
func TestNumberPhonenumbersEdgeCases(t *testing.T) {
	// A country code before an emergency number is not an emergency number
	// to phonenumbers; that is why the rule reads the national digits.
	assert.False(t, phonenumbers.ConnectsToEmergencyNumber("+1 911", "US"))
	assert.True(t, phonenumbers.ConnectsToEmergencyNumber("9112345", "US"))
	assert.False(t, phonenumbers.IsEmergencyNumber("9112345", "US"))

	// "+1911" parses: a three-digit national number, invalid.
	n, err := phonenumbers.Parse("+1 911", "GB")
	require.NoError(t, err)
	assert.Equal(t, "911", phonenumbers.GetNationalSignificantNumber(n))
	assert.False(t, phonenumbers.IsValidNumber(n))

	// 555 exchanges, 976 and N11 exchanges are all valid to phonenumbers:
	// the NANP digit rules are ours.
	for _, s := range []string{"+14155550123", "+12125551212", "+12129761234", "+14154111234"} {
		n, err := phonenumbers.Parse(s, "")
		require.NoError(t, err)
		assert.True(t, phonenumbers.IsValidNumber(n), s)
	}

	// The Ofcom drama range 020 7946 0xxx is a valid London number to
	// phonenumbers, the drama mobile range 07700 900xxx is not.
	n, err = phonenumbers.Parse("+442079460958", "")
	require.NoError(t, err)
	assert.True(t, phonenumbers.IsValidNumber(n))
	n, err = phonenumbers.Parse("+447700900123", "")
	require.NoError(t, err)
	assert.False(t, phonenumbers.IsValidNumber(n))

	// Toll-free numbers resolve to every zone of the plan, not to none.
	n, err = phonenumbers.Parse("+18005552671", "")
	require.NoError(t, err)
	assert.False(t, phonenumbers.IsNumberGeographical(n))

	// Area codes 530 and 531 sit among the 5XX personal-communications
	// codes but are California and Nebraska.
	for _, s := range []string{"+15305552671", "+15315552671"} {
		n, err := phonenumbers.Parse(s, "")
		require.NoError(t, err)
		assert.Equal(t, phonenumbers.FIXED_LINE_OR_MOBILE, phonenumbers.GetNumberType(n), s)
	}
}
