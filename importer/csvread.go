package importer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// sampleSize is how much of the file the delimiter is detected from.
const sampleSize = 64 << 10

// delimiters are the candidates, in order of preference on a tie.
var delimiters = []rune{',', ';', '\t', '|'}

// countingReader counts bytes and refuses to read past max.
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.max > 0 && c.n >= c.max {
		// Allow the limit exactly; one more byte is too many.
		var one [1]byte
		if k, _ := c.r.Read(one[:]); k > 0 {
			return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.max)
		}
		return 0, io.EOF
	}
	if c.max > 0 && int64(len(p)) > c.max-c.n {
		p = p[:c.max-c.n]
	}
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

// source is an opened CSV stream: BOM stripped, delimiter detected, header
// read.
type source struct {
	cr     *csv.Reader
	count  *countingReader
	delim  rune
	bom    bool
	header []string
}

// knownSize returns r's remaining size when it can tell without reading.
func knownSize(r io.Reader) (int64, bool) {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len()), true
	case interface{ Size() int64 }:
		return v.Size(), true
	case interface{ Stat() (os.FileInfo, error) }:
		fi, err := v.Stat()
		if err == nil && fi.Mode().IsRegular() {
			return fi.Size(), true
		}
	}
	return 0, false
}

// openSource wraps r: size limit, BOM, delimiter, header.
func openSource(r io.Reader, maxBytes int64) (*source, error) {
	if n, ok := knownSize(r); ok && maxBytes > 0 && n > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, n, maxBytes)
	}
	cnt := &countingReader{r: r, max: maxBytes}
	br := bufio.NewReaderSize(cnt, sampleSize)
	sample, err := br.Peek(sampleSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	s := &source{count: cnt}
	if bytes.HasPrefix(sample, []byte("\xEF\xBB\xBF")) {
		s.bom = true
		_, _ = br.Discard(3)
		sample = sample[3:]
	}
	if len(bytes.TrimSpace(sample)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotCSV)
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return nil, fmt.Errorf("%w: binary data (NUL bytes)", ErrNotCSV)
	}
	s.delim = detectDelimiter(sample)
	s.cr = csv.NewReader(br)
	s.cr.Comma = s.delim
	s.cr.FieldsPerRecord = -1
	s.cr.LazyQuotes = true
	s.cr.ReuseRecord = true
	for {
		rec, err := s.cr.Read()
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("%w: no header row: %v", ErrNotCSV, err)
		}
		if blank(rec) {
			continue
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return nil, fmt.Errorf("%w: the header row is not UTF-8", ErrNotCSV)
			}
		}
		s.header = make([]string, len(rec))
		for i, f := range rec {
			s.header[i] = strings.TrimSpace(f)
		}
		return s, nil
	}
}

// blank reports whether every field of rec is empty or spaces.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// detectDelimiter picks, from the first lines of sample, the candidate that
// splits the lines into the same number (more than one) of fields most
// often, counting only delimiters outside quotes. Comma wins when nothing
// splits.
func detectDelimiter(sample []byte) rune {
	lines := splitLines(sample, 50)
	best, bestScore := ',', 0
	for _, d := range delimiters {
		counts := make([]int, len(lines))
		for i, l := range lines {
			counts[i] = countOutsideQuotes(l, byte(d))
		}
		if len(counts) == 0 || counts[0] == 0 {
			continue
		}
		same := 0
		for _, c := range counts {
			if c == counts[0] {
				same++
			}
		}
		score := same*1000 + min(counts[0], 999)
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// splitLines returns up to max logical lines of sample (newlines inside
// quotes do not end a line); a last line cut by the sample's end is
// dropped unless it is the only one.
func splitLines(sample []byte, max int) [][]byte {
	var out [][]byte
	start, inQuote := 0, false
	for i := 0; i < len(sample) && len(out) < max; i++ {
		switch sample[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				l := bytes.TrimRight(sample[start:i], "\r")
				if len(bytes.TrimSpace(l)) > 0 {
					out = append(out, l)
				}
				start = i + 1
			}
		}
	}
	if len(out) == 0 && start < len(sample) {
		out = append(out, sample[start:])
	}
	return out
}

func countOutsideQuotes(l []byte, d byte) int {
	n, inQuote := 0, false
	for _, c := range l {
		switch {
		case c == '"':
			inQuote = !inQuote
		case c == d && !inQuote:
			n++
		}
	}
	return n
}

// Signature identifies a header for the mapping memory: the header names,
// lower-cased and trimmed, hashed.
func Signature(header []string) string {
	h := sha256.New()
	for _, f := range header {
		h.Write([]byte(strings.ToLower(strings.TrimSpace(f))))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
