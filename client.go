package callstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
)

// ErrInvalidConfig is returned (wrapped) by [New] for a Config it cannot
// use, and by [Client.Engine] when the engine needs what the Config left
// out.
var ErrInvalidConfig = errors.New("callstack: invalid config")

// Config configures a [Client]. The zero value is usable for everything
// but dialing, which needs a Carrier.
type Config struct {
	// Carrier places the calls of every engine the client builds (the
	// simulated carrier telephony/sim, telephony/twilio, or your own
	// adapter). Defaults to nil: the services work, and Engine refuses to
	// build an engine until a carrier is given, here or in its options.
	Carrier telephony.Carrier
	// Clock returns the current time for every service and engine. Defaults
	// to time.Now; a simulation passes a virtual clock such as
	// (*sim.Clock).Now.
	Clock func() time.Time
	// Logger receives the services' and engines' logs. Defaults to
	// discarding.
	Logger *slog.Logger
	// Rules are the calling-time law applied by the queue's claims and the
	// dialer's dial-time gate. Defaults to compliance.NewRules().
	Rules *compliance.Rules
	// ReportMinSample is the smallest denominator a report rate may rest
	// on before it is flagged incomplete. Defaults to 30; negative is
	// refused.
	ReportMinSample int
	// LabourRate is the cost of one agent hour, in millionths of the
	// currency unit, for reports' labour cost. Defaults to 0: labour cost
	// is reported incomplete ("no labour rate"); negative is refused.
	LabourRate campaign.Money
	// Entitlements decides who may render a client snapshot report.
	// Defaults to nil: every snapshot is refused.
	Entitlements report.Entitlements
	// ImportBatchSize is the number of contacts the importer writes per
	// store call. Defaults to 1000; negative is refused.
	ImportBatchSize int
	// ImportMaxBytes is the largest CSV file the importer accepts.
	// Defaults to 512 MiB; negative is refused.
	ImportMaxBytes int64
}

func (cfg *Config) validate() error {
	switch {
	case cfg.ReportMinSample < 0:
		return fmt.Errorf("%w: ReportMinSample %d is negative", ErrInvalidConfig, cfg.ReportMinSample)
	case cfg.LabourRate < 0:
		return fmt.Errorf("%w: LabourRate %d is negative", ErrInvalidConfig, cfg.LabourRate)
	case cfg.ImportBatchSize < 0:
		return fmt.Errorf("%w: ImportBatchSize %d is negative", ErrInvalidConfig, cfg.ImportBatchSize)
	case cfg.ImportMaxBytes < 0:
		return fmt.Errorf("%w: ImportMaxBytes %d is negative", ErrInvalidConfig, cfg.ImportMaxBytes)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Rules == nil {
		cfg.Rules = compliance.NewRules()
	}
	return nil
}

// Client is one handle on CallStack: the services wired once over one
// store, and a dialer engine per campaign. It is safe for concurrent use.
//
// The services are the packages' own; a host that wants to wire them
// differently can still call campaign.NewService, suppression.NewService,
// importer.New, queue.NewService, report.NewService and dialer.New itself.
type Client struct {
	cfg         Config
	store       store.Store
	campaigns   *campaign.Service
	suppression *suppression.Service
	imports     *importer.Importer
	queue       *queue.Service
	reports     *report.Service
}

// New returns a Client over st, which must be migrated (call
// st.Migrate(ctx) once after opening it). It refuses a nil store and a
// Config it cannot use, with an error wrapping ErrInvalidConfig.
func New(st store.Store, cfg Config) (*Client, error) {
	if st == nil {
		return nil, fmt.Errorf("%w: a store is required (memory.New(), sqlite.Open or postgres.Open)", ErrInvalidConfig)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, store: st}
	var err error
	// The campaign service suppresses an erased person's numbers through
	// the suppression service, which checks roles through the campaign
	// service: erased breaks the cycle.
	c.campaigns, err = campaign.NewService(campaign.Config{Store: st, Clock: cfg.Clock, Logger: cfg.Logger, Suppressor: erased{c}, CallerIDs: st})
	if err != nil {
		return nil, err
	}
	c.suppression, err = suppression.NewService(suppression.Config{Store: st, Authorizer: c.campaigns, Clock: cfg.Clock, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	c.imports, err = importer.New(importer.Config{Campaigns: c.campaigns, Store: st, Contacts: st, Suppression: c.suppression,
		Clock: cfg.Clock, Logger: cfg.Logger, BatchSize: cfg.ImportBatchSize, MaxBytes: cfg.ImportMaxBytes})
	if err != nil {
		return nil, err
	}
	c.queue, err = queue.NewService(queue.Config{Store: st, Campaigns: st, Suppression: c.suppression, Authorizer: c.campaigns,
		Rules: cfg.Rules, Clock: cfg.Clock, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	c.reports, err = report.NewService(report.Config{Store: st, Clock: cfg.Clock, MinSample: cfg.ReportMinSample,
		LabourRate: cfg.LabourRate, Entitlements: cfg.Entitlements, Logger: cfg.Logger, Authorizer: c.campaigns})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// erased hands the campaign service's erasures to the client's
// suppression service.
type erased struct{ c *Client }

func (e erased) SuppressErased(ctx context.Context, ws campaign.WorkspaceID, phones []string, email string, by campaign.UserID, at time.Time) error {
	return e.c.suppression.SuppressErased(ctx, ws, phones, email, by, at)
}

// Close waits for the Client's background work — the hopper top-ups its
// queue's claims started (queue.Service.Close) — and starts no more. It
// does not close the store, which the host opened: close it after Close.
func (c *Client) Close() { c.queue.Close() }

// Store returns the store the client was built over.
func (c *Client) Store() store.Store { return c.store }

// Now reads the client's clock.
func (c *Client) Now() time.Time { return c.cfg.Clock() }

// Campaigns returns the campaign service: workspaces, members, campaigns,
// lists, dispositions, schedules and contacts, with roles checked and the
// audit log written; and the change feed a dashboard follows (status
// changes, attempts and blocks: ReadFeed, Follow, PruneFeed).
func (c *Client) Campaigns() *campaign.Service { return c.campaigns }

// Suppression returns the suppression service: DNC and suppression
// lists, registry loads and checks.
func (c *Client) Suppression() *suppression.Service { return c.suppression }

// Imports returns the CSV importer.
func (c *Client) Imports() *importer.Importer { return c.imports }

// Queue returns the queue service: claims, leases, outcomes, retries,
// reassignment. Engines built by the client share it.
func (c *Client) Queue() *queue.Service { return c.queue }

// Reports returns the report service: campaign reports, exports and
// snapshots.
func (c *Client) Reports() *report.Service { return c.reports }

// Engine returns a dialer engine for campaign id of workspace ws, wired to
// the client's services, store, carrier, clock, logger and rules. opts
// carries the engine's own settings (pacer, caller-ID pool, abandon
// message, leases, …; see dialer.Config); its Workspace and Campaign are
// set from ws and id, and the wiring fields it leaves zero (Campaigns,
// Queue, Attempts, CallerIDStore, Suppression, Authorizer, Carrier, Clock, Logger, Rules)
// are the client's. It fails, with the dialer's reason, where dialer.New
// does: an unknown campaign, a campaign that cannot be dialled as
// configured.
func (c *Client) Engine(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, opts dialer.Config) (*dialer.Engine, error) {
	opts.Workspace, opts.Campaign = ws, id
	if opts.Campaigns == nil {
		opts.Campaigns = dialer.CampaignSource{Store: c.store, Service: c.campaigns}
	}
	if opts.Queue == nil {
		opts.Queue = c.queue
	}
	if opts.Attempts == nil {
		opts.Attempts = c.store
	}
	if opts.CallerIDStore == nil {
		opts.CallerIDStore = c.store
	}
	if opts.Suppression == nil {
		opts.Suppression = c.suppression
	}
	if opts.Authorizer == nil {
		opts.Authorizer = c.campaigns
	}
	if opts.Carrier == nil {
		opts.Carrier = c.cfg.Carrier
	}
	if opts.Carrier == nil {
		return nil, fmt.Errorf("%w: no carrier: set Config.Carrier (telephony/sim for a simulation) or dialer.Config.Carrier", ErrInvalidConfig)
	}
	if opts.Clock == nil {
		opts.Clock = c.cfg.Clock
	}
	if opts.Logger == nil {
		opts.Logger = c.cfg.Logger
	}
	if opts.Rules == nil {
		opts.Rules = c.cfg.Rules
	}
	return dialer.New(ctx, opts)
}
