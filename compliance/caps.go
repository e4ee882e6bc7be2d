package compliance

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrInvalidCap reports a frequency cap with a negative limit or a
// non-positive period.
var ErrInvalidCap = errors.New("compliance: invalid frequency cap")

// Cap limits how often one person may be called on the same subject: at
// most Limit attempts in any rolling period of length Per. The zero Cap
// means no cap.
type Cap struct {
	// Limit is the most attempts allowed in any period. Defaults to 0: no cap.
	Limit int
	// Per is the length of the rolling period, e.g. 24 hours. Required when
	// Limit > 0.
	Per time.Duration
}

// IsZero reports whether c is "no cap".
func (c Cap) IsZero() bool { return c.Limit == 0 }

// Validate returns ErrInvalidCap for a negative Limit, or a positive Limit
// without a positive Per.
func (c Cap) Validate() error {
	if c.Limit < 0 || (c.Limit > 0 && c.Per <= 0) || (c.Limit == 0 && c.Per < 0) {
		return fmt.Errorf("%w: %d per %s", ErrInvalidCap, c.Limit, c.Per)
	}
	return nil
}

// String formats c as "3 per 24h0m0s" ("none" for the zero Cap).
func (c Cap) String() string {
	if c.IsZero() {
		return "none"
	}
	return fmt.Sprintf("%d per %s", c.Limit, c.Per)
}

// CapCheck says whether one more attempt may start at now, given the times
// of the prior attempts to the same person on the same subject (the caller
// selects them; order does not matter and the slice is not modified).
//
// An attempt at time a counts while a > now − Per: an attempt exactly Per
// ago no longer counts. Attempts recorded after now (clock skew) count too.
// When the cap is reached, nextAllowed is the first instant at which enough
// attempts have aged out; otherwise it is now. The zero Cap always allows;
// an invalid cap (negative limit, non-positive period) allows nothing and
// returns ok false with a zero nextAllowed.
func CapCheck(rule Cap, prior []time.Time, now time.Time) (ok bool, nextAllowed time.Time) {
	if rule.IsZero() {
		return true, now
	}
	if rule.Validate() != nil {
		return false, time.Time{}
	}
	from := now.Add(-rule.Per)
	var buf [8]time.Time
	recent := buf[:0]
	for _, a := range prior {
		if a.After(from) {
			recent = append(recent, a)
		}
	}
	if len(recent) < rule.Limit {
		return true, now
	}
	slices.SortFunc(recent, func(x, y time.Time) int { return x.Compare(y) })
	// Once the (len−Limit)th oldest recent attempt is Per old, Limit−1 remain.
	return false, recent[len(recent)-rule.Limit].Add(rule.Per)
}

// CapCheckAll applies every cap: ok only when all allow, nextAllowed the
// latest of their next allowed instants (the strictest wins; with caps of
// different periods neither dominates, so all are checked).
func CapCheckAll(caps []Cap, prior []time.Time, now time.Time) (ok bool, nextAllowed time.Time) {
	ok, nextAllowed = true, now
	for _, c := range caps {
		cok, cnext := CapCheck(c, prior, now)
		if !cok {
			if cnext.IsZero() {
				return false, time.Time{}
			}
			ok = false
			if cnext.After(nextAllowed) {
				nextAllowed = cnext
			}
		}
	}
	return ok, nextAllowed
}

// StateCap is a frequency cap imposed by a state's row.
type StateCap struct {
	State  string // two-letter code of the row
	Cap    Cap    // the row's cap
	Source string // the row's citation
}

// Caps returns the caps of the target's address and area-code states,
// in that order (none for states without a cap). Pass their Cap values to
// CapCheckAll.
func (r *Rules) Caps(in CallTarget) []StateCap {
	a := r.orZero().applicableTo(in)
	var out []StateCap
	for _, s := range a.rules[:a.nr] {
		if !s.Cap.IsZero() {
			out = append(out, StateCap{State: s.State, Cap: s.Cap, Source: s.Source})
		}
	}
	return out
}
