package campaign

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// WorkspaceID identifies a workspace, the tenant boundary.
type WorkspaceID string

// UserID identifies a person or service account; members are users within a
// workspace.
type UserID string

// ID identifies a campaign.
type ID string

// ContactID identifies a contact.
type ContactID string

// ListID identifies a contact list.
type ListID string

// DispositionID identifies a disposition.
type DispositionID string

// GoalID identifies a goal.
type GoalID string

// AnalysisID identifies an analysis question.
type AnalysisID string

// ScheduleID identifies a schedule.
type ScheduleID string

// AttemptID identifies one dial attempt in the attempt log.
type AttemptID string

// BlockID identifies a recorded compliance block.
type BlockID string

// AuditID identifies an audit entry.
type AuditID string

// NewID returns a new identifier with the given prefix (such as "cmp"). IDs
// sort by creation time (millisecond resolution from now) and carry 64 random
// bits, so IDs minted by different processes do not collide.
func NewID(prefix string, now time.Time) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics
		// internally instead); keep a deterministic fallback anyway.
		return fmt.Sprintf("%s_%012x%016x", prefix, now.UnixMilli(), now.UnixNano())
	}
	return fmt.Sprintf("%s_%012x%s", prefix, now.UnixMilli(), hex.EncodeToString(b[:]))
}
