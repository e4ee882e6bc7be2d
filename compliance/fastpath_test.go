package compliance

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"github.com/callstackhq/callstack/internal/testenv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genNANP returns n raw NANP numbers in varied real-world formats, drawn
// from a fixed seed: exchanges come in runs of lines so the memo is hit,
// area codes lean on assigned ones, and the edge cases of every rule are
// mixed in.
func genNANP(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 0))
	var npas []int
	for npa := range nanpGeographic {
		npas = append(npas, npa)
	}
	for npa := range nanpNonGeographic {
		npas = append(npas, npa)
	}
	npas = append(npas, 242, 246, 264, 268, 284, 345, 441, 473, 649, 658, 664, 721, 758, 767, 784, 809, 829, 849, 868, 869, 876, 911, 211, 411)
	slices.Sort(npas)
	formats := []string{
		"%s%s%s", "(%s) %s-%s", "%s.%s.%s", "+1 %s %s %s", "1-%s-%s-%s", "+1(%s)%s-%s", " 1 %s %s %s ", "%s-%s-%s",
		"+1-%s-%s-%s", "1 (%s) %s.%s", "+1.%s.%s.%s", "(%s)%s%s", "1%s%s%s", "+1%s%s%s", "%s %s %s)", "-(%s) %s - %s",
	}
	special := []func() (string, string){
		func() (string, string) { return "555", fmt.Sprintf("01%02d", rng.IntN(100)) },    // fictional
		func() (string, string) { return "555", "1212" },                                  // directory
		func() (string, string) { return "555", fmt.Sprintf("%04d", rng.IntN(10000)) },    // other 555
		func() (string, string) { return "976", fmt.Sprintf("%04d", rng.IntN(10000)) },    // premium exchange
		func() (string, string) { return fmt.Sprintf("%d11", 2+rng.IntN(8)), "1234" },     // N11 exchange
		func() (string, string) { return fmt.Sprintf("%03d", rng.IntN(200)), "2671" },     // exchange 0XX/1XX
		func() (string, string) { return "521", fmt.Sprintf("%d234", rng.IntN(10)) },      // 246-521 is line-dependent
		func() (string, string) { return "522", fmt.Sprintf("%d234", rng.IntN(10)) },      // 246-522 too
		func() (string, string) { return "606", fmt.Sprintf("%d123", rng.IntN(10)) },      // 876-606 too
		func() (string, string) { return "911", fmt.Sprintf("%04d", rng.IntN(10000)) },    // 911 exchange
		func() (string, string) { return "200", fmt.Sprintf("%04d", rng.IntN(10000)) },    // 305-20x and friends
		func() (string, string) { return fmt.Sprintf("2%02d", rng.IntN(100)), "0000" },    // low exchanges
		func() (string, string) { return fmt.Sprintf("%03d", 200+rng.IntN(800)), "0199" }, // high exchanges
	}
	out := make([]string, 0, n)
	for len(out) < n {
		var npa int
		if rng.IntN(10) < 7 {
			npa = npas[rng.IntN(len(npas))]
		} else {
			npa = 200 + rng.IntN(800)
		}
		nxx := fmt.Sprintf("%03d", rng.IntN(1000))
		runLen := 1 + rng.IntN(20)
		for i := 0; i < runLen && len(out) < n; i++ {
			x, line := nxx, fmt.Sprintf("%04d", rng.IntN(10000))
			if rng.IntN(8) == 0 {
				x, line = special[rng.IntN(len(special))]()
			}
			f := formats[rng.IntN(len(formats))]
			out = append(out, fmt.Sprintf(f, strconv.Itoa(npa), x, line))
		}
	}
	return out
}

// TestFastPathMatchesPhonenumbers checks that the memoised path answers
// exactly like the full phonenumbers path (facts, including E.164, type,
// zones and states, and reason) on a large generated set, in several
// default regions and with an allow-list.
func TestFastPathMatchesPhonenumbers(t *testing.T) {
	// 200k numbers take ~40 s; by default, with or without -race, a 6k
	// sample keeps it near 20 s under -race. CALLSTACK_FULL_TESTS=1 runs
	// the full set.
	n := testenv.Scale(t, 200_000, 6_000)
	raws := genNANP(n, 42)
	// Edge cases go through every checker in order, so each one's memo is
	// filled by one of them and then answers the others.
	edges := []string{"911", "+1 911", "9112345", "+1 900 555 0000", "212-976-1234", "555-1212", "415-555-0123",
		"+1 (415) 555-2671", "++1 415 555 2671", "1+415 555 2671", "+14155552671", "+4155552671", "14155552671",
		"0014155552671", "011 1 415 555 2671", "415 555 26711", "415-555-2671 ext. 12", "415-555-2671 x12", "1-800-FLOWERS",
		"(415) 555-2671 #12", "415/555/2671"}
	for _, x := range []int{246521, 246522, 876606} { // not the table: the test must catch a bad table
		for d := 0; d < 10; d++ {
			edges = append(edges, fmt.Sprintf("+1 %d %d234", x, d), fmt.Sprintf("+1 %d %d234", x, 9-d))
		}
	}
	checkers := []*Checker{
		{},
		{DefaultRegion: "CA"},
		{DefaultRegion: "JM"},
		{DefaultRegion: "AG"},
		{DefaultRegion: "GB"},
		{AllowedCountries: []string{"US", "CA"}},
	}
	for _, c := range checkers {
		for _, raw := range edges {
			f, err := c.Check(raw)
			sf, serr := c.CheckSlow(raw)
			require.Equal(t, sf, f, "facts of %q in %q", raw, c.DefaultRegion)
			require.Equal(t, ReasonOf(serr), ReasonOf(err), "reason of %q in %q", raw, c.DefaultRegion)
		}
	}
	fast := 0
	for i, raw := range raws {
		c := checkers[i%len(checkers)]
		if _, ok := nanpFastDigits(raw, phonenumbers.GetCountryCodeForRegion(regionOrDefault(c.DefaultRegion)) == 1); ok {
			fast++
		}
		f, err := c.Check(raw)
		sf, serr := c.CheckSlow(raw)
		if !assert.Equal(t, sf, f, "facts of %q in %q", raw, c.DefaultRegion) ||
			!assert.Equal(t, ReasonOf(serr), ReasonOf(err), "reason of %q in %q", raw, c.DefaultRegion) {
			t.FailNow()
		}
	}
	require.Greater(t, fast, len(raws)*3/4, "most generated numbers must take the fast path")
}

// TestFastPathConcurrent hammers one Checker from several goroutines; run
// with -race.
func TestFastPathConcurrent(t *testing.T) {
	raws := genNANP(testenv.Scale(t, 4000, 1000), 7)
	var c Checker
	want := make([]NumberFacts, len(raws))
	for i, raw := range raws {
		want[i], _ = c.CheckSlow(raw)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, raw := range raws {
				f, _ := c.Check(raw)
				if !assert.Equal(t, want[i], f, raw) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestFastPathDigits(t *testing.T) {
	tests := []struct {
		raw  string
		nanp bool // default region in the NANP
		want string
	}{
		{"(415) 555-2671", true, "4155552671"},
		{"415.555.2671", true, "4155552671"},
		{"+1 415 555 2671", false, "4155552671"},
		{" +1 (415) 555-2671 ", false, "4155552671"},
		{"1-415-555-2671", true, "4155552671"},
		{"1-415-555-2671", false, ""},   // national format outside the NANP
		{"4155552671", false, ""},       // idem
		{"+4155552671", true, ""},       // +41 is Switzerland
		{"++14155552671", true, ""},     // let phonenumbers judge
		{"1+4155552671", true, ""},      // '+' after a digit
		{"(+1) 415 555 2671", true, ""}, // '+' after punctuation
		{"415-555-2671 x12", true, ""},  // extension
		{"415-555-2671#12", true, ""},   // extension marker
		{"1-800-FLOWERS", true, ""},     // letters
		{"415/555/2671", true, ""},      // other punctuation
		{"415 555 267", true, ""},       // too short
		{"24155552671", true, ""},       // 11 digits not starting with 1
		{"1155552671", true, ""},        // area code starting with 1
		{"0155552671", true, ""},        // area code starting with 0
		{"4１55552671", true, ""},        // full-width digit
		{strings.Repeat(" ", 60) + "4155552671", true, ""},
	}
	for _, tc := range tests {
		got, ok := nanpFastDigits(tc.raw, tc.nanp)
		if tc.want == "" {
			assert.False(t, ok, tc.raw)
			continue
		}
		require.True(t, ok, tc.raw)
		assert.Equal(t, tc.want, string(got[:]), tc.raw)
	}
}

// TestLineDependentExchangesMatchMetadata proves the fast path's premise on
// the metadata itself: for every NANP region, every number-type pattern
// (and the general pattern) accepts either all or none of the 10,000 lines
// of an NPA-NXX, except in nanpLineDependentExchanges. It runs each regular
// expression as an automaton over the digits, so it covers all 10^10
// numbers, not a sample. Leading-digit patterns (which pick the region) and
// emergency patterns must decide within six digits too.
func TestLineDependentExchangesMatchMetadata(t *testing.T) {
	col, err := phonenumbers.MetadataCollection()
	require.NoError(t, err)
	found := map[int]string{}
	regions := 0
	for _, md := range col.GetMetadata() {
		if md.GetCountryCode() != 1 {
			continue
		}
		regions++
		descs := map[string]*phonenumbers.PhoneNumberDesc{
			"general": md.GetGeneralDesc(), "fixed_line": md.GetFixedLine(), "mobile": md.GetMobile(),
			"toll_free": md.GetTollFree(), "premium_rate": md.GetPremiumRate(), "shared_cost": md.GetSharedCost(),
			"personal": md.GetPersonalNumber(), "voip": md.GetVoip(), "pager": md.GetPager(), "uan": md.GetUan(),
			"voicemail": md.GetVoicemail(),
		}
		for name, d := range descs {
			if p := d.GetNationalNumberPattern(); p != "" {
				for _, x := range lineDependentPrefixes(t, p) {
					found[x] = md.GetId() + " " + name
				}
			}
		}
		if ld := md.GetLeadingDigits(); ld != "" {
			assert.Empty(t, lineDependentPrefixes(t, "(?:"+ld+`)\d*`), "leading digits of %s", md.GetId())
		}
	}
	require.Equal(t, 25, regions, "the NANP has 25 regions in phonenumbers")

	short, err := phonenumbers.ShortNumberMetadataCollection()
	require.NoError(t, err)
	for _, md := range short.GetMetadata() {
		if phonenumbers.GetCountryCodeForRegion(md.GetId()) != 1 {
			continue
		}
		if p := md.GetEmergency().GetNationalNumberPattern(); p != "" {
			assert.Empty(t, lineDependentPrefixes(t, "(?:"+p+`)\d*`), "emergency numbers of %s", md.GetId())
		}
	}

	var got []int
	for x := range found {
		got = append(got, x)
	}
	slices.Sort(got)
	want := []int{246521, 246522, 876606} // not the table: the test must catch a bad table
	require.Equal(t, want, got, "line-dependent exchanges in the metadata: %v", found)
}

// lineDependentPrefixes returns the NPA-NXX prefixes (as integers) at which
// the full-match regular expression pat, over ten-digit strings, accepts
// some but not all of the 10,000 continuations.
func lineDependentPrefixes(t *testing.T, pat string) []int {
	t.Helper()
	re, err := syntax.Parse(`^(?:`+pat+`)$`, syntax.Perl)
	require.NoError(t, err, pat)
	prog, err := syntax.Compile(re.Simplify())
	require.NoError(t, err, pat)
	a := &automaton{t: t, prog: prog, outcomes: map[string]uint8{}, mixed: map[string]bool{}}
	var out []int
	a.collect([]uint32{uint32(prog.Start)}, 0, 0, &out)
	return out
}

// automaton runs a compiled regular expression over digit strings as sets of
// instructions, memoising on the set.
type automaton struct {
	t        *testing.T
	prog     *syntax.Prog
	outcomes map[string]uint8 // set|remaining digits -> 1 reject, 2 accept, 3 both
	mixed    map[string]bool  // set|depth -> some six-digit extension is mixed
}

// closure follows the empty transitions of pcs at a position that is the
// start and/or the end of the text.
func (a *automaton) closure(pcs []uint32, atStart, atEnd bool) []uint32 {
	seen := map[uint32]bool{}
	var out []uint32
	var visit func(pc uint32)
	visit = func(pc uint32) {
		if seen[pc] {
			return
		}
		seen[pc] = true
		in := &a.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			visit(in.Out)
			visit(in.Arg)
		case syntax.InstCapture, syntax.InstNop:
			visit(in.Out)
		case syntax.InstEmptyWidth:
			op := syntax.EmptyOp(in.Arg)
			ok := true
			if op&(syntax.EmptyBeginText|syntax.EmptyBeginLine) != 0 && !atStart {
				ok = false
			}
			if op&(syntax.EmptyEndText|syntax.EmptyEndLine) != 0 && !atEnd {
				ok = false
			}
			if op&(syntax.EmptyWordBoundary|syntax.EmptyNoWordBoundary) != 0 {
				a.t.Fatalf("word boundary in a number pattern")
			}
			if ok {
				visit(in.Out)
			}
		case syntax.InstFail:
		default: // runes and match
			out = append(out, pc)
		}
	}
	for _, pc := range pcs {
		visit(pc)
	}
	slices.Sort(out)
	return out
}

// step consumes one digit.
func (a *automaton) step(pcs []uint32, d rune, atStart bool) []uint32 {
	var next []uint32
	for _, pc := range a.closure(pcs, atStart, false) {
		in := &a.prog.Inst[pc]
		if in.Op != syntax.InstMatch && in.MatchRune(d) {
			next = append(next, in.Out)
		}
	}
	slices.Sort(next)
	return slices.Compact(next)
}

func key(pcs []uint32, n int) string { return fmt.Sprint(pcs, n) }

// outcome reports what k more digits can lead to: 1 reject, 2 accept, 3
// both.
func (a *automaton) outcome(pcs []uint32, k int) uint8 {
	if len(pcs) == 0 {
		return 1
	}
	if k == 0 {
		for _, pc := range a.closure(pcs, false, true) {
			if a.prog.Inst[pc].Op == syntax.InstMatch {
				return 2
			}
		}
		return 1
	}
	kk := key(pcs, k)
	if o, ok := a.outcomes[kk]; ok {
		return o
	}
	var o uint8
	for d := '0'; d <= '9' && o != 3; d++ {
		o |= a.outcome(a.step(pcs, d, false), k-1)
	}
	a.outcomes[kk] = o
	return o
}

// hasMixed reports whether some extension of pcs to six digits is mixed.
func (a *automaton) hasMixed(pcs []uint32, depth int) bool {
	if len(pcs) == 0 {
		return false
	}
	if depth == 6 {
		return a.outcome(pcs, 4) == 3
	}
	kk := key(pcs, depth)
	if m, ok := a.mixed[kk]; ok {
		return m
	}
	m := false
	for d := '0'; d <= '9' && !m; d++ {
		m = a.hasMixed(a.step(pcs, d, depth == 0), depth+1)
	}
	a.mixed[kk] = m
	return m
}

// collect appends the mixed six-digit prefixes below pcs.
func (a *automaton) collect(pcs []uint32, depth, prefix int, out *[]int) {
	if !a.hasMixed(pcs, depth) {
		return
	}
	if depth == 6 {
		*out = append(*out, prefix)
		return
	}
	for d := '0'; d <= '9'; d++ {
		a.collect(a.step(pcs, d, depth == 0), depth+1, prefix*10+int(d-'0'), out)
	}
}

// TestTimezonePrefixesAreExchangeLevel reads the phonenumbers time-zone
// data and checks that no +1 prefix is longer than 1+NPA+NXX: zones never
// depend on the line, so memoising them per exchange is exact.
func TestTimezonePrefixesAreExchangeLevel(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/nyaruka/phonenumbers/v2").Output()
	require.NoError(t, err, "locate the phonenumbers module")
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "timezone", "data", "prefix_to_timezone.xml.gz"))
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	r := bytes.NewReader(raw)
	var size uint32
	require.NoError(t, binary.Read(r, binary.LittleEndian, &size))
	_, err = r.Seek(int64(size), io.SeekCurrent)
	require.NoError(t, err)
	var count uint32
	require.NoError(t, binary.Read(r, binary.LittleEndian, &count))
	k, nanpKeys, longest := 0, 0, 0
	for range count {
		diff, err := binary.ReadUvarint(r)
		require.NoError(t, err)
		k += int(diff)
		var nv uint8
		require.NoError(t, binary.Read(r, binary.LittleEndian, &nv))
		_, err = r.Seek(int64(nv)*2, io.SeekCurrent)
		require.NoError(t, err)
		if s := strconv.Itoa(k); s[0] == '1' {
			nanpKeys++
			longest = max(longest, len(s))
		}
	}
	require.Greater(t, nanpKeys, 1000, "the decoder must see the NANP prefixes")
	assert.LessOrEqual(t, longest, 7, "a +1 time-zone prefix longer than 1+NPA+NXX")
}

var benchSink NumberFacts

// benchNumbers returns numbers as an import sees them: assigned US and
// Canadian area codes, any exchange 200-999, in the usual formats, with
// 100,000 rows over a few thousand exchanges.
func benchNumbers() []string {
	rng := rand.New(rand.NewPCG(99, 0))
	var npas []int
	for npa := range nanpGeographic {
		if !slices.Contains(nanpAheadOfPhonenumbers, npa) {
			npas = append(npas, npa)
		}
	}
	slices.Sort(npas)
	exchanges := make([]string, 5000)
	for i := range exchanges {
		exchanges[i] = fmt.Sprintf("%d%d", npas[rng.IntN(len(npas))], 200+rng.IntN(800))
	}
	formats := []string{"(%s) %s-%s", "%s.%s.%s", "+1 %s %s %s", "1-%s-%s-%s", "%s%s%s", "%s-%s-%s"}
	out := make([]string, 100_000)
	for i := range out {
		x := exchanges[rng.IntN(len(exchanges))]
		out[i] = fmt.Sprintf(formats[rng.IntN(len(formats))], x[:3], x[3:], fmt.Sprintf("%04d", rng.IntN(10000)))
	}
	return out
}

func BenchmarkCheckSlowPath(b *testing.B) {
	raws := benchNumbers()
	var c Checker
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchSink, _ = c.CheckSlow(raws[i%len(raws)])
	}
}

func BenchmarkCheckFastPath(b *testing.B) {
	raws := benchNumbers()
	var c Checker
	for _, raw := range raws { // warm the memo, as a long import does
		benchSink, _ = c.Check(raw)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		benchSink, _ = c.Check(raws[i%len(raws)])
	}
}

// BenchmarkCheckFastPathCold starts every iteration batch with an empty
// memo: the cost when most exchanges are new.
func BenchmarkCheckFastPathCold(b *testing.B) {
	raws := benchNumbers()
	c := new(Checker)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(raws) == 0 {
			b.StopTimer()
			c = new(Checker)
			b.StartTimer()
		}
		benchSink, _ = c.Check(raws[i%len(raws)])
	}
}
