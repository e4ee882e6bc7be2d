package compliance

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wtLoc loads an IANA zone or fails the test.
func wtLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// wtUTC parses "2006-01-02 15:04" (or with seconds) as UTC.
func wtUTC(t testing.TB, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout = time.DateTime
	}
	v, err := time.Parse(layout, s)
	require.NoError(t, err)
	return v
}

func wtDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	require.NoError(t, err)
	return d
}

func TestTimeOfDayParse(t *testing.T) {
	tests := []struct {
		in   string
		want TimeOfDay
		err  bool
	}{
		{in: "00:00", want: 0},
		{in: "09:00", want: At(9, 0)},
		{in: "20:59", want: At(20, 59)},
		{in: "24:00", want: EndOfDay},
		{in: "24:01", err: true},
		{in: "9:00", err: true},
		{in: "09:60", err: true},
		{in: "-1:00", err: true},
		{in: "0900", err: true},
		{in: "", err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTimeOfDay(tc.in)
			if tc.err {
				require.ErrorIs(t, err, ErrInvalidTimeOfDay)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.in, got.String())
		})
	}
}

func TestWindowIntervalAndWeekdays(t *testing.T) {
	iv := Between(At(9, 0), At(17, 0))
	require.NoError(t, iv.Validate())
	assert.ErrorIs(t, Between(At(17, 0), At(9, 0)).Validate(), ErrInvalidInterval)
	assert.ErrorIs(t, Between(At(9, 0), At(9, 0)).Validate(), ErrInvalidInterval)
	assert.ErrorIs(t, Between(At(9, 0), At(25, 0)).Validate(), ErrInvalidInterval)
	assert.Equal(t, Between(At(10, 0), At(17, 0)), iv.Intersect(Between(At(10, 0), At(20, 0))))
	assert.True(t, iv.Intersect(Between(At(17, 0), At(20, 0))).Empty(), "touching intervals do not overlap")
	assert.True(t, iv.contains(9*time.Hour))
	assert.True(t, iv.contains(17*time.Hour-time.Nanosecond))
	assert.False(t, iv.contains(17*time.Hour), "end is exclusive")
	assert.False(t, iv.contains(9*time.Hour-time.Second))

	wd := Days(time.Monday, time.Friday, time.Weekday(9))
	assert.True(t, wd.Has(time.Monday))
	assert.True(t, wd.Has(time.Friday))
	assert.False(t, wd.Has(time.Sunday))
	assert.False(t, wd.Has(time.Weekday(9)))
	assert.Equal(t, "Mon,Fri", wd.String())
	assert.False(t, MondayToFriday.Has(time.Saturday))
	assert.True(t, MondayToFriday.Has(time.Wednesday))
}

func TestWindowDefaultsAndValidate(t *testing.T) {
	tests := []struct {
		name   string
		w      Window
		wantIv Interval
		wantD  Weekdays
		err    bool
	}{
		{name: "zero is default", w: Window{}, wantIv: Between(At(9, 0), At(21, 0)), wantD: EveryDay},
		{name: "explicit", w: Window{Start: At(10, 0), End: At(12, 0), Days: MondayToFriday}, wantIv: Between(At(10, 0), At(12, 0)), wantD: MondayToFriday},
		{name: "inverted", w: Window{Start: At(21, 0), End: At(9, 0)}, wantIv: Between(At(21, 0), At(9, 0)), wantD: EveryDay, err: true},
		{name: "unknown fallback", w: Window{FallbackZone: "Mars/Olympus"}, wantIv: Between(At(9, 0), At(21, 0)), wantD: EveryDay, err: true},
		{name: "Local fallback refused", w: Window{FallbackZone: "Local"}, wantIv: Between(At(9, 0), At(21, 0)), wantD: EveryDay, err: true},
		{name: "good fallback", w: Window{FallbackZone: "America/Chicago"}, wantIv: Between(At(9, 0), At(21, 0)), wantD: EveryDay},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.wantIv, tc.w.Interval())
			assert.Equal(t, tc.wantD, tc.w.Weekdays())
			err := tc.w.Validate()
			if tc.err {
				assert.ErrorIs(t, err, ErrInvalidWindow)
			} else {
				assert.NoError(t, err)
			}
		})
	}
	assert.Equal(t, DefaultWindow().Interval(), Window{}.Interval())
}

func TestWindowDate(t *testing.T) {
	d := wtDate(t, "2026-02-28")
	assert.Equal(t, wtDate(t, "2026-03-01"), d.AddDays(1))
	assert.Equal(t, wtDate(t, "2025-12-31"), wtDate(t, "2026-01-01").AddDays(-1))
	assert.Equal(t, time.Saturday, d.Weekday())
	assert.Equal(t, -1, d.Compare(d.AddDays(1)))
	assert.Equal(t, 1, d.Compare(wtDate(t, "2025-12-31")))
	assert.Equal(t, 0, d.Compare(d))
	assert.True(t, d.Valid())
	assert.False(t, Date{Year: 2026, Month: 2, Day: 29}.Valid())
	_, err := ParseDate("2026-02-30")
	assert.ErrorIs(t, err, ErrInvalidDate)
	assert.Equal(t, "2026-02-28", d.String())
}

func TestScheduleNewErrors(t *testing.T) {
	nine5 := []Interval{Between(At(9, 0), At(17, 0))}
	tests := []struct {
		name string
		b    BusinessHours
		want error
	}{
		{name: "no zone", b: BusinessHours{}, want: ErrUnknownZone},
		{name: "unknown zone", b: BusinessHours{Zone: "America/Atlantis"}, want: ErrUnknownZone},
		{name: "bad interval", b: BusinessHours{Zone: "UTC", Week: [7][]Interval{1: {Between(At(17, 0), At(9, 0))}}}, want: ErrInvalidInterval},
		{name: "bad date", b: BusinessHours{Zone: "UTC", Exceptions: []DateHours{{Date: Date{Year: 2026, Month: 2, Day: 30}}}}, want: ErrInvalidDate},
		{name: "duplicate date", b: BusinessHours{Zone: "UTC", Exceptions: []DateHours{
			{Date: Date{Year: 2026, Month: 12, Day: 24}}, {Date: Date{Year: 2026, Month: 12, Day: 24}, Hours: nine5}}}, want: ErrInvalidSchedule},
		{name: "bad exception hours", b: BusinessHours{Zone: "UTC", Exceptions: []DateHours{
			{Date: Date{Year: 2026, Month: 12, Day: 24}, Hours: []Interval{{Start: At(9, 0), End: At(9, 0)}}}}}, want: ErrInvalidInterval},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSchedule(tc.b)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrInvalidSchedule)
			assert.True(t, errors.Is(err, tc.want), "%v is not %v", err, tc.want)
		})
	}
}

func TestScheduleOpen(t *testing.T) {
	weekdays := []Interval{Between(At(12, 0), At(17, 0)), Between(At(9, 0), At(12, 30))} // unsorted, overlapping
	s, err := NewSchedule(BusinessHours{
		Zone: "America/Chicago",
		Week: [7][]Interval{1: weekdays, 2: weekdays, 3: weekdays, 4: weekdays, 5: weekdays,
			6: {Between(At(10, 0), At(14, 0))}},
		Exceptions: []DateHours{
			{Date: Date{Year: 2026, Month: 12, Day: 25}},                                                   // closed
			{Date: Date{Year: 2026, Month: 12, Day: 24}, Hours: []Interval{Between(At(9, 0), At(12, 0))}},  // short day
			{Date: Date{Year: 2026, Month: 12, Day: 27}, Hours: []Interval{Between(At(13, 0), At(15, 0))}}, // open Sunday
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "America/Chicago", s.Zone())
	assert.Equal(t, []Interval{Between(At(9, 0), At(17, 0))}, s.HoursOn(wtDate(t, "2026-12-21")), "merged")

	chi := wtLoc(t, "America/Chicago")
	tests := []struct {
		local string
		want  bool
	}{
		{"2026-12-21 08:59", false},
		{"2026-12-21 09:00", true},
		{"2026-12-21 12:15", true},
		{"2026-12-21 16:59", true},
		{"2026-12-21 17:00", false},
		{"2026-12-19 13:59", true}, // Saturday
		{"2026-12-19 14:00", false},
		{"2026-12-20 12:00", false}, // Sunday
		{"2026-12-24 11:59", true},
		{"2026-12-24 12:00", false},
		{"2026-12-25 10:00", false},
		{"2026-12-27 14:00", true},
	}
	for _, tc := range tests {
		t.Run(tc.local, func(t *testing.T) {
			lt, err := time.ParseInLocation("2006-01-02 15:04", tc.local, chi)
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.Open(lt))
			assert.Equal(t, tc.want, s.Open(lt.UTC()), "location of t must not matter")
		})
	}
	var none *Schedule
	assert.True(t, none.Open(time.Time{}))
	got, ok := none.NextOpen(wtUTC(t, "2026-01-01 00:00"), time.Hour)
	assert.True(t, ok)
	assert.Equal(t, wtUTC(t, "2026-01-01 00:00"), got)
}

// TestScheduleDST checks the wall-clock behaviour of business hours on
// daylight-saving days, where the hour is skipped or repeated.
func TestScheduleDST(t *testing.T) {
	every := func(iv ...Interval) [7][]Interval {
		var w [7][]Interval
		for i := range w {
			w[i] = iv
		}
		return w
	}
	tests := []struct {
		name    string
		zone    string
		hours   []Interval
		from    string // UTC
		horizon time.Duration
		want    string // UTC; "" for none
	}{
		// New York spring forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z).
		{name: "skipped start resolves to transition", zone: "America/New_York", hours: []Interval{Between(At(2, 30), At(4, 0))},
			from: "2026-03-08 05:00", horizon: 24 * time.Hour, want: "2026-03-08 07:00"},
		{name: "hour that does not exist is skipped", zone: "America/New_York", hours: []Interval{Between(At(2, 0), At(3, 0))},
			from: "2026-03-08 05:00", horizon: 48 * time.Hour, want: "2026-03-09 06:00"},
		{name: "08:30 EDT on spring-forward day", zone: "America/New_York", hours: []Interval{Between(At(8, 30), At(9, 0))},
			from: "2026-03-08 05:00", horizon: 24 * time.Hour, want: "2026-03-08 12:30"},
		// New York fall back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
		{name: "repeated hour, first pass", zone: "America/New_York", hours: []Interval{Between(At(1, 30), At(1, 45))},
			from: "2026-11-01 04:00", horizon: 24 * time.Hour, want: "2026-11-01 05:30"},
		{name: "repeated hour, second pass", zone: "America/New_York", hours: []Interval{Between(At(1, 30), At(1, 45))},
			from: "2026-11-01 05:45", horizon: 24 * time.Hour, want: "2026-11-01 06:30"},
		{name: "wall clock goes back into the interval", zone: "America/New_York", hours: []Interval{Between(At(1, 0), At(1, 30))},
			from: "2026-11-01 05:30", horizon: 24 * time.Hour, want: "2026-11-01 06:00"},
		{name: "08:00 EST after fall-back", zone: "America/New_York", hours: []Interval{Between(At(8, 0), At(9, 0))},
			from: "2026-11-01 04:00", horizon: 24 * time.Hour, want: "2026-11-01 13:00"},
		// London 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
		{name: "London spring", zone: "Europe/London", hours: []Interval{Between(At(1, 15), At(3, 0))},
			from: "2026-03-29 00:00", horizon: 24 * time.Hour, want: "2026-03-29 01:00"},
		{name: "London autumn repeated 01:15", zone: "Europe/London", hours: []Interval{Between(At(1, 15), At(1, 20))},
			from: "2026-10-25 00:20", horizon: 24 * time.Hour, want: "2026-10-25 01:15"},
		// Lord Howe 2026-10-04 02:00 +10:30 -> 02:30 +11 (15:30Z on Oct 3).
		{name: "Lord Howe 30-minute gap", zone: "Australia/Lord_Howe", hours: []Interval{Between(At(2, 10), At(2, 20))},
			from: "2026-10-03 14:00", horizon: 48 * time.Hour, want: "2026-10-04 15:10"},
		{name: "Lord Howe gap then open", zone: "Australia/Lord_Howe", hours: []Interval{Between(At(2, 10), At(3, 0))},
			from: "2026-10-03 14:00", horizon: 24 * time.Hour, want: "2026-10-03 15:30"},
		{name: "Kathmandu +5:45", zone: "Asia/Kathmandu", hours: []Interval{Between(At(9, 0), At(10, 0))},
			from: "2026-03-08 00:00", horizon: 24 * time.Hour, want: "2026-03-08 03:15"},
		{name: "closed for the horizon", zone: "Asia/Kolkata", hours: nil,
			from: "2026-03-08 00:00", horizon: 72 * time.Hour, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSchedule(BusinessHours{Zone: tc.zone, Week: every(tc.hours...)})
			require.NoError(t, err)
			from := wtUTC(t, tc.from)
			got, ok := s.NextOpen(from, tc.horizon)
			if tc.want == "" {
				assert.False(t, ok, "got %s", got)
				return
			}
			require.True(t, ok)
			assert.True(t, wtUTC(t, tc.want).Equal(got), "got %s, local %s", got.UTC(), got.In(wtLoc(t, tc.zone)))
			assert.Equal(t, from.Location(), got.Location(), "result in the location of t")
			assert.True(t, s.Open(got))
			assert.True(t, got.Equal(from) || !s.Open(got.Add(-time.Minute)), "must be the earliest")
		})
	}
}
