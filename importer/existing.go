package importer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// Selection picks existing contacts of the workspace; zero fields match
// everything.
type Selection struct {
	// CampaignID limits the selection to one campaign's contacts; "" takes
	// contacts of any campaign and of none.
	CampaignID campaign.ID
	// ListID limits it to one list.
	ListID campaign.ListID
	// Tags must all be on the contact.
	Tags []string
	// Source must equal the contact's Source.
	Source string
	// Status must equal the contact's Status.
	Status campaign.ContactStatus
}

func (s Selection) matches(c campaign.Contact) bool {
	if s.Source != "" && c.Source != s.Source {
		return false
	}
	for _, t := range s.Tags {
		if !slices.Contains(c.Tags, t) {
			return false
		}
	}
	return c.ErasedAt.IsZero() && c.Phone != ""
}

// AddOptions configure AddExisting.
type AddOptions struct {
	// CampaignID is the campaign the contacts are added to; required.
	CampaignID campaign.ID
	// ListID is the list the copies join; its DupeDays sets the duplicate
	// window. Defaults to no list (90 days).
	ListID campaign.ListID
	// Select picks the contacts. Contacts already in CampaignID are never
	// selected.
	Select Selection
	// DuplicatePolicy decides duplicates. Defaults to the workspace's
	// ImportDefaults.DuplicatePolicy ("skip").
	DuplicatePolicy DuplicatePolicy
	// Progress is called after each batch. Defaults to nil.
	Progress func(Progress)
}

// AddExisting adds the workspace's contacts that match opts.Select to
// campaign opts.CampaignID, through the same duplicate and suppression
// checks as an import: each selected contact is a row (its line is its
// position in the selection), copied into the campaign as a new pending
// contact with its names, company, email, source, tags, custom fields,
// notes and zones. Its consent goes with it only when it covers the
// target (scope any, or client scope and the same client). The source
// contact stays where it is and is not counted as its own duplicate. The
// run is recorded in the history like an import (no file name).
func (im *Importer) AddExisting(ctx context.Context, actor campaign.Actor, opts AddOptions) (Result, error) {
	p, err := im.prepare(ctx, actor, Options{CampaignID: opts.CampaignID, ListID: opts.ListID, DuplicatePolicy: opts.DuplicatePolicy, Progress: opts.Progress})
	if err != nil {
		return Result{}, err
	}
	start := im.now()
	p.importID = ImportID(campaign.NewID("imp", start))
	rec := Record{
		ID: p.importID, WorkspaceID: actor.WorkspaceID, CampaignID: p.campaign.ID, ListID: opts.ListID,
		ActorID: actor.UserID, Policy: p.opts.DuplicatePolicy, Status: StatusRunning, StartedAt: start,
	}
	if err := im.cfg.Store.SaveImport(ctx, rec); err != nil {
		return Result{}, err
	}
	w := &writer{im: im, p: p, rec: &rec, start: start}
	sel := opts.Select
	// Copies land in the target campaign, which the selection excludes, so
	// paging by ID never meets them.
	produce := func(ctx context.Context, out chan<- *batch, free <-chan *batch) error {
		seen := map[uint64]struct{}{}
		filter := campaign.ContactFilter{CampaignID: sel.CampaignID, ListID: sel.ListID, Status: sel.Status, Limit: 1000}
		if len(sel.Tags) > 0 {
			filter.Tag = sel.Tags[0]
		}
		n := 0
		clients := map[campaign.ID]string{}
		clientOf := func(ctx context.Context, id campaign.ID) string {
			if v, ok := clients[id]; ok || id == "" {
				return v
			}
			if c, err := im.cfg.Contacts.GetCampaign(ctx, actor.WorkspaceID, id); err == nil {
				clients[id] = c.Client
			}
			return clients[id]
		}
		for {
			page, err := im.cfg.Contacts.ListContacts(ctx, actor.WorkspaceID, filter)
			if err != nil {
				return err
			}
			var b *batch
			select {
			case b = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			b.rows, b.candidates = b.rows[:0], 0
			now := im.now()
			for _, c := range page.Contacts {
				if c.CampaignID == p.campaign.ID || !sel.matches(c) {
					continue
				}
				n++
				b.rows = append(b.rows, row{line: n})
				r := &b.rows[len(b.rows)-1]
				r.from, r.key = c.ID, phoneKey(c.Phone)
				if _, dup := seen[r.key]; dup {
					switch p.opts.DuplicatePolicy {
					case DuplicateReject:
						r.reject(ReasonDuplicateInFile)
						continue
					case DuplicateSkip:
						r.outcome, r.reason = OutcomeSkipped, ReasonDuplicateInFile
						continue
					}
					r.fileDup = true
				}
				seen[r.key] = struct{}{}
				r.contact = copyContact(c, p, now)
				if c.Consent.Scope == campaign.ConsentScopeAny || (c.Consent.Scope == campaign.ConsentScopeClient &&
					p.campaign.Client != "" && clientOf(ctx, c.CampaignID) == p.campaign.Client) {
					r.contact.Consent = c.Consent
				}
				b.candidates++
			}
			select {
			case out <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
			if page.NextCursor == "" {
				return nil
			}
			filter.After = page.NextCursor
		}
	}
	runErr := im.run(ctx, produce, w)
	end := im.now()
	rec.FinishedAt, rec.Duration = end, end.Sub(start)
	switch {
	case runErr == nil:
		rec.Status = StatusCompleted
	case ctx.Err() != nil:
		rec.Status = StatusCancelled
		runErr = fmt.Errorf("%w: %w", ErrCancelled, ctx.Err())
	default:
		rec.Status, rec.Error = StatusFailed, runErr.Error()
	}
	if err := im.cfg.Store.SaveImport(context.WithoutCancel(ctx), rec); err != nil && runErr == nil {
		runErr = err
	}
	return rec, runErr
}

// copyContact makes the new contact that adds c to the plan's campaign.
func copyContact(c campaign.Contact, p *plan, now time.Time) campaign.Contact {
	return campaign.Contact{
		ID: campaign.ContactID(campaign.NewID("ct", now)), WorkspaceID: c.WorkspaceID, CampaignID: p.campaign.ID, ListID: p.opts.ListID,
		FirstName: c.FirstName, LastName: c.LastName, Company: c.Company, Phone: c.Phone, AltPhones: slices.Clone(c.AltPhones), Extension: c.Extension,
		Email: c.Email, Source: c.Source, OwnerID: c.OwnerID, Tags: slices.Clone(c.Tags), Priority: c.Priority,
		Custom: maps.Clone(c.Custom), Notes: c.Notes, Timezones: slices.Clone(c.Timezones), State: c.State,
		AreaCodeState: c.AreaCodeState, Status: p.campaign.Settings.NewContactStatus(), Lane: campaign.LaneNew,
		Consent: campaign.Consent{Kind: campaign.ConsentNone, Scope: campaign.ConsentScopeCampaign},
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
}
