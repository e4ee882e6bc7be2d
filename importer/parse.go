package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
)

// Field length limits, in bytes, as campaign.Contact.Validate counts them.
const (
	maxEmailLength  = 254
	maxSourceLength = 200
	maxStateLength  = 64
	maxCustomLength = 1000 // for custom fields the workspace does not declare
)

// warning bits of a row.
const (
	warnNoZone uint8 = 1 << iota
	warnMultiZone
	warnInvalidEmail
	warnInvalidAlt
)

var warningCodes = []string{WarningNoGeographicZone, WarningMultipleTimezones, WarningInvalidEmail, WarningInvalidAltPhone}

// row is one data row on its way through the pipeline.
type row struct {
	line int
	// raw is the row as read, kept for the rejects file.
	raw []string
	// outcome is set once decided; "" while the row is a candidate.
	outcome Outcome
	reason  string
	warns   uint8
	// fileDup marks a candidate whose number came earlier in the file
	// (merge policy only; other policies decide in the parser).
	fileDup bool
	key     uint64
	contact campaign.Contact
	// from is the contact the row copies (AddExisting).
	from campaign.ContactID
}

// batch is the unit handed from the parser to the writer.
type batch struct {
	rows       []row
	candidates int
	// bytes is how much of the file had been read when it was sent.
	bytes int64
}

// parser reads and validates rows.
type parser struct {
	im   *Importer
	p    *plan
	src  *source
	seen map[uint64]struct{}
	keep bool // keep raw rows for the rejects file
	now  time.Time
}

func newParser(im *Importer, p *plan, src *source) *parser {
	return &parser{im: im, p: p, src: src, seen: map[uint64]struct{}{}, keep: p.opts.Rejects != nil}
}

// run reads rows into batches until the file ends, ctx ends or reading
// fails.
func (ps *parser) run(ctx context.Context, out chan<- *batch, free <-chan *batch) error {
	var b *batch
	next := func() bool {
		select {
		case b = <-free:
			b.rows, b.candidates = b.rows[:0], 0
			ps.now = ps.im.now()
			return true
		case <-ctx.Done():
			return false
		}
	}
	send := func() bool {
		b.bytes = ps.src.count.n
		select {
		case out <- b:
			b = nil
			return true
		case <-ctx.Done():
			return false
		}
	}
	if !next() {
		return ctx.Err()
	}
	batchSize := ps.im.cfg.BatchSize
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := ps.src.cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if err != nil && !errors.As(err, &perr) {
			return err
		}
		var line int
		if err != nil {
			line = perr.StartLine
		} else {
			if blank(rec) {
				continue
			}
			line, _ = ps.src.cr.FieldPos(0)
		}
		b.rows = append(b.rows, row{})
		r := &b.rows[len(b.rows)-1]
		r.line = line
		if ps.keep {
			r.raw = slices.Clone(rec)
		}
		if err != nil {
			r.outcome, r.reason = OutcomeRejected, ReasonRaggedRow
		} else {
			ps.validate(rec, r)
		}
		if r.outcome == "" {
			b.candidates++
		}
		if b.candidates >= batchSize || len(b.rows) >= 4*batchSize {
			if !send() || !next() {
				return ctx.Err()
			}
		}
	}
	if len(b.rows) > 0 && !send() {
		return ctx.Err()
	}
	return nil
}

func (r *row) reject(reason string) { r.outcome, r.reason = OutcomeRejected, reason }

// validate maps rec into r.contact or decides r's outcome.
func (ps *parser) validate(rec []string, r *row) {
	for _, f := range rec {
		if !utf8.ValidString(f) {
			r.reject(ReasonInvalidEncoding)
			return
		}
	}
	p := ps.p
	if len(rec) != len(p.header) {
		r.reject(ReasonRaggedRow)
		return
	}
	c := &r.contact
	var phone, alt, full string
	var tags []string
	for i, f := range p.mapping {
		v := strings.TrimSpace(rec[i])
		switch f {
		case FieldPhone:
			phone = v
		case FieldAltPhone:
			alt = v
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

	// The phone first: a row without a callable number is refused for it.
	facts, err := p.checker.Check(phone)
	if err != nil {
		reason := string(compliance.ReasonOf(err))
		if reason == "" {
			reason = ReasonUnparseablePhone
		}
		r.reject(reason)
		return
	}
	for _, f := range p.required {
		if !filled(c, f, tags) {
			r.reject(ReasonMissingRequiredField)
			return
		}
	}
	if len(c.FirstName) > campaign.MaxNameLength || len(c.LastName) > campaign.MaxNameLength ||
		len(c.Company) > campaign.MaxNameLength || len(c.Notes) > campaign.MaxNotesLength ||
		len(c.Email) > maxEmailLength || len(c.Source) > maxSourceLength || len(c.State) > maxStateLength {
		r.reject(ReasonFieldTooLong)
		return
	}
	for _, t := range tags {
		if len(t) > campaign.MaxTagLength {
			r.reject(ReasonFieldTooLong)
			return
		}
	}
	state, stateErr := compliance.NormalizeState(c.State)
	if stateErr != nil {
		r.reject(ReasonUnknownState)
		return
	}
	c.State = state
	if c.Email != "" && !validEmail(c.Email) {
		if !p.opts.KeepInvalidEmail {
			r.reject(ReasonInvalidEmail)
			return
		}
		c.Email = ""
		r.warns |= warnInvalidEmail
	}

	if facts.HasWarning(compliance.NumberWarningNoGeographicZone) {
		r.warns |= warnNoZone
	}
	if facts.HasWarning(compliance.NumberWarningMultipleTimezones) {
		r.warns |= warnMultiZone
	}
	if alt != "" {
		af, err := p.checker.Check(alt)
		switch {
		case err != nil:
			r.warns |= warnInvalidAlt
		case af.E164 != facts.E164:
			c.AltPhones = []string{af.E164}
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
	c.Status, c.Lane, c.Priority = campaign.ContactPending, campaign.LaneNew, campaign.PriorityNormal
	c.Consent = campaign.Consent{Kind: campaign.ConsentNone, Scope: campaign.ConsentScopeCampaign}
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
	}
	key, _ := f.CustomKey()
	return c.Custom[key] != ""
}

// validEmail applies campaign.Contact.Validate's rule: the whole value is
// one bare address.
func validEmail(e string) bool {
	if strings.IndexByte(e, '@') <= 0 {
		return false
	}
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e
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
