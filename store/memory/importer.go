package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
)

var _ importer.Store = (*Store)(nil)

// importState is the importer's part of the memory store.
type importState struct {
	imports  map[importer.ImportID]importRecord
	seq      int64
	mappings map[mappingKey]importer.SavedMapping

	// The phone index: every contact by phone, kept up to date by
	// InsertContacts, the audit log (contact updates name
	// their contact) and, when contacts appear that neither announced, a
	// scan of the contacts.
	indexed  map[campaign.ContactID]string // contact → indexed phone
	byPhone  map[phoneKey][]campaign.ContactID
	auditPos map[campaign.WorkspaceID]int
}

type importRecord struct {
	r   importer.Record
	seq int64
}

type mappingKey struct {
	ws  campaign.WorkspaceID
	sig string
}

type phoneKey struct {
	ws    campaign.WorkspaceID
	phone string
}

func newImportState() importState {
	return importState{
		imports:  map[importer.ImportID]importRecord{},
		mappings: map[mappingKey]importer.SavedMapping{},
		indexed:  map[campaign.ContactID]string{},
		byPhone:  map[phoneKey][]campaign.ContactID{},
		auditPos: map[campaign.WorkspaceID]int{},
	}
}

func cloneRecord(r importer.Record) importer.Record {
	r.Header, r.Mapping, r.Counts = slices.Clone(r.Header), slices.Clone(r.Mapping), r.Counts.Clone()
	r.StartedAt, r.FinishedAt = utc(r.StartedAt), utc(r.FinishedAt)
	return r
}

// SaveImport implements importer.Store.
func (s *Store) SaveImport(ctx context.Context, r importer.Record) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[r.WorkspaceID]; !ok {
			return notFound("workspace", r.WorkspaceID)
		}
		old, ok := s.imp.imports[r.ID]
		if ok && old.r.WorkspaceID != r.WorkspaceID {
			return notFound("import", r.ID)
		}
		if !ok {
			s.imp.seq++
			old.seq = s.imp.seq
		}
		s.imp.imports[r.ID] = importRecord{r: cloneRecord(r), seq: old.seq}
		return nil
	})
}

// GetImport implements importer.Store.
func (s *Store) GetImport(ctx context.Context, ws campaign.WorkspaceID, id importer.ImportID) (r importer.Record, err error) {
	err = s.lock(ctx, func() error {
		v, ok := s.imp.imports[id]
		if !ok || v.r.WorkspaceID != ws {
			return notFoundImport("import", id)
		}
		r = cloneRecord(v.r)
		return nil
	})
	return r, err
}

func notFoundImport(kind string, id any) error {
	return fmt.Errorf("%w: %s %v", importer.ErrNotFound, kind, id)
}

// ListImports implements importer.Store: newest first.
func (s *Store) ListImports(ctx context.Context, ws campaign.WorkspaceID, limit int) (out []importer.Record, err error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	err = s.lock(ctx, func() error {
		var rs []importRecord
		for _, v := range s.imp.imports {
			if v.r.WorkspaceID == ws {
				rs = append(rs, v)
			}
		}
		slices.SortFunc(rs, func(a, b importRecord) int {
			if c := b.r.StartedAt.Compare(a.r.StartedAt); c != 0 {
				return c
			}
			return cmp.Compare(b.seq, a.seq)
		})
		for _, v := range rs[:min(len(rs), limit)] {
			out = append(out, cloneRecord(v.r))
		}
		return nil
	})
	return out, err
}

// SaveMapping implements importer.Store.
func (s *Store) SaveMapping(ctx context.Context, m importer.SavedMapping) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[m.WorkspaceID]; !ok {
			return notFound("workspace", m.WorkspaceID)
		}
		m.Header, m.Mapping, m.SavedAt = slices.Clone(m.Header), slices.Clone(m.Mapping), utc(m.SavedAt)
		s.imp.mappings[mappingKey{m.WorkspaceID, m.Signature}] = m
		return nil
	})
}

// GetMapping implements importer.Store.
func (s *Store) GetMapping(ctx context.Context, ws campaign.WorkspaceID, sig string) (m importer.SavedMapping, err error) {
	err = s.lock(ctx, func() error {
		v, ok := s.imp.mappings[mappingKey{ws, sig}]
		if !ok {
			return notFoundImport("mapping", sig)
		}
		m = v
		m.Header, m.Mapping = slices.Clone(v.Header), slices.Clone(v.Mapping)
		return nil
	})
	return m, err
}

// reindex puts contact id under its current phone.
func (s *Store) reindex(id campaign.ContactID, c campaign.Contact) {
	st := &s.imp
	if old, ok := st.indexed[id]; ok {
		if old == c.Phone {
			return
		}
		k := phoneKey{c.WorkspaceID, old}
		ids := slices.DeleteFunc(st.byPhone[k], func(x campaign.ContactID) bool { return x == id })
		if len(ids) == 0 {
			delete(st.byPhone, k)
		} else {
			st.byPhone[k] = ids
		}
	}
	st.indexed[id] = c.Phone
	if c.Phone != "" {
		k := phoneKey{c.WorkspaceID, c.Phone}
		st.byPhone[k] = append(st.byPhone[k], id)
	}
}

// syncIndex brings the phone index up to date for ws.
func (s *Store) syncIndex(ws campaign.WorkspaceID) {
	st := &s.imp
	log := s.audit[ws]
	for _, a := range log[min(st.auditPos[ws], len(log)):] {
		if a.Entity == "contact" && a.EntityID != "" {
			id := campaign.ContactID(a.EntityID)
			if c, ok := s.contacts[id]; ok {
				s.reindex(id, c)
			}
		}
	}
	st.auditPos[ws] = len(log)
	if len(st.indexed) != len(s.contacts) {
		for id, c := range s.contacts {
			if _, ok := st.indexed[id]; !ok {
				s.reindex(id, c)
			}
		}
	}
}

// FindPhones implements importer.Store.
func (s *Store) FindPhones(ctx context.Context, ws campaign.WorkspaceID, phones []string) (out []importer.PhoneMatch, err error) {
	err = s.lock(ctx, func() error {
		s.syncIndex(ws)
		seen := make(map[string]bool, len(phones))
		for _, p := range phones {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			for _, id := range s.imp.byPhone[phoneKey{ws, p}] {
				if c, ok := s.contacts[id]; ok && c.WorkspaceID == ws && c.Phone == p {
					out = append(out, importer.PhoneMatch{Phone: p, ContactID: id, CampaignID: c.CampaignID, CreatedAt: utc(c.CreatedAt)})
				}
			}
		}
		return nil
	})
	return out, err
}
