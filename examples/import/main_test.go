package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "contacts.csv")
	require.NoError(t, os.WriteFile(in, []byte("Phone Number,First Name,E-mail\n(415) 555-2671,Ada,ada@example.com\n+1 415 555 2671,Dup,\n911,Nine,\n4155552672,Bad,nope\n"), 0o600))
	rejects := filepath.Join(dir, "rejects.csv")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-csv", in, "-rejects", rejects, "-dupes", "reject"}, &stdout, &stderr))
	var out output
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
	assert.Equal(t, 4, out.Rows)
	assert.Equal(t, 1, out.Accepted)
	assert.Equal(t, 3, out.Rejected)
	assert.Equal(t, map[string]int{"duplicate_in_file": 1, "emergency_number": 1, "invalid_email": 1}, out.Reasons)
	b, err := os.ReadFile(rejects)
	require.NoError(t, err)
	assert.Equal(t, "Phone Number,First Name,E-mail,line,reason\n'+1 415 555 2671,Dup,,3,duplicate_in_file\n911,Nine,,4,emergency_number\n4155552672,Bad,nope,5,invalid_email\n", string(b))

	for name, args := range map[string][]string{
		"missing file": {"-csv", filepath.Join(dir, "nope.csv")},
		"no flag":      {},
		"bad store":    {"-csv", in, "-store", "mongo:x"},
	} {
		stdout.Reset()
		assert.Error(t, run(context.Background(), args, &stdout, &stderr), name)
		assert.Empty(t, stdout.String(), name)
	}
	bin := filepath.Join(dir, "bin.csv")
	require.NoError(t, os.WriteFile(bin, []byte("\x00\x01\x02"), 0o600))
	assert.ErrorContains(t, run(context.Background(), []string{"-csv", bin}, &stdout, &stderr), "not a CSV file")
}
