package compliance

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rickar/cal/v2"

	"github.com/callstackhq/callstack/campaign"
)

// ErrUnknownState reports an address state that is neither a USPS or
// Canada Post code nor the full name of a state, district, territory or
// province.
var ErrUnknownState = errors.New("compliance: unknown state")

// NormalizeState returns the two-letter code of an address state written
// as a USPS or Canada Post code, an ISO 3166-2 code or the full English
// name, in any case ("fl", "Florida", "US-FL" → "FL"; "ontario" → "ON").
// It returns "" for an empty input and ErrUnknownState for anything else:
// a state the rules cannot read must never silently switch its law off.
func NormalizeState(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	sub, ok := campaign.LookupSubdivision(s)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownState, s)
	}
	return sub.Code, nil
}

// StateCountry returns the country ("US" or "CA") of a state or province
// code, or "" when the code is unknown.
func StateCountry(code string) string {
	if sub, ok := campaign.LookupSubdivision(code); ok {
		return sub.Country
	}
	return ""
}

// StateZones returns the IANA zones in which a person living in the state
// or province may be: every zone used in any part of it (Florida's
// panhandle keeps Central time; Arizona's Navajo Nation keeps daylight
// saving; Ontario's north-west keeps Central time). It returns nil for an
// unknown code. The slice is fresh.
//
// The table is ours. A zone that differs from the state's main zone only
// in a few small places is listed too: when the address says only "the
// state", the person may live in any of them, and a call must be legal in
// each (the cautious reading of the TCPA's "called party's local time").
func StateZones(code string) []string {
	sub, ok := campaign.LookupSubdivision(code)
	if !ok {
		return nil
	}
	return slices.Clone(stateZones[sub.Code])
}

var stateZones = map[string][]string{
	"AL": {"America/Chicago"}, "AK": {"America/Adak", "America/Anchorage"},
	"AZ": {"America/Denver", "America/Phoenix"}, "AR": {"America/Chicago"},
	"CA": {"America/Los_Angeles"}, "CO": {"America/Denver"}, "CT": {"America/New_York"},
	"DE": {"America/New_York"}, "DC": {"America/New_York"},
	"FL": {"America/Chicago", "America/New_York"}, "GA": {"America/New_York"},
	"HI": {"Pacific/Honolulu"}, "ID": {"America/Boise", "America/Los_Angeles"},
	"IL": {"America/Chicago"}, "IN": {"America/Chicago", "America/Indiana/Indianapolis"},
	"IA": {"America/Chicago"}, "KS": {"America/Chicago", "America/Denver"},
	"KY": {"America/Chicago", "America/New_York"}, "LA": {"America/Chicago"},
	"ME": {"America/New_York"}, "MD": {"America/New_York"}, "MA": {"America/New_York"},
	"MI": {"America/Detroit", "America/Menominee"}, "MN": {"America/Chicago"},
	"MS": {"America/Chicago"}, "MO": {"America/Chicago"}, "MT": {"America/Denver"},
	"NE": {"America/Chicago", "America/Denver"}, "NV": {"America/Denver", "America/Los_Angeles"},
	"NH": {"America/New_York"}, "NJ": {"America/New_York"}, "NM": {"America/Denver"},
	"NY": {"America/New_York"}, "NC": {"America/New_York"},
	"ND": {"America/Chicago", "America/Denver"}, "OH": {"America/New_York"},
	"OK": {"America/Chicago"}, "OR": {"America/Boise", "America/Los_Angeles"},
	"PA": {"America/New_York"}, "RI": {"America/New_York"}, "SC": {"America/New_York"},
	"SD": {"America/Chicago", "America/Denver"}, "TN": {"America/Chicago", "America/New_York"},
	"TX": {"America/Chicago", "America/Denver"}, "UT": {"America/Denver"}, "VT": {"America/New_York"},
	"VA": {"America/New_York"}, "WA": {"America/Los_Angeles"}, "WV": {"America/New_York"},
	"WI": {"America/Chicago"}, "WY": {"America/Denver"},
	"PR": {"America/Puerto_Rico"}, "VI": {"America/St_Thomas"}, "GU": {"Pacific/Guam"},
	"MP": {"Pacific/Saipan"}, "AS": {"Pacific/Pago_Pago"},
	"AB": {"America/Edmonton"}, "BC": {"America/Dawson_Creek", "America/Edmonton", "America/Vancouver"},
	"MB": {"America/Winnipeg"}, "NB": {"America/Moncton"}, "NL": {"America/Goose_Bay", "America/St_Johns"},
	"NS": {"America/Halifax"}, "NT": {"America/Inuvik", "America/Yellowknife"},
	"NU": {"America/Cambridge_Bay", "America/Iqaluit", "America/Rankin_Inlet"},
	"ON": {"America/Atikokan", "America/Toronto", "America/Winnipeg"}, "PE": {"America/Halifax"},
	"QC": {"America/Blanc-Sablon", "America/Toronto"}, "SK": {"America/Edmonton", "America/Regina"},
	"YT": {"America/Whitehorse"},
}

// CountryRule is the national calling-time law of one country, applied in
// the called party's local time on top of the rows of its states or
// provinces: the TCPA in the US, the CRTC's Unsolicited
// Telecommunications Rules in Canada.
type CountryRule struct {
	// Country is the ISO 3166-1 alpha-2 code, e.g. "CA". Required; stored
	// in upper case.
	Country string
	// Hours are the legal calling hours on days without an entry in
	// DayHours. Required.
	Hours Interval
	// DayHours override Hours on given weekdays (Canada: Saturday and
	// Sunday 10:00–18:00). A zero Interval closes that day. Defaults to
	// none.
	DayHours map[time.Weekday]Interval
	// NoSunday bans calls on Sundays nationwide.
	NoSunday bool
	// NoHolidays bans calls on Holidays nationwide.
	NoHolidays bool
	// Holidays is the calendar NoHolidays uses. Required when NoHolidays.
	Holidays []*cal.Holiday
	// Source cites the statute or regulation.
	Source string
	// Note says where the rule covers only some calls, and which reading
	// the row takes where the law is unclear.
	Note string
}

// asRow turns a country rule into the row the evaluator reads; State holds
// the country code.
func (c CountryRule) asRow() StateRule {
	return StateRule{State: strings.ToUpper(c.Country), Country: strings.ToUpper(c.Country), Hours: c.Hours, DayHours: c.DayHours,
		NoSunday: c.NoSunday, NoHolidays: c.NoHolidays, Holidays: c.Holidays, Source: c.Source, Note: c.Note}
}

// Validate returns ErrInvalidRule for a rule without a two-letter country
// or hours, with invalid hours, or with a holiday ban and no calendar.
func (c CountryRule) Validate() error {
	if len(c.Country) != 2 || strings.ContainsAny(c.Country, " \t") {
		return fmt.Errorf("%w: country %q", ErrInvalidRule, c.Country)
	}
	if c.Hours == (Interval{}) {
		return fmt.Errorf("%w: %s: hours are required", ErrInvalidRule, c.Country)
	}
	if c.NoHolidays && len(c.Holidays) == 0 {
		return fmt.Errorf("%w: %s: a holiday ban needs Holidays", ErrInvalidRule, c.Country)
	}
	row := c.asRow()
	row.Country = ""
	return row.Validate()
}

// CanadaSource cites the CRTC calling-hours rule.
const CanadaSource = "CRTC Unsolicited Telecommunications Rules, Part III (Telemarketing Rules): telemarketing telecommunications only 9:00 a.m.–9:30 p.m. on weekdays and 10:00 a.m.–6:00 p.m. on weekends, the called party's local time (Telecom Decision CRTC 2007-48)"

// DefaultCountryRules returns a fresh copy of the built-in national rules:
// the US federal hours (47 CFR 64.1200(c)(1)) and Canada's CRTC hours.
func DefaultCountryRules() []CountryRule {
	weekend := Interval{Start: At(10, 0), End: At(18, 0)}
	return []CountryRule{
		{Country: "US", Hours: FederalHours(), Source: FederalSource},
		{Country: "CA", Hours: Interval{Start: At(9, 0), End: At(21, 30)},
			DayHours: map[time.Weekday]Interval{time.Saturday: weekend, time.Sunday: weekend},
			Source:   CanadaSource,
			Note: "The CRTC hours yield to stricter provincial law; no province's statute we reviewed sets stricter hours for live telemarketing, so provinces have no rows (add them with Rules.With, Country \"CA\"). " +
				"Automatic dialing-announcing devices (ADAD, Part IV) have narrower hours (weekdays 9:30–20:00, weekends 10:30–17:00) and may not be used to solicit at all; campaigns with prerecorded voice must narrow their window.",
		},
	}
}
