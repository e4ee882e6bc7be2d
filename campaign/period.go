package campaign

import "time"

// Reason codes of a campaign's calling period. The dial-time gate records
// a block with one of them when a call would fall outside
// [Campaign.StartDate, Campaign.Deadline); the queue leases nothing then.
const (
	// ReasonBeforeStart: the campaign's StartDate has not come yet.
	ReasonBeforeStart = "before_start"
	// ReasonAfterDeadline: the campaign's Deadline has passed.
	ReasonAfterDeadline = "after_deadline"
)

// PeriodRefusal returns why now is outside the campaign's calling period:
// [ReasonBeforeStart] before a set StartDate, [ReasonAfterDeadline] at or
// after a set Deadline, and "" inside it. A zero StartDate means calling may
// start at once; a zero Deadline means it never has to end.
func (c Campaign) PeriodRefusal(now time.Time) string {
	switch {
	case !c.StartDate.IsZero() && now.Before(c.StartDate):
		return ReasonBeforeStart
	case !c.Deadline.IsZero() && !now.Before(c.Deadline):
		return ReasonAfterDeadline
	}
	return ""
}

// DueToStart reports whether a Queued campaign should move to Running at
// now: its StartDate is blank ("start immediately") or has come, and its
// Deadline has not passed. The dialer engine makes the move on its own
// authority ([Service.TransitionAsSystem]).
func (c Campaign) DueToStart(now time.Time) bool {
	return c.Status == StatusQueued && c.PeriodRefusal(now) == ""
}

// DueToEnd reports whether a Running or Paused campaign's Deadline has
// passed at now: dialing has ended and the engine completes the campaign
// with reason [ReasonAfterDeadline].
func (c Campaign) DueToEnd(now time.Time) bool {
	return (c.Status == StatusRunning || c.Status == StatusPaused) && c.PeriodRefusal(now) == ReasonAfterDeadline
}

// NextPeriodChange returns the next instant after now at which the
// campaign's calling period opens or closes (its StartDate or Deadline),
// or the zero time when neither lies ahead.
func (c Campaign) NextPeriodChange(now time.Time) time.Time {
	for _, t := range []time.Time{c.StartDate, c.Deadline} {
		if !t.IsZero() && t.After(now) {
			return t
		}
	}
	return time.Time{}
}
