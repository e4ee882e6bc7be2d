// Package csvsafe neutralises CSV cells that a spreadsheet would run as a
// formula (CSV or "formula" injection, OWASP): a cell starting with '=',
// '+', '-', '@', a tab, a carriage return or a line feed gets a single
// quote in front, so Excel, LibreOffice and Google Sheets show it as text.
// A cell that is a plain number (an optional sign, then digits only) is
// left alone, so E.164 numbers such as "+14155552671" and negative counts
// stay intact. The importer's rejected-rows export uses it, and so will
// report exports.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell returns s, neutralised when a spreadsheet could read it as a
// formula: a leading '=', '+', '-', '@', tab, CR or LF gets a "'" prefix,
// unless the whole cell is a plain number (an optional '+' or '-', then one
// or more ASCII digits and nothing else).
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
	default:
		return s
	}
	if PlainNumber(s) {
		return s
	}
	return "'" + s
}

// PlainNumber reports whether s is an optional sign followed by one or more
// ASCII digits and nothing else.
func PlainNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Record neutralises every cell of rec in place and returns it.
func Record(rec []string) []string {
	for i, s := range rec {
		rec[i] = Cell(s)
	}
	return rec
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer writing comma-separated records to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// SetComma sets the field delimiter (comma by default).
func (w *Writer) SetComma(r rune) { w.w.Comma = r }

// Write writes one record, neutralised; rec itself is not changed.
func (w *Writer) Write(rec []string) error {
	w.buf = append(w.buf[:0], rec...)
	return w.w.Write(Record(w.buf))
}

// Flush writes buffered data and returns any error so far.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
