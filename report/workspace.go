package report

import (
	"context"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// WorkspaceReport sums a workspace's campaigns.
type WorkspaceReport struct {
	WorkspaceID campaign.WorkspaceID `json:"workspace_id"`
	GeneratedAt time.Time            `json:"generated_at"`
	// Campaigns counts the campaigns, archived included.
	Campaigns Metric `json:"campaigns"`
	// Running counts campaigns whose status is running now.
	Running Metric `json:"running"`
	// CallsCompleted counts attempts in the log of every campaign.
	CallsCompleted Metric `json:"calls_completed"`
	// SuccessRate is successful ÷ completed contacts over every campaign
	// (the package's definitions).
	SuccessRate Metric `json:"success_rate"`
}

// Workspace computes the workspace-level report of ws.
func (s *Service) Workspace(ctx context.Context, ws campaign.WorkspaceID) (*WorkspaceReport, error) {
	now := s.now().UTC()
	cs, err := s.store.ListCampaigns(ctx, ws)
	if err != nil {
		return nil, err
	}
	var running, calls, succ, completed int64
	for _, c := range cs {
		if c.Status == campaign.StatusRunning {
			running++
		}
		cnt, err := s.store.AttemptCounts(ctx, ws, c.ID, time.Time{}, time.Time{})
		if err != nil {
			return nil, err
		}
		calls += cnt.Attempts
		cc, err := s.store.ContactCounts(ctx, ws, c.ID, now)
		if err != nil {
			return nil, err
		}
		succ += cc.Successful
		completed += cc.Completed()
	}
	return &WorkspaceReport{
		WorkspaceID: ws, GeneratedAt: now,
		Campaigns: count(int64(len(cs))), Running: count(running), CallsCompleted: count(calls),
		SuccessRate: rate(succ, completed, s.minN),
	}, nil
}
