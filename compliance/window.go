package compliance

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by the calling-time API. Compare with errors.Is; the
// returned errors wrap these sentinels with the offending value.
var (
	// ErrInvalidTimeOfDay reports a time of day outside 00:00–24:00 or not
	// in "HH:MM" form.
	ErrInvalidTimeOfDay = errors.New("compliance: invalid time of day")
	// ErrInvalidInterval reports an interval whose start is not before its
	// end, or whose bounds are not valid times of day.
	ErrInvalidInterval = errors.New("compliance: invalid interval")
	// ErrInvalidWindow reports a dial window that cannot be used.
	ErrInvalidWindow = errors.New("compliance: invalid window")
	// ErrInvalidDate reports a calendar date that does not exist.
	ErrInvalidDate = errors.New("compliance: invalid date")
	// ErrUnknownZone reports an IANA time zone name that cannot be loaded.
	ErrUnknownZone = errors.New("compliance: unknown time zone")
	// ErrInvalidSchedule reports business hours that cannot be used.
	ErrInvalidSchedule = errors.New("compliance: invalid business hours")
)

// TimeOfDay is a local wall-clock time of day in whole minutes since
// midnight, from 0 (00:00) to 1440 (24:00, the end of the day).
type TimeOfDay int

// EndOfDay is 24:00, the exclusive end of a local day.
const EndOfDay TimeOfDay = 24 * 60

// At returns the time of day hour:minute. It does not validate; use
// TimeOfDay.Valid or the Validate method of the value that holds it.
func At(hour, minute int) TimeOfDay { return TimeOfDay(hour*60 + minute) }

// ParseTimeOfDay parses "HH:MM" (24-hour clock, "24:00" allowed as the end
// of the day). It returns ErrInvalidTimeOfDay for anything else.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("%w: %q", ErrInvalidTimeOfDay, s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%w: %q", ErrInvalidTimeOfDay, s)
	}
	t := At(hh, mm)
	if !t.Valid() {
		return 0, fmt.Errorf("%w: %q", ErrInvalidTimeOfDay, s)
	}
	return t, nil
}

// Valid reports whether t lies in 00:00–24:00.
func (t TimeOfDay) Valid() bool { return t >= 0 && t <= EndOfDay }

// String formats t as "HH:MM".
func (t TimeOfDay) String() string {
	if !t.Valid() {
		return fmt.Sprintf("TimeOfDay(%d)", int(t))
	}
	return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60)
}

func (t TimeOfDay) dur() time.Duration { return time.Duration(t) * time.Minute }

// Interval is a half-open range [Start, End) of local wall-clock time within
// one day: a call is inside when Start <= local time < End, so 08:00–21:00
// allows 20:59:59 and refuses 21:00:00. The zero Interval is empty.
type Interval struct {
	Start TimeOfDay // first allowed minute
	End   TimeOfDay // first refused minute; EndOfDay for "until midnight"
}

// Between returns the interval [start, end), e.g. Between(At(9, 0), At(17, 30)).
func Between(start, end TimeOfDay) Interval { return Interval{Start: start, End: end} }

// Validate returns ErrInvalidInterval unless both bounds are valid times of
// day and Start < End.
func (iv Interval) Validate() error {
	if !iv.Start.Valid() || !iv.End.Valid() || iv.Start >= iv.End {
		return fmt.Errorf("%w: %s", ErrInvalidInterval, iv)
	}
	return nil
}

// Empty reports whether iv contains no time.
func (iv Interval) Empty() bool { return iv.Start >= iv.End }

// Intersect returns the overlap of iv and o (empty when they do not overlap).
func (iv Interval) Intersect(o Interval) Interval {
	r := Interval{Start: max(iv.Start, o.Start), End: min(iv.End, o.End)}
	if r.Empty() {
		return Interval{}
	}
	return r
}

// contains reports whether the time-of-day offset d (since local midnight,
// by the wall clock) lies in iv.
func (iv Interval) contains(d time.Duration) bool {
	return d >= iv.Start.dur() && d < iv.End.dur()
}

// String formats iv as "HH:MM–HH:MM".
func (iv Interval) String() string { return iv.Start.String() + "–" + iv.End.String() }

// Weekdays is a set of days of the week (bit 1<<time.Weekday).
type Weekdays uint8

// Common day sets.
const (
	// EveryDay holds all seven days.
	EveryDay Weekdays = 1<<7 - 1
	// MondayToFriday holds the five working days.
	MondayToFriday Weekdays = EveryDay &^ (1<<time.Saturday | 1<<time.Sunday)
)

// Days returns the set holding ds.
func Days(ds ...time.Weekday) Weekdays {
	var w Weekdays
	for _, d := range ds {
		if d >= time.Sunday && d <= time.Saturday {
			w |= 1 << d
		}
	}
	return w
}

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return d >= 0 && d <= 6 && w&(1<<d) != 0 }

// String lists the days, e.g. "Mon,Tue".
func (w Weekdays) String() string {
	var parts []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.Has(d) {
			parts = append(parts, d.String()[:3])
		}
	}
	return strings.Join(parts, ",")
}

// Date is a civil calendar date with no time zone; rules that speak of
// days (holidays, Sundays, blackouts) are evaluated on the contact's local
// date in each candidate zone.
type Date struct {
	Year  int        // e.g. 2026
	Month time.Month // January = 1
	Day   int        // day of the month, from 1
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "YYYY-MM-DD"; ErrInvalidDate otherwise.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q", ErrInvalidDate, s)
	}
	return DateOf(t), nil
}

func (d Date) midnightUTC() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// Valid reports whether d names a real calendar day.
func (d Date) Valid() bool { return DateOf(d.midnightUTC()) == d }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// AddDays returns the date n days after d (before, for negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.midnightUTC().AddDate(0, 0, n)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Window is the campaign side of a calling-time check: the dial window in
// the contact's local time, optional business hours in the campaign's own
// zone, and the policy for contacts whose zone is missing or unknown. The
// window is always intersected with the law, so it can narrow the legal
// hours but never widen them. The zero Window is DefaultWindow.
type Window struct {
	// Start is the first local minute a call may start. Defaults to 09:00
	// when Start and End are both zero.
	Start TimeOfDay
	// End is the first local minute a call may no longer start (exclusive).
	// Defaults to 21:00 when Start and End are both zero.
	End TimeOfDay
	// Days are the contact-local weekdays on which the campaign dials.
	// Defaults to EveryDay when zero.
	Days Weekdays
	// Hours, when non-nil, are the campaign's business hours (in the
	// campaign's zone); a call is refused with CodeScheduleClosed while they
	// are closed. Defaults to nil: always open.
	Hours *Schedule
	// FallbackZone is the IANA zone used for a target with no zone or with an
	// unknown one. Defaults to "": such targets are skipped with
	// CodeNoTimezone or CodeUnknownTimezone.
	FallbackZone string
}

// Default dial window bounds.
const (
	DefaultWindowStart TimeOfDay = 9 * 60
	DefaultWindowEnd   TimeOfDay = 21 * 60
)

// DefaultWindow returns 09:00–21:00 every day, no business hours and the
// skip fallback.
func DefaultWindow() Window {
	return Window{Start: DefaultWindowStart, End: DefaultWindowEnd, Days: EveryDay}
}

// NewWindow returns a window from start to end on days (EveryDay when
// zero), refusing what a struct literal cannot: 00:00–00:00 is the zero
// Window, which means DefaultWindow, so a window written out must have
// start < end. It returns ErrInvalidWindow (wrapping ErrInvalidInterval)
// for start >= end or bounds outside 00:00–24:00.
func NewWindow(start, end TimeOfDay, days Weekdays) (Window, error) {
	iv := Interval{Start: start, End: end}
	if err := iv.Validate(); err != nil {
		return Window{}, fmt.Errorf("%w: %w", ErrInvalidWindow, err)
	}
	if days&^EveryDay != 0 {
		return Window{}, fmt.Errorf("%w: unknown weekdays %08b", ErrInvalidWindow, uint8(days))
	}
	return Window{Start: start, End: end, Days: days}, nil
}

// ParseWindow is NewWindow from "HH:MM" bounds, e.g. ParseWindow("09:00",
// "20:30", MondayToFriday).
func ParseWindow(start, end string, days Weekdays) (Window, error) {
	s, err := ParseTimeOfDay(start)
	if err != nil {
		return Window{}, fmt.Errorf("%w: start: %w", ErrInvalidWindow, err)
	}
	e, err := ParseTimeOfDay(end)
	if err != nil {
		return Window{}, fmt.Errorf("%w: end: %w", ErrInvalidWindow, err)
	}
	return NewWindow(s, e, days)
}

// Interval returns the window's daily interval after defaults.
func (w Window) Interval() Interval {
	if w.Start == 0 && w.End == 0 {
		return Interval{Start: DefaultWindowStart, End: DefaultWindowEnd}
	}
	return Interval{Start: w.Start, End: w.End}
}

// Weekdays returns the window's days after defaults.
func (w Window) Weekdays() Weekdays {
	if w.Days == 0 {
		return EveryDay
	}
	return w.Days & EveryDay
}

// Validate returns ErrInvalidWindow when the interval is not a valid
// same-day range or the fallback zone cannot be loaded. Check and
// NextCallable never fail on an invalid window: its empty part simply
// allows nothing.
func (w Window) Validate() error {
	if err := w.Interval().Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidWindow, err)
	}
	if w.FallbackZone != "" {
		if _, err := loadZone(w.FallbackZone); err != nil {
			return fmt.Errorf("%w: fallback: %w", ErrInvalidWindow, err)
		}
	}
	return nil
}

// loadZone loads an IANA zone. It refuses "" and "Local", which would make
// the answer depend on the host's configuration.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%w: %q", ErrUnknownZone, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownZone, name)
	}
	return loc, nil
}

// maxUnknownZones bounds how many failed zone names a zoneCache remembers,
// so that junk input cannot grow it without limit.
const maxUnknownZones = 1024

// zoneCache memoises loaded zones and (up to maxUnknownZones) failures: a
// failed time.LoadLocation searches several sources and costs far more
// than a check. A nil *zoneCache loads every time.
type zoneCache struct {
	m       sync.Map // name -> *time.Location or error
	unknown atomic.Int64
}

func (c *zoneCache) load(name string) (*time.Location, error) {
	if c == nil {
		return loadZone(name)
	}
	if v, ok := c.m.Load(name); ok {
		if loc, ok := v.(*time.Location); ok {
			return loc, nil
		}
		return nil, v.(error)
	}
	loc, err := loadZone(name)
	if err != nil {
		if c.unknown.Add(1) <= maxUnknownZones {
			c.m.Store(name, err)
		}
		return nil, err
	}
	c.m.Store(name, loc)
	return loc, nil
}

// BusinessHours describes when a campaign is open, in its own time zone:
// weekly open intervals plus date exceptions. It is plain data; NewSchedule
// validates it and compiles it into a Schedule.
type BusinessHours struct {
	// Zone is the campaign's IANA time zone, e.g. "America/Chicago".
	// Required.
	Zone string
	// Week holds the open intervals of each weekday, indexed by
	// time.Weekday; a day with no intervals is closed. Overlapping or
	// touching intervals are merged.
	Week [7][]Interval
	// Exceptions replace the weekly hours on given dates (in Zone). An
	// exception with no Hours closes the whole day. Defaults to none.
	Exceptions []DateHours
}

// DateHours are the hours of one date that differ from the weekly pattern.
type DateHours struct {
	Date  Date       // the local date in the schedule's zone
	Hours []Interval // empty: closed all day
}

// Schedule is compiled BusinessHours. It is immutable and safe for
// concurrent use. A nil *Schedule is always open.
type Schedule struct {
	zone string
	loc  *time.Location
	week [7][]Interval
	exc  map[Date][]Interval
}

// NewSchedule validates b and compiles it. It returns ErrInvalidSchedule
// (wrapping ErrUnknownZone or ErrInvalidInterval where relevant) for an
// unknown zone, an invalid interval or date, or a date given twice.
func NewSchedule(b BusinessHours) (*Schedule, error) {
	loc, err := loadZone(b.Zone)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSchedule, err)
	}
	s := &Schedule{zone: b.Zone, loc: loc, exc: make(map[Date][]Interval, len(b.Exceptions))}
	for d := range b.Week {
		if s.week[d], err = normalizeIntervals(b.Week[d]); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidSchedule, time.Weekday(d), err)
		}
	}
	for _, e := range b.Exceptions {
		if !e.Date.Valid() {
			return nil, fmt.Errorf("%w: %w: %s", ErrInvalidSchedule, ErrInvalidDate, e.Date)
		}
		if _, dup := s.exc[e.Date]; dup {
			return nil, fmt.Errorf("%w: date %s given twice", ErrInvalidSchedule, e.Date)
		}
		ivs, err := normalizeIntervals(e.Hours)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidSchedule, e.Date, err)
		}
		if ivs == nil {
			ivs = []Interval{}
		}
		s.exc[e.Date] = ivs
	}
	return s, nil
}

// normalizeIntervals validates, sorts and merges overlapping or touching
// intervals into a fresh slice.
func normalizeIntervals(in []Interval) ([]Interval, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]Interval, 0, len(in))
	for _, iv := range in {
		if err := iv.Validate(); err != nil {
			return nil, err
		}
		out = append(out, iv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	merged := out[:1]
	for _, iv := range out[1:] {
		last := &merged[len(merged)-1]
		if iv.Start <= last.End {
			last.End = max(last.End, iv.End)
			continue
		}
		merged = append(merged, iv)
	}
	return merged, nil
}

// Zone returns the schedule's IANA zone name ("" for a nil Schedule).
func (s *Schedule) Zone() string {
	if s == nil {
		return ""
	}
	return s.zone
}

// HoursOn returns the open intervals of date d in the schedule's zone,
// sorted and disjoint. The caller must not modify the result.
func (s *Schedule) HoursOn(d Date) []Interval {
	if s == nil {
		return []Interval{{Start: 0, End: EndOfDay}}
	}
	if ivs, ok := s.exc[d]; ok {
		return ivs
	}
	return s.week[d.Weekday()]
}

// Open reports whether the schedule is open at t, judged by the wall clock
// of the schedule's zone. A nil Schedule is always open.
func (s *Schedule) Open(t time.Time) bool {
	if s == nil {
		return true
	}
	lt := t.In(s.loc)
	tod := sinceMidnight(lt)
	for _, iv := range s.HoursOn(DateOf(lt)) {
		if iv.contains(tod) {
			return true
		}
	}
	return false
}

// NextOpen returns the earliest instant >= t at which the schedule is
// open (in t's location), or false when it stays closed for the whole
// horizon after t.
func (s *Schedule) NextOpen(t time.Time, horizon time.Duration) (time.Time, bool) {
	if s == nil {
		return t, true
	}
	n, ok := nextInZone(t, t.Add(horizon), s.loc, s.HoursOn)
	if !ok {
		return time.Time{}, false
	}
	return n.In(t.Location()), true
}

// sinceMidnight is the wall-clock time of day of lt, as a duration since
// the local midnight by the clock face (not elapsed time, which differs on
// daylight-saving days).
func sinceMidnight(lt time.Time) time.Duration {
	h, m, s := lt.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(lt.Nanosecond())
}

// nextInZone returns the earliest instant x with c <= x < limit whose wall
// clock in loc falls inside one of day(local date of x)'s intervals (which
// must be sorted and disjoint).
//
// The timeline is split at the zone's offset transitions (ZoneBounds):
// within one segment the offset is constant, so wall clock = instant +
// offset is exact and monotonic, and the answer is found by date arithmetic
// on the wall clock instead of stepping. A wall-clock time skipped by a
// spring-forward gap resolves to the transition instant; the repeated hour
// of a fall-back is visited twice, once per segment.
func nextInZone(c, limit time.Time, loc *time.Location, day func(Date) []Interval) (time.Time, bool) {
	for c.Before(limit) {
		lc := c.In(loc)
		_, segEnd := lc.ZoneBounds()
		stop := limit
		if !segEnd.IsZero() && segEnd.Before(stop) {
			stop = segEnd
		}
		y, m, d := lc.Date()
		wall := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(sinceMidnight(lc))
		shift := wall.Sub(c) // the zone offset in this segment
		stopWall := stop.Add(shift)
		for dt := (Date{Year: y, Month: m, Day: d}); ; dt = dt.AddDays(1) {
			midnight := dt.midnightUTC()
			if !midnight.Before(stopWall) {
				break
			}
			for _, iv := range day(dt) {
				end := midnight.Add(iv.End.dur())
				if !end.After(wall) {
					continue
				}
				start := midnight.Add(iv.Start.dur())
				if start.Before(wall) {
					start = wall
				}
				if start.Before(stopWall) {
					return start.Add(-shift), true
				}
				break
			}
		}
		c = stop
	}
	return time.Time{}, false
}
