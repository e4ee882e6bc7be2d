package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/suppression"
)

func TestImportMixedFile(t *testing.T) {
	e := newEnv(t, 3)
	c2, err := e.svc.CreateCampaign(e.ctx, e.admin, campaign.Campaign{Name: "Other", Client: "Initech"})
	require.NoError(t, err)
	_ = c2
	require.NoError(t, e.supp.Add(e.ctx, e.admin,
		suppression.Entry{List: suppression.Global(), Number: "+12125553142", Reason: "dnc_request"},
		suppression.Entry{List: suppression.Client("Globex"), Number: "+13125553143", Reason: "client"},
		suppression.Entry{List: suppression.Campaign(e.cmp.ID), Number: "+14155553144", Reason: "campaign"},
		suppression.Entry{List: suppression.Global(), Email: "gone@example.com", Reason: "email"},
	))
	// A BOM, semicolons, CRLF, a quoted newline, blank lines and every kind
	// of bad row.
	data := strings.Join([]string{
		"\uFEFFFirst Name;Last Name;Phone Number;E-mail;Favourite Colour",
		"Ada;Lovelace;(415) 555-2671;ada@example.com;blue",
		"Grace;Hopper;+1 415-555-2671;grace@example.com;red",
		"",
		"\"Alan\r\nMathison\";Turing;212 555 0199;alan@example.com;green",
		"Bad;Email;646-555-3890;not-an-email;x",
		"Nine;One;911;n@example.com;x",
		"Ragged;Row;646-555-3891",
		"Enc;\xff\xfe;646-555-3892;e@example.com;x",
		"Sup;Global;212-555-3142;s@example.com;x",
		"Sup;Client;312-555-3143;s@example.com;x",
		"Sup;Campaign;415-555-3144;s@example.com;x",
		"Sup;Email;646-555-3893;GONE@example.com;x",
		"=cmd;Formula;abc;f@example.com;=1+2",
		"Toll;Free;800-555-3894;t@example.com;x",
		";;;;",
		"Long;" + strings.Repeat("x", 201) + ";646-555-3895;l@example.com;x",
		"Last;Row;+1 (646) 555-3896;last@example.com;purple",
	}, "\r\n") + "\r\n"
	var rejects bytes.Buffer
	var progress []importer.Progress
	res := e.run(data, importer.Options{FileName: "mixed.csv", Rejects: &rejects, DuplicatePolicy: importer.DuplicateReject,
		Encoding: importer.EncodingUTF8, // a row that is not UTF-8 is rejected, not read as Windows-1252
		Progress: func(p importer.Progress) { progress = append(progress, p) }})

	c := res.Counts
	assert.Equal(t, 15, c.Rows, "blank lines and the header are not rows")
	assert.Equal(t, 3, c.Accepted)
	assert.Equal(t, 12, c.Rejected)
	assert.Equal(t, map[string]int{
		"duplicate_in_file": 1, "fictional_number": 1, "invalid_email": 1, "emergency_number": 1, "ragged_row": 1,
		"invalid_encoding": 1, "suppressed_global": 2, "suppressed_client": 1, "suppressed_campaign": 1,
		"unparseable_phone": 1, "field_too_long": 1,
	}, c.Reasons)
	assert.Equal(t, map[string]int{"no_geographic_zone": 1}, c.Warnings)
	assert.Equal(t, importer.StatusCompleted, res.Status)
	assert.Equal(t, "mixed.csv", res.FileName)
	require.NotEmpty(t, progress)
	assert.Equal(t, 15, progress[len(progress)-1].Rows)

	got := e.contacts(e.cmp.ID)
	require.Len(t, got, 3)
	phones := map[string]campaign.Contact{}
	for _, ct := range got {
		require.NoError(t, ct.Validate(), "every stored contact is valid")
		phones[ct.Phone] = ct
	}
	ada := phones["+14155552671"]
	assert.Equal(t, "Ada", ada.FirstName)
	assert.Equal(t, "blue", ada.Custom["favourite_colour"], "unmapped columns are custom fields")
	assert.Equal(t, campaign.ContactPending, ada.Status)
	assert.Equal(t, campaign.LaneNew, ada.Lane)
	assert.Equal(t, []string{"America/Los_Angeles"}, ada.Timezones)
	assert.Equal(t, "CA", ada.AreaCodeState)
	assert.Contains(t, phones, "+18005553894")
	assert.Contains(t, phones, "+16465553896")

	// The rejects file: the original header plus line, reason and detail,
	// formulas neutralised, in line order.
	recs, err := csv.NewReader(&rejects).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 13)
	assert.Equal(t, []string{"First Name", "Last Name", "Phone Number", "E-mail", "Favourite Colour", "line", "reason", "detail"}, recs[0])
	assert.Equal(t, []string{"Grace", "Hopper", "'+1 415-555-2671", "grace@example.com", "red", "3", "duplicate_in_file", ""}, recs[1])
	assert.Equal(t, []string{"Alan\nMathison", "Turing", "212 555 0199", "alan@example.com", "green", "5", "fictional_number", ""}, recs[2])
	assert.Equal(t, []string{"Ragged", "Row", "646-555-3891", "", "", "9", "ragged_row", ""}, recs[5])
	assert.Equal(t, "10", recs[6][len(recs[6])-3])
	assert.Equal(t, "invalid_encoding", recs[6][len(recs[6])-2])
	assert.Equal(t, []string{"'=cmd", "Formula", "abc", "f@example.com", "'=1+2", "15", "unparseable_phone", ""}, recs[11])
	assert.Equal(t, "suppressed_global", recs[10][len(recs[10])-2], "an email match names its scope")

	// The history lists it.
	hist, err := e.store.ListImports(e.ctx, e.admin.WorkspaceID, 10)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	assert.Equal(t, res.ID, hist[0].ID)
	assert.Equal(t, campaign.UserID("ada"), hist[0].ActorID)
	assert.Equal(t, c, hist[0].Counts)
	assert.Equal(t, importer.Mapping{importer.FieldFirstName, importer.FieldLastName, importer.FieldPhone, importer.FieldEmail, importer.Custom("favourite_colour")}, hist[0].Mapping)
}

func TestPreview(t *testing.T) {
	e := newEnv(t, 10)
	for _, d := range []string{",", ";", "\t", "|"} {
		data := strings.Join([]string{
			strings.Join([]string{"Phone Number", "fname", "Surname", "E-mail", "Notes", "Shoe size"}, d),
			strings.Join([]string{"415 555 2671", "Ada", "Lovelace", "ada@example.com", `"a` + d + ` b"`, "7"}, d),
			strings.Join([]string{"415 555 2672", "Alan", "Turing", "alan@example.com", "c", "9"}, d),
		}, "\n")
		p, err := e.im.Preview(e.ctx, strings.NewReader(data), importer.PreviewOptions{})
		require.NoError(t, err)
		assert.Equal(t, []rune(d)[0], p.Delimiter, "delimiter %q", d)
		assert.Equal(t, []string{"Phone Number", "fname", "Surname", "E-mail", "Notes", "Shoe size"}, p.Header)
		require.Len(t, p.Rows, 2)
		assert.Equal(t, "a"+d+" b", p.Rows[0][4])
		assert.Equal(t, importer.Mapping{importer.FieldPhone, importer.FieldFirstName, importer.FieldLastName, importer.FieldEmail,
			importer.FieldNotes, importer.Custom("shoe_size")}, p.Mapping, "delimiter %q", d)
		assert.Equal(t, importer.MappingSuggested, p.MappingFrom)
	}
	m := importer.SuggestMapping([]string{"primary_phone", "Mobile", "First Name", "Last", "Company Name", "Email Address", "Lead Source", "Tags", "State", ""})
	assert.Equal(t, importer.Mapping{importer.FieldPhone, importer.FieldAltPhone, importer.FieldFirstName, importer.FieldLastName,
		importer.FieldCompany, importer.FieldEmail, importer.FieldSource, importer.FieldTags, importer.FieldState, importer.Custom("column_10")}, m)
}

func TestMappingMemory(t *testing.T) {
	e := newEnv(t, 10)
	data := "Tel,Who,Colour\n415 555 2671,Ada,blue\n"
	p, err := e.im.Preview(e.ctx, strings.NewReader(data), importer.PreviewOptions{WorkspaceID: e.admin.WorkspaceID})
	require.NoError(t, err)
	assert.Equal(t, importer.MappingSuggested, p.MappingFrom)
	assert.Equal(t, importer.Mapping{importer.FieldPhone, importer.Custom("who"), importer.Custom("colour")}, p.Mapping)
	confirmed := importer.Mapping{importer.FieldPhone, importer.FieldFirstName, importer.FieldIgnore}
	e.run(data, importer.Options{Mapping: confirmed})
	// Next time, the same header (in any case) is offered the confirmed mapping.
	p, err = e.im.Preview(e.ctx, strings.NewReader("TEL,who,colour\n"), importer.PreviewOptions{WorkspaceID: e.admin.WorkspaceID})
	require.NoError(t, err)
	assert.Equal(t, importer.MappingRemembered, p.MappingFrom)
	assert.Equal(t, confirmed, p.Mapping)
	// And an import without a mapping uses it.
	res := e.run("Tel,Who,Colour\n415 555 2672,Alan,green\n", importer.Options{})
	assert.Equal(t, confirmed, res.Mapping)
	got := e.contacts(e.cmp.ID)
	require.Len(t, got, 2)
	for _, c := range got {
		assert.NotEmpty(t, c.FirstName)
		assert.Empty(t, c.Custom)
	}
}

func TestDuplicatesAcrossWorkspace(t *testing.T) {
	t.Run("policies", func(t *testing.T) {
		for _, tc := range []struct {
			policy   importer.DuplicatePolicy
			outcome  func(importer.Counts) int
			contacts int
		}{
			{importer.DuplicateReject, func(c importer.Counts) int { return c.Rejected }, 2},
			{importer.DuplicateSkip, func(c importer.Counts) int { return c.Skipped }, 2},
			{importer.DuplicateMerge, func(c importer.Counts) int { return c.Merged }, 2},
		} {
			t.Run(string(tc.policy), func(t *testing.T) {
				e := newEnv(t, 2)
				e.run("phone,first name,tags\n4155552671,Ada,a\n415-555-2672,Alan,b\n", importer.Options{})
				res := e.run("phone,first name,company,tags\n+1 (415) 555-2671,Augusta,Analytical,c\n14155552672,,Bletchley,d\n(415) 555-2671,,Third,e\n", importer.Options{DuplicatePolicy: tc.policy})
				assert.Equal(t, 3, tc.outcome(res.Counts), "%+v", res.Counts)
				assert.Equal(t, 0, res.Counts.Accepted)
				got := e.contacts(e.cmp.ID)
				require.Len(t, got, tc.contacts)
				if tc.policy == importer.DuplicateMerge {
					assert.Equal(t, map[string]int{"duplicate_in_workspace": 2, "duplicate_in_file": 1}, res.Counts.Reasons)
					byPhone := map[string]campaign.Contact{}
					for _, c := range got {
						byPhone[c.Phone] = c
					}
					ada := byPhone["+14155552671"]
					assert.Equal(t, "Ada", ada.FirstName, "a merge fills empty fields only")
					assert.Equal(t, "Analytical", ada.Company, "the first duplicate fills the empty company")
					assert.Equal(t, []string{"a", "c", "e"}, ada.Tags, "tags are added")
					alan := byPhone["+14155552672"]
					assert.Equal(t, "Alan", alan.FirstName, "empty values do not erase")
					assert.Equal(t, "Bletchley", alan.Company)
					assert.EqualValues(t, 2, alan.Version)
				}
			})
		}
	})
	t.Run("merge within one batch", func(t *testing.T) {
		e := newEnv(t, 100)
		res := e.run("phone,first name,company\n4155552671,Ada,\n415 555 2671,,Analytical\n", importer.Options{DuplicatePolicy: importer.DuplicateMerge})
		assert.Equal(t, 1, res.Counts.Accepted)
		assert.Equal(t, 1, res.Counts.Merged)
		got := e.contacts(e.cmp.ID)
		require.Len(t, got, 1)
		assert.Equal(t, "Ada", got[0].FirstName)
		assert.Equal(t, "Analytical", got[0].Company)
	})
	t.Run("dupe days window", func(t *testing.T) {
		e := newEnv(t, 10)
		other, err := e.svc.CreateCampaign(e.ctx, e.admin, campaign.Campaign{Name: "Other"})
		require.NoError(t, err)
		e.run("phone\n4155552671\n", importer.Options{CampaignID: other.ID})
		// Within 90 days, another campaign's contact is a duplicate.
		e.clock.Advance(89 * 24 * time.Hour)
		res := e.run("phone\n4155552671\n", importer.Options{})
		assert.Equal(t, map[string]int{"duplicate_in_workspace": 1}, res.Counts.Reasons)
		// After the window it is not.
		e.clock.Advance(2 * 24 * time.Hour)
		res = e.run("phone\n4155552671\n", importer.Options{})
		assert.Equal(t, 1, res.Counts.Accepted)
		// The same campaign always refuses it, whatever the age.
		e.clock.Advance(365 * 24 * time.Hour)
		res = e.run("phone\n4155552671\n", importer.Options{})
		assert.Equal(t, map[string]int{"duplicate_in_workspace": 1}, res.Counts.Reasons)
	})
	t.Run("dupe days off", func(t *testing.T) {
		e := newEnv(t, 10)
		other, err := e.svc.CreateCampaign(e.ctx, e.admin, campaign.Campaign{Name: "Other"})
		require.NoError(t, err)
		l, err := e.svc.PutList(e.ctx, e.admin, campaign.List{Name: "no window", CampaignID: e.cmp.ID, DupeDays: -1})
		require.NoError(t, err)
		e.run("phone\n4155552671\n", importer.Options{CampaignID: other.ID})
		res := e.run("phone\n4155552671\n", importer.Options{ListID: l.ID})
		assert.Equal(t, 1, res.Counts.Accepted, "-1 turns off the check across campaigns")
		res = e.run("phone\n4155552671\n", importer.Options{ListID: l.ID})
		assert.Equal(t, map[string]int{"duplicate_in_workspace": 1}, res.Counts.Reasons, "but not within the campaign")
		got := e.contacts(e.cmp.ID)
		require.Len(t, got, 1)
		assert.Equal(t, l.ID, got[0].ListID)
	})
	t.Run("contacts added outside the importer count", func(t *testing.T) {
		e := newEnv(t, 10)
		_, err := e.svc.AddContacts(e.ctx, e.admin, []campaign.Contact{{CampaignID: e.cmp.ID, Phone: "+14155552671"}})
		require.NoError(t, err)
		res := e.run("phone\n4155552671\n", importer.Options{})
		assert.Equal(t, map[string]int{"duplicate_in_workspace": 1}, res.Counts.Reasons)
	})
}

func TestValidationOptions(t *testing.T) {
	e := newEnv(t, 10)
	data := "phone,email,company,first name\n4155552671,bad@,Acme,Ada\n4155552672,ok@example.com,,Alan\n4155552673,,Initech,\n"
	res := e.run(data, importer.Options{KeepInvalidEmail: true, RequiredFields: []importer.Field{importer.FieldCompany}})
	assert.Equal(t, 2, res.Counts.Accepted)
	assert.Equal(t, map[string]int{"missing_required_field": 1}, res.Counts.Reasons)
	assert.Equal(t, map[string]int{"invalid_email": 1}, res.Counts.Warnings)

	_, err := e.im.Import(e.ctx, e.admin, strings.NewReader(data), importer.Options{CampaignID: e.cmp.ID, RequiredFields: []importer.Field{importer.FieldState}})
	require.ErrorIs(t, err, importer.ErrInvalidOptions, "a required field must be mapped")
	_, err = e.im.Import(e.ctx, e.admin, strings.NewReader("name,email\nAda,a@example.com\n"), importer.Options{CampaignID: e.cmp.ID})
	require.ErrorIs(t, err, importer.ErrInvalidOptions, "no phone column")
}

func TestRolesAndErrors(t *testing.T) {
	e := newEnv(t, 10)
	_, err := e.svc.PutMember(e.ctx, e.admin, campaign.Member{UserID: "vic", Role: campaign.RoleViewer})
	require.NoError(t, err)
	viewer := campaign.Actor{WorkspaceID: e.admin.WorkspaceID, UserID: "vic"}
	_, err = e.im.Import(e.ctx, viewer, strings.NewReader("phone\n4155552671\n"), importer.Options{CampaignID: e.cmp.ID})
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = e.im.AddExisting(e.ctx, viewer, importer.AddOptions{CampaignID: e.cmp.ID})
	require.ErrorIs(t, err, campaign.ErrForbidden)

	for name, in := range map[string]string{"empty": "", "spaces": " \n\n", "binary": "phone\x00\x01\x02\n"} {
		_, err = e.im.Import(e.ctx, e.admin, strings.NewReader(in), importer.Options{CampaignID: e.cmp.ID})
		require.ErrorIs(t, err, importer.ErrNotCSV, name)
	}
	small, err := importer.New(importer.Config{Campaigns: e.svc, Store: e.store, Contacts: e.store, Suppression: e.supp, MaxBytes: 100_000})
	require.NoError(t, err)
	big := "phone\n" + strings.Repeat("4155552671\n", 10_000)
	_, err = small.Import(e.ctx, e.admin, strings.NewReader(big), importer.Options{CampaignID: e.cmp.ID})
	require.ErrorIs(t, err, importer.ErrTooLarge, "known size")
	hist, err := e.store.ListImports(e.ctx, e.admin.WorkspaceID, 10)
	require.NoError(t, err)
	require.Empty(t, hist, "refused before any row")
	res, err := small.Import(e.ctx, e.admin, onlyReader{strings.NewReader(big)}, importer.Options{CampaignID: e.cmp.ID})
	require.ErrorIs(t, err, importer.ErrTooLarge, "streamed")
	assert.Equal(t, importer.StatusFailed, res.Status)
	assert.True(t, res.Counts.Consistent())
	assert.Positive(t, res.Counts.Rows, "rows before the limit are accounted for")

	_, err = importer.New(importer.Config{})
	require.ErrorIs(t, err, importer.ErrInvalidConfig)
	_, err = e.store.GetImport(e.ctx, e.admin.WorkspaceID, "imp_nope")
	require.ErrorIs(t, err, importer.ErrNotFound)
	require.ErrorIs(t, err, campaign.ErrNotFound)
}

type onlyReader struct{ r *strings.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestCancel(t *testing.T) {
	e := newEnv(t, 10)
	var b strings.Builder
	b.WriteString("phone\n")
	for i := range 500 {
		b.WriteString("415555" + pad4(i) + "\n")
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	batches := 0
	res, err := e.im.Import(ctx, e.admin, strings.NewReader(b.String()), importer.Options{CampaignID: e.cmp.ID,
		Progress: func(importer.Progress) {
			batches++
			if batches == 3 {
				cancel()
			}
		}})
	require.ErrorIs(t, err, importer.ErrCancelled)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, importer.StatusCancelled, res.Status)
	assert.True(t, res.Counts.Consistent())
	assert.Equal(t, 30, res.Counts.Accepted, "the rows written before the cancel")
	// The reader runs ahead of the writer, so some rows may have been read
	// when the cancel lands (how many depends on scheduling): each is
	// counted, as import_stopped.
	require.GreaterOrEqual(t, res.Counts.Rows, 30)
	if stopped := res.Counts.Rows - 30; stopped > 0 {
		assert.Equal(t, map[string]int{"import_stopped": stopped}, res.Counts.Reasons, "the rows read after it are counted too")
	} else {
		assert.Empty(t, res.Counts.Reasons)
	}
	assert.Len(t, e.contacts(e.cmp.ID), res.Counts.Accepted, "the store holds exactly the accepted rows")
	h, err := e.store.GetImport(e.ctx, e.admin.WorkspaceID, res.ID)
	require.NoError(t, err)
	assert.Equal(t, importer.StatusCancelled, h.Status)
	assert.Equal(t, res.Counts, h.Counts)
}

func pad4(i int) string {
	s := "0000" + itoa(i)
	return s[len(s)-4:]
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestAddExisting(t *testing.T) {
	e := newEnv(t, 2)
	src, err := e.svc.CreateCampaign(e.ctx, e.admin, campaign.Campaign{Name: "Source"})
	require.NoError(t, err)
	e.run("phone,tags,source\n4155552671 ext 12,vip,web\n4155552672,vip,fair\n4155552673,vip,web\n4155552674,,web\n2125553142,vip,web\n", importer.Options{CampaignID: src.ID})
	require.NoError(t, e.supp.Add(e.ctx, e.admin, suppression.Entry{List: suppression.Campaign(e.cmp.ID), Number: "+12125553142"}))
	// One is already in the target campaign.
	l, err := e.svc.PutList(e.ctx, e.admin, campaign.List{Name: "no window", CampaignID: e.cmp.ID, DupeDays: -1})
	require.NoError(t, err)
	e.run("phone\n4155552673\n", importer.Options{ListID: l.ID})
	res, err := e.im.AddExisting(e.ctx, e.admin, importer.AddOptions{CampaignID: e.cmp.ID,
		Select: importer.Selection{Tags: []string{"vip"}, Source: "web"}, DuplicatePolicy: importer.DuplicateReject})
	require.NoError(t, err)
	assert.True(t, res.Counts.Consistent())
	assert.Equal(t, 3, res.Counts.Rows)
	assert.Equal(t, 1, res.Counts.Accepted)
	assert.Equal(t, map[string]int{"duplicate_in_workspace": 1, "suppressed_campaign": 1}, res.Counts.Reasons)
	got := e.contacts(e.cmp.ID)
	assert.Len(t, got, 2)
	assert.Equal(t, "12", byPhone(got)["+14155552671"].Extension, "the extension goes with the copy")
	assert.Len(t, e.contacts(src.ID), 5, "the source contacts stay")
}

func TestProgressAndHistory(t *testing.T) {
	e := newEnv(t, 10)
	for i := range 3 {
		e.clock.Advance(time.Minute)
		e.run("phone\n415555267"+itoa(i)+"\n", importer.Options{FileName: "f" + itoa(i) + ".csv"})
	}
	hist, err := e.store.ListImports(e.ctx, e.admin.WorkspaceID, 2)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, "f2.csv", hist[0].FileName, "newest first")
	assert.Equal(t, "f1.csv", hist[1].FileName)
	other := newEnv(t, 10)
	hist, err = e.store.ListImports(e.ctx, other.admin.WorkspaceID, 10)
	require.NoError(t, err)
	assert.Empty(t, hist)
	_ = errors.New
}
