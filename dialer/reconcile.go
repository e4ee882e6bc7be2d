package dialer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony"
)

// What is guaranteed across a stop (telephony.EventSink): HandleEvent
// acknowledges an event once it is queued in memory, not once it is
// applied, so a process that dies loses the events it acknowledged since
// its last step. The dial journal (queue.Service.BeginAttempt) records
// every dial before the carrier is asked, and Start repairs what was lost:
// for each dial begun and never finished whose lease still holds, it asks
// the carrier for the call's record (telephony.Reconciler) and finishes
// the attempt with the true result, or follows a call still in progress
// to its end. A dial whose lease lapsed first, or on a carrier that cannot
// tell, is logged as unknown by the queue's housekeeping.
//
// With a Config.Leaser (several processes), Start does not reconcile:
// another process may be finishing its calls. The holder of the campaign
// lease reconciles instead (reconcileHeld), and only the dials of
// processes that stopped renewing their contact leases.

// reconcile finishes, or adopts, the calls an earlier run left open. It
// runs once, at Start, before anything dials; errors are logged.
func (e *Engine) reconcile(ctx context.Context) {
	rec, ok := e.cfg.Carrier.(telephony.Reconciler)
	if !ok {
		return
	}
	open, err := e.cfg.Queue.OpenDials(ctx, e.cfg.Workspace, e.cfg.Campaign)
	if err != nil {
		e.cfg.Logger.WarnContext(ctx, "dialer: reconcile: list open dials", "err", err)
		return
	}
	for _, od := range open {
		cctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
		r, err := rec.CallRecord(cctx, telephony.CallQuery{AttemptID: string(od.Dial.AttemptID), From: od.Dial.CallerID, To: od.Dial.Number, Since: od.Dial.StartedAt})
		cancel()
		if err != nil {
			// Never placed, or the carrier cannot tell now: the lease
			// lapses and the attempt is logged as unknown.
			e.cfg.Logger.WarnContext(ctx, "dialer: reconcile: no carrier record; the attempt will be logged as unknown",
				"attempt", od.Dial.AttemptID, "contact", od.Lease.ContactID, "err", err)
			continue
		}
		if err := e.reconcileOne(ctx, od, r); err != nil {
			e.cfg.Logger.WarnContext(ctx, "dialer: reconcile", "attempt", od.Dial.AttemptID, "err", err)
		}
	}
}

// reconcileOne finishes an open dial whose call ended, or adopts a call
// still in progress.
func (e *Engine) reconcileOne(ctx context.Context, od queue.OpenDial, r telephony.CallRecord) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.publish()
	return e.adopt(ctx, od, r, e.cfg.Clock())
}

// reconcileEvery is how often an engine that holds the campaign lease
// looks for calls other processes left open.
const reconcileEvery = time.Minute

// reconcileHeld, run while the engine holds the campaign lease, finishes
// or adopts the open dials of processes that died (or lost the lease and
// stopped renewing their calls' leases), beside the loop. It is fenced
// twice: a dial whose contact lease is still being renewed (more than
// half of HopperExpiry left) belongs to a live process and is left alone,
// and the answers are applied only if the engine still holds the lease
// (short of its fence) when they come back; the queue's lease token fences
// the write itself. e.mu must be held.
func (e *Engine) reconcileHeld(ctx context.Context, now time.Time) error {
	rec, ok := e.cfg.Carrier.(telephony.Reconciler)
	if !ok || e.reconciling || now.Before(e.nextReconcile) {
		return nil
	}
	e.reconciling, e.nextReconcile = true, now.Add(reconcileEvery)
	ours := make(map[string]bool, len(e.calls))
	for id := range e.calls {
		ours[id] = true
	}
	fresh := e.c.Settings.HopperExpiry / 2
	type found struct {
		od queue.OpenDial
		r  telephony.CallRecord
	}
	var got []found
	var err error
	return e.submitStore(ctx, &storeOp{name: "reconcile",
		run: func(ctx context.Context) {
			var open []queue.OpenDial
			if open, err = e.cfg.Queue.OpenDials(ctx, e.cfg.Workspace, e.cfg.Campaign); err != nil {
				return
			}
			for _, od := range open {
				if ours[string(od.Dial.AttemptID)] || od.Lease.ExpiresAt.Sub(e.cfg.Clock()) > fresh {
					continue
				}
				cctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
				r, rerr := rec.CallRecord(cctx, telephony.CallQuery{AttemptID: string(od.Dial.AttemptID), From: od.Dial.CallerID, To: od.Dial.Number, Since: od.Dial.StartedAt})
				cancel()
				if rerr != nil {
					e.cfg.Logger.WarnContext(ctx, "dialer: reconcile: no carrier record; the attempt will be logged as unknown",
						"attempt", od.Dial.AttemptID, "contact", od.Lease.ContactID, "err", rerr)
					continue
				}
				got = append(got, found{od, r})
			}
		},
		apply: func(ctx context.Context, now time.Time) error {
			e.reconciling = false
			if err != nil {
				return fmt.Errorf("dialer: reconcile: list open dials: %w", err)
			}
			if !e.lease.held || !now.Before(e.leaseFence()) || e.stopped {
				if len(got) > 0 {
					e.cfg.Logger.WarnContext(ctx, "dialer: reconcile: campaign lease lost meanwhile; leaving the open dials to its holder", "dials", len(got))
				}
				return nil
			}
			var errs []error
			for _, f := range got {
				if _, ok := e.calls[string(f.od.Dial.AttemptID)]; ok {
					continue
				}
				errs = append(errs, e.adopt(ctx, f.od, f.r, now))
			}
			return errors.Join(errs...)
		}}, now)
}

// adopt finishes an open dial whose call ended, or adopts a call still in
// progress. e.mu must be held.
func (e *Engine) adopt(ctx context.Context, od queue.OpenDial, r telephony.CallRecord, now time.Time) error {
	c := &call{lease: od.Lease, attemptID: string(od.Dial.AttemptID), callID: r.ID, number: od.Dial.Number, callerID: od.Dial.CallerID,
		startedAt: od.Dial.StartedAt, answeredAt: r.AnsweredAt, answeredBy: r.AnsweredBy, cost: r.Cost, code: r.CarrierCode, status: r.CarrierStatus}
	if c.number == "" {
		c.number = od.Lease.Contact.Phone
	}
	c.extendAt = extendAt(od.Lease, e.c.Settings.HopperExpiry)
	switch r.AnsweredBy {
	case "human":
		c.result = campaign.ResultHuman
	case "machine":
		c.result = campaign.ResultMachine
	}
	if r.Final == "" {
		// Still in progress: follow it. A ringing call is paced and
		// bridged like any other; an answered one (its conversation, or
		// its wait, began in the earlier run) is only followed to its end.
		c.state = stateDialing
		if r.AnsweredBy != "" {
			c.state = stateHangingUp
			c.deadline = now.Add(e.c.Settings.ContactCompletionTimeout)
		} else {
			c.deadline = now.Add(e.c.Settings.RingTimeout + 2*time.Minute)
		}
		e.calls[c.attemptID] = c
		e.callOrder = append(e.callOrder, c)
		e.byCall[c.callID] = c
		c.adopted = true
		e.stats.Adopted++
		return nil
	}
	c.ended, c.endedAt = true, r.EndedAt
	if c.endedAt.IsZero() {
		c.endedAt = now
	}
	switch r.Final {
	case telephony.EventBusy:
		c.result = campaign.ResultBusy
	case telephony.EventNoAnswer:
		c.result = campaign.ResultNoAnswer
	case telephony.EventFailed:
		c.result = campaign.ResultFailed
	case telephony.EventCanceled:
		if c.result == "" {
			c.result = campaign.ResultCancelled
		}
	case telephony.EventCompleted:
		if c.result == "" {
			c.result = campaign.ResultNoAnswer
		}
	}
	if r.AnsweredBy == "human" {
		c.talk = r.Duration
	}
	// finish forgets a call it does not hold; register it first.
	e.calls[c.attemptID] = c
	e.callOrder = append(e.callOrder, c)
	e.stats.Reconciled++
	return e.finish(ctx, c, now)
}
