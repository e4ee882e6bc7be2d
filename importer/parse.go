package importer

import (
	"context"
	"errors"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
)

// Field length limits, in bytes, as campaign.Contact.Validate counts them.
const (
	maxEmailLength  = campaign.MaxEmailLength
	maxSourceLength = campaign.MaxNameLength
	maxCustomLength = 1000 // for custom fields the workspace does not declare
)

// warning bits of a row.
const (
	warnNoZone uint8 = 1 << iota
	warnMultiZone
	warnInvalidEmail
	warnInvalidAlt
	warnCP1252
	warnInvalidExt
)

var warningCodes = []string{WarningNoGeographicZone, WarningMultipleTimezones, WarningInvalidEmail, WarningInvalidAltPhone,
	WarningDecodedWindows1252, WarningInvalidExtension}

// row is one data row on its way through the pipeline.
type row struct {
	line int
	// raw is the row as read, kept for the rejects file.
	raw []string
	// outcome is set once decided; "" while the row is a candidate.
	outcome Outcome
	reason  string
	// detail qualifies reason in the rejects file (a suppression match's
	// list, as a block's detail names it); often empty.
	detail string
	warns  uint8
	// fileDup marks a candidate whose number came earlier in the file
	// (merge policy only; other policies decide in the parser).
	fileDup bool
	key     uint64
	contact campaign.Contact
	// from is the contact the row copies (AddExisting).
	from campaign.ContactID
	// applied is set once the row's contact is written.
	applied bool
}

// batch is the unit handed from the parser to the writer.
type batch struct {
	rows       []row
	candidates int
	// bytes is how much of the file had been read when it was sent.
	bytes int64
	// recorded is set once the rows are counted.
	recorded bool
}

// parser reads and validates rows.
type parser struct {
	im   *Importer
	p    *plan
	src  *source
	seen map[uint64]struct{}
	keep bool // keep raw rows for the rejects file
	now  time.Time
	nums []string // scratch
}

func newParser(im *Importer, p *plan, src *source) *parser {
	return &parser{im: im, p: p, src: src, seen: map[uint64]struct{}{}, keep: p.opts.Rejects != nil || p.opts.Duplicates != nil}
}

// run reads rows into batches until the file ends, ctx ends or reading
// fails. The rows read are always handed over, so that they are counted.
func (ps *parser) run(ctx context.Context, out chan<- *batch, free <-chan *batch) error {
	var b *batch
	next := func() bool {
		select {
		case b = <-free:
			b.rows, b.candidates, b.recorded = b.rows[:0], 0, false
			ps.now = ps.im.now()
			return true
		case <-ctx.Done():
			return false
		}
	}
	// The writer drains out until it is closed, so a send never blocks
	// for long, even once ctx has ended.
	send := func() {
		b.bytes = ps.src.count.n
		out <- b
		b = nil
	}
	defer func() {
		if b != nil && len(b.rows) > 0 {
			send()
		}
	}()
	if !next() {
		return ctx.Err()
	}
	batchSize := ps.im.cfg.BatchSize
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, info, err := ps.src.rd.read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if info.bad == "" && blank(rec) {
			continue
		}
		b.rows = append(b.rows, row{})
		r := &b.rows[len(b.rows)-1]
		r.line = info.line
		cp1252, ok := ps.src.decode(rec)
		if ps.keep {
			r.raw = slices.Clone(rec) // in UTF-8 where it could be decoded
		}
		switch {
		case info.bad != "":
			r.reject(info.bad)
		case !ok:
			r.reject(ReasonInvalidEncoding)
		default:
			if cp1252 {
				r.warns |= warnCP1252
			}
			ps.validate(rec, r)
		}
		if r.outcome == "" {
			b.candidates++
		}
		if b.candidates >= batchSize || len(b.rows) >= 4*batchSize {
			send()
			if !next() {
				return ctx.Err()
			}
		}
	}
}

func (r *row) reject(reason string) { r.outcome, r.reason = OutcomeRejected, reason }

// validate maps rec into r.contact or decides r's outcome.
func (ps *parser) validate(rec []string, r *row) {
	p := ps.p
	if len(rec) != len(p.header) {
		r.reject(ReasonRaggedRow)
		return
	}
	c := &r.contact
	var phone, full, ext string
	var tags []string
	var cons consentCells
	for i, f := range p.mapping {
		v := strings.TrimSpace(rec[i])
		switch f {
		case FieldPhone:
			phone = v
		case FieldAltPhone:
		case FieldFirstName:
			c.FirstName = v
		case FieldLastName:
			c.LastName = v
		case FieldFullName:
			full = v
		case FieldCompany:
			c.Company = v
		case FieldEmail:
			c.Email = v
		case FieldSource:
			c.Source = v
		case FieldTags:
			tags = splitTags(v)
		case FieldNotes:
			c.Notes = v
		case FieldState:
			c.State = strings.ToUpper(v)
		case FieldExtension:
			ext = v
		case FieldConsent:
			cons.kind = v
		case FieldConsentDate:
			cons.date = v
		case FieldConsentSource:
			cons.source = v
		case FieldConsentScope:
			cons.scope = v
		case FieldConsentRevoked:
			cons.revoked = v
		case FieldIgnore:
		default:
			if v == "" {
				continue
			}
			key, _ := f.CustomKey()
			max := maxCustomLength
			if m, ok := p.customMax[key]; ok {
				max = m
			}
			if len(v) > max {
				r.reject(ReasonFieldTooLong)
				return
			}
			if c.Custom == nil {
				c.Custom = map[string]string{}
			}
			c.Custom[key] = v
		}
	}
	if full != "" && c.FirstName == "" && c.LastName == "" {
		if i := strings.LastIndexByte(full, ' '); i > 0 {
			c.FirstName, c.LastName = strings.TrimSpace(full[:i]), full[i+1:]
		} else {
			c.FirstName = full
		}
	}
	// The numbers: the phone cell's, then the alternates' (best ranked
	// first); a cell may hold several (Google Contacts writes "a ::: b").
	// The first is the phone, so a row whose phone cell is empty takes its
	// best ranked alternate.
	nums := splitNumbers(phone, ps.nums[:0])
	for _, i := range p.altCols {
		nums = splitNumbers(strings.TrimSpace(rec[i]), nums)
	}
	ps.nums = nums
	phone = ""
	var alts []string
	if len(nums) > 0 {
		phone, alts = nums[0], nums[1:]
	}

	// The phone first: a row without a callable number is refused for it.
	// A number over several lines came from a quote that spanned them.
	if strings.ContainsAny(phone, "\r\n") {
		r.reject(ReasonUnparseablePhone)
		return
	}
	phone, inCell := splitExtension(phone)
	facts, err := p.checker.Check(phone)
	if err != nil {
		reason := string(compliance.ReasonOf(err))
		if reason == "" {
			reason = ReasonUnparseablePhone
		}
		r.reject(reason)
		return
	}
	if ext == "" {
		ext = inCell
	}
	if ext = strings.Map(dropSpace, ext); ext != "" {
		if campaign.ValidExtension(ext) {
			c.Extension = ext
		} else {
			r.warns |= warnInvalidExt
		}
	}
	state, stateErr := compliance.NormalizeState(c.State)
	if stateErr != nil {
		r.reject(ReasonUnknownState)
		return
	}
	c.State = state
	for _, f := range p.required {
		if !filled(c, f, tags) {
			r.reject(ReasonMissingRequiredField)
			return
		}
	}
	if len(c.FirstName) > campaign.MaxNameLength || len(c.LastName) > campaign.MaxNameLength ||
		len(c.Company) > campaign.MaxNameLength || len(c.Notes) > campaign.MaxNotesLength ||
		len(c.Email) > maxEmailLength || len(c.Source) > maxSourceLength ||
		len(cons.source) > campaign.MaxTextLength || len(tags) > campaign.MaxTags || len(c.Custom) > campaign.MaxCustomFields {
		r.reject(ReasonFieldTooLong)
		return
	}
	for _, t := range tags {
		if len(t) > campaign.MaxTagLength {
			r.reject(ReasonFieldTooLong)
			return
		}
	}
	if c.Email != "" && !validEmail(c.Email) {
		if !p.opts.KeepInvalidEmail {
			r.reject(ReasonInvalidEmail)
			return
		}
		c.Email = ""
		r.warns |= warnInvalidEmail
	}
	consent, ok := cons.parse(ps.now, usDates(p.checker.DefaultRegion))
	if !ok {
		r.reject(ReasonInvalidConsent)
		return
	}

	if facts.HasWarning(compliance.NumberWarningNoGeographicZone) {
		r.warns |= warnNoZone
	}
	if facts.HasWarning(compliance.NumberWarningMultipleTimezones) {
		r.warns |= warnMultiZone
	}
	for _, alt := range alts {
		alt, _ = splitExtension(alt)
		af, err := p.checker.Check(alt)
		switch {
		case err != nil || strings.ContainsAny(alt, "\r\n"):
			r.warns |= warnInvalidAlt
		case af.E164 == facts.E164 || slices.Contains(c.AltPhones, af.E164):
		case len(c.AltPhones) == campaign.MaxAltPhones:
			r.warns |= warnInvalidAlt // one too many: dropped
		default:
			c.AltPhones = append(c.AltPhones, af.E164)
		}
	}

	r.key = phoneKey(facts.E164)
	if _, dup := ps.seen[r.key]; dup {
		switch p.opts.DuplicatePolicy {
		case DuplicateReject:
			r.reject(ReasonDuplicateInFile)
			return
		case DuplicateSkip:
			r.outcome, r.reason = OutcomeSkipped, ReasonDuplicateInFile
			return
		}
		r.fileDup = true
	} else {
		ps.seen[r.key] = struct{}{}
	}

	c.ID = campaign.ContactID(campaign.NewID("ct", ps.now))
	c.WorkspaceID, c.CampaignID, c.ListID = p.actor.WorkspaceID, p.campaign.ID, p.opts.ListID
	c.Phone, c.Timezones = facts.E164, facts.Timezones
	if len(facts.States) == 1 {
		c.AreaCodeState = facts.States[0]
	}
	if c.Source == "" {
		c.Source = p.opts.Source
	}
	c.Tags = mergeTags(p.opts.Tags, tags)
	c.Status, c.Lane, c.Priority = p.campaign.Settings.NewContactStatus(), campaign.LaneNew, campaign.PriorityNormal
	c.Consent = consent
	c.Version, c.CreatedAt, c.UpdatedAt = 1, ps.now, ps.now
}

// filled reports whether the contact has field f.
func filled(c *campaign.Contact, f Field, tags []string) bool {
	switch f {
	case FieldPhone:
		return true // checked before
	case FieldAltPhone:
		return len(c.AltPhones) > 0
	case FieldFirstName, FieldFullName:
		return c.FirstName != ""
	case FieldLastName:
		return c.LastName != ""
	case FieldCompany:
		return c.Company != ""
	case FieldEmail:
		return c.Email != ""
	case FieldSource:
		return c.Source != ""
	case FieldTags:
		return len(tags) > 0
	case FieldNotes:
		return c.Notes != ""
	case FieldState:
		return c.State != ""
	case FieldExtension:
		return c.Extension != ""
	case FieldConsent, FieldConsentDate, FieldConsentSource, FieldConsentScope, FieldConsentRevoked:
		return true // checked by consentCells.parse
	}
	key, _ := f.CustomKey()
	return c.Custom[key] != ""
}

// validEmail applies campaign.Contact.Validate's rule (the whole value is
// one bare address) and asks for a domain a mail can be sent to: labels
// of letters, digits and hyphens separated by dots, at least two, the
// last one not all digits. "bob@example" and "bob@[10.0.0.1]" are refused.
func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || !validDomain(e[at+1:]) {
		return false
	}
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e
}

func validDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.TrimFunc(tld, unicode.IsDigit) != ""
}

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}

// extMarkers introduce an extension written in the phone cell, longest
// first.
var extMarkers = []string{"extension", "extn", "ext", "x", "#", ","}

// splitExtension splits an extension written after a number: "(617)
// 392-0177 ext 12", "x12", "ext.12", "#12", ";ext=12" (RFC 3966) or
// "6173920177,,12" (dial pauses). It returns v unchanged and "" when there
// is none.
func splitExtension(v string) (number, ext string) {
	t := strings.TrimRight(v, " ")
	d := len(t)
	for d > 0 && t[d-1] >= '0' && t[d-1] <= '9' {
		d--
	}
	if d == len(t) || d == 0 {
		return v, ""
	}
	pre := strings.TrimRight(t[:d], " .:=")
	lower := strings.ToLower(pre)
	for _, m := range extMarkers {
		if !strings.HasSuffix(lower, m) {
			continue
		}
		rest := pre[:len(pre)-len(m)]
		if m != "," && m != "#" && rest != "" && unicode.IsLetter(rune(rest[len(rest)-1])) {
			continue // a word ending in "x" or "ext", not a marker
		}
		num := strings.TrimRight(rest, " ,;")
		if strings.IndexFunc(num, unicode.IsDigit) < 0 {
			return v, ""
		}
		return num, t[d:]
	}
	return v, ""
}

// splitNumbers appends to dst the numbers of a cell: one, or several split
// at ":::" (Google Contacts' separator).
func splitNumbers(v string, dst []string) []string {
	if !strings.Contains(v, ":::") {
		if v != "" {
			dst = append(dst, v)
		}
		return dst
	}
	for _, part := range strings.Split(v, ":::") {
		if part = strings.TrimSpace(part); part != "" {
			dst = append(dst, part)
		}
	}
	return dst
}

func splitTags(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func mergeTags(a, b []string) []string {
	if len(a) == 0 {
		return b
	}
	out := slices.Clone(a)
	for _, t := range b {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// phoneKey packs the digits of an E.164 number (at most 15) into a uint64;
// distinct numbers get distinct keys.
func phoneKey(e164 string) uint64 {
	var k uint64
	for i := 1; i < len(e164); i++ {
		k = k*10 + uint64(e164[i]-'0')
	}
	return k
}
