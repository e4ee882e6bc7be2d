package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, dir, 300))
	assert.Contains(t, out.String(), "Campaign Spring renewals")
	assert.Contains(t, out.String(), "Abandon rate")
	for _, name := range []string{"snapshot.html", "contacts.xlsx"} {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Greater(t, st.Size(), int64(1000), name)
	}
}

// TestRunWritesNothingUntold: without -out the example prints its report
// and writes no file, in the working directory or anywhere.
func TestRunWritesNothingUntold(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, "", 100))
	assert.Contains(t, out.String(), "Campaign Spring renewals")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}
