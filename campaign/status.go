package campaign

import (
	"fmt"
	"time"
)

// Status is a campaign's lifecycle state.
//
//	Draft → Queued → Running ⇄ Paused → Completed | Cancelled
//	Draft | Completed | Cancelled → Archived → (restored to where it was)
//
// Draft and Queued campaigns may also be cancelled.
type Status string

// Campaign statuses.
const (
	StatusDraft     Status = "draft"
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusPaused    Status = "paused"
	StatusCompleted Status = "completed"
	StatusCancelled Status = "cancelled"
	StatusArchived  Status = "archived"
)

// Valid reports whether s is a defined status.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusQueued, StatusRunning, StatusPaused, StatusCompleted, StatusCancelled, StatusArchived:
		return true
	}
	return false
}

// Ended reports whether a campaign in status s will not dial again:
// completed and cancelled campaigns only move to Archived, and an archived
// one must be restored before anything runs.
func (s Status) Ended() bool {
	return s == StatusCompleted || s == StatusCancelled || s == StatusArchived
}

// transitions lists the allowed moves; restoring from Archived is checked
// against ArchivedFrom in [CheckTransition].
var transitions = map[Status][]Status{
	StatusDraft:     {StatusQueued, StatusCancelled, StatusArchived},
	StatusQueued:    {StatusRunning, StatusDraft, StatusCancelled},
	StatusRunning:   {StatusPaused, StatusCompleted, StatusCancelled},
	StatusPaused:    {StatusRunning, StatusCompleted, StatusCancelled},
	StatusCompleted: {StatusArchived},
	StatusCancelled: {StatusArchived},
}

// CheckTransition reports whether c may move to status to. Restoring an
// archived campaign moves it back to its ArchivedFrom status.
func CheckTransition(c Campaign, to Status) error {
	if c.Status == StatusArchived {
		if to == c.ArchivedFrom && to != "" {
			return nil
		}
		return fmt.Errorf("%w: an archived campaign is restored to %q, not %q", ErrInvalidTransition, c.ArchivedFrom, to)
	}
	for _, s := range transitions[c.Status] {
		if s == to {
			return nil
		}
	}
	return fmt.Errorf("%w: %s → %s", ErrInvalidTransition, c.Status, to)
}

// Transition records one status change of a campaign.
type Transition struct {
	WorkspaceID WorkspaceID
	CampaignID  ID
	From        Status
	To          Status
	// By is who made the change; "system" for the engine.
	By UserID
	// Reason says why, when known (e.g. the failure guardrail's reason).
	Reason string
	At     time.Time
}

// SystemUser is the actor recorded for changes the engine makes on its own,
// such as completing a campaign whose contacts are all final.
const SystemUser UserID = "system"
