package compliance_test

import (
	"fmt"
	"time"

	"github.com/callstackhq/callstack/compliance"
)

// A California number whose owner lives in Florida, called at 19:30
// Pacific time: 22:30 where the person lives. The address state's zones
// (Florida spans Eastern and Central time) are candidates too, and the
// refusal names the rule that blocked it.
func ExampleRules_Check() {
	rules := compliance.NewRules()
	target := compliance.CallTarget{
		Zones:         []string{"America/Los_Angeles"}, // the number's zone
		AreaCodeState: "CA",
		AddressState:  "Florida", // codes or full names, any case
	}
	at := time.Date(2026, 3, 10, 2, 30, 0, 0, time.UTC) // 19:30 PDT on March 9
	v := rules.Check(at, target, compliance.DefaultWindow())
	fmt.Println(v.Code, v.Zone, v.State, v.Country)
	fmt.Println(v.Source)

	at = time.Date(2026, 3, 9, 19, 0, 0, 0, time.UTC) // 12:00 PDT, 15:00 EDT
	fmt.Println(rules.Check(at, target, compliance.DefaultWindow()))
	// Output:
	// outside_legal_hours America/Chicago US US
	// 47 CFR 64.1200(c)(1) (TCPA: no telephone solicitation before 8 a.m. or after 9 p.m. local time)
	// allowed
}

// NextCallable schedules instead of polling. A Utah contact on Friday
// evening, 2027-07-23: Pioneer Day falls on Saturday and is observed on
// Friday (both banned), Sunday is banned, so the next call is Monday 08:00.
func ExampleRules_NextCallable() {
	rules := compliance.NewRules()
	target := compliance.CallTarget{Zones: []string{"America/Denver"}, AddressState: "UT"}
	w := compliance.Window{Start: compliance.At(8, 0), End: compliance.At(20, 0)}

	denver, _ := time.LoadLocation("America/Denver")
	from := time.Date(2027, 7, 22, 21, 0, 0, 0, denver)
	next, ok := rules.NextCallable(from, target, w)
	fmt.Println(ok, next.In(denver).Format("Mon 2006-01-02 15:04 MST"))
	// Output:
	// true Mon 2027-07-26 08:00 MDT
}

// The day US clocks spring forward, 08:00 comes seven hours of elapsed time
// after midnight, not eight.
func ExampleRules_NextCallable_daylightSaving() {
	rules := compliance.NewRules()
	target := compliance.CallTarget{Zones: []string{"America/New_York"}}
	w := compliance.Window{Start: compliance.At(8, 0), End: compliance.At(21, 0)}

	ny, _ := time.LoadLocation("America/New_York")
	midnight := time.Date(2026, 3, 8, 0, 0, 0, 0, ny)
	next, _ := rules.NextCallable(midnight, target, w)
	fmt.Println(next.In(ny).Format("15:04 MST"), next.Sub(midnight))
	// Output:
	// 08:00 EDT 7h0m0s
}

// Business hours in the campaign's zone, with a holiday closure.
func ExampleNewSchedule() {
	nineToFive := []compliance.Interval{compliance.Between(compliance.At(9, 0), compliance.At(17, 0))}
	s, err := compliance.NewSchedule(compliance.BusinessHours{
		Zone: "America/Chicago",
		Week: [7][]compliance.Interval{
			time.Monday: nineToFive, time.Tuesday: nineToFive, time.Wednesday: nineToFive,
			time.Thursday: nineToFive, time.Friday: nineToFive,
		},
		Exceptions: []compliance.DateHours{{Date: compliance.Date{Year: 2026, Month: time.December, Day: 25}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	chicago, _ := time.LoadLocation("America/Chicago")
	fmt.Println(s.Open(time.Date(2026, 12, 24, 10, 0, 0, 0, chicago)))
	fmt.Println(s.Open(time.Date(2026, 12, 25, 10, 0, 0, 0, chicago)))
	next, _ := s.NextOpen(time.Date(2026, 12, 24, 18, 0, 0, 0, chicago), 7*24*time.Hour)
	fmt.Println(next.In(chicago).Format("Mon Jan 2 15:04"))
	// Output:
	// true
	// false
	// Mon Dec 28 09:00
}

// Florida allows three calls per person and subject in 24 hours.
func ExampleCapCheck() {
	rules := compliance.NewRules()
	caps := rules.Caps(compliance.CallTarget{AddressState: "FL"})
	now := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	prior := []time.Time{now.Add(-1 * time.Hour), now.Add(-5 * time.Hour), now.Add(-23 * time.Hour)}

	ok, next := compliance.CapCheck(caps[0].Cap, prior, now)
	fmt.Println(caps[0].State, caps[0].Cap, ok, next.Format(time.DateTime))
	// Output:
	// FL 3 per 24h0m0s false 2026-03-09 16:00:00
}
