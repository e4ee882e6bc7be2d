package importer_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/callstackhq/callstack/importer"
)

// FuzzImport feeds arbitrary bytes to the CSV front end: it must never
// panic, and the counts must always add up. The seeds run in a normal
// `go test`; `go test -fuzz FuzzImport ./importer` explores further.
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
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f, 3)
	f.Fuzz(func(t *testing.T, data []byte) {
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
	})
}
