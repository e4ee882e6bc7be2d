package compliance

import (
	"testing"

	"github.com/rickar/cal/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHolidayFederalDates pins rickar/cal's federal calendar, observed
// shifts included, on real dates.
func TestHolidayFederalDates(t *testing.T) {
	fed := FederalHolidays()
	tests := []struct {
		date string
		name string // "" for not a holiday
	}{
		{"2026-07-04", "Independence Day"}, // Saturday, actual
		{"2026-07-03", "Independence Day"}, // observed Friday
		{"2026-07-02", ""},
		{"2026-07-06", ""},
		{"2021-12-31", "New Year's Day"}, // 2022-01-01 is a Saturday: observed in the previous year
		{"2022-01-01", "New Year's Day"},
		{"2022-01-03", ""},
		{"2022-12-26", "Christmas Day"}, // 2022-12-25 is a Sunday
		{"2026-01-19", "Martin Luther King Jr. Day"},
		{"2026-02-16", "Presidents' Day"},
		{"2026-05-25", "Memorial Day"},
		{"2026-09-07", "Labor Day"},
		{"2026-10-12", "Columbus Day"},
		{"2026-11-11", "Veterans Day"},
		{"2026-11-26", "Thanksgiving Day"},
		{"2026-11-27", ""}, // the us package has no Day after Thanksgiving
		{"2020-06-19", ""}, // Juneteenth starts in 2021
		{"2021-06-18", "Juneteenth"},
		{"2027-06-18", "Juneteenth"}, // 2027-06-19 is a Saturday
		{"2027-12-24", "Christmas Day"},
		{"2027-12-31", "New Year's Day"}, // 2028-01-01 is a Saturday
	}
	for _, tc := range tests {
		t.Run(tc.date, func(t *testing.T) {
			name, ok := HolidayOn(fed, wtDate(t, tc.date))
			assert.Equal(t, tc.name != "", ok)
			assert.Equal(t, tc.name, name)
		})
	}
}

func TestHolidayStateDates(t *testing.T) {
	tests := []struct {
		state string
		date  string
		name  string
	}{
		{"LA", "2026-02-17", "Mardi Gras"},
		{"LA", "2027-02-09", "Mardi Gras"},
		{"LA", "2025-03-04", "Mardi Gras"},
		{"LA", "2026-04-03", "Good Friday"},
		{"LA", "2026-11-01", "All Saints' Day"},
		{"LA", "2026-11-02", ""}, // Nov 1 2026 is a Sunday; La. R.S. 1:55 does not move All Saints' Day
		{"LA", "2026-08-10", ""},
		{"RI", "2026-08-10", "Victory Day"},
		{"RI", "2025-08-11", "Victory Day"},
		{"RI", "2026-08-03", ""},
		{"RI", "2026-07-03", "Independence Day"},
		{"UT", "2026-07-24", "Pioneer Day"},
		{"UT", "2027-07-24", "Pioneer Day"}, // Saturday, actual
		{"UT", "2027-07-23", "Pioneer Day"}, // observed Friday
		{"UT", "2027-07-26", ""},
		{"UT", "2028-07-24", "Pioneer Day"},
		{"AL", "2026-04-27", "Confederate Memorial Day"},
		{"AL", "2026-06-01", "Jefferson Davis's Birthday"},
		{"AL", "2026-02-17", "Mardi Gras"},
		{"PA", "2026-06-14", "Flag Day"},
		{"PA", "2025-06-13", ""},         // 2025-06-14 is a Saturday; 44 P.S. § 11 moves only Sunday holidays
		{"PA", "2026-06-15", "Flag Day"}, // 2026-06-14 is a Sunday
		{"PA", "2026-11-03", "Election Day"},
		{"PA", "2027-11-02", "Election Day"}, // Nov 1 2027 is the first Monday
		{"PA", "2022-11-08", "Election Day"}, // Nov 1 2022 is a Tuesday
		{"PA", "2026-04-03", "Good Friday"},
		{"PA", "2026-02-17", ""},
	}
	r := NewRules()
	for _, tc := range tests {
		t.Run(tc.state+"/"+tc.date, func(t *testing.T) {
			d := wtDate(t, tc.date)
			name, ok := HolidayOn(StateHolidays(tc.state), d)
			assert.Equal(t, tc.name != "", ok)
			assert.Equal(t, tc.name, name)
			rname, rok := r.IsHoliday(tc.state, d)
			assert.Equal(t, ok, rok, "Rules.IsHoliday agrees")
			assert.Equal(t, name, rname)
		})
	}
	assert.Nil(t, StateHolidays("FL"), "FL has no holiday ban")
	_, ok := r.IsHoliday("FL", wtDate(t, "2026-07-04"))
	assert.False(t, ok, "no ban in FL even on a federal holiday")
	_, ok = r.IsHoliday("TX", wtDate(t, "2026-07-04"))
	assert.False(t, ok)
}

// TestHolidayDatesYear checks the list form and its consistency with the
// cache over two whole years.
func TestHolidayDatesYear(t *testing.T) {
	days := HolidayDates(FederalHolidays(), 2026)
	require.NotEmpty(t, days)
	for i := 1; i < len(days); i++ {
		assert.LessOrEqual(t, days[i-1].Date.Compare(days[i].Date), 0, "sorted")
	}
	var obs []string
	for _, d := range days {
		assert.Equal(t, 2026, d.Date.Year)
		if d.Observed {
			obs = append(obs, d.Date.String()+" "+d.Name)
		}
	}
	// 2026: Jul 4 (Sat) -> Jul 3; Nov 11 is a Wednesday, Dec 25 a Friday.
	assert.Equal(t, []string{"2026-07-03 Independence Day"}, obs)
	assert.Len(t, days, 12, "11 federal holidays plus one observed day")

	hc := &holidayCache{}
	for _, st := range []string{"AL", "LA", "PA", "RI", "UT"} {
		hs := StateHolidays(st)
		for d := wtDate(t, "2026-01-01"); d.Year < 2028; d = d.AddDays(1) {
			n1, ok1 := HolidayOn(hs, d)
			n2, ok2 := hc.on(st, hs, d)
			require.Equal(t, ok1, ok2, "%s %s", st, d)
			require.Equal(t, n1, n2)
		}
	}
	assert.Empty(t, HolidayDates([]*cal.Holiday{nil}, 2026), "nil holidays are ignored")
}
