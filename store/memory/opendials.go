package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

// OpenDials implements queue.Store.
func (s *Store) OpenDials(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) ([]queue.OpenDial, error) {
	var out []queue.OpenDial
	err := s.lock(ctx, func() error {
		for cid := range s.q.leased[id] {
			c, f, ok := s.qcontact(ws, id, cid)
			if !ok || f == nil || f.token == "" || f.dial.AttemptID == "" || !now.Before(f.expires) || c.Status != campaign.ContactDialing {
				continue
			}
			out = append(out, queue.OpenDial{
				Lease: queue.Lease{WorkspaceID: ws, CampaignID: id, ContactID: c.ID, Token: f.token, ExpiresAt: utc(f.expires),
					Contact: cloneContact(c), PrevStatus: f.prev, ExtraAttempts: f.extra, ListPriority: f.listPriority},
				Dial: f.dial,
			})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b queue.OpenDial) int {
		return cmp.Or(a.Dial.StartedAt.Compare(b.Dial.StartedAt), cmp.Compare(a.Dial.AttemptID, b.Dial.AttemptID))
	})
	return out, err
}
