package campaign

import "time"

// Result is how a dial attempt ended.
type Result string

// Attempt results.
const (
	ResultHuman     Result = "human"     // answered by a person and connected
	ResultMachine   Result = "machine"   // answered by a machine or voicemail
	ResultNoAnswer  Result = "no_answer" // rang out
	ResultBusy      Result = "busy"      // busy or rejected
	ResultFailed    Result = "failed"    // the carrier could not place it
	ResultAbandoned Result = "abandoned" // a person answered and no agent was connected within 2 s
	ResultCancelled Result = "cancelled" // hung up by us before an answer
	ResultUnknown   Result = "unknown"   // the carrier's outcome is unknown (reconciled later)
)

// Retryable reports whether the result may earn a retry.
func (r Result) Retryable() bool {
	switch r {
	case ResultNoAnswer, ResultBusy, ResultFailed, ResultMachine, ResultAbandoned, ResultUnknown:
		return true
	}
	return false
}

// Money is an amount in millionths of a currency unit, so sums are exact.
type Money int64

// Attempt is one row of the attempt log: a call placed to a contact, with
// everything reports read. Attempts are appended, never changed.
type Attempt struct {
	ID          AttemptID
	WorkspaceID WorkspaceID
	CampaignID  ID
	ContactID   ContactID
	// Number is the E.164 number dialled.
	Number string
	// CallerID is the E.164 number presented.
	CallerID string
	// Seq is the attempt's number for the contact, from 1.
	Seq    int
	Result Result
	// AnsweredBy is "human", "machine" or "" when unanswered.
	AnsweredBy string
	StartedAt  time.Time
	AnsweredAt time.Time
	EndedAt    time.Time
	// RingDuration is from dial to answer or ring-out.
	RingDuration time.Duration
	// TalkDuration is the connected conversation.
	TalkDuration time.Duration
	// WrapDuration is the agent's after-call work.
	WrapDuration  time.Duration
	Cost          Money
	Currency      string
	CarrierCallID string
	CarrierCode   string
	CarrierStatus string
	// AgentID is the member or AI agent connected.
	AgentID       UserID
	DispositionID DispositionID
	// Abandoned is true when a live answer was not connected within 2 s.
	Abandoned bool
	Outcome   OutcomeDetails
}

// OutcomeDetails are what the caller saved with the disposition.
type OutcomeDetails struct {
	Note            string
	Fields          map[string]string
	MeetingBooked   bool
	MeetingAt       time.Time
	MeetingAccepted bool
	QualifiedLead   bool
	Opportunity     bool
	Revenue         Money
	CallbackAt      time.Time
	FollowUp        string
	// Goals maps a goal to "achieved", "partial", "not_achieved" or "unknown".
	Goals map[GoalID]string
	// Answers maps an analysis question to its answer(s).
	Answers map[AnalysisID][]string
	// PlaybookSteps are the script steps the caller completed.
	PlaybookSteps []string
}

// BlockScope is what raised a compliance block.
type BlockScope string

// Block scopes.
const (
	BlockScopeGlobal   BlockScope = "global"   // workspace-wide suppression
	BlockScopeClient   BlockScope = "client"   // the client's suppression list
	BlockScopeCampaign BlockScope = "campaign" // the campaign's suppression list
	BlockScopeList     BlockScope = "list"     // a named suppression list the campaign honours (Settings.SuppressionLists)
	BlockScopeLaw      BlockScope = "law"      // a legal rule (hours, days, caps, consent, unsafe number)
	BlockScopePolicy   BlockScope = "policy"   // a campaign setting (window, status, schedule, attempts)
)

// Block is a compliance refusal: a contact the dialer did not call, and why.
type Block struct {
	ID          BlockID
	WorkspaceID WorkspaceID
	CampaignID  ID
	ContactID   ContactID
	Number      string
	// Reason is a stable reason code, such as "suppressed_global" or
	// "outside_legal_hours".
	Reason string
	Scope  BlockScope
	// Stage is where it was caught: "import", "claim" or "dial".
	Stage  string
	Detail string
	At     time.Time
}

// AgentState is an agent's state.
type AgentState string

// Agent states.
const (
	AgentAvailable AgentState = "available"
	AgentOnCall    AgentState = "on_call"
	AgentWrapUp    AgentState = "wrap_up"
	AgentPaused    AgentState = "paused"
)

// AgentSpan is an agent's state over [Start, End).
type AgentSpan struct {
	WorkspaceID WorkspaceID
	CampaignID  ID
	AgentID     UserID
	State       AgentState
	Start       time.Time
	End         time.Time
}

// AuditEntry records one mutation: who did what to which record, and when.
type AuditEntry struct {
	ID          AuditID
	WorkspaceID WorkspaceID
	ActorID     UserID
	// Action is the operation, such as "campaign.create".
	Action string
	// Entity is the record kind, such as "campaign".
	Entity   string
	EntityID string
	// Detail is a short human-readable description.
	Detail string
	At     time.Time
}
