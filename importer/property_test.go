package importer_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/quick"

	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/internal/testenv"
)

// genFile is a contact file written by encoding/csv: row i has a unique
// name and a unique phone, and notes full of quotes, delimiters and line
// ends.
type genFile struct {
	data   []byte
	names  []string // by row
	phones []string // E.164, by row
	notes  []string
	cols   []string
	// ends[i] is the offset where row i ends; ends[0] is the header's.
	ends []int
}

var noteAlphabet = []string{"a", "b", " ", ",", ";", "\"", "\n", "\r\n", "\r", "é", "5", "'"}

func genContacts(r *rand.Rand) genFile {
	cols := []string{"First Name", "Phone", "Notes", "Email"}
	r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	var g genFile
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = r.IntN(2) == 0
	_ = w.Write(cols)
	w.Flush()
	g.ends = append(g.ends, buf.Len())
	n := 1 + r.IntN(25)
	formats := []string{"(212) 279-%04d", "212.279.%04d", "+1 212 279 %04d", "212279%04d"}
	for i := range n {
		name := fmt.Sprintf("N%dQ", i) + []string{"", ", Jr", " \"Doc\"", " Smith"}[r.IntN(4)]
		var note strings.Builder
		for range r.IntN(10) {
			note.WriteString(noteAlphabet[r.IntN(len(noteAlphabet))])
		}
		num := 1000 + i
		rec := make([]string, len(cols))
		for c, h := range cols {
			switch h {
			case "First Name":
				rec[c] = name
			case "Phone":
				rec[c] = fmt.Sprintf(formats[r.IntN(len(formats))], num)
			case "Notes":
				rec[c] = note.String()
			case "Email":
				rec[c] = fmt.Sprintf("n%d@example.com", i)
			}
		}
		_ = w.Write(rec)
		w.Flush()
		g.names = append(g.names, name)
		g.phones = append(g.phones, fmt.Sprintf("+1212279%04d", num))
		g.notes = append(g.notes, note.String())
		g.ends = append(g.ends, buf.Len())
	}
	g.data, g.cols = buf.Bytes(), cols
	return g
}

// rowToken finds the row numbers in generated names (N12Q) and emails
// (n12@).
var rowToken = regexp.MustCompile(`N(\d+)Q|n(\d+)@`)

// TestImportValidCSVProperty: every row of a valid CSV is imported with
// exactly the cells encoding/csv reads.
func TestImportValidCSVProperty(t *testing.T) {
	prop := func(seed uint64) bool {
		e := newEnv(t, 7)
		g := genContacts(rand.New(rand.NewPCG(seed, 1)))
		cmp := e.cmp.ID
		res, err := e.im.Import(e.ctx, e.admin, bytes.NewReader(g.data), importer.Options{CampaignID: cmp, DuplicatePolicy: importer.DuplicateReject})
		require.NoError(t, err)
		require.Equal(t, len(g.names), res.Counts.Accepted, "seed %d: %+v\n%q", seed, res.Counts, g.data)
		byPhone := map[string]int{}
		for i, p := range g.phones {
			byPhone[p] = i
		}
		// The strict parse says what each row holds.
		sr := csv.NewReader(bytes.NewReader(g.data))
		strict, err := sr.ReadAll()
		require.NoError(t, err)
		col := map[string]int{}
		for i, h := range strict[0] {
			col[h] = i
		}
		for _, c := range e.contacts(cmp) {
			i, ok := byPhone[c.Phone]
			require.True(t, ok)
			rec := strict[i+1]
			require.Equal(t, strings.TrimSpace(rec[col["First Name"]]), c.FirstName, "seed %d", seed)
			require.Equal(t, strings.TrimSpace(rec[col["Notes"]]), c.Notes, "seed %d", seed)
			require.Equal(t, rec[col["Email"]], c.Email, "seed %d", seed)
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: testenv.Scale(t, 200, 40)}))
}

// TestStrayQuoteProperty is the second property of issue 15: in a valid
// CSV with one stray quote injected anywhere, no accepted contact carries
// a phone from another row, every row before the quote is imported, and
// the counts add up.
func TestStrayQuoteProperty(t *testing.T) {
	prop := func(seed uint64, at uint32) bool {
		e := newEnv(t, 7)
		g := genContacts(rand.New(rand.NewPCG(seed, 2)))
		pos := int(at % uint32(len(g.data)+1))
		data := make([]byte, 0, len(g.data)+1)
		data = append(append(append(data, g.data[:pos]...), '"'), g.data[pos:]...)
		checkStrayQuote(t, e, g, data, pos)
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: testenv.Scale(t, 3000, 300)}))
}

// checkStrayQuote imports data, g's file with a quote injected at pos,
// and checks the properties.
func checkStrayQuote(t *testing.T, e *env, g genFile, data []byte, pos int) {
	t.Helper()
	cmp := e.cmp.ID
	var rejects bytes.Buffer
	res, err := e.im.Import(e.ctx, e.admin, bytes.NewReader(data), importer.Options{CampaignID: cmp,
		DuplicatePolicy: importer.DuplicateReject, Rejects: &rejects})
	if err != nil {
		// Only a quote in the header may stop the file.
		require.True(t, errors.Is(err, importer.ErrNotCSV) || errors.Is(err, importer.ErrInvalidOptions), "%v", err)
		require.LessOrEqual(t, pos, g.ends[0], "%v\n%q", err, data)
		return
	}
	require.True(t, res.Counts.Consistent(), "%+v", res.Counts)
	byPhone := map[string]int{}
	for i, p := range g.phones {
		byPhone[p] = i
	}
	got := map[int]bool{}
	for _, c := range e.contacts(cmp) {
		i, ok := byPhone[c.Phone]
		require.True(t, ok, "a phone from no row: %q\n%q", c.Phone, data)
		// The row's name and email carry its number: the first that
		// survives, in column order, is where the contact's record
		// started, and must be row i. (Text of the next rows may follow
		// it, swallowed by the stray quote.)
		var text strings.Builder
		for _, h := range g.cols {
			switch h {
			case "First Name":
				text.WriteString(c.FirstName + " ")
			case "Email":
				text.WriteString(c.Email + " ")
			case "Phone":
				text.WriteString("phone ") // the number itself is checked above
			case "Notes":
				text.WriteString(c.Notes + " ")
			}
		}
		if m := rowToken.FindStringSubmatch(text.String()); m != nil {
			require.Equal(t, strconv.Itoa(i), m[1]+m[2], "row %d's phone went to another row's contact %+v\n%q", i, c, data)
		}
		got[i] = true
	}
	if pos > g.ends[0] {
		for i := range g.names {
			if g.ends[i+1] < pos {
				require.True(t, got[i], "row %d, before the quote, was lost\n%q", i, data)
			}
		}
	}
}
