package dialer

import (
	"context"
	"fmt"

	"github.com/callstackhq/callstack/campaign"
)

// checkGoalsAndAnswers validates an outcome's goal results and analysis
// answers against the campaign's goals and questions, read fresh so an
// edit made mid-shift applies to the next outcome.
func (e *Engine) checkGoalsAndAnswers(ctx context.Context, in OutcomeInput) error {
	if len(in.Goals) == 0 && len(in.Answers) == 0 {
		return nil
	}
	goals, err := e.cfg.Campaigns.ListGoals(ctx, e.cfg.Workspace, e.cfg.Campaign)
	if err != nil {
		return fmt.Errorf("dialer: read goals: %w", err)
	}
	qs, err := e.cfg.Campaigns.ListAnalyses(ctx, e.cfg.Workspace, e.cfg.Campaign)
	if err != nil {
		return fmt.Errorf("dialer: read analysis questions: %w", err)
	}
	return campaign.ValidateOutcome(campaign.OutcomeDetails{Goals: in.Goals, Answers: in.Answers}, goals, qs)
}
