package importer_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
)

// The fixtures below are written the way the tools write them, with the
// standard library only (not with golang.org/x/text, which the importer
// reads them with).

// utf16File encodes s as UTF-16 with a BOM, as Excel's "Unicode Text"
// (little-endian) and other tools (big-endian) save.
func utf16File(s string, order binary.AppendByteOrder, bom bool) []byte {
	var out []byte
	if bom {
		out = order.AppendUint16(out, 0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

// cp1252 encodes s as Windows-1252 (the characters the fixtures use).
func cp1252(t *testing.T, s string) []byte {
	table := map[rune]byte{'é': 0xE9, 'è': 0xE8, 'ü': 0xFC, 'ñ': 0xF1, 'ç': 0xE7, '“': 0x93, '”': 0x94, '’': 0x92, '€': 0x80, 'Ø': 0xD8}
	var out []byte
	for _, r := range s {
		switch b, ok := table[r]; {
		case r < 0x80:
			out = append(out, byte(r))
		case ok:
			out = append(out, b)
		default:
			t.Fatalf("no Windows-1252 byte for %q", r)
		}
	}
	return out
}

func byPhone(cs []campaign.Contact) map[string]campaign.Contact {
	m := map[string]campaign.Contact{}
	for _, c := range cs {
		m[c.Phone] = c
	}
	return m
}

func (e *env) runBytes(data []byte, opts importer.Options) importer.Result {
	e.t.Helper()
	if opts.CampaignID == "" {
		opts.CampaignID = e.cmp.ID
	}
	res, err := e.im.Import(e.ctx, e.admin, bytes.NewReader(data), opts)
	require.NoError(e.t, err)
	require.True(e.t, res.Counts.Consistent(), "%+v", res.Counts)
	return res
}

// TestUnbalancedQuote is the file: Bob's unbalanced quote costs
// Bob's row only, the rejects file names its line, and nobody gets
// another row's number.
func TestUnbalancedQuote(t *testing.T) {
	e := newEnv(t, 2)
	data := "First Name,Last Name,Phone,Email\n" +
		"Ada,Lovelace,(212) 279-0146,ada@example.com\n" +
		"Bob,\"Smith, Jr,(212) 279-0147,bob@example.com\n" +
		"Cy,Young,(212) 279-0148,cy@example.com\n" +
		"Di,\"Prince, Jr\",(212) 279-0149,di@example.com\n" +
		"Ed,Wood,(212) 279-0150,ed@example.com\n"
	var rejects bytes.Buffer
	res := e.run(data, importer.Options{Rejects: &rejects})
	assert.Equal(t, 5, res.Counts.Rows)
	assert.Equal(t, 4, res.Counts.Accepted)
	assert.Equal(t, map[string]int{importer.ReasonMalformedQuotes: 1}, res.Counts.Reasons)
	got := byPhone(e.contacts(e.cmp.ID))
	assert.Equal(t, "Cy", got["+12122790148"].FirstName)
	assert.Equal(t, "Di", got["+12122790149"].FirstName)
	assert.Equal(t, "Prince, Jr", got["+12122790149"].LastName)
	assert.NotContains(t, got, "+12122790147")
	recs, err := csv.NewReader(&rejects).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, []string{"Bob", "\"Smith", " Jr", "(212) 279-0147,bob@example.com", "3", "malformed_quotes", ""}, recs[1])
}

func TestUnclosedQuote(t *testing.T) {
	e := newEnv(t, 2)
	res := e.run("phone,name,notes\n2122790146,Ada,\"never closed\n2122790147,Bob,x\n2122790148,Cy,\"multi\nline\"\n", importer.Options{})
	assert.Equal(t, 3, res.Counts.Rows)
	assert.Equal(t, 2, res.Counts.Accepted, "only the row that opens the quote is lost")
	got := byPhone(e.contacts(e.cmp.ID))
	assert.Equal(t, "multi\nline", got["+12122790148"].Notes, "a quoted newline still works")
}

// TestExcelUnicodeText: Excel's "Unicode Text" is UTF-16LE with a BOM,
// tab-separated, CRLF between rows, LF inside quoted cells.
func TestExcelUnicodeText(t *testing.T) {
	e := newEnv(t, 10)
	text := "First Name\tLast Name\tPhone\tNotes\r\n" +
		"José\tMüller\t(617) 392-0177 ext 12\t\"Line one\nLine two 😀\"\r\n" +
		"Zoë\tÅngström\t617-392-0178\tplain\r\n"
	for name, data := range map[string][]byte{
		"utf-16le":             utf16File(text, binary.LittleEndian, true),
		"utf-16be":             utf16File(text, binary.BigEndian, true),
		"utf-16le without BOM": utf16File(text, binary.LittleEndian, false),
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, 10)
			p, err := e.im.Preview(e.ctx, bytes.NewReader(data), importer.PreviewOptions{})
			require.NoError(t, err)
			assert.Equal(t, '\t', p.Delimiter)
			assert.Equal(t, []string{"First Name", "Last Name", "Phone", "Notes"}, p.Header)
			res := e.runBytes(data, importer.Options{})
			assert.Equal(t, 2, res.Counts.Accepted, "%+v", res.Counts)
			got := byPhone(e.contacts(e.cmp.ID))
			jose := got["+16173920177"]
			assert.Equal(t, "José", jose.FirstName)
			assert.Equal(t, "Müller", jose.LastName)
			assert.Equal(t, "12", jose.Extension, "the extension is kept")
			assert.Equal(t, "Line one\nLine two 😀", jose.Notes)
			assert.Equal(t, "Ångström", got["+16173920178"].LastName)
		})
	}
	// Forcing UTF-8 on a UTF-16 file is refused as binary.
	_, err := e.im.Import(e.ctx, e.admin, bytes.NewReader(utf16File(text, binary.LittleEndian, true)),
		importer.Options{CampaignID: e.cmp.ID, Encoding: importer.EncodingUTF8})
	require.ErrorIs(t, err, importer.ErrNotCSV)
}

// TestOldMacExcel: Excel 2011 for Mac's "CSV (Macintosh)" ends lines with
// CR alone, in Mac Roman; ASCII here.
func TestOldMacExcel(t *testing.T) {
	e := newEnv(t, 2)
	res := e.run("First Name,Phone\rAda,2122790146\rBob,2122790147\r\"Cy\rJr\",2122790148\r", importer.Options{})
	assert.Equal(t, 3, res.Counts.Rows)
	assert.Equal(t, 3, res.Counts.Accepted)
	assert.Equal(t, "Cy\rJr", byPhone(e.contacts(e.cmp.ID))["+12122790148"].FirstName)
	// Mixed line ends in one file.
	e = newEnv(t, 2)
	res = e.run("phone,name\r\n2122790146,a\n2122790147,b\r2122790148,c\r\n\r\n2122790149,d", importer.Options{})
	assert.Equal(t, 4, res.Counts.Accepted)
}

func TestWindows1252(t *testing.T) {
	data := cp1252(t, "Name,Phone,Notes\r\nRenée Dubé,2122790146,“quoted” €5\r\nFrançois Müller,2122790147,it’s\r\nPlain Ascii,2122790148,x\r\n")
	t.Run("auto", func(t *testing.T) {
		e := newEnv(t, 10)
		p, err := e.im.Preview(e.ctx, bytes.NewReader(data), importer.PreviewOptions{})
		require.NoError(t, err)
		assert.Equal(t, importer.EncodingWindows1252, p.Encoding)
		res := e.runBytes(data, importer.Options{})
		assert.Equal(t, 3, res.Counts.Accepted)
		assert.Equal(t, map[string]int{importer.WarningDecodedWindows1252: 2}, res.Counts.Warnings, "rows with bytes to decode")
		got := byPhone(e.contacts(e.cmp.ID))
		assert.Equal(t, "Renée", got["+12122790146"].FirstName)
		assert.Equal(t, "Dubé", got["+12122790146"].LastName)
		assert.Equal(t, "“quoted” €5", got["+12122790146"].Notes)
		assert.Equal(t, "it’s", got["+12122790147"].Notes)
	})
	t.Run("forced", func(t *testing.T) {
		e := newEnv(t, 10)
		res := e.runBytes(data, importer.Options{Encoding: importer.EncodingWindows1252})
		assert.Equal(t, 3, res.Counts.Accepted)
		e = newEnv(t, 10)
		res = e.runBytes(data, importer.Options{Encoding: importer.EncodingUTF8})
		assert.Equal(t, map[string]int{importer.ReasonInvalidEncoding: 2}, res.Counts.Reasons, "forced UTF-8 rejects them")
	})
	t.Run("late in a UTF-8 file", func(t *testing.T) {
		e := newEnv(t, 10)
		var b bytes.Buffer
		b.WriteString("name,phone\n")
		for i := range 3000 { // past the 64 KiB the encoding is chosen from
			fmt.Fprintf(&b, "Person Number %04d With A Long Name,2122%06d\n", i, 790000+i)
		}
		b.Write(cp1252(t, "Renée,2122799999\n"))
		res := e.runBytes(b.Bytes(), importer.Options{})
		assert.Equal(t, 3001, res.Counts.Accepted)
		assert.Equal(t, map[string]int{importer.WarningDecodedWindows1252: 1}, res.Counts.Warnings)
		assert.Equal(t, "Renée", byPhone(e.contacts(e.cmp.ID))["+12122799999"].FirstName)
	})
	t.Run("unknown encoding", func(t *testing.T) {
		e := newEnv(t, 10)
		_, err := e.im.Import(e.ctx, e.admin, bytes.NewReader(data), importer.Options{CampaignID: e.cmp.ID, Encoding: "ebcdic"})
		require.ErrorIs(t, err, importer.ErrInvalidOptions)
	})
}

func campaignFor(e *env, name string) campaign.ID {
	e.t.Helper()
	c, err := e.svc.CreateCampaign(e.ctx, e.admin, campaign.Campaign{Name: name})
	require.NoError(e.t, err)
	return c.ID
}

// TestExcelSepAndTitles: Excel honours a "sep=;" first line; reports put
// a title and a blank line above the header.
func TestExcelSepAndTitles(t *testing.T) {
	e := newEnv(t, 10)
	var rejects bytes.Buffer
	data := "sep=;\r\nName;Phone;Email\r\nAda, Countess;2122790146;ada@example.com\r\nBad;911;b@example.com\r\n"
	p, err := e.im.Preview(e.ctx, strings.NewReader(data), importer.PreviewOptions{})
	require.NoError(t, err)
	assert.Equal(t, ';', p.Delimiter)
	assert.Equal(t, 2, p.HeaderLine)
	res := e.run(data, importer.Options{Rejects: &rejects})
	assert.Equal(t, 2, res.Counts.Rows)
	assert.Equal(t, 1, res.Counts.Accepted)
	assert.Contains(t, rejects.String(), "Bad,911,b@example.com,4,emergency_number", "lines are the file's own")

	e = newEnv(t, 10)
	data = "Contacts export,,,\nGenerated 2026-12-01 by HubSpot,,,\n,,,\nFirst Name,Last Name,Phone Number,Mobile Phone Number\nAda,Lovelace,,(212) 279-0146\nBob,Brown,(212) 279-0147,(212) 279-0148\n"
	p, err = e.im.Preview(e.ctx, strings.NewReader(data), importer.PreviewOptions{})
	require.NoError(t, err)
	assert.Equal(t, 4, p.HeaderLine)
	assert.Equal(t, []string{"First Name", "Last Name", "Phone Number", "Mobile Phone Number"}, p.Header)
	assert.Equal(t, importer.Mapping{importer.FieldFirstName, importer.FieldLastName, importer.FieldPhone, importer.FieldAltPhone}, p.Mapping)
	res = e.run(data, importer.Options{})
	assert.Equal(t, 2, res.Counts.Rows)
	assert.Equal(t, 2, res.Counts.Accepted)
	got := byPhone(e.contacts(e.cmp.ID))
	assert.Equal(t, "Ada", got["+12122790146"].FirstName, "an empty phone takes the mobile")
	assert.Equal(t, []string{"+12122790148"}, got["+12122790147"].AltPhones)

	// A data cell that reads like a phone header does not make its row
	// the header.
	e = newEnv(t, 10)
	data = "Name,Kind,Digits\nAda,Mobile,2122790146\nBob,Work,2122790147\n"
	p, err = e.im.Preview(e.ctx, strings.NewReader(data), importer.PreviewOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, p.HeaderLine)
	res = e.run(data, importer.Options{Columns: map[string]importer.Field{"Digits": importer.FieldPhone}})
	assert.Equal(t, 2, res.Counts.Accepted)

	// A title line without delimiters.
	e = newEnv(t, 10)
	res = e.run("My leads\n\nphone;name\n2122790146;Ada\n", importer.Options{})
	assert.Equal(t, 1, res.Counts.Accepted)
}

// TestCRMExports maps the headers of real exports without help.
func TestCRMExports(t *testing.T) {
	for name, tc := range map[string]struct {
		data  string
		phone string
		first string
		email string
		state string
		alts  []string
	}{
		// Outlook quotes every cell; phones: Business, Home, Mobile.
		"outlook": {
			data: `"First Name","Middle Name","Last Name","Company","E-mail Address","Business Phone","Business Phone 2","Home Phone","Mobile Phone","Business State","Notes","Categories"` + "\r\n" +
				`"Ada","","Lovelace","Analytical","ada@example.com","(212) 279-0146","","(212) 279-0147","(212) 279-0148","NY","Met at ""the"" expo` + "\r\n" + `second line","VIP;East"` + "\r\n",
			// The mobile is the phone; business, then home, are alternates.
			phone: "+12122790148", first: "Ada", email: "ada@example.com", state: "NY", alts: []string{"+12122790146", "+12122790147"},
		},
		"google contacts": {
			data: "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Organization 1 - Name,Address 1 - Region,Notes\n" +
				"Ada Lovelace,Ada,Lovelace,* Home,ada@example.com,Mobile,+1 212-279-0146 ::: +1 212-279-0147,Work,(212) 279-0148,Analytical,NY,\"multi\nline\"\n",
			first: "Ada", email: "ada@example.com", state: "NY", alts: []string{"+12122790147", "+12122790148"},
		},
		"salesforce": {
			data:  "First Name,Last Name,Account Name,Email,Phone,Mobile,Home Phone,Other Phone,Mailing State/Province,Lead Source\nAda,Lovelace,Analytical,ada@example.com,(212) 279-0146,(212) 279-0147,,(212) 279-0148,NY,Web\n",
			first: "Ada", email: "ada@example.com", state: "NY", alts: []string{"+12122790147", "+12122790148"},
		},
		"pipedrive": {
			data:  "Person - Name,Person - Phone,Person - Email,Organization - Name\nAda Lovelace,212-279-0146,ada@example.com,Analytical\n",
			first: "Ada", email: "ada@example.com",
		},
		"hubspot": {
			data:  "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,State/Region,Company Name,Original Source\n1,Ada,Lovelace,ada@example.com,212-279-0146,212-279-0147,NY,Analytical,Offline\n",
			first: "Ada", email: "ada@example.com", state: "NY", alts: []string{"+12122790147"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, 10)
			res := e.run(tc.data, importer.Options{})
			require.Equal(t, 1, res.Counts.Accepted, "%+v mapping %v", res.Counts, res.Mapping)
			c := e.contacts(e.cmp.ID)[0]
			if tc.phone == "" {
				tc.phone = "+12122790146"
			}
			assert.Equal(t, tc.phone, c.Phone)
			assert.Equal(t, tc.first, c.FirstName)
			assert.Equal(t, tc.email, c.Email)
			assert.Equal(t, tc.state, c.State)
			assert.Equal(t, tc.alts, c.AltPhones)
			assert.Equal(t, "Lovelace", c.LastName)
		})
	}
}

func TestColumnsAndMissingPhone(t *testing.T) {
	e := newEnv(t, 10)
	data := "Who,Digits,Cell\nAda,2122790146,2122790147\n"
	res := e.run(data, importer.Options{Columns: map[string]importer.Field{"Who": importer.FieldFullName, "DIGITS": importer.FieldPhone}})
	assert.Equal(t, importer.Mapping{importer.FieldFullName, importer.FieldPhone, importer.FieldAltPhone}, res.Mapping)
	c := e.contacts(e.cmp.ID)[0]
	assert.Equal(t, "+12122790146", c.Phone)
	assert.Equal(t, []string{"+12122790147"}, c.AltPhones)

	// A column that takes the phone leaves the old phone an alternate.
	e = newEnv(t, 10)
	res = e.run("Phone,Direct\n2122790146,2122790147\n", importer.Options{Columns: map[string]importer.Field{"Direct": importer.FieldPhone}})
	assert.Equal(t, importer.Mapping{importer.FieldAltPhone, importer.FieldPhone}, res.Mapping)

	_, err := e.im.Import(e.ctx, e.admin, strings.NewReader("Who,Digits\nAda,1\n"), importer.Options{CampaignID: e.cmp.ID})
	require.ErrorIs(t, err, importer.ErrInvalidOptions)
	assert.ErrorContains(t, err, `the header has "Who", "Digits"`)
	_, err = e.im.Import(e.ctx, e.admin, strings.NewReader(data), importer.Options{CampaignID: e.cmp.ID, Columns: map[string]importer.Field{"Nope": importer.FieldPhone}})
	require.ErrorIs(t, err, importer.ErrInvalidOptions)
	_, err = e.im.Import(e.ctx, e.admin, strings.NewReader(data), importer.Options{CampaignID: e.cmp.ID, Columns: map[string]importer.Field{"Who": "shoe"}})
	require.ErrorIs(t, err, importer.ErrInvalidOptions)
}

func TestFieldsEmailExtension(t *testing.T) {
	e := newEnv(t, 10)
	data := "phone,email,ext\n" +
		"(617) 392-0170 ext 12,a@example.com,\n" +
		"617-392-0171,b@example.com,345\n" +
		"617-392-0172 x 9,bob@example,\n" +
		"617-392-0173,,12345678901234567\n" +
		"617-392-0174,,\n"
	res := e.run(data, importer.Options{})
	assert.Equal(t, map[string]int{importer.ReasonInvalidEmail: 1}, res.Counts.Reasons, "bob@example has no domain")
	assert.Equal(t, map[string]int{importer.WarningInvalidExtension: 1}, res.Counts.Warnings)
	got := byPhone(e.contacts(e.cmp.ID))
	assert.Equal(t, "12", got["+16173920170"].Extension)
	assert.Equal(t, "345", got["+16173920171"].Extension)
	assert.Empty(t, got["+16173920173"].Extension)
	assert.Empty(t, got["+16173920174"].Extension)
}

func TestMergeAndDuplicatesOut(t *testing.T) {
	e := newEnv(t, 2)
	e.run("phone,first name,company,email,ext\n2122790146,Ada,,,\n2122790147,Bob,Old,bob@example.com,\n", importer.Options{})
	data := "phone,first name,company,email,ext\n2122790146,Augusta,Analytical,ada@example.com,7\n2122790147,Robert,New,,\n2122790147,Bobby,Newer,,\n"
	var dupes bytes.Buffer
	res := e.run(data, importer.Options{DuplicatePolicy: importer.DuplicateMerge, Duplicates: &dupes})
	assert.Equal(t, 3, res.Counts.Merged)
	got := byPhone(e.contacts(e.cmp.ID))
	assert.Equal(t, "Ada", got["+12122790146"].FirstName, "a name is kept")
	assert.Equal(t, "Analytical", got["+12122790146"].Company, "an empty field is filled")
	assert.Equal(t, "ada@example.com", got["+12122790146"].Email)
	assert.Equal(t, "7", got["+12122790146"].Extension)
	assert.Equal(t, "Bob", got["+12122790147"].FirstName)
	assert.Equal(t, "Old", got["+12122790147"].Company)
	recs, err := csv.NewReader(&dupes).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"phone", "first name", "company", "email", "ext", "line", "outcome", "reason"},
		{"2122790146", "Augusta", "Analytical", "ada@example.com", "7", "2", "merged", "duplicate_in_workspace"},
		{"2122790147", "Robert", "New", "", "", "3", "merged", "duplicate_in_workspace"},
		{"2122790147", "Bobby", "Newer", "", "", "4", "merged", "duplicate_in_file"},
	}, recs)

	res = e.run(data, importer.Options{DuplicatePolicy: importer.DuplicateMerge, MergeOverwrite: true})
	assert.Equal(t, 3, res.Counts.Merged)
	got = byPhone(e.contacts(e.cmp.ID))
	assert.Equal(t, "Augusta", got["+12122790146"].FirstName, "overwrite replaces")
	assert.Equal(t, "Bobby", got["+12122790147"].FirstName, "the last duplicate wins")
	assert.Equal(t, "bob@example.com", got["+12122790147"].Email, "an empty value never erases")

	dupes.Reset()
	res = e.run(data, importer.Options{DuplicatePolicy: importer.DuplicateSkip, Duplicates: &dupes})
	assert.Equal(t, 3, res.Counts.Skipped)
	assert.Equal(t, 4, strings.Count(dupes.String(), "\n"), "skipped rows are written out")
	assert.Contains(t, dupes.String(), ",skipped,duplicate_in_workspace")
}

// failingContacts fails InsertContacts from the nth call on.
type failingContacts struct {
	campaign.Store
	calls, failAt int
}

var errDisk = errors.New("disk full")

func (f *failingContacts) InsertContacts(ctx context.Context, ws campaign.WorkspaceID, cs []campaign.Contact, a campaign.AuditEntry) error {
	f.calls++
	if f.calls >= f.failAt {
		return errDisk
	}
	return f.Store.InsertContacts(ctx, ws, cs, a)
}

// TestEveryRowReadIsCounted: whatever stops the import, the rows read are
// in the result and the history; those not written are import_stopped
// and in the rejects file.
func TestEveryRowReadIsCounted(t *testing.T) {
	var b strings.Builder
	b.WriteString("phone,name\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "212%07d,Person %d\n", 2790000+i, i)
	}
	data := b.String()

	t.Run("size limit", func(t *testing.T) {
		e := newEnv(t, 100)
		const limit = 100_000
		small, err := importer.New(importer.Config{Campaigns: e.svc, Store: e.store, Contacts: e.store, Suppression: e.supp,
			Clock: e.clock.Now, BatchSize: 100, MaxBytes: limit})
		require.NoError(t, err)
		res, err := small.Import(e.ctx, e.admin, onlyReader{strings.NewReader(data)}, importer.Options{CampaignID: e.cmp.ID})
		require.ErrorIs(t, err, importer.ErrTooLarge)
		read := strings.Count(data[:limit], "\n") - 1 // complete lines within the limit, less the header
		assert.Equal(t, read, res.Counts.Rows, "every row read before the limit")
		assert.Equal(t, read, res.Counts.Accepted, "and written")
		assert.Len(t, e.contacts(e.cmp.ID), read)
		h, err := e.store.GetImport(e.ctx, e.admin.WorkspaceID, res.ID)
		require.NoError(t, err)
		assert.Equal(t, importer.StatusFailed, h.Status)
		assert.Equal(t, res.Counts, h.Counts)

		// A limit under the 64 KiB sample: the rows within it still count.
		tiny, err := importer.New(importer.Config{Campaigns: e.svc, Store: e.store, Contacts: e.store, Suppression: e.supp,
			Clock: e.clock.Now, BatchSize: 100, MaxBytes: 1000})
		require.NoError(t, err)
		res, err = tiny.Import(e.ctx, e.admin, onlyReader{strings.NewReader(data)}, importer.Options{CampaignID: campaignFor(e, "tiny")})
		require.ErrorIs(t, err, importer.ErrTooLarge)
		assert.Equal(t, strings.Count(data[:1000], "\n")-1, res.Counts.Rows)
	})
	t.Run("store error", func(t *testing.T) {
		e := newEnv(t, 100)
		fc := &failingContacts{Store: e.store, failAt: 4}
		im, err := importer.New(importer.Config{Campaigns: e.svc, Store: e.store, Contacts: fc, Suppression: e.supp, Clock: e.clock.Now, BatchSize: 100})
		require.NoError(t, err)
		var rejects bytes.Buffer
		res, err := im.Import(e.ctx, e.admin, onlyReader{strings.NewReader(data)}, importer.Options{CampaignID: e.cmp.ID, Rejects: &rejects})
		require.ErrorIs(t, err, errDisk)
		assert.True(t, res.Counts.Consistent())
		assert.Equal(t, 300, res.Counts.Accepted, "three batches written")
		assert.Len(t, e.contacts(e.cmp.ID), 300)
		stopped := res.Counts.Reasons[importer.ReasonImportStopped]
		assert.GreaterOrEqual(t, stopped, 100, "the failed batch's rows at least")
		assert.Equal(t, res.Counts.Rows, 300+stopped)
		recs, err := csv.NewReader(&rejects).ReadAll()
		require.NoError(t, err)
		assert.Len(t, recs, 1+stopped, "the stopped rows can be imported again from the rejects file")
		assert.Equal(t, "302", recs[1][2], "the first row not written (row 301, on line 302)")
		h, err := e.store.GetImport(e.ctx, e.admin.WorkspaceID, res.ID)
		require.NoError(t, err)
		assert.Equal(t, importer.StatusFailed, h.Status)
		assert.Equal(t, res.Counts, h.Counts)
	})
}

var _ io.Reader = onlyReader{}

// TestContactBounds: what a file holds never makes a contact the stores
// refuse (campaign's bounds): long non-ASCII headers make valid keys, a
// row with more alternates than a contact holds keeps the first ten.
func TestContactBounds(t *testing.T) {
	m := importer.SuggestMapping([]string{"phone", strings.Repeat("é", 40)})
	key, ok := m[1].CustomKey()
	require.True(t, ok)
	assert.True(t, utf8.ValidString(key), "%q", key)
	assert.LessOrEqual(t, len(key), campaign.MaxCustomKeyLength)

	e := newEnv(t, 10)
	var h, r []string
	mapping := importer.Mapping{importer.FieldPhone}
	for i := range 13 {
		h = append(h, fmt.Sprintf("Number %d", i+1))
		r = append(r, fmt.Sprintf("212279%04d", 100+i))
		if i > 0 {
			mapping = append(mapping, importer.FieldAltPhone)
		}
	}
	res := e.run(strings.Join(h, ",")+"\n"+strings.Join(r, ",")+"\n", importer.Options{Mapping: mapping})
	require.Equal(t, 1, res.Counts.Accepted, "%+v", res.Counts)
	assert.Equal(t, map[string]int{importer.WarningInvalidAltPhone: 1}, res.Counts.Warnings)
	c := e.contacts(e.cmp.ID)[0]
	require.NoError(t, c.Validate())
	assert.Len(t, c.AltPhones, campaign.MaxAltPhones)
}

// TestFullStateName: a state name longer than any code is normalised
// before the length checks.
func TestFullStateName(t *testing.T) {
	e := newEnv(t, 10)
	res := e.run("phone,Mailing State/Province\n2122790146,new hampshire\n2122790147,District of Columbia\n", importer.Options{})
	require.Equal(t, 2, res.Counts.Accepted, "%+v", res.Counts)
	got := byPhone(e.contacts(e.cmp.ID))
	assert.Equal(t, "NH", got["+12122790146"].State)
	assert.Equal(t, "DC", got["+12122790147"].State)
}
