package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/suppression"
)

type suppKey struct {
	ws   campaign.WorkspaceID
	list suppression.List
}

// suppEntry is what the memory store keeps per entry; the key's number and
// email are the map key.
type suppEntry = suppression.Entry

func entryKey(number, email string) string { return number + "\x00" + email }

// PutSuppressions implements suppression.Store.
func (s *Store) PutSuppressions(ctx context.Context, ws campaign.WorkspaceID, es []suppression.Entry, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[ws]; !ok {
			return notFound("workspace", ws)
		}
		for _, e := range es {
			if e.WorkspaceID != ws {
				return fmt.Errorf("%w: entry of workspace %s written to %s", campaign.ErrInvalid, e.WorkspaceID, ws)
			}
		}
		for _, e := range es {
			s.putSupp(e)
		}
		s.appendAudit(a)
		return nil
	})
}

func (s *Store) putSupp(e suppression.Entry) {
	k := suppKey{e.WorkspaceID, e.List}
	m := s.supp[k]
	if m == nil {
		m = map[string]suppEntry{}
		s.supp[k] = m
	}
	e.AddedAt, e.ExpiresAt = utc(e.AddedAt), utc(e.ExpiresAt)
	m[entryKey(e.Number, e.Email)] = e
}

// BulkSuppress implements suppression.Store.
func (s *Store) BulkSuppress(ctx context.Context, ws campaign.WorkspaceID, tmpl suppression.Entry, numbers []string) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[ws]; !ok {
			return notFound("workspace", ws)
		}
		tmpl.WorkspaceID, tmpl.Email = ws, ""
		k := suppKey{ws, tmpl.List}
		for _, n := range numbers {
			if _, ok := s.supp[k][entryKey(n, "")]; ok {
				continue
			}
			e := tmpl
			e.Number = n
			s.putSupp(e)
		}
		return nil
	})
}

// DeleteSuppression implements suppression.Store.
func (s *Store) DeleteSuppression(ctx context.Context, ws campaign.WorkspaceID, k suppression.Key, a campaign.AuditEntry) error {
	return s.lock(ctx, func() error {
		m := s.supp[suppKey{ws, k.List}]
		ek := entryKey(k.Number, k.Email)
		if _, ok := m[ek]; !ok {
			return fmt.Errorf("%w: %s%s on %s list", suppression.ErrNotFound, k.Number, k.Email, k.List.Scope)
		}
		delete(m, ek)
		s.appendAudit(a)
		return nil
	})
}

// CheckSuppressed implements suppression.Store.
func (s *Store) CheckSuppressed(ctx context.Context, ws campaign.WorkspaceID, q suppression.Query, now time.Time) (out []suppression.Match, err error) {
	err = s.lock(ctx, func() error {
		for _, l := range q.Target.Lists() {
			m := s.supp[suppKey{ws, l}]
			if len(m) == 0 {
				continue
			}
			for _, n := range q.Numbers {
				if e, ok := m[entryKey(n, "")]; ok && e.Active(now) {
					out = append(out, suppression.Match{Number: n, List: l, Reason: e.Reason, Source: e.Source})
				}
			}
			for _, em := range q.Emails {
				if e, ok := m[entryKey("", em)]; ok && e.Active(now) {
					out = append(out, suppression.Match{Email: em, List: l, Reason: e.Reason, Source: e.Source})
				}
			}
		}
		return nil
	})
	return out, err
}

// ListSuppressions implements suppression.Store.
func (s *Store) ListSuppressions(ctx context.Context, ws campaign.WorkspaceID, l suppression.List, after string, limit int) (es []suppression.Entry, next string, err error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	err = s.lock(ctx, func() error {
		var keys []string
		for k := range s.supp[suppKey{ws, l}] {
			if k > after {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, cmp.Compare[string])
		if len(keys) > limit {
			keys = keys[:limit]
			next = keys[limit-1]
		}
		for _, k := range keys {
			es = append(es, s.supp[suppKey{ws, l}][k])
		}
		return nil
	})
	return es, next, err
}
