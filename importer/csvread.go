package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// sampleSize is how much of the file the encoding and the delimiter are
// detected from.
const sampleSize = 64 << 10

// maxRecordBytes bounds one record: a physical line, or a quoted field
// that runs over several lines. A quote still open past it is a stray
// quote: the row is rejected as malformed and the lines after it are read
// again as rows of their own.
const maxRecordBytes = 1 << 20

// delimiters are the candidates, in order of preference on a tie.
var delimiters = []byte{',', ';', '\t', '|'}

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

// physLine is a physical line kept aside: the lines of a multi-line record
// that must be read again.
type physLine struct {
	b    []byte
	term byte // '\n' (LF or CRLF), '\r' (CR alone) or 0 (end of file)
	no   int
}

// lineReader splits a stream into physical lines ended by LF, CRLF or a
// lone CR, in any mix. A line is valid until the next call.
type lineReader struct {
	r       io.Reader
	buf     []byte
	pos     int // start of unread data
	end     int // end of data
	scanned int // buf[pos:scanned] holds no line end
	err     error
	no      int        // number of the last line read from r
	pending []physLine // lines given back, served first
	skip    bool       // discarding the rest of an over-long line
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, sampleSize)}
}

// unread gives lines back; the next calls return them first, in order.
func (lr *lineReader) unread(ls []physLine) {
	lr.pending = append(ls, lr.pending...)
}

// fill reads more data, moving unread data to the front and growing the
// buffer up to maxRecordBytes when a line fills it.
func (lr *lineReader) fill() {
	if lr.pos > 0 {
		n := copy(lr.buf, lr.buf[lr.pos:lr.end])
		lr.scanned -= lr.pos
		lr.pos, lr.end = 0, n
	}
	if lr.end == len(lr.buf) {
		nb := make([]byte, 2*len(lr.buf))
		copy(nb, lr.buf[:lr.end])
		lr.buf = nb
	}
	for range 100 {
		n, err := lr.r.Read(lr.buf[lr.end:])
		lr.end += n
		if err != nil {
			lr.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	lr.err = io.ErrNoProgress
}

// next returns the next physical line, its end and its number. long
// reports a line cut at maxRecordBytes (the rest of it is discarded). At
// the end it returns io.EOF; a read error (ErrTooLarge) drops the partial
// line it cut.
func (lr *lineReader) next() (line []byte, term byte, no int, long bool, err error) {
	if len(lr.pending) > 0 {
		l := lr.pending[0]
		lr.pending = lr.pending[1:]
		return l.b, l.term, l.no, false, nil
	}
	for {
		if lr.scanned < lr.pos {
			lr.scanned = lr.pos
		}
		if i := indexLineEnd(lr.buf[lr.scanned:lr.end]); i >= 0 {
			j := lr.scanned + i
			if lr.buf[j] == '\r' && j+1 == lr.end && lr.err == nil {
				// A CR at the end of the data: is an LF next?
				lr.scanned = j
				lr.fill()
				continue
			}
			line, term = lr.buf[lr.pos:j], '\n'
			switch {
			case lr.buf[j] == '\n':
				lr.pos = j + 1
			case j+1 < lr.end && lr.buf[j+1] == '\n':
				lr.pos = j + 2
			default:
				lr.pos, term = j+1, '\r'
			}
			lr.scanned = lr.pos
			if lr.skip {
				lr.skip = false
				continue
			}
			lr.no++
			return line, term, lr.no, false, nil
		}
		lr.scanned = lr.end
		if lr.err != nil {
			if !errors.Is(lr.err, io.EOF) {
				return nil, 0, 0, false, lr.err
			}
			if lr.pos < lr.end && !lr.skip {
				line = lr.buf[lr.pos:lr.end]
				lr.pos = lr.end
				lr.no++
				return line, 0, lr.no, false, nil
			}
			lr.pos = lr.end
			return nil, 0, 0, false, io.EOF
		}
		if lr.end-lr.pos >= maxRecordBytes {
			if lr.skip {
				lr.pos, lr.scanned = lr.end, lr.end
			} else {
				line = bytes.Clone(lr.buf[lr.pos:lr.end])
				lr.pos, lr.scanned, lr.skip = lr.end, lr.end, true
				lr.no++
				return line, 0, lr.no, true, nil
			}
		}
		lr.fill()
	}
}

// indexLineEnd returns the index of the first CR or LF in b, or -1.
func indexLineEnd(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// recInfo describes a record read.
type recInfo struct {
	// line is the record's first physical line; lines how many it spans.
	line, lines int
	// bad is the reason a record could not be read (ReasonMalformedQuotes,
	// ReasonFieldTooLong); its fields are then its first line split at
	// the delimiter, quotes and all.
	bad string
}

// csvReader reads records: RFC 4180 quoting, with quoted fields over
// several lines, but a quote must close on a sane boundary. A quoted field
// closes only before a delimiter or a line end (spaces between are
// allowed); a record that runs over several lines must have the header's
// number of fields and no stray quote in an unquoted field. A record that
// breaks these rules is rejected as malformed, naming its first line, and
// its other lines are read again as records of their own, so one stray
// quote costs one row. A quote inside an unquoted field on a single line
// (5'10") is kept as text.
type csvReader struct {
	lr    *lineReader
	delim byte
	// want is the number of fields a multi-line record must have; 0 while
	// the header is not known.
	want   int
	buf    []byte
	ends   []int
	fields []string
	held   []physLine
	first  []byte
	// replay holds records read ahead (the header search), served first.
	replay []replayed
}

type replayed struct {
	fields []string
	info   recInfo
}

// read returns the next record; the fields are valid until the next call.
// It returns io.EOF at the end, or the error that stopped reading.
func (cr *csvReader) read() ([]string, recInfo, error) {
	if len(cr.replay) > 0 {
		r := cr.replay[0]
		cr.replay = cr.replay[1:]
		return r.fields, r.info, nil
	}
	for {
		line, term, no, long, err := cr.lr.next()
		if err != nil {
			return nil, recInfo{}, err
		}
		info := recInfo{line: no, lines: 1}
		if long {
			info.bad = ReasonFieldTooLong
			return cr.split(line), info, nil
		}
		if len(line) == 0 {
			continue // an empty line is not a record
		}
		if bytes.IndexByte(line, '"') < 0 {
			return cr.split(line), info, nil
		}
		return cr.parse(line, term, info)
	}
}

// split splits a line at the delimiter, quotes kept: a line without
// quotes, or the cells of a malformed row for the rejects file.
func (cr *csvReader) split(line []byte) []string {
	s := string(line)
	cr.fields = cr.fields[:0]
	d := cr.delim
	for {
		i := strings.IndexByte(s, d)
		if i < 0 {
			cr.fields = append(cr.fields, s)
			return cr.fields
		}
		cr.fields = append(cr.fields, s[:i])
		s = s[i+1:]
	}
}

// parse reads the record that starts with line, which holds a quote.
func (cr *csvReader) parse(line []byte, term byte, info recInfo) ([]string, recInfo, error) {
	cr.buf, cr.ends, cr.held, cr.first = cr.buf[:0], cr.ends[:0], cr.held[:0], cr.first[:0]
	d := cr.delim
	l, i := line, 0
	bare, multi := false, false
	size := len(line)
	malformed := func() ([]string, recInfo, error) {
		info.bad = ReasonMalformedQuotes
		if multi {
			// Read the lines after the first again, as records of their own.
			cr.lr.unread(cr.held)
			cr.held = nil
			info.lines = 1
			return cr.split(cr.first), info, nil
		}
		return cr.split(line), info, nil
	}
	for {
		// At the start of a field.
		k := i
		for k < len(l) && l[k] == ' ' {
			k++
		}
		if k < len(l) && l[k] == '"' {
			// A quoted field, possibly over several lines.
			i = k + 1
			for {
				j := bytes.IndexByte(l[i:], '"')
				if j < 0 {
					cr.buf = append(cr.buf, l[i:]...)
					if term == 0 || size > maxRecordBytes {
						return malformed() // the quote never closes
					}
					cr.buf = append(cr.buf, term)
					if !multi {
						multi = true
						cr.first = append(cr.first, line...)
					}
					nl, nterm, no, long, err := cr.lr.next()
					if errors.Is(err, io.EOF) {
						return malformed()
					}
					if err != nil {
						return nil, info, err
					}
					cr.held = append(cr.held, physLine{b: bytes.Clone(nl), term: nterm, no: no})
					if long {
						return malformed()
					}
					l, term, i = cr.held[len(cr.held)-1].b, nterm, 0
					size += len(l)
					info.lines++
					continue
				}
				cr.buf = append(cr.buf, l[i:i+j]...)
				i += j + 1
				if i < len(l) && l[i] == '"' {
					cr.buf = append(cr.buf, '"')
					i++
					continue
				}
				break
			}
			// The quote closed: only spaces may come before the delimiter
			// or the line end.
			k = i
			for k < len(l) && (l[k] == ' ' || (l[k] == '\t' && d != '\t')) {
				k++
			}
			cr.ends = append(cr.ends, len(cr.buf))
			if k == len(l) {
				break
			}
			if l[k] != d {
				return malformed()
			}
			i = k + 1
			continue
		}
		// An unquoted field.
		j := bytes.IndexByte(l[i:], d)
		f := l[i:]
		if j >= 0 {
			f = l[i : i+j]
		}
		if bytes.IndexByte(f, '"') >= 0 {
			bare = true
		}
		cr.buf = append(cr.buf, f...)
		cr.ends = append(cr.ends, len(cr.buf))
		if j < 0 {
			break
		}
		i += j + 1
	}
	if multi && (bare || (cr.want > 0 && len(cr.ends) != cr.want)) {
		return malformed()
	}
	s := string(cr.buf)
	cr.fields = cr.fields[:0]
	prev := 0
	for _, e := range cr.ends {
		cr.fields = append(cr.fields, s[prev:e])
		prev = e
	}
	return cr.fields, info, nil
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

// detectDelimiter picks the delimiter from the first lines of sample,
// counting only delimiters outside quotes. The first line that any
// candidate splits is taken as the header (title lines above it split
// nothing): only the candidates that split it compete, and the one whose
// count in it recurs in the most lines wins (then the larger count, then
// the order of delimiters). Comma wins when nothing splits.
func detectDelimiter(sample []byte) byte {
	lines := splitLines(sample, 50)
	start := -1
	for i, l := range lines {
		for _, d := range delimiters {
			if countOutsideQuotes(l, d) > 0 {
				start = i
				break
			}
		}
		if start >= 0 {
			break
		}
	}
	if start < 0 {
		return ','
	}
	best, bestScore := byte(','), 0
	for _, d := range delimiters {
		n := countOutsideQuotes(lines[start], d)
		if n == 0 {
			continue
		}
		same := 0
		for _, l := range lines[start:] {
			if countOutsideQuotes(l, d) == n {
				same++
			}
		}
		if score := same*1000 + min(n, 999); score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// splitLines returns up to max logical lines of sample (line ends inside
// quotes do not end a line); a last line cut by the sample's end is
// dropped unless it is the only one.
func splitLines(sample []byte, max int) [][]byte {
	var out [][]byte
	start, inQuote := 0, false
	for i := 0; i < len(sample) && len(out) < max; i++ {
		switch sample[i] {
		case '"':
			inQuote = !inQuote
		case '\n', '\r':
			if !inQuote {
				l := sample[start:i]
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
