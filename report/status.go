package report

import (
	"context"

	"github.com/callstackhq/callstack/campaign"
)

// Status answers the live status check of a campaign from the store:
// Running (calls in progress), Stopped (active, prospects remaining, no
// call in progress), Completed (every prospect resolved) or Inactive; see
// [campaign.CheckStatus] for the rules.
func (s *Service) Status(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (campaign.StatusCheck, error) {
	c, err := s.store.GetCampaign(ctx, ws, id)
	if err != nil {
		return campaign.StatusCheck{}, err
	}
	now := s.now().UTC()
	cc, err := s.store.ContactCounts(ctx, ws, id, now)
	if err != nil {
		return campaign.StatusCheck{}, err
	}
	return campaign.CheckStatus(c, cc.ByStatus, cc.InCall, now), nil
}
