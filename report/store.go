package report

import (
	"context"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// BucketSize is the width of an aggregate time bucket: 15 minutes of UTC,
// so that a bucket lies within one local hour of every zone in use
// (offsets are multiples of 15 minutes).
const BucketSize = 15 * time.Minute

// BucketStart returns the start of the 15-minute UTC bucket holding t.
func BucketStart(t time.Time) time.Time { return t.UTC().Truncate(BucketSize) }

// Counts aggregates attempts. Every field is a sum over the attempts
// counted, so Counts of disjoint sets add up (see [Counts.Merge]).
type Counts struct {
	// Attempts is the calls made.
	Attempts int64 `json:"attempts"`
	// FirstAttempts counts attempts with Seq 1: the contacts dialled.
	FirstAttempts int64 `json:"first_attempts"`
	// Results counts attempts by Result.
	Human, Machine, NoAnswer, Busy, Failed, AbandonedResult, Cancelled, Unknown int64
	// AnsweredHuman and AnsweredMachine count attempts by AnsweredBy;
	// AnsweredHuman is the live-answered denominator of the abandon rate.
	AnsweredHuman, AnsweredMachine int64
	// Abandoned counts attempts flagged Abandoned or with ResultAbandoned.
	Abandoned int64
	// Conversations counts attempts with a positive TalkDuration.
	Conversations int64
	// Talk and Wrap sum TalkDuration and WrapDuration.
	Talk, Wrap time.Duration
	// Costed counts attempts carrying cost data (a Currency or a non-zero
	// Cost); Cost sums their cost.
	Costed int64
	Cost   campaign.Money
	// Dispositioned counts attempts with a disposition.
	Dispositioned int64
	// Outcome flags, from OutcomeDetails.
	Meetings, MeetingsAccepted, Qualified, Opportunities int64
	Revenue                                              campaign.Money
	// Playbook counts conversations whose caller completed at least one
	// playbook step.
	Playbook int64
}

// Add counts one attempt. It is the Go definition of the attempt metrics:
// the memory store counts with it, and the SQL stores' rollup triggers are
// proven equal to it by report/reporttest, whose reference is computed
// independently (docs/design.md, "Each rule once").
func (c *Counts) Add(a campaign.Attempt) {
	c.Attempts++
	if a.Seq == 1 {
		c.FirstAttempts++
	}
	switch a.Result {
	case campaign.ResultHuman:
		c.Human++
	case campaign.ResultMachine:
		c.Machine++
	case campaign.ResultNoAnswer:
		c.NoAnswer++
	case campaign.ResultBusy:
		c.Busy++
	case campaign.ResultFailed:
		c.Failed++
	case campaign.ResultAbandoned:
		c.AbandonedResult++
	case campaign.ResultCancelled:
		c.Cancelled++
	default:
		c.Unknown++
	}
	switch a.AnsweredBy {
	case "human":
		c.AnsweredHuman++
	case "machine":
		c.AnsweredMachine++
	}
	if a.Abandoned || a.Result == campaign.ResultAbandoned {
		c.Abandoned++
	}
	if a.TalkDuration > 0 {
		c.Conversations++
		if len(a.Outcome.PlaybookSteps) > 0 {
			c.Playbook++
		}
	}
	c.Talk += a.TalkDuration
	c.Wrap += a.WrapDuration
	if a.Currency != "" || a.Cost != 0 {
		c.Costed++
		c.Cost += a.Cost
	}
	if a.DispositionID != "" {
		c.Dispositioned++
	}
	o := a.Outcome
	c.Meetings += b2i(o.MeetingBooked)
	c.MeetingsAccepted += b2i(o.MeetingAccepted)
	c.Qualified += b2i(o.QualifiedLead)
	c.Opportunities += b2i(o.Opportunity)
	c.Revenue += o.Revenue
}

// Merge adds o into c.
func (c *Counts) Merge(o Counts) {
	c.Attempts += o.Attempts
	c.FirstAttempts += o.FirstAttempts
	c.Human += o.Human
	c.Machine += o.Machine
	c.NoAnswer += o.NoAnswer
	c.Busy += o.Busy
	c.Failed += o.Failed
	c.AbandonedResult += o.AbandonedResult
	c.Cancelled += o.Cancelled
	c.Unknown += o.Unknown
	c.AnsweredHuman += o.AnsweredHuman
	c.AnsweredMachine += o.AnsweredMachine
	c.Abandoned += o.Abandoned
	c.Conversations += o.Conversations
	c.Talk += o.Talk
	c.Wrap += o.Wrap
	c.Costed += o.Costed
	c.Cost += o.Cost
	c.Dispositioned += o.Dispositioned
	c.Meetings += o.Meetings
	c.MeetingsAccepted += o.MeetingsAccepted
	c.Qualified += o.Qualified
	c.Opportunities += o.Opportunities
	c.Revenue += o.Revenue
	c.Playbook += o.Playbook
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Bucket is the [Counts] of the attempts started in one 15-minute UTC
// bucket.
type Bucket struct {
	// Start is the bucket's start, a multiple of BucketSize, in UTC.
	Start time.Time
	Counts
}

// GoalCount counts the attempts that recorded a goal with one status
// ("achieved", "partial", "not_achieved" or "unknown").
type GoalCount struct {
	GoalID campaign.GoalID
	Status string
	Count  int64
}

// AnswerCount counts the attempts that gave one answer to an analysis
// question (a multiple-choice attempt counts once per answer).
type AnswerCount struct {
	AnalysisID campaign.AnalysisID
	Answer     string
	Count      int64
}

// ContactCounts aggregates a campaign's contacts.
type ContactCounts struct {
	// ByStatus counts contacts by status.
	ByStatus map[campaign.ContactStatus]int64
	// Due counts waiting contacts (pending, retry, callback) whose
	// NextAttemptAt is not after now.
	Due int64
	// InCall counts dialing contacts with a call in progress: a dial
	// journaled (queue.Store.BeginAttempt) and not yet finished.
	InCall int64
	// Successful and Voicemail follow the package's definitions: completed
	// contacts whose latest attempt has a Contacted or Qualified
	// disposition; completed contacts, not successful, whose latest attempt
	// was answered by a machine.
	Successful, Voicemail int64
}

// Total returns the number of contacts.
func (c ContactCounts) Total() int64 {
	var n int64
	for _, v := range c.ByStatus {
		n += v
	}
	return n
}

// Completed returns the contacts the campaign finished calling (see
// [CompletedStatus]).
func (c ContactCounts) Completed() int64 {
	var n int64
	for st, v := range c.ByStatus {
		if CompletedStatus(st) {
			n += v
		}
	}
	return n
}

// CompletedStatus reports whether a contact in status st counts as
// completed: the campaign finished calling it (completed, failed,
// no_conversation or dnc).
func CompletedStatus(st campaign.ContactStatus) bool {
	switch st {
	case campaign.ContactCompleted, campaign.ContactFailed, campaign.ContactNoConversation, campaign.ContactDNC:
		return true
	}
	return false
}

// BlockCount counts a campaign's compliance blocks with one scope and
// reason, and the distinct contacts they concern.
type BlockCount struct {
	Scope    campaign.BlockScope
	Reason   string
	Blocks   int64
	Contacts int64
}

// AgentStats aggregates a campaign's agent spans.
type AgentStats struct {
	// Time sums span durations by state.
	Time map[campaign.AgentState]time.Duration
	// Agents counts distinct agents with a span.
	Agents int64
	// ActiveNow counts distinct agents not paused in a span overlapping
	// [now-BucketSize, now].
	ActiveNow int64
	// ActiveBuckets are the 15-minute UTC buckets (by start) overlapped by
	// at least one span in a state other than paused, ascending.
	ActiveBuckets []time.Time
}

// AgentStatsOf computes AgentStats of campaign id at now from agent spans
// (of any campaign; others are ignored). It is the Go definition of the
// agent metrics: the memory store calls it, and the SQL stores' queries
// are proven equal to it by report/reporttest.
func AgentStatsOf(spans []campaign.AgentSpan, id campaign.ID, now time.Time) AgentStats {
	st := AgentStats{Time: map[campaign.AgentState]time.Duration{}}
	agents, active, buckets := map[campaign.UserID]bool{}, map[campaign.UserID]bool{}, map[time.Time]bool{}
	for _, sp := range spans {
		if sp.CampaignID != id {
			continue
		}
		st.Time[sp.State] += sp.End.Sub(sp.Start)
		agents[sp.AgentID] = true
		if sp.State == campaign.AgentPaused {
			continue
		}
		if sp.End.After(now.Add(-BucketSize)) && !sp.Start.After(now) {
			active[sp.AgentID] = true
		}
		for b := BucketStart(sp.Start); b.Before(sp.End); b = b.Add(BucketSize) {
			buckets[b.UTC()] = true
		}
	}
	st.Agents, st.ActiveNow = int64(len(agents)), int64(len(active))
	for b := range buckets {
		st.ActiveBuckets = append(st.ActiveBuckets, b)
	}
	slices.SortFunc(st.ActiveBuckets, time.Time.Compare)
	return st
}

// AttemptFilter selects attempts of one workspace; zero fields match
// everything.
type AttemptFilter struct {
	CampaignID campaign.ID
	ContactID  campaign.ContactID
	// From and To bound StartedAt to [From, To); zero is unbounded.
	From, To time.Time
}

// ContactRow is a contact with its per-contact metrics, as exports write
// it.
type ContactRow struct {
	Contact campaign.Contact
	// Attempts counts the contact's attempts in the log.
	Attempts int64
	// LastResult and LastDispositionID are those of the latest attempt.
	LastResult        campaign.Result
	LastDispositionID campaign.DispositionID
	LastAttemptAt     time.Time
	Talk              time.Duration
	Cost              campaign.Money
	Meetings          int64
	Revenue           campaign.Money
}

// CampaignReader is the part of campaign.Store reports read.
type CampaignReader interface {
	GetCampaign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (campaign.Campaign, error)
	ListCampaigns(ctx context.Context, ws campaign.WorkspaceID) ([]campaign.Campaign, error)
	ListTransitions(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]campaign.Transition, error)
	ListDispositions(ctx context.Context, ws campaign.WorkspaceID, c campaign.ID) ([]campaign.Disposition, error)
	ListGoals(ctx context.Context, ws campaign.WorkspaceID, c campaign.ID) ([]campaign.Goal, error)
	ListAnalyses(ctx context.Context, ws campaign.WorkspaceID, c campaign.ID) ([]campaign.Analysis, error)
	GetList(ctx context.Context, ws campaign.WorkspaceID, id campaign.ListID) (campaign.List, error)
}

// Store is the storage reports read: aggregates computed by the adapter
// (the memory store from its records, the SQL stores with GROUP BY and
// rollups), streams for exports, and the export and delivery histories.
// Every method is scoped to one workspace; a campaign of another workspace
// has no data. Store/memory, store/sqlite and store/postgres implement it;
// report/reporttest is its conformance suite.
type Store interface {
	CampaignReader

	// AttemptBuckets returns the Counts of the campaign's attempts per
	// 15-minute UTC bucket of StartedAt, for buckets starting in
	// [from, to) (zero bounds are open), ascending; empty buckets are
	// left out.
	AttemptBuckets(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) ([]Bucket, error)
	// AttemptCounts returns the Counts of the campaign's attempts with
	// StartedAt in [from, to) exactly (zero bounds are open).
	AttemptCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) (Counts, error)
	// GoalCounts counts the campaign's attempts by recorded goal and status.
	GoalCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]GoalCount, error)
	// AnswerCounts counts the campaign's attempts by analysis answer.
	AnswerCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]AnswerCount, error)
	// ContactCounts aggregates the campaign's contacts at time now.
	ContactCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) (ContactCounts, error)
	// BlockCounts counts the campaign's blocks by scope and reason.
	BlockCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]BlockCount, error)
	// AgentStats aggregates the campaign's agent spans at time now.
	AgentStats(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) (AgentStats, error)

	// ScanAttempts calls fn with each attempt matching f, ordered by
	// StartedAt then ID, without holding them all in memory; an error from
	// fn stops the scan and is returned.
	ScanAttempts(ctx context.Context, ws campaign.WorkspaceID, f AttemptFilter, fn func(campaign.Attempt) error) error
	// ScanContactRows calls fn with each contact of the campaign and its
	// metrics, ordered by contact ID, without holding them all in memory.
	ScanContactRows(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, fn func(ContactRow) error) error

	// AppendExport records an export in the workspace's history.
	AppendExport(ctx context.Context, e ExportRecord) error
	// ListExports returns the workspace's exports, newest first, at most
	// limit (0: all).
	ListExports(ctx context.Context, ws campaign.WorkspaceID, limit int) ([]ExportRecord, error)
	// AppendDelivery records one delivery try of a scheduled report.
	AppendDelivery(ctx context.Context, d Delivery) error
	// ListDeliveries returns the workspace's delivery tries, newest first,
	// at most limit (0: all).
	ListDeliveries(ctx context.Context, ws campaign.WorkspaceID, limit int) ([]Delivery, error)

	// PutSchedule stores r, replacing the workspace's schedule of the same
	// ID (its state included).
	PutReportSchedule(ctx context.Context, r ScheduleRecord) error
	// GetSchedule returns the workspace's schedule id, or an error wrapping
	// campaign.ErrNotFound.
	GetReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id ScheduleID) (ScheduleRecord, error)
	// ListSchedules returns the workspace's schedules ordered by ID.
	ListReportSchedules(ctx context.Context, ws campaign.WorkspaceID) ([]ScheduleRecord, error)
	// DeleteSchedule removes the workspace's schedule id, or returns an
	// error wrapping campaign.ErrNotFound.
	DeleteReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id ScheduleID) error
	// DueSchedules returns the schedules of every workspace whose Next is
	// set and not after now, ordered by Next, workspace and ID, at most
	// limit (0: all).
	DueReportSchedules(ctx context.Context, now time.Time, limit int) ([]ScheduleRecord, error)
	// ClaimSchedule claims the delivery of the schedule's fire time due:
	// atomically, if the stored Next is due, it sets Next to next and
	// LastDue to due and returns true; otherwise (another scheduler
	// claimed it, the schedule was replaced or removed) it changes nothing
	// and returns false.
	ClaimReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id ScheduleID, due, next time.Time) (bool, error)
}

// ScheduleRecord is a stored [Schedule] with the scheduler's state.
type ScheduleRecord struct {
	Schedule
	// Next is the fire time the schedule is next due; zero: never.
	Next time.Time
	// LastDue is the fire time of the last delivery claimed; zero: none.
	LastDue time.Time
}

// HistoryLoader loads a past attempt log: calls placed elsewhere (another
// dialer's history) or generated for tests, demos and benchmarks. Every
// store implements it; reporttest writes its fixtures through it.
type HistoryLoader interface {
	// SeedAttempts appends attempts to the attempt log as history, without
	// the queue's consequences: contact states are left as they are.
	// Attempt IDs must be new; the attempts' campaigns must exist.
	SeedAttempts(ctx context.Context, as []campaign.Attempt) error
}
