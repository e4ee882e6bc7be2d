package campaign

import "strings"

// Subdivision is a state, district, territory or province in which a
// contact's address may lie: the places the calling-time law is written
// for.
type Subdivision struct {
	// Code is the two-letter USPS or Canada Post code, e.g. "FL", "ON".
	Code string
	// Name is the English name, e.g. "Florida".
	Name string
	// Country is the ISO 3166-1 alpha-2 code of the country whose law
	// governs it: "US" (states, DC and the territories) or "CA".
	Country string
}

// subdivisions lists the US states, DC, the inhabited US territories
// and the Canadian provinces and territories.
var subdivisions = []Subdivision{
	{"AL", "Alabama", "US"}, {"AK", "Alaska", "US"}, {"AZ", "Arizona", "US"}, {"AR", "Arkansas", "US"},
	{"CA", "California", "US"}, {"CO", "Colorado", "US"}, {"CT", "Connecticut", "US"}, {"DE", "Delaware", "US"},
	{"DC", "District of Columbia", "US"}, {"FL", "Florida", "US"}, {"GA", "Georgia", "US"}, {"HI", "Hawaii", "US"},
	{"ID", "Idaho", "US"}, {"IL", "Illinois", "US"}, {"IN", "Indiana", "US"}, {"IA", "Iowa", "US"},
	{"KS", "Kansas", "US"}, {"KY", "Kentucky", "US"}, {"LA", "Louisiana", "US"}, {"ME", "Maine", "US"},
	{"MD", "Maryland", "US"}, {"MA", "Massachusetts", "US"}, {"MI", "Michigan", "US"}, {"MN", "Minnesota", "US"},
	{"MS", "Mississippi", "US"}, {"MO", "Missouri", "US"}, {"MT", "Montana", "US"}, {"NE", "Nebraska", "US"},
	{"NV", "Nevada", "US"}, {"NH", "New Hampshire", "US"}, {"NJ", "New Jersey", "US"}, {"NM", "New Mexico", "US"},
	{"NY", "New York", "US"}, {"NC", "North Carolina", "US"}, {"ND", "North Dakota", "US"}, {"OH", "Ohio", "US"},
	{"OK", "Oklahoma", "US"}, {"OR", "Oregon", "US"}, {"PA", "Pennsylvania", "US"}, {"RI", "Rhode Island", "US"},
	{"SC", "South Carolina", "US"}, {"SD", "South Dakota", "US"}, {"TN", "Tennessee", "US"}, {"TX", "Texas", "US"},
	{"UT", "Utah", "US"}, {"VT", "Vermont", "US"}, {"VA", "Virginia", "US"}, {"WA", "Washington", "US"},
	{"WV", "West Virginia", "US"}, {"WI", "Wisconsin", "US"}, {"WY", "Wyoming", "US"},
	{"PR", "Puerto Rico", "US"}, {"VI", "U.S. Virgin Islands", "US"}, {"GU", "Guam", "US"},
	{"MP", "Northern Mariana Islands", "US"}, {"AS", "American Samoa", "US"},
	{"AB", "Alberta", "CA"}, {"BC", "British Columbia", "CA"}, {"MB", "Manitoba", "CA"}, {"NB", "New Brunswick", "CA"},
	{"NL", "Newfoundland and Labrador", "CA"}, {"NS", "Nova Scotia", "CA"}, {"NT", "Northwest Territories", "CA"},
	{"NU", "Nunavut", "CA"}, {"ON", "Ontario", "CA"}, {"PE", "Prince Edward Island", "CA"}, {"QC", "Quebec", "CA"},
	{"SK", "Saskatchewan", "CA"}, {"YT", "Yukon", "CA"},
}

// subdivisionIndex maps every accepted spelling, upper-cased, to its row.
var subdivisionIndex = func() map[string]Subdivision {
	m := make(map[string]Subdivision, 3*len(subdivisions)+4)
	for _, s := range subdivisions {
		m[s.Code] = s
		m[strings.ToUpper(s.Name)] = s
		m[s.Country+"-"+s.Code] = s // ISO 3166-2, "US-FL"
	}
	for alias, code := range map[string]string{
		"WASHINGTON DC": "DC", "WASHINGTON D.C.": "DC", "D.C.": "DC", "US VIRGIN ISLANDS": "VI",
		"VIRGIN ISLANDS": "VI", "QUÉBEC": "QC", "NEWFOUNDLAND": "NL", "YUKON TERRITORY": "YT",
	} {
		m[alias] = m[code]
	}
	return m
}()

// Subdivisions returns the subdivisions NormalizeState accepts, in
// table order (a fresh slice).
func Subdivisions() []Subdivision { return append([]Subdivision(nil), subdivisions...) }

// LookupSubdivision returns the subdivision named by s: a USPS or Canada
// Post code ("fl"), an ISO 3166-2 code ("US-FL") or an English name
// ("florida", "New York"), in any case, with surrounding and repeated
// spaces ignored. It returns false for anything else.
func LookupSubdivision(s string) (Subdivision, bool) {
	key := strings.ToUpper(strings.Join(strings.Fields(s), " "))
	sub, ok := subdivisionIndex[key]
	return sub, ok
}

// validateAddressState refuses an address state that LookupSubdivision
// does not know; "" (no address state) is allowed.
func validateAddressState(v *validator, field, state string) {
	if state == "" {
		return
	}
	_, ok := LookupSubdivision(state)
	v.check(ok, field, "unknown state or province %q: use a USPS or Canada Post code or the full name", state)
}

// normalizeAddressState rewrites a known address state to its code
// ("florida" → "FL"), leaving unknown values for Validate to refuse.
func (c *Contact) normalizeAddressState() {
	if sub, ok := LookupSubdivision(c.State); ok {
		c.State = sub.Code
	}
}
