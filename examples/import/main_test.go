package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
	assert.Equal(t, "Phone Number,First Name,E-mail,line,reason,detail\n'+1 415 555 2671,Dup,,3,duplicate_in_file,\n911,Nine,,4,emergency_number,\n4155552672,Bad,nope,5,invalid_email,\n", string(b))

	for name, args := range map[string][]string{
		"missing file": {"-csv", filepath.Join(dir, "nope.csv")},
		"no flag":      {},
		"bad store":    {"-csv", in, "-store", "mongo:x"},
	} {
		stdout.Reset()
		assert.Error(t, run(context.Background(), args, &stdout, &stderr), name)
		assert.Empty(t, stdout.String(), name)
	}
	// Flags: -map, -encoding, -dupes-out, -overwrite.
	cp := filepath.Join(dir, "cp1252.csv")
	require.NoError(t, os.WriteFile(cp, []byte("Who;Digits;Mail\r\nRen\xe9e;212 279 0146;r@example.com\r\nBob;212 279 0146;\r\n"), 0o600))
	dupesOut := filepath.Join(dir, "dupes.csv")
	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"-csv", cp, "-map", "Digits=phone", "-map", "who=first_name", "-encoding", "windows-1252",
		"-dupes", "merge", "-dupes-out", dupesOut}, &stdout, &stderr))
	out = output{}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
	assert.Equal(t, 1, out.Accepted)
	assert.Equal(t, 1, out.Merged)
	assert.Equal(t, "completed", out.Status)
	b, err = os.ReadFile(dupesOut)
	require.NoError(t, err)
	assert.Equal(t, "Who,Digits,Mail,line,outcome,reason\nBob,212 279 0146,,3,merged,duplicate_in_file\n", string(b))
	stdout.Reset()
	err = run(context.Background(), []string{"-csv", cp, "-map", "Nope=phone"}, &stdout, &stderr)
	assert.ErrorContains(t, err, `the header has "Who", "Digits", "Mail"`)
	assert.ErrorContains(t, run(context.Background(), []string{"-csv", cp, "-map", "Digits"}, &stdout, &stderr), "Header=field")
	assert.ErrorContains(t, run(context.Background(), []string{"-csv", cp, "-encoding", "ebcdic"}, &stdout, &stderr), "unknown encoding")

	// An import that stops part-way prints what it accounted for, then
	// fails.
	big := filepath.Join(dir, "big.csv")
	var sb strings.Builder
	sb.WriteString("phone\n")
	for i := range 20_000 {
		fmt.Fprintf(&sb, "212%07d\n", 2790000+i)
	}
	require.NoError(t, os.WriteFile(big, []byte(sb.String()), 0o600))
	stdout.Reset()
	err = run(context.Background(), []string{"-csv", big, "-max-bytes", "100000"}, &stdout, &stderr)
	require.ErrorContains(t, err, "file too large")
	assert.Empty(t, stdout.String(), "a file known to be too large is refused before any row")

	bin := filepath.Join(dir, "bin.csv")
	require.NoError(t, os.WriteFile(bin, []byte("\x00\x01\x02"), 0o600))
	assert.ErrorContains(t, run(context.Background(), []string{"-csv", bin}, &stdout, &stderr), "not a CSV file")
}

// TestMain runs the command itself when the tests start it as a separate
// process (see runMain).
func TestMain(m *testing.M) {
	if os.Getenv("CALLSTACK_IMPORT_MAIN") == "1" {
		os.Args = append([]string{"import"}, strings.Fields(os.Getenv("CALLSTACK_IMPORT_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStopsPartWay runs the command as its own process on a file streamed
// through a pipe (size unknown up front) that crosses -max-bytes: it
// prints the JSON of the rows it accounted for, then the error, and exits
// 2.
func TestStopsPartWay(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "contacts.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	var sb strings.Builder
	sb.WriteString("phone\n")
	for i := range 20_000 {
		fmt.Fprintf(&sb, "212%07d\n", 2790000+i)
	}
	data := sb.String()
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		_, _ = f.WriteString(data) // the reader stops early: EPIPE is expected
	}()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CALLSTACK_IMPORT_MAIN=1", "CALLSTACK_IMPORT_ARGS=-csv "+fifo+" -max-bytes 100000")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stdout %s stderr %s", stdout.String(), stderr.String())
	assert.Equal(t, 2, exit.ExitCode())
	var out output
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
	read := strings.Count(data[:100_000], "\n") - 1
	assert.Equal(t, read, out.Rows, "every row read before the limit")
	assert.Equal(t, read, out.Accepted)
	assert.Equal(t, "failed", out.Status)
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line on stderr: %q", stderr.String())
	assert.Contains(t, stderr.String(), "file too large")
}
