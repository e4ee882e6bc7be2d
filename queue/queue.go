package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/suppression"
)

var (
	// ErrLeaseLost is returned by Finish, Extend and Release when the lease
	// is no longer held: it expired (judged by the store's clock), or the
	// contact was leased again with another token. The result is not
	// applied.
	ErrLeaseLost = errors.New("queue: lease lost")
	// ErrNotRunning is returned by Claim and Next when the campaign is not
	// Running; nothing is leased and no block is recorded.
	ErrNotRunning = errors.New("queue: campaign not running")
	// ErrNoContact is returned by Next when no contact is due for the
	// caller.
	ErrNoContact = errors.New("queue: no contact due")
	// ErrInvalidOutcome is returned by Finish for an outcome that cannot be
	// applied, such as a callback disposition without a callback time.
	ErrInvalidOutcome = errors.New("queue: invalid outcome")
	// ErrClockSkew is returned by a store that judges by its own clock
	// (queue.StoreClock) when the caller's now is so far from it that the
	// host's clock is wrong: nothing is leased, since windows and due times
	// judged by either clock could not both be trusted. Fix the host's time
	// (NTP); a simulation on a virtual clock opens its store for it (for
	// Postgres, postgres.WithVirtualTime).
	ErrClockSkew = errors.New("queue: host clock too far from the store's")
)

// LeaseToken is the fencing token of one lease. A store grants a fresh
// token with every claim and applies Finish, Extend and Release only while
// the contact still carries it, so a result from a lease that expired (and
// may have been granted again) is refused with [ErrLeaseLost].
type LeaseToken string

// Lease is one contact leased for dialing until ExpiresAt.
type Lease struct {
	WorkspaceID campaign.WorkspaceID
	CampaignID  campaign.ID
	ContactID   campaign.ContactID
	// Token fences the lease; see [LeaseToken].
	Token LeaseToken
	// ExpiresAt is when the lease lapses, by the store's clock (the
	// database's, for the Postgres adapter in database-clock mode).
	ExpiresAt time.Time
	// Contact is the contact as leased; its Status is
	// campaign.ContactDialing and its Version the stored one.
	Contact campaign.Contact
	// PrevStatus is the status the contact had before the claim; Release
	// and lease expiry restore it.
	PrevStatus campaign.ContactStatus
	// ExtraAttempts are attempts granted beyond Settings.MaxAttempts by a
	// manual retry.
	ExtraAttempts int
	// ListPriority is the priority of the contact's list, as the queue
	// ordered it.
	ListPriority int
	// ClaimedAt is the one instant the claim judged every rule by (due
	// time, callable interval, lease expiry): the store's clock when it
	// has one and uses it (see [StoreClock]), else the caller's now.
	// Use [Lease.At] for a later decision on the lease, such as the
	// dial-time gate, so it reads the same clock.
	ClaimedAt time.Time
	// claimedHost is the host's time when [Service] received the lease.
	claimedHost time.Time
}

// At returns the time on the clock that judged the claim (ClaimedAt)
// that corresponds to hostNow on the host's clock: ClaimedAt plus the
// host time elapsed since the claim. A host whose clock is minutes fast
// or slow thus gates dials by the store's clock, not its own. It returns
// hostNow for a lease that did not come from [Service] or whose store
// left ClaimedAt zero.
func (l Lease) At(hostNow time.Time) time.Time {
	if l.ClaimedAt.IsZero() || l.claimedHost.IsZero() {
		return hostNow
	}
	return l.ClaimedAt.Add(hostNow.Sub(l.claimedHost))
}

// ClaimQuery says which contacts a store's Claim may lease and how.
type ClaimQuery struct {
	// Limit is the most contacts to lease, at least 1.
	Limit int
	// TTL is the lease time.
	TTL time.Duration
	// Token is the fencing token the leases carry.
	Token LeaseToken
	// LaneOrder ranks the lanes (index = rank); the store orders the
	// leases it returns by it.
	LaneOrder []campaign.Lane
	// Caller may take owner-only callbacks promised by them before
	// OwnerCutoff; empty for the dialer.
	Caller campaign.UserID
	// OwnerCutoff opens owner-only callbacks to anyone: a callback whose
	// NextAttemptAt is at or before it is claimable by all.
	OwnerCutoff time.Time
	// OwnCallbacksOnly restricts the claim to the callback lane's contacts
	// whose CallbackOwner is Caller.
	OwnCallbacksOnly bool
}

// Candidate is what a claim judges one contact by: the contact as stored
// and the queue facts a store keeps beside it.
type Candidate struct {
	// Contact is the stored contact (its Status, Lane, NextAttemptAt and
	// CallbackOwner matter here).
	Contact campaign.Contact
	// FactsCurrent reports that the queue facts were computed from this
	// version of the contact (see [Store.StaleContacts]); a new or edited
	// contact has none until a refresh computes them.
	FactsCurrent bool
	// CallableFrom and CallableUntil are the facts' callable interval
	// (see [Facts]).
	CallableFrom  time.Time
	CallableUntil time.Time
	// Leased reports that the contact holds a lease, live or expired and
	// not yet reaped by Maintain.
	Leased bool
}

// Ready reports whether a store's Refill may put c in the hopper at now:
// its status is pending, retry or callback and it is due ([Due]), its
// facts are current, it is not leased, and CallableFrom <= now <
// CallableUntil. A store also requires that it saw the contact due at a
// write (the one that queued it, SetFacts, or a Maintain since it fell
// due), so a parked contact waits for Maintain.
//
// It is the one definition of readiness: the memory store decides by it,
// and the SQL adapters' predicate (internal/sqlstore's readyNow and the
// claim's filters) is proven equal to it on generated contacts by
// store/storetest's QueueClaimPredicate (docs/design.md).
func Ready(c Candidate, now time.Time) bool {
	ct := c.Contact
	return Due(ct.Status, ct.NextAttemptAt, now) && c.FactsCurrent && !c.Leased &&
		!c.CallableFrom.After(now) && c.CallableUntil.After(now)
}

// Claimable reports whether a store's Claim may lease c for q at now: it
// is [Ready], and
//
//   - it has no CallbackOwner, or the owner is q.Caller, or its
//     NextAttemptAt <= q.OwnerCutoff;
//   - with q.OwnCallbacksOnly, it is in the callback lane and its
//     CallbackOwner is q.Caller (not empty).
//
// Claim also leases only contacts in the hopper, and applies the number
// rule, which looks across contacts: no other contact of the workspace
// with the same Phone holds a lease (in any campaign; an expired lease
// holds its number until Maintain reaps it), and of ready contacts
// sharing a number one claim leases only the first. Claim orders the
// contacts it leases by lane rank ([LaneRank] in q.LaneOrder), list
// priority (higher first), contact priority (higher first), then age
// (CreatedAt, then ID).
func Claimable(c Candidate, q ClaimQuery, now time.Time) bool {
	ct := c.Contact
	return Ready(c, now) &&
		(ct.CallbackOwner == "" || ct.CallbackOwner == q.Caller || !ct.NextAttemptAt.After(q.OwnerCutoff)) &&
		(!q.OwnCallbacksOnly || (q.Caller != "" && ct.Lane == campaign.LaneCallback && ct.CallbackOwner == q.Caller))
}

// NextState is the queue state a store writes when a lease ends.
type NextState struct {
	Status        campaign.ContactStatus
	Lane          campaign.Lane
	NextAttemptAt time.Time
	CallbackOwner campaign.UserID
	// OwnerID is the contact's owner (changed only by redistribution).
	OwnerID       campaign.UserID
	Attempts      int
	LastAttemptAt time.Time
	// Consent replaces the contact's consent (revoked by a DNC request).
	Consent campaign.Consent
	// ExtraAttempts are the attempts still granted beyond MaxAttempts.
	ExtraAttempts int
}

// Dial is the attempt in progress on a lease. The dialer records it with
// [Service.BeginAttempt] before it asks the carrier to dial, so a lease that
// expires mid-call (a crashed or partitioned process) still leaves its
// attempt in the log: a store's Maintain, reaping the lease, appends the
// attempt with Result campaign.ResultUnknown and CarrierStatus
// [LeaseExpiredStatus], and counts it against the contact (Attempts,
// LastAttemptAt), so caps, max attempts and the time between calls hold.
type Dial struct {
	// AttemptID is the attempt's ID; Finish should append the final
	// attempt with the same one.
	AttemptID campaign.AttemptID
	// Number is the number dialled; CallerID the caller ID presented.
	Number   string
	CallerID string
	// StartedAt is when the dial began.
	StartedAt time.Time
}

// OpenDial is a begun dial whose attempt was never finished, with the
// lease that holds its contact.
type OpenDial struct {
	Lease Lease
	Dial  Dial
}

// LeaseExpiredStatus is the CarrierStatus of an attempt a store appended
// when it reaped a lease whose [Dial] had begun and never finished.
const LeaseExpiredStatus = "lease_expired"

// Finished is what a store's Finish writes in one transaction.
type Finished struct {
	// Attempt is appended to the attempt log.
	Attempt campaign.Attempt
	// Next is the contact's new queue state.
	Next NextState
	// LaneOrder ranks the lanes (index = rank): a contact that Next leaves
	// queued and due at once is ready at its lane's rank (see [LaneRank]);
	// otherwise a later Maintain promotes it.
	LaneOrder []campaign.Lane
	// Suppress are suppression entries to add (replacing same keys), the
	// "stop calling me" of a DNC disposition.
	Suppress []suppression.Entry
}

// LeaseFinish is one item of a store's FinishMany: Finish's arguments.
type LeaseFinish struct {
	Lease    Lease
	Finished Finished
	Now      time.Time
}

// Released is what a store's Release writes in one transaction.
type Released struct {
	// Next is the contact's new queue state.
	Next NextState
	// LaneOrder ranks the lanes, as [Finished.LaneOrder].
	LaneOrder []campaign.Lane
	// Blocks are recorded with the release (a refusal at claim time).
	Blocks []campaign.Block
}

// Facts are the precomputed queue columns of one contact, computed by
// the Service from its campaign, list and the compliance rules.
type Facts struct {
	ContactID campaign.ContactID
	// Version is the contact's version the facts were computed from; a
	// store writes them only while the contact still has it.
	Version int64
	// ZoneGroup is the contact's zone group key (see [GroupKey]).
	ZoneGroup string
	// CallableFrom and CallableUntil bound the interval in which the
	// compliance rules and the campaign window allow a call.
	CallableFrom  time.Time
	CallableUntil time.Time
	ListPriority  int
}

// GroupWindow sets the callable interval of every contact of one zone
// group whose interval has lapsed.
type GroupWindow struct {
	ZoneGroup     string
	CallableFrom  time.Time
	CallableUntil time.Time
}

// Maintenance is the bounded housekeeping of a store's Maintain.
type Maintenance struct {
	// LaneOrder ranks the lanes for promoted contacts.
	LaneOrder []campaign.Lane
	// Limit bounds the contacts each step touches.
	Limit int
}

// MaintenanceResult counts what a Maintain did.
type MaintenanceResult struct {
	// Reaped counts expired leases returned to their lanes.
	Reaped int
	// Promoted counts parked contacts that fell due and became ready.
	Promoted int
}

// Refill says how far a store's Refill tops up a campaign's hopper.
type Refill struct {
	// Target is the level Refill fills the hopper to, at least 1.
	Target int
}

// RefillResult says what a Refill did.
type RefillResult struct {
	// Dropped counts entries removed because their contact stopped being
	// ready (changed, leased, no longer due or callable).
	Dropped int
	// Added counts entries filled from the campaign's ready contacts.
	Added int
	// Level is the number of entries in the hopper afterwards.
	Level int
	// Busy reports that another caller was refilling the campaign at that
	// moment, so this one left the hopper to it (Added is 0).
	Busy bool
}

// CountQuery says what a store's Counts judges against.
type CountQuery struct {
	// MaxAttempts is the campaign's attempt limit: queued contacts (not
	// callbacks) with that many attempts, plus their extra ones, count as
	// AttemptsUsedUp.
	MaxAttempts int
}

// Counts is the state of a campaign's queue, counted by a store at one
// instant: what is dialable, and why the rest is not. Every contact of
// the campaign is in exactly one of the fields but Hopper (which counts
// entries of Ready contacts) and Refused (which details the final
// statuses of ByStatus).
type Counts struct {
	// Hopper is the hopper's level: entries ready to be leased.
	Hopper int
	// Ready counts queued contacts that may be leased now: current facts,
	// due, inside their callable interval, not leased, attempts left.
	Ready int
	// Leased counts contacts in a live (or expired, unreaped) lease.
	Leased int
	// Stale counts queued contacts whose eligibility is not computed yet
	// (new or edited; a refresh computes it).
	Stale int
	// NotDue counts queued contacts whose next attempt is later.
	NotDue int
	// OutsideWindow counts due contacts outside their callable interval:
	// no candidate time zone allows a call now.
	OutsideWindow int
	// AttemptsUsedUp counts queued contacts with no attempts left.
	AttemptsUsedUp int
	// ByStatus counts the other contacts (not queued, not leased) by
	// status: called, completed, failed, skipped, dnc, expired.
	ByStatus map[campaign.ContactStatus]int
	// Refused counts the contacts of ByStatus that a claim refused, by
	// the reason code of their last refusal (a campaign.Block), such as
	// suppressed_global or consent_missing.
	Refused map[string]int
}

// Reassignment moves owned contacts to another owner.
type Reassignment struct {
	// From is the current owner (Contact.OwnerID or CallbackOwner);
	// required.
	From campaign.UserID
	// To is the new owner; empty makes the contacts unowned and puts them
	// in the redistributable lane.
	To campaign.UserID
	// UntouchedSince, when not zero, moves only contacts not attempted
	// since then (never attempted contacts count as untouched since their
	// creation).
	UntouchedSince time.Time
	// LaneOrder ranks the lanes; the store uses it for moved contacts
	// that are due.
	LaneOrder []campaign.Lane
	// Audit, when its ID is set, is written in the same transaction, its
	// Detail ending with the count of contacts moved (see [AuditCount]).
	Audit campaign.AuditEntry
}

// Requeue selects contacts for a manual retry.
type Requeue struct {
	// ContactIDs selects these contacts; empty selects by Status.
	ContactIDs []campaign.ContactID
	// Status selects every contact of the campaign with this status when
	// ContactIDs is empty (e.g. campaign.ContactFailed for "retry all
	// failed").
	Status campaign.ContactStatus
	// MaxAttempts is the campaign's limit: a requeued contact at or past it
	// is granted one more attempt.
	MaxAttempts int
	// LaneOrder ranks the lanes; requeued contacts are ready at once at the
	// retry lane's rank (see [LaneRank]).
	LaneOrder []campaign.Lane
	// Audit, when its ID is set, is written in the same transaction, its
	// Detail ending with the count of contacts requeued (see [AuditCount]).
	Audit campaign.AuditEntry
}

// AuditCount returns the audit entry a store writes for a queue action
// that changed n contacts: a with "; contacts changed: n" appended to its
// Detail.
func AuditCount(a campaign.AuditEntry, n int) campaign.AuditEntry {
	a.Detail = fmt.Sprintf("%s; contacts changed: %d", a.Detail, n)
	return a
}

// AttemptFilter selects attempts; zero fields match everything.
type AttemptFilter struct {
	CampaignID campaign.ID
	ContactID  campaign.ContactID
	// Since and Until bound StartedAt: Since <= StartedAt < Until.
	Since time.Time
	Until time.Time
	// After is the cursor: the ID of the last attempt of the previous
	// page.
	After campaign.AttemptID
	// Limit is the page size, 1–10000. Defaults to 1000.
	Limit int
}

// PageLimit returns the effective page size of f.
func (f AttemptFilter) PageLimit() int { return pageLimit(f.Limit) }

// BlockFilter selects blocks; zero fields match everything.
type BlockFilter struct {
	CampaignID campaign.ID
	ContactID  campaign.ContactID
	Reason     string
	// After is the cursor: the ID of the last block of the previous page.
	After campaign.BlockID
	// Limit is the page size, 1–10000. Defaults to 1000.
	Limit int
}

// PageLimit returns the effective page size of f.
func (f BlockFilter) PageLimit() int { return pageLimit(f.Limit) }

func pageLimit(n int) int {
	switch {
	case n <= 0:
		return 1000
	case n > 10000:
		return 10000
	}
	return n
}

// Store is the storage the queue needs. Every method is atomic and scoped
// to one workspace. Adapters live in store/memory, store/sqlite and
// store/postgres; store/storetest checks them.
//
// Writes that change a contact increase its Version (so a concurrent
// campaign.Store.UpdateContact conflicts instead of losing the change) and
// mark the queue facts current.
type Store interface {
	// Claim leases up to q.Limit ready contacts of the campaign's hopper
	// (see [ClaimQuery] and Refill) in queue order, setting their status to
	// campaign.ContactDialing (no longer ready) and their lease to
	// q.Token until now+q.TTL (the Postgres adapter may judge now by the
	// database's clock). It returns an empty slice, not an error, when
	// nothing is ready (a campaign the workspace does not have has nothing
	// ready). Concurrent claims never lease one contact twice, nor two
	// contacts with the same number.
	Claim(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, q ClaimQuery, now time.Time) ([]Lease, error)
	// Extend moves the lease's expiry to now+ttl and returns it;
	// ErrLeaseLost when the lease is no longer held.
	Extend(ctx context.Context, l Lease, ttl time.Duration, now time.Time) (time.Time, error)
	// BeginAttempt records d as the lease's attempt in progress (see
	// [Dial]); ErrLeaseLost when the lease is no longer held. Finish and
	// Release clear it.
	BeginAttempt(ctx context.Context, l Lease, d Dial, now time.Time) error
	// OpenDials returns the campaign's contacts whose lease is still held
	// at now and whose dial began (BeginAttempt) and never finished, with
	// their leases and dials, oldest dial first: the calls of a process
	// that stopped without finishing them, which a restarted engine
	// reconciles with the carrier.
	OpenDials(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) ([]OpenDial, error)
	// Release ends the lease without an attempt, writing r;
	// ErrLeaseLost when the lease is no longer held.
	Release(ctx context.Context, l Lease, r Released, now time.Time) error
	// Finish ends the lease: it appends f.Attempt, writes f.Next and adds
	// f.Suppress, all or nothing; ErrLeaseLost when the lease is no longer
	// held.
	Finish(ctx context.Context, l Lease, f Finished, now time.Time) error
	// FinishMany ends several leases as Finish ends one, in as few
	// transactions as it can (one, when no item fails but by a lost
	// lease), and returns one error per item, in order: nil,
	// ErrLeaseLost when that lease is no longer held, or what Finish
	// would return for it. An item that fails writes nothing and changes
	// nothing of the others. The Service groups concurrent Finish calls
	// into one FinishMany (see Service.Finish).
	FinishMany(ctx context.Context, fs []LeaseFinish) []error

	// Maintain returns up to m.Limit contacts of the workspace (any
	// campaign: an expired lease holds its number until it is reaped)
	// whose lease expired at now to their lanes (status before the claim,
	// not ready until promoted), appending the attempt of a lease whose [Dial] had
	// begun, then makes up to m.Limit parked, queued contacts of the
	// campaign whose NextAttemptAt <= now ready at their lane's rank.
	Maintain(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, m Maintenance, now time.Time) (MaintenanceResult, error)
	// StaleContacts returns up to limit contacts of the campaign whose
	// queue facts are missing or older than the contact (new, or changed
	// by another writer), in no particular order.
	StaleContacts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, limit int) ([]campaign.Contact, error)
	// SetFacts writes each contact's facts if its Version is unchanged,
	// and reports how many it wrote. A contact it writes that is queued,
	// not leased and due at now (see [Due]) becomes ready at its lane's
	// rank in order (see [LaneRank]); the others wait for Maintain.
	SetFacts(ctx context.Context, ws campaign.WorkspaceID, order []campaign.Lane, fs []Facts, now time.Time) (int, error)
	// StaleGroups returns up to limit distinct zone groups of the
	// campaign's queued contacts whose CallableUntil <= now.
	StaleGroups(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, limit int, now time.Time) ([]string, error)
	// SetGroupWindow sets the callable interval of up to limit of the
	// group's queued contacts whose CallableUntil <= now, and reports how
	// many.
	SetGroupWindow(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, g GroupWindow, limit int, now time.Time) (int, error)

	// Refill keeps the campaign's hopper, the small set of contacts claims
	// lease from: it drops entries whose contacts stopped being ready
	// since they were filled, then fills it in queue order from the
	// campaign's ready contacts (as Claim defines them, but for the
	// number rule, which the claim applies) up to r.Target entries. Claim
	// leases only contacts in the hopper. Concurrent refills of one
	// campaign never fill a contact twice; one may leave the work to
	// another (RefillResult.Busy).
	Refill(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r Refill, now time.Time) (RefillResult, error)
	// Counts counts the campaign's contacts by what keeps them from being
	// dialled at now (see [Counts]).
	Counts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, q CountQuery, now time.Time) (Counts, error)

	// Reassign moves the campaign's queued (not leased) contacts owned by
	// r.From to r.To and reports how many.
	Reassign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r Reassignment, now time.Time) (int, error)
	// Requeue puts the selected contacts of the campaign (not leased, not
	// DNC) in the retry lane, due now, and reports how many.
	Requeue(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r Requeue, now time.Time) (int, error)

	// RecordBlocks appends blocks (refusals found outside a claim, such as
	// at dial time).
	RecordBlocks(ctx context.Context, ws campaign.WorkspaceID, bs []campaign.Block) error
	// ListBlocks returns blocks matching f, ordered by ID.
	ListBlocks(ctx context.Context, ws campaign.WorkspaceID, f BlockFilter) ([]campaign.Block, error)
	// ListAttempts returns attempts matching f, ordered by ID.
	ListAttempts(ctx context.Context, ws campaign.WorkspaceID, f AttemptFilter) ([]campaign.Attempt, error)
	// RecentAttempts returns, per number, the StartedAt of the
	// workspace's attempts to it at or after since (any campaign).
	// Numbers without attempts are absent.
	RecentAttempts(ctx context.Context, ws campaign.WorkspaceID, numbers []string, since time.Time) (map[string][]time.Time, error)
}

// LeaseClock says whose clock judges when leases expire.
type LeaseClock int

// Lease clocks.
const (
	// StoreClock judges lease expiry by the store's own clock where it has
	// one shared by every process (the Postgres adapter uses the database's
	// clock_timestamp()), so hosts with skewed clocks agree. Stores without
	// one use the caller's now. The default.
	StoreClock LeaseClock = iota
	// CallerClock judges lease expiry by the now passed to each call, as a
	// virtual clock in tests needs.
	CallerClock
)
