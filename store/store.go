// Package store names the storage contract of CallStack: [Store], the
// union of every engine package's storage interface, so one adapter value
// serves them all and callstack.New takes it whole.
//
// Adapters:
//   - store/memory: a real in-process implementation behind a mutex, for
//     tests and examples;
//   - store/sqlite: mattn/go-sqlite3 through sqlx (WAL, foreign keys, busy
//     timeout; one writer connection, a read pool);
//   - store/postgres: lib/pq through sqlx; claims use FOR UPDATE SKIP LOCKED
//     so several processes can share one database.
//
// Each adapter checks at compile time that it implements Store. An adapter
// of your own implements the same interface and runs the one conformance
// suite, store/storetest, which exercises every method; differences
// between backends that the suite must allow are declared in a
// storetest.Capabilities value, never discovered.
package store

import (
	"context"
	"errors"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/suppression"
)

// Store is what a CallStack adapter implements: every engine package's
// storage, plus schema migration and shutdown. Each embedded interface is
// documented where it is used; methods are atomic and scoped to a
// workspace.
type Store interface {
	// campaign.Store: workspaces, members, campaigns and their children,
	// contacts, the audit log.
	campaign.Store
	// campaign.Leaser: the campaign lease that lets several dialer
	// processes share a campaign.
	campaign.Leaser
	// campaign.SpanWriter: agent state spans, written by the dialer.
	campaign.SpanWriter
	// campaign.CallerIDStore: caller-ID state (enabled, spam score, daily
	// and total counts), written by the dialer's caller-ID pool.
	campaign.CallerIDStore
	// suppression.Store: DNC and suppression lists.
	suppression.Store
	// importer.Store: import history, remembered mappings, phone lookups.
	importer.Store
	// queue.Store: claims and leases, attempts, blocks.
	queue.Store
	// report.Store: the aggregates and streams reports read.
	report.Store
	// report.HistoryLoader: loading a past attempt log.
	report.HistoryLoader

	// Migrate brings the schema to the current version. It is idempotent
	// and safe when two processes run it at once. Every other method
	// fails with an error wrapping ErrNotMigrated until it has run.
	Migrate(ctx context.Context) error
	// Close releases the adapter's resources.
	Close() error
}

// ErrNotMigrated is returned (wrapped) by a SQL adapter used before its
// schema was created: call Store.Migrate once after opening the store.
var ErrNotMigrated = errors.New("store: schema not migrated: call Migrate(ctx) after opening the store")
