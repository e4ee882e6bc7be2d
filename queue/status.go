package queue

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/callstackhq/callstack/campaign"
)

// Blocking reasons of [Status.Blocked]: why a contact of a campaign is not
// dialable now. Refusal reason codes without a group here (such as
// frequency_cap or list_expired) are reported under their own code.
const (
	BlockedNotDue         = "not_due"          // its next attempt is later
	BlockedOutsideWindow  = "outside_window"   // no candidate time zone allows a call now
	BlockedSuppressed     = "suppressed"       // refused: on a suppression list
	BlockedAttemptsUsedUp = "attempts_used_up" // no attempts left
	BlockedConsent        = "consent"          // refused: the consent the campaign requires is missing or revoked
	BlockedCampaignClosed = "campaign_closed"  // ready, but the campaign is not Running or its hours are closed
	BlockedLeased         = "leased"           // in a call (or an expired lease not yet reaped)
	BlockedNotChecked     = "not_checked"      // new or edited: eligibility not computed yet
)

// Status is a campaign's queue at one instant: the hopper's level, how
// many contacts are dialable, and why the others are not.
type Status struct {
	// Counts are the store's counts (see [Counts]).
	Counts
	// Dialable counts the contacts a claim could lease now: Ready, or 0
	// when the campaign is closed.
	Dialable int
	// Closed says why the campaign dials nothing (not Running, or its
	// business hours are closed); empty when it is open.
	Closed string
	// Blocked counts the contacts that are not dialable, by reason (the
	// Blocked… constants, or a refusal's reason code). Reasons with no
	// contacts are absent. Finished contacts (called, completed, dnc, or
	// failed and skipped for a reason outside the claim) are not blocked
	// and appear only in ByStatus.
	Blocked map[string]int
}

// String summarises st for logs and dashboards: the hopper level and
// the blocking reasons, largest first.
func (st Status) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hopper %d, dialable %d", st.Hopper, st.Dialable)
	if st.Closed != "" {
		fmt.Fprintf(&b, " (%s)", st.Closed)
	}
	for _, r := range sortedReasons(st.Blocked) {
		fmt.Fprintf(&b, ", %s %d", r, st.Blocked[r])
	}
	return b.String()
}

// Status counts the campaign's contacts by what keeps them from being
// dialled now, so that an empty hopper comes with its reasons: "not
// due 3,000, outside_window 12,000, suppressed 40". It reads the whole
// campaign: call it when a campaign dials nothing, not on every tick.
func (s *Service) Status(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (Status, error) {
	cc, err := s.load(ctx, ws, id)
	if err != nil {
		return Status{}, err
	}
	now := s.now().UTC()
	counts, err := s.store.Counts(ctx, ws, id, CountQuery{MaxAttempts: cc.s.MaxAttempts}, now)
	if err != nil {
		return Status{}, err
	}
	st := Status{Counts: counts, Dialable: counts.Ready, Blocked: map[string]int{}}
	switch {
	case cc.c.Status != campaign.StatusRunning:
		st.Closed = fmt.Sprintf("campaign is %s", cc.c.Status)
	case !cc.window.Hours.Open(now):
		st.Closed = "business hours are closed"
	}
	add := func(reason string, n int) {
		if n > 0 {
			st.Blocked[reason] += n
		}
	}
	if st.Closed != "" {
		add(BlockedCampaignClosed, st.Dialable)
		st.Dialable = 0
	}
	add(BlockedNotDue, counts.NotDue)
	add(BlockedOutsideWindow, counts.OutsideWindow)
	add(BlockedAttemptsUsedUp, counts.AttemptsUsedUp)
	add(BlockedLeased, counts.Leased)
	add(BlockedNotChecked, counts.Stale)
	for code, n := range counts.Refused {
		switch {
		case strings.HasPrefix(code, "suppressed_"):
			add(BlockedSuppressed, n)
		case code == ReasonConsentMissing || code == ReasonConsentRevoked:
			add(BlockedConsent, n)
		case code == ReasonMaxAttempts:
			add(BlockedAttemptsUsedUp, n)
		default:
			add(code, n)
		}
	}
	return st, nil
}

// sortedReasons returns m's keys, largest count first, then by name.
func sortedReasons(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	return keys
}
