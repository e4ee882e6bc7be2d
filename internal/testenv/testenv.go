// Package testenv tells tests about the build they run in, so expensive
// property tests can size themselves: full size in a plain `go test`,
// smaller under the race detector (about ten times slower), which is how CI
// runs them.
package testenv

import (
	"os"
	"testing"
)

// Scale returns full, or reduced when the race detector is on or the test
// runs with -short, unless CALLSTACK_FULL_TESTS=1 asks for full size.
func Scale(tb testing.TB, full, reduced int) int {
	tb.Helper()
	if os.Getenv("CALLSTACK_FULL_TESTS") == "1" {
		return full
	}
	if RaceEnabled || testing.Short() {
		return reduced
	}
	return full
}
