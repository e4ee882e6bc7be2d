package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding is the text encoding of an imported file.
type Encoding string

// Encodings. EncodingAuto is the default: a byte-order mark decides
// (UTF-8, UTF-16 LE or BE), else UTF-16 is recognised by its NUL bytes,
// else the file is read as UTF-8 when its start is valid UTF-8 (a later row
// that is not is read as Windows-1252, with WarningDecodedWindows1252) and
// as Windows-1252 otherwise. Forcing EncodingUTF8 rejects rows that are not
// UTF-8 (invalid_encoding).
const (
	EncodingAuto        Encoding = "auto"
	EncodingUTF8        Encoding = "utf-8"
	EncodingUTF16       Encoding = "utf-16" // byte order from the BOM; little-endian without one
	EncodingUTF16LE     Encoding = "utf-16le"
	EncodingUTF16BE     Encoding = "utf-16be"
	EncodingWindows1252 Encoding = "windows-1252"
)

// maxTitleLines is how many records above the header a file may have
// (report titles, export dates).
const maxTitleLines = 10

// source is an opened CSV stream: encoding decoded, delimiter found, header
// read.
type source struct {
	rd    *csvReader
	count *countingReader
	delim byte
	bom   bool
	// enc is the encoding read: utf-8, utf-16le, utf-16be or windows-1252.
	enc Encoding
	// strict: rows that are not UTF-8 are rejected (forced UTF-8); else,
	// on UTF-8, they are read as Windows-1252.
	strict bool
	header []string
	// headerLine is the header's physical line; sepLine reports an Excel
	// "sep=" line honoured.
	headerLine int
	sepLine    bool
}

// openSource wraps r: size limit, encoding, "sep=" line, delimiter, header.
func openSource(r io.Reader, maxBytes int64, enc Encoding) (*source, error) {
	if n, ok := knownSize(r); ok && maxBytes > 0 && n > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, n, maxBytes)
	}
	cnt := &countingReader{r: r, max: maxBytes}
	br := bufio.NewReaderSize(cnt, sampleSize)
	raw, err := br.Peek(sampleSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, ErrTooLarge) {
		// Past the limit, the sample is what fits: the rows in it are
		// imported, and the error comes with the first read past it.
		return nil, err
	}
	s := &source{count: cnt}
	var utf16 *unicode.Endianness
	le, be := unicode.LittleEndian, unicode.BigEndian
	switch enc {
	case "", EncodingAuto:
		switch {
		case bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")):
			s.enc, s.bom = EncodingUTF8, true
		case bytes.HasPrefix(raw, []byte("\xFF\xFE")):
			utf16, s.bom = &le, true
		case bytes.HasPrefix(raw, []byte("\xFE\xFF")):
			utf16, s.bom = &be, true
		case nulPattern(raw, 1):
			utf16 = &le
		case nulPattern(raw, 0):
			utf16 = &be
		case validUTF8Prefix(raw):
			s.enc = EncodingUTF8
		default:
			s.enc = EncodingWindows1252
		}
	case EncodingUTF8:
		s.enc, s.strict = EncodingUTF8, true
		s.bom = bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF"))
	case EncodingUTF16:
		utf16 = &le
		if bytes.HasPrefix(raw, []byte("\xFE\xFF")) {
			utf16 = &be
		}
		s.bom = bytes.HasPrefix(raw, []byte("\xFF\xFE")) || bytes.HasPrefix(raw, []byte("\xFE\xFF"))
	case EncodingUTF16LE:
		utf16, s.bom = &le, bytes.HasPrefix(raw, []byte("\xFF\xFE"))
	case EncodingUTF16BE:
		utf16, s.bom = &be, bytes.HasPrefix(raw, []byte("\xFE\xFF"))
	case EncodingWindows1252:
		s.enc = EncodingWindows1252
	default:
		return nil, fmt.Errorf("%w: unknown encoding %q (auto, utf-8, utf-16, utf-16le, utf-16be or windows-1252)", ErrInvalidOptions, enc)
	}
	var in io.Reader = br
	sample := raw
	if utf16 != nil {
		s.enc = EncodingUTF16LE
		if *utf16 == be {
			s.enc = EncodingUTF16BE
		}
		// UseBOM drops a BOM that matches and follows one that does not.
		dbr := bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(*utf16, unicode.UseBOM).NewDecoder()), sampleSize)
		sample, err = dbr.Peek(sampleSize)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		in = dbr
	} else if s.bom && s.enc == EncodingUTF8 {
		_, _ = br.Discard(3)
		sample = sample[3:]
	}
	if len(bytes.TrimSpace(sample)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotCSV)
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return nil, fmt.Errorf("%w: binary data (NUL bytes)", ErrNotCSV)
	}
	lr := newLineReader(in)
	if d, ok := sepLine(sample); ok {
		// Excel's "sep=;" first line names the delimiter.
		if _, _, _, _, err := lr.next(); err != nil {
			return nil, err
		}
		s.delim, s.sepLine = d, true
	} else {
		s.delim = detectDelimiter(sample)
	}
	s.rd = &csvReader{lr: lr, delim: s.delim}
	if err := s.readHeader(); err != nil {
		return nil, err
	}
	return s, nil
}

// nulPattern reports whether the sample looks like UTF-16 text without a
// BOM: a NUL at every other byte (at odd offsets for little-endian, even
// for big-endian) of its first 64 bytes, and nowhere else.
func nulPattern(b []byte, odd int) bool {
	n := min(len(b)&^1, 64)
	if n < 4 {
		return false
	}
	for i := 0; i < n; i++ {
		if (b[i] == 0) != (i%2 == odd) {
			return false
		}
	}
	return true
}

// validUTF8Prefix reports whether b is UTF-8, allowing a character cut at
// its end.
func validUTF8Prefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return !utf8.FullRune(b[len(b)-cut:])
		}
	}
	return false
}

// sepLine reads Excel's "sep=X" first line.
func sepLine(sample []byte) (byte, bool) {
	l := sample
	if i := indexLineEnd(l); i >= 0 {
		l = l[:i]
	}
	l = bytes.TrimSpace(l)
	if len(l) != 5 || !strings.EqualFold(string(l[:4]), "sep=") {
		return 0, false
	}
	d := l[4]
	if d == '"' || d >= utf8.RuneSelf || d == ' ' || ('0' <= d && d <= '9') || ('a' <= d|0x20 && d|0x20 <= 'z') {
		return 0, false
	}
	return d, true
}

// readHeader finds the header among the first records: the first that
// names a phone column, else the first with at least two non-empty cells
// that has as many cells as the record after it, else the first. The
// records above it are title lines, skipped; the ones after it are read
// again as data.
func (s *source) readHeader() error {
	var cands []replayed
	for len(cands) <= maxTitleLines {
		rec, info, err := s.rd.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if info.bad == "" && blank(rec) {
			continue
		}
		cands = append(cands, replayed{fields: slices.Clone(rec), info: info})
	}
	h := pickHeader(cands)
	if h < 0 {
		return fmt.Errorf("%w: no header row", ErrNotCSV)
	}
	hdr := cands[h]
	if hdr.info.bad != "" {
		return fmt.Errorf("%w: the header row (line %d) has unbalanced quotes", ErrNotCSV, hdr.info.line)
	}
	if _, ok := s.decode(hdr.fields); !ok {
		return fmt.Errorf("%w: the header row is not UTF-8", ErrNotCSV)
	}
	s.header = make([]string, len(hdr.fields))
	for i, f := range hdr.fields {
		s.header[i] = strings.TrimSpace(f)
	}
	s.headerLine = hdr.info.line
	s.rd.want = len(s.header)
	s.rd.replay = cands[h+1:]
	return nil
}

func pickHeader(cands []replayed) int {
	if len(cands) == 0 {
		return -1
	}
	filled := func(c replayed) int {
		n := 0
		for _, f := range c.fields {
			if strings.TrimSpace(f) != "" {
				n++
			}
		}
		return n
	}
	// A record naming a phone column is the header when every record above
	// it looks like a title: fewer non-empty cells. (A data cell reading
	// "Mobile" below a header of other names is not a header.)
	most := 0
	for i, c := range cands {
		if c.info.bad != "" {
			continue
		}
		n := filled(c)
		if n <= most {
			break
		}
		for _, f := range c.fields {
			if phoneRank(normalizeHeader(f)) >= 0 {
				return i
			}
		}
		most = n
	}
	for i, c := range cands {
		if c.info.bad == "" && filled(c) >= 2 && (i+1 == len(cands) || len(cands[i+1].fields) == len(c.fields)) {
			return i
		}
	}
	return 0
}

// decode turns rec's cells into UTF-8 in place. It reports whether a cell
// was read as Windows-1252, and false when a cell is not UTF-8 and the
// encoding is forced to UTF-8.
func (s *source) decode(rec []string) (cp1252, ok bool) {
	switch s.enc {
	case EncodingUTF16LE, EncodingUTF16BE:
		return false, true // decoded on the way in
	case EncodingWindows1252:
		for i, f := range rec {
			if !isASCII(f) {
				rec[i], cp1252 = decodeWindows1252(f), true
			}
		}
		return cp1252, true
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			if s.strict {
				return false, false
			}
			cp1252 = true
			break
		}
	}
	if cp1252 {
		for i, f := range rec {
			if !utf8.ValidString(f) {
				rec[i] = decodeWindows1252(f)
			}
		}
	}
	return cp1252, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// decodeWindows1252 reads s as Windows-1252.
func decodeWindows1252(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(c)
		} else {
			b.WriteRune(charmap.Windows1252.DecodeByte(c))
		}
	}
	return b.String()
}
