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
	assert.Contains(t, out.String(), "added 3 contacts")
	assert.Contains(t, out.String(), "campaign is running")
	assert.Contains(t, out.String(), `role "caller" may not manage_campaign`)
}
