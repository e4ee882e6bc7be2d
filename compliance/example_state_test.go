package compliance_test

import (
	"fmt"

	"github.com/callstackhq/callstack/compliance"
)

// Address states are read as codes or names in any case; anything else is
// an error, never a state without law.
func ExampleNormalizeState() {
	for _, s := range []string{"florida", "US-TX", "Ontario", "Floride"} {
		code, err := compliance.NormalizeState(s)
		fmt.Println(code, compliance.StateZones(code), err)
	}
	// Output:
	// FL [America/Chicago America/New_York] <nil>
	// TX [America/Chicago America/Denver] <nil>
	// ON [America/Atikokan America/Toronto America/Winnipeg] <nil>
	//  [] compliance: unknown state: "Floride"
}
