package csvsafe

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"hello":             "hello",
		"=1+2":              "'=1+2",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+14155552671":      "+14155552671",
		"-42":               "-42",
		"42":                "42",
		"+":                 "'+",
		"-":                 "'-",
		"+1 415":            "'+1 415",
		"-2+3":              "'-2+3",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tx":               "'\tx",
		"\rx":               "'\rx",
		"\nx":               "'\nx",
		" =1":               " =1",
		"a=1":               "a=1",
		"+1.5":              "'+1.5",
	} {
		assert.Equal(t, want, Cell(in), "Cell(%q)", in)
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	rec := []string{"=cmd|' /C calc'!A0", "+14155552671", "ok"}
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Flush())
	assert.Equal(t, "'=cmd|' /C calc'!A0,+14155552671,ok\n", b.String())
	assert.Equal(t, "=cmd|' /C calc'!A0", rec[0], "the caller's record is not changed")
}
