package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/callstackhq/callstack/campaign"
)

// PreviewOptions configure Preview.
type PreviewOptions struct {
	// WorkspaceID, when set, lets Preview offer the mapping remembered for
	// the same header in that workspace. Defaults to "": only the
	// suggestion from header names.
	WorkspaceID campaign.WorkspaceID
	// Rows is how many data rows to return. Defaults to 10.
	Rows int
}

// MappingSource says where a preview's mapping comes from.
type MappingSource string

// Mapping sources.
const (
	MappingRemembered MappingSource = "remembered" // confirmed in an earlier import of the same header
	MappingSuggested  MappingSource = "suggested"  // from the header names and their synonyms
)

// Preview is the first look at a file.
type Preview struct {
	// Delimiter is the detected field delimiter: ',', ';', '\t' or '|'.
	Delimiter rune
	// BOM reports a UTF-8 byte-order mark at the start.
	BOM bool
	// Header is the header row, trimmed.
	Header []string
	// Signature identifies the header in the mapping memory.
	Signature string
	// Rows are the first data rows as read (blank lines skipped).
	Rows [][]string
	// Mapping is the mapping offered for the header; MappingFrom says
	// whether it was remembered or suggested. Columns no synonym matches
	// are kept as custom fields named after the header.
	Mapping     Mapping
	MappingFrom MappingSource
}

// Preview reads the start of r: delimiter, header, the first rows and the
// mapping to offer. It reads no more of r than it needs.
func (im *Importer) Preview(ctx context.Context, r io.Reader, opts PreviewOptions) (Preview, error) {
	if opts.Rows <= 0 {
		opts.Rows = 10
	}
	src, err := openSource(r, im.cfg.MaxBytes)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Delimiter: src.delim, BOM: src.bom, Header: src.header, Signature: Signature(src.header)}
	for len(p.Rows) < opts.Rows {
		rec, err := src.cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrTooLarge) {
			return Preview{}, err
		}
		if err != nil {
			continue
		}
		if blank(rec) {
			continue
		}
		p.Rows = append(p.Rows, slices.Clone(rec))
	}
	p.Mapping, p.MappingFrom = SuggestMapping(src.header), MappingSuggested
	if opts.WorkspaceID != "" {
		m, err := im.cfg.Store.GetMapping(ctx, opts.WorkspaceID, p.Signature)
		switch {
		case err == nil && m.Mapping.validate(len(src.header)) == nil:
			p.Mapping, p.MappingFrom = m.Mapping, MappingRemembered
		case err != nil && !errors.Is(err, campaign.ErrNotFound):
			return Preview{}, err
		}
	}
	return p, nil
}

// synonyms maps a normalised header name (lower case, letters and digits
// only) to its field.
var synonyms = func() map[string]Field {
	m := map[string]Field{}
	add := func(f Field, names ...string) {
		for _, n := range names {
			m[n] = f
		}
	}
	add(FieldPhone, "phone", "phonenumber", "phoneno", "primaryphone", "primaryphonenumber", "mobile", "mobilephone",
		"mobilenumber", "cell", "cellphone", "cellular", "cellnumber", "telephone", "telephonenumber", "tel", "phone1",
		"contactnumber", "contactphone", "msisdn", "number", "directdial", "dialnumber")
	add(FieldAltPhone, "altphone", "alternatephone", "alternativephone", "phone2", "secondaryphone", "otherphone",
		"homephone", "workphone", "businessphone", "officephone", "landline")
	add(FieldFirstName, "firstname", "fname", "first", "givenname", "forename", "firstnames")
	add(FieldLastName, "lastname", "lname", "last", "surname", "familyname")
	add(FieldFullName, "name", "fullname", "contactname", "contact")
	add(FieldCompany, "company", "companyname", "organization", "organisation", "org", "business", "businessname",
		"account", "accountname", "employer")
	add(FieldEmail, "email", "emailaddress", "mail", "emailid")
	add(FieldSource, "source", "leadsource", "origin")
	add(FieldTags, "tags", "tag", "labels", "label")
	add(FieldNotes, "notes", "note", "comments", "comment", "remarks")
	add(FieldState, "state", "province", "stateprovince", "st", "stateorprovince")
	return m
}()

// normalizeHeader lower-cases h and keeps letters and digits.
func normalizeHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// customKey turns a header into a custom field key: lower case, runs of
// other characters as one '_'.
func customKey(h string, col int) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		} else {
			under = true
		}
	}
	if b.Len() == 0 {
		return "column_" + strconv.Itoa(col+1)
	}
	if b.Len() > 64 {
		return b.String()[:64]
	}
	return b.String()
}

// SuggestMapping maps a header by name: each column whose normalised name
// is a known synonym fills that field (the first such column wins; a second
// phone column becomes the alternate phone), and every other column is kept
// as a custom field named after its header.
func SuggestMapping(header []string) Mapping {
	m := make(Mapping, len(header))
	taken := map[Field]bool{}
	for i, h := range header {
		f, ok := synonyms[normalizeHeader(h)]
		if ok && f == FieldPhone && taken[FieldPhone] {
			f = FieldAltPhone
		}
		if ok && !taken[f] {
			m[i], taken[f] = f, true
			continue
		}
		key := customKey(h, i)
		for n := 2; taken[Custom(key)]; n++ {
			key = fmt.Sprintf("%s_%d", customKey(h, i), n)
		}
		m[i], taken[Custom(key)] = Custom(key), true
	}
	return m
}
