package importer

import (
	"context"

	"github.com/callstackhq/callstack/campaign"
)

// Store is the storage the importer needs besides campaign.Store (through
// which contacts are written). Methods are atomic and scoped to the
// workspace; a record of another workspace is ErrNotFound. Adapters:
// store/memory, store/sqlite and store/postgres; store/storetest checks
// them.
type Store interface {
	// SaveImport creates or replaces the history record r (by r.ID).
	SaveImport(ctx context.Context, r Record) error
	// GetImport returns one history record; ErrNotFound when absent.
	GetImport(ctx context.Context, ws campaign.WorkspaceID, id ImportID) (Record, error)
	// ListImports returns the workspace's history, newest first, at most
	// limit records (1–1000; 0 means 100).
	ListImports(ctx context.Context, ws campaign.WorkspaceID, limit int) ([]Record, error)

	// SaveMapping remembers m for its header signature, replacing any
	// earlier one.
	SaveMapping(ctx context.Context, m SavedMapping) error
	// GetMapping returns the mapping remembered for a header signature;
	// ErrNotFound when there is none.
	GetMapping(ctx context.Context, ws campaign.WorkspaceID, signature string) (SavedMapping, error)

	// FindPhones returns every contact of the workspace whose Phone is one
	// of phones (E.164), in no particular order. Erased contacts have no
	// phone and never match.
	FindPhones(ctx context.Context, ws campaign.WorkspaceID, phones []string) ([]PhoneMatch, error)
}
