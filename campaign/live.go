package campaign

import "time"

// Liveness is the answer of the live status check: what a campaign is
// doing now, judged from its contacts and calls rather than its lifecycle
// Status alone.
type Liveness string

// Liveness values.
const (
	// LiveRunning: calls are in progress now.
	LiveRunning Liveness = "running"
	// LiveStopped: the campaign is active (Running or Paused) with
	// prospects remaining and no call in progress (between calls, outside
	// the calling window, no agent logged in, or paused).
	LiveStopped Liveness = "stopped"
	// LiveCompleted: every prospect is resolved (every contact final).
	LiveCompleted Liveness = "completed"
	// LiveInactive: the campaign is not dialing and will not on its own
	// (Draft, Queued before its start, Cancelled, Archived, or ended with
	// prospects left: completed by hand or at its deadline).
	LiveInactive Liveness = "inactive"
)

// StatusCheck is the live status of a campaign at CheckedAt.
type StatusCheck struct {
	Live Liveness
	// Status is the campaign's lifecycle status.
	Status Status
	// Reason says why the campaign is stopped or inactive: "paused", the
	// status of an inactive campaign, [ReasonBeforeStart] for a Queued
	// campaign waiting for its StartDate, [ReasonAfterDeadline] once the
	// Deadline passed with prospects left; empty otherwise.
	Reason string
	// Remaining counts the contacts that are not final.
	Remaining int64
	// InCall counts the contacts with a call in progress (a dial journaled
	// and not yet finished).
	InCall    int64
	CheckedAt time.Time
}

// CheckStatus derives the live status of campaign c at now from its
// contacts counted by status and the contacts with a call in progress.
// Stores provide both (report.Service.Status reads them); the rules:
//
//   - calls in progress: LiveRunning, whatever the Status (a paused or
//     cancelled campaign's last calls are still live);
//   - Draft, Queued, Cancelled, Archived: LiveInactive;
//   - no contact left that is not final: LiveCompleted;
//   - Completed with prospects left, or past the Deadline: LiveInactive;
//   - otherwise (Running or Paused): LiveStopped.
func CheckStatus(c Campaign, byStatus map[ContactStatus]int64, inCall int64, now time.Time) StatusCheck {
	sc := StatusCheck{Status: c.Status, InCall: inCall, CheckedAt: now}
	for st, n := range byStatus {
		if !st.Final() {
			sc.Remaining += n
		}
	}
	switch {
	case inCall > 0:
		sc.Live = LiveRunning
	case c.Status == StatusDraft || c.Status == StatusQueued || c.Status == StatusCancelled || c.Status == StatusArchived:
		sc.Live, sc.Reason = LiveInactive, string(c.Status)
		if c.Status == StatusQueued && c.PeriodRefusal(now) == ReasonBeforeStart {
			sc.Reason = ReasonBeforeStart
		}
	case sc.Remaining == 0:
		sc.Live = LiveCompleted
	case c.PeriodRefusal(now) == ReasonAfterDeadline:
		sc.Live, sc.Reason = LiveInactive, ReasonAfterDeadline
	case c.Status == StatusCompleted:
		sc.Live, sc.Reason = LiveInactive, string(c.Status)
	default:
		sc.Live = LiveStopped
		if c.Status == StatusPaused {
			sc.Reason = string(StatusPaused)
		}
	}
	return sc
}
