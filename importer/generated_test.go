package importer_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/internal/importgen"
	"github.com/callstackhq/callstack/internal/testenv"
	"github.com/callstackhq/callstack/suppression"
)

// TestGeneratedFile imports a generated file and checks every kind of row
// lands where it should.
func TestGeneratedFile(t *testing.T) {
	rows := testenv.Scale(t, 20_000, 4_000)
	var data, supp bytes.Buffer
	st, err := importgen.Generate(&data, importgen.Config{Rows: rows, Seed: 7, Suppressions: &supp})
	require.NoError(t, err)
	e := newEnv(t, 1000)
	lr, err := e.supp.LoadRegistry(e.ctx, e.admin, &supp, suppression.Global(), suppression.Entry{Source: "bench"})
	require.NoError(t, err)
	require.Equal(t, st.Suppressed, lr.Loaded)

	res := e.run(data.String(), importer.Options{FileName: "gen.csv", DuplicatePolicy: importer.DuplicateSkip})
	c := res.Counts
	assert.Equal(t, st.Rows, c.Rows)
	assert.Equal(t, st.Valid, c.Accepted, "%+v", c)
	assert.Equal(t, st.Duplicates, c.Skipped)
	assert.Equal(t, st.Suppressed, c.Reasons["suppressed_global"])
	assert.Equal(t, st.BadEmails, c.Reasons["invalid_email"])
	phoneRejects := 0
	for r, n := range c.ByOutcome[importer.OutcomeRejected] {
		if r != "suppressed_global" && r != "invalid_email" {
			phoneRejects += n
		}
	}
	assert.Equal(t, st.Malformed, phoneRejects, "%v", c.Reasons)
}

// TestFastPathMatchesSlowPath proves compliance's memoised Check gives the
// same answers as CheckSlow on every number of a generated file (50,000
// rows in a full run).
func TestFastPathMatchesSlowPath(t *testing.T) {
	// 50,000 rows take ~40 µs each on the slow path: by default, with or
	// without -race, a 5,000-row sample; CALLSTACK_FULL_TESTS=1 runs all.
	rows := testenv.Scale(t, 50_000, 5_000)
	var data bytes.Buffer
	_, err := importgen.Generate(&data, importgen.Config{Rows: rows, Seed: 1})
	require.NoError(t, err)
	fast := &compliance.Checker{DefaultRegion: "US", AllowedCountries: []string{"US"}}
	slow := &compliance.Checker{DefaultRegion: "US", AllowedCountries: []string{"US"}}
	r := csv.NewReader(&data)
	_, err = r.Read()
	require.NoError(t, err)
	n := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		ff, ferr := fast.Check(rec[2])
		sf, serr := slow.CheckSlow(rec[2])
		require.Equal(t, compliance.ReasonOf(serr), compliance.ReasonOf(ferr), "%q", rec[2])
		require.Equal(t, serr == nil, ferr == nil, "%q", rec[2])
		require.Equal(t, sf, ff, "%q", rec[2])
		n++
	}
	require.Equal(t, rows, n)
}
