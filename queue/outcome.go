package queue

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/suppression"
)

// Outcome is how a leased contact's call ended.
type Outcome struct {
	// Attempt is the attempt-log row. Result is required. The Service
	// fills WorkspaceID, CampaignID, ContactID and Seq; ID when empty;
	// Number (the contact's phone) when empty; StartedAt (now) when zero;
	// DispositionID from Disposition when empty.
	Attempt campaign.Attempt
	// Disposition is the disposition the caller saved, if any: a final one
	// ends the contact, a callback one needs CallbackAt, a DNC one
	// suppresses the contact's numbers and revokes its consent.
	Disposition *campaign.Disposition
	// CallbackAt schedules a callback at that time. Defaults to
	// Attempt.Outcome.CallbackAt.
	CallbackAt time.Time
	// CallbackOwnerOnly keeps the callback for Attempt.AgentID until
	// Settings.CallbackGrace after it falls due; then anyone may take it.
	CallbackOwnerOnly bool
	// HotLead requeues a retried contact in the hot-lead lane instead of
	// the retry lane.
	HotLead bool
}

// Finish applies the outcome of a leased contact's call: it appends the
// attempt to the attempt log and moves the contact to its next state, in
// one atomic store operation:
//
//   - a DNC disposition: status DNC, consent revoked, and the contact's
//     numbers added to the global suppression list (reason "dnc_request");
//     Finish is the one place that adds them;
//   - a callback (CallbackAt or a callback disposition): status callback in
//     the callback lane at the promised time (not before
//     Settings.MinTimeBetweenCalls after this call), owner-only when asked;
//     callbacks are kept even when attempts ran out;
//   - a final disposition: completed (contacted) or no conversation;
//   - otherwise, when the result is one of Settings.RetryConditions (or a
//     live conversation without a final disposition) and attempts remain:
//     retry after Settings.RetryInterval from the end of the call;
//   - otherwise: failed.
//
// Concurrent Finish calls share store transactions: while one
// goroutine's outcomes are being written, the outcomes that arrive wait
// and are then written together by one Store.FinishMany (group commit, as
// River's batch completer). Each call still returns only once its own
// outcome is committed, with its own error.
//
// ErrLeaseLost when the lease expired or was taken over; nothing is
// applied then.
func (s *Service) Finish(ctx context.Context, l Lease, o Outcome) error {
	cc, err := s.load(ctx, l.WorkspaceID, l.CampaignID)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	a := o.Attempt
	if a.Result == "" {
		return fmt.Errorf("%w: Attempt.Result is required", ErrInvalidOutcome)
	}
	if a.AgentID != "" {
		if err := s.authorize(ctx, campaign.Actor{WorkspaceID: l.WorkspaceID, UserID: a.AgentID}, campaign.ActionSaveOutcome); err != nil {
			return err
		}
	}
	if a.ID == "" {
		a.ID = campaign.AttemptID(campaign.NewID("att", now))
	}
	a.WorkspaceID, a.CampaignID, a.ContactID, a.Seq = l.WorkspaceID, l.CampaignID, l.ContactID, l.Contact.Attempts+1
	if a.Number == "" {
		a.Number = l.Contact.Phone
	}
	if a.StartedAt.IsZero() {
		a.StartedAt = now
	}
	if o.Disposition != nil && a.DispositionID == "" {
		a.DispositionID = o.Disposition.ID
	}
	next, supp, err := s.nextState(cc, l, a, o, now)
	if err != nil {
		return err
	}
	return s.finish(ctx, LeaseFinish{Lease: l, Finished: Finished{Attempt: a, Next: next, LaneOrder: cc.s.LaneOrder, Suppress: supp}, Now: now})
}

// maxFinishBatch bounds the outcomes one Store.FinishMany writes.
const maxFinishBatch = 100

// finishCall is one Finish waiting for its outcome to be written.
type finishCall struct {
	f   LeaseFinish
	err error
	// wake receives true when err is set, false when this call is to
	// write the next batch (its own outcome is still pending).
	wake chan bool
}

// finish writes f through the group commit: the first caller while none
// is writing becomes the writer and writes every pending outcome (its own
// among them) in batches of up to maxFinishBatch, one Store.FinishMany
// each; once its own is written it hands the writing to the next waiting
// call, so no caller waits for more than the batches ahead of its own.
// Callers that arrive while a batch is written wait for the next. Under
// no concurrency a batch is one outcome.
func (s *Service) finish(ctx context.Context, f LeaseFinish) error {
	c := &finishCall{f: f, wake: make(chan bool, 1)}
	s.fmu.Lock()
	s.fpending = append(s.fpending, c)
	if s.fwriting {
		s.fmu.Unlock()
		if <-c.wake {
			return c.err
		}
	} else {
		s.fwriting = true
		s.fmu.Unlock()
	}
	// The writer. Its context's cancellation does not stop the batch:
	// the batch holds other callers' outcomes.
	wctx := context.WithoutCancel(ctx)
	for {
		s.fmu.Lock()
		k := min(len(s.fpending), maxFinishBatch)
		batch := slices.Clone(s.fpending[:k])
		s.fpending = slices.Delete(s.fpending, 0, k)
		s.fmu.Unlock()
		items := make([]LeaseFinish, len(batch))
		for i, b := range batch {
			items[i] = b.f
		}
		errs := s.store.FinishMany(wctx, items)
		mine := false
		for i, b := range batch {
			b.err = errs[i]
			if b == c {
				mine = true
			} else {
				b.wake <- true
			}
		}
		if !mine {
			continue
		}
		s.fmu.Lock()
		if len(s.fpending) > 0 {
			s.fpending[0].wake <- false // the next writer
		} else {
			s.fwriting = false
		}
		s.fmu.Unlock()
		return c.err
	}
}

func (s *Service) nextState(cc *campaignCtx, l Lease, a campaign.Attempt, o Outcome, now time.Time) (NextState, []suppression.Entry, error) {
	c, st := l.Contact, cc.s
	n := NextState{Status: campaign.ContactFailed, Lane: c.Lane, NextAttemptAt: c.NextAttemptAt, OwnerID: c.OwnerID,
		Attempts: c.Attempts + 1, LastAttemptAt: a.StartedAt, Consent: c.Consent, ExtraAttempts: l.ExtraAttempts}
	callbackAt := o.CallbackAt
	if callbackAt.IsZero() {
		callbackAt = a.Outcome.CallbackAt
	}
	earliest := a.StartedAt.Add(st.MinTimeBetweenCalls)
	var supp []suppression.Entry
	d := o.Disposition
	switch {
	case d != nil && d.DNC:
		n.Status, n.CallbackOwner = campaign.ContactDNC, ""
		if n.Consent.RevokedAt.IsZero() {
			n.Consent.RevokedAt, n.Consent.RevokedVia = now, consentRevokedViaCall
		}
		phones := append([]string{c.Phone}, c.AltPhones...)
		if a.Number != "" && !slices.Contains(phones, a.Number) {
			phones = append(phones, a.Number)
		}
		supp = suppression.SuppressDNCEntries(l.WorkspaceID, phones, a.AgentID, now, "call:"+string(a.ID))
		for i, e := range supp {
			if err := e.Validate(); err != nil {
				return n, nil, fmt.Errorf("%w: suppression entry %d: %w", ErrInvalidOutcome, i, err)
			}
		}
	case !callbackAt.IsZero() || (d != nil && d.Callback):
		if callbackAt.IsZero() {
			return n, nil, fmt.Errorf("%w: a callback disposition needs CallbackAt", ErrInvalidOutcome)
		}
		n.Status, n.Lane, n.NextAttemptAt = campaign.ContactCallback, campaign.LaneCallback, callbackAt.UTC()
		if n.NextAttemptAt.Before(earliest) {
			n.NextAttemptAt = earliest
		}
		if o.CallbackOwnerOnly {
			if a.AgentID == "" {
				return n, nil, fmt.Errorf("%w: an owner-only callback needs Attempt.AgentID", ErrInvalidOutcome)
			}
			n.CallbackOwner = a.AgentID
		}
	case d != nil && d.Final:
		n.Status = campaign.ContactNoConversation
		if d.Contacted {
			n.Status = campaign.ContactCompleted
		}
	default:
		retry := a.Result == campaign.ResultHuman || slices.Contains(st.RetryConditions, a.Result)
		if retry && n.Attempts < st.MaxAttempts+l.ExtraAttempts {
			base := a.EndedAt
			if base.IsZero() || base.After(now) {
				base = now
			}
			n.Status, n.Lane, n.NextAttemptAt = campaign.ContactRetry, campaign.LaneRetry, base.Add(st.RetryInterval)
			if o.HotLead {
				n.Lane = campaign.LaneHotLead
			}
			if n.NextAttemptAt.Before(earliest) {
				n.NextAttemptAt = earliest
			}
		}
	}
	return n, supp, nil
}

// Extend moves the lease's expiry to ttl from now, for long calls;
// ErrLeaseLost when the lease is no longer held.
func (s *Service) Extend(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if ttl <= 0 {
		return l, fmt.Errorf("queue: Extend: ttl must be positive, got %s", ttl)
	}
	exp, err := s.store.Extend(ctx, l, ttl, s.now().UTC())
	if err != nil {
		return l, err
	}
	l.ExpiresAt = exp
	return l, nil
}

// BeginAttempt records that the dial of attempt d is about to start on
// lease l; call it before asking the carrier to dial, and do not dial when
// it fails. If the lease then expires before Finish (the process died),
// the queue's housekeeping appends the attempt as unknown and counts it
// (see [Dial]). ErrLeaseLost when the lease is no longer held.
func (s *Service) BeginAttempt(ctx context.Context, l Lease, d Dial) error {
	if d.AttemptID == "" {
		return fmt.Errorf("%w: Dial.AttemptID is required", ErrInvalidOutcome)
	}
	now := s.now().UTC()
	if d.Number == "" {
		d.Number = l.Contact.Phone
	}
	if d.StartedAt.IsZero() {
		d.StartedAt = now
	}
	return s.store.BeginAttempt(ctx, l, d, now)
}

// OpenDials returns the campaign's dials that began and never finished
// while their leases still hold: the calls of a process that stopped
// without finishing them. A restarted engine finishes each with the
// carrier's record of the call (see dialer). The leases are the stopped
// process's; Finish and Release accept them until they expire.
func (s *Service) OpenDials(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]OpenDial, error) {
	return s.store.OpenDials(ctx, ws, id, s.now().UTC())
}

// Release gives a leased contact back without an attempt (the carrier
// refused before dialing, the dialer is shutting down): it returns to its
// lane with its status before the claim. ErrLeaseLost when the lease is no
// longer held.
func (s *Service) Release(ctx context.Context, l Lease) error {
	cc, err := s.load(ctx, l.WorkspaceID, l.CampaignID)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	return s.store.Release(ctx, l, Released{Next: s.restored(l), LaneOrder: cc.s.LaneOrder}, now)
}

// Redistribute moves the campaign's waiting contacts owned by from (as
// owner or callback owner) to to; with to empty they become unowned and
// wait in the redistributable lane for anyone. Leased contacts are left
// alone. It reports how many moved.
func (s *Service) Redistribute(ctx context.Context, actor campaign.Actor, id campaign.ID, from, to campaign.UserID) (int, error) {
	return s.redistribute(ctx, actor, id, Reassignment{From: from, To: to})
}

// RedistributeStale is Redistribute for the contacts of from that nobody
// has called for untouchedFor (never-called contacts count from their
// creation): the leads of an inactive owner.
func (s *Service) RedistributeStale(ctx context.Context, actor campaign.Actor, id campaign.ID, from, to campaign.UserID, untouchedFor time.Duration) (int, error) {
	if untouchedFor <= 0 {
		return 0, fmt.Errorf("queue: RedistributeStale: untouchedFor must be positive, got %s", untouchedFor)
	}
	return s.redistribute(ctx, actor, id, Reassignment{From: from, To: to, UntouchedSince: s.now().UTC().Add(-untouchedFor)})
}

func (s *Service) redistribute(ctx context.Context, actor campaign.Actor, id campaign.ID, r Reassignment) (int, error) {
	if r.From == "" {
		return 0, fmt.Errorf("queue: Redistribute: from is required")
	}
	if err := s.authorize(ctx, actor, campaign.ActionManageCampaign); err != nil {
		return 0, err
	}
	cc, err := s.load(ctx, actor.WorkspaceID, id)
	if err != nil {
		return 0, err
	}
	r.LaneOrder = cc.s.LaneOrder
	now := s.now().UTC()
	action, to := "queue.reassign", string(r.To)
	if r.To == "" {
		action, to = "queue.redistribute", "anyone"
	}
	detail := fmt.Sprintf("from %s to %s", r.From, to)
	if !r.UntouchedSince.IsZero() {
		detail += ", untouched since " + r.UntouchedSince.Format(time.RFC3339)
	}
	r.Audit = queueAudit(actor, action, id, detail, now)
	return s.store.Reassign(ctx, actor.WorkspaceID, id, r, now)
}

// Retry requeues the given contacts of the campaign in the retry lane, due
// now ("retry this contact"); a contact out of attempts is granted one
// more. Leased and DNC contacts are left alone. It reports how many were
// requeued.
func (s *Service) Retry(ctx context.Context, actor campaign.Actor, id campaign.ID, contacts ...campaign.ContactID) (int, error) {
	if len(contacts) == 0 {
		return 0, nil
	}
	return s.requeue(ctx, actor, id, Requeue{ContactIDs: contacts})
}

// RetryFailed requeues every failed contact of the campaign ("retry all
// failed"), each granted one more attempt.
func (s *Service) RetryFailed(ctx context.Context, actor campaign.Actor, id campaign.ID) (int, error) {
	return s.requeue(ctx, actor, id, Requeue{Status: campaign.ContactFailed})
}

func (s *Service) requeue(ctx context.Context, actor campaign.Actor, id campaign.ID, r Requeue) (int, error) {
	if err := s.authorize(ctx, actor, campaign.ActionManageCampaign); err != nil {
		return 0, err
	}
	cc, err := s.load(ctx, actor.WorkspaceID, id)
	if err != nil {
		return 0, err
	}
	r.MaxAttempts, r.LaneOrder = cc.s.MaxAttempts, cc.s.LaneOrder
	now := s.now().UTC()
	action, detail := "queue.retry_failed", "status "+string(r.Status)
	if len(r.ContactIDs) > 0 {
		action, detail = "queue.retry", "contacts "+listIDs(r.ContactIDs, 20)
	}
	r.Audit = queueAudit(actor, action, id, detail, now)
	return s.store.Requeue(ctx, actor.WorkspaceID, id, r, now)
}

// queueAudit is the audit entry of a member's queue action on campaign id;
// the store appends the count of contacts changed (see [AuditCount]).
func queueAudit(actor campaign.Actor, action string, id campaign.ID, detail string, now time.Time) campaign.AuditEntry {
	return campaign.AuditEntry{ID: campaign.AuditID(campaign.NewID("aud", now)), WorkspaceID: actor.WorkspaceID, ActorID: actor.UserID,
		Action: action, Entity: "campaign", EntityID: string(id), Detail: detail, At: now}
}

// listIDs joins up to max contact IDs, saying how many more there are.
func listIDs(ids []campaign.ContactID, max int) string {
	var b strings.Builder
	for i, id := range ids {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(ids)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(id))
	}
	return b.String()
}
