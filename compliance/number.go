package compliance

import (
	"errors"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/nyaruka/phonenumbers/v2/timezone"
)

// Reason is the stable code of a phone-number refusal. Reasons are stored
// with blocks and rejected import rows, so their values never change.
type Reason string

// Reasons a phone number is refused, in the order the rules run: the first
// rule that matches decides.
const (
	// ReasonMissingPhone: the input is empty or only spaces.
	ReasonMissingPhone Reason = "missing_phone"
	// ReasonUnparseablePhone: phonenumbers cannot read the input as a
	// number (letters only, too short or too long, unknown country code, a
	// national number with an unknown default region).
	ReasonUnparseablePhone Reason = "unparseable_phone"
	// ReasonEmergencyNumber: the national digits are, or start with, an
	// emergency number of the number's region (911, 112, 999, ...), so
	// "911", "+1 911" and "9112345" are all refused.
	ReasonEmergencyNumber Reason = "emergency_number"
	// ReasonServiceNumber: an N11 service code (211 ... 811) at the start
	// or as the exchange, directory assistance (555-1212, NPA-555-1212), or
	// a short service number of the region (UK 100, 118 118, US 611, ...).
	ReasonServiceNumber Reason = "service_number"
	// ReasonPremiumRate: phonenumbers type PREMIUM_RATE, NANP area code
	// 900, or the NANP 976 exchange.
	ReasonPremiumRate Reason = "premium_rate"
	// ReasonFictionalNumber: numbers reserved for fiction, NANP 555-0100 to
	// 555-0199 (with or without area code) and the Ofcom drama ranges
	// (020 7946 0xxx, 0161 496 0xxx, 07700 900xxx, ...).
	ReasonFictionalNumber Reason = "fictional_number"
	// ReasonInvalidPhone: phonenumbers parses the number but the metadata
	// of its country does not accept it, or a NANP number has other than
	// ten national digits.
	ReasonInvalidPhone Reason = "invalid_phone"
	// ReasonUnsupportedNumberType: a valid number whose type is unknown or
	// PERSONAL_NUMBER (NANP 5XX personal communications, UK 070), which
	// follows its owner anywhere and has no calling zone.
	ReasonUnsupportedNumberType Reason = "unsupported_number_type"
	// ReasonCountryNotAllowed: the number's region is not in the
	// checker's AllowedCountries.
	ReasonCountryNotAllowed Reason = "country_not_allowed"
)

// ErrUnsafeNumber is wrapped by every *NumberError: errors.Is(err,
// ErrUnsafeNumber) tells a refused number from any other failure.
var ErrUnsafeNumber = errors.New("compliance: unsafe phone number")

// NumberError reports why a phone number may not be called.
type NumberError struct {
	// Reason is the stable code of the refusal.
	Reason Reason
	// Input is the raw text that was checked. It is not part of Error(),
	// which keeps phone numbers out of logs.
	Input string
	// Err is the sentinel, ErrUnsafeNumber.
	Err error
	// Cause is the phonenumbers error behind ReasonUnparseablePhone, and
	// nil otherwise.
	Cause error
}

// Error returns "compliance: unsafe phone number: <reason>", followed by the
// phonenumbers error when there is one.
func (e *NumberError) Error() string {
	msg := "compliance: unsafe phone number: " + string(e.Reason)
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the sentinel and, when set, the phonenumbers cause, so
// errors.Is works with both.
func (e *NumberError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// ReasonOf returns the Reason of the *NumberError in err's chain, or "" when
// there is none.
func ReasonOf(err error) Reason {
	var ne *NumberError
	if errors.As(err, &ne) {
		return ne.Reason
	}
	return ""
}

// NumberType is the kind of line a number reaches, named after the
// phonenumbers types in lower snake case.
type NumberType string

// Number types. NANP metadata does not tell fixed lines from mobiles, so
// US and Canadian geographic numbers are NumberTypeFixedLineOrMobile.
const (
	// NumberTypeFixedLine is a landline.
	NumberTypeFixedLine NumberType = "fixed_line"
	// NumberTypeMobile is a mobile phone.
	NumberTypeMobile NumberType = "mobile"
	// NumberTypeFixedLineOrMobile is either; the metadata cannot tell (all of the US and Canada).
	NumberTypeFixedLineOrMobile NumberType = "fixed_line_or_mobile"
	// NumberTypeTollFree is free to the caller (NANP 8XX).
	NumberTypeTollFree NumberType = "toll_free"
	// NumberTypePremiumRate is charged above normal rates (refused).
	NumberTypePremiumRate NumberType = "premium_rate"
	// NumberTypeSharedCost is cost shared between caller and callee.
	NumberTypeSharedCost NumberType = "shared_cost"
	// NumberTypeVoIP is a VoIP service.
	NumberTypeVoIP NumberType = "voip"
	// NumberTypePersonalNumber is a follow-me number (refused).
	NumberTypePersonalNumber NumberType = "personal_number"
	// NumberTypePager is a pager.
	NumberTypePager NumberType = "pager"
	// NumberTypeUAN is a universal access number of a company.
	NumberTypeUAN NumberType = "uan"
	// NumberTypeVoicemail is a voicemail access number.
	NumberTypeVoicemail NumberType = "voicemail"
	// NumberTypeUnknown is none of the above (refused).
	NumberTypeUnknown NumberType = "unknown"
)

// numberTypeOf maps a phonenumbers type to ours.
func numberTypeOf(t phonenumbers.PhoneNumberType) NumberType {
	switch t {
	case phonenumbers.FIXED_LINE:
		return NumberTypeFixedLine
	case phonenumbers.MOBILE:
		return NumberTypeMobile
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return NumberTypeFixedLineOrMobile
	case phonenumbers.TOLL_FREE:
		return NumberTypeTollFree
	case phonenumbers.PREMIUM_RATE:
		return NumberTypePremiumRate
	case phonenumbers.SHARED_COST:
		return NumberTypeSharedCost
	case phonenumbers.VOIP:
		return NumberTypeVoIP
	case phonenumbers.PERSONAL_NUMBER:
		return NumberTypePersonalNumber
	case phonenumbers.PAGER:
		return NumberTypePager
	case phonenumbers.UAN:
		return NumberTypeUAN
	case phonenumbers.VOICEMAIL:
		return NumberTypeVoicemail
	}
	return NumberTypeUnknown
}

// NumberWarning flags an accepted number that needs care when it is
// scheduled.
type NumberWarning string

// Number warnings.
const (
	// NumberWarningNoGeographicZone: the number cannot be placed in a time
	// zone, and Timezones is empty: a plan-wide NANP number (toll-free,
	// premium, personal, Canadian 600) or a number with no zone in the
	// data. Such a number is not callable unless the campaign sets a
	// fallback zone. Non-geographic numbers of other countries keep their
	// country's zones as candidates (see NumberFacts.Timezones).
	NumberWarningNoGeographicZone NumberWarning = "no_geographic_zone"
	// NumberWarningMultipleTimezones: the number has several candidate
	// zones (area code 208 spans Boise and Los Angeles); a calling window
	// must hold in every one.
	NumberWarningMultipleTimezones NumberWarning = "multiple_timezones"
)

// NumberFacts is what the compliance rules know about a phone number.
type NumberFacts struct {
	// E164 is the number in E.164 form, "+14155552671", without extension.
	E164 string
	// Region is the CLDR region of the number ("US", "CA", "GB", "PR"), or
	// "001" for non-geographic entities; empty when the number is invalid.
	Region string
	// CountryCode is the calling code, 1 for the whole NANP.
	CountryCode int
	// NationalNumber is the national significant number, "4155552671".
	NationalNumber string
	// Extension is the extension written after the number ("12" from
	// "ext. 12" or "x12"); it is kept here and never part of E164.
	Extension string
	// Type is the kind of line the number reaches; NumberTypeUnknown for
	// a number that is not valid (Region, Timezones and States are then
	// empty too).
	Type NumberType
	// Timezones are the candidate IANA zones of the number, sorted; empty
	// when unknown (see NumberWarningNoGeographicZone). A geographic number
	// gets the zones of its prefix; a non-geographic one outside the NANP
	// (most mobiles) gets every zone of its country, so a calling window
	// must hold in each candidate.
	Timezones []string
	// States are the US states, territories or Canadian provinces of the
	// number's area code, from our NANP table; empty outside the US and
	// Canada and for non-geographic numbers.
	States []string
	// Warnings flag facts that matter when scheduling calls.
	Warnings []NumberWarning
}

// State returns the one state or province of the number's area code, or ""
// when there is none or several (902 and 782 serve NS and PE; 867 serves
// YT, NT and NU); see States for all of them.
func (f NumberFacts) State() string {
	if len(f.States) == 1 {
		return f.States[0]
	}
	return ""
}

// HasWarning reports whether the facts carry w.
func (f NumberFacts) HasWarning(w NumberWarning) bool {
	return slices.Contains(f.Warnings, w)
}

// Normalize returns raw in E.164 form when it is a number that may be
// called, reading national numbers in defaultRegion (a CLDR region code;
// empty means "US"). It applies every rule of Checker.Check except the
// country allow-list, so an emergency, premium or invalid number is an
// error, a *NumberError wrapping ErrUnsafeNumber, never a normalised
// number. An extension is dropped from the result.
func Normalize(raw, defaultRegion string) (string, error) {
	f, err := checkSlow(raw, regionOrDefault(defaultRegion), nil)
	if err != nil {
		return "", err
	}
	return f.E164, nil
}

// regionOrDefault upper-cases a region code and defaults it to "US".
func regionOrDefault(r string) string {
	if r == "" {
		return "US"
	}
	return strings.ToUpper(r)
}

// lineFacts is what phonenumbers says about one number. For a NANP number
// of a memoisable exchange every field depends on the area code and
// exchange only, which is what the fast path caches.
type lineFacts struct {
	valid        bool
	emergency    bool
	shortService bool
	numType      phonenumbers.PhoneNumberType
	region       string
	timezones    []string
	noZone       bool
	states       []string
}

// lookupLine asks phonenumbers (the expensive part, ~40 µs) about a parsed
// number whose national significant number is nsn.
func lookupLine(num *phonenumbers.PhoneNumber, nsn string, defaultRegion string) *lineFacts {
	cc := int(num.GetCountryCode())
	lf := &lineFacts{valid: phonenumbers.IsValidNumber(num)}
	// The region whose emergency and short numbers apply: the number's own
	// when valid, else the default region when it shares the calling code,
	// else the main region of the calling code.
	ruleRegion := ""
	if lf.valid {
		lf.region = phonenumbers.GetRegionCodeForNumber(num)
		ruleRegion = lf.region
	}
	if ruleRegion == "" || ruleRegion == "001" {
		if phonenumbers.GetCountryCodeForRegion(defaultRegion) == cc {
			ruleRegion = defaultRegion
		} else {
			ruleRegion = phonenumbers.GetRegionCodeForCountryCode(cc)
		}
	}
	// phonenumbers refuses "+1911" as an emergency number (it assumes a
	// country code prefix does not reach emergency services), so the rule
	// runs on the national digits.
	lf.emergency = phonenumbers.IsEmergencyNumber(nsn, ruleRegion) ||
		phonenumbers.ConnectsToEmergencyNumber(nsn, ruleRegion)
	if !lf.valid {
		lf.shortService = phonenumbers.IsValidShortNumberForRegion(num, ruleRegion)
		lf.noZone = true
		return lf
	}
	lf.numType = phonenumbers.GetNumberType(num)
	geographic := phonenumbers.IsNumberGeographicalForType(lf.numType, cc)
	lf.timezones = numberZones(num, cc, geographic)
	lf.noZone = len(lf.timezones) == 0
	if cc == 1 && len(nsn) == 10 {
		if npa, ok := parseNPA(nsn[:3]); ok && geographic {
			lf.states = nanpStates(npa)
		}
	}
	return lf
}

// numberZones returns the sorted candidate zones of a valid number, nil when
// unknown.
//
// phonenumbers places a geographic number by the longest prefix of its
// digits and a non-geographic one by its calling code alone. Outside the
// NANP that country-wide list is kept (UK mobiles: London, Guernsey, Jersey,
// Isle of Man; Russian mobiles: sixteen zones), and a calling window must
// hold in each. Inside the NANP the calling-code list is the 42 zones of the
// whole plan, Guam to Newfoundland, which says nothing: toll-free and other
// plan-wide numbers get no zone. A Caribbean mobile, though, is
// non-geographic to phonenumbers while its area code names its island, so
// NANP numbers are looked up by prefix and only a plan-wide answer is
// dropped. (Prefix lookup is not safe outside the NANP: it puts every
// Russian mobile in Moscow and every Australian one in Sydney.)
func numberZones(num *phonenumbers.PhoneNumber, cc int, geographic bool) []string {
	tzs, err := timezone.GetTimeZonesForNumber(num)
	if err != nil {
		return nil
	}
	if cc == 1 && !geographic {
		byPrefix, err := timezone.GetTimeZonesForGeographicalNumber(num)
		if err != nil || slices.Equal(byPrefix, tzs) {
			return nil
		}
		tzs = byPrefix
	}
	tzs = slices.DeleteFunc(slices.Clone(tzs), func(z string) bool { return z == timezone.Unknown })
	if len(tzs) == 0 {
		return nil
	}
	slices.Sort(tzs)
	return tzs
}

// judge applies the rules to a number, first match wins, and returns "" when
// the number may be called.
func judge(cc int, nsn string, lf *lineFacts, allowed []string) Reason {
	if lf.emergency {
		return ReasonEmergencyNumber
	}
	if lf.shortService {
		return ReasonServiceNumber
	}
	var digitRule Reason
	switch cc {
	case 1:
		digitRule = nanpRule(nsn)
		if digitRule == "" && len(nsn) != nanpNationalDigits {
			// phonenumbers accepts some short NANP strings (Canada's
			// seven-digit 310-xxxx universal access numbers), so a truncated
			// "(310) 471-6" would pass as valid: every dialable NANP number
			// has exactly ten national digits.
			return ReasonInvalidPhone
		}
	case 44:
		for _, p := range gbFictionalPrefixes {
			if strings.HasPrefix(nsn, p) {
				digitRule = ReasonFictionalNumber
				break
			}
		}
	}
	if digitRule == ReasonServiceNumber {
		return digitRule
	}
	if lf.numType == phonenumbers.PREMIUM_RATE || digitRule == ReasonPremiumRate {
		return ReasonPremiumRate
	}
	if digitRule != "" {
		return digitRule
	}
	if !lf.valid {
		return ReasonInvalidPhone
	}
	if lf.numType == phonenumbers.UNKNOWN || lf.numType == phonenumbers.PERSONAL_NUMBER {
		return ReasonUnsupportedNumberType
	}
	if len(allowed) > 0 && !slices.ContainsFunc(allowed, func(r string) bool { return strings.EqualFold(r, lf.region) }) {
		return ReasonCountryNotAllowed
	}
	return ""
}

// buildFacts assembles the facts of a number; the slices are fresh copies,
// so callers may keep or change them.
func buildFacts(e164 string, cc int, nsn, ext string, lf *lineFacts) NumberFacts {
	if !lf.valid || (cc == 1 && len(nsn) != nanpNationalDigits) {
		// An invalid number has no type, region or zone: say so rather
		// than repeat what phonenumbers guesses from its prefix.
		return NumberFacts{E164: e164, CountryCode: cc, NationalNumber: nsn, Extension: ext,
			Type: NumberTypeUnknown, Warnings: []NumberWarning{NumberWarningNoGeographicZone}}
	}
	f := NumberFacts{
		E164:           e164,
		Region:         lf.region,
		CountryCode:    cc,
		NationalNumber: nsn,
		Extension:      ext,
		Type:           numberTypeOf(lf.numType),
		Timezones:      slices.Clone(lf.timezones),
		States:         slices.Clone(lf.states),
	}
	if lf.noZone {
		f.Warnings = append(f.Warnings, NumberWarningNoGeographicZone)
	}
	if len(lf.timezones) > 1 {
		f.Warnings = append(f.Warnings, NumberWarningMultipleTimezones)
	}
	return f
}

// checkSlow runs every rule through phonenumbers, with no memoisation.
func checkSlow(raw, defaultRegion string, allowed []string) (NumberFacts, error) {
	if strings.TrimSpace(raw) == "" {
		return NumberFacts{}, &NumberError{Reason: ReasonMissingPhone, Input: raw, Err: ErrUnsafeNumber}
	}
	num, err := phonenumbers.Parse(raw, defaultRegion)
	if err != nil {
		return NumberFacts{}, &NumberError{Reason: ReasonUnparseablePhone, Input: raw, Err: ErrUnsafeNumber, Cause: err}
	}
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	cc := int(num.GetCountryCode())
	lf := lookupLine(num, nsn, defaultRegion)
	f := buildFacts(phonenumbers.Format(num, phonenumbers.E164), cc, nsn, num.GetExtension(), lf)
	if r := judge(cc, nsn, lf, allowed); r != "" {
		return f, &NumberError{Reason: r, Input: raw, Err: ErrUnsafeNumber}
	}
	return f, nil
}
