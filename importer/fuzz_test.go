package importer_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/callstackhq/callstack/importer"
)

// FuzzImport feeds arbitrary bytes to the importer: it must never panic,
// the counts must add up, and every accepted contact's number must be
// written on one physical line of the input (a quote never carries a
// number across lines into another row). The seeds run in a normal `go
// test`; `go test -fuzz FuzzImport ./importer` explores further.
func FuzzImport(f *testing.F) {
	for _, s := range []string{
		"phone\n4155552671\n",
		"\uFEFFPhone Number;First Name\r\n(415) 555-2671;Ada\r\n\r\n+1 415 555 2671;Dup\r\n",
		"phone,name\n\"415\n555 2671\",\"unterminated\n",
		"phone|email\n911|a@b\n4155552672|not-an-email\n",
		"phone\tx\n4155552673\n4155552674\tx\ty\n",
		"phone,notes\n\xff\xfe,bad\n=1+2,@x\n",
		"a,b\n\"\"\"\n,,,\n",
		"phone\n" + strings.Repeat("8005551234\n", 20),
		"phone,\"",
		"\"",
		"",
		"First,Phone\nBob,\"2122790147\nCy,2122790148\nDi,\"2122790149\"\n",
		"name,phone,notes\rAda,2122790146,\"a\rb\"\rBob,2122790147,x\r",
		"sep=;\nTitle\n\nphone;name\n2122790146 ext 4;\"x\"y\n",
		"\xff\xfep\x00h\x00o\x00n\x00e\x00\n\x002\x001\x002\x002\x007\x009\x000\x001\x004\x006\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := newEnv(t, 3)
		var rejects bytes.Buffer
		for _, policy := range []importer.DuplicatePolicy{importer.DuplicateReject, importer.DuplicateMerge} {
			res, err := e.im.Import(e.ctx, e.admin, bytes.NewReader(data), importer.Options{CampaignID: e.cmp.ID, DuplicatePolicy: policy, Rejects: &rejects})
			if err != nil && !errors.Is(err, importer.ErrNotCSV) && !errors.Is(err, importer.ErrInvalidOptions) && !errors.Is(err, importer.ErrTooLarge) {
				t.Fatalf("unexpected error: %v", err)
			}
			if !res.Counts.Consistent() {
				t.Fatalf("counts do not add up: %+v", res.Counts)
			}
			if err == nil && res.Status != importer.StatusCompleted {
				t.Fatalf("status %q without an error", res.Status)
			}
		}
		lines := physicalDigits(data)
		for _, c := range e.contacts(e.cmp.ID) {
			national := strings.TrimPrefix(c.Phone, "+1")
			found := false
			for _, l := range lines {
				if strings.Contains(l, national) {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("contact %s carries %s, written on no single line of %q", c.ID, c.Phone, data)
			}
		}
	})
}

// physicalDigits returns the digits of each physical line of data (lines
// end with LF, CRLF or CR), as text; for UTF-16 files it also decodes by
// dropping NULs.
func physicalDigits(data []byte) []string {
	data = bytes.ReplaceAll(data, []byte{0}, nil)
	var out []string
	for _, l := range strings.FieldsFunc(string(data), func(r rune) bool { return r == '\n' || r == '\r' }) {
		var b strings.Builder
		for _, r := range l {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		out = append(out, b.String())
	}
	return out
}

// FuzzStrayQuote is the stray-quote property under the fuzzer: a valid
// contact file from a seed, one quote injected at a fuzzed offset; no
// accepted contact may carry another row's phone.
func FuzzStrayQuote(f *testing.F) {
	for _, s := range [][2]uint64{{1, 0}, {2, 40}, {3, 97}, {4, 1 << 20}, {15, 333}} {
		f.Add(s[0], uint32(s[1]))
	}
	f.Fuzz(func(t *testing.T, seed uint64, at uint32) {
		e := newEnv(t, 7)
		g := genContacts(rand.New(rand.NewPCG(seed, 2)))
		pos := int(at % uint32(len(g.data)+1))
		data := append(append(append([]byte{}, g.data[:pos]...), '"'), g.data[pos:]...)
		checkStrayQuote(t, e, g, data, pos)
	})
}
