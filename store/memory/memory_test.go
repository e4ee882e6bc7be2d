package memory_test

import (
	"testing"

	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/store/storetest"
)

func TestConformance(t *testing.T) {
	// The in-memory adapter runs the full 100,000-contact queue race test
	// even under the race detector (about a minute).
	t.Setenv(storetest.EnvQueueRace, "100000")
	storetest.Run(t, storetest.Capabilities{}, func(t *testing.T) store.Store { return memory.New() })
}
