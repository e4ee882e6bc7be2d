package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/suppression"
)

// Campaigns reads the campaign model; *campaign.Service's store
// (campaign.Store) implements it.
type Campaigns interface {
	GetCampaign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (campaign.Campaign, error)
	GetList(ctx context.Context, ws campaign.WorkspaceID, id campaign.ListID) (campaign.List, error)
	GetSchedule(ctx context.Context, ws campaign.WorkspaceID, id campaign.ScheduleID) (campaign.Schedule, error)
}

// Config configures a [Service].
type Config struct {
	// Store is required.
	Store Store
	// Campaigns is required: it reads campaigns, lists and schedules.
	Campaigns Campaigns
	// Suppression is required: claims never lease a suppressed number.
	Suppression suppression.Checker
	// Authorizer, when set, checks the role of the actors of Next,
	// Finish (the agent), Reassign and Retry. Defaults to nil: the caller
	// checks roles.
	Authorizer campaign.Authorizer
	// Rules are the calling-time law. Defaults to compliance.NewRules().
	Rules *compliance.Rules
	// Clock returns the current time. Defaults to time.Now.
	Clock func() time.Time
	// Logger receives refusals and housekeeping at debug level. Defaults
	// to discarding.
	Logger *slog.Logger
	// RefreshBatch bounds the contacts each housekeeping step touches per
	// refresh. Defaults to 2000.
	RefreshBatch int
	// RefreshEvery is how often a claim runs housekeeping (lease expiry,
	// promotion of due contacts, stale precomputed facts) when it finds
	// enough ready contacts; a claim that comes back short always runs it.
	// Defaults to 1s.
	RefreshEvery time.Duration
	// MaxClaim bounds the contacts one Claim leases. Defaults to 1000.
	MaxClaim int
	// HopperSize is the level a refill tops a campaign's hopper up to
	// (see Store.Refill). A claim that leaves it below half starts a
	// refill in the background and returns; a claim that comes back short
	// refills in its own call and claims again. Defaults to 1000.
	HopperSize int
}

// Service is the queue: it leases the best eligible contacts of a
// campaign, applies outcomes, and reassigns and requeues contacts. It is
// safe for concurrent use, also by several processes sharing one store.
type Service struct {
	store        Store
	campaigns    Campaigns
	supp         suppression.Checker
	auth         campaign.Authorizer
	rules        *compliance.Rules
	now          func() time.Time
	log          *slog.Logger
	batch        int
	refreshEvery time.Duration
	maxClaim     int
	hopperSize   int

	mu        sync.Mutex
	refreshed map[campaign.ID]*refreshState
	closed    bool           // Close was called: no more background refills
	bg        sync.WaitGroup // background refills (topUp)

	fmu      sync.Mutex    // guards the group commit of Finish (finish)
	fpending []*finishCall // outcomes waiting to be written, in arrival order
	fwriting bool          // a call is writing fpending
}

type refreshState struct {
	busy sync.Mutex // held by a refresh
	fill sync.Mutex // held by a refill (inside a refresh or not)
	at   time.Time
	// level estimates the hopper's level: the last refill's, less what
	// this Service claimed since (other processes claim too, so it only
	// triggers refills; Refill counts for real).
	level atomic.Int64
	// fills counts this Service's refills of the campaign that added
	// entries: a claim that comes back short claims again when one ran
	// since it began.
	fills atomic.Int64
}

// NewService returns a Service; it refuses a Config without a Store,
// Campaigns or Suppression.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Campaigns == nil || cfg.Suppression == nil {
		return nil, errors.New("queue: Config.Store, Config.Campaigns and Config.Suppression are required")
	}
	if cfg.Rules == nil {
		cfg.Rules = compliance.NewRules()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RefreshBatch <= 0 {
		cfg.RefreshBatch = 2000
	}
	if cfg.RefreshEvery <= 0 {
		cfg.RefreshEvery = time.Second
	}
	if cfg.MaxClaim <= 0 {
		cfg.MaxClaim = 1000
	}
	if cfg.HopperSize <= 0 {
		cfg.HopperSize = 1000
	}
	return &Service{
		store: cfg.Store, campaigns: cfg.Campaigns, supp: cfg.Suppression, auth: cfg.Authorizer, rules: cfg.Rules,
		now: cfg.Clock, log: cfg.Logger, batch: cfg.RefreshBatch, refreshEvery: cfg.RefreshEvery, maxClaim: cfg.MaxClaim,
		hopperSize: cfg.HopperSize,
		refreshed:  map[campaign.ID]*refreshState{},
	}, nil
}

// newToken returns a random fencing token.
func newToken() LeaseToken {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return LeaseToken(hex.EncodeToString(b[:]))
}

// LaneRank returns the rank of lane l in order, the lane order of a
// campaign (index = rank, 0 first): an empty lane is LaneNew, and a lane
// the order does not list ranks as LaneNew when the order lists it, else
// after every listed lane. It is the one definition of lane rank: the
// Service and every store adapter rank by it (store/memory in Go, the SQL
// adapters through a CASE built from it).
func LaneRank(order []campaign.Lane, l campaign.Lane) int {
	if l == "" {
		l = campaign.LaneNew
	}
	if i := slices.Index(order, l); i >= 0 {
		return i
	}
	if i := slices.Index(order, campaign.LaneNew); i >= 0 {
		return i
	}
	return len(order)
}

// Waiting reports whether a contact in status s waits in a lane: pending,
// retry or callback. It is the one definition of a queued status: the
// Service and the memory store decide by it, the SQL adapters spell it
// as a status list (internal/sqlstore's queuedStatuses).
func Waiting(s campaign.ContactStatus) bool {
	return s == campaign.ContactPending || s == campaign.ContactRetry || s == campaign.ContactCallback
}

// Due reports whether a contact in status s whose next attempt is at next
// waits in a lane and is due at now. A store that writes such a contact
// (not leased, facts current) makes it ready at once at its lane's rank
// ([LaneRank]); one not due waits until a Maintain finds it due.
func Due(s campaign.ContactStatus, next, now time.Time) bool {
	return Waiting(s) && !next.After(now)
}

// ctx holds what one operation knows about a campaign.
type campaignCtx struct {
	c      campaign.Campaign
	s      campaign.Settings
	window compliance.Window
	lists  map[campaign.ListID]*campaign.List
	groups map[string][2]time.Time
}

func (s *Service) load(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (*campaignCtx, error) {
	c, err := s.campaigns.GetCampaign(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	cc := &campaignCtx{c: c, s: c.Settings.WithDefaults(c.DefaultRegion), lists: map[campaign.ListID]*campaign.List{}, groups: map[string][2]time.Time{}}
	var sched *campaign.Schedule
	if c.ScheduleID != "" {
		sc, err := s.campaigns.GetSchedule(ctx, ws, c.ScheduleID)
		if err != nil {
			return nil, fmt.Errorf("queue: campaign %s schedule: %w", id, err)
		}
		sched = &sc
	}
	if cc.window, err = Window(cc.s, sched); err != nil {
		return nil, err
	}
	return cc, nil
}

func (s *Service) list(ctx context.Context, cc *campaignCtx, id campaign.ListID) (*campaign.List, error) {
	if id == "" {
		return nil, nil
	}
	if l, ok := cc.lists[id]; ok {
		return l, nil
	}
	l, err := s.campaigns.GetList(ctx, cc.c.WorkspaceID, id)
	if errors.Is(err, campaign.ErrNotFound) {
		cc.lists[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cc.lists[id] = &l
	return &l, nil
}

// interval returns the callable interval of a zone group, memoised per
// operation.
func (s *Service) interval(cc *campaignCtx, key string, t compliance.CallTarget, now time.Time) (time.Time, time.Time) {
	if iv, ok := cc.groups[key]; ok && iv[1].After(now) {
		return iv[0], iv[1]
	}
	from, until := callableInterval(s.rules, t, cc.window, now)
	cc.groups[key] = [2]time.Time{from, until}
	return from, until
}

// Refresh runs the queue's housekeeping for a campaign now, whatever
// RefreshEvery says: expired leases return to their lanes, due contacts
// become ready, and stale precomputed facts (new or changed contacts,
// lapsed callable intervals) are recomputed, each step bounded by
// RefreshBatch. It reports whether any step found work, in which case
// another call may find more.
func (s *Service) Refresh(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (bool, error) {
	cc, err := s.load(ctx, ws, id)
	if err != nil {
		return false, err
	}
	st := s.refreshState(id)
	st.busy.Lock()
	defer st.busy.Unlock()
	return s.refresh(ctx, cc, st, s.now().UTC())
}

func (s *Service) refreshState(id campaign.ID) *refreshState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.refreshed[id]
	if st == nil {
		st = &refreshState{}
		s.refreshed[id] = st
	}
	return st
}

// maybeRefresh refreshes when forced or when RefreshEvery has passed, unless
// another goroutine is refreshing the campaign already.
func (s *Service) maybeRefresh(ctx context.Context, cc *campaignCtx, now time.Time, force bool) (bool, error) {
	st := s.refreshState(cc.c.ID)
	if !st.busy.TryLock() {
		if !force {
			return false, nil
		}
		// Another goroutine is refreshing: wait for it (its fresh facts
		// and refill may be what this claim lacks) and let the caller
		// claim again, rather than repeat its work.
		st.busy.Lock()
		defer st.busy.Unlock()
		return true, nil
	}
	defer st.busy.Unlock()
	if !force && now.Sub(st.at) < s.refreshEvery && !st.at.IsZero() {
		return false, nil
	}
	return s.refresh(ctx, cc, st, now)
}

func (s *Service) refresh(ctx context.Context, cc *campaignCtx, st *refreshState, now time.Time) (bool, error) {
	ws, id := cc.c.WorkspaceID, cc.c.ID
	st.at = now
	order := cc.s.LaneOrder
	res, err := s.store.Maintain(ctx, ws, id, Maintenance{LaneOrder: order, Limit: s.batch}, now)
	if err != nil {
		return false, err
	}
	work := res.Reaped > 0 || res.Promoted > 0
	stale, err := s.store.StaleContacts(ctx, ws, id, s.batch)
	if err != nil {
		return false, err
	}
	if len(stale) > 0 {
		work = true
		fs := make([]Facts, 0, len(stale))
		for _, c := range stale {
			key := GroupKey(c)
			from, until := s.interval(cc, key, Target(c), now)
			prio := 0
			l, err := s.list(ctx, cc, c.ListID)
			if err != nil {
				return false, err
			}
			if l != nil {
				prio = l.Priority
			}
			fs = append(fs, Facts{ContactID: c.ID, Version: c.Version, ZoneGroup: key, CallableFrom: from, CallableUntil: until,
				ListPriority: prio})
		}
		if _, err := s.store.SetFacts(ctx, ws, order, fs, now); err != nil {
			return false, err
		}
	}
	groups, err := s.store.StaleGroups(ctx, ws, id, 100, now)
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		t, ok := parseGroup(g)
		if !ok {
			t = compliance.CallTarget{}
		}
		from, until := s.interval(cc, g, t, now)
		if !until.After(now) {
			until = now.Add(unplaceableSpan)
		}
		n, err := s.store.SetGroupWindow(ctx, ws, id, GroupWindow{ZoneGroup: g, CallableFrom: from, CallableUntil: until}, s.batch, now)
		if err != nil {
			return false, err
		}
		work = work || n > 0
	}
	fill, err := s.refill(ctx, ws, id, st, now)
	if err != nil {
		return false, err
	}
	work = work || fill.Added > 0
	if work {
		s.log.DebugContext(ctx, "queue refreshed", "campaign", id, "reaped", res.Reaped, "promoted", res.Promoted, "stale", len(stale),
			"groups", len(groups), "hopper_added", fill.Added, "hopper_dropped", fill.Dropped, "hopper", fill.Level)
	}
	return work, nil
}

// refill tops the campaign's hopper up to HopperSize, after any refill
// of this Service that is running.
func (s *Service) refill(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, st *refreshState, now time.Time) (RefillResult, error) {
	st.fill.Lock()
	defer st.fill.Unlock()
	return s.refillLocked(ctx, ws, id, st, now)
}

// refillSince refills the campaign's hopper unless a refill that added
// entries ran since this Service's count of such refills was fills: a
// claimer that found the hopper short waits for the refill running now
// and claims from it, rather than queue a refill of its own behind it
// (eight claimers short at once ran eight refills in a row).
func (s *Service) refillSince(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, st *refreshState, fills int64, now time.Time) error {
	st.fill.Lock()
	defer st.fill.Unlock()
	if st.fills.Load() != fills {
		return nil
	}
	_, err := s.refillLocked(ctx, ws, id, st, now)
	return err
}

// refillLocked is refill with st.fill held.
func (s *Service) refillLocked(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, st *refreshState, now time.Time) (RefillResult, error) {
	res, err := s.store.Refill(ctx, ws, id, Refill{Target: s.hopperSize}, now)
	if err != nil {
		return res, err
	}
	if !res.Busy {
		st.level.Store(int64(res.Level))
	}
	if res.Added > 0 {
		st.fills.Add(1)
	}
	return res, nil
}

// topUp starts a refill of the campaign's hopper in the background when
// this Service's claims took it below half of HopperSize, unless a refill
// is running already or the Service is closed. The claim that calls it
// does not wait: a refill walks the queue (milliseconds to tens of
// milliseconds under load), and in the claim's own call it was the tail
// of every claimer's latency (docs/queue.md). A claim that finds the
// hopper short refills in its own call (claim).
func (s *Service) topUp(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, st *refreshState, claimed int) {
	if st.level.Add(-int64(claimed)) >= int64(s.hopperSize/2) || !st.fill.TryLock() {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		st.fill.Unlock()
		return
	}
	s.bg.Add(1)
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx) // the claim returns at once; its cancellation is not the refill's
	go func() {
		defer s.bg.Done()
		defer st.fill.Unlock()
		if _, err := s.refillLocked(ctx, ws, id, st, s.now().UTC()); err != nil {
			// The level stays low, so the next claim tries again.
			s.log.WarnContext(ctx, "queue: background refill", "campaign", id, "err", err)
		}
	}()
}

// Close waits for the background refills that claims started and starts
// no more: a claim after Close leaves the hopper's top-up to the next
// claim that finds it short. Close does not close the store. It is safe
// to call more than once.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.bg.Wait()
}
