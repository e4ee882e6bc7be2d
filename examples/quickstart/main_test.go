package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	t.Log(s)
	assert.Contains(t, s, "import: 246 rows")
	assert.Contains(t, s, "emergency_number 1")
	assert.Contains(t, s, "suppressed_client 1")
	assert.Contains(t, s, "dialer: ")
	assert.Contains(t, s, "Campaign Spring renewals")
}
