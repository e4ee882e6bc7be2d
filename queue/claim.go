package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/suppression"
)

// Block reason codes the queue records at claim time, besides the
// compliance.VerdictCode values of window refusals and the suppression
// codes of suppression.Scope.ReasonCode.
const (
	ReasonListExpired     = "list_expired"           // policy: the list's ExpireDays passed before a first call
	ReasonMaxAttempts     = "max_attempts"           // policy: no attempts left
	ReasonConsentMissing  = "consent_missing"        // law: the consent the campaign requires is absent
	ReasonConsentRevoked  = "consent_revoked"        // law: the consent was withdrawn
	ReasonMinTimeBetween  = "min_time_between_calls" // policy: called too recently
	ReasonFrequencyCap    = "frequency_cap"          // law: a state's per-person cap is reached
	stageClaim            = "claim"
	consentRevokedViaCall = "call"
)

// maxClaimRounds bounds the claim, check and re-claim rounds of one Claim
// when refusals leave it short.
const maxClaimRounds = 8

// Claim leases up to n contacts of the campaign that are eligible now, best
// first (lane order, list priority, contact priority, age), for ttl
// (Settings.HopperExpiry when ttl <= 0); claimed contacts become
// campaign.ContactDialing. It returns an empty slice, not an error, when
// nothing is due, the campaign's business hours are closed or it is outside
// its calling period (before StartDate, at or after Deadline), and
// ErrNotRunning when the campaign is not Running.
//
// Eligible means: window open in every candidate zone of the contact under
// the strictest of the federal rule, the address state and the area-code
// state (with the campaign's fallback zone policy), not suppressed, the
// consent the campaign requires present and not revoked, attempts left,
// Settings.MinTimeBetweenCalls passed, state frequency caps respected
// (attempts to the same number across the workspace), list not expired,
// not leased. A contact refused at claim time gets a campaign.Block with
// its reason code and is rescheduled (to when it may be called) or
// skipped; it is never dropped silently.
func (s *Service) Claim(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, n int, ttl time.Duration) ([]Lease, error) {
	return s.claim(ctx, ws, id, n, ttl, "", false)
}

// Next returns the best contact for a human caller in preview mode, leased
// for ttl (Settings.HopperExpiry when ttl <= 0): the caller's own due
// callbacks first, then the campaign's queue order, so nobody picks
// contacts by hand. Owner-only callbacks of other callers are not offered
// until Settings.CallbackGrace after they fall due. ErrNoContact when
// nothing is due.
func (s *Service) Next(ctx context.Context, caller campaign.Actor, id campaign.ID, ttl time.Duration) (Lease, error) {
	if err := s.authorize(ctx, caller, campaign.ActionDial); err != nil {
		return Lease{}, err
	}
	for _, own := range []bool{true, false} {
		ls, err := s.claim(ctx, caller.WorkspaceID, id, 1, ttl, caller.UserID, own)
		if err != nil {
			return Lease{}, err
		}
		if len(ls) > 0 {
			return ls[0], nil
		}
	}
	return Lease{}, ErrNoContact
}

func (s *Service) authorize(ctx context.Context, actor campaign.Actor, a campaign.Action) error {
	if s.auth == nil {
		return nil
	}
	_, err := s.auth.Authorize(ctx, actor, a)
	return err
}

func (s *Service) claim(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, n int, ttl time.Duration, caller campaign.UserID, ownOnly bool) ([]Lease, error) {
	if n <= 0 {
		return []Lease{}, nil
	}
	n = min(n, s.maxClaim)
	cc, err := s.load(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if cc.c.Status != campaign.StatusRunning {
		return nil, fmt.Errorf("%w: campaign %s is %s", ErrNotRunning, id, cc.c.Status)
	}
	if ttl <= 0 {
		ttl = cc.s.HopperExpiry
	}
	now := s.now().UTC()
	out := []Lease{}
	if !cc.window.Hours.Open(now) || cc.c.PeriodRefusal(now) != "" {
		// Business hours closed, or outside [StartDate, Deadline): nothing
		// is leased; the dial-time gate records the period's blocks.
		return out, nil
	}
	if _, err := s.maybeRefresh(ctx, cc, now, false); err != nil {
		return nil, err
	}
	st := s.refreshState(id)
	forced := false
	for range maxClaimRounds {
		want := n - len(out)
		if want <= 0 {
			break
		}
		fills := st.fills.Load()
		q := ClaimQuery{Limit: want, TTL: ttl, Token: newToken(), LaneOrder: cc.s.LaneOrder, Caller: caller,
			OwnerCutoff: now.Add(-cc.s.CallbackGrace), OwnCallbacksOnly: ownOnly}
		ls, err := s.store.Claim(ctx, ws, id, q, now)
		if err != nil {
			return s.abort(ctx, cc, out, err)
		}
		if len(ls) == want {
			s.topUp(ctx, ws, id, st, len(ls))
		}
		// One clock per decision: the Go-side rules judge by the instant
		// the store judged the claim by.
		at := now
		host := s.now().UTC()
		for i := range ls {
			ls[i].claimedHost = host
			if !ls[i].ClaimedAt.IsZero() {
				at = ls[i].ClaimedAt
			}
		}
		ok, err := s.admit(ctx, cc, ls, at)
		out = append(out, ok...)
		if err != nil {
			return s.abort(ctx, cc, out, err)
		}
		if len(ls) < want {
			// The hopper came back short: other claimers may have emptied
			// it faster than its top-up filled it. Refill (after a refill
			// running now) and claim again while some refill since this
			// round began added entries. When none did, run the
			// housekeeping once (expired leases, due contacts, stale
			// facts may make more ready) and claim again; after that a
			// short claim is the answer: nothing more is ready for it.
			// Stopping after one refresh handed eight busy claimers
			// nothing from a queue of 80,000 ready contacts (claimbench).
			if err := s.refillSince(ctx, ws, id, st, fills, now); err != nil {
				return s.abort(ctx, cc, out, err)
			}
			if st.fills.Load() != fills {
				continue
			}
			if forced {
				break
			}
			forced = true
			// Claim again after the refresh even when it found no work
			// itself: a refill that ran meanwhile (another claimer's,
			// which the forced refresh waited for or found done) filled
			// the hopper this claim found empty.
			if _, err := s.maybeRefresh(ctx, cc, now, true); err != nil {
				return s.abort(ctx, cc, out, err)
			}
		}
	}
	return out, nil
}

// abort gives back leases already taken by a claim that failed, so they do
// not wait for their expiry, and returns err.
func (s *Service) abort(ctx context.Context, cc *campaignCtx, ls []Lease, err error) ([]Lease, error) {
	now := s.now().UTC()
	for _, l := range ls {
		if rerr := s.store.Release(context.WithoutCancel(ctx), l, Released{Next: s.restored(l), LaneOrder: cc.s.LaneOrder}, now); rerr != nil {
			s.log.DebugContext(ctx, "queue: release after failed claim", "contact", l.ContactID, "err", rerr)
		}
	}
	return nil, err
}

// restored is the state a released lease returns to: the status before the
// claim, in the same lane.
func (s *Service) restored(l Lease) NextState {
	c := l.Contact
	return NextState{Status: l.PrevStatus, Lane: c.Lane, NextAttemptAt: c.NextAttemptAt, CallbackOwner: c.CallbackOwner, OwnerID: c.OwnerID,
		Attempts: c.Attempts, LastAttemptAt: c.LastAttemptAt, Consent: c.Consent, ExtraAttempts: l.ExtraAttempts}
}

// refusal is why a leased contact may not be called now.
type refusal struct {
	reason string
	scope  campaign.BlockScope
	detail string
	// until reschedules the contact; zero sets status instead.
	until  time.Time
	status campaign.ContactStatus
}

// admit runs the Go-side eligibility checks on freshly claimed leases,
// returns the eligible ones and releases the others with their block.
func (s *Service) admit(ctx context.Context, cc *campaignCtx, ls []Lease, now time.Time) ([]Lease, error) {
	if len(ls) == 0 {
		return nil, nil
	}
	ws := cc.c.WorkspaceID
	numbers := make([]string, 0, len(ls))
	var capped []string
	var longest time.Duration
	for _, l := range ls {
		if l.Contact.Phone != "" {
			numbers = append(numbers, l.Contact.Phone)
		}
		for _, c := range s.rules.Caps(Target(l.Contact)) {
			capped = append(capped, l.Contact.Phone)
			longest = max(longest, c.Cap.Per)
		}
	}
	pending := ls
	release := func(err error) ([]Lease, error) {
		for _, l := range pending {
			_ = s.store.Release(context.WithoutCancel(ctx), l, Released{Next: s.restored(l), LaneOrder: cc.s.LaneOrder}, now)
		}
		return nil, err
	}
	matches, err := s.supp.Check(ctx, ws, suppression.Query{Target: suppression.TargetOf(cc.c), Numbers: numbers})
	if err != nil {
		return release(fmt.Errorf("queue: suppression check: %w", err))
	}
	var recent map[string][]time.Time
	if len(capped) > 0 {
		if recent, err = s.store.RecentAttempts(ctx, ws, capped, now.Add(-longest)); err != nil {
			return release(err)
		}
	}
	var ok []Lease
	for i, l := range ls {
		pending = ls[i:]
		r, err := s.check(ctx, cc, l, matches, recent, now)
		if err != nil {
			return release(err)
		}
		if r == nil {
			ok = append(ok, l)
			continue
		}
		next := s.restored(l)
		if r.until.IsZero() {
			next.Status = r.status
		} else {
			next.NextAttemptAt = r.until
		}
		b := campaign.Block{ID: campaign.BlockID(campaign.NewID("blk", now)), WorkspaceID: ws, CampaignID: cc.c.ID, ContactID: l.ContactID,
			Number: l.Contact.Phone, Reason: r.reason, Scope: r.scope, Stage: stageClaim, Detail: r.detail, At: now}
		err = s.store.Release(ctx, l, Released{Next: next, LaneOrder: cc.s.LaneOrder, Blocks: []campaign.Block{b}}, now)
		if err != nil && !errors.Is(err, ErrLeaseLost) {
			pending = ls[i+1:]
			return release(err)
		}
		s.log.DebugContext(ctx, "queue: refused at claim", "campaign", cc.c.ID, "contact", l.ContactID, "reason", r.reason, "until", r.until)
	}
	return ok, nil
}

// check returns why the leased contact may not be called now, or nil.
func (s *Service) check(ctx context.Context, cc *campaignCtx, l Lease, matches map[string][]suppression.Match, recent map[string][]time.Time, now time.Time) (*refusal, error) {
	c, st := l.Contact, cc.s
	if c.Attempts == 0 {
		lst, err := s.list(ctx, cc, c.ListID)
		if err != nil {
			return nil, err
		}
		if lst != nil && lst.ExpireDays > 0 {
			exp := c.CreatedAt.AddDate(0, 0, lst.ExpireDays)
			if !now.Before(exp) {
				return &refusal{reason: ReasonListExpired, scope: campaign.BlockScopePolicy, status: campaign.ContactExpired,
					detail: fmt.Sprintf("list %s expires contacts %d days after import (%s)", lst.ID, lst.ExpireDays, exp.Format(time.RFC3339))}, nil
			}
		}
	}
	if c.Attempts >= st.MaxAttempts+l.ExtraAttempts && l.PrevStatus != campaign.ContactCallback {
		return &refusal{reason: ReasonMaxAttempts, scope: campaign.BlockScopePolicy, status: campaign.ContactFailed,
			detail: fmt.Sprintf("%d attempts of %d", c.Attempts, st.MaxAttempts+l.ExtraAttempts)}, nil
	}
	if !c.Consent.Satisfies(st.RequiredConsent) {
		reason := ReasonConsentMissing
		if !c.Consent.RevokedAt.IsZero() {
			reason = ReasonConsentRevoked
		}
		return &refusal{reason: reason, scope: campaign.BlockScopeLaw, status: campaign.ContactSkipped,
			detail: fmt.Sprintf("requires %s consent, has %s", st.RequiredConsent, c.Consent.Kind)}, nil
	}
	if d := st.Content.Refusal(cc.c, c); d != "" {
		// Skipped until the data is fixed and the contact retried.
		return &refusal{reason: campaign.ReasonPersonalisationMissing, scope: campaign.BlockScopePolicy, status: campaign.ContactSkipped, detail: d}, nil
	}
	if ms := matches[c.Phone]; len(ms) > 0 {
		m := suppression.Widest(ms)
		return &refusal{reason: m.List.Scope.ReasonCode(), scope: m.List.Scope.BlockScope(), status: campaign.ContactSkipped,
			detail: m.Detail()}, nil
	}
	if !c.LastAttemptAt.IsZero() && st.MinTimeBetweenCalls > 0 {
		if at := c.LastAttemptAt.Add(st.MinTimeBetweenCalls); now.Before(at) {
			return &refusal{reason: ReasonMinTimeBetween, scope: campaign.BlockScopePolicy, until: at,
				detail: fmt.Sprintf("last call %s, minimum %s", c.LastAttemptAt.Format(time.RFC3339), st.MinTimeBetweenCalls)}, nil
		}
	}
	t := Target(c)
	if v := s.rules.Check(now, t, cc.window); !v.Allowed {
		r := &refusal{reason: string(v.Code), scope: blockScope(v.Code), detail: v.String()}
		if next, ok := s.rules.NextCallable(now, t, cc.window); ok && next.After(now) {
			r.until = next
		} else {
			r.status = campaign.ContactSkipped
		}
		return r, nil
	}
	if caps := s.rules.Caps(t); len(caps) > 0 {
		cs := make([]compliance.Cap, len(caps))
		for i, c := range caps {
			cs[i] = c.Cap
		}
		if ok, next := compliance.CapCheckAll(cs, recent[c.Phone], now); !ok {
			r := &refusal{reason: ReasonFrequencyCap, scope: campaign.BlockScopeLaw, detail: fmt.Sprintf("%s: %s", caps[0].State, caps[0].Cap)}
			if next.After(now) {
				r.until = next
			} else {
				r.status = campaign.ContactSkipped
			}
			return r, nil
		}
	}
	return nil, nil
}
