package dialer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// followPeriod moves the campaign on the authority of its calling period:
// a Queued campaign whose StartDate came (or has none) starts Running, and
// a Running or Paused campaign whose Deadline passed is completed with
// reason [campaign.ReasonAfterDeadline]. Only the engine pacing the
// campaign (the campaign lease holder, when there is a Leaser) moves it.
// It also brings the next status check forward to the next start or
// deadline, so the move happens on time rather than up to StatusEvery late.
func (e *Engine) followPeriod(ctx context.Context, now time.Time) error {
	if t := e.c.NextPeriodChange(now); !t.IsZero() && t.Before(e.nextStatus) {
		e.nextStatus = t
	}
	if !e.pacing() || e.draining {
		return nil
	}
	var to campaign.Status
	var reason string
	switch {
	case e.c.DueToStart(now):
		to, reason = campaign.StatusRunning, "start date reached"
		if e.c.StartDate.IsZero() {
			reason = "queued without a start date"
		}
	case e.c.DueToEnd(now):
		to, reason = campaign.StatusCompleted, campaign.ReasonAfterDeadline
	default:
		return nil
	}
	return e.transition(ctx, to, reason, now, func(err error) error {
		if errors.Is(err, campaign.ErrInvalidTransition) || errors.Is(err, campaign.ErrConflict) {
			// Someone else moved it first; the next status check reads where it went.
			return nil
		}
		if err != nil {
			return fmt.Errorf("dialer: move campaign to %s: %w", to, err)
		}
		e.cfg.Logger.InfoContext(ctx, "dialer: campaign moved by its calling period", "campaign", e.cfg.Campaign, "to", to, "reason", reason)
		return nil
	})
}

// periodDetail describes the campaign's calling period for a block.
func periodDetail(c campaign.Campaign) string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return "period " + f(c.StartDate) + " to " + f(c.Deadline)
}
