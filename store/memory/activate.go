package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// ActivateHeldContacts implements campaign.Store.
func (s *Store) ActivateHeldContacts(ctx context.Context, ws campaign.WorkspaceID, ids []campaign.ContactID, at time.Time, audits []campaign.AuditEntry) (n int, err error) {
	if len(audits) != len(ids) {
		return 0, fmt.Errorf("%w: memory: %d contacts, %d audit entries", campaign.ErrInvalid, len(ids), len(audits))
	}
	for _, a := range audits {
		if a.WorkspaceID != "" && a.WorkspaceID != ws {
			return 0, fmt.Errorf("%w: memory: audit entry of workspace %s in %s", campaign.ErrInvalid, a.WorkspaceID, ws)
		}
	}
	err = s.lock(ctx, func() error {
		for i, id := range ids {
			c, ok := s.contacts[id]
			if !ok || c.WorkspaceID != ws || c.Status != campaign.ContactHeld {
				continue
			}
			c.Status = campaign.ContactPending
			c.UpdatedAt = utc(at)
			c.Version++
			s.contacts[id] = c
			s.dirty[id] = true
			a := audits[i]
			a.WorkspaceID = ws
			s.appendAudit(a)
			n++
		}
		return nil
	})
	return n, err
}
