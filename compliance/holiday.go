package compliance

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/us"
)

// Holiday policy
//
// A state that bans calls on holidays bans them on the holiday's actual
// date AND on its observed date when the two differ (Independence Day 2026
// is Saturday July 4 and is observed Friday July 3: both are banned). The
// statutes speak of "legal holidays" without settling which day counts, so
// the library takes the conservative reading. Fixed-date state holidays
// carry the US weekend shift (Saturday → Friday, Sunday → Monday), as
// Utah's Pioneer Day does by Utah Code 63G-1-301; Monday- and
// Easter-based holidays never shift. Dates are the contact's local dates.
//
// The federal list comes from github.com/rickar/cal/v2/us (eleven federal
// holidays, observed shifts included; no Day after Thanksgiving). Each
// banning state's own days are data here, built on cal.Holiday, and can be
// replaced per state with Rules.With.

// weekendShift is the US observed-day rule: Saturday → Friday,
// Sunday → Monday.
func weekendShift() []cal.AltDay {
	return []cal.AltDay{{Day: time.Saturday, Offset: -1}, {Day: time.Sunday, Offset: 1}}
}

// FederalHolidays returns the US federal holidays (a fresh slice; the
// holidays themselves are rickar/cal's shared values and must not be
// modified).
func FederalHolidays() []*cal.Holiday {
	return append([]*cal.Holiday(nil), us.Holidays...)
}

// StateHolidays returns the default holiday calendar of a state whose
// calling law bans holidays: the federal list plus the state's own days.
// It returns nil for a state without a default calendar. The list is a
// fresh slice of fresh state-specific holidays on every call:
//
//   - AL (Ala. Code § 1-3-8): Mardi Gras (Easter − 47, kept statewide though
//     the law names Mobile and Baldwin counties), Confederate Memorial Day
//     (fourth Monday of April), Jefferson Davis's Birthday (first Monday of
//     June).
//   - LA (La. R.S. 1:55): Mardi Gras, Good Friday, All Saints' Day (Nov 1).
//   - PA (44 P.S. § 11): Good Friday, Flag Day (Jun 14), Election Day (the
//     Tuesday after the first Monday of November, every year).
//   - RI (R.I. Gen. Laws § 25-1-1): Victory Day (second Monday of August).
//   - UT (Utah Code § 63G-1-301): Pioneer Day (Jul 24).
//
// Governors add one-off holidays by proclamation (Louisiana declared
// July 3, 2023 a holiday); add those as Blackouts.
func StateHolidays(state string) []*cal.Holiday {
	var extra []*cal.Holiday
	switch strings.ToUpper(state) {
	case "AL":
		extra = []*cal.Holiday{mardiGras(), confederateMemorialDay(), jeffersonDavisBirthday()}
	case "LA":
		extra = []*cal.Holiday{mardiGras(), goodFriday(), allSaintsDay()}
	case "PA":
		extra = []*cal.Holiday{goodFriday(), flagDay(), electionDay()}
	case "RI":
		extra = []*cal.Holiday{victoryDay()}
	case "UT":
		extra = []*cal.Holiday{pioneerDay()}
	default:
		return nil
	}
	return append(FederalHolidays(), extra...)
}

func mardiGras() *cal.Holiday {
	return &cal.Holiday{Name: "Mardi Gras", Type: cal.ObservancePublic, Offset: -47, Func: cal.CalcEasterOffset}
}

func goodFriday() *cal.Holiday {
	return aa.GoodFriday.Clone(&cal.Holiday{Name: "Good Friday", Type: cal.ObservancePublic})
}

func allSaintsDay() *cal.Holiday {
	return &cal.Holiday{Name: "All Saints' Day", Type: cal.ObservancePublic, Month: time.November, Day: 1,
		Observed: weekendShift(), Func: cal.CalcDayOfMonth}
}

func confederateMemorialDay() *cal.Holiday {
	return &cal.Holiday{Name: "Confederate Memorial Day", Type: cal.ObservancePublic, Month: time.April,
		Weekday: time.Monday, Offset: 4, Func: cal.CalcWeekdayOffset}
}

func jeffersonDavisBirthday() *cal.Holiday {
	return &cal.Holiday{Name: "Jefferson Davis's Birthday", Type: cal.ObservancePublic, Month: time.June,
		Weekday: time.Monday, Offset: 1, Func: cal.CalcWeekdayOffset}
}

func flagDay() *cal.Holiday {
	return &cal.Holiday{Name: "Flag Day", Type: cal.ObservancePublic, Month: time.June, Day: 14,
		Observed: weekendShift(), Func: cal.CalcDayOfMonth}
}

// electionDay is the first Tuesday on or after November 2, i.e. the
// Tuesday after the first Monday of November.
func electionDay() *cal.Holiday {
	return &cal.Holiday{Name: "Election Day", Type: cal.ObservancePublic, Month: time.November, Day: 2,
		Weekday: time.Tuesday, Offset: 1, Func: cal.CalcWeekdayFrom}
}

func victoryDay() *cal.Holiday {
	return &cal.Holiday{Name: "Victory Day", Type: cal.ObservancePublic, Month: time.August,
		Weekday: time.Monday, Offset: 2, Func: cal.CalcWeekdayOffset}
}

func pioneerDay() *cal.Holiday {
	return &cal.Holiday{Name: "Pioneer Day", Type: cal.ObservancePublic, Month: time.July, Day: 24,
		Observed: weekendShift(), Func: cal.CalcDayOfMonth}
}

// HolidayDate is one banned day produced by a holiday in a given year.
type HolidayDate struct {
	Date     Date   // the banned local date
	Name     string // the holiday's name, e.g. "Independence Day"
	Observed bool   // the observed (shifted) day, not the actual date
}

// HolidayDates lists the days of year on which hs ban calls: every
// holiday's actual date and, when different, its observed date, sorted by
// date. An observed day may come from a neighbouring year's holiday (New
// Year's Day 2022, a Saturday, is observed Friday 2021-12-31, which is
// listed under 2021).
func HolidayDates(hs []*cal.Holiday, year int) []HolidayDate {
	var out []HolidayDate
	for y := year - 1; y <= year+1; y++ {
		for _, h := range hs {
			if h == nil {
				continue
			}
			actual, observed := h.Calc(y)
			if actual.IsZero() {
				continue
			}
			a := DateOf(actual)
			if a.Year == year {
				out = append(out, HolidayDate{Date: a, Name: h.Name})
			}
			if o := DateOf(observed); o != a && o.Year == year {
				out = append(out, HolidayDate{Date: o, Name: h.Name, Observed: true})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Compare(out[j].Date) < 0 })
	return out
}

// HolidayOn reports whether d is a banned day under hs (actual or observed)
// and names the holiday.
func HolidayOn(hs []*cal.Holiday, d Date) (name string, ok bool) {
	for _, h := range HolidayDates(hs, d.Year) {
		if h.Date == d {
			return h.Name, true
		}
	}
	return "", false
}

// holidayCache memoises each state's banned days per year. A nil
// *holidayCache computes every time.
type holidayCache struct{ m sync.Map }

type holidayKey struct {
	state string
	year  int
}

func (c *holidayCache) on(state string, hs []*cal.Holiday, d Date) (string, bool) {
	if c == nil {
		return HolidayOn(hs, d)
	}
	k := holidayKey{state: state, year: d.Year}
	v, ok := c.m.Load(k)
	if !ok {
		days := HolidayDates(hs, d.Year)
		m := make(map[Date]string, len(days))
		for _, h := range days {
			if _, dup := m[h.Date]; !dup {
				m[h.Date] = h.Name
			}
		}
		v, _ = c.m.LoadOrStore(k, m)
	}
	name, ok := v.(map[Date]string)[d]
	return name, ok
}
