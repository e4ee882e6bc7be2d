package compliance

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
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

// StateRule is one row of the state calling-time table. All times are the
// called party's local time; an interval [Start, End) allows End−1 minute
// but not End.
type StateRule struct {
	// State is the two-letter USPS code, e.g. "FL". Required; stored in
	// upper case.
	State string
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

// DefaultStateRules returns a fresh copy of the built-in state table:
// states whose calling-time law is stricter than the federal rule. Rows
// encode the statutes as we read them, not legal advice; override rows
// with Rules.With when counsel reads them differently.
func DefaultStateRules() []StateRule {
	eightToEight := Interval{Start: At(8, 0), End: At(20, 0)}
	threePerDay := Cap{Limit: 3, Per: 24 * time.Hour}
	return []StateRule{
		{State: "AL", Hours: eightToEight, NoSunday: true, NoHolidays: true, Holidays: StateHolidays("AL"),
			Source: "Ala. Admin. Code r. 770-X-5-.17(1)(b) (no solicitation on Sundays or holidays; 8 a.m.–8 p.m.); Alabama Telemarketing Act, Ala. Code § 8-19A-1 et seq."},
		{State: "CT", Hours: Interval{Start: At(9, 0), End: At(20, 0)},
			Source: "Conn. Gen. Stat. § 42-288a, as amended by Pub. Act 23-98 (9 a.m.–8 p.m.)"},
		{State: "FL", Hours: eightToEight, Cap: threePerDay,
			Source: "Fla. Stat. § 501.616(6) (8 a.m.–8 p.m.), (7) (no more than 3 calls per 24 hours to a person on the same subject)"},
		{State: "LA", Hours: eightToEight, NoSunday: true, NoHolidays: true, Holidays: StateHolidays("LA"),
			Source: "La. R.S. 45:811 (no telephone solicitation on Sunday, a legal holiday, or before 8 a.m. or after 8 p.m.); LPSC General Order R-29617; emergencies: La. R.S. 45:844.31"},
		{State: "MD", Hours: eightToEight, Cap: threePerDay,
			Source: "Md. Code, Com. Law § 14-4503 (Stop the Spam Calls Act of 2023: 8 a.m.–8 p.m., no more than 3 calls per 24 hours on the same subject)"},
		{State: "MS", Hours: eightToEight, NoSunday: true,
			Source: "Miss. Code Ann. § 77-3-725 (8 a.m.–8 p.m., not on Sunday)"},
		{State: "OK", Hours: eightToEight, Cap: threePerDay,
			Source: "Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act of 2022: 8 a.m.–8 p.m., no more than 3 calls per 24 hours on the same subject)"},
		{State: "PA", Hours: Interval{Start: At(8, 0), End: At(21, 0)}, NoHolidays: true, Holidays: StateHolidays("PA"),
			Source: "73 P.S. § 2245(a) (Telemarketer Registration Act; legal holidays added by Act 73 of 2019)"},
		{State: "RI", Hours: Interval{Start: At(9, 0), End: At(18, 0)},
			DayHours: map[time.Weekday]Interval{time.Saturday: {Start: At(10, 0), End: At(17, 0)}},
			NoSunday: true, NoHolidays: true, Holidays: StateHolidays("RI"),
			Source: "R.I. Gen. Laws § 5-61-3.4(a) (Mon–Fri 9 a.m.–6 p.m., Sat 10 a.m.–5 p.m., never on Sundays or holidays)"},
		{State: "UT", Hours: Interval{Start: At(8, 0), End: At(21, 0)}, NoSunday: true, NoHolidays: true, Holidays: StateHolidays("UT"),
			Source: "Utah Code § 13-25a-103(3) (not between 9 p.m. and 8 a.m., on a Sunday, or on a legal holiday)"},
		{State: "WA", Hours: eightToEight,
			Source: "RCW 80.36.390(2) (8 a.m.–8 p.m.)"},
	}
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
	// State is the state whose rule blocked, FederalState for the federal
	// rule, or "" for campaign-side and timezone refusals.
	State string
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
	for _, kv := range [][2]string{{"zone", v.Zone}, {"state", v.State}, {"detail", v.Detail}} {
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
	blackouts []Blackout
	horizon   time.Duration
	zones     *zoneCache
	hols      *holidayCache
}

// NewRules returns the federal rule plus DefaultStateRules, no blackouts
// and DefaultHorizon.
func NewRules() *Rules {
	r := &Rules{states: map[string]*StateRule{}, zones: &zoneCache{}, hols: &holidayCache{}}
	for _, s := range DefaultStateRules() {
		s := s.withDefaults()
		r.states[s.State] = &s
	}
	return r
}

func (s StateRule) withDefaults() StateRule {
	s = s.clone()
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
		blackouts: append([]Blackout(nil), r.blackouts...),
		horizon:   r.horizon,
		zones:     r.zones,
		hols:      &holidayCache{},
	}
	for k, v := range r.states {
		n.states[k] = v
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

// Without returns a copy of r without the rows of the given states (they
// then follow the federal rule only).
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
	return r.hols.on(s.State, s.Holidays, d)
}

// applicable holds the states that govern one target.
type applicable struct {
	codes [2]string     // distinct non-empty state codes
	rules [2]*StateRule // rows of those codes that exist
	nc    int
	nr    int
}

func (r *Rules) applicableTo(in CallTarget) applicable {
	var a applicable
	for _, c := range [2]string{in.AddressState, in.AreaCodeState} {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" || (a.nc == 1 && a.codes[0] == c) {
			continue
		}
		a.codes[a.nc] = c
		a.nc++
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

// resolveZones loads the target's zones into buf, applying the fallback
// policy. A non-empty Verdict code means the target cannot be placed.
func (r *Rules) resolveZones(in CallTarget, w Window, buf []zoneRef) ([]zoneRef, Verdict) {
	zs := buf[:0]
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
		zs = append(zs, zoneRef{name: name, loc: loc})
	}
	if len(zs) == 0 {
		if w.FallbackZone == "" {
			return nil, Verdict{Code: CodeNoTimezone}
		}
		loc, v := fallback()
		if loc == nil {
			return nil, v
		}
		zs = append(zs, zoneRef{name: w.FallbackZone, loc: loc})
	}
	return zs, Verdict{}
}

// Check says whether a call to the target may start at t under the
// federal rule, the rows of the address state and the area-code state,
// the blackouts, and the campaign's window and business hours — the
// strictest of all, in every candidate zone. The refusal reported is the
// first found, zone by zone in the target's order, then rule by rule in
// the order of the Code constants. Check does not consider frequency caps
// (see CapCheck) and never fails: an invalid window simply allows nothing.
func (r *Rules) Check(t time.Time, in CallTarget, w Window) Verdict {
	r = r.orZero()
	var buf [4]zoneRef
	zs, v := r.resolveZones(in, w, buf[:])
	if v.Code != "" {
		return v
	}
	a := r.applicableTo(in)
	win, days := w.Interval(), w.Weekdays()
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
				if name, ok := r.hols.on(s.State, s.Holidays, d); ok {
					return Verdict{Code: CodeHolidayBan, Zone: z.name, State: s.State, Detail: name}
				}
			}
		}
		for _, s := range a.rules[:a.nr] {
			if s.NoSunday && wd == time.Sunday {
				return Verdict{Code: CodeSundayBan, Zone: z.name, State: s.State}
			}
		}
		if !FederalHours().contains(tod) {
			return Verdict{Code: CodeOutsideLegalHours, Zone: z.name, State: FederalState}
		}
		for _, s := range a.rules[:a.nr] {
			if !s.hoursOn(wd).contains(tod) {
				return Verdict{Code: CodeOutsideLegalHours, Zone: z.name, State: s.State}
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
// target's states and window: empty on a banned day.
func (r *Rules) dayInterval(d Date, a *applicable, w Window) Interval {
	wd := d.Weekday()
	if !w.Weekdays().Has(wd) {
		return Interval{}
	}
	if _, ok := r.blackoutOn(d, a); ok {
		return Interval{}
	}
	iv := FederalHours().Intersect(w.Interval())
	for _, s := range a.rules[:a.nr] {
		if s.NoSunday && wd == time.Sunday {
			return Interval{}
		}
		if s.NoHolidays {
			if _, ok := r.hols.on(s.State, s.Holidays, d); ok {
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
	var buf [4]zoneRef
	zs, v := r.resolveZones(in, w, buf[:])
	if v.Code != "" {
		return time.Time{}, false
	}
	a := r.applicableTo(in)
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
