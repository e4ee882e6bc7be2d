package memory_test

import (
	"testing"

	"github.com/callstackhq/callstack/report/reporttest"
	"github.com/callstackhq/callstack/store/memory"
)

func TestReportConformance(t *testing.T) {
	reporttest.Run(t, func(t *testing.T) reporttest.Store {
		s := memory.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
