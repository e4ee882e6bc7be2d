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
