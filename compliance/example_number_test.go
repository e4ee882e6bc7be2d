package compliance_test

import (
	"errors"
	"fmt"

	"github.com/callstackhq/callstack/compliance"
)

// A zero Checker reads national numbers as US numbers and allows every
// country.
func ExampleChecker_Check() {
	var c compliance.Checker
	f, err := c.Check("(415) 555-2671 ext. 12")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.E164, f.Extension, f.Type, f.Timezones, f.States)
	// Output: +14155552671 12 fixed_line_or_mobile [America/Los_Angeles] [CA]
}

// Unsafe numbers come back as a *NumberError with a stable reason.
func ExampleChecker_Check_refused() {
	var c compliance.Checker
	for _, raw := range []string{"911", "+1 911", "9112345", "411", "212-555-1212", "+1 900 555 0000", "415-555-0123", "415-055-2671"} {
		_, err := c.Check(raw)
		fmt.Printf("%-16s %-17s %v\n", raw, compliance.ReasonOf(err), errors.Is(err, compliance.ErrUnsafeNumber))
	}
	// Output:
	// 911              emergency_number  true
	// +1 911           emergency_number  true
	// 9112345          emergency_number  true
	// 411              service_number    true
	// 212-555-1212     service_number    true
	// +1 900 555 0000  premium_rate      true
	// 415-555-0123     fictional_number  true
	// 415-055-2671     invalid_phone     true
}

// Toll-free numbers are accepted, but have no zone to time calls by.
func ExampleChecker_Check_tollFree() {
	var c compliance.Checker
	f, err := c.Check("+1 800 555 2671")
	fmt.Println(f.E164, f.Type, len(f.Timezones), f.Warnings, err)
	// Output: +18005552671 toll_free 0 [no_geographic_zone] <nil>
}

// A UK checker that only calls the UK; London drama numbers are refused as
// fictional.
func ExampleChecker_allowedCountries() {
	c := &compliance.Checker{DefaultRegion: "GB", AllowedCountries: []string{"GB"}}
	for _, raw := range []string{"020 7123 4567", "020 7946 0000", "+1 415 555 2671"} {
		f, err := c.Check(raw)
		fmt.Printf("%s %q\n", f.E164, compliance.ReasonOf(err))
	}
	// Output:
	// +442071234567 ""
	// +442079460000 "fictional_number"
	// +14155552671 "country_not_allowed"
}

func ExampleNormalize() {
	e164, err := compliance.Normalize("1-415-555-2671", "US")
	fmt.Println(e164, err)
	_, err = compliance.Normalize("+1 911", "US")
	fmt.Println(err)
	// Output:
	// +14155552671 <nil>
	// compliance: unsafe phone number: emergency_number
}

func ExampleLookupAreaCode() {
	a, _ := compliance.LookupAreaCode("416")
	fmt.Println(a.Region, a.States, a.Geographic)
	a, _ = compliance.LookupAreaCode("902")
	fmt.Println(a.Region, a.States)
	a, _ = compliance.LookupAreaCode("888")
	fmt.Println(a.Geographic, a.Service)
	// Output:
	// CA [ON] true
	// CA [NS PE]
	// false toll_free
}
