package compliance

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wtLocal parses "2006-01-02 15:04" in zone. Do not use it for wall times
// that are skipped or repeated; give those in UTC.
func wtLocal(t testing.TB, zone, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, wtLoc(t, zone))
	require.NoError(t, err)
	return v
}

func TestRuleDefaultTableCopies(t *testing.T) {
	rows := DefaultStateRules()
	idx := map[string]int{}
	for i, r := range rows {
		idx[r.State] = i
	}
	// Fresh copies: changing one cannot change the next or a Rules.
	rows[idx["AL"]].Hours = Between(At(0, 0), At(1, 0))
	rows[idx["RI"]].DayHours[time.Saturday] = Interval{}
	again := DefaultStateRules()
	assert.Equal(t, Between(At(8, 0), At(20, 0)), again[idx["AL"]].Hours)
	assert.Equal(t, Between(At(10, 0), At(17, 0)), again[idx["RI"]].DayHours[time.Saturday])

	r := NewRules()
	ri, ok := r.State("ri")
	require.True(t, ok)
	ri.DayHours[time.Saturday] = Interval{}
	ri2, _ := r.State("RI")
	assert.Equal(t, Between(At(10, 0), At(17, 0)), ri2.DayHours[time.Saturday], "State returns a copy")
	assert.Len(t, r.States(), len(rows))
	assert.NotEmpty(t, ri2.Holidays, "NewRules fills a banning row's calendar")
}

func TestRuleCheck(t *testing.T) {
	r := NewRules()
	emergency, err := r.WithBlackouts(
		Blackout{State: "LA", From: Date{Year: 2026, Month: 9, Day: 1}, To: Date{Year: 2026, Month: 9, Day: 30}, Note: "hurricane emergency"},
		Blackout{State: "TX", From: Date{Year: 2026, Month: 2, Day: 2}, To: Date{Year: 2026, Month: 2, Day: 2}, Note: "ice storm"},
		Blackout{From: Date{Year: 2026, Month: 12, Day: 31}, To: Date{Year: 2026, Month: 12, Day: 31}, Note: "company-wide"},
	)
	require.NoError(t, err)
	sched, err := NewSchedule(BusinessHours{Zone: "America/Chicago", Week: [7][]Interval{
		1: {Between(At(9, 0), At(17, 0))}, 2: {Between(At(9, 0), At(17, 0))}, 3: {Between(At(9, 0), At(17, 0))},
		4: {Between(At(9, 0), At(17, 0))}, 5: {Between(At(9, 0), At(17, 0))}}})
	require.NoError(t, err)

	ny := []string{"America/New_York"}
	wide := Window{Start: At(8, 0), End: At(21, 0)}
	type tc struct {
		name  string
		rules *Rules
		at    time.Time
		in    CallTarget
		w     Window
		want  Verdict
	}
	allowed := Verdict{Allowed: true}
	tests := []tc{
		{name: "weekday morning", at: wtLocal(t, "America/New_York", "2026-03-09 10:00"), in: CallTarget{Zones: ny}, want: allowed},
		{name: "default window starts at 9", at: wtLocal(t, "America/New_York", "2026-03-09 08:59"), in: CallTarget{Zones: ny},
			want: Verdict{Code: CodeOutsideWindow, Zone: "America/New_York"}},
		{name: "federal end is exclusive", at: wtLocal(t, "America/New_York", "2026-03-09 21:00"), in: CallTarget{Zones: ny}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: FederalState}},
		{name: "window can never widen the law", at: wtLocal(t, "America/New_York", "2026-03-09 07:30"), in: CallTarget{Zones: ny},
			w:    Window{Start: At(6, 0), End: At(23, 0)},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: FederalState}},
		{name: "20:59:59 allowed", at: wtLocal(t, "America/New_York", "2026-03-09 20:59").Add(59 * time.Second), in: CallTarget{Zones: ny}, want: allowed},
		// US spring forward: 2026-03-08 02:00 EST -> 03:00 EDT.
		{name: "08:30 EDT on spring-forward day", at: wtUTC(t, "2026-03-08 12:30"), in: CallTarget{Zones: ny}, w: wide, want: allowed},
		{name: "07:30 EDT on spring-forward day (08:30 if EST were fixed)", at: wtUTC(t, "2026-03-08 11:30"), in: CallTarget{Zones: ny}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: FederalState}},
		// US fall back: 2026-11-01 02:00 EDT -> 01:00 EST; 01:xx happens twice.
		{name: "01:30 EDT (first)", at: wtUTC(t, "2026-11-01 05:30"), in: CallTarget{Zones: ny}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: FederalState}},
		{name: "01:30 EST (repeated)", at: wtUTC(t, "2026-11-01 06:30"), in: CallTarget{Zones: ny}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: FederalState}},
		{name: "07:00 EST after fall-back (08:00 if EDT were fixed)", at: wtUTC(t, "2026-11-01 12:00"), in: CallTarget{Zones: ny}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: FederalState}},
		{name: "08:00 EST after fall-back", at: wtUTC(t, "2026-11-01 13:00"), in: CallTarget{Zones: ny}, w: wide, want: allowed},
		// EU: 2026-03-29 and 2026-10-25.
		{name: "London 08:30 BST on spring day", at: wtUTC(t, "2026-03-29 07:30"), in: CallTarget{Zones: []string{"Europe/London"}}, w: wide, want: allowed},
		{name: "London 07:30 GMT on autumn day", at: wtUTC(t, "2026-10-25 07:30"), in: CallTarget{Zones: []string{"Europe/London"}}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "Europe/London", State: FederalState}},
		{name: "Berlin 08:00 CET after autumn change", at: wtUTC(t, "2026-10-25 07:00"), in: CallTarget{Zones: []string{"Europe/Berlin"}}, w: wide, want: allowed},
		{name: "Kolkata 09:00 IST", at: wtUTC(t, "2026-03-09 03:30"), in: CallTarget{Zones: []string{"Asia/Kolkata"}}, want: allowed},
		{name: "Kolkata 08:59 IST", at: wtUTC(t, "2026-03-09 03:29"), in: CallTarget{Zones: []string{"Asia/Kolkata"}},
			want: Verdict{Code: CodeOutsideWindow, Zone: "Asia/Kolkata"}},
		{name: "Kathmandu 09:00 NPT", at: wtUTC(t, "2026-03-09 03:15"), in: CallTarget{Zones: []string{"Asia/Kathmandu"}}, want: allowed},
		{name: "Kathmandu 08:59 NPT", at: wtUTC(t, "2026-03-09 03:14"), in: CallTarget{Zones: []string{"Asia/Kathmandu"}},
			want: Verdict{Code: CodeOutsideWindow, Zone: "Asia/Kathmandu"}},
		{name: "Lord Howe 08:00 +10:30 after DST ends", at: wtUTC(t, "2026-04-04 21:30"), in: CallTarget{Zones: []string{"Australia/Lord_Howe"}}, w: wide, want: allowed},
		{name: "Lord Howe 07:59 +10:30", at: wtUTC(t, "2026-04-04 21:29"), in: CallTarget{Zones: []string{"Australia/Lord_Howe"}}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "Australia/Lord_Howe", State: FederalState}},
		{name: "Phoenix has no DST", at: wtUTC(t, "2026-03-09 15:00"), in: CallTarget{Zones: []string{"America/Phoenix"}}, w: wide, want: allowed},
		{name: "Phoenix 07:59 MST", at: wtUTC(t, "2026-03-09 14:59"), in: CallTarget{Zones: []string{"America/Phoenix"}}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/Phoenix", State: FederalState}},
		// States.
		{name: "FL ends at 20:00", at: wtLocal(t, "America/New_York", "2026-03-09 20:00"), in: CallTarget{Zones: ny, AddressState: "FL"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: "FL"}},
		{name: "FL by area code only", at: wtLocal(t, "America/New_York", "2026-03-09 20:30"), in: CallTarget{Zones: ny, AreaCodeState: "fl"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: "FL"}},
		{name: "NY address, FL area code: FL applies", at: wtLocal(t, "America/New_York", "2026-03-09 20:30"), in: CallTarget{Zones: ny, AddressState: "NY", AreaCodeState: "FL"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: "FL"}},
		{name: "TX has no row", at: wtLocal(t, "America/Chicago", "2026-03-09 20:30"), in: CallTarget{Zones: []string{"America/Chicago"}, AddressState: "TX"}, want: allowed},
		{name: "CT starts at 9", at: wtLocal(t, "America/New_York", "2026-03-09 08:30"), in: CallTarget{Zones: ny, AddressState: "CT"}, w: wide,
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: "CT"}},
		{name: "WA 20:15", at: wtLocal(t, "America/Los_Angeles", "2026-03-09 20:15"), in: CallTarget{Zones: []string{"America/Los_Angeles"}, AddressState: "WA"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/Los_Angeles", State: "WA"}},
		{name: "PA until 21:00", at: wtLocal(t, "America/New_York", "2026-03-09 20:30"), in: CallTarget{Zones: ny, AddressState: "PA"}, want: allowed},
		{name: "PA observed Independence Day", at: wtLocal(t, "America/New_York", "2026-07-03 12:00"), in: CallTarget{Zones: ny, AddressState: "PA"},
			want: Verdict{Code: CodeHolidayBan, Zone: "America/New_York", State: "PA", Detail: "Independence Day"}},
		{name: "AL Sunday", at: wtLocal(t, "America/Chicago", "2026-03-08 12:00"), in: CallTarget{Zones: []string{"America/Chicago"}, AddressState: "AL"},
			want: Verdict{Code: CodeSundayBan, Zone: "America/Chicago", State: "AL"}},
		{name: "MS Sunday", at: wtLocal(t, "America/Chicago", "2026-03-08 12:00"), in: CallTarget{Zones: []string{"America/Chicago"}, AreaCodeState: "MS"},
			want: Verdict{Code: CodeSundayBan, Zone: "America/Chicago", State: "MS"}},
		{name: "LA Mardi Gras", at: wtLocal(t, "America/Chicago", "2026-02-17 12:00"), in: CallTarget{Zones: []string{"America/Chicago"}, AddressState: "LA"},
			want: Verdict{Code: CodeHolidayBan, Zone: "America/Chicago", State: "LA", Detail: "Mardi Gras"}},
		{name: "UT Pioneer Day 2027 observed Friday", at: wtLocal(t, "America/Denver", "2027-07-23 12:00"), in: CallTarget{Zones: []string{"America/Denver"}, AddressState: "UT"},
			want: Verdict{Code: CodeHolidayBan, Zone: "America/Denver", State: "UT", Detail: "Pioneer Day"}},
		{name: "RI Saturday 09:30", at: wtLocal(t, "America/New_York", "2026-03-14 09:30"), in: CallTarget{Zones: ny, AddressState: "RI"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: "RI"}},
		{name: "RI Saturday 10:30", at: wtLocal(t, "America/New_York", "2026-03-14 10:30"), in: CallTarget{Zones: ny, AddressState: "RI"}, want: allowed},
		{name: "RI weekday 18:00", at: wtLocal(t, "America/New_York", "2026-03-13 18:00"), in: CallTarget{Zones: ny, AddressState: "RI"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: "RI"}},
		{name: "RI Victory Day", at: wtLocal(t, "America/New_York", "2026-08-10 12:00"), in: CallTarget{Zones: ny, AddressState: "RI"},
			want: Verdict{Code: CodeHolidayBan, Zone: "America/New_York", State: "RI", Detail: "Victory Day"}},
		{name: "holiday judged on the local date", at: wtUTC(t, "2026-08-11 03:00"), in: CallTarget{Zones: ny, AddressState: "RI"},
			want: Verdict{Code: CodeHolidayBan, Zone: "America/New_York", State: "RI", Detail: "Victory Day"}}, // 23:00 Aug 10 local, Aug 11 UTC
		// Several zones: every one must allow.
		{name: "NY ok, LA too early", at: wtUTC(t, "2026-03-09 14:00"), in: CallTarget{Zones: []string{"America/New_York", "America/Los_Angeles"}},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/Los_Angeles", State: FederalState}},
		{name: "NY and LA both open", at: wtUTC(t, "2026-03-09 17:00"), in: CallTarget{Zones: []string{"America/New_York", "America/Los_Angeles"}}, want: allowed},
		// Fallback policy.
		{name: "no zone skips", at: wtUTC(t, "2026-03-09 17:00"), in: CallTarget{}, want: Verdict{Code: CodeNoTimezone}},
		{name: "blank zones skip", at: wtUTC(t, "2026-03-09 17:00"), in: CallTarget{Zones: []string{""}}, want: Verdict{Code: CodeNoTimezone}},
		{name: "no zone, fallback", at: wtUTC(t, "2026-03-09 17:00"), in: CallTarget{}, w: Window{FallbackZone: "America/Chicago"}, want: allowed},
		{name: "no zone, fallback closed", at: wtUTC(t, "2026-03-09 12:30"), in: CallTarget{}, w: Window{FallbackZone: "America/Chicago"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/Chicago", State: FederalState}},
		{name: "unknown zone skips", at: wtUTC(t, "2026-03-09 17:00"), in: CallTarget{Zones: []string{"America/New_York", "Mars/Olympus"}},
			want: Verdict{Code: CodeUnknownTimezone, Zone: "Mars/Olympus"}},
		{name: "Local is unknown", at: wtUTC(t, "2026-03-09 17:00"), in: CallTarget{Zones: []string{"Local"}},
			want: Verdict{Code: CodeUnknownTimezone, Zone: "Local"}},
		{name: "unknown zone uses fallback", at: wtUTC(t, "2026-03-09 14:30"), in: CallTarget{Zones: []string{"America/New_York", "Mars/Olympus"}},
			w:    Window{FallbackZone: "America/Los_Angeles"},
			want: Verdict{Code: CodeOutsideLegalHours, Zone: "America/Los_Angeles", State: FederalState}},
		{name: "unknown fallback", at: wtUTC(t, "2026-03-09 17:00"), in: CallTarget{}, w: Window{FallbackZone: "Mars/Olympus"},
			want: Verdict{Code: CodeUnknownTimezone, Zone: "Mars/Olympus"}},
		// Window days and validity.
		{name: "weekdays only on Saturday", at: wtLocal(t, "America/New_York", "2026-03-14 12:00"), in: CallTarget{Zones: ny}, w: Window{Days: MondayToFriday},
			want: Verdict{Code: CodeDayNotAllowed, Zone: "America/New_York"}},
		{name: "invalid window allows nothing", at: wtLocal(t, "America/New_York", "2026-03-09 12:00"), in: CallTarget{Zones: ny}, w: Window{Start: At(13, 0), End: At(10, 0)},
			want: Verdict{Code: CodeOutsideWindow, Zone: "America/New_York"}},
		// Blackouts.
		{name: "LA emergency", rules: emergency, at: wtLocal(t, "America/Chicago", "2026-09-15 12:00"), in: CallTarget{Zones: []string{"America/Chicago"}, AreaCodeState: "LA"},
			want: Verdict{Code: CodeBlackout, Zone: "America/Chicago", State: "LA", Detail: "hurricane emergency"}},
		{name: "LA emergency does not touch MS", rules: emergency, at: wtLocal(t, "America/Chicago", "2026-09-15 12:00"), in: CallTarget{Zones: []string{"America/Chicago"}, AreaCodeState: "MS"}, want: allowed},
		{name: "blackout for a state without a row", rules: emergency, at: wtLocal(t, "America/Chicago", "2026-02-02 12:00"), in: CallTarget{Zones: []string{"America/Chicago"}, AddressState: "tx"},
			want: Verdict{Code: CodeBlackout, Zone: "America/Chicago", State: "TX", Detail: "ice storm"}},
		{name: "all-state blackout", rules: emergency, at: wtLocal(t, "Asia/Kolkata", "2026-12-31 12:00"), in: CallTarget{Zones: []string{"Asia/Kolkata"}},
			want: Verdict{Code: CodeBlackout, Zone: "Asia/Kolkata", Detail: "company-wide"}},
		{name: "blackout on local date, not UTC", rules: emergency, at: wtUTC(t, "2027-01-01 02:00"), in: CallTarget{Zones: []string{"Pacific/Honolulu"}}, w: wide,
			want: Verdict{Code: CodeBlackout, Zone: "Pacific/Honolulu", Detail: "company-wide"}}, // 16:00 Dec 31 in Honolulu
		// Business hours (campaign zone Chicago).
		{name: "schedule open", at: wtLocal(t, "America/Chicago", "2026-03-09 16:59"), in: CallTarget{Zones: []string{"America/Los_Angeles"}}, w: Window{Hours: sched}, want: allowed},
		{name: "schedule closed", at: wtLocal(t, "America/Chicago", "2026-03-09 17:00"), in: CallTarget{Zones: []string{"America/Los_Angeles"}}, w: Window{Hours: sched},
			want: Verdict{Code: CodeScheduleClosed, Zone: "America/Chicago"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules := tc.rules
			if rules == nil {
				rules = r
			}
			got := rules.Check(tc.at, tc.in, tc.w)
			switch got.Code {
			case CodeOutsideLegalHours, CodeHolidayBan, CodeSundayBan:
				assert.NotEmpty(t, got.Source, "a law block cites its rule")
				assert.NotEmpty(t, got.Country)
			}
			got.Country, got.Source = "", ""
			assert.Equal(t, tc.want, got, "got %s", got)
		})
	}
}

func TestRuleWithOverrides(t *testing.T) {
	base := NewRules()
	at := wtLocal(t, "America/New_York", "2026-03-09 10:30")
	in := CallTarget{Zones: []string{"America/New_York"}, AddressState: "FL"}
	require.True(t, base.Check(at, in, Window{}).Allowed)

	strict, err := base.With(StateRule{State: "fl", Hours: Between(At(11, 0), At(20, 0)), Source: "house policy"})
	require.NoError(t, err)
	assert.Equal(t, Verdict{Code: CodeOutsideLegalHours, Zone: "America/New_York", State: "FL", Country: "US", Source: "house policy"}, strict.Check(at, in, Window{}))
	assert.True(t, base.Check(at, in, Window{}).Allowed, "With must not change the receiver")
	fl, _ := strict.State("FL")
	assert.True(t, fl.Cap.IsZero(), "a row replaces the whole row")

	// A new state with a holiday ban and no calendar gets its default.
	nv, err := base.With(StateRule{State: "NV", NoHolidays: true, Source: "test"})
	require.NoError(t, err)
	name, ok := nv.IsHoliday("NV", wtDate(t, "2026-07-03"))
	assert.True(t, ok)
	assert.Equal(t, "Independence Day", name)

	without := base.Without("FL")
	assert.True(t, without.Check(wtLocal(t, "America/New_York", "2026-03-09 20:30"), in, Window{}).Allowed)
	_, ok = base.State("FL")
	assert.True(t, ok)

	bad := []StateRule{
		{State: "", Source: "x"},
		{State: "F L"},
		{State: "FL", Hours: Between(At(20, 0), At(8, 0))},
		{State: "FL", DayHours: map[time.Weekday]Interval{time.Saturday: Between(At(9, 0), At(8, 0))}},
		{State: "FL", DayHours: map[time.Weekday]Interval{time.Weekday(8): Between(At(9, 0), At(10, 0))}},
		{State: "FL", Cap: Cap{Limit: 3}},
		{State: "FL", Cap: Cap{Limit: -1, Per: time.Hour}},
	}
	for i, row := range bad {
		t.Run(fmt.Sprint("bad", i), func(t *testing.T) {
			n, err := base.With(row)
			assert.ErrorIs(t, err, ErrInvalidRule)
			assert.Nil(t, n)
		})
	}
	_, err = base.WithBlackouts(Blackout{From: wtDate(t, "2026-02-02"), To: wtDate(t, "2026-02-01")})
	assert.ErrorIs(t, err, ErrInvalidBlackout)
	_, err = base.WithBlackouts(Blackout{From: Date{Year: 2026, Month: 2, Day: 30}, To: wtDate(t, "2026-03-01")})
	assert.ErrorIs(t, err, ErrInvalidBlackout)
	assert.Empty(t, base.Blackouts())

	assert.Equal(t, DefaultHorizon, base.Horizon())
	assert.Equal(t, time.Hour, base.WithHorizon(time.Hour).Horizon())
	assert.Equal(t, DefaultHorizon, base.WithHorizon(-1).Horizon())

	var nilRules *Rules
	assert.True(t, nilRules.Check(wtLocal(t, "America/New_York", "2026-03-09 20:30"), in, Window{}).Allowed, "nil *Rules is federal only")
	assert.Empty(t, nilRules.Caps(in))
	withFL, err := nilRules.With(StateRule{State: "FL", Hours: Between(At(8, 0), At(20, 0)), Source: "test"})
	require.NoError(t, err)
	assert.False(t, withFL.Check(wtLocal(t, "America/New_York", "2026-03-09 20:30"), in, Window{}).Allowed)

	// The zero Rules is the federal rule alone.
	var zero Rules
	assert.True(t, zero.Check(wtLocal(t, "America/New_York", "2026-03-09 20:30"), in, Window{}).Allowed)
	got, ok := zero.NextCallable(wtLocal(t, "America/New_York", "2026-03-09 21:30"), in, Window{})
	require.True(t, ok)
	assert.True(t, wtLocal(t, "America/New_York", "2026-03-10 10:00").Equal(got), "got %s: 09:00 in Chicago, where a Florida address may be", got)
}

func TestRuleNextCallable(t *testing.T) {
	r := NewRules()
	sched, err := NewSchedule(BusinessHours{Zone: "America/Chicago", Week: [7][]Interval{
		1: {Between(At(9, 0), At(17, 0))}, 2: {Between(At(9, 0), At(17, 0))}, 3: {Between(At(9, 0), At(17, 0))},
		4: {Between(At(9, 0), At(17, 0))}, 5: {Between(At(9, 0), At(17, 0))}}})
	require.NoError(t, err)
	ny := []string{"America/New_York"}
	wide := Window{Start: At(8, 0), End: At(21, 0)}
	tests := []struct {
		name string
		from time.Time
		in   CallTarget
		w    Window
		want string // UTC, "" for none
	}{
		{name: "already callable", from: wtUTC(t, "2026-03-09 15:00:07"), in: CallTarget{Zones: ny}, want: "2026-03-09 15:00:07"},
		{name: "before window", from: wtUTC(t, "2026-03-09 11:00"), in: CallTarget{Zones: ny}, want: "2026-03-09 13:00"},
		{name: "spring-forward day 08:00 EDT", from: wtUTC(t, "2026-03-08 05:00"), in: CallTarget{Zones: ny}, w: wide, want: "2026-03-08 12:00"},
		{name: "fall-back day 08:00 EST", from: wtUTC(t, "2026-11-01 04:00"), in: CallTarget{Zones: ny}, w: wide, want: "2026-11-01 13:00"},
		{name: "London after spring change", from: wtUTC(t, "2026-03-28 21:00"), in: CallTarget{Zones: []string{"Europe/London"}}, w: wide, want: "2026-03-29 07:00"},
		{name: "after window rolls to next day", from: wtUTC(t, "2026-03-10 01:30"), in: CallTarget{Zones: ny}, want: "2026-03-10 13:00"},
		{name: "UT: Friday observed, Saturday holiday, Sunday ban", from: wtLocal(t, "America/Denver", "2027-07-22 21:00"),
			in: CallTarget{Zones: []string{"America/Denver"}, AddressState: "UT"}, w: wide, want: "2027-07-26 14:00"},
		{name: "RI: Sunday ban then Victory Day", from: wtLocal(t, "America/New_York", "2026-08-08 17:00"),
			in: CallTarget{Zones: ny, AddressState: "RI"}, w: wide, want: "2026-08-11 13:00"},
		{name: "RI Saturday opens at 10", from: wtLocal(t, "America/New_York", "2026-08-07 18:30"),
			in: CallTarget{Zones: ny, AddressState: "RI"}, w: wide, want: "2026-08-08 14:00"},
		{name: "two zones", from: wtUTC(t, "2026-03-09 12:00"), in: CallTarget{Zones: []string{"America/New_York", "America/Los_Angeles"}}, want: "2026-03-09 16:00"},
		{name: "schedule and zone", from: wtUTC(t, "2026-03-13 22:00"), in: CallTarget{Zones: []string{"America/Los_Angeles"}}, w: Window{Hours: sched}, want: "2026-03-16 16:00"},
		{name: "no zone", from: wtUTC(t, "2026-03-09 12:00"), in: CallTarget{}, want: ""},
		{name: "unknown zone", from: wtUTC(t, "2026-03-09 12:00"), in: CallTarget{Zones: []string{"Nowhere/Zone"}}, want: ""},
		{name: "fallback zone", from: wtUTC(t, "2026-03-09 12:00"), in: CallTarget{}, w: Window{FallbackZone: "America/Chicago"}, want: "2026-03-09 14:00"},
		{name: "Sunday-only window in AL is never callable", from: wtUTC(t, "2026-03-09 12:00"),
			in: CallTarget{Zones: []string{"America/Chicago"}, AddressState: "AL"}, w: Window{Days: Days(time.Sunday)}, want: ""},
		{name: "Kathmandu", from: wtUTC(t, "2026-03-09 00:00"), in: CallTarget{Zones: []string{"Asia/Kathmandu"}}, want: "2026-03-09 03:15"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := r.NextCallable(tc.from, tc.in, tc.w)
			if tc.want == "" {
				assert.False(t, ok, "got %s", got)
				return
			}
			require.True(t, ok)
			assert.Equal(t, wtUTC(t, tc.want), got.UTC())
			assert.True(t, r.Check(got, tc.in, tc.w).Allowed)
		})
	}
}

// bruteNext is the reference: a minute-by-minute scan with Check. All
// offsets and transitions of the test zones are whole minutes, so every
// boundary is a UTC minute.
func bruteNext(r *Rules, t time.Time, in CallTarget, w Window) (time.Time, bool) {
	limit := t.Add(r.Horizon())
	if r.Check(t, in, w).Allowed {
		return t, true
	}
	for m := t.Truncate(time.Minute).Add(time.Minute); m.Before(limit); m = m.Add(time.Minute) {
		if r.Check(m, in, w).Allowed {
			return m, true
		}
	}
	return time.Time{}, false
}

// TestRuleNextCallableProperty compares NextCallable with the brute-force
// scan over random targets, windows, schedules and times around
// daylight-saving transitions.
func TestRuleNextCallableProperty(t *testing.T) {
	zones := []string{"America/New_York", "America/Phoenix", "Europe/London", "Australia/Lord_Howe",
		"Asia/Kolkata", "Asia/Kathmandu", "America/Los_Angeles", "America/Denver", "Mars/Olympus"}
	states := []string{"", "", "AL", "CT", "FL", "LA", "PA", "RI", "UT", "MS", "TX"}
	days := []string{"2026-03-08", "2026-11-01", "2026-03-29", "2026-10-25", "2026-04-05", "2026-10-04", "2026-07-03", "2026-08-10"}
	base, err := NewRules().WithBlackouts(Blackout{State: "FL", From: wtDate(t, "2026-10-26"), To: wtDate(t, "2026-10-27"), Note: "storm"})
	require.NoError(t, err)
	r := base.WithHorizon(4 * 24 * time.Hour)

	rng := rand.New(rand.NewPCG(42, 2026))
	minute := func() TimeOfDay {
		if rng.IntN(2) == 0 {
			return TimeOfDay(rng.IntN(97) * 15)
		}
		return TimeOfDay(rng.IntN(1441))
	}
	n := 400
	if testing.Short() {
		n = 80
	}
	var found, immediate int
	for i := range n {
		var in CallTarget
		for range 1 + rng.IntN(2) {
			in.Zones = append(in.Zones, zones[rng.IntN(len(zones))])
		}
		if rng.IntN(10) == 0 {
			in.Zones = nil
		}
		in.AddressState = states[rng.IntN(len(states))]
		in.AreaCodeState = states[rng.IntN(len(states))]
		var w Window
		if rng.IntN(4) > 0 {
			a, b := minute(), minute()
			w.Start, w.End = min(a, b), max(a, b)
		}
		if rng.IntN(3) == 0 {
			w.Days = Weekdays(rng.IntN(128))
		}
		if rng.IntN(5) == 0 {
			w.FallbackZone = zones[rng.IntN(len(zones)-1)]
		}
		if rng.IntN(3) == 0 {
			var b BusinessHours
			b.Zone = zones[rng.IntN(len(zones)-1)]
			for d := range b.Week {
				for range rng.IntN(3) {
					a, c := minute(), minute()
					if a != c {
						b.Week[d] = append(b.Week[d], Between(min(a, c), max(a, c)))
					}
				}
			}
			s, err := NewSchedule(b)
			require.NoError(t, err)
			w.Hours = s
		}
		day := wtDate(t, days[rng.IntN(len(days))]).AddDays(-rng.IntN(3))
		from := day.midnightUTC().Add(time.Duration(rng.IntN(48*60)) * time.Minute)
		if rng.IntN(2) == 0 {
			from = from.Add(time.Duration(rng.IntN(60_000)) * time.Millisecond)
		}

		got, ok := r.NextCallable(from, in, w)
		want, wok := bruteNext(r, from, in, w)
		require.Equal(t, wok, ok, "case %d: from %s in %+v w %+v: got %s want %s", i, from, in, w, got, want)
		if !ok {
			continue
		}
		require.True(t, want.Equal(got), "case %d: from %s in %+v w %+v sched %v: got %s want %s",
			i, from, in, w, w.Hours.Zone(), got.UTC(), want.UTC())
		found++
		if got.Equal(from) {
			immediate++
		}
	}
	t.Logf("%d cases, %d callable within the horizon, %d immediately", n, found, immediate)
	assert.Greater(t, found, n/5, "the generator must produce callable cases")
	assert.Greater(t, found-immediate, n/10, "and cases that need a search")
}

// TestRuleConcurrentUse exercises the shared caches under -race.
func TestRuleConcurrentUse(t *testing.T) {
	r := NewRules()
	in := CallTarget{Zones: []string{"America/New_York", "Nowhere/Zone"}, AddressState: "RI"}
	w := Window{FallbackZone: "America/Chicago"}
	from := time.Date(2026, 8, 8, 23, 0, 0, 0, time.UTC)
	want, ok := r.NextCallable(from, in, w)
	require.True(t, ok)
	done := make(chan time.Time)
	for g := range 4 {
		go func() {
			var got time.Time
			for i := range 50 {
				rr := r
				if i%10 == g {
					rr = r.WithHorizon(DefaultHorizon) // fresh holiday cache
				}
				got, _ = rr.NextCallable(from, in, w)
				rr.Check(from.Add(time.Duration(i)*time.Hour), in, w)
			}
			done <- got
		}()
	}
	for range 4 {
		assert.True(t, want.Equal(<-done))
	}
}

func BenchmarkRuleCheck(b *testing.B) {
	r := NewRules()
	in := CallTarget{Zones: []string{"America/New_York", "America/Chicago"}, AddressState: "FL", AreaCodeState: "PA"}
	at := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	w := DefaultWindow()
	for b.Loop() {
		if !r.Check(at, in, w).Allowed {
			b.Fatal("want allowed")
		}
	}
}

func BenchmarkRuleNextCallable(b *testing.B) {
	r := NewRules()
	in := CallTarget{Zones: []string{"America/New_York", "America/Chicago"}, AddressState: "UT", AreaCodeState: "RI"}
	at := time.Date(2026, 8, 8, 23, 0, 0, 0, time.UTC) // Saturday evening: Sunday ban, then Victory Day
	w := DefaultWindow()
	for b.Loop() {
		if _, ok := r.NextCallable(at, in, w); !ok {
			b.Fatal("want callable")
		}
	}
}
