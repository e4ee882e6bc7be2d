package memory

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

var _ queue.Store = (*Store)(nil)

// queueState is the queue's part of the memory store: per-contact queue
// facts and leases, a heap of ready contacts and a heap of parked ones per
// campaign, the attempt log and the blocks.
type queueState struct {
	facts  map[campaign.ContactID]*qfacts
	ready  map[campaign.ID]*entryHeap
	parked map[campaign.ID]*entryHeap
	// hopper holds, per campaign, the entries Refill moved out of ready:
	// Claim leases only from it, as the SQL adapters' hopper table.
	hopper   map[campaign.ID]*entryHeap
	leased   map[campaign.ID]map[campaign.ContactID]bool
	attempts map[campaign.WorkspaceID][]campaign.Attempt
	attIDs   map[campaign.WorkspaceID]map[campaign.AttemptID]bool
	byNumber map[campaign.WorkspaceID]map[string][]time.Time
	blocks   map[campaign.WorkspaceID][]campaign.Block
	blockIDs map[campaign.WorkspaceID]map[campaign.BlockID]bool
	// floor is, per campaign, a lower bound of the callable intervals' ends
	// that may lapse: StaleGroups scans only once now reaches it.
	floor map[campaign.ID]time.Time
	// live is, per workspace, the leased contact holding each number (one
	// live lease per number, as the SQL adapters' contacts_live_phone).
	live map[campaign.WorkspaceID]map[string]campaign.ContactID
}

func newQueueState() *queueState {
	return &queueState{
		facts:    map[campaign.ContactID]*qfacts{},
		ready:    map[campaign.ID]*entryHeap{},
		parked:   map[campaign.ID]*entryHeap{},
		hopper:   map[campaign.ID]*entryHeap{},
		leased:   map[campaign.ID]map[campaign.ContactID]bool{},
		attempts: map[campaign.WorkspaceID][]campaign.Attempt{},
		attIDs:   map[campaign.WorkspaceID]map[campaign.AttemptID]bool{},
		byNumber: map[campaign.WorkspaceID]map[string][]time.Time{},
		blocks:   map[campaign.WorkspaceID][]campaign.Block{},
		blockIDs: map[campaign.WorkspaceID]map[campaign.BlockID]bool{},
		floor:    map[campaign.ID]time.Time{},
		live:     map[campaign.WorkspaceID]map[string]campaign.ContactID{},
	}
}

// qfacts are one contact's queue columns, as the SQL adapters keep them.
type qfacts struct {
	version      int64 // the contact version the facts belong to
	rank         int
	listPriority int
	group        string
	from, until  time.Time
	token        queue.LeaseToken
	expires      time.Time
	prev         campaign.ContactStatus
	extra        int
	dial         queue.Dial // the lease's attempt in progress (BeginAttempt)
	gen          uint64     // bumped on every change; heap entries of older gens are dead
}

// entry is a heap element: a contact and its sort key when pushed.
type entry struct {
	id           campaign.ContactID
	gen          uint64
	rank         int
	listPriority int
	priority     campaign.Priority
	created      time.Time
	due          time.Time
}

// entryHeap orders ready entries by queue order, or parked ones by due
// time when byDue.
type entryHeap struct {
	es    []entry
	byDue bool
}

func (h *entryHeap) Len() int { return len(h.es) }
func (h *entryHeap) Less(i, j int) bool {
	a, b := h.es[i], h.es[j]
	if h.byDue {
		return a.due.Before(b.due)
	}
	return entryCompare(a, b) < 0
}

// entryCompare orders entries in queue order.
func entryCompare(a, b entry) int {
	return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(b.listPriority, a.listPriority), cmp.Compare(b.priority, a.priority),
		a.created.Compare(b.created), cmp.Compare(a.id, b.id))
}
func (h *entryHeap) Swap(i, j int) { h.es[i], h.es[j] = h.es[j], h.es[i] }
func (h *entryHeap) Push(x any)    { h.es = append(h.es, x.(entry)) }
func (h *entryHeap) Pop() any {
	e := h.es[len(h.es)-1]
	h.es = h.es[:len(h.es)-1]
	return e
}

func (q *queueState) heapOf(m map[campaign.ID]*entryHeap, id campaign.ID, byDue bool) *entryHeap {
	h := m[id]
	if h == nil {
		h = &entryHeap{byDue: byDue}
		m[id] = h
	}
	return h
}

// parked is the rank of a contact that is not ready to be claimed: not
// queued, not due, leased or with stale facts. The rank of a ready contact
// is its lane's (queue.LaneRank).
const parked = math.MaxInt

// rankAt is the rank of a contact in status st and lane l whose next
// attempt is at next, as a queue write leaves it at now.
func rankAt(order []campaign.Lane, st campaign.ContactStatus, l campaign.Lane, next, now time.Time) int {
	if !queue.Due(st, next, now) {
		return parked
	}
	return queue.LaneRank(order, l)
}

// index bumps f's generation and files the contact in the ready or the
// parked heap of its campaign; a ready contact goes straight to the
// hopper when hopper is set (a queue write made it ready: it keeps its
// place in queue order without waiting for a refill).
func (q *queueState) index(c campaign.Contact, f *qfacts, hopper bool) {
	q.lower(c.CampaignID, f.until)
	f.gen++
	e := entry{id: c.ID, gen: f.gen, rank: f.rank, listPriority: f.listPriority, priority: c.Priority, created: c.CreatedAt, due: c.NextAttemptAt}
	switch {
	case f.token != "":
	case f.rank < parked && hopper:
		heap.Push(q.heapOf(q.hopper, c.CampaignID, false), e)
	case f.rank < parked:
		heap.Push(q.heapOf(q.ready, c.CampaignID, false), e)
	case queue.Waiting(c.Status):
		heap.Push(q.heapOf(q.parked, c.CampaignID, true), e)
	}
}

// lower lowers the campaign's floor to until.
func (q *queueState) lower(cid campaign.ID, until time.Time) {
	if fl, ok := q.floor[cid]; !ok || until.Before(fl) {
		q.floor[cid] = until
	}
}

// qcontact returns the contact id of campaign cid in workspace ws, with its
// facts (nil when none).
func (s *Store) qcontact(ws campaign.WorkspaceID, cid campaign.ID, id campaign.ContactID) (campaign.Contact, *qfacts, bool) {
	c, ok := s.contacts[id]
	if !ok || c.WorkspaceID != ws || c.CampaignID != cid {
		return campaign.Contact{}, nil, false
	}
	return c, s.q.facts[id], true
}

// held reports whether lease l is still held at now.
func (s *Store) held(l queue.Lease, now time.Time) (campaign.Contact, *qfacts, error) {
	c, f, ok := s.qcontact(l.WorkspaceID, l.CampaignID, l.ContactID)
	if !ok {
		return c, nil, notFound("contact", l.ContactID)
	}
	if f == nil || f.token == "" || f.token != l.Token || !now.Before(f.expires) || c.Status != campaign.ContactDialing {
		return c, nil, fmt.Errorf("%w: contact %s", queue.ErrLeaseLost, l.ContactID)
	}
	return c, f, nil
}

// numberHeld reports whether a leased contact of workspace ws carries
// number. An entry whose contact no longer holds a lease on that number is
// dropped.
func (s *Store) numberHeld(ws campaign.WorkspaceID, number string) bool {
	if number == "" {
		return false
	}
	id, ok := s.q.live[ws][number]
	if !ok {
		return false
	}
	c, cok := s.contacts[id]
	if f := s.q.facts[id]; cok && c.WorkspaceID == ws && c.Phone == number && f != nil && f.token != "" {
		return true
	}
	delete(s.q.live[ws], number)
	return false
}

// holdNumber records that contact c's lease holds its number.
func (s *Store) holdNumber(c campaign.Contact) {
	if c.Phone == "" {
		return
	}
	m := s.q.live[c.WorkspaceID]
	if m == nil {
		m = map[string]campaign.ContactID{}
		s.q.live[c.WorkspaceID] = m
	}
	m[c.Phone] = c.ID
}

// freeNumber drops contact c's hold on its number, if it has it.
func (s *Store) freeNumber(c campaign.Contact) {
	if m := s.q.live[c.WorkspaceID]; m != nil && m[c.Phone] == c.ID {
		delete(m, c.Phone)
	}
}

// Claim implements queue.Store.
func (s *Store) Claim(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, q queue.ClaimQuery, now time.Time) (out []queue.Lease, err error) {
	if q.Limit <= 0 || q.TTL <= 0 || q.Token == "" {
		return nil, fmt.Errorf("%w: claim needs a positive Limit and TTL and a Token", campaign.ErrInvalid)
	}
	out = []queue.Lease{}
	err = s.lock(ctx, func() error {
		h := s.q.heapOf(s.q.hopper, cid, false)
		var keep []entry
		for h.Len() > 0 && len(out) < q.Limit {
			e := heap.Pop(h).(entry)
			c, f, ok := s.live(ws, cid, e)
			if !ok {
				continue // dead entry: the contact changed since it was filed
			}
			if !queue.Claimable(candidate(c, f), q, now) {
				keep = append(keep, e) // ready later, or for someone else
				continue
			}
			if s.numberHeld(ws, c.Phone) {
				keep = append(keep, e) // its number is in a call: ready once that lease ends
				continue
			}
			f.prev, f.token, f.expires, f.rank = c.Status, q.Token, now.Add(q.TTL), parked
			c.Status, c.UpdatedAt = campaign.ContactDialing, utc(now)
			c.Version++
			f.version = c.Version
			f.gen++
			s.contacts[c.ID] = c
			s.holdNumber(c)
			if s.q.leased[cid] == nil {
				s.q.leased[cid] = map[campaign.ContactID]bool{}
			}
			s.q.leased[cid][c.ID] = true
			out = append(out, queue.Lease{WorkspaceID: ws, CampaignID: cid, ContactID: c.ID, Token: q.Token, ExpiresAt: utc(f.expires),
				Contact: cloneContact(c), PrevStatus: f.prev, ExtraAttempts: f.extra, ListPriority: f.listPriority, ClaimedAt: utc(now)})
		}
		for _, e := range keep {
			heap.Push(h, e)
		}
		return nil
	})
	return out, err
}

// live returns the contact of entry e and its facts when e is current:
// the contact has not changed since e was filed and is ready.
func (s *Store) live(ws campaign.WorkspaceID, cid campaign.ID, e entry) (campaign.Contact, *qfacts, bool) {
	c, f, ok := s.qcontact(ws, cid, e.id)
	if !ok || f == nil || f.gen != e.gen || f.rank >= parked || f.token != "" || f.version != c.Version || !queue.Waiting(c.Status) {
		return c, f, false
	}
	return c, f, true
}

// candidate is what queue.Ready and queue.Claimable judge contact c with
// facts f (nil when it has none) by.
func candidate(c campaign.Contact, f *qfacts) queue.Candidate {
	if f == nil {
		return queue.Candidate{Contact: c}
	}
	return queue.Candidate{Contact: c, FactsCurrent: f.version == c.Version, CallableFrom: f.from, CallableUntil: f.until, Leased: f.token != ""}
}

// Refill implements queue.Store: entries move from the campaign's ready
// heap to its hopper heap, and back when they stop being due or
// callable; dead entries (their contact changed) are dropped.
func (s *Store) Refill(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, r queue.Refill, now time.Time) (res queue.RefillResult, err error) {
	if r.Target <= 0 {
		return res, fmt.Errorf("%w: refill needs a positive Target", campaign.ErrInvalid)
	}
	err = s.lock(ctx, func() error {
		hop, ready := s.q.heapOf(s.q.hopper, cid, false), s.q.heapOf(s.q.ready, cid, false)
		kept := hop.es[:0]
		for _, e := range hop.es {
			c, f, ok := s.live(ws, cid, e)
			switch {
			case !ok:
				res.Dropped++
			case !queue.Ready(candidate(c, f), now):
				res.Dropped++
				heap.Push(ready, e)
			default:
				kept = append(kept, e)
			}
		}
		hop.es = kept
		if excess := len(hop.es) - r.Target; excess > 0 {
			// Queue writes put ready contacts straight in the hopper: the
			// worst entries beyond Target wait in ready again.
			slices.SortFunc(hop.es, entryCompare)
			for _, e := range hop.es[r.Target:] {
				heap.Push(ready, e)
			}
			res.Dropped += excess
			hop.es = hop.es[:r.Target]
		}
		heap.Init(hop)
		var later []entry
		for hop.Len() < r.Target && ready.Len() > 0 {
			e := heap.Pop(ready).(entry)
			c, f, ok := s.live(ws, cid, e)
			switch {
			case !ok:
			case !queue.Ready(candidate(c, f), now):
				later = append(later, e)
			default:
				heap.Push(hop, e)
				res.Added++
			}
		}
		for _, e := range later {
			heap.Push(ready, e)
		}
		res.Level = hop.Len()
		return nil
	})
	return res, err
}

// Counts implements queue.Store.
func (s *Store) Counts(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, q queue.CountQuery, now time.Time) (out queue.Counts, err error) {
	out.ByStatus, out.Refused = map[campaign.ContactStatus]int{}, map[string]int{}
	err = s.lock(ctx, func() error {
		for _, e := range s.q.heapOf(s.q.hopper, cid, false).es {
			if _, _, ok := s.live(ws, cid, e); ok {
				out.Hopper++
			}
		}
		refusable := map[campaign.ContactID]bool{}
		for id, c := range s.contacts {
			if c.WorkspaceID != ws || c.CampaignID != cid {
				continue
			}
			f := s.q.facts[id]
			switch {
			case f != nil && f.token != "":
				out.Leased++
			case !queue.Waiting(c.Status):
				out.ByStatus[c.Status]++
				if c.Status == campaign.ContactSkipped || c.Status == campaign.ContactFailed || c.Status == campaign.ContactExpired {
					refusable[id] = true
				}
			case f == nil || f.version != c.Version:
				out.Stale++
			case c.Status != campaign.ContactCallback && c.Attempts >= q.MaxAttempts+f.extra:
				out.AttemptsUsedUp++
			case c.NextAttemptAt.After(now):
				out.NotDue++
			case f.from.After(now) || !f.until.After(now):
				out.OutsideWindow++
			default:
				out.Ready++
			}
		}
		// A refused contact's reason is its last claim-stage block.
		last := map[campaign.ContactID]campaign.Block{}
		for _, b := range s.q.blocks[ws] {
			if refusable[b.ContactID] && b.Stage == "claim" && b.ID >= last[b.ContactID].ID {
				last[b.ContactID] = b
			}
		}
		for _, b := range last {
			out.Refused[b.Reason]++
		}
		return nil
	})
	return out, err
}

// Extend implements queue.Store.
func (s *Store) Extend(ctx context.Context, l queue.Lease, ttl time.Duration, now time.Time) (exp time.Time, err error) {
	err = s.lock(ctx, func() error {
		_, f, err := s.held(l, now)
		if err != nil {
			return err
		}
		f.expires = now.Add(ttl)
		exp = utc(f.expires)
		return nil
	})
	return exp, err
}

// BeginAttempt implements queue.Store.
func (s *Store) BeginAttempt(ctx context.Context, l queue.Lease, d queue.Dial, now time.Time) error {
	return s.lock(ctx, func() error {
		_, f, err := s.held(l, now)
		if err != nil {
			return err
		}
		f.dial = d
		return nil
	})
}

// apply writes n to the leased contact c and ends its lease.
func (s *Store) apply(c campaign.Contact, f *qfacts, n queue.NextState, order []campaign.Lane, now time.Time) {
	c.Status, c.Lane, c.NextAttemptAt, c.CallbackOwner, c.OwnerID = n.Status, n.Lane, n.NextAttemptAt, n.CallbackOwner, n.OwnerID
	c.Attempts, c.LastAttemptAt, c.Consent, c.UpdatedAt = n.Attempts, n.LastAttemptAt, n.Consent, now
	c.Version++
	c = cloneContact(c)
	s.freeNumber(c)
	s.contacts[c.ID] = c
	f.version, f.token, f.expires, f.prev, f.extra, f.rank = c.Version, "", time.Time{}, "", n.ExtraAttempts,
		rankAt(order, n.Status, n.Lane, n.NextAttemptAt, now)
	f.dial = queue.Dial{}
	delete(s.q.leased[c.CampaignID], c.ID)
	s.q.index(c, f, true)
}

// Release implements queue.Store.
func (s *Store) Release(ctx context.Context, l queue.Lease, r queue.Released, now time.Time) error {
	return s.lock(ctx, func() error {
		c, f, err := s.held(l, now)
		if err != nil {
			return err
		}
		if err := s.checkBlocks(l.WorkspaceID, r.Blocks); err != nil {
			return err
		}
		s.apply(c, f, r.Next, r.LaneOrder, now)
		s.addBlocks(l.WorkspaceID, r.Blocks)
		return nil
	})
}

// Finish implements queue.Store.
func (s *Store) Finish(ctx context.Context, l queue.Lease, fin queue.Finished, now time.Time) error {
	return s.lock(ctx, func() error {
		c, f, err := s.held(l, now)
		if err != nil {
			return err
		}
		a := fin.Attempt
		if a.WorkspaceID != l.WorkspaceID {
			return fmt.Errorf("%w: attempt of workspace %s written to %s", campaign.ErrInvalid, a.WorkspaceID, l.WorkspaceID)
		}
		if s.q.attIDs[a.WorkspaceID][a.ID] {
			return fmt.Errorf("%w: attempt %s exists", campaign.ErrConflict, a.ID)
		}
		for _, e := range fin.Suppress {
			if e.WorkspaceID != l.WorkspaceID {
				return fmt.Errorf("%w: entry of workspace %s written to %s", campaign.ErrInvalid, e.WorkspaceID, l.WorkspaceID)
			}
		}
		s.apply(c, f, fin.Next, fin.LaneOrder, now)
		s.appendAttempt(cloneAttempt(a))
		for _, e := range fin.Suppress {
			s.putSupp(e)
		}
		return nil
	})
}

// FinishMany implements queue.Store: each item as Finish, under the
// store's lock in turn (the memory store has no commit to share).
func (s *Store) FinishMany(ctx context.Context, fs []queue.LeaseFinish) []error {
	errs := make([]error, len(fs))
	for i, f := range fs {
		errs[i] = s.Finish(ctx, f.Lease, f.Finished, f.Now)
	}
	return errs
}

// reap returns up to limit expired leases among leased, the leased
// contacts of campaign cid, to their lanes and reports how many.
func (s *Store) reap(cid campaign.ID, leased map[campaign.ContactID]bool, limit int, now time.Time) int {
	n := 0
	for id := range leased {
		if n >= limit {
			break
		}
		c, ok := s.contacts[id]
		f := s.q.facts[id]
		if !ok || c.CampaignID != cid || f == nil || f.token == "" {
			delete(leased, id)
			continue
		}
		if now.Before(f.expires) {
			continue
		}
		if c.Status == campaign.ContactDialing {
			c.Status = f.prev
		}
		if d := f.dial; d.AttemptID != "" {
			c.Attempts++
			c.LastAttemptAt = utc(d.StartedAt)
			s.appendAttempt(orphanAttempt(c, d))
		}
		c.UpdatedAt = utc(now)
		c.Version++
		s.freeNumber(c)
		s.contacts[id] = c
		f.version, f.token, f.expires, f.prev, f.rank, f.dial = c.Version, "", time.Time{}, "", parked, queue.Dial{}
		delete(leased, id)
		s.q.index(c, f, true)
		n++
	}
	return n
}

// appendAttempt adds a to the attempt log.
func (s *Store) appendAttempt(a campaign.Attempt) {
	s.q.attempts[a.WorkspaceID] = append(s.q.attempts[a.WorkspaceID], a)
	if s.q.attIDs[a.WorkspaceID] == nil {
		s.q.attIDs[a.WorkspaceID] = map[campaign.AttemptID]bool{}
		s.q.byNumber[a.WorkspaceID] = map[string][]time.Time{}
	}
	s.q.attIDs[a.WorkspaceID][a.ID] = true
	s.q.byNumber[a.WorkspaceID][a.Number] = append(s.q.byNumber[a.WorkspaceID][a.Number], a.StartedAt)
	s.feedAttempt(a.WorkspaceID)
}

// orphanAttempt is the attempt of dial d, begun on contact c's lease that
// expired before it finished; c.Attempts already counts it.
func orphanAttempt(c campaign.Contact, d queue.Dial) campaign.Attempt {
	return campaign.Attempt{ID: d.AttemptID, WorkspaceID: c.WorkspaceID, CampaignID: c.CampaignID, ContactID: c.ID,
		Number: d.Number, CallerID: d.CallerID, Seq: c.Attempts, Result: campaign.ResultUnknown,
		StartedAt: utc(d.StartedAt), CarrierStatus: queue.LeaseExpiredStatus}
}

// Maintain implements queue.Store.
func (s *Store) Maintain(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, m queue.Maintenance, now time.Time) (res queue.MaintenanceResult, err error) {
	err = s.lock(ctx, func() error {
		if _, err := s.getCampaign(ws, cid); err != nil {
			return err
		}
		// Reaping covers the whole workspace, so an expired lease of a
		// campaign nobody paces does not hold its number from the others.
		for lcid, leased := range s.q.leased {
			if _, err := s.getCampaign(ws, lcid); err == nil {
				res.Reaped += s.reap(lcid, leased, m.Limit-res.Reaped, now)
			}
		}
		h := s.q.heapOf(s.q.parked, cid, true)
		for h.Len() > 0 && res.Promoted < m.Limit && !h.es[0].due.After(now) {
			e := heap.Pop(h).(entry)
			c, f, ok := s.qcontact(ws, cid, e.id)
			if !ok || f == nil || f.gen != e.gen || f.token != "" || f.rank < parked || !queue.Waiting(c.Status) || c.NextAttemptAt.After(now) {
				continue
			}
			f.rank = queue.LaneRank(m.LaneOrder, c.Lane)
			s.q.index(c, f, true)
			res.Promoted++
		}
		return nil
	})
	return res, err
}

// StaleContacts implements queue.Store.
func (s *Store) StaleContacts(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, limit int) (out []campaign.Contact, err error) {
	err = s.lock(ctx, func() error {
		// Only contacts written outside the queue can be stale; the queue's
		// own writes keep the facts current.
		for id := range s.dirty {
			if len(out) >= limit {
				break
			}
			c, ok := s.contacts[id]
			if !ok {
				delete(s.dirty, id)
				continue
			}
			if f := s.q.facts[id]; f != nil && f.version == c.Version {
				delete(s.dirty, id)
				continue
			}
			if c.WorkspaceID == ws && c.CampaignID == cid {
				out = append(out, cloneContact(c))
			}
		}
		return nil
	})
	return out, err
}

// SetFacts implements queue.Store.
func (s *Store) SetFacts(ctx context.Context, ws campaign.WorkspaceID, order []campaign.Lane, fs []queue.Facts, now time.Time) (n int, err error) {
	err = s.lock(ctx, func() error {
		for _, x := range fs {
			c, ok := s.contacts[x.ContactID]
			if !ok || c.WorkspaceID != ws || c.Version != x.Version {
				continue
			}
			f := s.q.facts[c.ID]
			if f == nil {
				f = &qfacts{}
				s.q.facts[c.ID] = f
			}
			f.version, f.group, f.from, f.until, f.listPriority = c.Version, x.ZoneGroup, x.CallableFrom, x.CallableUntil, x.ListPriority
			f.rank = parked
			if f.token == "" {
				f.rank = rankAt(order, c.Status, c.Lane, c.NextAttemptAt, now)
			}
			s.q.index(c, f, false)
			n++
		}
		return nil
	})
	return n, err
}

// StaleGroups implements queue.Store.
func (s *Store) StaleGroups(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, limit int, now time.Time) (out []string, err error) {
	err = s.lock(ctx, func() error {
		if fl, ok := s.q.floor[cid]; !ok || now.Before(fl) {
			return nil
		}
		seen := map[string]bool{}
		floor, complete := time.Time{}, true
		for id, f := range s.q.facts {
			c, ok := s.contacts[id]
			if !ok || c.WorkspaceID != ws || c.CampaignID != cid {
				continue
			}
			if f.until.After(now) {
				if floor.IsZero() || f.until.Before(floor) {
					floor = f.until
				}
				continue
			}
			if !queue.Waiting(c.Status) || f.version != c.Version || seen[f.group] {
				continue
			}
			if len(out) >= limit {
				complete = false
				break
			}
			seen[f.group] = true
			out = append(out, f.group)
		}
		if complete && len(out) == 0 {
			// Nothing lapsed: no scan until the earliest end.
			if floor.IsZero() {
				delete(s.q.floor, cid)
			} else {
				s.q.floor[cid] = floor
			}
		}
		slices.Sort(out)
		return nil
	})
	return out, err
}

// SetGroupWindow implements queue.Store.
func (s *Store) SetGroupWindow(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, g queue.GroupWindow, limit int, now time.Time) (n int, err error) {
	err = s.lock(ctx, func() error {
		for id, f := range s.q.facts {
			if n >= limit {
				break
			}
			c, ok := s.contacts[id]
			if !ok || c.WorkspaceID != ws || c.CampaignID != cid || !queue.Waiting(c.Status) || f.group != g.ZoneGroup || f.until.After(now) {
				continue
			}
			f.from, f.until = g.CallableFrom, g.CallableUntil
			s.q.lower(cid, f.until)
			n++
		}
		return nil
	})
	return n, err
}

// rewrite is the write shared by Reassign and Requeue: it stores c
// (Version bumped) and keeps its facts current when they were.
func (s *Store) rewrite(c campaign.Contact, f *qfacts, rank int, now time.Time) {
	current := f != nil && f.version == c.Version
	c.UpdatedAt = utc(now)
	c.Version++
	s.contacts[c.ID] = c
	if current {
		f.version, f.rank = c.Version, rank
		s.q.index(c, f, true)
	}
}

// Reassign implements queue.Store.
func (s *Store) Reassign(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, r queue.Reassignment, now time.Time) (n int, err error) {
	if r.From == "" {
		return 0, fmt.Errorf("%w: Reassignment.From is required", campaign.ErrInvalid)
	}
	err = s.lock(ctx, func() error {
		if _, err := s.getCampaign(ws, cid); err != nil {
			return err
		}
		for id, c := range s.contacts {
			if c.WorkspaceID != ws || c.CampaignID != cid || !queue.Waiting(c.Status) || (c.OwnerID != r.From && c.CallbackOwner != r.From) {
				continue
			}
			touched := c.LastAttemptAt
			if touched.IsZero() {
				touched = c.CreatedAt
			}
			if !r.UntouchedSince.IsZero() && !touched.Before(r.UntouchedSince) {
				continue
			}
			if c.OwnerID == r.From {
				c.OwnerID = r.To
			}
			if c.CallbackOwner == r.From {
				c.CallbackOwner = r.To
			}
			if r.To == "" && c.Lane != campaign.LaneCallback {
				c.Lane = campaign.LaneRedistributable
			}
			s.rewrite(c, s.q.facts[id], rankAt(r.LaneOrder, c.Status, c.Lane, c.NextAttemptAt, now), now)
			n++
		}
		s.queueAudit(ws, r.Audit, n)
		return nil
	})
	return n, err
}

// queueAudit appends the audit entry of a queue action that changed n
// contacts, when it has an ID.
func (s *Store) queueAudit(ws campaign.WorkspaceID, a campaign.AuditEntry, n int) {
	if a.ID == "" {
		return
	}
	a.WorkspaceID = ws
	s.appendAudit(queue.AuditCount(a, n))
}

// Requeue implements queue.Store.
func (s *Store) Requeue(ctx context.Context, ws campaign.WorkspaceID, cid campaign.ID, r queue.Requeue, now time.Time) (n int, err error) {
	err = s.lock(ctx, func() error {
		if _, err := s.getCampaign(ws, cid); err != nil {
			return err
		}
		var ids []campaign.ContactID
		if len(r.ContactIDs) > 0 {
			ids = r.ContactIDs
		} else {
			for id, c := range s.contacts {
				if c.WorkspaceID == ws && c.CampaignID == cid && c.Status == r.Status {
					ids = append(ids, id)
				}
			}
		}
		for _, id := range ids {
			c, f, ok := s.qcontact(ws, cid, id)
			if !ok || c.Status == campaign.ContactDialing || c.Status == campaign.ContactDNC {
				continue
			}
			extra := 0
			if f != nil {
				extra = f.extra
			}
			if c.Attempts >= r.MaxAttempts+extra {
				extra = c.Attempts - r.MaxAttempts + 1
			}
			c.Status, c.Lane, c.NextAttemptAt, c.CallbackOwner = campaign.ContactRetry, campaign.LaneRetry, utc(now), ""
			if f != nil {
				f.extra = extra
			}
			s.rewrite(c, f, rankAt(r.LaneOrder, c.Status, c.Lane, c.NextAttemptAt, now), now)
			n++
		}
		s.queueAudit(ws, r.Audit, n)
		return nil
	})
	return n, err
}

func (s *Store) checkBlocks(ws campaign.WorkspaceID, bs []campaign.Block) error {
	for _, b := range bs {
		if b.WorkspaceID != ws {
			return fmt.Errorf("%w: block of workspace %s written to %s", campaign.ErrInvalid, b.WorkspaceID, ws)
		}
		if s.q.blockIDs[ws][b.ID] {
			return fmt.Errorf("%w: block %s exists", campaign.ErrConflict, b.ID)
		}
	}
	return nil
}

func (s *Store) addBlocks(ws campaign.WorkspaceID, bs []campaign.Block) {
	if s.q.blockIDs[ws] == nil {
		s.q.blockIDs[ws] = map[campaign.BlockID]bool{}
	}
	for _, b := range bs {
		b.At = utc(b.At)
		s.q.blocks[ws] = append(s.q.blocks[ws], b)
		s.q.blockIDs[ws][b.ID] = true
		s.feedAppend(ws, campaign.FeedBlock, b.CampaignID, b.At, len(s.q.blocks[ws])-1)
	}
}

// RecordBlocks implements queue.Store.
func (s *Store) RecordBlocks(ctx context.Context, ws campaign.WorkspaceID, bs []campaign.Block) error {
	return s.lock(ctx, func() error {
		if _, ok := s.workspaces[ws]; !ok {
			return notFound("workspace", ws)
		}
		if err := s.checkBlocks(ws, bs); err != nil {
			return err
		}
		s.addBlocks(ws, bs)
		return nil
	})
}

// ListBlocks implements queue.Store.
func (s *Store) ListBlocks(ctx context.Context, ws campaign.WorkspaceID, f queue.BlockFilter) (out []campaign.Block, err error) {
	err = s.lock(ctx, func() error {
		for _, b := range s.q.blocks[ws] {
			if (f.CampaignID == "" || b.CampaignID == f.CampaignID) && (f.ContactID == "" || b.ContactID == f.ContactID) &&
				(f.Reason == "" || b.Reason == f.Reason) && b.ID > f.After {
				out = append(out, b)
			}
		}
		slices.SortFunc(out, func(a, b campaign.Block) int { return cmp.Compare(a.ID, b.ID) })
		if len(out) > f.PageLimit() {
			out = out[:f.PageLimit()]
		}
		return nil
	})
	return out, err
}

// ListAttempts implements queue.Store.
func (s *Store) ListAttempts(ctx context.Context, ws campaign.WorkspaceID, f queue.AttemptFilter) (out []campaign.Attempt, err error) {
	err = s.lock(ctx, func() error {
		all := s.q.attempts[ws]
		var idx []int
		for i := range all {
			a := &all[i]
			if (f.CampaignID == "" || a.CampaignID == f.CampaignID) && (f.ContactID == "" || a.ContactID == f.ContactID) &&
				(f.Since.IsZero() || !a.StartedAt.Before(f.Since)) && (f.Until.IsZero() || a.StartedAt.Before(f.Until)) && a.ID > f.After {
				idx = append(idx, i)
			}
		}
		slices.SortFunc(idx, func(i, j int) int { return cmp.Compare(all[i].ID, all[j].ID) })
		idx = idx[:min(len(idx), f.PageLimit())]
		out = make([]campaign.Attempt, len(idx))
		for k, i := range idx {
			out[k] = cloneAttempt(all[i])
		}
		return nil
	})
	return out, err
}

// RecentAttempts implements queue.Store.
func (s *Store) RecentAttempts(ctx context.Context, ws campaign.WorkspaceID, numbers []string, since time.Time) (out map[string][]time.Time, err error) {
	out = map[string][]time.Time{}
	err = s.lock(ctx, func() error {
		for _, n := range numbers {
			for _, t := range s.q.byNumber[ws][n] {
				if !t.Before(since) {
					out[n] = append(out[n], t)
				}
			}
		}
		return nil
	})
	return out, err
}

func cloneAttempt(a campaign.Attempt) campaign.Attempt {
	a.StartedAt, a.AnsweredAt, a.EndedAt = utc(a.StartedAt), utc(a.AnsweredAt), utc(a.EndedAt)
	o := &a.Outcome
	o.MeetingAt, o.CallbackAt = utc(o.MeetingAt), utc(o.CallbackAt)
	o.Fields = cloneMap(o.Fields)
	if o.Goals != nil {
		g := make(map[campaign.GoalID]string, len(o.Goals))
		for k, v := range o.Goals {
			g[k] = v
		}
		o.Goals = g
	}
	if o.Answers != nil {
		an := make(map[campaign.AnalysisID][]string, len(o.Answers))
		for k, v := range o.Answers {
			an[k] = slices.Clone(v)
		}
		o.Answers = an
	}
	o.PlaybookSteps = slices.Clone(o.PlaybookSteps)
	return a
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
