package memory

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// feedEntry is one row of a workspace's change feed: the kind of change
// and where its record lives (an index into the attempt log, the blocks
// or the campaign's transitions, which are only ever appended to), so a
// read returns the record as it is now, masked after an erasure.
type feedEntry struct {
	seq      int64
	kind     campaign.FeedKind
	campaign campaign.ID
	at       time.Time
	idx      int
}

// feedState is the change feed: one counter for the store (writes are
// serialised by the store mutex, so positions grow in commit order) and
// each workspace's entries in position order.
type feedState struct {
	seq     int64
	entries map[campaign.WorkspaceID][]feedEntry
	// pruned is each workspace's prune horizon: the seq of the newest
	// entry PruneFeed deleted.
	pruned map[campaign.WorkspaceID]int64
}

// feedAppend adds an entry to ws's feed; the caller holds the mutex and
// has just appended the record at idx.
func (s *Store) feedAppend(ws campaign.WorkspaceID, kind campaign.FeedKind, c campaign.ID, at time.Time, idx int) {
	if s.feed.entries == nil {
		s.feed.entries = map[campaign.WorkspaceID][]feedEntry{}
	}
	s.feed.seq++
	s.feed.entries[ws] = append(s.feed.entries[ws], feedEntry{seq: s.feed.seq, kind: kind, campaign: c, at: utc(at), idx: idx})
}

// feedAttempt records the attempt just appended to ws's attempt log.
func (s *Store) feedAttempt(ws campaign.WorkspaceID) {
	log := s.q.attempts[ws]
	a := log[len(log)-1]
	at := a.EndedAt
	if at.IsZero() {
		at = a.StartedAt
	}
	s.feedAppend(ws, campaign.FeedAttempt, a.CampaignID, at, len(log)-1)
}

// ReadFeed implements campaign.FeedStore.
func (s *Store) ReadFeed(ctx context.Context, ws campaign.WorkspaceID, q campaign.FeedQuery) (out []campaign.FeedEvent, err error) {
	err = s.lock(ctx, func() error {
		if h, ok := s.feed.pruned[ws]; ok && !q.After.IsZero() {
			if through := (campaign.FeedPosition{Seq: h}); q.After.Less(through) {
				return &campaign.FeedPrunedError{After: q.After, Through: through}
			}
		}
		es := s.feed.entries[ws]
		// Every position of this store has Tx 0.
		i := len(es)
		if q.After.Tx == 0 {
			i = sort.Search(len(es), func(i int) bool { return es[i].seq > q.After.Seq })
		}
		for ; i < len(es) && len(out) < q.PageLimit(); i++ {
			e := es[i]
			if q.CampaignID != "" && e.campaign != q.CampaignID {
				continue
			}
			ev := campaign.FeedEvent{Position: campaign.FeedPosition{Seq: e.seq}, Kind: e.kind, CampaignID: e.campaign, At: e.at}
			switch e.kind {
			case campaign.FeedStatus:
				t := s.transitions[e.campaign][e.idx]
				ev.Transition = &t
			case campaign.FeedAttempt:
				a := cloneAttempt(s.q.attempts[ws][e.idx])
				ev.Attempt = &a
			case campaign.FeedBlock:
				b := s.q.blocks[ws][e.idx]
				ev.Block = &b
			}
			out = append(out, ev)
		}
		return nil
	})
	return out, err
}

// PruneFeed implements campaign.FeedStore.
func (s *Store) PruneFeed(ctx context.Context, ws campaign.WorkspaceID, before time.Time, a campaign.AuditEntry) (n int, err error) {
	err = s.lock(ctx, func() error {
		if _, ok := s.workspaces[ws]; !ok {
			return notFound("workspace", ws)
		}
		es := s.feed.entries[ws]
		kept := es[:0]
		for _, e := range es {
			if e.at.Before(before) {
				n++
				if e.seq > s.feed.pruned[ws] {
					if s.feed.pruned == nil {
						s.feed.pruned = map[campaign.WorkspaceID]int64{}
					}
					s.feed.pruned[ws] = e.seq
				}
				continue
			}
			kept = append(kept, e)
		}
		clear(es[len(kept):])
		if len(es) > 0 {
			s.feed.entries[ws] = kept
		}
		a.WorkspaceID = ws
		a.Detail = fmt.Sprintf("%s: %d events deleted", a.Detail, n)
		s.appendAudit(a)
		return nil
	})
	return n, err
}
