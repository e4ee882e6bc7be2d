package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

var _ campaign.Leaser = (*Store)(nil)

// campaignLease is one campaign's lease: who holds it and until when.
type campaignLease struct {
	holder  string
	expires time.Time
}

type campaignLeaseKey struct {
	ws campaign.WorkspaceID
	id campaign.ID
}

// AcquireCampaignLease implements campaign.Leaser; expiry is judged
// by now.
func (s *Store) AcquireCampaignLease(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, holder string, ttl time.Duration, now time.Time) (held bool, expires time.Time, err error) {
	if holder == "" || ttl <= 0 {
		return false, time.Time{}, fmt.Errorf("memory: acquire campaign lease: %w: a holder and a positive TTL are required", campaign.ErrInvalid)
	}
	err = s.lock(ctx, func() error {
		if _, err := s.getCampaign(ws, id); err != nil {
			return err
		}
		if s.leases == nil {
			s.leases = map[campaignLeaseKey]campaignLease{}
		}
		k := campaignLeaseKey{ws, id}
		l, ok := s.leases[k]
		if ok && l.holder != holder && now.Before(l.expires) {
			expires = l.expires
			return nil
		}
		l = campaignLease{holder: holder, expires: utc(now.Add(ttl))}
		s.leases[k] = l
		held, expires = true, l.expires
		return nil
	})
	return held, expires, err
}

// ReleaseCampaignLease implements campaign.Leaser.
func (s *Store) ReleaseCampaignLease(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, holder string) error {
	return s.lock(ctx, func() error {
		k := campaignLeaseKey{ws, id}
		if l, ok := s.leases[k]; ok && l.holder == holder {
			delete(s.leases, k)
		}
		return nil
	})
}
