// Package testenv sizes the expensive property tests. One size runs
// whatever the build flags: `go test ./...` and `go test -race ./...` run
// the same tests at the same size, chosen so the race detector's run stays
// well inside go test's default 10-minute timeout; CALLSTACK_FULL_TESTS=1
// runs them at full size (docs/design.md, "Tests and their sizes").
package testenv

import (
	"os"
	"testing"
)

// EnvFull is the environment variable that runs the heavy tests at full
// size when set to 1.
const EnvFull = "CALLSTACK_FULL_TESTS"

// Scale returns reduced, the default size, or full when
// CALLSTACK_FULL_TESTS=1. It does not look at the race detector: a test's
// size never depends on -race.
func Scale(tb testing.TB, full, reduced int) int {
	tb.Helper()
	if os.Getenv(EnvFull) == "1" {
		return full
	}
	return reduced
}
