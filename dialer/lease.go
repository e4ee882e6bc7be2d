package dialer

import (
	"context"
	"errors"
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

// leaseMargin is how long before its campaign lease would run out an
// engine that could not renew it stops pacing: the lease is fenced by the
// engine's own clock, LeaseTTL/6 ahead of the expiry the store judges, so
// that a renewal that is late (a slow store) or failed never lets two
// processes pace at once.
func (e *Engine) leaseMargin() time.Duration { return e.cfg.LeaseTTL / 6 }

// leaseFence is when the engine stops pacing unless a renewal succeeds.
func (e *Engine) leaseFence() time.Time { return e.lease.until.Add(-e.leaseMargin()) }

// keepLease renews the campaign lease, or tries to take it, every
// LeaseTTL/3, beside the loop; it gives the lease up while the engine
// drains. Losing the lease, or reaching its fence without a renewal, stops
// pacing and gives the hopper back; calls in flight go on. While it holds
// the lease, the engine reconciles the calls other processes left open
// (reconcile.go).
func (e *Engine) keepLease(ctx context.Context, now time.Time) error {
	if e.cfg.Leaser == nil || e.leaseBusy {
		return nil
	}
	if e.draining {
		if !e.lease.held {
			return nil
		}
		e.lease.held = false
		e.leaseBusy = true
		var err error
		return e.submitStore(ctx, &storeOp{name: "lease",
			run: func(ctx context.Context) {
				err = e.cfg.Leaser.ReleaseCampaignLease(ctx, e.cfg.Workspace, e.cfg.Campaign, e.cfg.Holder)
			},
			apply: func(context.Context, time.Time) error {
				e.leaseBusy = false
				if err != nil {
					return fmt.Errorf("dialer: release campaign lease: %w", err)
				}
				return nil
			}}, now)
	}
	var errs error
	if e.lease.held && !now.Before(e.leaseFence()) {
		errs = e.loseLease(ctx, now, "not renewed in time")
	}
	if now.Before(e.lease.next) {
		return errs
	}
	e.lease.next = now.Add(e.cfg.LeaseTTL / 3)
	e.leaseBusy = true
	// The lease runs from the request, by this engine's clock: the store
	// judged its expiry from a later instant.
	asked := now
	var held bool
	var exp time.Time
	var err error
	return errors.Join(errs, e.submitStore(ctx, &storeOp{name: "lease",
		run: func(ctx context.Context) {
			held, exp, err = e.cfg.Leaser.AcquireCampaignLease(ctx, e.cfg.Workspace, e.cfg.Campaign, e.cfg.Holder, e.cfg.LeaseTTL, asked)
		},
		apply: func(ctx context.Context, now time.Time) error {
			e.leaseBusy = false
			return e.leaseResult(ctx, asked, held, exp, err, now)
		}}, now))
}

// leaseResult applies the answer to a lease request made at asked.
func (e *Engine) leaseResult(ctx context.Context, asked time.Time, held bool, exp time.Time, err error, now time.Time) error {
	if err != nil {
		// Keep pacing on the lease still held until its fence; try again
		// at the next renewal.
		return fmt.Errorf("dialer: campaign lease: %w", err)
	}
	if e.draining || e.stopped {
		return nil
	}
	if !held {
		if e.lease.held {
			return e.loseLease(ctx, now, "held by another process until "+exp.Format(time.RFC3339Nano))
		}
		return nil
	}
	until := asked.Add(e.cfg.LeaseTTL)
	if !until.Add(-e.leaseMargin()).After(now) {
		// Granted, but the answer came too late to pace on.
		if e.lease.held {
			return e.loseLease(ctx, now, "renewal answered past the fence")
		}
		return nil
	}
	var errs error
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
	e.lease.held, e.lease.until = true, until
	return errors.Join(errs, e.reconcileHeld(ctx, now))
}

// loseLease stops pacing and gives the hopper back; calls in flight go on.
func (e *Engine) loseLease(ctx context.Context, now time.Time, why string) error {
	e.lease.held = false
	e.want = 0
	e.cfg.Logger.WarnContext(ctx, "dialer: campaign lease lost; pacing stops", "campaign", e.cfg.Campaign, "holder", e.cfg.Holder, "why", why)
	return e.trimHopper(ctx, now, 0)
}

// reloadAbandons rebuilds the abandon accounting from the attempt log,
// read beside the loop, and the calls still in flight. e.mu must be held.
func (e *Engine) reloadAbandons(ctx context.Context, now time.Time) error {
	var b abandonBook
	b.configure(e.c, now)
	var err error
	return e.submitStore(ctx, &storeOp{name: "abandons",
		run: func(ctx context.Context) { err = b.load(ctx, e.cfg.Attempts, e.cfg.Workspace, e.cfg.Campaign, now) },
		apply: func(ctx context.Context, now time.Time) error {
			if err != nil {
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
		}}, now)
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
