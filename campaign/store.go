package campaign

import (
	"context"
	"time"
)

// Store is the storage the campaign model needs. Every method is atomic,
// scoped to one workspace (a record of another workspace is [ErrNotFound]),
// and writes its audit entry in the same transaction as the change.
// Adapters live in store/memory, store/sqlite and store/postgres; all pass
// store/storetest.
//
// Versioned records (Campaign, Contact) use optimistic concurrency: an
// update carries the Version it read, the store refuses it with
// [ErrConflict] when the stored Version differs, and stores Version+1.
type Store interface {
	// CreateWorkspace creates w with owner as its first member.
	CreateWorkspace(ctx context.Context, w Workspace, owner Member, a AuditEntry) error
	GetWorkspace(ctx context.Context, id WorkspaceID) (Workspace, error)
	UpdateWorkspace(ctx context.Context, w Workspace, a AuditEntry) error

	// PutMember adds a member or changes their role.
	PutMember(ctx context.Context, m Member, a AuditEntry) error
	GetMember(ctx context.Context, ws WorkspaceID, user UserID) (Member, error)
	ListMembers(ctx context.Context, ws WorkspaceID) ([]Member, error)
	DeleteMember(ctx context.Context, ws WorkspaceID, user UserID, a AuditEntry) error

	CreateCampaign(ctx context.Context, c Campaign, a AuditEntry) error
	GetCampaign(ctx context.Context, ws WorkspaceID, id ID) (Campaign, error)
	// UpdateCampaign stores c's fields except Status and ArchivedFrom,
	// which change only through TransitionCampaign.
	UpdateCampaign(ctx context.Context, c Campaign, a AuditEntry) error
	// ListCampaigns returns the workspace's campaigns, oldest first.
	ListCampaigns(ctx context.Context, ws WorkspaceID) ([]Campaign, error)
	// TransitionCampaign moves the campaign from t.From to t.To, storing
	// archivedFrom, and records t; [ErrConflict] when the stored status is
	// not t.From.
	TransitionCampaign(ctx context.Context, t Transition, archivedFrom Status, a AuditEntry) error
	// ListTransitions returns a campaign's transitions, oldest first.
	ListTransitions(ctx context.Context, ws WorkspaceID, id ID) ([]Transition, error)

	// PutList creates or replaces a list.
	PutList(ctx context.Context, l List, a AuditEntry) error
	GetList(ctx context.Context, ws WorkspaceID, id ListID) (List, error)
	// ListLists returns the workspace's lists, oldest first.
	ListLists(ctx context.Context, ws WorkspaceID) ([]List, error)

	// PutDisposition creates or replaces a disposition.
	PutDisposition(ctx context.Context, d Disposition, a AuditEntry) error
	// ListDispositions returns a campaign's dispositions in creation order.
	ListDispositions(ctx context.Context, ws WorkspaceID, c ID) ([]Disposition, error)
	PutGoal(ctx context.Context, g Goal, a AuditEntry) error
	ListGoals(ctx context.Context, ws WorkspaceID, c ID) ([]Goal, error)
	PutAnalysis(ctx context.Context, an Analysis, a AuditEntry) error
	ListAnalyses(ctx context.Context, ws WorkspaceID, c ID) ([]Analysis, error)
	PutSchedule(ctx context.Context, s Schedule, a AuditEntry) error
	GetSchedule(ctx context.Context, ws WorkspaceID, id ScheduleID) (Schedule, error)

	// InsertContacts adds new contacts of workspace ws in one transaction:
	// all or none.
	InsertContacts(ctx context.Context, ws WorkspaceID, cs []Contact, a AuditEntry) error
	GetContact(ctx context.Context, ws WorkspaceID, id ContactID) (Contact, error)
	// UpdateContact stores c (optimistic: see Store). A contact the queue
	// has leased (stored status dialing) keeps that status: an update that
	// would change it is refused with [ErrConflict], so no edit takes a
	// contact from under its call.
	UpdateContact(ctx context.Context, c Contact, a AuditEntry) error
	// ActivateHeldContacts moves those of contacts ids that are held
	// ([ContactHeld]) to [ContactPending] in one transaction, as
	// UpdateContact would (Version+1, UpdatedAt at, queue facts stale),
	// and records audits[i], the entry of ids[i], for each contact it
	// moved. A contact that is not held, or not of ws, is left alone and
	// its entry is not recorded. It reports how many contacts it moved;
	// len(audits) must be len(ids) ([ErrInvalid]).
	ActivateHeldContacts(ctx context.Context, ws WorkspaceID, ids []ContactID, at time.Time, audits []AuditEntry) (int, error)
	// ListContacts returns a page of contacts matching f, ordered by ID.
	ListContacts(ctx context.Context, ws WorkspaceID, f ContactFilter) (ContactPage, error)
	// EraseContactRecords masks the personal data of contact id in the
	// attempt log and the blocks ([MaskAttempt], [MaskBlock]), keeping every
	// row so counts stay, and records a in the same transaction. It
	// reports how many attempts and blocks it changed; a second call
	// changes nothing.
	EraseContactRecords(ctx context.Context, ws WorkspaceID, id ContactID, a AuditEntry) (attempts, blocks int, err error)

	// ListAudit returns audit entries matching f, oldest first.
	ListAudit(ctx context.Context, ws WorkspaceID, f AuditFilter) ([]AuditEntry, error)

	// FeedStore: the change feed of status changes, attempts and blocks.
	FeedStore
}

// ContactFilter selects contacts; zero fields match everything.
type ContactFilter struct {
	CampaignID ID
	ListID     ListID
	Status     ContactStatus
	Tag        string
	OwnerID    UserID
	// After is the cursor: the NextCursor of the previous page.
	After string
	// Limit is the page size, 1–1000. Defaults to 100.
	Limit int
}

// PageLimit returns the effective page size of f.
func (f ContactFilter) PageLimit() int {
	switch {
	case f.Limit <= 0:
		return 100
	case f.Limit > 1000:
		return 1000
	}
	return f.Limit
}

// ContactPage is one page of a contact listing.
type ContactPage struct {
	Contacts []Contact
	// NextCursor continues the listing; empty on the last page.
	NextCursor string
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Entity   string
	EntityID string
	// Limit bounds the entries returned. Defaults to 1000.
	Limit int
}
