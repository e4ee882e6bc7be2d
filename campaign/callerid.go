package campaign

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrCallerIDCapped is returned by CallerIDStore.RecordCallerIDUse when
// the number has used its daily cap for the day: the use was not counted.
var ErrCallerIDCapped = errors.New("campaign: caller ID at its daily cap")

// CallerIDState is the stored state of one caller-ID number of a
// workspace, shared by every campaign and every dialer process that
// presents it, so that a restart keeps today's counts. Rotation, the
// spam threshold and the daily cap are the campaign's settings
// (Settings.CallerIDPool); whether a number's score excludes it is judged
// against them.
type CallerIDState struct {
	// WorkspaceID owns the number.
	WorkspaceID WorkspaceID
	// Number is the E.164 number presented.
	Number string
	// Disabled numbers were turned off by a member and are not used.
	Disabled bool
	// SpamScore is the last reputation score, 0 (clean) to 10.
	SpamScore float64
	// Day is the local date (YYYY-MM-DD, in the zone of the campaign that
	// last used the number) CallsToday counts for.
	Day string
	// CallsToday counts the calls placed from the number on Day.
	CallsToday int
	// CallsTotal counts every call placed from the number.
	CallsTotal int64
	// UpdatedAt is when the state last changed.
	UpdatedAt time.Time
}

// CallerIDUse is one call placed from a caller-ID number, for
// CallerIDStore.RecordCallerIDUse.
type CallerIDUse struct {
	// Number is the E.164 number the call is placed from.
	Number string
	// Day is the caller's local date, YYYY-MM-DD. A later day than the
	// stored one starts a new daily count; an earlier one (a host whose
	// clock lags) counts in the stored day.
	Day string
	// DailyCap refuses the use when the day's count has reached it. Zero
	// means no cap.
	DailyCap int
	// At is when the call is placed.
	At time.Time
}

// CallerIDUpdate changes a number's admin state; nil fields are kept.
type CallerIDUpdate struct {
	// Disabled turns the number off (true) or back on (false).
	Disabled *bool
	// SpamScore records a new reputation score, 0–10.
	SpamScore *float64
}

// CallerIDStore keeps caller-ID state (the dialer's caller-ID pool). Every
// store implements it; store/storetest checks them. A number never used
// nor updated has no state: it is enabled, clean and unused.
type CallerIDStore interface {
	// CallerIDStates returns the stored states of the workspace's numbers
	// among numbers (all of them when numbers is nil), ordered by number.
	CallerIDStates(ctx context.Context, ws WorkspaceID, numbers []string) ([]CallerIDState, error)
	// RecordCallerIDUse counts one call from use.Number atomically: it
	// increments the day's count (starting it at 1 on a new day) and the
	// total, so two processes dialing from one number lose no count. When
	// the day's count has reached use.DailyCap it counts nothing and
	// returns the state with an error wrapping ErrCallerIDCapped.
	RecordCallerIDUse(ctx context.Context, ws WorkspaceID, use CallerIDUse) (CallerIDState, error)
	// UpdateCallerID applies u to the number's state (creating it) and
	// returns the new state. A spam score outside 0–10 is ErrInvalid.
	UpdateCallerID(ctx context.Context, ws WorkspaceID, number string, u CallerIDUpdate, now time.Time) (CallerIDState, error)
}

// ValidCallerIDUse checks a use for CallerIDStore.RecordCallerIDUse:
// an E.164 number, a YYYY-MM-DD day, a cap that is not negative. The error wraps
// ErrInvalid.
func ValidCallerIDUse(u CallerIDUse) error {
	if !isE164(u.Number) {
		return fmt.Errorf("%w: caller ID use: number must be E.164, got %q", ErrInvalid, u.Number)
	}
	if _, err := time.Parse(time.DateOnly, u.Day); err != nil {
		return fmt.Errorf("%w: caller ID use: day must be YYYY-MM-DD, got %q", ErrInvalid, u.Day)
	}
	if u.DailyCap < 0 {
		return fmt.Errorf("%w: caller ID use: daily cap must not be negative, got %d", ErrInvalid, u.DailyCap)
	}
	return nil
}

// ValidCallerIDUpdate checks an update for CallerIDStore.UpdateCallerID:
// an E.164 number and a spam score within 0–10. The error wraps ErrInvalid.
func ValidCallerIDUpdate(number string, u CallerIDUpdate) error {
	if !isE164(number) {
		return fmt.Errorf("%w: caller ID update: number must be E.164, got %q", ErrInvalid, number)
	}
	if u.SpamScore != nil && (*u.SpamScore < 0 || *u.SpamScore > 10 || math.IsNaN(*u.SpamScore)) {
		return fmt.Errorf("%w: caller ID update: spam score must be 0–10, got %g", ErrInvalid, *u.SpamScore)
	}
	return nil
}

// UpdateCallerID disables or re-enables a caller-ID number of the actor's
// workspace, or records its spam score (from a reputation feed), for every
// campaign presenting it (ActionManageCampaign). Running engines apply it
// at their next settings reload. It needs Config.CallerIDs.
func (s *Service) UpdateCallerID(ctx context.Context, actor Actor, number string, u CallerIDUpdate) (CallerIDState, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageCampaign); err != nil {
		return CallerIDState{}, err
	}
	if s.callerIDs == nil {
		return CallerIDState{}, fmt.Errorf("%w: UpdateCallerID needs Config.CallerIDs", ErrInvalid)
	}
	if err := ValidCallerIDUpdate(number, u); err != nil {
		return CallerIDState{}, err
	}
	st, err := s.callerIDs.UpdateCallerID(ctx, actor.WorkspaceID, number, u, s.Now())
	if err != nil {
		return CallerIDState{}, err
	}
	s.log.DebugContext(ctx, "campaign: caller ID updated", "workspace", actor.WorkspaceID, "user", actor.UserID,
		"number", number, "disabled", st.Disabled, "spam_score", st.SpamScore)
	return st, nil
}
