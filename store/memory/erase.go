package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/callstackhq/callstack/campaign"
)

// EraseContactRecords implements campaign.Store.
func (s *Store) EraseContactRecords(ctx context.Context, ws campaign.WorkspaceID, id campaign.ContactID, a campaign.AuditEntry) (na, nb int, err error) {
	err = s.lock(ctx, func() error {
		atts := s.q.attempts[ws]
		for i, at := range atts {
			if at.ContactID != id {
				continue
			}
			if campaign.AttemptMasked(at) {
				continue
			}
			if at.Number != "" {
				// The number's frequency-cap index forgets this call, as the
				// SQL adapters' attempts_number index does.
				times := s.q.byNumber[ws][at.Number]
				if j := slices.IndexFunc(times, at.StartedAt.Equal); j >= 0 {
					s.q.byNumber[ws][at.Number] = slices.Delete(times, j, j+1)
				}
			}
			atts[i] = campaign.MaskAttempt(at)
			na++
		}
		bs := s.q.blocks[ws]
		for i, b := range bs {
			if b.ContactID == id && (b.Number != "" || b.Detail != "") {
				bs[i] = campaign.MaskBlock(b)
				nb++
			}
		}
		if f := s.q.facts[id]; f != nil {
			f.dial.Number = ""
		}
		a.WorkspaceID = ws
		a.Detail = fmt.Sprintf("%d attempts, %d blocks masked", na, nb)
		s.appendAudit(a)
		return nil
	})
	return na, nb, err
}
