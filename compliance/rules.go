package compliance

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"

	"github.com/callstackhq/callstack/campaign"
)

// Errors returned when building Rules.
var (
	// ErrInvalidRule reports a state rule that cannot be used.
	ErrInvalidRule = errors.New("compliance: invalid state rule")
	// ErrInvalidBlackout reports a blackout with an invalid date range.
	ErrInvalidBlackout = errors.New("compliance: invalid blackout")
)

// VerdictCode is the stable reason a call is refused. Codes are stored with
// blocks and reported, so they never change once released.
type VerdictCode string

// Verdict codes, in the order Check tests them for each candidate zone.
const (
	// CodeUnknownState: the target's address or area-code state is not a
	// state, district, territory or province code or name (see
	// NormalizeState): its law cannot be applied, so nothing is allowed.
	CodeUnknownState VerdictCode = "unknown_state"
	// CodeNoTimezone: the target has no zone and the window has no fallback.
	CodeNoTimezone VerdictCode = "no_timezone"
	// CodeUnknownTimezone: a zone name cannot be loaded and the window has
	// no fallback (or the fallback itself is unknown).
	CodeUnknownTimezone VerdictCode = "unknown_timezone"
	// CodeBlackout: the local date falls in a blackout (e.g. a declared
	// emergency).
	CodeBlackout VerdictCode = "blackout"
	// CodeHolidayBan: the local date is a holiday on which the state bans
	// calls.
	CodeHolidayBan VerdictCode = "holiday_ban"
	// CodeSundayBan: the local date is a Sunday and the state bans Sundays.
	CodeSundayBan VerdictCode = "sunday_ban"
	// CodeOutsideLegalHours: the local time is outside federal or state
	// calling hours.
	CodeOutsideLegalHours VerdictCode = "outside_legal_hours"
	// CodeDayNotAllowed: the local weekday is not one of the window's days.
	CodeDayNotAllowed VerdictCode = "day_not_allowed"
	// CodeOutsideWindow: the local time is outside the campaign's window.
	CodeOutsideWindow VerdictCode = "outside_window"
	// CodeScheduleClosed: the campaign's business hours are closed.
	CodeScheduleClosed VerdictCode = "schedule_closed"
)

// FederalState is the State a Verdict names when the federal rule blocked.
const FederalState = "US"

// FederalHours are the TCPA calling hours, 08:00–21:00 in the called
// party's local time (47 CFR 64.1200(c)(1)).
func FederalHours() Interval { return Interval{Start: At(8, 0), End: At(21, 0)} }

// FederalSource cites the federal calling-hours rule.
const FederalSource = "47 CFR 64.1200(c)(1) (TCPA: no telephone solicitation before 8 a.m. or after 9 p.m. local time)"

// DefaultHorizon is how far NextCallable looks ahead by default.
const DefaultHorizon = 14 * 24 * time.Hour

// StateRule is one row of the state calling-time table: a US state or
// district, or a Canadian province. All times are the called party's local
// time; an interval [Start, End) allows End−1 minute but not End.
type StateRule struct {
	// State is the two-letter USPS or Canada Post code, e.g. "FL", "QC".
	// Required; stored in upper case.
	State string
	// Country is the country whose national rule applies with the row.
	// Defaults to the country of State (see StateCountry), or "US" for a
	// code outside our table.
	Country string
	// Hours are the legal calling hours on days without an entry in
	// DayHours. Defaults to the federal 08:00–21:00 when zero.
	Hours Interval
	// DayHours override Hours on given weekdays (Rhode Island: Saturday
	// 10:00–17:00). A zero Interval here closes that day. Defaults to none.
	DayHours map[time.Weekday]Interval
	// NoSunday bans calls on Sundays (CodeSundayBan).
	NoSunday bool
	// NoHolidays bans calls on the days of Holidays, actual and observed
	// (CodeHolidayBan).
	NoHolidays bool
	// Holidays is the calendar NoHolidays uses. Defaults to
	// StateHolidays(State), or FederalHolidays() for a state without one.
	Holidays []*cal.Holiday
	// Cap is the per-person, per-subject frequency cap. Defaults to none.
	Cap Cap
	// Source cites the statute or regulation the row encodes.
	Source string
	// Note says where a rule covers only some calls (prerecorded
	// messages, autodialers, sales but not surveys) and which reading the
	// row takes where the law is unclear. Defaults to none.
	Note string
}

// hoursOn returns the legal interval on weekday wd (empty when closed).
func (s *StateRule) hoursOn(wd time.Weekday) Interval {
	if iv, ok := s.DayHours[wd]; ok {
		return iv
	}
	if s.Hours == (Interval{}) {
		return FederalHours()
	}
	return s.Hours
}

// clone deep-copies the row's map and slice and applies defaults.
func (s StateRule) clone() StateRule {
	s.State = strings.ToUpper(s.State)
	s.Country = strings.ToUpper(s.Country)
	if s.DayHours != nil {
		m := make(map[time.Weekday]Interval, len(s.DayHours))
		for k, v := range s.DayHours {
			m[k] = v
		}
		s.DayHours = m
	}
	if s.Holidays != nil {
		s.Holidays = append([]*cal.Holiday(nil), s.Holidays...)
	}
	return s
}

// Validate returns ErrInvalidRule for a row without a state, with invalid
// hours or an invalid cap.
func (s StateRule) Validate() error {
	st := strings.TrimSpace(s.State)
	if st == "" || st != s.State || strings.ContainsAny(st, " \t") {
		return fmt.Errorf("%w: state %q", ErrInvalidRule, s.State)
	}
	if s.Hours != (Interval{}) {
		if err := s.Hours.Validate(); err != nil {
			return fmt.Errorf("%w: %s hours: %w", ErrInvalidRule, s.State, err)
		}
	}
	for wd, iv := range s.DayHours {
		if wd < time.Sunday || wd > time.Saturday {
			return fmt.Errorf("%w: %s: weekday %d", ErrInvalidRule, s.State, int(wd))
		}
		if iv == (Interval{}) {
			continue
		}
		if err := iv.Validate(); err != nil {
			return fmt.Errorf("%w: %s %s hours: %w", ErrInvalidRule, s.State, wd, err)
		}
	}
	if err := s.Cap.Validate(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidRule, s.State, err)
	}
	return nil
}

// Blackout bans all calls on a range of local dates, e.g. a declared state
// of emergency (La. R.S. 45:844.31) or a one-off holiday by proclamation.
type Blackout struct {
	// State is the two-letter code the blackout covers (matched against the
	// address and the area-code state). Defaults to "": every target.
	State string
	// From and To are the first and last banned local dates, inclusive.
	From, To Date
	// Note says why, e.g. "Hurricane Ida emergency"; it is copied into the
	// Verdict's Detail.
	Note string
}

// Validate returns ErrInvalidBlackout unless From and To are real dates
// and From <= To.
func (b Blackout) Validate() error {
	if !b.From.Valid() || !b.To.Valid() || b.From.Compare(b.To) > 0 {
		return fmt.Errorf("%w: %s..%s", ErrInvalidBlackout, b.From, b.To)
	}
	return nil
}

func (b Blackout) covers(d Date) bool { return b.From.Compare(d) <= 0 && d.Compare(b.To) <= 0 }

// CallTarget is what the calling-time rules need to know about a number.
type CallTarget struct {
	// Zones are the candidate IANA zones of the number; the call is
	// allowed only when every zone allows it. Empty strings are ignored.
	// No zones (toll-free, non-geographic) follow Window.FallbackZone.
	Zones []string
	// AddressState is the two-letter state of the contact's address, or "".
	AddressState string
	// AreaCodeState is the two-letter state of the number's area code, or "".
	AreaCodeState string
	// Country is the ISO 3166-1 region of the number ("US", "CA"), or "".
	// The national rules that apply are those of Country and of the
	// countries of the two states; with none known, the US federal rule.
	Country string
}

// Verdict is the answer of Check.
type Verdict struct {
	// Allowed is true when every rule allows the call now.
	Allowed bool
	// Code is the reason for a refusal ("" when allowed).
	Code VerdictCode
	// Zone is the candidate zone in which the rule blocked (the schedule's
	// zone for CodeScheduleClosed).
	Zone string
	// State is the state whose rule blocked, the country code for a
	// national rule (FederalState for the TCPA, "CA" for the CRTC rules), or
	// "" for campaign-side and timezone refusals.
	State string
	// Country is the country whose law blocked ("US", "CA"); "" for
	// campaign-side and timezone refusals.
	Country string
	// Source cites the statute or regulation that blocked, so that an
	// auditor can read the rule; "" for campaign-side refusals.
	Source string
	// Detail is extra context: the holiday name, the blackout note.
	Detail string
}

// String formats the verdict for logs.
func (v Verdict) String() string {
	if v.Allowed {
		return "allowed"
	}
	var b strings.Builder
	b.WriteString(string(v.Code))
	for _, kv := range [][2]string{{"zone", v.Zone}, {"state", v.State}, {"country", v.Country}, {"detail", v.Detail}, {"rule", v.Source}} {
		if kv[1] != "" {
			b.WriteString(" " + kv[0] + "=" + kv[1])
		}
	}
	return b.String()
}

// Rules is the calling-time law: the federal hours, a table of state rules
// and blackout dates. A *Rules is immutable and safe for concurrent use;
// the With methods return modified copies and never change the receiver or
// any shared table. The zero Rules (and a nil *Rules) applies the federal
// rule only.
type Rules struct {
	states    map[string]*StateRule
	countries map[string]*StateRule // national rows, keyed by country
	blackouts []Blackout
	horizon   time.Duration
	zones     *zoneCache
	hols      *holidayCache
}

// NewRules returns DefaultCountryRules (the US federal rule and Canada's
// CRTC rule), DefaultStateRules, no blackouts and DefaultHorizon.
func NewRules() *Rules {
	r := &Rules{states: map[string]*StateRule{}, countries: map[string]*StateRule{}, zones: &zoneCache{}, hols: &holidayCache{}}
	for _, s := range DefaultStateRules() {
		s := s.withDefaults()
		r.states[s.State] = &s
	}
	for _, c := range DefaultCountryRules() {
		row := c.asRow().clone()
		r.countries[row.Country] = &row
	}
	return r
}

// federalRow is the national row applied when no country of the target
// has one (and by the zero Rules).
var federalRow = StateRule{State: FederalState, Country: FederalState, Hours: FederalHours(), Source: FederalSource}

func (s StateRule) withDefaults() StateRule {
	s = s.clone()
	if s.Country == "" {
		if s.Country = StateCountry(s.State); s.Country == "" {
			s.Country = FederalState
		}
	}
	if s.NoHolidays && s.Holidays == nil {
		if s.Holidays = StateHolidays(s.State); s.Holidays == nil {
			s.Holidays = FederalHolidays()
		}
	}
	return s
}

// orZero lets every method accept a nil *Rules as the zero Rules.
func (r *Rules) orZero() *Rules {
	if r == nil {
		return &Rules{}
	}
	return r
}

func (r *Rules) copy() *Rules {
	r = r.orZero()
	n := &Rules{
		states:    make(map[string]*StateRule, len(r.states)+1),
		countries: make(map[string]*StateRule, len(r.countries)+1),
		blackouts: append([]Blackout(nil), r.blackouts...),
		horizon:   r.horizon,
		zones:     r.zones,
		hols:      &holidayCache{},
	}
	for k, v := range r.states {
		n.states[k] = v
	}
	for k, v := range r.countries {
		n.countries[k] = v
	}
	if n.zones == nil {
		n.zones = &zoneCache{}
	}
	return n
}

// With returns a copy of r in which each row replaces the row of the same
// state, or is added. It returns ErrInvalidRule for an invalid row and
// leaves r unchanged.
func (r *Rules) With(rows ...StateRule) (*Rules, error) {
	n := r.copy()
	for _, row := range rows {
		row.State = strings.ToUpper(row.State)
		if err := row.Validate(); err != nil {
			return nil, err
		}
		s := row.withDefaults()
		n.states[s.State] = &s
	}
	return n, nil
}

// WithCountries returns a copy of r in which each national rule replaces
// the rule of the same country, or is added: a country is added by giving
// its hours. It returns ErrInvalidRule for an invalid rule and leaves r
// unchanged.
func (r *Rules) WithCountries(rules ...CountryRule) (*Rules, error) {
	n := r.copy()
	for _, c := range rules {
		c.Country = strings.ToUpper(c.Country)
		if err := c.Validate(); err != nil {
			return nil, err
		}
		row := c.asRow().clone()
		n.countries[row.Country] = &row
	}
	return n, nil
}

// Country returns a copy of the national rule of a country, if any.
func (r *Rules) Country(code string) (CountryRule, bool) {
	s, ok := r.orZero().countries[strings.ToUpper(code)]
	if !ok {
		return CountryRule{}, false
	}
	c := s.clone()
	return CountryRule{Country: c.Country, Hours: c.Hours, DayHours: c.DayHours, NoSunday: c.NoSunday,
		NoHolidays: c.NoHolidays, Holidays: c.Holidays, Source: c.Source, Note: c.Note}, true
}

// Without returns a copy of r without the rows of the given states (they
// then follow their national rule only).
func (r *Rules) Without(states ...string) *Rules {
	n := r.copy()
	for _, s := range states {
		delete(n.states, strings.ToUpper(s))
	}
	return n
}

// WithBlackouts returns a copy of r with the blackouts added. It returns
// ErrInvalidBlackout for an invalid one and leaves r unchanged.
func (r *Rules) WithBlackouts(bs ...Blackout) (*Rules, error) {
	n := r.copy()
	for _, b := range bs {
		if err := b.Validate(); err != nil {
			return nil, err
		}
		b.State = strings.ToUpper(b.State)
		n.blackouts = append(n.blackouts, b)
	}
	return n, nil
}

// WithHorizon returns a copy of r whose NextCallable looks at most d ahead.
// Defaults to DefaultHorizon when d <= 0.
func (r *Rules) WithHorizon(d time.Duration) *Rules {
	n := r.copy()
	n.horizon = d
	return n
}

// Horizon returns how far NextCallable looks ahead.
func (r *Rules) Horizon() time.Duration {
	r = r.orZero()
	if r.horizon <= 0 {
		return DefaultHorizon
	}
	return r.horizon
}

// State returns a copy of the row of a state, if any.
func (r *Rules) State(code string) (StateRule, bool) {
	r = r.orZero()
	s, ok := r.states[strings.ToUpper(code)]
	if !ok {
		return StateRule{}, false
	}
	return s.clone(), true
}

// States returns copies of all rows, sorted by state.
func (r *Rules) States() []StateRule {
	r = r.orZero()
	out := make([]StateRule, 0, len(r.states))
	for _, s := range r.states {
		out = append(out, s.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].State < out[j].State })
	return out
}

// Blackouts returns a copy of the blackouts.
func (r *Rules) Blackouts() []Blackout { return append([]Blackout(nil), r.orZero().blackouts...) }

// IsHoliday reports whether d is a banned holiday (actual or observed) for
// a state with a holiday ban, and names it.
func (r *Rules) IsHoliday(state string, d Date) (name string, ok bool) {
	r = r.orZero()
	s, found := r.states[strings.ToUpper(state)]
	if !found || !s.NoHolidays {
		return "", false
	}
	return r.hols.on(s.Country+"/"+s.State, s.Holidays, d)
}

// applicable holds the rows that govern one target: its national rules
// first, then its state rows.
type applicable struct {
	codes   [2]string     // distinct non-empty state codes
	address string        // the address state's code, or ""
	rules   [5]*StateRule // national rows, then the state rows that exist
	nc      int
	nr      int
	unknown string // a state that is not in the subdivision table
}

func (r *Rules) applicableTo(in CallTarget) applicable {
	var a applicable
	var countries [3]string
	ncountry := 0
	addCountry := func(c string) {
		c = strings.ToUpper(strings.TrimSpace(c))
		for _, x := range countries[:ncountry] {
			if x == c {
				return
			}
		}
		if c != "" && ncountry < len(countries) {
			countries[ncountry] = c
			ncountry++
		}
	}
	addCountry(in.Country)
	for _, raw := range [2]string{in.AddressState, in.AreaCodeState} {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		sub, ok := campaign.LookupSubdivision(raw)
		if !ok {
			if a.unknown == "" {
				a.unknown = raw
			}
			continue
		}
		addCountry(sub.Country)
		if raw == in.AddressState {
			a.address = sub.Code
		}
		if a.nc == 1 && a.codes[0] == sub.Code {
			continue
		}
		a.codes[a.nc] = sub.Code
		a.nc++
	}
	for _, c := range countries[:ncountry] {
		if row, ok := r.countries[c]; ok {
			a.rules[a.nr] = row
			a.nr++
		}
	}
	if a.nr == 0 {
		// No country with a rule (the zero Rules, a target of unknown
		// country, a country without a row): the federal hours are the floor.
		a.rules[a.nr] = &federalRow
		a.nr++
	}
	for _, c := range a.codes[:a.nc] {
		if s, ok := r.states[c]; ok {
			a.rules[a.nr] = s
			a.nr++
		}
	}
	return a
}

func (r *Rules) blackoutOn(d Date, a *applicable) (Blackout, bool) {
	for _, b := range r.blackouts {
		if !b.covers(d) {
			continue
		}
		if b.State == "" {
			return b, true
		}
		for _, c := range a.codes[:a.nc] {
			if b.State == c {
				return b, true
			}
		}
	}
	return Blackout{}, false
}

type zoneRef struct {
	name string
	loc  *time.Location
}

// resolveZones loads every zone in which the called party may be into buf:
// the number's zones, then the zones of the address state (StateZones),
// without repeats. The window's fallback zone stands in for number zones
// that are missing or cannot be loaded; without a fallback, a number with
// no zone is placed by its address alone, and is refused (CodeNoTimezone)
// when there is no address either. A non-empty Verdict code means the
// target cannot be placed.
func (r *Rules) resolveZones(in CallTarget, a *applicable, w Window, buf []zoneRef) ([]zoneRef, Verdict) {
	zs := buf[:0]
	add := func(name string, loc *time.Location) {
		for _, z := range zs {
			if z.name == name {
				return
			}
		}
		zs = append(zs, zoneRef{name: name, loc: loc})
	}
	var fb *time.Location
	fallback := func() (*time.Location, Verdict) {
		if fb != nil {
			return fb, Verdict{}
		}
		loc, err := r.zones.load(w.FallbackZone)
		if err != nil {
			return nil, Verdict{Code: CodeUnknownTimezone, Zone: w.FallbackZone}
		}
		fb = loc
		return loc, Verdict{}
	}
	numberZones := 0
	for _, name := range in.Zones {
		if name == "" {
			continue
		}
		loc, err := r.zones.load(name)
		if err != nil {
			if w.FallbackZone == "" {
				return nil, Verdict{Code: CodeUnknownTimezone, Zone: name}
			}
			var v Verdict
			if loc, v = fallback(); loc == nil {
				return nil, v
			}
			name = w.FallbackZone
		}
		add(name, loc)
		numberZones++
	}
	if numberZones == 0 && w.FallbackZone != "" {
		loc, v := fallback()
		if loc == nil {
			return nil, v
		}
		add(w.FallbackZone, loc)
	}
	for _, name := range stateZones[a.address] {
		loc, err := r.zones.load(name)
		if err != nil {
			return nil, Verdict{Code: CodeUnknownTimezone, Zone: name}
		}
		add(name, loc)
	}
	if len(zs) == 0 {
		return nil, Verdict{Code: CodeNoTimezone}
	}
	return zs, Verdict{}
}

// Check says whether a call to the target may start at t under the
// national rules of its countries, the rows of the address state and the
// area-code state, the blackouts, and the campaign's window and business
// hours — the strictest of all, in every zone where the called party may
// be: the number's zones, the address state's zones, and the fallback zone
// when the number has none (see resolveZones). The refusal reported is the
// first found, zone by zone, then rule by rule in the order of the Code
// constants (national rows before state rows). Check does not consider
// frequency caps (see CapCheck) and never fails: an invalid window simply
// allows nothing.
func (r *Rules) Check(t time.Time, in CallTarget, w Window) Verdict {
	r = r.orZero()
	a := r.applicableTo(in)
	if a.unknown != "" {
		return Verdict{Code: CodeUnknownState, Detail: a.unknown}
	}
	var buf [8]zoneRef
	zs, v := r.resolveZones(in, &a, w, buf[:])
	if v.Code != "" {
		return v
	}
	win, days := w.Interval(), w.Weekdays()
	refuse := func(code VerdictCode, zone string, s *StateRule, detail string) Verdict {
		return Verdict{Code: code, Zone: zone, State: s.State, Country: s.Country, Source: s.Source, Detail: detail}
	}
	for _, z := range zs {
		lt := t.In(z.loc)
		d := DateOf(lt)
		wd := d.Weekday()
		tod := sinceMidnight(lt)
		if b, ok := r.blackoutOn(d, &a); ok {
			return Verdict{Code: CodeBlackout, Zone: z.name, State: b.State, Detail: b.Note}
		}
		for _, s := range a.rules[:a.nr] {
			if s.NoHolidays {
				if name, ok := r.hols.on(s.Country+"/"+s.State, s.Holidays, d); ok {
					return refuse(CodeHolidayBan, z.name, s, name)
				}
			}
		}
		for _, s := range a.rules[:a.nr] {
			if s.NoSunday && wd == time.Sunday {
				return refuse(CodeSundayBan, z.name, s, "")
			}
		}
		for _, s := range a.rules[:a.nr] {
			if !s.hoursOn(wd).contains(tod) {
				return refuse(CodeOutsideLegalHours, z.name, s, "")
			}
		}
		if !days.Has(wd) {
			return Verdict{Code: CodeDayNotAllowed, Zone: z.name}
		}
		if !win.contains(tod) {
			return Verdict{Code: CodeOutsideWindow, Zone: z.name}
		}
	}
	if !w.Hours.Open(t) {
		return Verdict{Code: CodeScheduleClosed, Zone: w.Hours.Zone()}
	}
	return Verdict{Allowed: true}
}

// dayInterval is the allowed wall-clock interval of local date d for the
// target's rows and window: empty on a banned day.
func (r *Rules) dayInterval(d Date, a *applicable, w Window) Interval {
	wd := d.Weekday()
	if !w.Weekdays().Has(wd) {
		return Interval{}
	}
	if _, ok := r.blackoutOn(d, a); ok {
		return Interval{}
	}
	iv := w.Interval()
	for _, s := range a.rules[:a.nr] {
		if s.NoSunday && wd == time.Sunday {
			return Interval{}
		}
		if s.NoHolidays {
			if _, ok := r.hols.on(s.Country+"/"+s.State, s.Holidays, d); ok {
				return Interval{}
			}
		}
		iv = iv.Intersect(s.hoursOn(wd))
	}
	return iv
}

// maxPasses bounds NextCallable's fixpoint loop; each pass moves to a
// later boundary, of which a horizon holds far fewer.
const maxPasses = 10000

// NextCallable returns the earliest instant x >= t at which Check(x, in, w)
// allows the call, or false when there is none before t + Horizon() (or the
// target has no usable zone). It is exact, including across daylight-saving
// transitions: each zone's timeline is split at its offset changes and the
// allowed wall-clock intervals are mapped to instants, and the zones and the
// business hours are intersected by moving to the latest of their next
// allowed instants until all agree. Frequency caps are not considered;
// combine with CapCheck.
func (r *Rules) NextCallable(t time.Time, in CallTarget, w Window) (time.Time, bool) {
	r = r.orZero()
	a := r.applicableTo(in)
	if a.unknown != "" {
		return time.Time{}, false
	}
	var buf [8]zoneRef
	zs, v := r.resolveZones(in, &a, w, buf[:])
	if v.Code != "" {
		return time.Time{}, false
	}
	limit := t.Add(r.Horizon())
	var day [1]Interval
	dayFn := func(d Date) []Interval {
		iv := r.dayInterval(d, &a, w)
		if iv.Empty() {
			return nil
		}
		day[0] = iv
		return day[:]
	}
	c := t
	for range maxPasses {
		moved := false
		for _, z := range zs {
			n, ok := nextInZone(c, limit, z.loc, dayFn)
			if !ok {
				return time.Time{}, false
			}
			if n.After(c) {
				c, moved = n, true
			}
		}
		if w.Hours != nil {
			n, ok := nextInZone(c, limit, w.Hours.loc, w.Hours.HoursOn)
			if !ok {
				return time.Time{}, false
			}
			if n.After(c) {
				c, moved = n, true
			}
		}
		if !moved {
			return c.In(t.Location()), true
		}
	}
	return time.Time{}, false
}
