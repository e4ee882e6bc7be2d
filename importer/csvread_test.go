package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/internal/importgen"
	"github.com/callstackhq/callstack/internal/testenv"
)

// readAll reads every record of data with the importer's reader, blank
// records included, and the line each starts on.
func readAll(t testing.TB, data []byte, delim byte, want int) ([][]string, []recInfo) {
	t.Helper()
	cr := &csvReader{lr: newLineReader(bytes.NewReader(data)), delim: delim, want: want}
	var recs [][]string
	var infos []recInfo
	for {
		rec, info, err := cr.read()
		if errors.Is(err, io.EOF) {
			return recs, infos
		}
		require.NoError(t, err)
		recs = append(recs, slices.Clone(rec))
		infos = append(infos, info)
	}
}

// cellAlphabet mixes what makes CSV hard: delimiters, quotes, every line
// end, spaces, non-ASCII.
var cellAlphabet = []string{"a", "b", "Z", "7", " ", ",", ";", "\t", "|", "\"", "\n", "\r\n", "\r", "é", "日", "'", "=", "x"}

func randomCell(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(8) {
		b.WriteString(cellAlphabet[r.IntN(len(cellAlphabet))])
	}
	return b.String()
}

// randomCSV writes n records of cols cells with encoding/csv.
func randomCSV(r *rand.Rand, n, cols int, delim byte) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = rune(delim)
	w.UseCRLF = r.IntN(2) == 0
	for range n {
		rec := make([]string, cols)
		for i := range rec {
			rec[i] = randomCell(r)
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

// TestReaderEqualsStrictParse is the first property of issue 15: for any
// valid CSV (written by encoding/csv, any delimiter, LF or CRLF, cells
// with quotes, delimiters and every kind of line end), the importer's
// records equal encoding/csv's strict parse.
func TestReaderEqualsStrictParse(t *testing.T) {
	prop := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 15))
		delim := delimiters[r.IntN(len(delimiters))]
		cols := 1 + r.IntN(5)
		data := randomCSV(r, 1+r.IntN(30), cols, delim)
		sr := csv.NewReader(bytes.NewReader(data))
		sr.Comma, sr.FieldsPerRecord = rune(delim), -1
		want, err := sr.ReadAll()
		if err != nil {
			t.Logf("encoding/csv cannot read its own output: %v", err)
			return false
		}
		got, _ := readAll(t, data, delim, cols)
		if len(got) == 0 && len(want) == 0 {
			return true
		}
		if !assert.Equal(t, want, got, "seed %d: %q", seed, data) {
			return false
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: testenv.Scale(t, 2000, 300)}))
}

func TestReaderQuotes(t *testing.T) {
	for name, tc := range map[string]struct {
		data  string
		want  int
		recs  [][]string
		lines []int
		bad   []string
	}{
		"the issue's file: an unbalanced quote costs its own row only": {
			data: "First,Last,Phone,Email\nAda,Lovelace,(212) 279-0101,ada@example.com\nBob,\"Smith, Jr,(212) 279-0147,bob@example.com\nCy,Young,(212) 279-0148,cy@example.com\nDi,\"Prince\",(212) 279-0149,di@example.com\nEd,Wood,(212) 279-0150,ed@example.com\n",
			want: 4,
			recs: [][]string{
				{"First", "Last", "Phone", "Email"},
				{"Ada", "Lovelace", "(212) 279-0101", "ada@example.com"},
				{"Bob", "\"Smith", " Jr", "(212) 279-0147", "bob@example.com"},
				{"Cy", "Young", "(212) 279-0148", "cy@example.com"},
				{"Di", "Prince", "(212) 279-0149", "di@example.com"},
				{"Ed", "Wood", "(212) 279-0150", "ed@example.com"},
			},
			lines: []int{1, 2, 3, 4, 5, 6},
			bad:   []string{"", "", ReasonMalformedQuotes, "", "", ""},
		},
		"an opening quote that never closes": {
			data:  "a,b\n1,\"2\n3,4\n5,6\n",
			want:  2,
			recs:  [][]string{{"a", "b"}, {"1", "\"2"}, {"3", "4"}, {"5", "6"}},
			lines: []int{1, 2, 3, 4},
			bad:   []string{"", ReasonMalformedQuotes, "", ""},
		},
		"quoted newlines still work, with every line end": {
			data:  "a,b\r\n\"x\r\ny\",1\r\"p\rq\",2\n\"m\nn\",3",
			want:  2,
			recs:  [][]string{{"a", "b"}, {"x\ny", "1"}, {"p\rq", "2"}, {"m\nn", "3"}},
			lines: []int{1, 2, 4, 6},
			bad:   []string{"", "", "", ""},
		},
		"CR-only line ends (old Mac Excel)": {
			data:  "a;b\r1;2\r3;4\r",
			want:  2,
			recs:  [][]string{{"a", "b"}, {"1", "2"}, {"3", "4"}},
			lines: []int{1, 2, 3},
			bad:   []string{"", "", ""},
		},
		"a quote inside an unquoted field is text; spaces around quotes are allowed": {
			data:  "a,b\n5'10\",x\n \"y, z\" ,w\n",
			want:  2,
			recs:  [][]string{{"a", "b"}, {"5'10\"", "x"}, {"y, z", "w"}},
			lines: []int{1, 2, 3},
			bad:   []string{"", "", ""},
		},
		"a quote closing before other text": {
			data:  "a,b\n\"x\"y,1\n2,3\n",
			want:  2,
			recs:  [][]string{{"a", "b"}, {"\"x\"y", "1"}, {"2", "3"}},
			lines: []int{1, 2, 3},
			bad:   []string{"", ReasonMalformedQuotes, ""},
		},
		"a multi-line record with the wrong number of fields": {
			data:  "a,b\n\"x\ny\",1,2\n3,4\n",
			want:  2,
			recs:  [][]string{{"a", "b"}, {"\"x"}, {"y\"", "1", "2"}, {"3", "4"}},
			lines: []int{1, 2, 3, 4},
			bad:   []string{"", ReasonMalformedQuotes, "", ""},
		},
	} {
		t.Run(name, func(t *testing.T) {
			delim := byte(',')
			if strings.Contains(tc.data, ";") {
				delim = ';'
			}
			recs, infos := readAll(t, []byte(tc.data), delim, tc.want)
			assert.Equal(t, tc.recs, recs)
			var lines []int
			var bad []string
			for _, in := range infos {
				lines, bad = append(lines, in.line), append(bad, in.bad)
			}
			assert.Equal(t, tc.lines, lines)
			assert.Equal(t, tc.bad, bad)
		})
	}
}

func TestReaderLongLine(t *testing.T) {
	half := strings.Repeat("y", maxRecordBytes/2+10)
	data := "a,b\n" + strings.Repeat("x", maxRecordBytes+10) + ",1\n2,3\n\"" + half + "\n" + half + "\n4,5\n"
	recs, infos := readAll(t, []byte(data), ',', 2)
	require.Len(t, recs, 6)
	assert.Equal(t, ReasonFieldTooLong, infos[1].bad, "a line over the record limit")
	assert.Equal(t, []string{"2", "3"}, recs[2])
	assert.Equal(t, 3, infos[2].line)
	assert.Equal(t, ReasonMalformedQuotes, infos[3].bad, "a quote open past the record limit")
	assert.Equal(t, 4, infos[3].line)
	assert.Equal(t, []string{half}, recs[4], "the line after it is read again")
	assert.Equal(t, 5, infos[4].line)
	assert.Equal(t, []string{"4", "5"}, recs[5])
	assert.Equal(t, 6, infos[5].line)
}

func TestSplitExtension(t *testing.T) {
	for in, want := range map[string][2]string{
		"(617) 392-0177 ext 12":        {"(617) 392-0177", "12"},
		"(617) 392-0177 ext. 12":       {"(617) 392-0177", "12"},
		"617-392-0177 x12":             {"617-392-0177", "12"},
		"617-392-0177X 4":              {"617-392-0177", "4"},
		"617.392.0177 extension 1234":  {"617.392.0177", "1234"},
		"6173920177,,12":               {"6173920177", "12"},
		"+1 617 392 0177 #55":          {"+1 617 392 0177", "55"},
		"tel:+1-617-392-0177;ext=77":   {"tel:+1-617-392-0177", "77"},
		"+1 617 392 0177":              {"+1 617 392 0177", ""},
		"(617) 392-0177":               {"(617) 392-0177", ""},
		"ext 12":                       {"ext 12", ""},
		"box 12":                       {"box 12", ""},
		"617 392 0177 Ext: 9 ":         {"617 392 0177", "9"},
		"617-392-0177 extn 0042":       {"617-392-0177", "0042"},
		"+44 20 7946 0958 ext 3":       {"+44 20 7946 0958", "3"},
		"617-392-0177 (ext 12)":        {"617-392-0177 (ext 12)", ""},
		"617-392-0177 ext 12 and more": {"617-392-0177 ext 12 and more", ""},
	} {
		num, ext := splitExtension(in)
		assert.Equal(t, want, [2]string{num, ext}, in)
	}
}

func TestValidEmail(t *testing.T) {
	for e, ok := range map[string]bool{
		"bob@example.com": true, "b.o+b@mail.example.co.uk": true, "ana@xn--bcher-kva.example": true,
		"bob@example": false, "bob@": false, "@example.com": false, "bob@example..com": false, "bob@-example.com": false,
		"bob@example.123": false, "Bob <bob@example.com>": false, "bob@[10.0.0.1]": false, "bob@exa mple.com": false,
	} {
		assert.Equal(t, ok, validEmail(e), e)
	}
}

// FuzzReaderStrict: whatever encoding/csv's strict parse accepts (lines
// ended by LF or CRLF), the importer's reader reads the same.
func FuzzReaderStrict(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"a\nb\",c\r\n\"\"\"\",d\n", "x\n\ny,\"z\"\n", ",\n\"\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\r")) {
			t.Skip("a lone CR ends a line for the importer, not for encoding/csv")
		}
		sr := csv.NewReader(bytes.NewReader(data))
		sr.FieldsPerRecord = -1
		want, err := sr.ReadAll()
		if err != nil {
			t.Skip("not strict CSV")
		}
		got, _ := readAll(t, data, ',', 0)
		if len(want) == 0 && len(got) == 0 {
			return
		}
		require.Equal(t, want, got, "%q", data)
	})
}

func TestConsentCells(t *testing.T) {
	now := time.Date(2026, 11, 4, 15, 0, 0, 0, time.UTC)
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	for name, tc := range map[string]struct {
		cells consentCells
		us    bool
		want  campaign.Consent
		ok    bool
	}{
		"none":              {consentCells{}, true, campaign.Consent{Kind: campaign.ConsentNone, Scope: campaign.ConsentScopeCampaign}, true},
		"month first in US": {consentCells{kind: "yes", date: "03/04/2026"}, true, campaign.Consent{Kind: campaign.ConsentExpress, CapturedAt: d(2026, 3, 4), Scope: campaign.ConsentScopeCampaign}, true},
		"day first elsewhere": {consentCells{kind: "yes", date: "03/04/2026"}, false,
			campaign.Consent{Kind: campaign.ConsentExpress, CapturedAt: d(2026, 4, 3), Scope: campaign.ConsentScopeCampaign}, true},
		"ISO with zone": {consentCells{kind: "PEWC", date: "2026-10-01T09:30:00-04:00", scope: "Client"}, true,
			campaign.Consent{Kind: campaign.ConsentExpressWritten, CapturedAt: time.Date(2026, 10, 1, 13, 30, 0, 0, time.UTC), Scope: campaign.ConsentScopeClient}, true},
		"revoked flag": {consentCells{kind: "express", revoked: "Yes"}, true,
			campaign.Consent{Kind: campaign.ConsentExpress, Scope: campaign.ConsentScopeCampaign, RevokedAt: now, RevokedVia: "import"}, true},
		"not revoked":    {consentCells{kind: "express", revoked: "no"}, true, campaign.Consent{Kind: campaign.ConsentExpress, Scope: campaign.ConsentScopeCampaign}, true},
		"unknown kind":   {consentCells{kind: "maybe"}, true, campaign.Consent{}, false},
		"unknown scope":  {consentCells{kind: "yes", scope: "galaxy"}, true, campaign.Consent{}, false},
		"bad date":       {consentCells{kind: "yes", date: "yesterday"}, true, campaign.Consent{}, false},
		"future date":    {consentCells{kind: "yes", date: "2027-01-01"}, true, campaign.Consent{}, false},
		"future revoked": {consentCells{kind: "yes", revoked: "2027-01-01"}, true, campaign.Consent{}, false},
		"named month":    {consentCells{kind: "written", date: "Oct 1, 2026"}, true, campaign.Consent{Kind: campaign.ConsentExpressWritten, CapturedAt: d(2026, 10, 1), Scope: campaign.ConsentScopeCampaign}, true},
	} {
		got, ok := tc.cells.parse(now, tc.us)
		require.Equal(t, tc.ok, ok, name)
		if ok {
			assert.Equal(t, tc.want, got, name)
		}
	}
}

// BenchmarkReader compares the importer's CSV reader with encoding/csv
// (LazyQuotes, ReuseRecord: what the importer used before) on a generated
// 100,000-row file.
func BenchmarkReader(b *testing.B) {
	var data bytes.Buffer
	_, err := importgen.Generate(&data, importgen.Config{Rows: 100_000, Seed: 1})
	require.NoError(b, err)
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(int64(data.Len()))
		for range b.N {
			r := csv.NewReader(bytes.NewReader(data.Bytes()))
			r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = -1, true, true
			for {
				if _, err := r.Read(); errors.Is(err, io.EOF) {
					break
				}
			}
		}
	})
	b.Run("importer", func(b *testing.B) {
		b.SetBytes(int64(data.Len()))
		for range b.N {
			cr := &csvReader{lr: newLineReader(bytes.NewReader(data.Bytes())), delim: ',', want: 0}
			for {
				if _, _, err := cr.read(); errors.Is(err, io.EOF) {
					break
				}
			}
		}
	})
}
