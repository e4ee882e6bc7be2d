// Package memory is a real in-process CallStack store: every engine
// package's Store behind one mutex, for tests, examples and single-process
// embedding. It is not a mock: it enforces tenancy, optimistic concurrency
// and atomicity exactly as the SQL adapters do, and passes the same
// conformance suite (store/storetest). Data lives as long as the value.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/suppression"
)

var (
	_ store.Store       = (*Store)(nil)
	_ suppression.Store = (*Store)(nil)
)

// Store is the in-memory adapter. The zero value is not usable; call New.
// It is safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	closed bool

	workspaces   map[campaign.WorkspaceID]campaign.Workspace
	members      map[campaign.WorkspaceID]map[campaign.UserID]campaign.Member
	campaigns    map[campaign.ID]campaign.Campaign
	transitions  map[campaign.ID][]campaign.Transition
	lists        map[campaign.ListID]campaign.List
	dispositions map[campaign.DispositionID]campaign.Disposition
	goals        map[campaign.GoalID]campaign.Goal
	analyses     map[campaign.AnalysisID]campaign.Analysis
	schedules    map[campaign.ScheduleID]campaign.Schedule
	contacts     map[campaign.ContactID]campaign.Contact
	audit        map[campaign.WorkspaceID][]campaign.AuditEntry
	supp         map[suppKey]map[string]suppEntry
	// dirty holds contacts written outside the queue (inserted, edited)
	// whose queue facts may be stale, so StaleContacts need not scan
	// every contact.
	dirty map[campaign.ContactID]bool
	q     *queueState // queue.Store's state (queue.go)
	imp   importState
	rep   *reportState // report.Store's state (report.go), made on first use
	// leases are the campaign leases (campaignlease.go), made on first use.
	leases map[campaignLeaseKey]campaignLease
	// callerIDs are the caller-ID states (callerid.go), made on first use.
	callerIDs map[callerIDKey]campaign.CallerIDState
	// feed is the change feed (feed.go).
	feed feedState
	// order keeps insertion order of children for stable listings.
	seq   int64
	order map[string]int64
}

// New returns an empty store.
func New() *Store {
	return &Store{
		workspaces:   map[campaign.WorkspaceID]campaign.Workspace{},
		members:      map[campaign.WorkspaceID]map[campaign.UserID]campaign.Member{},
		campaigns:    map[campaign.ID]campaign.Campaign{},
		transitions:  map[campaign.ID][]campaign.Transition{},
		lists:        map[campaign.ListID]campaign.List{},
		dispositions: map[campaign.DispositionID]campaign.Disposition{},
		goals:        map[campaign.GoalID]campaign.Goal{},
		analyses:     map[campaign.AnalysisID]campaign.Analysis{},
		schedules:    map[campaign.ScheduleID]campaign.Schedule{},
		contacts:     map[campaign.ContactID]campaign.Contact{},
		audit:        map[campaign.WorkspaceID][]campaign.AuditEntry{},
		supp:         map[suppKey]map[string]suppEntry{},
		dirty:        map[campaign.ContactID]bool{},
		imp:          newImportState(),
		q:            newQueueState(),
		order:        map[string]int64{},
	}
}

// ErrClosed is returned by every method after Close.
var ErrClosed = fmt.Errorf("memory: store is closed")

// Migrate is a no-op: the in-memory schema is always current.
func (s *Store) Migrate(ctx context.Context) error { return s.lock(ctx, func() error { return nil }) }

// Close marks the store closed; later calls return ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// lock runs fn under the store mutex after checking ctx and Close.
func (s *Store) lock(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return fn()
}

func notFound(kind string, id any) error {
	return fmt.Errorf("%w: %s %v", campaign.ErrNotFound, kind, id)
}

func (s *Store) appendAudit(a campaign.AuditEntry) {
	a.At = utc(a.At)
	s.audit[a.WorkspaceID] = append(s.audit[a.WorkspaceID], a)
}

func (s *Store) stamp(key string) {
	if _, ok := s.order[key]; !ok {
		s.seq++
		s.order[key] = s.seq
	}
}

// CreateWorkspace implements campaign.Store.
func (s *Store) CreateWorkspace(ctx context.Context, w campaign.Workspace, owner campaign.Member, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[w.ID]; ok {
			return fmt.Errorf("%w: workspace %s exists", campaign.ErrConflict, w.ID)
		}
		s.workspaces[w.ID] = cloneWorkspace(w)
		owner.CreatedAt = utc(owner.CreatedAt)
		s.members[w.ID] = map[campaign.UserID]campaign.Member{owner.UserID: owner}
		s.appendAudit(a)
		return nil
	})
}

// GetWorkspace implements campaign.Store.
func (s *Store) GetWorkspace(ctx context.Context, id campaign.WorkspaceID) (w campaign.Workspace, err error) {
	err = s.lock(ctx, func() error {
		v, ok := s.workspaces[id]
		if !ok {
			return notFound("workspace", id)
		}
		w = cloneWorkspace(v)
		return nil
	})
	return w, err
}

// UpdateWorkspace implements campaign.Store.
func (s *Store) UpdateWorkspace(ctx context.Context, w campaign.Workspace, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		old, ok := s.workspaces[w.ID]
		if !ok {
			return notFound("workspace", w.ID)
		}
		w.CreatedAt = old.CreatedAt
		s.workspaces[w.ID] = cloneWorkspace(w)
		s.appendAudit(a)
		return nil
	})
}

// PutMember implements campaign.Store.
func (s *Store) PutMember(ctx context.Context, m campaign.Member, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		ms, ok := s.members[m.WorkspaceID]
		if !ok {
			return notFound("workspace", m.WorkspaceID)
		}
		if old, ok := ms[m.UserID]; ok {
			m.CreatedAt = old.CreatedAt
		}
		m.CreatedAt = utc(m.CreatedAt)
		ms[m.UserID] = m
		s.appendAudit(a)
		return nil
	})
}

// GetMember implements campaign.Store.
func (s *Store) GetMember(ctx context.Context, ws campaign.WorkspaceID, user campaign.UserID) (m campaign.Member, err error) {
	err = s.lock(ctx, func() error {
		v, ok := s.members[ws][user]
		if !ok {
			return notFound("member", user)
		}
		m = v
		return nil
	})
	return m, err
}

// ListMembers implements campaign.Store; members are ordered by user ID.
func (s *Store) ListMembers(ctx context.Context, ws campaign.WorkspaceID) (out []campaign.Member, err error) {
	err = s.lock(ctx, func() error {
		out = slices.SortedFunc(maps.Values(s.members[ws]), func(a, b campaign.Member) int { return cmp.Compare(a.UserID, b.UserID) })
		return nil
	})
	return out, err
}

// DeleteMember implements campaign.Store.
func (s *Store) DeleteMember(ctx context.Context, ws campaign.WorkspaceID, user campaign.UserID, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		if _, ok := s.members[ws][user]; !ok {
			return notFound("member", user)
		}
		delete(s.members[ws], user)
		s.appendAudit(a)
		return nil
	})
}

// CreateCampaign implements campaign.Store.
func (s *Store) CreateCampaign(ctx context.Context, c campaign.Campaign, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[c.WorkspaceID]; !ok {
			return notFound("workspace", c.WorkspaceID)
		}
		if _, ok := s.campaigns[c.ID]; ok {
			return fmt.Errorf("%w: campaign %s exists", campaign.ErrConflict, c.ID)
		}
		s.campaigns[c.ID] = cloneCampaign(c)
		s.stamp("cmp/" + string(c.ID))
		s.appendAudit(a)
		return nil
	})
}

func (s *Store) getCampaign(ws campaign.WorkspaceID, id campaign.ID) (campaign.Campaign, error) {
	c, ok := s.campaigns[id]
	if !ok || c.WorkspaceID != ws {
		return campaign.Campaign{}, notFound("campaign", id)
	}
	return c, nil
}

// GetCampaign implements campaign.Store.
func (s *Store) GetCampaign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (c campaign.Campaign, err error) {
	err = s.lock(ctx, func() error {
		v, err := s.getCampaign(ws, id)
		c = cloneCampaign(v)
		return err
	})
	return c, err
}

// UpdateCampaign implements campaign.Store.
func (s *Store) UpdateCampaign(ctx context.Context, c campaign.Campaign, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		old, err := s.getCampaign(c.WorkspaceID, c.ID)
		if err != nil {
			return err
		}
		if old.Version != c.Version {
			return fmt.Errorf("%w: campaign %s is at version %d, not %d", campaign.ErrConflict, c.ID, old.Version, c.Version)
		}
		c.Status, c.ArchivedFrom, c.CreatedAt = old.Status, old.ArchivedFrom, old.CreatedAt
		c.Version++
		s.campaigns[c.ID] = cloneCampaign(c)
		s.appendAudit(a)
		return nil
	})
}

// ListCampaigns implements campaign.Store.
func (s *Store) ListCampaigns(ctx context.Context, ws campaign.WorkspaceID) (out []campaign.Campaign, err error) {
	err = s.lock(ctx, func() error {
		for _, c := range s.campaigns {
			if c.WorkspaceID == ws {
				out = append(out, cloneCampaign(c))
			}
		}
		slices.SortFunc(out, func(a, b campaign.Campaign) int {
			return cmp.Compare(s.order["cmp/"+string(a.ID)], s.order["cmp/"+string(b.ID)])
		})
		return nil
	})
	return out, err
}

// TransitionCampaign implements campaign.Store.
func (s *Store) TransitionCampaign(ctx context.Context, t campaign.Transition, archivedFrom campaign.Status, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		c, err := s.getCampaign(t.WorkspaceID, t.CampaignID)
		if err != nil {
			return err
		}
		if c.Status != t.From {
			return fmt.Errorf("%w: campaign %s is %s, not %s", campaign.ErrConflict, c.ID, c.Status, t.From)
		}
		t.At = utc(t.At)
		c.Status, c.ArchivedFrom, c.UpdatedAt = t.To, archivedFrom, t.At
		c.Version++
		s.campaigns[c.ID] = c
		s.transitions[c.ID] = append(s.transitions[c.ID], t)
		s.feedAppend(t.WorkspaceID, campaign.FeedStatus, c.ID, t.At, len(s.transitions[c.ID])-1)
		s.appendAudit(a)
		return nil
	})
}

// ListTransitions implements campaign.Store.
func (s *Store) ListTransitions(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (out []campaign.Transition, err error) {
	err = s.lock(ctx, func() error {
		if _, err := s.getCampaign(ws, id); err != nil {
			return err
		}
		out = slices.Clone(s.transitions[id])
		return nil
	})
	return out, err
}

// PutList implements campaign.Store.
func (s *Store) PutList(ctx context.Context, l campaign.List, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		if old, ok := s.lists[l.ID]; ok && old.WorkspaceID != l.WorkspaceID {
			return fmt.Errorf("%w: list id %s is taken", campaign.ErrConflict, l.ID)
		}
		if _, ok := s.workspaces[l.WorkspaceID]; !ok {
			return notFound("workspace", l.WorkspaceID)
		}
		if old, ok := s.lists[l.ID]; ok {
			l.CreatedAt = old.CreatedAt
		}
		l.CreatedAt = utc(l.CreatedAt)
		s.lists[l.ID] = l
		s.stamp("lst/" + string(l.ID))
		s.appendAudit(a)
		return nil
	})
}

// GetList implements campaign.Store.
func (s *Store) GetList(ctx context.Context, ws campaign.WorkspaceID, id campaign.ListID) (l campaign.List, err error) {
	err = s.lock(ctx, func() error {
		v, ok := s.lists[id]
		if !ok || v.WorkspaceID != ws {
			return notFound("list", id)
		}
		l = v
		return nil
	})
	return l, err
}

// ListLists implements campaign.Store.
func (s *Store) ListLists(ctx context.Context, ws campaign.WorkspaceID) (out []campaign.List, err error) {
	err = s.lock(ctx, func() error {
		out = ordered(s, s.lists, "lst/", func(l campaign.List) (campaign.WorkspaceID, campaign.ID) { return l.WorkspaceID, "" }, ws, "", func(l campaign.List) campaign.List { return l })
		return nil
	})
	return out, err
}

// ordered lists the values of m in workspace ws (and campaign cid when not
// empty) in insertion order.
func ordered[K ~string, V any](s *Store, m map[K]V, prefix string, key func(V) (campaign.WorkspaceID, campaign.ID), ws campaign.WorkspaceID, cid campaign.ID, clone func(V) V) []V {
	type kv struct {
		k K
		v V
	}
	var out []kv
	for k, v := range m {
		w, c := key(v)
		if w == ws && (cid == "" || c == cid) {
			out = append(out, kv{k, clone(v)})
		}
	}
	slices.SortFunc(out, func(a, b kv) int {
		return cmp.Compare(s.order[prefix+string(a.k)], s.order[prefix+string(b.k)])
	})
	vs := make([]V, len(out))
	for i, x := range out {
		vs[i] = x.v
	}
	return vs
}

// putChild stores a campaign child (disposition, goal, analysis) after
// checking its campaign is in the workspace and its id is not another
// workspace's.
func putChild[K ~string, V any](s *Store, m map[K]V, prefix string, id K, v V, ws campaign.WorkspaceID, cid campaign.ID, wsOf func(V) campaign.WorkspaceID, a campaign.AuditEntry) error {
	if _, err := s.getCampaign(ws, cid); err != nil {
		return err
	}
	if old, ok := m[id]; ok && wsOf(old) != ws {
		return fmt.Errorf("%w: id %s is taken", campaign.ErrConflict, id)
	}
	m[id] = v
	s.stamp(prefix + string(id))
	s.appendAudit(a)
	return nil
}

// PutDisposition implements campaign.Store.
func (s *Store) PutDisposition(ctx context.Context, d campaign.Disposition, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		d.RequiredFields = slices.Clone(d.RequiredFields)
		return putChild(s, s.dispositions, "dsp/", d.ID, d, d.WorkspaceID, d.CampaignID, func(v campaign.Disposition) campaign.WorkspaceID { return v.WorkspaceID }, a)
	})
}

// ListDispositions implements campaign.Store.
func (s *Store) ListDispositions(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID) (out []campaign.Disposition, err error) {
	err = s.lock(ctx, func() error {
		out = ordered(s, s.dispositions, "dsp/", func(d campaign.Disposition) (campaign.WorkspaceID, campaign.ID) { return d.WorkspaceID, d.CampaignID }, ws, cid,
			func(d campaign.Disposition) campaign.Disposition {
				d.RequiredFields = slices.Clone(d.RequiredFields)
				return d
			})
		return nil
	})
	return out, err
}

// PutGoal implements campaign.Store.
func (s *Store) PutGoal(ctx context.Context, g campaign.Goal, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		return putChild(s, s.goals, "gol/", g.ID, g, g.WorkspaceID, g.CampaignID, func(v campaign.Goal) campaign.WorkspaceID { return v.WorkspaceID }, a)
	})
}

// ListGoals implements campaign.Store.
func (s *Store) ListGoals(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID) (out []campaign.Goal, err error) {
	err = s.lock(ctx, func() error {
		out = ordered(s, s.goals, "gol/", func(g campaign.Goal) (campaign.WorkspaceID, campaign.ID) { return g.WorkspaceID, g.CampaignID }, ws, cid, func(g campaign.Goal) campaign.Goal { return g })
		return nil
	})
	return out, err
}

// PutAnalysis implements campaign.Store.
func (s *Store) PutAnalysis(ctx context.Context, an campaign.Analysis, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		an.Choices = slices.Clone(an.Choices)
		return putChild(s, s.analyses, "anl/", an.ID, an, an.WorkspaceID, an.CampaignID, func(v campaign.Analysis) campaign.WorkspaceID { return v.WorkspaceID }, a)
	})
}

// ListAnalyses implements campaign.Store.
func (s *Store) ListAnalyses(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID) (out []campaign.Analysis, err error) {
	err = s.lock(ctx, func() error {
		out = ordered(s, s.analyses, "anl/", func(v campaign.Analysis) (campaign.WorkspaceID, campaign.ID) { return v.WorkspaceID, v.CampaignID }, ws, cid,
			func(v campaign.Analysis) campaign.Analysis { v.Choices = slices.Clone(v.Choices); return v })
		return nil
	})
	return out, err
}

// PutSchedule implements campaign.Store.
func (s *Store) PutSchedule(ctx context.Context, sc campaign.Schedule, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		if old, ok := s.schedules[sc.ID]; ok && old.WorkspaceID != sc.WorkspaceID {
			return fmt.Errorf("%w: schedule id %s is taken", campaign.ErrConflict, sc.ID)
		}
		if _, ok := s.workspaces[sc.WorkspaceID]; !ok {
			return notFound("workspace", sc.WorkspaceID)
		}
		s.schedules[sc.ID] = cloneSchedule(sc)
		s.appendAudit(a)
		return nil
	})
}

// GetSchedule implements campaign.Store.
func (s *Store) GetSchedule(ctx context.Context, ws campaign.WorkspaceID, id campaign.ScheduleID) (sc campaign.Schedule, err error) {
	err = s.lock(ctx, func() error {
		v, ok := s.schedules[id]
		if !ok || v.WorkspaceID != ws {
			return notFound("schedule", id)
		}
		sc = cloneSchedule(v)
		return nil
	})
	return sc, err
}

// InsertContacts implements campaign.Store: all or none.
func (s *Store) InsertContacts(ctx context.Context, ws campaign.WorkspaceID, cs []campaign.Contact, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[ws]; !ok {
			return notFound("workspace", ws)
		}
		seen := make(map[campaign.ContactID]bool, len(cs))
		for _, c := range cs {
			if c.WorkspaceID != ws {
				return fmt.Errorf("%w: contact %s belongs to workspace %s, not %s", campaign.ErrInvalid, c.ID, c.WorkspaceID, ws)
			}
			if err := campaign.CheckContactText(c); err != nil {
				return fmt.Errorf("contact %s: %w", c.ID, err)
			}
			if _, ok := s.contacts[c.ID]; ok || seen[c.ID] {
				return fmt.Errorf("%w: contact %s exists", campaign.ErrConflict, c.ID)
			}
			seen[c.ID] = true
			if c.CampaignID != "" {
				if _, err := s.getCampaign(ws, c.CampaignID); err != nil {
					return err
				}
			}
		}
		for _, c := range cs {
			s.contacts[c.ID] = cloneContact(c)
			s.dirty[c.ID] = true
			s.reindex(c.ID, c)
		}
		s.appendAudit(a)
		return nil
	})
}

// GetContact implements campaign.Store.
func (s *Store) GetContact(ctx context.Context, ws campaign.WorkspaceID, id campaign.ContactID) (c campaign.Contact, err error) {
	err = s.lock(ctx, func() error {
		v, ok := s.contacts[id]
		if !ok || v.WorkspaceID != ws {
			return notFound("contact", id)
		}
		c = cloneContact(v)
		return nil
	})
	return c, err
}

// UpdateContact implements campaign.Store.
func (s *Store) UpdateContact(ctx context.Context, c campaign.Contact, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		old, ok := s.contacts[c.ID]
		if !ok || old.WorkspaceID != c.WorkspaceID {
			return notFound("contact", c.ID)
		}
		if old.Version != c.Version {
			return fmt.Errorf("%w: contact %s is at version %d, not %d", campaign.ErrConflict, c.ID, old.Version, c.Version)
		}
		if err := campaign.CheckContactText(c); err != nil {
			return fmt.Errorf("contact %s: %w", c.ID, err)
		}
		if old.Status == campaign.ContactDialing && c.Status != campaign.ContactDialing {
			return fmt.Errorf("%w: contact %s stays dialing until its lease ends", campaign.ErrLeased, c.ID)
		}
		c.CreatedAt = old.CreatedAt
		c.Version++
		s.contacts[c.ID] = cloneContact(c)
		s.dirty[c.ID] = true
		s.appendAudit(a)
		return nil
	})
}

// ListContacts implements campaign.Store.
func (s *Store) ListContacts(ctx context.Context, ws campaign.WorkspaceID, f campaign.ContactFilter) (p campaign.ContactPage, err error) {
	err = s.lock(ctx, func() error {
		// The IDs only are collected and sorted: copying and sorting
		// whole contacts made each page of a 100,000-contact campaign
		// take 0.2 s.
		var match []campaign.ContactID
		for id, c := range s.contacts {
			if c.WorkspaceID != ws || string(id) <= f.After ||
				(f.CampaignID != "" && c.CampaignID != f.CampaignID) ||
				(f.ListID != "" && c.ListID != f.ListID) ||
				(f.Status != "" && c.Status != f.Status) ||
				(f.OwnerID != "" && c.OwnerID != f.OwnerID) ||
				(f.Tag != "" && !slices.Contains(c.Tags, f.Tag)) {
				continue
			}
			match = append(match, id)
		}
		slices.Sort(match)
		limit := f.PageLimit()
		if len(match) > limit {
			match = match[:limit]
			p.NextCursor = string(match[limit-1])
		}
		p.Contacts = make([]campaign.Contact, len(match))
		for i, id := range match {
			p.Contacts[i] = cloneContact(s.contacts[id])
		}
		return nil
	})
	return p, err
}

// ListAudit implements campaign.Store.
func (s *Store) ListAudit(ctx context.Context, ws campaign.WorkspaceID, f campaign.AuditFilter) (out []campaign.AuditEntry, err error) {
	err = s.lock(ctx, func() error {
		limit := f.Limit
		if limit <= 0 {
			limit = 1000
		}
		for _, a := range s.audit[ws] {
			if (f.Entity == "" || a.Entity == f.Entity) && (f.EntityID == "" || a.EntityID == f.EntityID) {
				out = append(out, a)
				if len(out) == limit {
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// utc returns t in UTC, as every adapter returns times; the zero time stays
// zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func cloneWorkspace(w campaign.Workspace) campaign.Workspace {
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	w.Settings.SourceOptions = slices.Clone(w.Settings.SourceOptions)
	w.Settings.CustomFields = slices.Clone(w.Settings.CustomFields)
	w.Settings.ImportDefaults.RequiredFields = slices.Clone(w.Settings.ImportDefaults.RequiredFields)
	return w
}

func cloneCampaign(c campaign.Campaign) campaign.Campaign {
	c = c.Clone()
	c.StartDate, c.Deadline, c.CreatedAt, c.UpdatedAt = utc(c.StartDate), utc(c.Deadline), utc(c.CreatedAt), utc(c.UpdatedAt)
	return c
}

func cloneSchedule(s campaign.Schedule) campaign.Schedule {
	hours := make(map[time.Weekday][]campaign.Interval, len(s.Hours))
	for d, iv := range s.Hours {
		hours[d] = slices.Clone(iv)
	}
	s.Hours = hours
	ex := make([]campaign.ScheduleException, len(s.Exceptions))
	for i, e := range s.Exceptions {
		e.Hours = slices.Clone(e.Hours)
		ex[i] = e
	}
	s.Exceptions = ex
	return s
}

func cloneContact(c campaign.Contact) campaign.Contact {
	c.AltPhones = slices.Clone(c.AltPhones)
	c.LastAttemptAt, c.NextAttemptAt, c.ErasedAt = utc(c.LastAttemptAt), utc(c.NextAttemptAt), utc(c.ErasedAt)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	c.Consent.CapturedAt, c.Consent.RevokedAt = utc(c.Consent.CapturedAt), utc(c.Consent.RevokedAt)
	c.Tags = slices.Clone(c.Tags)
	c.Timezones = slices.Clone(c.Timezones)
	c.Custom = maps.Clone(c.Custom)
	return c
}
