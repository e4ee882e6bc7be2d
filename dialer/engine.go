package dialer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
)

// Queue is the part of the queue the engine uses; *queue.Service
// implements it.
type Queue interface {
	Claim(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, n int, ttl time.Duration) ([]queue.Lease, error)
	Next(ctx context.Context, caller campaign.Actor, id campaign.ID, ttl time.Duration) (queue.Lease, error)
	BeginAttempt(ctx context.Context, l queue.Lease, d queue.Dial) error
	OpenDials(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]queue.OpenDial, error)
	Finish(ctx context.Context, l queue.Lease, o queue.Outcome) error
	Extend(ctx context.Context, l queue.Lease, ttl time.Duration) (queue.Lease, error)
	Release(ctx context.Context, l queue.Lease) error
}

// Campaigns reads the campaign being dialled and its children, and moves
// its status on the engine's own authority (the failure guardrail pausing
// it, completion). *campaign.Service and campaign.Store together provide
// it; see [CampaignSource].
type Campaigns interface {
	GetCampaign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (campaign.Campaign, error)
	// GetContact re-reads a contact at dial time (consent may have been
	// revoked since the claim).
	GetContact(ctx context.Context, ws campaign.WorkspaceID, id campaign.ContactID) (campaign.Contact, error)
	GetSchedule(ctx context.Context, ws campaign.WorkspaceID, id campaign.ScheduleID) (campaign.Schedule, error)
	ListDispositions(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]campaign.Disposition, error)
	ListContacts(ctx context.Context, ws campaign.WorkspaceID, f campaign.ContactFilter) (campaign.ContactPage, error)
	ListGoals(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]campaign.Goal, error)
	ListAnalyses(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]campaign.Analysis, error)
	TransitionAsSystem(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, to campaign.Status, reason string) (campaign.Campaign, error)
}

// CampaignSource joins a campaign.Store (reads) and a *campaign.Service
// (system transitions) into the engine's [Campaigns].
type CampaignSource struct {
	campaign.Store
	*campaign.Service
}

// GetCampaign resolves the ambiguity between the embedded types.
func (c CampaignSource) GetCampaign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (campaign.Campaign, error) {
	return c.Store.GetCampaign(ctx, ws, id)
}

// ListContacts reads the store's listing (the engine's own authority;
// campaign.Service.ListContacts is a member's, with an actor).
func (c CampaignSource) ListContacts(ctx context.Context, ws campaign.WorkspaceID, f campaign.ContactFilter) (campaign.ContactPage, error) {
	return c.Store.ListContacts(ctx, ws, f)
}

// Attempts gives the engine the campaign's attempt log and lets it record
// blocks and agent spans; every store implements it.
type Attempts interface {
	ListAttempts(ctx context.Context, ws campaign.WorkspaceID, f queue.AttemptFilter) ([]campaign.Attempt, error)
	RecordBlocks(ctx context.Context, ws campaign.WorkspaceID, bs []campaign.Block) error
	campaign.SpanWriter
	// RecentAttempts returns, per number, the start times of the
	// workspace's attempts since a time (any campaign): the dial-time gate
	// checks the states' frequency caps with it.
	RecentAttempts(ctx context.Context, ws campaign.WorkspaceID, numbers []string, since time.Time) (map[string][]time.Time, error)
}

// Engine errors.
var (
	// ErrNoAgent is returned by preview calls when the caller has no
	// session, and reported when a campaign has nobody logged in.
	ErrNoAgent = errors.New("dialer: no agent logged in")
	// ErrUnknownAttempt is returned by SaveOutcome for an attempt the
	// engine does not hold (finished already, or never placed).
	ErrUnknownAttempt = errors.New("dialer: unknown attempt")
	// ErrOutcomeIncomplete is returned by SaveOutcome while the
	// disposition's requirements are missing; the *MissingError lists them.
	ErrOutcomeIncomplete = errors.New("dialer: outcome incomplete")
	// ErrStopped is returned after the engine stopped.
	ErrStopped = errors.New("dialer: engine stopped")
	// ErrNotRunning is returned by a call that needs the engine loop (a
	// preview Dial) while nothing drives the engine: call Run, or drive
	// it in virtual time with a [VirtualTime].
	ErrNotRunning = errors.New("dialer: engine not running: call Run (or drive it with a VirtualTime)")
	// ErrOutcomeTimeout is returned by SaveOutcome for a call whose
	// outcome was not saved within the campaign's
	// ContactCompletionTimeout: the attempt was written without it.
	ErrOutcomeTimeout = errors.New("dialer: outcome not saved within the contact completion timeout")
	// ErrOutcomeLost is returned by SaveOutcome when the outcome could not
	// be written because the contact's lease was lost (the queue gave the
	// contact to someone else); Stats.LostOutcomes counts it.
	ErrOutcomeLost = errors.New("dialer: outcome lost")
)

// Config configures an [Engine] for one campaign.
type Config struct {
	// Workspace and Campaign name the campaign to dial; required.
	Workspace campaign.WorkspaceID
	Campaign  campaign.ID
	// Campaigns, Queue, Attempts, Suppression, Authorizer and Carrier are
	// required.
	Campaigns   Campaigns
	Queue       Queue
	Attempts    Attempts
	Suppression suppression.Checker
	Authorizer  campaign.Authorizer
	Carrier     telephony.Carrier
	// Rules are the calling-time law of the dial-time gate. Defaults to
	// compliance.NewRules().
	Rules *compliance.Rules
	// Numbers checks numbers at dial time. Defaults to a Checker with the
	// campaign's default region and allowed countries.
	Numbers *compliance.Checker
	// Pacer decides how many calls to start each tick. Defaults by the
	// campaign's dial mode: progressive 1:1, power at Settings.CallRatio,
	// predictive [pacing.NewPredictive]; preview places no calls on its own.
	Pacer pacing.Pacer
	// CallerIDs rotates the numbers presented. Defaults to a pool of
	// Settings.CallerIDs configured by Settings.CallerIDPool (rotation,
	// spam threshold, daily cap) in the campaign's timezone.
	CallerIDs *CallerIDPool
	// CallerIDStore keeps the pool's state (disabled, spam score, daily
	// and total counts) across restarts and shared by every process: the
	// engine reads it when it builds the pool and at each settings reload,
	// and counts each call there before dialing, so the daily cap holds
	// from the stored count. Stored states replace the pool's status,
	// score and counts. Defaults to none: the counts live in memory and a
	// restart resets today's caps (callstack.Client.Engine passes its
	// store).
	CallerIDStore campaign.CallerIDStore
	// Clock returns the current time. Defaults to time.Now; a simulation
	// passes its virtual clock and drives the engine with [RunVirtual]
	// (or a [VirtualTime]).
	Clock func() time.Time
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Spans receives each agent state span as it closes. Defaults to nil.
	// Like OnAbandon it runs on the goroutine that drives the engine,
	// after the step that closed the span and outside the engine's lock,
	// in order; it may call the Engine's methods, and the engine waits for
	// it, so it should return quickly (hand slow work to another
	// goroutine).
	Spans func(campaign.AgentSpan)
	// SpanStore stores agent state spans, which reports read for
	// utilisation, labour cost and shift coverage; spans are written beside
	// the loop after each of its steps. Defaults to Attempts.
	SpanStore campaign.SpanWriter
	// AbandonMessage plays to a live answer no agent takes within
	// BridgeWithin. Defaults to a short message naming no one (set your
	// seller's name and opt-out number as the law asks).
	AbandonMessage telephony.Message
	// OnAbandon is called for each abandoned call, after the message
	// plays, as Spans is: after the step, outside the engine's lock; it
	// may call the Engine's methods and should return quickly.
	// Defaults to nil.
	OnAbandon func(campaign.Attempt)
	// BridgeWithin is how long a live answer may wait for an agent before
	// it is abandoned. Defaults to 2s (47 CFR 64.1200(a)(7)); longer is
	// refused.
	BridgeWithin time.Duration
	// Dampers is how many live answers may wait for an agent before the
	// engine stops adding calls whatever the pacer says (waiting
	// stations). Defaults to 0: no limit beyond the pacer's own, which
	// already counts waiting calls.
	Dampers int
	// FailureWindow and FailureThreshold are the failure guardrail: when
	// more than FailureThreshold of the last FailureWindow resolved dials
	// (answered, busy, no answer or failed) failed at the carrier, the
	// campaign is paused with the reason. Defaults to 50 and 0.5.
	FailureWindow    int
	FailureThreshold float64
	// ThrottleAt is the share of the abandon cap at which the engine stops
	// trusting the pacer above 1:1 (the abandon guardrail, on top of the
	// pacer's own throttling as the rate nears the cap). Defaults to 1: at
	// the cap.
	ThrottleAt float64
	// Playbook lists the script steps a caller must mark done before an
	// outcome of a contacted disposition saves. Defaults to none.
	Playbook []string
	// QualificationFields must be filled before an outcome of a qualified
	// disposition saves. Defaults to none.
	QualificationFields []string
	// DrainTimeout bounds how long Run waits for calls in flight after its
	// context ends before hanging them up. Defaults to 30s.
	DrainTimeout time.Duration
	// BeforeDecide, when set, is called before each pacer decision with
	// the agents behind the observation's Busy entries, in order. It exists
	// for simulations whose oracle pacer needs the truth about each busy
	// agent. Defaults to nil.
	BeforeDecide func(now time.Time, busy []BusyAgentInfo)
	// StatusEvery is how often the engine re-reads the campaign (status,
	// settings) and checks for completion. Defaults to 5s.
	StatusEvery time.Duration
	// Leaser grants the campaign lease, so that several processes may run
	// an engine for one campaign: only the holder paces (claims contacts
	// and places calls on its own); the others wait and take over when the
	// holder's lease lapses. An engine that loses the lease stops placing
	// calls and gives its hopper back, but finishes its calls in flight;
	// Stop (and Run's drain) releases it. Agents' preview calls are not
	// paced and do not need it. The holder also finishes, with the
	// carrier's record, the calls of processes that died (see
	// reconcile.go). Every store implements campaign.Leaser.
	// Defaults to nil: one process dials the campaign, and the engine paces
	// without a lease.
	Leaser campaign.Leaser
	// Holder names this engine as the lease holder; it must differ between
	// the engines of one campaign. Defaults to a random ID.
	Holder string
	// LeaseTTL is how long the campaign lease lasts unless renewed; the
	// engine renews it (or tries to take it) every LeaseTTL/3, and stops
	// pacing LeaseTTL/6 before the lease it holds would run out unless a
	// renewal succeeded, so another process takes over within about
	// LeaseTTL of this one dying and never paces beside it. Defaults to
	// 30s.
	LeaseTTL time.Duration
	// CarrierConcurrency is how many carrier requests of each class run
	// at once: dials, and separately bridges, messages and hang-ups, so an
	// answered call is never bridged behind dial requests. Requests run
	// outside the engine's state; their results come back like carrier
	// events. Defaults to 8.
	CarrierConcurrency int
	// RequestTimeout bounds each carrier request. A dial that times out
	// has an unknown outcome: the engine waits for its events by attempt
	// ID. Defaults to 15s.
	RequestTimeout time.Duration
}

func (cfg *Config) validate() error {
	switch {
	case cfg.Workspace == "" || cfg.Campaign == "":
		return errors.New("dialer: Config.Workspace and Config.Campaign are required")
	case cfg.Campaigns == nil:
		return errors.New("dialer: Config.Campaigns is required")
	case cfg.Queue == nil:
		return errors.New("dialer: Config.Queue is required")
	case cfg.Attempts == nil:
		return errors.New("dialer: Config.Attempts is required")
	case cfg.Suppression == nil:
		return errors.New("dialer: Config.Suppression is required")
	case cfg.Authorizer == nil:
		return errors.New("dialer: Config.Authorizer is required")
	case cfg.Carrier == nil:
		return errors.New("dialer: Config.Carrier is required")
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
	if cfg.AbandonMessage == (telephony.Message{}) {
		cfg.AbandonMessage = telephony.Message{Text: "Sorry, all our agents are busy. We will not call again today. To stop our calls, reply STOP or call us back.", Language: "en-US"}
	}
	if cfg.BridgeWithin == 0 {
		cfg.BridgeWithin = 2 * time.Second
	}
	if cfg.BridgeWithin < 0 || cfg.BridgeWithin > 2*time.Second {
		return fmt.Errorf("dialer: Config.BridgeWithin must be in (0, 2s], got %s", cfg.BridgeWithin)
	}
	if cfg.Dampers < 0 {
		return fmt.Errorf("dialer: Config.Dampers must not be negative, got %d", cfg.Dampers)
	}
	if cfg.FailureWindow == 0 {
		cfg.FailureWindow = 50
	}
	if cfg.FailureThreshold == 0 {
		cfg.FailureThreshold = 0.5
	}
	if cfg.FailureWindow < 1 || cfg.FailureThreshold <= 0 || cfg.FailureThreshold > 1 {
		return fmt.Errorf("dialer: Config.FailureWindow must be positive and FailureThreshold in (0, 1]")
	}
	if cfg.ThrottleAt == 0 {
		cfg.ThrottleAt = 1
	}
	if cfg.ThrottleAt <= 0 || cfg.ThrottleAt > 1 {
		return fmt.Errorf("dialer: Config.ThrottleAt must be in (0, 1], got %g", cfg.ThrottleAt)
	}
	if cfg.DrainTimeout == 0 {
		cfg.DrainTimeout = 30 * time.Second
	}
	if cfg.StatusEvery == 0 {
		cfg.StatusEvery = 5 * time.Second
	}
	if cfg.Holder == "" {
		cfg.Holder = campaign.NewID("dialer", cfg.Clock())
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.LeaseTTL < 0 {
		return fmt.Errorf("dialer: Config.LeaseTTL must not be negative, got %s", cfg.LeaseTTL)
	}
	if cfg.CarrierConcurrency == 0 {
		cfg.CarrierConcurrency = 8
	}
	if cfg.CarrierConcurrency < 0 {
		return fmt.Errorf("dialer: Config.CarrierConcurrency must be positive, got %d", cfg.CarrierConcurrency)
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 15 * time.Second
	}
	if cfg.RequestTimeout < 0 {
		return fmt.Errorf("dialer: Config.RequestTimeout must be positive, got %s", cfg.RequestTimeout)
	}
	return nil
}

// Engine dials one campaign: it paces calls, claims contacts from the
// queue, runs the compliance gate again at dial time, places calls through
// the carrier, bridges live answers to agents within BridgeWithin or
// abandons them with a message, and writes every outcome to the attempt
// log through the queue. It is safe for concurrent use: agents log in and
// save outcomes from other goroutines while Run (or a [VirtualTime])
// drives it.
//
// One goroutine owns the engine's state (under Run, the loop; agents' and
// hosts' calls reach it as commands) and never waits on the carrier or the
// store: carrier requests run beside the loop
// under Config.CarrierConcurrency, store I/O the loop needs runs beside it
// too, and their results come back through the same inbox as carrier
// events (docs/pacing.md, "How the engine runs").
type Engine struct {
	cfg Config

	// inbox receives carrier events from the sink and the results of
	// carrier requests; guarded by inboxMu so the carrier never waits on
	// the engine's lock.
	inboxMu sync.Mutex
	inbox   []inboxItem
	wake    chan struct{}

	mu       sync.Mutex
	started  bool
	stopped  bool
	draining bool
	c        campaign.Campaign
	window   compliance.Window
	disps    map[campaign.DispositionID]campaign.Disposition
	pacer    pacing.Pacer
	pool     *CallerIDPool
	numbers  *compliance.Checker
	agents   *agents
	calls    map[string]*call // by attempt ID
	// callOrder lists calls as placed; finished ones are marked done and
	// compacted away lazily.
	callOrder []*call
	byCall    map[telephony.CallID]*call
	waiting   []*call // live answers waiting for an agent, oldest first
	wrapping  map[string]*call
	hopper    []queue.Lease
	seq       *telephony.Sequencer
	lease     leaseState // the campaign lease (lease.go)

	// exec runs carrier requests: a liveExec under Run, a VirtualTime in a
	// simulation; nil until one of them drives the engine.
	exec    executor
	live    *liveExec
	virtual *VirtualTime
	// loop is open while Run's goroutine owns the state and takes the
	// commands of agents and hosts on cmds (see owned); nil otherwise.
	loop chan struct{}
	cmds chan command
	// retries are failed hang-ups waiting to be tried again.
	retries []*carrierOp
	// unhung lists calls that could not be hung up after hangupRetries:
	// call ID → attempt ID. They are retried until the carrier reports
	// their end.
	unhung map[telephony.CallID]string
	// timedOut remembers attempts finished without their outcome at the
	// completion timeout, so a late SaveOutcome gets a clear error.
	timedOut map[string]time.Time
	// lostAtStop holds the attempts Stop wrote without the outcome their
	// agent had not saved yet, so a late SaveOutcome says so.
	lostAtStop map[string]bool
	// hooks are the host's callbacks (Config.Spans, Config.OnAbandon) due
	// so far, in order; unlockHooks runs them once e.mu is released.
	hooks []func()
	// inHooks counts hook deliveries under way: while the owning
	// goroutine runs hooks it touches no state, so owned runs a call in
	// its caller's goroutine rather than wait for the loop.
	inHooks int
	// dialsUntil holds new dials back after the carrier asked to slow down
	// (a rate limit with Retry-After).
	dialsUntil time.Time

	// want is how many calls the last pacer decision still wants placed;
	// placing counts placements whose gate and journal run beside the
	// loop; claiming is set while a claim runs.
	want, placing int
	claiming      bool
	// leaseBusy is set while a campaign-lease request runs; statusBusy
	// while the campaign is being re-read.
	leaseBusy, statusBusy bool
	// reconciling is set while the open dials of other processes are
	// looked up; nextReconcile is when they are next (reconcile.go).
	reconciling   bool
	nextReconcile time.Time

	// pubMu guards pub, the Stats published at the end of each step, so
	// that Stats never waits for the engine.
	pubMu sync.Mutex
	pub   Stats

	spanBuf      []campaign.AgentSpan
	nextTick     time.Time
	nextClaim    time.Time
	nextStatus   time.Time
	spacingStart time.Time
	spacingCount float64
	failures     failureBook
	abandon      abandonBook
	stats        Stats
}

// Stats counts what an engine did since it started.
type Stats struct {
	Dials, Live, Machine, NoAnswer, Busy, Failed, Abandoned, Connected int
	// Blocked counts contacts the dial-time gate refused.
	Blocked int
	// TalkTime is the connected time of finished calls.
	TalkTime time.Duration
	// LostOutcomes counts outcomes that were not written with their call:
	// not saved within ContactCompletionTimeout, or refused because the
	// contact's lease was lost. Each is also an error to the caller who
	// tried to save it.
	LostOutcomes int
	// CarrierErrors counts carrier requests that failed.
	CarrierErrors int
	// Reconciled counts the calls of an earlier run, left open by a stop
	// between dial and end, that Start finished with the carrier's record;
	// Adopted counts those still in progress, which this engine followed
	// to their end.
	Reconciled, Adopted int
	// HangupFailures counts calls whose hang-up still failed after its
	// retries; Unhung is how many of them are not known to have ended.
	// Each is logged at error level and retried until it ends.
	HangupFailures, Unhung int
}

// inboxItem is a carrier event or the result of a carrier request.
type inboxItem struct {
	ev telephony.Event
	op *carrierOp
	st *storeOp
}

// New validates cfg and returns an engine. It reads the campaign once to
// check it exists; dialing starts with Start (or Run).
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Engine{
		cfg: cfg, wake: make(chan struct{}, 1), cmds: make(chan command),
		calls: map[string]*call{}, byCall: map[telephony.CallID]*call{}, wrapping: map[string]*call{},
		seq: telephony.NewSequencer(), unhung: map[telephony.CallID]string{}, timedOut: map[string]time.Time{}, lostAtStop: map[string]bool{},
	}
	if cfg.SpanStore == nil {
		cfg.SpanStore = cfg.Attempts
		e.cfg.SpanStore = cfg.SpanStore
	}
	e.agents = newAgents(cfg.Workspace, cfg.Campaign, func(sp campaign.AgentSpan) {
		if cfg.Spans != nil {
			e.hooks = append(e.hooks, func() { cfg.Spans(sp) })
		}
		if cfg.SpanStore != nil {
			e.spanBuf = append(e.spanBuf, sp)
		}
	})
	now := cfg.Clock()
	if err := e.reload(ctx, now); err != nil {
		return nil, err
	}
	if err := e.checkCampaign(); err != nil {
		return nil, err
	}
	if err := e.abandon.load(ctx, cfg.Attempts, cfg.Workspace, cfg.Campaign, now); err != nil {
		return nil, fmt.Errorf("dialer: load abandon accounting: %w", err)
	}
	return e, nil
}

// settingsRead is what reload reads from the store.
type settingsRead struct {
	c      campaign.Campaign
	window compliance.Window
	disps  []campaign.Disposition
	// states are the stored caller-ID states (Config.CallerIDStore).
	states []campaign.CallerIDState
}

// reload reads the campaign, its schedule and dispositions, and builds the
// pieces that depend on its settings on first use. It runs in the
// caller's goroutine (New); the loop re-reads beside it (refreshStatus).
func (e *Engine) reload(ctx context.Context, now time.Time) error {
	r, err := e.readSettings(ctx, e.pool)
	if err != nil {
		return err
	}
	return e.applySettings(ctx, r, now)
}

// readSettings reads the campaign's settings; it touches none of the
// engine's state and may run beside the loop. pool is the caller-ID pool
// whose states to read (nil before the first reload).
func (e *Engine) readSettings(ctx context.Context, pool *CallerIDPool) (settingsRead, error) {
	var r settingsRead
	c, err := e.cfg.Campaigns.GetCampaign(ctx, e.cfg.Workspace, e.cfg.Campaign)
	if err != nil {
		return r, fmt.Errorf("dialer: read campaign: %w", err)
	}
	var sched *campaign.Schedule
	if c.ScheduleID != "" {
		s, err := e.cfg.Campaigns.GetSchedule(ctx, e.cfg.Workspace, c.ScheduleID)
		if err != nil {
			return r, fmt.Errorf("dialer: read schedule: %w", err)
		}
		sched = &s
	}
	if r.window, err = queue.Window(c.Settings, sched); err != nil {
		return r, err
	}
	if r.disps, err = e.cfg.Campaigns.ListDispositions(ctx, e.cfg.Workspace, e.cfg.Campaign); err != nil {
		return r, fmt.Errorf("dialer: read dispositions: %w", err)
	}
	r.c = c
	if pool != nil && e.cfg.CallerIDStore != nil {
		if r.states, err = e.cfg.CallerIDStore.CallerIDStates(ctx, e.cfg.Workspace, pool.numberList()); err != nil {
			return r, fmt.Errorf("dialer: load caller IDs: %w", err)
		}
	}
	return r, nil
}

// applySettings takes what readSettings read. e.mu must be held, or the
// engine not yet shared (New).
func (e *Engine) applySettings(ctx context.Context, r settingsRead, now time.Time) error {
	c := r.c
	e.c, e.window = c, r.window
	e.disps = make(map[campaign.DispositionID]campaign.Disposition, len(r.disps))
	for _, d := range r.disps {
		e.disps[d.ID] = d
	}
	if e.numbers == nil {
		e.numbers = e.cfg.Numbers
		if e.numbers == nil {
			e.numbers = &compliance.Checker{DefaultRegion: c.DefaultRegion, AllowedCountries: c.Settings.AllowedCountries}
		}
	}
	if e.pool == nil {
		e.pool = e.cfg.CallerIDs
		if e.pool == nil {
			loc, err := time.LoadLocation(c.Timezone)
			if err != nil {
				return fmt.Errorf("dialer: campaign timezone: %w", err)
			}
			nums := make([]CallerID, len(c.Settings.CallerIDs))
			for i, n := range c.Settings.CallerIDs {
				nums[i] = CallerID{Number: n}
			}
			pc := c.Settings.CallerIDPool
			if e.pool, err = NewPool(PoolConfig{Numbers: nums, Location: loc, Rotation: Rotation(pc.Rotation),
				SpamThreshold: pc.SpamThreshold, DailyCap: pc.DailyCap}); err != nil {
				return err
			}
		}
		if err := e.loadCallerIDs(ctx, now); err != nil {
			return err
		}
	} else if r.states != nil {
		e.pool.restore(r.states, now)
	}
	if e.pacer == nil {
		e.pacer = e.cfg.Pacer
		if e.pacer == nil {
			var err error
			if e.pacer, err = DefaultPacer(c.Settings); err != nil {
				return err
			}
		}
	}
	e.abandon.configure(c, now)
	e.nextStatus = now.Add(e.cfg.StatusEvery)
	return nil
}

// checkCampaign refuses, at New, a campaign the engine could never dial.
func (e *Engine) checkCampaign() error {
	if e.c.Status == campaign.StatusDraft {
		return fmt.Errorf("dialer: campaign %s is a draft: move it to queued or running (campaign.Service.Transition) before creating its engine", e.c.ID)
	}
	if e.c.Status.Ended() {
		return fmt.Errorf("dialer: campaign %s is %s and can never dial again: create a new campaign (campaign.Service.CreateCampaign) for its remaining contacts", e.c.ID, e.c.Status)
	}
	if len(e.pool.cfg.Numbers) == 0 {
		return fmt.Errorf("dialer: campaign %s has no caller IDs: every dial would be refused; set Settings.CallerIDs (or Config.CallerIDs)", e.c.ID)
	}
	return nil
}

// DefaultPacer returns the pacer for a campaign's dial mode: progressive
// 1:1, power at CallRatio, the predictive pacer under AbandonCap, and for
// preview a pacer that never starts calls on its own.
func DefaultPacer(s campaign.Settings) (pacing.Pacer, error) {
	switch s.DialMode {
	case campaign.DialPreview, campaign.DialProgressive:
		return pacing.Progressive{}, nil
	case campaign.DialPower:
		return pacing.NewRatio(s.CallRatio)
	case campaign.DialPredictive:
		return pacing.NewPredictive(pacing.PredictiveConfig{})
	}
	return nil, fmt.Errorf("dialer: unknown dial mode %q", s.DialMode)
}

// HandleEvent implements telephony.EventSink: carrier events queue up for
// the engine loop, which applies them in order and idempotently.
func (e *Engine) HandleEvent(_ context.Context, ev telephony.Event) error {
	e.inboxMu.Lock()
	e.inbox = append(e.inbox, inboxItem{ev: ev})
	e.inboxMu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return nil
}

// Start hands the carrier the engine's event sink. Run calls it, and so
// does a [VirtualTime]; calling it first is harmless.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return nil
	}
	e.started = true
	now := e.cfg.Clock()
	e.nextTick = now
	if e.c.DueToStart(now) || e.c.DueToEnd(now) {
		e.nextStatus = now // start a due Queued campaign (or end one past its deadline) at once
	}
	e.mu.Unlock()
	if err := e.cfg.Carrier.Start(ctx, e); err != nil {
		return fmt.Errorf("dialer: start carrier: %w", err)
	}
	if e.cfg.Leaser == nil {
		// One process dials the campaign: every open dial is a call of
		// an earlier run of this engine.
		e.reconcile(ctx)
	}
	return nil
}

// Run dials until ctx ends, then stops placing calls, waits up to
// DrainTimeout for the calls in flight to end (hanging up the rest and
// giving their leases back), and returns. It returns an error only when
// the engine could not start.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	switch {
	case e.stopped:
		e.mu.Unlock()
		return ErrStopped
	case e.exec != nil:
		e.mu.Unlock()
		return errors.New("dialer: Run: the engine is already driven (by Run or a VirtualTime)")
	}
	e.live = newLiveExec(e)
	e.exec = e.live
	e.mu.Unlock()
	if err := e.Start(ctx); err != nil {
		return errors.Join(err, e.Stop(context.WithoutCancel(ctx)))
	}
	// From here on this goroutine owns the engine's state: agents' and
	// hosts' calls come to it as commands (see owned), until it hands the
	// state back to Stop.
	loop := make(chan struct{})
	e.mu.Lock()
	e.loop = loop
	e.mu.Unlock()
	handBack := sync.OnceFunc(func() { close(loop) })
	defer handBack()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next, err := e.step(ctx)
		if err != nil {
			e.cfg.Logger.WarnContext(ctx, "dialer: step", "err", err)
		}
		wait := time.Second
		if !next.IsZero() {
			wait = next.Sub(e.cfg.Clock())
		}
		wait = max(min(wait, time.Second), time.Millisecond)
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return e.drain(context.WithoutCancel(ctx), handBack)
		case <-e.wake:
		case <-timer.C:
		case c := <-e.cmds:
			e.runCommand(c)
		}
	}
}

// command is a call of an agent or host, run by the goroutine that owns
// the engine's state.
type command struct {
	f    func()
	done chan struct{}
}

// runCommand runs c on the owning goroutine.
func (e *Engine) runCommand(c command) {
	e.mu.Lock()
	c.f()
	e.unlockHooks()
	close(c.done)
}

// unlockHooks releases e.mu, then runs the host's callbacks that came due
// while it was held, in order, outside the lock, so a callback may call
// the Engine's methods (they run in its goroutine meanwhile: see owned).
// e.mu must be held.
func (e *Engine) unlockHooks() {
	for len(e.hooks) > 0 {
		hs := e.hooks
		e.hooks = nil
		e.inHooks++
		e.mu.Unlock()
		for _, h := range hs {
			h()
		}
		e.mu.Lock()
		e.inHooks--
	}
	e.mu.Unlock()
}

// owned runs f on the goroutine that owns the engine's state: under Run,
// the loop, to which it is sent as a command (and which runs it between
// steps, which never wait on I/O); otherwise (a VirtualTime drives the
// engine from the caller's goroutine, or nothing drives it yet, or Run has
// returned) at once in the caller's goroutine, under e.mu. f must not
// call the carrier or the store.
func (e *Engine) owned(f func()) {
	e.mu.Lock()
	loop := e.loop
	if e.inHooks > 0 {
		// The loop is running the host's callbacks (maybe this very
		// call's caller) and touches no state meanwhile.
		loop = nil
	}
	e.mu.Unlock()
	if loop != nil {
		c := command{f: f, done: make(chan struct{})}
		select {
		case e.cmds <- c:
			<-c.done
			return
		case <-loop:
			// Run returned: nobody owns the loop any more.
		}
	}
	e.mu.Lock()
	defer e.unlockHooks()
	f()
}

// drain stops new calls and lets calls in flight end; then it hands the
// state back (commands run in their callers' goroutines again) and stops
// the engine, which may wait for carrier requests in flight.
func (e *Engine) drain(ctx context.Context, handBack func()) error {
	e.mu.Lock()
	e.draining = true
	deadline := e.cfg.Clock().Add(e.cfg.DrainTimeout)
	e.mu.Unlock()
	for {
		if _, err := e.step(ctx); err != nil {
			e.cfg.Logger.WarnContext(ctx, "dialer: drain step", "err", err)
		}
		e.mu.Lock()
		left := len(e.calls)
		e.mu.Unlock()
		if left == 0 || !e.cfg.Clock().Before(deadline) {
			break
		}
		select {
		case <-e.wake:
		case <-time.After(50 * time.Millisecond):
		case c := <-e.cmds:
			e.runCommand(c)
		}
	}
	handBack()
	return e.Stop(ctx)
}

// Stop hangs up every call still in flight, gives the hopper's and those
// calls' leases back to the queue, and closes the agents' spans. Outcomes
// already captured are kept; a call hung up here before it was answered
// is finished as cancelled. A call an agent took whose outcome was not
// saved yet is written with its result and without the outcome (its note
// says why); Stats.LostOutcomes counts it and a later SaveOutcome for it
// returns ErrStopped. Let agents save first: stop by cancelling Run's
// context, which drains calls for up to Config.DrainTimeout.
// It waits for the carrier requests in flight (up to RequestTimeout) and
// hangs up any call whose dial returns meanwhile.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return nil
	}
	e.stopped = true
	now := e.cfg.Clock()
	var errs []error
	// Results already in, applied so that no call is left up unseen.
	errs = append(errs, e.applyInbox(ctx, now))
	for _, l := range e.hopper {
		if err := e.cfg.Queue.Release(ctx, l); err != nil && !errors.Is(err, queue.ErrLeaseLost) {
			errs = append(errs, err)
		}
	}
	e.hopper = nil
	var hangups []telephony.CallID
	for _, c := range e.sortedCalls() {
		if c.callID != "" && !c.ended {
			hangups = append(hangups, c.callID)
		}
		if c.result == "" {
			c.result = campaign.ResultCancelled
		}
		if c.agent != "" && c.outcome == nil {
			// Talked to an agent whose outcome never came: the attempt
			// keeps its result and says why it has no outcome.
			e.stats.LostOutcomes++
			e.cfg.Logger.WarnContext(ctx, "dialer: engine stopped before the outcome was saved; the attempt is written without it",
				"attempt", c.attemptID, "agent", c.agent)
			c.outcome = &queue.Outcome{}
			c.outcome.Attempt.Outcome.Note = "dialer: the engine stopped before the outcome was saved"
			e.lostAtStop[c.attemptID] = true
		}
		if err := e.finish(ctx, c, now); err != nil {
			errs = append(errs, err)
		}
	}
	for _, op := range e.retries {
		hangups = append(hangups, op.callID)
	}
	e.retries = nil
	for _, s := range e.agents.snapshot() {
		e.agents.remove(e.agents.byID[s.ID], now)
	}
	live, vt := e.live, e.virtual
	e.mu.Unlock()
	// Requests in flight finish outside the lock; a dial that returns a
	// call now is hung up at once, and store I/O begun by the loop (a
	// claim, a placement, an attempt's write) is applied: what it leased
	// is given back, what it journalled is finished as cancelled.
	if live != nil {
		live.wait(e.cfg.RequestTimeout)
	}
	if vt != nil {
		vt.flush(ctx)
	}
	e.mu.Lock()
	e.inboxMu.Lock()
	items := e.inbox
	e.inbox = nil
	e.inboxMu.Unlock()
	for _, it := range items {
		switch {
		case it.st != nil:
			if err := it.st.apply(ctx, now); err != nil && !errors.Is(err, ErrNoCallerID) {
				errs = append(errs, err)
			}
		case it.op != nil && it.op.kind == opDial && it.op.err == nil && it.op.id != "":
			hangups = append(hangups, it.op.id)
		}
	}
	for _, l := range e.hopper {
		if err := e.release(ctx, l); err != nil {
			errs = append(errs, err)
		}
	}
	e.hopper = nil
	if err := e.flushSpans(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if err := e.releaseLease(ctx); err != nil {
		errs = append(errs, err)
	}
	e.publish()
	e.unlockHooks()
	for _, id := range hangups {
		hctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
		err := e.cfg.Carrier.Hangup(hctx, id)
		cancel()
		if err != nil && !errors.Is(err, telephony.ErrUnknownCall) {
			e.cfg.Logger.ErrorContext(ctx, "dialer: hang-up on stop failed; the call may still be up", "call", id, "err", err)
			errs = append(errs, fmt.Errorf("dialer: hang up %s on stop: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// flushSpans writes the agent spans closed since the last flush, beside
// the loop.
func (e *Engine) flushSpans(ctx context.Context, now time.Time) error {
	if len(e.spanBuf) == 0 || e.cfg.SpanStore == nil {
		return nil
	}
	spans := e.spanBuf
	e.spanBuf = nil
	var err error
	return e.submitStore(ctx, &storeOp{name: "spans",
		run: func(ctx context.Context) { err = e.cfg.SpanStore.AppendAgentSpans(ctx, spans) },
		apply: func(context.Context, time.Time) error {
			if err != nil {
				// Kept for the next flush.
				e.spanBuf = append(spans, e.spanBuf...)
				return fmt.Errorf("dialer: store agent spans: %w", err)
			}
			return nil
		}}, now)
}

// Stats returns what the engine did so far, as of its last step (or the
// last call of an agent's that changed it). It never waits for the
// engine.
func (e *Engine) Stats() Stats {
	e.pubMu.Lock()
	defer e.pubMu.Unlock()
	return e.pub
}

// publish makes the current Stats visible to Stats. e.mu must be held.
func (e *Engine) publish() {
	e.stats.Unhung = len(e.unhung)
	e.pubMu.Lock()
	e.pub = e.stats
	e.pubMu.Unlock()
}

// Awaiting returns the attempts whose outcome the agent has still to
// save, oldest first: the calls they talked on that ended. (An outcome may
// also be saved during the call, under the attempt ID CurrentCall gives.)
func (e *Engine) Awaiting(agent campaign.UserID) []string {
	var out []string
	e.owned(func() {
		for id, c := range e.wrapping {
			if c.agent == agent && c.outcome == nil {
				out = append(out, id)
			}
		}
	})
	slices.Sort(out)
	return out
}

// CurrentCall returns the attempt ID of the agent's live call, if any.
func (e *Engine) CurrentCall(agent campaign.UserID) (string, bool) {
	var id string
	e.owned(func() {
		for _, c := range e.sortedCalls() {
			if c.agent == agent && c.state == stateTalking {
				id = c.attemptID
				return
			}
		}
	})
	return id, id != ""
}

// Agents returns the agent sessions.
func (e *Engine) Agents() []AgentStatus {
	var out []AgentStatus
	e.owned(func() { out = e.agents.snapshot() })
	return out
}

// authorize admits actor to this engine: a member of the engine's own
// workspace whose role allows action. The workspace is checked first, so
// an actor of another workspace is refused whatever its role there; every
// session and call of the engine therefore belongs to (Config.Workspace,
// user), and comparing user IDs within the engine is comparing that pair.
func (e *Engine) authorize(ctx context.Context, actor campaign.Actor, action campaign.Action) error {
	if actor.WorkspaceID != e.cfg.Workspace {
		return fmt.Errorf("%w: %q acts in workspace %q; this engine dials for workspace %q",
			campaign.ErrForbidden, actor.UserID, actor.WorkspaceID, e.cfg.Workspace)
	}
	_, err := e.cfg.Authorizer.Authorize(ctx, actor, action)
	return err
}

// Login starts an agent session: the actor's own (a member whose role may
// dial and take calls), or, with cfg.ID naming someone else such as an AI
// agent, one started by a member who manages the campaign.
func (e *Engine) Login(ctx context.Context, actor campaign.Actor, cfg AgentConfig) error {
	if err := e.authorize(ctx, actor, campaign.ActionDial); err != nil {
		return err
	}
	if cfg.ID == "" {
		cfg.ID = actor.UserID
	}
	if cfg.ID != actor.UserID {
		if err := e.authorize(ctx, actor, campaign.ActionManageCampaign); err != nil {
			return fmt.Errorf("logging in agent %q for someone else: %w", cfg.ID, err)
		}
	}
	var err error
	e.owned(func() {
		if e.stopped {
			err = fmt.Errorf("%w: agent %q cannot log in to a stopped engine", ErrStopped, cfg.ID)
			return
		}
		err = e.agents.login(cfg, e.cfg.Clock())
	})
	return err
}

// Logout ends agent id's session, at once or when the agent's calls and
// wrap-up end. The actor is the agent itself (a member whose role may
// dial) or, for anyone else such as an AI agent or a caller who left, a
// member who manages the campaign; both in the engine's workspace.
func (e *Engine) Logout(ctx context.Context, actor campaign.Actor, id campaign.UserID) error {
	if err := e.authorizeFor(ctx, actor, id); err != nil {
		return err
	}
	var err error
	e.owned(func() { err = e.agents.logout(id, e.cfg.Clock()) })
	return err
}

// Pause takes idle agent id out of rotation, or puts it back; the actor is
// checked as by Logout.
func (e *Engine) Pause(ctx context.Context, actor campaign.Actor, id campaign.UserID, paused bool) error {
	if err := e.authorizeFor(ctx, actor, id); err != nil {
		return err
	}
	var err error
	e.owned(func() {
		if e.stopped {
			err = fmt.Errorf("%w: agent %q cannot pause on a stopped engine", ErrStopped, id)
			return
		}
		err = e.agents.pause(id, paused, e.cfg.Clock())
	})
	return err
}

// authorizeFor checks that actor may act on agent id's session: its own
// with a role that may dial, anyone's with a role that manages the
// campaign.
func (e *Engine) authorizeFor(ctx context.Context, actor campaign.Actor, id campaign.UserID) error {
	if id == actor.UserID {
		return e.authorize(ctx, actor, campaign.ActionDial)
	}
	if err := e.authorize(ctx, actor, campaign.ActionManageCampaign); err != nil {
		return fmt.Errorf("acting on agent %q's session: %w", id, err)
	}
	return nil
}

// step runs everything due at the clock's now: it applies queued carrier
// events and request results, abandons answers that waited too long, ends
// wrap-ups and outcome timeouts, extends leases of calls in flight and,
// on a pacer tick, places new calls. It returns when the engine next needs
// to run (zero: only on an event).
func (e *Engine) step(ctx context.Context) (time.Time, error) {
	e.mu.Lock()
	defer e.unlockHooks()
	if e.stopped {
		return time.Time{}, ErrStopped
	}
	now := e.cfg.Clock()
	var errs []error
	errs = append(errs, e.applyInbox(ctx, now))
	e.expireWaiting(ctx, now)
	ended, _ := e.agents.expireWraps(now)
	for _, d := range ended {
		e.pacer.Observe(pacing.Event{At: now, Kind: pacing.EventWrapEnded, Duration: d})
	}
	e.connectWaiting(ctx, now)
	e.runRetries(now)
	if err := e.timeouts(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if !now.Before(e.nextStatus) {
		if err := e.refreshStatus(ctx, now); err != nil {
			errs = append(errs, err)
		}
	}
	if err := e.keepLease(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if !now.Before(e.nextTick) {
		if err := e.tick(ctx, now); err != nil {
			errs = append(errs, err)
		}
		e.nextTick = now.Add(e.c.Settings.DialerInterval)
	}
	errs = append(errs, e.flushSpans(ctx, now))
	e.publish()
	return e.nextWake(), errors.Join(errs...)
}

// applyInbox applies the carrier events and request results received so
// far, in order, then bridges what it can. e.mu must be held.
func (e *Engine) applyInbox(ctx context.Context, now time.Time) error {
	e.inboxMu.Lock()
	items := e.inbox
	e.inbox = nil
	e.inboxMu.Unlock()
	var errs []error
	for _, it := range items {
		var err error
		switch {
		case it.st != nil:
			err = it.st.apply(ctx, now)
		case it.op != nil:
			err = e.result(ctx, it.op, now)
		default:
			err = e.apply(ctx, it.ev, now)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(items) > 0 {
		e.connectWaiting(ctx, now)
	}
	return errors.Join(errs...)
}

// nextWake is the earliest time something is due.
func (e *Engine) nextWake() time.Time {
	next := e.nextTick
	earlier := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if len(e.waiting) > 0 {
		earlier(e.waiting[0].answeredAt.Add(e.cfg.BridgeWithin))
		earlier(e.ownerWake(e.cfg.Clock()))
	}
	for _, s := range e.agents.byID {
		if s.State == campaign.AgentWrapUp {
			earlier(s.WrapUntil)
		}
	}
	for _, c := range e.calls {
		earlier(c.deadline)
		if !c.extending {
			earlier(c.extendAt)
		}
	}
	for _, op := range e.retries {
		earlier(op.retryAt)
	}
	earlier(e.nextStatus)
	if e.cfg.Leaser != nil && !e.draining {
		earlier(e.lease.next)
		if e.lease.held {
			earlier(e.leaseFence())
		}
	}
	return next
}

// CallOf returns the carrier's call ID of an attempt in flight.
func (e *Engine) CallOf(attemptID string) (telephony.CallID, bool) {
	var id telephony.CallID
	var ok bool
	e.owned(func() {
		var c *call
		if c, ok = e.calls[attemptID]; ok {
			id = c.callID
		}
	})
	return id, ok
}
