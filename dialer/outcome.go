package dialer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/suppression"
)

// OutcomeInput is what a caller (or an AI agent) saves after a call.
type OutcomeInput struct {
	DispositionID campaign.DispositionID
	Note          string
	// Fields are the disposition's required fields and any others.
	Fields          map[string]string
	MeetingBooked   bool
	MeetingAt       time.Time
	MeetingAccepted bool
	QualifiedLead   bool
	Opportunity     bool
	Revenue         campaign.Money
	// CallbackAt schedules a callback; required by a callback disposition.
	CallbackAt time.Time
	// CallbackOwnerOnly keeps the callback for this caller (see
	// Settings.CallbackGrace).
	CallbackOwnerOnly bool
	FollowUp          string
	Goals             map[campaign.GoalID]string
	Answers           map[campaign.AnalysisID][]string
	// PlaybookSteps are the script steps done; Config.Playbook lists the
	// required ones.
	PlaybookSteps []string
	// HotLead requeues a retried contact in the hot-lead lane.
	HotLead bool
}

// MissingError lists what an outcome lacks; it wraps ErrOutcomeIncomplete.
type MissingError struct {
	// Missing names each missing item: "note", "field:meeting_at",
	// "playbook:intro", "qualification:budget", "callback_at".
	Missing []string
}

// Error implements error.
func (e *MissingError) Error() string {
	return "dialer: outcome incomplete: missing " + strings.Join(e.Missing, ", ")
}

// Unwrap makes errors.Is(err, ErrOutcomeIncomplete) true.
func (e *MissingError) Unwrap() error { return ErrOutcomeIncomplete }

// missing lists what in lacks for disposition d.
func (e *Engine) missing(d campaign.Disposition, in OutcomeInput) []string {
	var m []string
	if d.RequiresNote && strings.TrimSpace(in.Note) == "" {
		m = append(m, "note")
	}
	for _, f := range d.RequiredFields {
		if strings.TrimSpace(in.Fields[f]) == "" {
			m = append(m, "field:"+f)
		}
	}
	if d.Callback && in.CallbackAt.IsZero() {
		m = append(m, "callback_at")
	}
	if d.Contacted {
		for _, s := range e.cfg.Playbook {
			if !slices.Contains(in.PlaybookSteps, s) {
				m = append(m, "playbook:"+s)
			}
		}
	}
	if d.Qualified {
		for _, f := range e.cfg.QualificationFields {
			if strings.TrimSpace(in.Fields[f]) == "" {
				m = append(m, "qualification:"+f)
			}
		}
	}
	return m
}

// SaveOutcome records the disposition of a call the actor took. It is
// refused with a *MissingError listing what is missing until the
// disposition's required note and fields, the playbook's steps and the
// qualification criteria are present, and with a campaign.ValidationError
// when a goal result or an answer does not fit the campaign's goals and
// questions (see campaign.ValidateOutcome). Saved after the call, it writes the
// attempt through the queue at once (the contact leaves call state, a DNC
// disposition revokes consent and suppresses the number) and ends the
// agent's wrap-up; saved during the call, it is applied when the call ends.
func (e *Engine) SaveOutcome(ctx context.Context, actor campaign.Actor, attemptID string, in OutcomeInput) error {
	if err := e.authorize(ctx, actor, campaign.ActionSaveOutcome); err != nil {
		return err
	}
	if err := e.checkGoalsAndAnswers(ctx, in); err != nil {
		return err
	}
	var (
		c     *call
		l     queue.Lease
		full  queue.Outcome
		err   error
		write bool
	)
	e.owned(func() {
		var ok bool
		c, ok = e.calls[attemptID]
		if !ok || c.state < stateTalking || c.state == stateHangingUp {
			if at, ok := e.timedOut[attemptID]; ok {
				err = fmt.Errorf("%w: attempt %s was written without it at %s (ContactCompletionTimeout %s)",
					ErrOutcomeTimeout, attemptID, at.Format(time.RFC3339), e.c.Settings.ContactCompletionTimeout)
				return
			}
			if e.lostAtStop[attemptID] {
				err = fmt.Errorf("%w: attempt %s was written without its outcome when the engine stopped (Stats.LostOutcomes counts it)", ErrStopped, attemptID)
				return
			}
			err = fmt.Errorf("%w: %s", ErrUnknownAttempt, attemptID)
			return
		}
		if c.agent != actor.UserID {
			err = fmt.Errorf("%w: attempt %s was taken by %s, not %s", campaign.ErrForbidden, attemptID, c.agent, actor.UserID)
			return
		}
		d, ok := e.disps[in.DispositionID]
		if !ok || d.Archived {
			err = fmt.Errorf("%w: disposition %q of campaign %s", campaign.ErrNotFound, in.DispositionID, e.cfg.Campaign)
			return
		}
		if m := e.missing(d, in); len(m) > 0 {
			err = &MissingError{Missing: m}
			return
		}
		o := queue.Outcome{Disposition: &d, CallbackAt: in.CallbackAt, CallbackOwnerOnly: in.CallbackOwnerOnly, HotLead: in.HotLead}
		o.Attempt.DispositionID = d.ID
		o.Attempt.Outcome = campaign.OutcomeDetails{Note: in.Note, Fields: in.Fields, MeetingBooked: in.MeetingBooked, MeetingAt: in.MeetingAt,
			MeetingAccepted: in.MeetingAccepted, QualifiedLead: in.QualifiedLead || d.Qualified, Opportunity: in.Opportunity, Revenue: in.Revenue,
			CallbackAt: in.CallbackAt, FollowUp: in.FollowUp, Goals: in.Goals, Answers: in.Answers, PlaybookSteps: in.PlaybookSteps}
		c.outcome = &o
		if c.state != stateOutcome {
			// Saved during the call: written when it ends.
			return
		}
		// The write runs in the caller's goroutine, outside the engine's
		// state: the call leaves the engine first, so the loop cannot
		// touch it meanwhile, and comes back if the store fails.
		write = true
		l, full = e.forget(ctx, c, e.cfg.Clock())
	})
	if !write {
		return err
	}
	werr := e.cfg.Queue.Finish(ctx, l, full)
	e.owned(func() {
		now := e.cfg.Clock()
		err = e.finished(ctx, c, full, werr)
		if err != nil && !errors.Is(err, ErrOutcomeLost) {
			// The outcome could not be written (the store failed): it
			// stays with the call, to be saved again or timed out.
			c.done = false
			e.calls[c.attemptID], e.wrapping[c.attemptID] = c, c
			if !slices.Contains(e.callOrder, c) {
				e.callOrder = append(e.callOrder, c)
			}
			return
		}
		if d, ok := e.agents.endWrap(c.agent, now); ok {
			e.pacer.Observe(pacing.Event{At: now, Kind: pacing.EventWrapEnded, Duration: d})
		}
		e.connectWaiting(ctx, now)
		e.publish()
	})
	return err
}

// PreviewContext is what a caller sees before starting a preview call.
type PreviewContext struct {
	// Lease holds the contact for the caller until it expires.
	Lease   queue.Lease
	Contact campaign.Contact
	// History is the contact's earlier attempts, oldest first.
	History []campaign.Attempt
	// Suppressed lists suppression matches now (a contact suppressed since
	// it was queued is refused at Dial).
	Suppressed []suppression.Match
	// Facts and Warnings are the number's facts (zones, type) and
	// scheduling warnings.
	Facts    compliance.NumberFacts
	Warnings []compliance.NumberWarning
	// Script is the campaign's playbook.
	Script []string
	// Notes are the contact's notes.
	Notes string
}

// Preview leases the best contact for the caller (their own due callbacks
// first) and returns its context. The caller must be logged in and
// available; the contact is theirs until they Dial or Skip it, or the
// lease expires.
func (e *Engine) Preview(ctx context.Context, actor campaign.Actor) (PreviewContext, error) {
	if err := e.authorize(ctx, actor, campaign.ActionDial); err != nil {
		return PreviewContext{}, err
	}
	var (
		ok    bool
		free  bool
		state campaign.AgentState
		ttl   time.Duration
	)
	e.owned(func() {
		var s *agentSession
		if s, ok = e.agents.byID[actor.UserID]; ok {
			free, state = s.free(), s.State
		}
		ttl = e.c.Settings.HopperExpiry
	})
	if !ok {
		return PreviewContext{}, fmt.Errorf("%w: %s", ErrNoAgent, actor.UserID)
	}
	if !free {
		return PreviewContext{}, fmt.Errorf("dialer: %s is %s", actor.UserID, state)
	}
	l, err := e.cfg.Queue.Next(ctx, actor, e.cfg.Campaign, ttl)
	if err != nil {
		return PreviewContext{}, err
	}
	p := PreviewContext{Lease: l, Contact: l.Contact, Script: e.cfg.Playbook, Notes: l.Contact.Notes}
	hist, err := e.cfg.Attempts.ListAttempts(ctx, e.cfg.Workspace, queue.AttemptFilter{CampaignID: e.cfg.Campaign, ContactID: l.ContactID, Limit: 100})
	if err != nil {
		return PreviewContext{}, err
	}
	p.History = hist
	var target suppression.Target
	var numbers *compliance.Checker
	e.owned(func() { target, numbers = suppression.TargetOf(e.c), e.numbers })
	ms, err := e.cfg.Suppression.Check(ctx, e.cfg.Workspace, suppression.Query{Target: target, Numbers: []string{l.Contact.Phone}})
	if err != nil {
		return PreviewContext{}, err
	}
	p.Suppressed = ms[l.Contact.Phone]
	if f, err := numbers.Check(l.Contact.Phone); err == nil {
		p.Facts, p.Warnings = f, f.Warnings
	}
	return p, nil
}

// Dial starts the preview call: the dial-time gate runs again, and the
// answered call goes straight to the caller, who is reserved for it. It
// returns the attempt ID the outcome is saved under.
func (e *Engine) Dial(ctx context.Context, actor campaign.Actor, p PreviewContext) (string, error) {
	if err := e.authorize(ctx, actor, campaign.ActionDial); err != nil {
		return "", err
	}
	if err := e.ownLease(p.Lease); err != nil {
		return "", err
	}
	var (
		env placeEnv
		now time.Time
		err error
	)
	e.owned(func() {
		switch {
		case e.stopped:
			err = ErrStopped
			return
		case e.exec == nil:
			err = ErrNotRunning
			return
		}
		now = e.cfg.Clock()
		if _, ok := e.agents.acquireID(actor.UserID, now); !ok {
			err = fmt.Errorf("%w: %s is not free", ErrNoAgent, actor.UserID)
			return
		}
		env = e.placeEnv()
	})
	if err != nil {
		return "", err
	}
	// The gate and the journal run in the caller's goroutine, outside the
	// engine's state; the caller stays reserved meanwhile.
	p2 := e.prepare(ctx, env, p.Lease, actor.UserID, now)
	var id string
	e.owned(func() {
		now := e.cfg.Clock()
		var placed bool
		placed, err = e.commit(ctx, p2, now)
		defer e.publish()
		if !placed {
			e.agents.release(actor.UserID, 0, now)
			if err == nil {
				err = fmt.Errorf("dialer: contact %s may not be called now (see its block)", p.Lease.ContactID)
			}
			return
		}
		p2.c.agent = actor.UserID
		id = p2.c.attemptID
	})
	if id == "" {
		return "", err
	}
	return id, err
}

// Skip gives a previewed contact back to the queue without calling it.
func (e *Engine) Skip(ctx context.Context, actor campaign.Actor, p PreviewContext) error {
	if err := e.authorize(ctx, actor, campaign.ActionDial); err != nil {
		return err
	}
	if err := e.ownLease(p.Lease); err != nil {
		return err
	}
	return e.release(ctx, p.Lease)
}

// ownLease refuses a lease of another workspace or campaign than the
// engine's, so a preview context cannot carry a contact across tenants.
func (e *Engine) ownLease(l queue.Lease) error {
	if l.WorkspaceID != e.cfg.Workspace || l.CampaignID != e.cfg.Campaign {
		return fmt.Errorf("%w: lease of contact %s belongs to campaign %s of workspace %q, not this engine's",
			campaign.ErrForbidden, l.ContactID, l.CampaignID, l.WorkspaceID)
	}
	return nil
}
