package importer_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/internal/importgen"
	"github.com/callstackhq/callstack/suppression"
)

// BenchmarkImportMemory imports a generated 50,000-row file (with its
// suppression file loaded) into a fresh memory store per iteration. The
// full 1,000,000-row runs against memory, SQLite and Postgres, with the
// floor and peak memory, are internal/importgen/cmd/importbench.
func BenchmarkImportMemory(b *testing.B) {
	const rows = 50_000
	var data, supp bytes.Buffer
	_, err := importgen.Generate(&data, importgen.Config{Rows: rows, Seed: 1, Suppressions: &supp})
	require.NoError(b, err)
	b.SetBytes(int64(data.Len()))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e := newEnv(b, 1000)
		_, err := e.supp.LoadRegistry(e.ctx, e.admin, bytes.NewReader(supp.Bytes()), suppression.Global(), suppression.Entry{Source: "bench"})
		require.NoError(b, err)
		b.StartTimer()
		res, err := e.im.Import(e.ctx, e.admin, bytes.NewReader(data.Bytes()), importer.Options{CampaignID: e.cmp.ID})
		require.NoError(b, err)
		require.Equal(b, rows, res.Counts.Rows)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
