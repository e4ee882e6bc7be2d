package report

import (
	"context"
	"fmt"
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
	// (the package's definitions), over the campaigns' whole life: a
	// contact's state has no period.
	SuccessRate Metric `json:"success_rate"`
	// From and To are the period [From, To) the call metrics cover; zero
	// is unbounded ([Service.Workspace] covers all time).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Active counts the campaigns that placed a call in the period.
	Active Metric `json:"active"`
	// Conversations and Meetings count the period's attempts with a
	// conversation and with a meeting booked.
	Conversations Metric `json:"conversations"`
	Meetings      Metric `json:"meetings"`
}

// Workspace computes the workspace-level report of ws over all time.
func (s *Service) Workspace(ctx context.Context, ws campaign.WorkspaceID) (*WorkspaceReport, error) {
	return s.WorkspacePeriod(ctx, ws, time.Time{}, time.Time{})
}

// WorkspacePeriod computes the workspace-level report of ws with its call
// metrics (CallsCompleted, Active, Conversations, Meetings) limited to
// attempts started in [from, to); a zero bound is open. Campaigns counts
// the campaigns created before to. A to not after from is refused.
func (s *Service) WorkspacePeriod(ctx context.Context, ws campaign.WorkspaceID, from, to time.Time) (*WorkspaceReport, error) {
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return nil, fmt.Errorf("%w: period end %s is not after its start %s", ErrInvalid, to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	now := s.now().UTC()
	cs, err := s.store.ListCampaigns(ctx, ws)
	if err != nil {
		return nil, err
	}
	var running, calls, succ, completed, active, convs, meetings, created int64
	for _, c := range cs {
		if !to.IsZero() && !c.CreatedAt.Before(to) {
			continue
		}
		created++
		if c.Status == campaign.StatusRunning {
			running++
		}
		cnt, err := s.store.AttemptCounts(ctx, ws, c.ID, from, to)
		if err != nil {
			return nil, err
		}
		calls += cnt.Attempts
		convs += cnt.Conversations
		meetings += cnt.Meetings
		if cnt.Attempts > 0 {
			active++
		}
		cc, err := s.store.ContactCounts(ctx, ws, c.ID, now)
		if err != nil {
			return nil, err
		}
		succ += cc.Successful
		completed += cc.Completed()
	}
	return &WorkspaceReport{
		WorkspaceID: ws, GeneratedAt: now,
		Campaigns: count(created), Running: count(running), CallsCompleted: count(calls),
		SuccessRate: rate(succ, completed, s.minN),
		From:        from.UTC(), To: to.UTC(), Active: count(active), Conversations: count(convs), Meetings: count(meetings),
	}, nil
}
