package dialer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
)

// callState is where a call stands in the engine.
type callState int

const (
	stateDialing   callState = iota // placed, not answered
	stateWaiting                    // answered live, waiting for an agent
	stateTalking                    // bridged to an agent
	stateHangingUp                  // we hung up (machine, abandon); waiting for the terminal event
	stateOutcome                    // ended after a conversation; waiting for the agent's outcome
)

// call is one attempt in flight.
type call struct {
	lease      queue.Lease
	attemptID  string
	callID     telephony.CallID
	number     string
	callerID   string
	state      callState
	startedAt  time.Time
	answeredAt time.Time
	bridgedAt  time.Time
	endedAt    time.Time
	ended      bool
	agent      campaign.UserID
	preview    campaign.UserID // the caller who started a preview call
	result     campaign.Result
	answeredBy string
	abandoned  bool
	talk       time.Duration
	cost       telephony.Cost
	code       string
	status     string
	// deadline is when the engine must act on the call by itself: lease
	// extension, a missing terminal event, the outcome timeout.
	deadline time.Time
	outcome  *queue.Outcome
	// done is set when the call left the engine (see Engine.callOrder).
	done bool
	// dialSeq numbers the call among the engine's dials, for the failure
	// guardrail; judged is set once its outcome fed the guardrail.
	dialSeq uint64
	judged  bool
	// dialing is set while the dial request is in flight; hangupOnDial
	// asks for a hang-up as soon as it returns a call ID.
	dialing      bool
	hangupOnDial bool
	// extendAt is when the engine next extends the call's lease; zero once
	// the lease is lost.
	extendAt time.Time
	// adopted marks a call of an earlier run followed to its end.
	adopted bool
	// extending is set while a lease extension runs beside the loop.
	extending bool
}

// sortedCalls returns the calls in flight in the order they were placed,
// so every pass over them is deterministic.
func (e *Engine) sortedCalls() []*call {
	if len(e.callOrder) > 2*len(e.calls)+64 {
		live := e.callOrder[:0]
		for _, c := range e.callOrder {
			if !c.done {
				live = append(live, c)
			}
		}
		clear(e.callOrder[len(live):])
		e.callOrder = live
	}
	cs := make([]*call, 0, len(e.calls))
	for _, c := range e.callOrder {
		if !c.done {
			cs = append(cs, c)
		}
	}
	return cs
}

// apply applies one carrier event, once: duplicates and stale events are
// dropped by the sequencer.
func (e *Engine) apply(ctx context.Context, ev telephony.Event, now time.Time) error {
	c := e.byCall[ev.CallID]
	if c == nil && ev.AttemptID != "" {
		c = e.calls[ev.AttemptID]
		if c != nil && c.callID == "" {
			c.callID = ev.CallID
			e.byCall[ev.CallID] = c
		}
	}
	if ev.Type.Terminal() {
		e.heardEnd(ev.CallID)
	}
	if c == nil {
		e.cfg.Logger.DebugContext(ctx, "dialer: event for an unknown call", "call", ev.CallID, "type", ev.Type)
		return nil
	}
	if v := e.seq.Observe(ev); !v.OK() {
		return nil
	}
	if !ev.Cost.IsZero() {
		c.cost = ev.Cost
	}
	if ev.CarrierCode != "" {
		c.code = ev.CarrierCode
	}
	if ev.CarrierStatus != "" {
		c.status = ev.CarrierStatus
	}
	at := ev.At
	if at.IsZero() {
		at = now
	}
	switch ev.Type {
	case telephony.EventQueued, telephony.EventRinging, telephony.EventBridged:
	case telephony.EventAnsweredHuman:
		if c.state != stateDialing {
			return nil
		}
		c.answeredAt, c.answeredBy = at, "human"
		e.pacer.Observe(pacing.Event{At: at, Kind: pacing.EventLive, Duration: at.Sub(c.startedAt)})
		e.stats.Live++
		e.abandon.answered(at)
		e.recordFailure(ctx, c, false, now)
		c.state = stateWaiting
		if c.preview != "" {
			return e.bridge(ctx, c, c.preview, now)
		}
		e.waiting = append(e.waiting, c)
		e.connectWaiting(ctx, now)
	case telephony.EventAnsweredMachine:
		if c.state != stateDialing {
			return nil
		}
		c.answeredAt, c.answeredBy, c.result = at, "machine", campaign.ResultMachine
		e.pacer.Observe(pacing.Event{At: at, Kind: pacing.EventMachine, Duration: at.Sub(c.startedAt)})
		e.stats.Machine++
		e.recordFailure(ctx, c, false, now)
		c.state = stateHangingUp
		c.deadline = now.Add(time.Minute)
		e.hangup(c, now)
	case telephony.EventBusy, telephony.EventNoAnswer, telephony.EventFailed, telephony.EventCanceled:
		c.ended, c.endedAt = true, at
		if c.state == stateDialing {
			kind, res := pacing.EventNoAnswer, campaign.ResultNoAnswer
			switch ev.Type {
			case telephony.EventBusy:
				kind, res = pacing.EventBusy, campaign.ResultBusy
				e.stats.Busy++
			case telephony.EventFailed:
				kind, res = pacing.EventFailed, campaign.ResultFailed
				e.stats.Failed++
			case telephony.EventCanceled:
				kind, res = pacing.EventFailed, campaign.ResultCancelled
			default:
				e.stats.NoAnswer++
			}
			e.pacer.Observe(pacing.Event{At: at, Kind: kind, Duration: at.Sub(c.startedAt)})
			c.result = res
			e.recordFailure(ctx, c, ev.Type == telephony.EventFailed, now)
		}
		if c.state == stateWaiting {
			// The callee hung up while waiting for an agent.
			e.dropWaiting(c)
			c.abandoned, c.result = true, campaign.ResultAbandoned
		}
		return e.end(ctx, c, now)
	case telephony.EventCompleted:
		c.ended, c.endedAt = true, at
		if ev.Duration > 0 && (c.state == stateTalking || (c.adopted && c.answeredBy == "human")) {
			c.talk = ev.Duration
		}
		return e.end(ctx, c, now)
	}
	return nil
}

// end handles the terminal event of a call.
func (e *Engine) end(ctx context.Context, c *call, now time.Time) error {
	switch c.state {
	case stateTalking:
		if c.talk == 0 || !c.bridgedAt.IsZero() {
			c.talk = c.endedAt.Sub(c.bridgedAt)
		}
		e.stats.TalkTime += c.talk
		e.pacer.Observe(pacing.Event{At: c.endedAt, Kind: pacing.EventTalkEnded, Duration: c.talk})
		if c.result == "" {
			c.result = campaign.ResultHuman
		}
		wrap := e.c.Settings.WrapUp
		e.agents.release(c.agent, wrap, now)
		c.state = stateOutcome
		c.deadline = now.Add(e.c.Settings.ContactCompletionTimeout)
		e.wrapping[c.attemptID] = c
		if c.outcome != nil {
			// The agent saved the outcome during the call: no wrap-up left.
			err := e.finish(ctx, c, now)
			if d, ok := e.agents.endWrap(c.agent, now); ok {
				e.pacer.Observe(pacing.Event{At: now, Kind: pacing.EventWrapEnded, Duration: d})
			}
			return err
		}
		return nil
	case stateWaiting:
		e.dropWaiting(c)
		c.abandoned, c.result = true, campaign.ResultAbandoned
	}
	if c.result == "" {
		c.result = campaign.ResultUnknown
	}
	return e.finish(ctx, c, now)
}

// finish forgets the call and writes its attempt through the queue,
// beside the loop (see storeOp); a failed write is logged, and one that
// loses an outcome to a lost lease counts in Stats.LostOutcomes.
func (e *Engine) finish(ctx context.Context, c *call, now time.Time) error {
	l, o := e.forget(ctx, c, now)
	var err error
	return e.submitStore(ctx, &storeOp{name: "finish",
		run: func(ctx context.Context) { err = e.cfg.Queue.Finish(ctx, l, o) },
		apply: func(ctx context.Context, _ time.Time) error {
			return e.finished(ctx, c, o, err)
		}}, now)
}

// finished accounts for the write of call c's attempt. e.mu must be held.
func (e *Engine) finished(ctx context.Context, c *call, o queue.Outcome, err error) error {
	if errors.Is(err, queue.ErrLeaseLost) {
		e.cfg.Logger.ErrorContext(ctx, "dialer: lease lost before the attempt was written", "contact", c.lease.ContactID, "attempt", c.attemptID, "with_outcome", o.Disposition != nil)
		if o.Disposition != nil {
			e.stats.LostOutcomes++
			return fmt.Errorf("%w: attempt %s: %w", ErrOutcomeLost, c.attemptID, err)
		}
		return fmt.Errorf("dialer: attempt %s: %w", c.attemptID, err)
	}
	if err != nil {
		e.cfg.Logger.ErrorContext(ctx, "dialer: attempt not written; the queue logs it as unknown when its lease lapses", "contact", c.lease.ContactID, "attempt", c.attemptID, "err", err)
	}
	return err
}

// forget takes the call out of the engine and builds the outcome its
// attempt is written with. e.mu must be held.
func (e *Engine) forget(ctx context.Context, c *call, now time.Time) (queue.Lease, queue.Outcome) {
	c.done = true
	// A dial that ended without a first outcome (unknown, cut by Stop)
	// still takes its place in the guardrail's window, so later ones can
	// enter it; it is not counted as a carrier failure.
	e.recordFailure(ctx, c, false, now)
	delete(e.calls, c.attemptID)
	delete(e.wrapping, c.attemptID)
	if c.callID != "" {
		delete(e.byCall, c.callID)
		e.seq.Forget(c.callID)
	}
	if c.state == stateWaiting {
		e.dropWaiting(c)
	}
	if c.agent != "" && c.state != stateOutcome {
		// The agent was not released by the end of a conversation: a
		// preview call that was never answered, or a call cut by Stop.
		e.agents.release(c.agent, 0, now)
	}
	o := queue.Outcome{}
	if c.outcome != nil {
		o = *c.outcome
	}
	a := &o.Attempt
	a.ID = campaign.AttemptID(c.attemptID)
	a.Number, a.CallerID, a.Result, a.AnsweredBy = c.number, c.callerID, c.result, c.answeredBy
	a.StartedAt, a.AnsweredAt = c.startedAt, c.answeredAt
	a.EndedAt = c.endedAt
	if a.EndedAt.IsZero() {
		a.EndedAt = now
	}
	switch {
	case !c.answeredAt.IsZero():
		a.RingDuration = c.answeredAt.Sub(c.startedAt)
	default:
		a.RingDuration = a.EndedAt.Sub(c.startedAt)
	}
	a.TalkDuration = c.talk
	if c.state == stateOutcome && a.WrapDuration == 0 {
		a.WrapDuration = now.Sub(a.EndedAt)
	}
	a.Cost, a.Currency = campaign.Money(c.cost.Micros), c.cost.Currency
	a.CarrierCallID, a.CarrierCode, a.CarrierStatus = string(c.callID), c.code, c.status
	a.AgentID, a.Abandoned = c.agent, c.abandoned
	return c.lease, o
}

// bridge connects a live answer to an agent (or to the preview caller):
// the agent is taken now and the bridge request goes to the carrier beside
// the loop.
func (e *Engine) bridge(ctx context.Context, c *call, agent campaign.UserID, now time.Time) error {
	s := e.agents.byID[agent]
	if s == nil {
		return fmt.Errorf("%w: %s", ErrNoAgent, agent)
	}
	c.agent, c.state, c.bridgedAt = agent, stateTalking, now
	s.lastCall = c.callID
	c.deadline = time.Time{}
	e.stats.Connected++
	if c.callID == "" {
		// Answered before the dial returned: bridge when it does.
		return nil
	}
	e.submit(&carrierOp{kind: opBridge, attemptID: c.attemptID, callID: c.callID, to: s.Endpoint}, now)
	return nil
}

// bridgeResult retries a bridge the carrier refused for a reason a retry
// may fix while the answer is still within BridgeWithin; otherwise the
// agent is freed and the call hung up.
func (e *Engine) bridgeResult(ctx context.Context, op *carrierOp, now time.Time) error {
	c := e.byCall[op.callID]
	if op.err == nil || c == nil || c.state != stateTalking || c.ended {
		return nil
	}
	unknown := telephony.IsOutcomeUnknown(op.err)
	switch {
	case errors.Is(op.err, telephony.ErrCallState) && op.unsure:
		// An earlier try whose answer was lost did bridge.
		return nil
	case (unknown || telephony.IsRetryable(op.err)) && now.Sub(c.answeredAt) < e.cfg.BridgeWithin:
		op.tries++
		op.unsure = op.unsure || unknown
		op.err = nil
		e.submit(op, now)
		return nil
	case unknown:
		// It may have bridged: hanging up could cut a conversation. If it
		// did not, the callee hangs up and the call ends on its own.
		e.cfg.Logger.WarnContext(ctx, "dialer: bridge outcome unknown; keeping the call", "call", c.callID, "attempt", c.attemptID, "err", op.err)
		return nil
	}
	e.cfg.Logger.WarnContext(ctx, "dialer: bridge failed", "call", c.callID, "attempt", c.attemptID, "err", op.err)
	e.agents.release(c.agent, 0, now)
	e.stats.Connected--
	c.agent, c.bridgedAt = "", time.Time{}
	c.state, c.result, c.code = stateHangingUp, campaign.ResultFailed, "bridge_failed"
	c.deadline = now.Add(time.Minute)
	e.hangup(c, now)
	return nil
}

// dialResult applies the carrier's answer to a dial request.
func (e *Engine) dialResult(ctx context.Context, op *carrierOp, now time.Time) error {
	c := e.calls[op.attemptID]
	if c == nil {
		// The call ended meanwhile (its events came by attempt ID, or Stop
		// finished it): make sure it is down.
		if op.err == nil && op.id != "" {
			e.submit(&carrierOp{kind: opHangup, attemptID: op.attemptID, callID: op.id}, now)
		}
		return nil
	}
	c.dialing = false
	err := op.err
	switch {
	case err == nil:
		if c.callID == "" {
			c.callID = op.id
			e.byCall[op.id] = c
		}
		if c.hangupOnDial {
			c.hangupOnDial = false
			e.hangup(c, now)
		} else if c.state == stateTalking {
			// Answered and given an agent before the dial returned.
			if s := e.agents.byID[c.agent]; s != nil {
				s.lastCall = c.callID
				e.submit(&carrierOp{kind: opBridge, attemptID: c.attemptID, callID: c.callID, to: s.Endpoint}, now)
			}
		}
		return nil
	case telephony.IsOutcomeUnknown(err):
		// It may have rung: keep the call and wait for its events by
		// attempt ID; the deadline finishes it as unknown otherwise.
		e.cfg.Logger.WarnContext(ctx, "dialer: dial outcome unknown", "attempt", c.attemptID, "err", err)
		return nil
	case c.callID != "" || c.state != stateDialing:
		// Events already showed the call exists: the error is stale.
		return nil
	case telephony.IsRetryable(err):
		if d := telephony.RetryAfter(err); d > 0 {
			e.dialsUntil = later(e.dialsUntil, now.Add(d))
		}
		c.done = true
		delete(e.calls, c.attemptID)
		e.stats.Dials--
		e.recordFailure(ctx, c, true, now)
		if c.agent != "" {
			e.agents.release(c.agent, 0, now)
		}
		return errors.Join(fmt.Errorf("dialer: dial: %w", err), e.giveBack(ctx, now, c.lease))
	default:
		c.result, c.ended, c.endedAt = campaign.ResultFailed, true, now
		var te *telephony.Error
		if errors.As(err, &te) {
			c.code = te.Code
		}
		e.stats.Failed++
		e.recordFailure(ctx, c, true, now)
		e.pacer.Observe(pacing.Event{At: now, Kind: pacing.EventFailed})
		return e.finish(ctx, c, now)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// connectWaiting gives waiting live answers to free agents: first each
// answer whose assigned agent is free to that agent, then the others,
// oldest first, to the longest-idle free agent, except an answer still
// waiting for its busy assigned agent (Settings.OwnerWait).
func (e *Engine) connectWaiting(ctx context.Context, now time.Time) {
	for i := 0; i < len(e.waiting); {
		c := e.waiting[i]
		if a := assignedAgent(e.c, c.lease.Contact); a != "" {
			if s, ok := e.agents.acquireID(a, now); ok {
				e.waiting = slices.Delete(e.waiting, i, i+1)
				_ = e.bridge(ctx, c, s.ID, now)
				continue
			}
		}
		i++
	}
	for i := 0; i < len(e.waiting); {
		c := e.waiting[i]
		if !e.ownerWaitEnds(c).After(now) {
			s, ok := e.agents.acquire(now)
			if !ok {
				return
			}
			e.waiting = slices.Delete(e.waiting, i, i+1)
			_ = e.bridge(ctx, c, s.ID, now)
			continue
		}
		i++
	}
}

// assignedAgent is the agent assigned to ct's calls in campaign c: its
// owner, else the campaign's AssignedAgent.
func assignedAgent(c campaign.Campaign, ct campaign.Contact) campaign.UserID {
	if ct.OwnerID != "" {
		return ct.OwnerID
	}
	return campaign.UserID(c.Settings.AssignedAgent)
}

// ownerWaitEnds is when waiting answer c stops waiting for its assigned
// agent and anyone free may take it: its answer plus Settings.OwnerWait
// while that agent is logged in (busy), the zero time otherwise.
func (e *Engine) ownerWaitEnds(c *call) time.Time {
	a := assignedAgent(e.c, c.lease.Contact)
	if a == "" || e.c.Settings.OwnerWait <= 0 {
		return time.Time{}
	}
	if _, in := e.agents.byID[a]; !in {
		return time.Time{}
	}
	return c.answeredAt.Add(e.c.Settings.OwnerWait)
}

// ownerWake is the earliest end of a waiting answer's wait for its
// assigned agent still ahead of now, or the zero time.
func (e *Engine) ownerWake(now time.Time) time.Time {
	var next time.Time
	for _, c := range e.waiting {
		if t := e.ownerWaitEnds(c); t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

func (e *Engine) dropWaiting(c *call) {
	if i := slices.Index(e.waiting, c); i >= 0 {
		e.waiting = slices.Delete(e.waiting, i, i+1)
	}
}

// expireWaiting abandons live answers that waited BridgeWithin for an
// agent: the abandon message plays, the call hangs up and counts.
func (e *Engine) expireWaiting(ctx context.Context, now time.Time) {
	for len(e.waiting) > 0 {
		c := e.waiting[0]
		if now.Sub(c.answeredAt) < e.cfg.BridgeWithin {
			return
		}
		// An agent freeing at this very instant takes the call first:
		// its assigned agent, else anyone.
		s, ok := e.agents.acquireID(assignedAgent(e.c, c.lease.Contact), now)
		if !ok {
			s, ok = e.agents.acquire(now)
		}
		if ok {
			e.waiting = e.waiting[1:]
			_ = e.bridge(ctx, c, s.ID, now)
			continue
		}
		e.waiting = e.waiting[1:]
		c.abandoned, c.result, c.state = true, campaign.ResultAbandoned, stateHangingUp
		c.deadline = now.Add(time.Minute)
		e.stats.Abandoned++
		e.abandon.abandoned(c.answeredAt)
		if c.callID != "" {
			// The message, then the hang-up when it has played.
			e.submit(&carrierOp{kind: opPlay, attemptID: c.attemptID, callID: c.callID, msg: e.cfg.AbandonMessage}, now)
		} else {
			e.hangup(c, now)
		}
		if on := e.cfg.OnAbandon; on != nil {
			a := campaign.Attempt{ID: campaign.AttemptID(c.attemptID), WorkspaceID: e.cfg.Workspace, CampaignID: e.cfg.Campaign,
				ContactID: c.lease.ContactID, Number: c.number, StartedAt: c.startedAt, AnsweredAt: c.answeredAt, Abandoned: true, Result: campaign.ResultAbandoned}
			e.hooks = append(e.hooks, func() { on(a) })
		}
	}
}

// timeouts acts on calls whose deadline passed: it extends the lease of
// every call in flight, up to the saving of its outcome, finishes a call
// whose terminal event never came, and finishes an outcome the agent never
// saved.
func (e *Engine) timeouts(ctx context.Context, now time.Time) error {
	var errs []error
	for _, c := range e.sortedCalls() {
		// Keep the lease ahead of the call and of its outcome, whatever
		// HopperExpiry is, until the outcome is saved or times out.
		if !c.extendAt.IsZero() && !now.Before(c.extendAt) {
			errs = append(errs, e.extend(ctx, c, now))
		}
		if c.state == stateOutcome {
			if !c.deadline.IsZero() && !now.Before(c.deadline) {
				errs = append(errs, e.outcomeTimeout(ctx, c, now))
			}
			continue
		}
		if !c.deadline.IsZero() && !now.Before(c.deadline) {
			// The carrier never told us the end: stop waiting for it.
			if c.callID != "" {
				e.hangup(c, now)
			}
			if c.result == "" {
				c.result = campaign.ResultUnknown
			}
			if c.state == stateWaiting {
				e.dropWaiting(c)
			}
			errs = append(errs, e.finish(ctx, c, now))
		}
	}
	return errors.Join(errs...)
}

// extend renews a call's lease for HopperExpiry, a third of the way
// through it, beside the loop.
func (e *Engine) extend(ctx context.Context, c *call, now time.Time) error {
	if c.extending {
		return nil
	}
	c.extending = true
	ttl := e.c.Settings.HopperExpiry
	old := c.lease
	var l queue.Lease
	var err error
	return e.submitStore(ctx, &storeOp{name: "extend",
		run: func(ctx context.Context) { l, err = e.cfg.Queue.Extend(ctx, old, ttl) },
		apply: func(ctx context.Context, now time.Time) error {
			c.extending = false
			switch {
			case errors.Is(err, queue.ErrLeaseLost):
				c.extendAt = time.Time{}
				e.cfg.Logger.ErrorContext(ctx, "dialer: lease of a call in flight lost; its outcome cannot be written", "attempt", c.attemptID, "contact", c.lease.ContactID)
				return fmt.Errorf("dialer: extend lease of %s: %w", c.attemptID, err)
			case err != nil:
				c.extendAt = now.Add(min(ttl/10, 5*time.Second))
				return fmt.Errorf("dialer: extend lease of %s: %w", c.attemptID, err)
			}
			// The token stays; only the expiry moves.
			c.lease.ExpiresAt = later(c.lease.ExpiresAt, l.ExpiresAt)
			c.extendAt = extendAt(c.lease, ttl)
			return nil
		}}, now)
}

// extendAt is when a lease of ttl is next extended: a third of the way
// through, so that a renewal delayed by a slow store (or retried after a
// failure) still lands well before the lease lapses.
func extendAt(l queue.Lease, ttl time.Duration) time.Time {
	return l.ExpiresAt.Add(-ttl * 2 / 3)
}

// outcomeTimeout finishes a call whose outcome was not saved within
// ContactCompletionTimeout: the attempt is written without it and says
// why, and a late SaveOutcome gets ErrOutcomeTimeout.
func (e *Engine) outcomeTimeout(ctx context.Context, c *call, now time.Time) error {
	if c.outcome != nil {
		// Saved, but the store refused it then: write it now.
		return e.finish(ctx, c, now)
	}
	e.stats.LostOutcomes++
	timeout := e.c.Settings.ContactCompletionTimeout
	e.cfg.Logger.WarnContext(ctx, "dialer: outcome not saved in time; the attempt is written without it",
		"attempt", c.attemptID, "agent", c.agent, "timeout", timeout)
	c.outcome = &queue.Outcome{}
	c.outcome.Attempt.Outcome.Note = fmt.Sprintf("dialer: no outcome saved within the contact completion timeout (%s)", timeout)
	for id, at := range e.timedOut {
		if now.Sub(at) > 24*time.Hour {
			delete(e.timedOut, id)
		}
	}
	e.timedOut[c.attemptID] = now
	return e.finish(ctx, c, now)
}

// failureBook is the failure guardrail's window: the outcomes of the
// last Config.FailureWindow dials, in the order they were placed.
//
// Outcomes enter the window in dial order, not in the order they resolve:
// a burst of dials (the start of a shift) resolves its busy and failed
// lines in seconds and its no-answers only at the ring timeout, so a
// window of the first resolutions held mostly failures and paused healthy
// campaigns (26 of 50 at an answer rate of 0.10, where 13.5% of dials
// fail). A dial enters once it and every earlier dial have resolved.
type failureBook struct {
	next     uint64          // the sequence the next dial gets
	oldest   uint64          // the oldest dial not yet in the window
	resolved map[uint64]bool // resolved dials waiting for an earlier one: seq → failed
	window   []bool
}

// dial numbers a new dial.
func (b *failureBook) dial() uint64 {
	b.next++
	return b.next
}

// resolve records dial seq's outcome and moves every dial whose
// predecessors have all resolved into the window, keeping its last size.
func (b *failureBook) resolve(seq uint64, failed bool, size int) {
	if b.resolved == nil {
		b.resolved = map[uint64]bool{}
	}
	if b.oldest == 0 {
		b.oldest = 1
	}
	b.resolved[seq] = failed
	for {
		f, ok := b.resolved[b.oldest]
		if !ok {
			break
		}
		delete(b.resolved, b.oldest)
		b.oldest++
		b.window = append(b.window, f)
	}
	if len(b.window) > size {
		b.window = append(b.window[:0], b.window[len(b.window)-size:]...)
	}
}

// recordFailure feeds call c's first outcome (failed or not) to the
// failure guardrail and pauses the campaign when carrier failures pass the
// threshold of the window.
func (e *Engine) recordFailure(ctx context.Context, c *call, failed bool, now time.Time) {
	if c.judged || c.dialSeq == 0 {
		return
	}
	c.judged = true
	b := &e.failures
	b.resolve(c.dialSeq, failed, e.cfg.FailureWindow)
	if len(b.window) < e.cfg.FailureWindow || e.c.Status != campaign.StatusRunning {
		return
	}
	n := 0
	for _, f := range b.window {
		if f {
			n++
		}
	}
	if float64(n) <= e.cfg.FailureThreshold*float64(len(b.window)) {
		return
	}
	reason := fmt.Sprintf("carrier failures: %d of the last %d dials", n, len(b.window))
	b.window = b.window[:0]
	_ = e.transition(ctx, campaign.StatusPaused, reason, now, func(err error) error {
		if err != nil {
			e.cfg.Logger.WarnContext(ctx, "dialer: failure guardrail could not pause", "err", err)
			return nil
		}
		e.cfg.Logger.WarnContext(ctx, "dialer: campaign paused by the failure guardrail", "reason", reason)
		return nil
	})
}

// refreshStatus re-reads the campaign beside the loop, then follows its
// calling period and completes it when every contact is final.
func (e *Engine) refreshStatus(ctx context.Context, now time.Time) error {
	e.nextStatus = now.Add(e.cfg.StatusEvery)
	if e.statusBusy {
		return nil
	}
	e.statusBusy = true
	pool := e.pool
	var r settingsRead
	var err error
	return e.submitStore(ctx, &storeOp{name: "status",
		run: func(ctx context.Context) { r, err = e.readSettings(ctx, pool) },
		apply: func(ctx context.Context, now time.Time) error {
			e.statusBusy = false
			if err != nil {
				return err
			}
			was := e.c.Status
			if err := e.applySettings(ctx, r, now); err != nil {
				return err
			}
			e.statusChanged(was, now)
			return errors.Join(e.followPeriod(ctx, now), e.completeIfDone(ctx, now))
		}}, now)
}

// statusChanged dials at once when the campaign just started running,
// rather than at the next tick. e.mu must be held.
func (e *Engine) statusChanged(was campaign.Status, now time.Time) {
	if was != campaign.StatusRunning && e.c.Status == campaign.StatusRunning && e.nextTick.After(now) {
		e.nextTick = now
	}
}

// transition moves the campaign on the engine's own authority, beside the
// loop; then, on the loop, done runs with the error. e.mu must be held.
func (e *Engine) transition(ctx context.Context, to campaign.Status, reason string, now time.Time, done func(err error) error) error {
	var c campaign.Campaign
	var err error
	return e.submitStore(ctx, &storeOp{name: "transition",
		run: func(ctx context.Context) {
			c, err = e.cfg.Campaigns.TransitionAsSystem(ctx, e.cfg.Workspace, e.cfg.Campaign, to, reason)
		},
		apply: func(ctx context.Context, now time.Time) error {
			if err == nil {
				was := e.c.Status
				e.c = c
				e.statusChanged(was, now)
			}
			return done(err)
		}}, now)
}

// completeIfDone completes the campaign when every contact is final,
// beside the loop. e.mu must be held.
func (e *Engine) completeIfDone(ctx context.Context, now time.Time) error {
	// Only a queue that came back empty can mean the campaign is done, and
	// only the engine pacing it says so.
	if e.c.Status != campaign.StatusRunning || !e.pacing() || len(e.calls) > 0 || len(e.hopper) > 0 ||
		e.placing > 0 || now.After(e.nextClaim) {
		return nil
	}
	var done bool
	var err error
	return e.submitStore(ctx, &storeOp{name: "complete",
		run: func(ctx context.Context) { done, err = e.allFinal(ctx) },
		apply: func(ctx context.Context, now time.Time) error {
			if err != nil || !done || e.c.Status != campaign.StatusRunning || len(e.calls) > 0 || len(e.hopper) > 0 || e.placing > 0 {
				return err
			}
			return e.transition(ctx, campaign.StatusCompleted, "every contact is final", now, func(err error) error { return err })
		}}, now)
}

// allFinal reports whether no contact of the campaign can be called again.
func (e *Engine) allFinal(ctx context.Context) (bool, error) {
	for _, st := range campaign.ContactStatuses() {
		if st.Final() {
			continue
		}
		p, err := e.cfg.Campaigns.ListContacts(ctx, e.cfg.Workspace, campaign.ContactFilter{CampaignID: e.cfg.Campaign, Status: st, Limit: 1})
		if err != nil {
			return false, err
		}
		if len(p.Contacts) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// BusyAgentInfo says who is behind one entry of an observation's Busy list.
type BusyAgentInfo struct {
	Agent campaign.UserID
	// Since is when the agent started talking or wrapping up.
	Since time.Time
	// Call is the agent's current call, or the one being wrapped up.
	Call telephony.CallID
}

// observation builds what the pacer sees now.
func (e *Engine) observation(now time.Time) (pacing.Observation, []BusyAgentInfo) {
	obs := pacing.Observation{Now: now, Waiting: len(e.waiting), Abandons: e.abandon.stats(now)}
	var busyIDs []BusyAgentInfo
	for _, id := range e.agents.order {
		s := e.agents.byID[id]
		if s.logoutPending {
			continue
		}
		obs.AgentsLoggedIn++
		switch s.State {
		case campaign.AgentAvailable:
			obs.AgentsIdle += s.Capacity - s.Calls
		case campaign.AgentOnCall:
			for range s.Calls {
				obs.Busy = append(obs.Busy, pacing.BusyAgent{Phase: pacing.PhaseTalk, Elapsed: now.Sub(s.Since)})
				busyIDs = append(busyIDs, BusyAgentInfo{Agent: id, Since: s.Since, Call: s.lastCall})
			}
			obs.AgentsIdle += s.Capacity - s.Calls
		case campaign.AgentWrapUp:
			obs.Busy = append(obs.Busy, pacing.BusyAgent{Phase: pacing.PhaseWrap, Elapsed: now.Sub(s.Since)})
			busyIDs = append(busyIDs, BusyAgentInfo{Agent: id, Since: s.Since, Call: s.lastCall})
		}
	}
	for _, c := range e.sortedCalls() {
		if c.state == stateDialing && c.preview == "" {
			obs.Ringing = append(obs.Ringing, pacing.RingingCall{Age: now.Sub(c.startedAt)})
		}
	}
	// Calls still passing the gate and the journal beside the loop are
	// about to ring.
	for range e.placing {
		obs.Ringing = append(obs.Ringing, pacing.RingingCall{})
	}
	return obs, busyIDs
}

// tick asks the pacer how many calls to start and places them.
func (e *Engine) tick(ctx context.Context, now time.Time) error {
	if e.draining || !e.pacing() || e.c.Status != campaign.StatusRunning || e.c.Settings.DialMode == campaign.DialPreview {
		e.want = 0
		return e.trimHopper(ctx, now, 0)
	}
	obs, busy := e.observation(now)
	if obs.AgentsLoggedIn == 0 {
		e.want = 0
		return e.trimHopper(ctx, now, 0)
	}
	if e.cfg.BeforeDecide != nil {
		e.cfg.BeforeDecide(now, busy)
	}
	n := e.pacer.Decide(obs)
	// Guardrails: never past the concurrency cap, never while the waiting
	// stations are full, and 1:1 once the period's abandon rate nears the cap.
	if e.cfg.Dampers > 0 && obs.Waiting >= e.cfg.Dampers {
		n = 0
	}
	ab := obs.Abandons
	if ab.PeriodLive > 0 && float64(ab.PeriodAbandoned) >= e.cfg.ThrottleAt*ab.CapOrDefault()*float64(ab.PeriodLive) {
		n = min(n, max(obs.AgentsIdle-len(obs.Ringing)-obs.Waiting, 0))
	}
	inFlight := e.placing
	for _, c := range e.calls {
		if c.state == stateDialing || c.state == stateWaiting {
			inFlight++
		}
	}
	n = min(n, e.c.Settings.MaxConcurrentCalls-inFlight)
	n = min(n, e.spacingBudget(now))
	if n <= 0 || now.Before(e.dialsUntil) {
		e.want = 0
		return nil
	}
	// The claim and each call's gate and journal run beside the loop: the
	// claim's answer places what this decision still wants.
	e.want = n
	return errors.Join(e.fillHopper(ctx, n, now), e.placeFromHopper(ctx, now))
}

// placeFromHopper starts placing hoppered contacts while the last pacer
// decision wants calls. e.mu must be held.
func (e *Engine) placeFromHopper(ctx context.Context, now time.Time) error {
	var errs []error
	for e.want > 0 && len(e.hopper) > 0 {
		l := e.hopper[0]
		e.hopper = e.hopper[1:]
		e.want--
		e.placing++
		env := e.placeEnv()
		var p placement
		errs = append(errs, e.submitStore(ctx, &storeOp{name: "place",
			run: func(ctx context.Context) { p = e.prepare(ctx, env, l, "", now) },
			apply: func(ctx context.Context, now time.Time) error {
				e.placing--
				placed, err := e.commit(ctx, p, now)
				if placed {
					e.spacingCount++
					return err
				}
				if errors.Is(err, ErrNoCallerID) {
					e.want = 0
					return errors.Join(err, e.trimHopper(ctx, now, 0))
				}
				if !e.draining && !e.stopped && e.pacing() {
					// A refused contact leaves its place to the next one.
					e.want++
					err = errors.Join(err, e.placeFromHopper(ctx, now))
				}
				return err
			}}, now))
	}
	return errors.Join(errs...)
}

// spacingBudget is how many calls Settings.CallSpacing (calls per second)
// still allows in the current second.
func (e *Engine) spacingBudget(now time.Time) int {
	if now.Sub(e.spacingStart) >= time.Second {
		e.spacingStart, e.spacingCount = now, 0
	}
	return int(e.c.Settings.CallSpacing - e.spacingCount)
}

// fillHopper claims enough leases to place n calls, up to HopperSize,
// beside the loop; one claim runs at a time. After a claim that found
// nothing it waits a few seconds before asking again, so an exhausted
// queue costs nothing.
func (e *Engine) fillHopper(ctx context.Context, n int, now time.Time) error {
	if e.claiming || len(e.hopper) >= n || now.Before(e.nextClaim) {
		return nil
	}
	want := min(max(n, e.c.Settings.HopperSize/10), e.c.Settings.HopperSize) - len(e.hopper)
	ttl := e.c.Settings.HopperExpiry
	e.claiming = true
	var ls []queue.Lease
	var err error
	return e.submitStore(ctx, &storeOp{name: "claim",
		run: func(ctx context.Context) {
			ls, err = e.cfg.Queue.Claim(ctx, e.cfg.Workspace, e.cfg.Campaign, want, ttl)
		},
		apply: func(ctx context.Context, now time.Time) error {
			e.claiming = false
			if errors.Is(err, queue.ErrNotRunning) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("dialer: claim: %w", err)
			}
			if len(ls) == 0 {
				e.nextClaim = now.Add(claimBackoff)
			}
			e.hopper = append(e.hopper, ls...)
			if e.draining || e.stopped || !e.pacing() {
				return e.trimHopper(ctx, now, 0)
			}
			return e.placeFromHopper(ctx, now)
		}}, now)
}

// trimHopper gives back hoppered leases beyond keep and those close to
// expiry.
func (e *Engine) trimHopper(ctx context.Context, now time.Time, keep int) error {
	var back []queue.Lease
	kept := e.hopper[:0]
	for i, l := range e.hopper {
		if i < keep && l.ExpiresAt.Sub(now) > e.c.Settings.HopperExpiry/4 {
			kept = append(kept, l)
			continue
		}
		back = append(back, l)
	}
	e.hopper = kept
	return e.giveBack(ctx, now, back...)
}

// giveBack releases leases beside the loop. e.mu must be held.
func (e *Engine) giveBack(ctx context.Context, now time.Time, ls ...queue.Lease) error {
	if len(ls) == 0 {
		return nil
	}
	var err error
	return e.submitStore(ctx, &storeOp{name: "release",
		run: func(ctx context.Context) {
			var errs []error
			for _, l := range ls {
				errs = append(errs, e.release(ctx, l))
			}
			err = errors.Join(errs...)
		},
		apply: func(context.Context, time.Time) error { return err }}, now)
}

// placeEnv is what placing a call reads of the engine's state, copied on
// the loop so that the store half of the placement can run beside it.
type placeEnv struct {
	c       campaign.Campaign
	window  compliance.Window
	numbers *compliance.Checker
	pool    *CallerIDPool
}

// placeEnv copies the state a placement reads. e.mu must be held.
func (e *Engine) placeEnv() placeEnv {
	return placeEnv{c: e.c, window: e.window, numbers: e.numbers, pool: e.pool}
}

// placement is the outcome of the store half of placing a call.
type placement struct {
	lease   queue.Lease
	preview campaign.UserID
	// c is the journalled call, ready to dial; nil when not placed.
	c       *call
	req     telephony.DialRequest
	blocked bool
	err     error
}

// prepare runs the store half of placing a call, outside the engine's
// state: the dial-time gate on the leased contact, the caller ID, and the
// dial journal. A refused contact is recorded as a block and given back to
// the queue.
func (e *Engine) prepare(ctx context.Context, env placeEnv, l queue.Lease, preview campaign.UserID, now time.Time) placement {
	p := placement{lease: l, preview: preview}
	if l.ExpiresAt.Sub(now) < env.c.Settings.RingTimeout {
		// Too close to expiry to hold a whole call: give it back.
		p.err = e.release(ctx, l)
		return p
	}
	// The gate reads the clock the claim judged by (the database's, when
	// the store's clock is chosen), so a skewed host neither dials early
	// nor past the window.
	if b, refused, err := e.gate(ctx, env, l.Contact, l.At(now)); err != nil {
		p.err = errors.Join(err, e.release(ctx, l))
		return p
	} else if refused {
		p.blocked = true
		p.err = errors.Join(e.cfg.Attempts.RecordBlocks(ctx, e.cfg.Workspace, []campaign.Block{b}), e.release(ctx, l))
		return p
	}
	// The dial happens now, not at the tick's start: the attempt log's
	// StartedAt (which retry intervals and the time between calls are
	// judged from) must not precede the claim and the gate.
	if t := e.cfg.Clock(); t.After(now) {
		now = t
	}
	from := ""
	if len(env.pool.cfg.Numbers) > 0 {
		var err error
		if from, err = e.pickCallerID(ctx, env.pool, now); err != nil {
			p.err = errors.Join(err, e.release(ctx, l))
			return p
		}
	}
	c := &call{lease: l, attemptID: campaign.NewID("att", now), number: l.Contact.Phone, callerID: from,
		state: stateDialing, startedAt: now, preview: preview}
	// Journal the dial before it starts: if this process dies mid-call,
	// reaping the lease logs the attempt and counts it against caps.
	err := e.cfg.Queue.BeginAttempt(ctx, l, queue.Dial{AttemptID: campaign.AttemptID(c.attemptID), Number: c.number,
		CallerID: from, StartedAt: now})
	switch {
	case errors.Is(err, queue.ErrLeaseLost):
		return p
	case err != nil:
		p.err = errors.Join(err, e.release(ctx, l))
		return p
	}
	p.c = c
	p.req = telephony.DialRequest{From: from, To: c.number, RingTimeout: env.c.Settings.RingTimeout,
		AMD: telephony.AMDMode(amdMode(env.c.Settings.AMD)), AttemptID: c.attemptID, Extension: l.Contact.Extension,
		Metadata: map[string]string{"campaign": string(e.cfg.Campaign), "contact": string(l.ContactID)}, Content: content(env.c, l.Contact),
		Agent: string(assignedAgent(env.c, l.Contact))}
	return p
}

// commit applies a placement on the loop: a journalled call is dialed
// (or, when the engine stops meanwhile, finished as cancelled). It reports
// whether the call was placed. e.mu must be held.
func (e *Engine) commit(ctx context.Context, p placement, now time.Time) (bool, error) {
	if p.blocked {
		e.stats.Blocked++
	}
	if errors.Is(p.err, ErrNoCallerID) {
		// Every number is disabled, excluded or at its daily cap: stop
		// dialing until one frees (tomorrow, or a member acts).
		e.nextClaim = now.Add(time.Minute)
		e.cfg.Logger.WarnContext(ctx, "dialer: no caller ID available; dialing waits", "campaign", e.cfg.Campaign, "err", p.err)
	}
	c := p.c
	if c == nil {
		return false, p.err
	}
	e.calls[c.attemptID] = c
	e.callOrder = append(e.callOrder, c)
	if e.stopped || (e.draining && p.preview == "") {
		c.result = campaign.ResultCancelled
		return false, e.finish(ctx, c, now)
	}
	// A call whose end never arrives is given up after the ring timeout
	// plus a generous margin for a talk: then extended while it lasts.
	c.deadline = c.startedAt.Add(e.c.Settings.RingTimeout + 2*time.Minute)
	c.extendAt = extendAt(c.lease, e.c.Settings.HopperExpiry)
	c.dialing = true
	e.stats.Dials++
	c.dialSeq = e.failures.dial()
	e.submit(&carrierOp{kind: opDial, attemptID: c.attemptID, req: p.req}, now)
	return true, nil
}

func amdMode(m campaign.AMDMode) string {
	if m == campaign.AMDOff {
		return ""
	}
	return string(m)
}

func (e *Engine) release(ctx context.Context, l queue.Lease) error {
	if err := e.cfg.Queue.Release(ctx, l); err != nil && !errors.Is(err, queue.ErrLeaseLost) {
		return err
	}
	return nil
}

// gate is the compliance gate at dial time: the campaign still Running,
// the number safe, consent present, not suppressed now, the window open in
// every candidate zone, and no state's frequency cap reached. It re-reads
// what may have changed since the claim (the clock, the campaign's status,
// the contact's consent, the suppression lists, the attempt log). A
// refusal comes back as a block.
func (e *Engine) gate(ctx context.Context, env placeEnv, ct campaign.Contact, now time.Time) (campaign.Block, bool, error) {
	if t := e.cfg.Clock(); t.After(now) {
		now = t // dials of one tick happen one after another
	}
	c, err := e.cfg.Campaigns.GetCampaign(ctx, e.cfg.Workspace, e.cfg.Campaign)
	if err != nil {
		return campaign.Block{}, false, fmt.Errorf("dialer: gate: read campaign: %w", err)
	}
	fresh, err := e.cfg.Campaigns.GetContact(ctx, e.cfg.Workspace, ct.ID)
	if err != nil && !errors.Is(err, campaign.ErrNotFound) {
		return campaign.Block{}, false, fmt.Errorf("dialer: gate: read contact: %w", err)
	}
	b := campaign.Block{ID: campaign.BlockID(campaign.NewID("blk", now)), WorkspaceID: e.cfg.Workspace, CampaignID: e.cfg.Campaign,
		ContactID: ct.ID, Number: ct.Phone, Stage: "dial", At: now}
	refuse := func(reason string, scope campaign.BlockScope, detail string) (campaign.Block, bool, error) {
		b.Reason, b.Scope, b.Detail = reason, scope, detail
		return b, true, nil
	}
	if c.Status != campaign.StatusRunning {
		return refuse("campaign_not_running", campaign.BlockScopePolicy, string(c.Status))
	}
	if err != nil || fresh.Phone != ct.Phone || !fresh.ErasedAt.IsZero() {
		return refuse("contact_changed", campaign.BlockScopePolicy, "the contact was removed, erased or renumbered since the claim")
	}
	ct = fresh
	if r := c.PeriodRefusal(now); r != "" {
		return refuse(r, campaign.BlockScopePolicy, periodDetail(c))
	}
	if _, err := env.numbers.Check(ct.Phone); err != nil {
		return refuse(string(compliance.ReasonOf(err)), campaign.BlockScopeLaw, "")
	}
	if !ct.Consent.Satisfies(c.Settings.RequiredConsent) {
		reason := queue.ReasonConsentMissing
		if !ct.Consent.RevokedAt.IsZero() {
			reason = queue.ReasonConsentRevoked
		}
		return refuse(reason, campaign.BlockScopeLaw, string(c.Settings.RequiredConsent))
	}
	ms, err := e.cfg.Suppression.Check(ctx, e.cfg.Workspace, suppression.Query{Target: suppression.TargetOf(env.c), Numbers: []string{ct.Phone}})
	if err != nil {
		return b, false, fmt.Errorf("dialer: suppression check: %w", err)
	}
	if m, ok := ms[ct.Phone]; ok {
		w := suppression.Widest(m)
		return refuse(w.List.Scope.ReasonCode(), w.List.Scope.BlockScope(), w.Detail())
	}
	if missing := env.c.Settings.Content.Refusal(env.c, ct); missing != "" {
		return refuse(campaign.ReasonPersonalisationMissing, campaign.BlockScopePolicy, missing)
	}
	if v := e.cfg.Rules.Check(now, queue.Target(ct), env.window); !v.Allowed {
		scope := campaign.BlockScopeLaw
		if v.State == "" {
			scope = campaign.BlockScopePolicy
		}
		return refuse(string(v.Code), scope, v.String())
	}
	if caps := e.cfg.Rules.Caps(queue.Target(ct)); len(caps) > 0 {
		cs, longest := make([]compliance.Cap, len(caps)), time.Duration(0)
		for i, sc := range caps {
			cs[i], longest = sc.Cap, max(longest, sc.Cap.Per)
		}
		recent, err := e.cfg.Attempts.RecentAttempts(ctx, e.cfg.Workspace, []string{ct.Phone}, now.Add(-longest))
		if err != nil {
			return b, false, fmt.Errorf("dialer: gate: recent attempts: %w", err)
		}
		if ok, _ := compliance.CapCheckAll(cs, recent[ct.Phone], now); !ok {
			return refuse(queue.ReasonFrequencyCap, campaign.BlockScopeLaw, fmt.Sprintf("%s: %s (%s)", caps[0].State, caps[0].Cap, caps[0].Source))
		}
	}
	return b, false, nil
}

// claimBackoff is how long the engine waits after a claim that found no
// contact before it asks the queue again.
const claimBackoff = 5 * time.Second
