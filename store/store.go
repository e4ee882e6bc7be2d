// Package store names the union of every CallStack engine package's
// storage interface, so one adapter value can serve them all.
//
// Adapters:
//   - store/memory: a real in-process implementation behind a mutex, for
//     tests and examples;
//   - store/sqlite: mattn/go-sqlite3 through sqlx (WAL, foreign keys, busy
//     timeout; one writer connection, a read pool);
//   - store/postgres: lib/pq through sqlx; claims use FOR UPDATE SKIP LOCKED
//     so several processes can share one database.
//
// store/storetest is the conformance suite every adapter passes.
package store

import (
	"context"

	"github.com/callstackhq/callstack/campaign"
)

// Store is what a CallStack adapter implements: every engine package's
// Store, plus schema migration and shutdown.
type Store interface {
	campaign.Store

	// Migrate brings the schema to the current version. It is idempotent
	// and safe when two processes run it at once.
	Migrate(ctx context.Context) error
	// Close releases the adapter's resources.
	Close() error
}
