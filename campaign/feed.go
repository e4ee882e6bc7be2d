package campaign

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FeedKind is what a change-feed event describes.
type FeedKind string

// Feed event kinds.
const (
	// FeedStatus is a campaign status change ([Transition]).
	FeedStatus FeedKind = "status"
	// FeedAttempt is an attempt appended to the attempt log ([Attempt]):
	// a call's outcome saved, or a call whose lease expired.
	FeedAttempt FeedKind = "attempt"
	// FeedBlock is a compliance block recorded at claim or dial time
	// ([Block]).
	FeedBlock FeedKind = "block"
)

// FeedPosition is a place in a workspace's change feed, assigned by the
// store when the change commits. Positions only grow in the order a
// reader receives events, so a host that stores the Position of the last
// event it handled resumes there after a restart and misses nothing. The
// zero value is the start of the feed. How stores assign positions that
// are safe under concurrent commits: docs/campaign-rules.md ("Change
// feed").
type FeedPosition struct {
	// Tx orders transactions (Postgres: the writing transaction's id; 0 on
	// stores whose writers commit one at a time).
	Tx int64
	// Seq orders the events within the same Tx.
	Seq int64
}

// String returns p as "tx.seq", the form [ParseFeedPosition] reads: store
// it to resume a feed.
func (p FeedPosition) String() string { return fmt.Sprintf("%d.%d", p.Tx, p.Seq) }

// Less reports whether p comes before q in feed order.
func (p FeedPosition) Less(q FeedPosition) bool {
	return p.Tx < q.Tx || (p.Tx == q.Tx && p.Seq < q.Seq)
}

// ErrFeedPosition is returned (wrapped) by [ParseFeedPosition] for text
// that is not a feed position. It wraps [ErrInvalid].
var ErrFeedPosition = fmt.Errorf("%w: campaign: malformed feed position", ErrInvalid)

// ErrFeedPruned is returned (wrapped in a [*FeedPrunedError]) by
// ReadFeed and Follow when the position to resume from lies before
// events that [Service.PruneFeed] has deleted: the events after it are no
// longer all there, so the host must resync its view from the records
// (attempts, blocks, transitions) and resume from
// [FeedPrunedError.Through].
var ErrFeedPruned = errors.New("campaign: feed pruned past the position")

// FeedPrunedError reports a read from a position before the prune
// horizon. It wraps [ErrFeedPruned].
type FeedPrunedError struct {
	// After is the position the read asked to resume from.
	After FeedPosition
	// Through is the position of the newest event pruned: reading with
	// FeedQuery.After = Through returns the oldest event kept.
	Through FeedPosition
}

// Error implements error.
func (e *FeedPrunedError) Error() string {
	return fmt.Sprintf("%v: resuming after %s, but events through %s were pruned; resync, then resume after %s",
		ErrFeedPruned, e.After, e.Through, e.Through)
}

// Unwrap returns [ErrFeedPruned].
func (e *FeedPrunedError) Unwrap() error { return ErrFeedPruned }

// IsZero reports whether p is the start of the feed.
func (p FeedPosition) IsZero() bool { return p == FeedPosition{} }

// ParseFeedPosition reads a position written by [FeedPosition.String];
// the empty string is the start of the feed.
func ParseFeedPosition(s string) (FeedPosition, error) {
	if s == "" {
		return FeedPosition{}, nil
	}
	tx, seq, ok := strings.Cut(s, ".")
	if !ok {
		return FeedPosition{}, fmt.Errorf("%w: %q", ErrFeedPosition, s)
	}
	t, err1 := strconv.ParseInt(tx, 10, 64)
	n, err2 := strconv.ParseInt(seq, 10, 64)
	if err1 != nil || err2 != nil || t < 0 || n < 0 {
		return FeedPosition{}, fmt.Errorf("%w: %q", ErrFeedPosition, s)
	}
	return FeedPosition{Tx: t, Seq: n}, nil
}

// FeedEvent is one change of a workspace's campaigns. Exactly one of
// Transition, Attempt and Block is set, as Kind says. Attempts and blocks
// are read from the attempt log and the blocks when the feed is read, so
// an erased contact's personal data is masked in the feed as it is there
// ([MaskAttempt], [MaskBlock]).
type FeedEvent struct {
	Position   FeedPosition
	Kind       FeedKind
	CampaignID ID
	// At is when the change happened: the transition's time, the
	// attempt's end (its start when it never ended), the block's time.
	At         time.Time
	Transition *Transition
	Attempt    *Attempt
	Block      *Block
}

// FeedQuery selects feed events.
type FeedQuery struct {
	// After is the position of the last event already handled; events
	// after it are returned. Defaults to the start of the feed.
	After FeedPosition
	// CampaignID limits the events to one campaign. Defaults to every
	// campaign of the workspace.
	CampaignID ID
	// Limit bounds the events of one read, 1–1000. Defaults to 100.
	Limit int
	// PollInterval is how long [Service.Follow] waits before reading again
	// once it has caught up. Defaults to one second.
	PollInterval time.Duration
}

// PageLimit returns the effective page size of q.
func (q FeedQuery) PageLimit() int {
	switch {
	case q.Limit <= 0:
		return 100
	case q.Limit > 1000:
		return 1000
	}
	return q.Limit
}

// FeedStore is the storage of the change feed. Adapters write a feed row
// in the same transaction as the change it describes: TransitionCampaign
// (status), the attempts the queue appends (queue.Store's Finish and the
// reaping of expired leases) and the blocks it records (Release,
// RecordBlocks).
type FeedStore interface {
	// ReadFeed returns up to q.PageLimit() events of workspace ws after
	// q.After, in position order. It returns only events whose order is
	// final: no event committed later may take a position at or before
	// the last one returned. When q.After is not the start of the feed
	// and lies before the newest event PruneFeed deleted (the prune
	// horizon, which the store keeps per workspace), it returns a
	// [*FeedPrunedError] instead; the start of the feed is never an error
	// and reads from the oldest event kept.
	ReadFeed(ctx context.Context, ws WorkspaceID, q FeedQuery) ([]FeedEvent, error)
	// PruneFeed deletes the workspace's feed events whose At is before
	// before (the records they point to stay), moves the workspace's
	// prune horizon to the newest position it deleted (it never moves
	// back) and records a; it reports how many it deleted.
	PruneFeed(ctx context.Context, ws WorkspaceID, before time.Time, a AuditEntry) (int, error)
}

// ReadFeed returns the events of the actor's workspace after q.After (any
// member; see [FeedStore.ReadFeed]). An empty result means the reader has
// caught up. A position older than the events [Service.PruneFeed] deleted
// is refused with a [*FeedPrunedError] (errors.Is [ErrFeedPruned]); a
// negative position or a limit out of range is [ErrInvalid], and a
// campaign the workspace does not have is [ErrNotFound].
func (s *Service) ReadFeed(ctx context.Context, actor Actor, q FeedQuery) ([]FeedEvent, error) {
	if _, err := s.Authorize(ctx, actor, ActionView); err != nil {
		return nil, err
	}
	if q.After.Tx < 0 || q.After.Seq < 0 {
		return nil, fmt.Errorf("%w: feed position %s is not one the feed gave (positions are never negative)", ErrInvalid, q.After)
	}
	if q.Limit < 0 || q.Limit > 1000 {
		return nil, fmt.Errorf("%w: FeedQuery.Limit must be 1–1000 (0 for the default 100), got %d", ErrInvalid, q.Limit)
	}
	if q.CampaignID != "" {
		// A campaign of another workspace is not found, as everywhere.
		if _, err := s.store.GetCampaign(ctx, actor.WorkspaceID, q.CampaignID); err != nil {
			return nil, err
		}
	}
	return s.store.ReadFeed(ctx, actor.WorkspaceID, q)
}

// Follow delivers the events of the actor's workspace after q.After to
// fn, one at a time and in order, until ctx ends or fn fails; it returns
// fn's error, or ctx's. It delivers the next event only once fn has
// returned, so a slow fn slows the feed down and nothing is dropped; it
// reads the store again every q.PollInterval once caught up. To resume
// after a restart, store each handled event's Position and pass the last
// one as q.After. Membership is checked at every read, so a member
// removed from the workspace stops receiving events. Resuming from a
// position the feed was pruned past returns a [*FeedPrunedError].
func (s *Service) Follow(ctx context.Context, actor Actor, q FeedQuery, fn func(FeedEvent) error) error {
	if fn == nil {
		return fmt.Errorf("%w: Follow needs a function", ErrInvalid)
	}
	poll := q.PollInterval
	if poll <= 0 {
		poll = time.Second
	}
	var timer *time.Timer
	for {
		evs, err := s.ReadFeed(ctx, actor, q)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		for _, ev := range evs {
			if err := fn(ev); err != nil {
				return err
			}
			q.After = ev.Position
		}
		if len(evs) == q.PageLimit() {
			continue
		}
		if timer == nil {
			timer = time.NewTimer(poll)
			defer timer.Stop()
		} else {
			timer.Reset(poll)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// PruneFeed deletes the workspace's feed events older than before
// (TeamAdmin). The attempts, blocks and transitions they describe stay.
// A host whose stored position lies in the pruned range gets a
// [*FeedPrunedError] when it resumes, so it knows to resync; a host that
// reads from the start of the feed starts at the oldest event kept.
// Retention: docs/campaign-rules.md ("Change feed").
func (s *Service) PruneFeed(ctx context.Context, actor Actor, before time.Time) (int, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageWorkspace); err != nil {
		return 0, err
	}
	if before.IsZero() {
		return 0, fmt.Errorf("%w: PruneFeed needs a time", ErrInvalid)
	}
	now := s.Now()
	if before.After(now) {
		before = now
	}
	a := s.audit(actor, "feed.prune", "workspace", string(actor.WorkspaceID), "before "+before.UTC().Format(time.RFC3339), now)
	return s.store.PruneFeed(ctx, actor.WorkspaceID, before, a)
}
