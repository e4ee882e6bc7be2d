package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
)

// stateSpec is what each state's row must say, written out independently
// of the table: weekday, Saturday and Sunday hours ("" = no calls that
// day) and whether legal holidays are banned.
type stateSpec struct {
	week, sat, sun string
	holidays       bool
	cap            int
}

var (
	fed   = stateSpec{week: "08:00-21:00", sat: "08:00-21:00", sun: "08:00-21:00"}
	e2e   = stateSpec{week: "08:00-20:00", sat: "08:00-20:00", sun: "08:00-20:00"}
	n2n   = stateSpec{week: "09:00-21:00", sat: "09:00-21:00", sun: "09:00-21:00"}
	specs = map[string]stateSpec{
		"AL": {week: "08:00-20:00", sat: "08:00-20:00", holidays: true},
		"AK": fed, "AZ": fed, "AR": fed, "CA": fed, "CO": fed,
		"CT": {week: "09:00-20:00", sat: "09:00-20:00", sun: "09:00-20:00"},
		"DE": fed, "DC": fed,
		"FL": {week: "08:00-20:00", sat: "08:00-20:00", sun: "08:00-20:00", cap: 3},
		"GA": fed, "HI": fed, "ID": fed, "IL": fed, "IN": fed, "IA": fed,
		"KS": n2n,
		"KY": {week: "10:00-21:00", sat: "10:00-21:00", sun: "10:00-21:00"},
		"LA": {week: "08:00-20:00", sat: "08:00-20:00", holidays: true},
		"ME": fed,
		"MD": {week: "08:00-20:00", sat: "08:00-20:00", sun: "08:00-20:00", cap: 3},
		"MA": e2e, "MI": n2n, "MN": n2n,
		"MS": {week: "08:00-20:00", sat: "08:00-20:00", holidays: true},
		"MO": fed, "MT": fed, "NE": fed,
		"NV": {week: "09:00-20:00", sat: "09:00-20:00", sun: "09:00-20:00"},
		"NH": fed, "NJ": fed, "NM": n2n, "NY": fed, "NC": fed, "ND": fed, "OH": fed,
		"OK": {week: "08:00-20:00", sat: "08:00-20:00", sun: "08:00-20:00", cap: 3},
		"OR": fed,
		"PA": {week: "08:00-21:00", sat: "08:00-21:00", sun: "13:30-21:00", holidays: true},
		"RI": {week: "09:00-18:00", sat: "10:00-17:00", holidays: true},
		"SC": fed, "SD": fed, "TN": fed,
		"TX": {week: "09:00-21:00", sat: "09:00-21:00", sun: "12:00-21:00"},
		"UT": {week: "08:00-21:00", sat: "08:00-21:00", holidays: true},
		"VT": fed, "VA": fed,
		"WA": e2e,
		"WV": fed, "WI": fed, "WY": fed,
	}
)

// TestStateTableCoversEveryStateAndDC: one row per state and DC, no
// other, each citing a source.
func TestStateTableCoversEveryStateAndDC(t *testing.T) {
	rows := DefaultStateRules()
	seen := map[string]bool{}
	for _, r := range rows {
		require.False(t, seen[r.State], "%s twice", r.State)
		seen[r.State] = true
		assert.NoError(t, r.Validate(), r.State)
		assert.NotEmpty(t, r.Source, "%s must cite its statute", r.State)
		if r.Hours == (Interval{}) {
			assert.Contains(t, r.Note, "federal", "%s: a row without hours says the federal rule applies", r.State)
		}
	}
	want := 0
	for _, s := range campaign.Subdivisions() {
		if s.Country == "US" && !strings.Contains("PR VI GU MP AS", s.Code) {
			want++
			assert.True(t, seen[s.Code], "no row for %s", s.Code)
		}
	}
	assert.Equal(t, 51, want)
	assert.Len(t, rows, 51)
	assert.Len(t, specs, 51)
}

// TestStateRows probes every row at its boundaries on a Wednesday, a
// Saturday, a Sunday and Thanksgiving, in the state's zones, by address.
func TestStateRows(t *testing.T) {
	r := NewRules()
	for _, row := range DefaultStateRules() {
		t.Run(row.State, func(t *testing.T) {
			spec, ok := specs[row.State]
			require.True(t, ok)
			for _, z := range StateZones(row.State) {
				target := CallTarget{Zones: []string{z}, AreaCodeState: row.State}
				w := Window{Start: 0, End: EndOfDay}
				probeDay := func(date, hours string, wantBanned VerdictCode) {
					t.Helper()
					if hours == "" {
						v := r.Check(wtLocal(t, z, date+" 12:00"), target, w)
						assert.Equal(t, wantBanned, v.Code, "%s %s noon: %s", z, date, v)
						if v.Code != "" {
							assert.Equal(t, row.State, v.State)
							assert.Equal(t, row.Source, v.Source, "the block names its statute")
						}
						return
					}
					from, to, _ := strings.Cut(hours, "-")
					start := wtLocal(t, z, date+" "+from)
					end := wtLocal(t, z, date+" "+to)
					assert.True(t, r.Check(start, target, w).Allowed, "%s %s %s", z, date, from)
					assert.True(t, r.Check(end.Add(-time.Minute), target, w).Allowed, "%s %s before %s", z, date, to)
					for _, at := range []time.Time{start.Add(-time.Minute), end} {
						v := r.Check(at, target, w)
						require.Equal(t, CodeOutsideLegalHours, v.Code, "%s %s", z, at)
						assert.NotEmpty(t, v.Source)
						if spec == fed {
							assert.Equal(t, FederalState, v.State)
						}
					}
				}
				probeDay("2026-03-11", spec.week, "")
				probeDay("2026-03-14", spec.sat, CodeSundayBan)
				probeDay("2026-03-15", spec.sun, CodeSundayBan)
				v := r.Check(wtLocal(t, z, "2026-11-26 12:00"), target, w)
				if spec.holidays {
					assert.Equal(t, CodeHolidayBan, v.Code, "Thanksgiving in %s", row.State)
					assert.Equal(t, "Thanksgiving Day", v.Detail)
				} else {
					assert.True(t, v.Allowed, "Thanksgiving in %s: %s", row.State, v)
				}
			}
			caps := r.Caps(CallTarget{AddressState: row.State})
			if spec.cap > 0 {
				require.Len(t, caps, 1)
				assert.Equal(t, spec.cap, caps[0].Cap.Limit)
			} else {
				assert.Empty(t, caps)
			}
		})
	}
}

func TestStateHolidays2026To2028(t *testing.T) {
	r := NewRules()
	tests := []struct {
		state, date, name string // name "" = not a banned day
	}{
		// Louisiana, La. R.S. 1:55: Jan 8 and Aug 30 are holidays and never
		// move; All Saints' Day never moves; New Year's Day, July 4 and
		// Christmas move off weekends.
		{"LA", "2026-01-08", "Battle of New Orleans"},
		{"LA", "2027-01-08", "Battle of New Orleans"},
		{"LA", "2028-01-08", "Battle of New Orleans"},
		{"LA", "2028-01-07", ""},
		{"LA", "2028-01-10", ""},
		{"LA", "2026-08-30", "Huey P. Long Day"},
		{"LA", "2026-08-31", ""},
		{"LA", "2027-08-30", "Huey P. Long Day"},
		{"LA", "2028-08-30", "Huey P. Long Day"},
		{"LA", "2026-11-01", "All Saints' Day"},
		{"LA", "2026-11-02", ""},
		{"LA", "2027-11-01", "All Saints' Day"},
		{"LA", "2028-11-01", "All Saints' Day"},
		{"LA", "2027-07-05", "Independence Day"},
		{"LA", "2027-12-24", "Christmas Day"},
		{"LA", "2028-02-29", "Mardi Gras"},
		{"LA", "2027-03-26", "Good Friday"},
		// Utah, § 63G-1-301: Saturday → Friday, Sunday → Monday.
		{"UT", "2026-07-24", "Pioneer Day"},
		{"UT", "2027-07-23", "Pioneer Day"},
		{"UT", "2028-07-24", "Pioneer Day"},
		{"UT", "2027-06-18", "Juneteenth National Freedom Day"},
		{"UT", "2027-07-26", ""},
		// Pennsylvania, 44 P.S. § 11: Sunday → Monday only.
		{"PA", "2026-06-15", "Flag Day"},
		{"PA", "2027-06-14", "Flag Day"},
		{"PA", "2028-06-14", "Flag Day"},
		{"PA", "2028-06-13", ""},
		{"PA", "2026-11-03", "Election Day"},
		{"PA", "2027-11-02", "Election Day"},
		{"PA", "2028-11-07", "Election Day"},
		// Mississippi, § 3-3-7.
		{"MS", "2026-04-27", "Confederate Memorial Day"},
		{"MS", "2027-04-26", "Confederate Memorial Day"},
		{"MS", "2028-04-24", "Confederate Memorial Day"},
		{"MS", "2027-07-05", "Independence Day"},
		// Rhode Island, § 25-1-1.
		{"RI", "2026-08-10", "Victory Day"},
		{"RI", "2027-08-09", "Victory Day"},
		{"RI", "2028-08-14", "Victory Day"},
		// Alabama, § 1-3-8.
		{"AL", "2026-06-01", "Jefferson Davis's Birthday"},
		{"AL", "2027-06-07", "Jefferson Davis's Birthday"},
		{"AL", "2028-06-05", "Jefferson Davis's Birthday"},
		{"AL", "2028-04-24", "Confederate Memorial Day"},
		// Federal holidays with their federal observed days, in every
		// banning state (cautious reading): New Year's Day 2028 is a
		// Saturday, observed Friday 2027-12-31.
		{"MS", "2027-12-31", "New Year's Day"},
		{"RI", "2028-11-10", "Veterans Day"},
	}
	for _, tc := range tests {
		t.Run(tc.state+"/"+tc.date, func(t *testing.T) {
			name, ok := r.IsHoliday(tc.state, wtDate(t, tc.date))
			assert.Equal(t, tc.name != "", ok)
			assert.Equal(t, tc.name, name)
		})
	}
}
