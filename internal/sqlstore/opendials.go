package sqlstore

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
	const op = "open dials"
	nowExpr, nowArgs := s.leaseNow(now)
	var rows []struct {
		leaseRow
		Token         string `db:"lease_token"`
		DialAttempt   string `db:"dial_attempt"`
		DialNumber    string `db:"dial_number"`
		DialCallerID  string `db:"dial_caller_id"`
		DialStartedAt int64  `db:"dial_started_at"`
	}
	args := append([]any{ws, id}, nowArgs...)
	err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+contactColumns+`, q_prev_status, lease_expires, q_extra, list_priority,
lease_token, dial_attempt, dial_number, dial_caller_id, dial_started_at FROM contacts
WHERE workspace_id = ? AND campaign_id = ? AND status = 'dialing' AND lease_token <> '' AND dial_attempt <> '' AND lease_expires > `+nowExpr), args...)
	if err != nil {
		return nil, s.fail(op, err)
	}
	out := make([]queue.OpenDial, 0, len(rows))
	for _, r := range rows {
		c, err := r.contact()
		if err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, queue.OpenDial{
			Lease: queue.Lease{WorkspaceID: ws, CampaignID: id, ContactID: c.ID, Token: queue.LeaseToken(r.Token), ExpiresAt: fromNanos(r.LeaseExpires),
				Contact: c, PrevStatus: campaign.ContactStatus(r.PrevStatus), ExtraAttempts: int(r.Extra), ListPriority: int(r.ListPriority)},
			Dial: queue.Dial{AttemptID: campaign.AttemptID(r.DialAttempt), Number: r.DialNumber, CallerID: r.DialCallerID, StartedAt: fromNanos(r.DialStartedAt)},
		})
	}
	slices.SortFunc(out, func(a, b queue.OpenDial) int {
		return cmp.Or(a.Dial.StartedAt.Compare(b.Dial.StartedAt), cmp.Compare(a.Dial.AttemptID, b.Dial.AttemptID))
	})
	return out, nil
}
