package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/internal/csvsafe"
	"github.com/callstackhq/callstack/suppression"
)

// writer decides the batch-level checks and writes; it runs in one
// goroutine.
type writer struct {
	im      *Importer
	p       *plan
	rec     *Record
	rejects *csvsafe.Writer
	dupes   *csvsafe.Writer
	start   time.Time
	src     *source
	batches int
	// scratch, reused across batches
	phones  []string
	emails  []string
	insert  []campaign.Contact
	merges  []int
	targets []campaign.ContactID
	line    []string
	delim   string
}

// maxMergeRetries bounds the re-reads of a merge that lost an optimistic
// concurrency race.
const maxMergeRetries = 5

// checkpointEvery is how many batches pass between history updates.
const checkpointEvery = 10

// write decides and writes one batch, then records its outcomes. The
// batch's insert is all or none, and once it is written the rest of the
// batch completes without ctx. On error the rows not written are counted
// as stopped.
func (w *writer) write(ctx context.Context, b *batch) error {
	err := w.decide(ctx, b)
	if err == nil {
		err = w.apply(ctx, b)
	}
	if err != nil {
		w.stop(b)
	}
	if rerr := w.record(ctx, b); err == nil {
		err = rerr
	}
	return err
}

// stop rejects, as import_stopped, the rows of b that were read but not
// written: undecided, or accepted or merged but not applied.
func (w *writer) stop(b *batch) {
	for i := range b.rows {
		r := &b.rows[i]
		if r.outcome == "" || ((r.outcome == OutcomeAccepted || r.outcome == OutcomeMerged) && !r.applied) {
			r.reject(ReasonImportStopped)
		}
	}
}

// decide runs suppression and workspace duplicate checks on the batch's
// candidates.
func (w *writer) decide(ctx context.Context, b *batch) error {
	p := w.p
	if b.candidates == 0 {
		return nil
	}
	ws := p.actor.WorkspaceID
	w.phones, w.emails = w.phones[:0], w.emails[:0]
	for i := range b.rows {
		r := &b.rows[i]
		if r.outcome != "" {
			continue
		}
		w.phones = append(w.phones, r.contact.Phone)
		if r.contact.Email != "" {
			w.emails = append(w.emails, strings.ToLower(r.contact.Email))
		}
	}
	hits, err := w.im.cfg.Suppression.Check(ctx, ws, suppression.Query{
		Target: suppression.TargetOf(p.campaign), Numbers: w.phones, Emails: w.emails,
	})
	if err != nil {
		return fmt.Errorf("importer: suppression check: %w", err)
	}
	w.phones = w.phones[:0]
	for i := range b.rows {
		r := &b.rows[i]
		if r.outcome != "" {
			continue
		}
		ms := hits[r.contact.Phone]
		if r.contact.Email != "" {
			ms = append(slices.Clone(ms), hits[strings.ToLower(r.contact.Email)]...)
		}
		if len(ms) > 0 {
			m := suppression.Widest(ms)
			r.reject(m.List.Scope.ReasonCode())
			r.detail = m.Detail()
			continue
		}
		w.phones = append(w.phones, r.contact.Phone)
	}
	if len(w.phones) == 0 {
		return nil
	}
	found, err := w.im.cfg.Store.FindPhones(ctx, ws, w.phones)
	if err != nil {
		return fmt.Errorf("importer: duplicate check: %w", err)
	}
	existing := make(map[string][]PhoneMatch, len(found))
	for _, m := range found {
		existing[m.Phone] = append(existing[m.Phone], m)
	}
	var cutoff time.Time
	if p.dupeDays > 0 {
		cutoff = w.im.now().AddDate(0, 0, -p.dupeDays)
	}
	pending := map[uint64]int{}
	w.targets = w.targets[:0]
	for i := range b.rows {
		r := &b.rows[i]
		if r.outcome != "" {
			continue
		}
		target, dup := w.duplicateOf(existing[r.contact.Phone], cutoff, r.from)
		reason := ReasonDuplicateInWorkspace
		if r.fileDup {
			reason = ReasonDuplicateInFile
		}
		switch {
		case dup && p.opts.DuplicatePolicy == DuplicateReject:
			r.reject(reason)
		case dup && p.opts.DuplicatePolicy == DuplicateSkip:
			r.outcome, r.reason = OutcomeSkipped, reason
		case dup:
			r.outcome, r.reason = OutcomeMerged, reason
			r.contact.ID = target // the contact to merge into
		case r.fileDup:
			if j, ok := pending[r.key]; ok {
				// The earlier row is in this batch: merge in memory.
				mergeInto(&b.rows[j].contact, r.contact, p.opts.MergeOverwrite)
				r.outcome, r.reason = OutcomeMerged, ReasonDuplicateInFile
				r.contact.ID = ""
				break
			}
			r.outcome = OutcomeAccepted
			pending[r.key] = i
		default:
			r.outcome = OutcomeAccepted
			pending[r.key] = i
		}
	}
	return nil
}

// duplicateOf picks the existing contact a row duplicates: one in the same
// campaign whatever its age, else the newest created within the dupe-days
// window (none when the window is off, DupeDays -1). The contact a row was
// copied from (AddExisting) does not count.
func (w *writer) duplicateOf(ms []PhoneMatch, cutoff time.Time, from campaign.ContactID) (campaign.ContactID, bool) {
	var best *PhoneMatch
	for i := range ms {
		m := &ms[i]
		if m.ContactID == from {
			continue
		}
		if m.CampaignID == w.p.campaign.ID {
			return m.ContactID, true
		}
		if w.p.dupeDays > 0 && !m.CreatedAt.Before(cutoff) && (best == nil || m.CreatedAt.After(best.CreatedAt)) {
			best = m
		}
	}
	if best == nil {
		return "", false
	}
	return best.ContactID, true
}

// apply inserts the accepted rows in one call and merges the merged ones.
func (w *writer) apply(ctx context.Context, b *batch) error {
	p := w.p
	ws := p.actor.WorkspaceID
	w.insert, w.merges = w.insert[:0], w.merges[:0]
	for i := range b.rows {
		r := &b.rows[i]
		switch {
		case r.outcome == OutcomeAccepted:
			w.insert = append(w.insert, r.contact)
		case r.outcome == OutcomeMerged && r.contact.ID != "":
			w.merges = append(w.merges, i)
		}
	}
	now := w.im.now()
	if len(w.insert) > 0 {
		a := campaign.AuditEntry{
			ID: campaign.AuditID(campaign.NewID("aud", now)), WorkspaceID: ws, ActorID: p.actor.UserID,
			Action: "contact.import", Entity: "contact",
			Detail: fmt.Sprintf("import %s: %d contacts", p.importID, len(w.insert)), At: now,
		}
		if err := w.im.cfg.Contacts.InsertContacts(ctx, ws, w.insert, a); err != nil {
			return fmt.Errorf("importer: insert contacts: %w", err)
		}
	}
	// The accepted rows, and the rows merged into them in memory, are
	// written.
	for i := range b.rows {
		if r := &b.rows[i]; r.outcome == OutcomeAccepted || (r.outcome == OutcomeMerged && r.contact.ID == "") {
			r.applied = true
		}
	}
	// The inserts are written: finish the batch whatever ctx says, so the
	// counts match what is stored.
	mctx := context.WithoutCancel(ctx)
	for _, i := range w.merges {
		if err := w.merge(mctx, &b.rows[i], now); err != nil {
			return err
		}
		b.rows[i].applied = true
	}
	return nil
}

// merge applies r to the existing contact r.contact.ID through
// UpdateContact.
func (w *writer) merge(ctx context.Context, r *row, now time.Time) error {
	ws := w.p.actor.WorkspaceID
	id := r.contact.ID
	for range maxMergeRetries {
		c, err := w.im.cfg.Contacts.GetContact(ctx, ws, id)
		if err != nil {
			return fmt.Errorf("importer: merge into %s: %w", id, err)
		}
		mergeInto(&c, r.contact, w.p.opts.MergeOverwrite)
		c.UpdatedAt = now
		a := campaign.AuditEntry{
			ID: campaign.AuditID(campaign.NewID("aud", now)), WorkspaceID: ws, ActorID: w.p.actor.UserID,
			Action: "contact.import_merge", Entity: "contact", EntityID: string(id),
			Detail: fmt.Sprintf("import %s line %d", w.p.importID, r.line), At: now,
		}
		err = w.im.cfg.Contacts.UpdateContact(ctx, c, a)
		if errors.Is(err, campaign.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("importer: merge into %s: %w", id, err)
		}
		return nil
	}
	return fmt.Errorf("importer: merge into %s: %w: it kept changing", id, campaign.ErrConflict)
}

// mergeInto merges src, a duplicate row, into the existing contact dst.
// Names, company, email, source, notes, state and extension fill dst's
// empty fields, or replace them when overwrite is set; alternate phones
// and tags are added and custom fields filled (or set). Consent: a
// revocation in either is kept (the earliest), and src's consent fills a
// contact without one (or replaces an unrevoked one when overwrite is
// set). Status, queue state, campaign and list stay dst's.
func mergeInto(dst *campaign.Contact, src campaign.Contact, overwrite bool) {
	set := func(d *string, s string) {
		if s != "" && (overwrite || *d == "") {
			*d = s
		}
	}
	set(&dst.FirstName, src.FirstName)
	set(&dst.LastName, src.LastName)
	set(&dst.Company, src.Company)
	set(&dst.Email, src.Email)
	set(&dst.Source, src.Source)
	set(&dst.Notes, src.Notes)
	set(&dst.State, src.State)
	set(&dst.Extension, src.Extension)
	for _, a := range src.AltPhones {
		if a != dst.Phone && !slices.Contains(dst.AltPhones, a) && len(dst.AltPhones) < campaign.MaxAltPhones {
			dst.AltPhones = append(slices.Clip(dst.AltPhones), a)
		}
	}
	dst.Tags = mergeTags(dst.Tags, src.Tags)
	if len(src.Custom) > 0 {
		if dst.Custom == nil {
			dst.Custom = map[string]string{}
		} else {
			dst.Custom = maps.Clone(dst.Custom)
		}
		for k, v := range src.Custom {
			if _, has := dst.Custom[k]; overwrite || !has || dst.Custom[k] == "" {
				dst.Custom[k] = v
			}
		}
	}
	if len(dst.Timezones) == 0 {
		dst.Timezones = src.Timezones
	}
	dst.Consent = mergeConsent(dst.Consent, src.Consent, overwrite)
}

// mergeConsent merges a row's consent into a contact's. A revocation is
// never undone: once either is revoked the result is, from the earlier
// revocation on.
func mergeConsent(dst, src campaign.Consent, overwrite bool) campaign.Consent {
	out := dst
	hasDst := dst.Kind != "" && dst.Kind != campaign.ConsentNone
	hasSrc := src.Kind != "" && src.Kind != campaign.ConsentNone
	if hasSrc && dst.RevokedAt.IsZero() && (!hasDst || overwrite) {
		out.Kind, out.Source, out.CapturedAt, out.Scope = src.Kind, src.Source, src.CapturedAt, src.Scope
	}
	if !src.RevokedAt.IsZero() && (out.RevokedAt.IsZero() || src.RevokedAt.Before(out.RevokedAt)) {
		out.RevokedAt, out.RevokedVia = src.RevokedAt, src.RevokedVia
	}
	if out.Scope == "" {
		out.Scope = campaign.ConsentScopeCampaign
	}
	if out.Kind == "" {
		out.Kind = campaign.ConsentNone
	}
	return out
}

// record counts the batch's outcomes, writes its rejected and duplicate
// rows, reports progress and now and then checkpoints the history.
func (w *writer) record(ctx context.Context, b *batch) error {
	b.recorded = true
	counts := &w.rec.Counts
	var werr error
	for i := range b.rows {
		r := &b.rows[i]
		counts.add(r.outcome, r.reason)
		if r.outcome == OutcomeAccepted || r.outcome == OutcomeMerged {
			for bit, code := range warningCodes {
				if r.warns&(1<<bit) != 0 {
					counts.warn(code)
				}
			}
		}
		if werr != nil {
			continue
		}
		switch {
		case r.outcome == OutcomeRejected && w.rejects != nil:
			w.line = append(fitRow(w.line[:0], r.raw, len(w.p.header), w.delim), strconv.Itoa(r.line), r.reason, r.detail)
			if err := w.rejects.Write(w.line); err != nil {
				werr = fmt.Errorf("importer: write rejects: %w", err)
			}
		case (r.outcome == OutcomeSkipped || r.outcome == OutcomeMerged) && w.dupes != nil:
			w.line = append(fitRow(w.line[:0], r.raw, len(w.p.header), w.delim), strconv.Itoa(r.line), string(r.outcome), r.reason)
			if err := w.dupes.Write(w.line); err != nil {
				werr = fmt.Errorf("importer: write duplicates: %w", err)
			}
		}
	}
	if werr != nil {
		return werr
	}
	w.batches++
	now := w.im.now()
	if fn := w.p.opts.Progress; fn != nil {
		el := now.Sub(w.start)
		pr := Progress{Rows: counts.Rows, Counts: counts.Clone(), Bytes: b.bytes, Elapsed: el}
		if el > 0 {
			pr.RowsPerSecond = float64(counts.Rows) / el.Seconds()
		}
		fn(pr)
	}
	if w.batches%checkpointEvery == 0 {
		snap := *w.rec
		snap.Counts = counts.Clone()
		snap.Duration = now.Sub(w.start)
		if err := w.im.cfg.Store.SaveImport(context.WithoutCancel(ctx), snap); err != nil {
			return err
		}
	}
	return nil
}

// fitRow appends raw to dst with exactly n cells, so the rejects file's
// line and reason columns stay aligned: a short row is padded with empty
// cells, a long row's extra cells are joined, with the file's delimiter,
// into its last cell.
func fitRow(dst, raw []string, n int, delim string) []string {
	if len(raw) <= n {
		dst = append(dst, raw...)
		for range n - len(raw) {
			dst = append(dst, "")
		}
		return dst
	}
	if n == 0 {
		return dst
	}
	dst = append(dst, raw[:n-1]...)
	return append(dst, strings.Join(raw[n-1:], delim))
}
