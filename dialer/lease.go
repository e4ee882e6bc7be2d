package dialer

import (
	"context"
	"fmt"
	"time"
)

// leaseState is the engine's view of the campaign lease; guarded by
// Engine.mu.
type leaseState struct {
	held bool
	// until is when the engine stops trusting the lease it holds, by the
	// engine's clock: the start of the last successful acquire plus
	// LeaseTTL. The store judged the expiry from a later instant, so the
	// engine stops pacing no later than another process can take over
	// (clocks may differ by an offset, not by rate).
	until time.Time
	// next is when the engine next renews or tries to take the lease.
	next time.Time
	// gains counts the times the engine took the lease.
	gains int
}

// pacing reports whether the engine may claim and place calls on its
// own: always without a Leaser, else while it holds the campaign lease.
func (e *Engine) pacing() bool { return e.cfg.Leaser == nil || e.lease.held }

// keepLease renews the campaign lease, or tries to take it, every
// LeaseTTL/3; it gives the lease up while the engine drains. Losing the
// lease stops pacing and gives the hopper back; calls in flight go on.
func (e *Engine) keepLease(ctx context.Context, now time.Time) error {
	if e.cfg.Leaser == nil {
		return nil
	}
	if e.draining {
		if !e.lease.held {
			return nil
		}
		e.lease.held = false
		if err := e.cfg.Leaser.ReleaseCampaignLease(ctx, e.cfg.Workspace, e.cfg.Campaign, e.cfg.Holder); err != nil {
			return fmt.Errorf("dialer: release campaign lease: %w", err)
		}
		return nil
	}
	var errs error
	if e.lease.held && !now.Before(e.lease.until) {
		errs = e.loseLease(ctx, now, "not renewed in time")
	}
	if now.Before(e.lease.next) {
		return errs
	}
	e.lease.next = now.Add(e.cfg.LeaseTTL / 3)
	held, exp, err := e.cfg.Leaser.AcquireCampaignLease(ctx, e.cfg.Workspace, e.cfg.Campaign, e.cfg.Holder, e.cfg.LeaseTTL, now)
	if err != nil {
		// Keep pacing on the lease still held until it runs out; try
		// again at the next renewal.
		return fmt.Errorf("dialer: campaign lease: %w", err)
	}
	if !held {
		if e.lease.held {
			return e.loseLease(ctx, now, "held by another process until "+exp.Format(time.RFC3339Nano))
		}
		return errs
	}
	if !e.lease.held {
		e.lease.gains++
		e.cfg.Logger.InfoContext(ctx, "dialer: campaign lease taken", "campaign", e.cfg.Campaign, "holder", e.cfg.Holder)
		if e.lease.gains > 1 {
			// Another process may have paced meanwhile: its abandons count
			// against the cap too.
			if err := e.reloadAbandons(ctx, now); err != nil {
				errs = err
			}
		}
	}
	e.lease.held, e.lease.until = true, now.Add(e.cfg.LeaseTTL)
	return errs
}

// loseLease stops pacing and gives the hopper back; calls in flight go on.
func (e *Engine) loseLease(ctx context.Context, now time.Time, why string) error {
	e.lease.held = false
	e.cfg.Logger.WarnContext(ctx, "dialer: campaign lease lost; pacing stops", "campaign", e.cfg.Campaign, "holder", e.cfg.Holder, "why", why)
	return e.trimHopper(ctx, now, 0)
}

// reloadAbandons rebuilds the abandon accounting from the attempt log and
// the calls still in flight.
func (e *Engine) reloadAbandons(ctx context.Context, now time.Time) error {
	var b abandonBook
	b.configure(e.c, now)
	if err := b.load(ctx, e.cfg.Attempts, e.cfg.Workspace, e.cfg.Campaign, now); err != nil {
		return fmt.Errorf("dialer: load abandon accounting: %w", err)
	}
	for _, c := range e.sortedCalls() {
		if c.answeredBy == "human" {
			b.answered(c.answeredAt)
			if c.abandoned {
				b.abandoned(c.answeredAt)
			}
		}
	}
	e.abandon = b
	return nil
}

// releaseLease gives the campaign lease up on Stop.
func (e *Engine) releaseLease(ctx context.Context) error {
	if e.cfg.Leaser == nil {
		return nil
	}
	e.lease.held = false
	if err := e.cfg.Leaser.ReleaseCampaignLease(ctx, e.cfg.Workspace, e.cfg.Campaign, e.cfg.Holder); err != nil {
		return fmt.Errorf("dialer: release campaign lease: %w", err)
	}
	return nil
}
