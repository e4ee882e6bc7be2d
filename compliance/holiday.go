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
// date AND on its observed date when the two differ: the statutes speak of
// "legal holidays" without settling which day counts, so the library takes
// the cautious reading. Each banning state's own list comes from its
// holiday statute with that statute's observed-day rule (which days move
// off a weekend, and where to); the federal legal public holidays
// (5 U.S.C. § 6103, from github.com/rickar/cal/v2/us, with the federal
// Saturday → Friday, Sunday → Monday rule) are added to every banning
// state's calendar, because they are legal holidays everywhere in the
// country — again the cautious reading. Monday- and Easter-based holidays
// never shift. Dates are the contact's local dates. Each state's calendar
// can be replaced with Rules.With.

// weekendShift is the Saturday → Friday, Sunday → Monday observed rule.
func weekendShift() []cal.AltDay {
	return []cal.AltDay{{Day: time.Saturday, Offset: -1}, {Day: time.Sunday, Offset: 1}}
}

// sundayToMonday is the Sunday → Monday observed rule (a Saturday holiday
// stays on Saturday).
func sundayToMonday() []cal.AltDay { return []cal.AltDay{{Day: time.Sunday, Offset: 1}} }

// FederalHolidays returns the US federal holidays (a fresh slice; the
// holidays themselves are rickar/cal's shared values and must not be
// modified).
func FederalHolidays() []*cal.Holiday {
	return append([]*cal.Holiday(nil), us.Holidays...)
}

// fixedDay is a holiday on a fixed date moved by observed (nil: never).
func fixedDay(name string, m time.Month, day int, observed []cal.AltDay) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: m, Day: day, Observed: observed, Func: cal.CalcDayOfMonth}
}

// nthWeekday is the nth weekday of a month (n = -1: the last).
func nthWeekday(name string, m time.Month, wd time.Weekday, n int) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: m, Weekday: wd, Offset: n, Func: cal.CalcWeekdayOffset}
}

// StateHolidays returns the default holiday calendar of a state whose
// calling law bans holidays: the state's own statutory list, each day
// with the statute's observed-day rule, then the federal holidays (see
// Holiday policy). It returns nil for a state without a default calendar.
// The list is a fresh slice of fresh state-specific holidays on every call:
//
//   - AL (Ala. Code § 1-3-8): every fixed-date holiday moves Saturday →
//     Friday and Sunday → Monday. Mardi Gras is kept statewide though the
//     law names Mobile and Baldwin counties.
//   - LA (La. R.S. 1:55(A)(1)): Battle of New Orleans (Jan 8), Mardi Gras,
//     Good Friday, Huey P. Long Day (Aug 30), All Saints' Day (Nov 1) and
//     the rest; only New Year's Day, Independence Day and Christmas move
//     off a weekend. Jan 8, Aug 30 and Nov 1 never move. Inauguration Day
//     (Baton Rouge only) and Saturdays in some parishes are not included.
//   - MS (Miss. Code Ann. § 3-3-7): a holiday on a Sunday moves to Monday;
//     none moves off a Saturday.
//   - PA (44 P.S. § 11): a holiday on a Sunday moves to Monday. Election
//     Day is every year's (municipal elections fall in odd years).
//   - RI (R.I. Gen. Laws § 25-1-1): Victory Day (second Monday of August);
//     fixed-date days move Sunday → Monday.
//   - UT (Utah Code § 63G-1-301(1)(b)): Pioneer Day (Jul 24) and Juneteenth;
//     fixed-date days move Saturday → Friday and Sunday → Monday.
//
// Governors add one-off holidays by proclamation (Louisiana declared
// July 3, 2023 a holiday); add those as Blackouts.
func StateHolidays(state string) []*cal.Holiday {
	var own []*cal.Holiday
	switch strings.ToUpper(state) {
	case "AL":
		sh := weekendShift()
		own = []*cal.Holiday{
			fixedDay("New Year's Day", time.January, 1, sh),
			nthWeekday("Robert E. Lee/Martin Luther King Birthday", time.January, time.Monday, 3),
			nthWeekday("George Washington/Thomas Jefferson Birthday", time.February, time.Monday, 3),
			mardiGras(),
			nthWeekday("Confederate Memorial Day", time.April, time.Monday, 4),
			nthWeekday("National Memorial Day", time.May, time.Monday, -1),
			nthWeekday("Jefferson Davis's Birthday", time.June, time.Monday, 1),
			fixedDay("Independence Day", time.July, 4, sh),
			nthWeekday("Labor Day", time.September, time.Monday, 1),
			nthWeekday("Columbus Day/Fraternal Day/American Indian Heritage Day", time.October, time.Monday, 2),
			fixedDay("Veterans' Day", time.November, 11, sh),
			nthWeekday("Thanksgiving Day", time.November, time.Thursday, 4),
			fixedDay("Christmas Day", time.December, 25, sh),
		}
	case "LA":
		sh := weekendShift()
		own = []*cal.Holiday{
			fixedDay("New Year's Day", time.January, 1, sh),
			fixedDay("Battle of New Orleans", time.January, 8, nil),
			nthWeekday("Dr. Martin Luther King, Jr.'s Birthday", time.January, time.Monday, 3),
			nthWeekday("Washington's Birthday and Presidents' Day", time.February, time.Monday, 3),
			mardiGras(),
			goodFriday(),
			nthWeekday("National Memorial Day", time.May, time.Monday, -1),
			fixedDay("Independence Day", time.July, 4, sh),
			fixedDay("Huey P. Long Day", time.August, 30, nil),
			nthWeekday("Labor Day", time.September, time.Monday, 1),
			nthWeekday("Christopher Columbus Day", time.October, time.Monday, 2),
			fixedDay("All Saints' Day", time.November, 1, nil),
			fixedDay("Veterans' Day", time.November, 11, nil),
			nthWeekday("Thanksgiving Day", time.November, time.Thursday, 4),
			fixedDay("Christmas Day", time.December, 25, sh),
		}
	case "MS":
		sh := sundayToMonday()
		own = []*cal.Holiday{
			fixedDay("New Year's Day", time.January, 1, sh),
			nthWeekday("Martin Luther King's and Robert E. Lee's Birthdays", time.January, time.Monday, 3),
			nthWeekday("Washington's Birthday", time.February, time.Monday, 3),
			nthWeekday("Confederate Memorial Day", time.April, time.Monday, -1),
			nthWeekday("National Memorial Day and Jefferson Davis's Birthday", time.May, time.Monday, -1),
			fixedDay("Independence Day", time.July, 4, sh),
			nthWeekday("Labor Day", time.September, time.Monday, 1),
			fixedDay("Armistice Day (Veterans' Day)", time.November, 11, sh),
			nthWeekday("Thanksgiving Day", time.November, time.Thursday, 4),
			fixedDay("Christmas Day", time.December, 25, sh),
		}
	case "PA":
		sh := sundayToMonday()
		own = []*cal.Holiday{
			fixedDay("New Year's Day", time.January, 1, sh),
			nthWeekday("Martin Luther King, Jr. Day", time.January, time.Monday, 3),
			nthWeekday("Presidents' Day", time.February, time.Monday, 3),
			goodFriday(),
			nthWeekday("Memorial Day", time.May, time.Monday, -1),
			fixedDay("Flag Day", time.June, 14, sh),
			fixedDay("Independence Day", time.July, 4, sh),
			nthWeekday("Labor Day", time.September, time.Monday, 1),
			nthWeekday("Columbus Day", time.October, time.Monday, 2),
			electionDay(),
			fixedDay("Veterans' Day", time.November, 11, sh),
			nthWeekday("Thanksgiving Day", time.November, time.Thursday, 4),
			fixedDay("Christmas Day", time.December, 25, sh),
		}
	case "RI":
		sh := sundayToMonday()
		own = []*cal.Holiday{
			fixedDay("New Year's Day", time.January, 1, sh),
			nthWeekday("Dr. Martin Luther King, Jr.'s Birthday", time.January, time.Monday, 3),
			nthWeekday("Memorial Day", time.May, time.Monday, -1),
			fixedDay("Independence Day", time.July, 4, sh),
			nthWeekday("Victory Day", time.August, time.Monday, 2),
			nthWeekday("Labor Day", time.September, time.Monday, 1),
			nthWeekday("Columbus Day", time.October, time.Monday, 2),
			fixedDay("Veterans' Day", time.November, 11, sh),
			nthWeekday("Thanksgiving Day", time.November, time.Thursday, 4),
			fixedDay("Christmas Day", time.December, 25, sh),
		}
	case "UT":
		sh := weekendShift()
		own = []*cal.Holiday{
			fixedDay("New Year's Day", time.January, 1, sh),
			nthWeekday("Dr. Martin Luther King, Jr. Day", time.January, time.Monday, 3),
			nthWeekday("Washington and Lincoln Day", time.February, time.Monday, 3),
			nthWeekday("Memorial Day", time.May, time.Monday, -1),
			fixedDay("Juneteenth National Freedom Day", time.June, 19, sh),
			fixedDay("Independence Day", time.July, 4, sh),
			fixedDay("Pioneer Day", time.July, 24, sh),
			nthWeekday("Labor Day", time.September, time.Monday, 1),
			nthWeekday("Columbus Day", time.October, time.Monday, 2),
			fixedDay("Veterans Day", time.November, 11, sh),
			nthWeekday("Thanksgiving Day", time.November, time.Thursday, 4),
			fixedDay("Christmas Day", time.December, 25, sh),
		}
	default:
		return nil
	}
	return append(own, FederalHolidays()...)
}

func mardiGras() *cal.Holiday {
	return &cal.Holiday{Name: "Mardi Gras", Type: cal.ObservancePublic, Offset: -47, Func: cal.CalcEasterOffset}
}

func goodFriday() *cal.Holiday {
	return aa.GoodFriday.Clone(&cal.Holiday{Name: "Good Friday", Type: cal.ObservancePublic})
}

// electionDay is the first Tuesday on or after November 2, i.e. the
// Tuesday after the first Monday of November.
func electionDay() *cal.Holiday {
	return &cal.Holiday{Name: "Election Day", Type: cal.ObservancePublic, Month: time.November, Day: 2,
		Weekday: time.Tuesday, Offset: 1, Func: cal.CalcWeekdayFrom}
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
