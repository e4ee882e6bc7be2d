package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callstackhq/callstack/campaign"
)

// grown is a service that gained a method acting for someone.
type grown struct{}

func (grown) Known(context.Context, campaign.Actor) error                  { return nil }
func (grown) Added(context.Context, campaign.Actor, string) (int, error)   { return 0, nil }
func (grown) Read(context.Context, campaign.WorkspaceID) ([]string, error) { return nil, nil }

// TestMatrixNamesMethodsWithoutRows: a method taking a campaign.Actor
// without a row is reported, one that takes none is not.
func TestMatrixNamesMethodsWithoutRows(t *testing.T) {
	services := map[string]any{"grown": grown{}}
	rows := []authzRow{{typ: "grown", method: "Known"}}
	assert.Equal(t, []string{"grown.Added"}, uncovered(services, rows))
	rows = append(rows, authzRow{typ: "grown", method: "Added"})
	assert.Empty(t, uncovered(services, rows))
	// Every row of the real table names a method that takes an Actor.
	for _, r := range authzRows() {
		assert.NotEmpty(t, r.allow, "%s.%s: a row names who may call it", r.typ, r.method)
	}
}
