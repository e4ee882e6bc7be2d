package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "github.com/lib/pq"

	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/postgres"
)

// openPostgres opens dsn in a fresh schema named after the phase, so the
// floor and the import each start from an empty, migrated schema.
func openPostgres(ctx context.Context, dsn, phase string) (store.Store, error) {
	schema := "importbench_" + phase
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema)); err != nil {
		return nil, err
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return postgres.Open(ctx, u.String())
}
