package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// Encoding is the file's text encoding. Defaults to EncodingAuto.
	Encoding Encoding
	// Columns names fields for header names, as Options.Columns.
	Columns map[string]Field
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
	// BOM reports a byte-order mark at the start.
	BOM bool
	// Encoding is the encoding the file is read in: utf-8, utf-16le,
	// utf-16be or windows-1252.
	Encoding Encoding
	// Header is the header row, trimmed.
	Header []string
	// HeaderLine is the header's line: lines above it (an Excel "sep="
	// line, report titles) are not rows.
	HeaderLine int
	// Signature identifies the header in the mapping memory.
	Signature string
	// Rows are the first data rows as read (blank lines and rows with
	// malformed quotes skipped), in UTF-8.
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
	src, err := openSource(r, im.cfg.MaxBytes, opts.Encoding)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Delimiter: rune(src.delim), BOM: src.bom, Encoding: src.enc, Header: src.header,
		HeaderLine: src.headerLine, Signature: Signature(src.header)}
	for len(p.Rows) < opts.Rows {
		rec, info, err := src.rd.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Preview{}, err
		}
		if info.bad != "" || blank(rec) {
			continue
		}
		rec = slices.Clone(rec)
		src.decode(rec)
		p.Rows = append(p.Rows, rec)
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
	if p.Mapping, err = applyColumns(p.Mapping, src.header, opts.Columns); err != nil {
		return Preview{}, err
	}
	return p, nil
}

// phoneSynonyms ranks the header names of phone columns (normalised: lower
// case, letters and digits only). When a file has several, the best ranked
// (the first of them on a tie) is the phone and the others are alternates,
// in rank order: an explicit or primary phone, then mobile, then business,
// then home, then any other. The names cover the CSV exports of HubSpot,
// Salesforce, Zoho, Pipedrive, Outlook, Google Contacts and Excel sheets
// (docs/import.md lists them).
var phoneSynonyms = map[string]int{
	"phone": 0, "phonenumber": 0, "phoneno": 0, "primaryphone": 0, "primaryphonenumber": 0, "telephone": 0,
	"telephonenumber": 0, "tel": 0, "phone1": 0, "phone1value": 0, "contactnumber": 0, "contactphone": 0,
	"msisdn": 0, "number": 0, "directdial": 0, "dialnumber": 0, "personphone": 0, "phonenumber1": 0,

	"mobile": 1, "mobilephone": 1, "mobilenumber": 1, "mobilephonenumber": 1, "cell": 1, "cellphone": 1,
	"cellular": 1, "cellnumber": 1, "cellphonenumber": 1, "mobiletelephone": 1,

	"businessphone": 2, "businessphone2": 2, "workphone": 2, "workphonenumber": 2, "officephone": 2,
	"companyphone": 2, "companymainphone": 2, "directphone": 2, "directphonenumber": 2, "worknumber": 2,

	"homephone": 3, "homephone2": 3, "homephonenumber": 3, "homenumber": 3, "landline": 3,

	"otherphone": 4, "altphone": 4, "alternatephone": 4, "alternativephone": 4, "phone2": 4, "phone3": 4,
	"phone2value": 4, "phone3value": 4, "phone4value": 4, "secondaryphone": 4, "phonenumber2": 4,
	"additionalphone": 4,
}

// phoneRank returns the rank of a normalised header name among phone
// columns, or -1 when it does not name one.
func phoneRank(name string) int {
	if r, ok := phoneSynonyms[name]; ok {
		return r
	}
	return -1
}

// synonyms maps a normalised header name to the field it fills, besides
// the phones.
var synonyms = func() map[string]Field {
	m := map[string]Field{}
	add := func(f Field, names ...string) {
		for _, n := range names {
			m[n] = f
		}
	}
	add(FieldFirstName, "firstname", "fname", "first", "givenname", "forename", "firstnames", "personfirstname")
	add(FieldLastName, "lastname", "lname", "last", "surname", "familyname", "personlastname")
	add(FieldFullName, "name", "fullname", "contactname", "contact", "personname", "displayname", "leadname")
	add(FieldCompany, "company", "companyname", "organization", "organisation", "org", "business", "businessname",
		"account", "accountname", "employer", "organizationname", "organization1name", "organisationname")
	add(FieldEmail, "email", "emailaddress", "mail", "emailid", "email1value", "personemail", "primaryemail",
		"workemail")
	add(FieldSource, "source", "leadsource", "origin", "originalsource", "recordsource")
	add(FieldTags, "tags", "tag", "labels", "label", "categories", "groupmembership")
	add(FieldNotes, "notes", "note", "comments", "comment", "remarks", "description")
	add(FieldState, "state", "province", "stateprovince", "st", "stateorprovince", "stateregion", "address1region", "businessstate", "homestate", "otherstate", "mailingstate", "mailingstateprovince",
		"billingstate", "billingstateprovince", "statecode", "provincecode")
	add(FieldExtension, "extension", "ext", "extn", "phoneextension", "phoneext", "extensionnumber")
	add(FieldConsent, "consent", "consenttype", "consentkind", "consentstatus", "tcpaconsent", "optin",
		"optinstatus", "callconsent", "marketingconsent")
	add(FieldConsentDate, "consentdate", "consentdatetime", "consentcapturedat", "consentgiven", "consentgivenat",
		"consenttimestamp", "optindate", "optintimestamp", "consentat")
	add(FieldConsentSource, "consentsource", "consentevidence", "evidence", "optinsource", "consenturl",
		"consentproof", "trustedformcerturl", "trustedformurl", "leadidtoken")
	add(FieldConsentScope, "consentscope")
	add(FieldConsentRevoked, "consentrevoked", "consentrevokedat", "consentwithdrawn", "consentwithdrawnat",
		"revokedat", "revocationdate", "optout", "optoutdate", "optedout")
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
	key := b.String()
	for len(key) > campaign.MaxCustomKeyLength {
		// Cut at a character boundary, so the key stays UTF-8.
		_, size := utf8.DecodeLastRuneInString(key)
		key = key[:len(key)-size]
	}
	return key
}

// SuggestMapping maps a header by name: the best ranked phone column (see
// phoneSynonyms) is the phone and every other phone column an alternate;
// each other column whose normalised name is a known synonym fills that
// field (the first such column wins); every other column is kept as a
// custom field named after its header.
func SuggestMapping(header []string) Mapping {
	m := make(Mapping, len(header))
	taken := map[Field]bool{}
	best, bestRank := -1, 0
	for i, h := range header {
		if r := phoneRank(normalizeHeader(h)); r >= 0 {
			m[i] = FieldAltPhone
			if best < 0 || r < bestRank {
				best, bestRank = i, r
			}
		}
	}
	if best >= 0 {
		m[best], taken[FieldPhone] = FieldPhone, true
	}
	for i, h := range header {
		if m[i] != "" {
			continue
		}
		if f, ok := synonyms[normalizeHeader(h)]; ok && !taken[f] {
			m[i], taken[f] = f, true
			continue
		}
		m[i] = uniqueCustom(h, i, taken)
	}
	return m
}

// uniqueCustom returns the custom field for column i, numbered when its
// key is taken, and marks it taken.
func uniqueCustom(h string, i int, taken map[Field]bool) Field {
	key := customKey(h, i)
	for n := 2; taken[Custom(key)]; n++ {
		key = fmt.Sprintf("%s_%d", customKey(h, i), n)
	}
	taken[Custom(key)] = true
	return Custom(key)
}

// applyColumns returns m with the columns named in cols (by normalised
// header name) set to their fields. A single-valued field taken from
// another column leaves that column an alternate phone (when it was the
// phone) or a custom field. An unknown name or field is ErrInvalidOptions.
func applyColumns(m Mapping, header []string, cols map[string]Field) (Mapping, error) {
	if len(cols) == 0 {
		return m, nil
	}
	m = slices.Clone(m)
	byName := map[string]int{}
	for i, h := range header {
		if _, dup := byName[normalizeHeader(h)]; !dup {
			byName[normalizeHeader(h)] = i
		}
	}
	names := slices.Sorted(maps.Keys(cols))
	set := map[int]bool{}
	for _, name := range names {
		f := cols[name]
		i, ok := byName[normalizeHeader(name)]
		if !ok {
			return nil, fmt.Errorf("%w: no column is named %q; the header has %s", ErrInvalidOptions, name, quoteList(header))
		}
		if _, custom := f.CustomKey(); !f.standard() && !custom {
			return nil, fmt.Errorf("%w: column %q maps to unknown field %q", ErrInvalidOptions, name, f)
		}
		m[i], set[i] = f, true
	}
	taken := map[Field]bool{}
	for i, f := range m {
		if set[i] {
			taken[f] = true
		}
	}
	for i, f := range m {
		if set[i] || f == FieldIgnore || f == FieldAltPhone {
			continue
		}
		if _, custom := f.CustomKey(); custom || !taken[f] {
			taken[f] = true
			continue
		}
		if f == FieldPhone {
			m[i] = FieldAltPhone
			continue
		}
		m[i] = uniqueCustom(header[i], i, taken)
	}
	return m, nil
}

// quoteList renders names as a quoted, comma-separated list.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
