package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestClaimbenchSQLite runs the benchmark at a small depth on SQLite and
// checks the JSON object users script against.
func TestClaimbenchSQLite(t *testing.T) {
	var out, errOut bytes.Buffer
	path := filepath.Join(t.TempDir(), "bench.db")
	err := run(context.Background(), []string{"-store", "sqlite:" + path, "-contacts", "1500", "-claimers", "4", "-batch", "10", "-leases", "300"}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	for _, k := range []string{"leased_per_s", "p50_ms", "p99_ms", "bare_leased_per_s", "double_leases", "lost"} {
		require.Contains(t, got, k)
	}
	require.EqualValues(t, 0, got["double_leases"])
	require.EqualValues(t, 0, got["lost"])
	require.GreaterOrEqual(t, got["leased"], float64(300))
	require.Positive(t, got["leased_per_s"])
	require.Positive(t, got["bare_leased_per_s"])

	// A second run into the same file is refused, not mixed in.
	err = run(context.Background(), []string{"-store", "sqlite:" + path}, &out, &errOut)
	require.ErrorContains(t, err, "exists")
	require.Error(t, run(context.Background(), []string{"-store", "mysql:x"}, &out, &errOut))
}
