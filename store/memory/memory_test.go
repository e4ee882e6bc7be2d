package memory_test

import (
	"testing"

	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
}
