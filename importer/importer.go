package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
	"github.com/callstackhq/callstack/internal/csvsafe"
	"github.com/callstackhq/callstack/suppression"
)

// Config configures an [Importer].
type Config struct {
	// Campaigns checks roles: importing needs campaign.ActionImport.
	// Required; *campaign.Service implements it.
	Campaigns campaign.Authorizer
	// Store keeps the history, the remembered mappings and the phone
	// lookups. Required.
	Store Store
	// Contacts is where contacts are read and written (InsertContacts in
	// batches, UpdateContact for merges). Required.
	Contacts campaign.Store
	// Suppression is checked for every row before it is accepted.
	// Required; *suppression.Service implements it.
	Suppression suppression.Checker
	// Clock returns the current time. Defaults to time.Now.
	Clock func() time.Time
	// Logger receives a line per import. Defaults to discarding.
	Logger *slog.Logger
	// BatchSize is the number of contacts written per InsertContacts call.
	// Defaults to 1000.
	BatchSize int
	// MaxBytes is the largest file accepted. Defaults to 512 MiB.
	MaxBytes int64
}

// Importer previews and imports CSV files. It is safe for concurrent use.
type Importer struct {
	cfg Config

	mu       sync.Mutex
	checkers map[string]*compliance.Checker
}

// New returns an Importer; it refuses a Config without its required
// dependencies with ErrInvalidConfig.
func New(cfg Config) (*Importer, error) {
	var missing []string
	if cfg.Campaigns == nil {
		missing = append(missing, "Campaigns")
	}
	if cfg.Store == nil {
		missing = append(missing, "Store")
	}
	if cfg.Contacts == nil {
		missing = append(missing, "Contacts")
	}
	if cfg.Suppression == nil {
		missing = append(missing, "Suppression")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %s required", ErrInvalidConfig, strings.Join(missing, ", "))
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 512 << 20
	}
	return &Importer{cfg: cfg, checkers: map[string]*compliance.Checker{}}, nil
}

func (im *Importer) now() time.Time { return im.cfg.Clock().UTC() }

// checker returns the memoising compliance checker for a region and
// allow-list, shared by imports so its cache stays warm.
func (im *Importer) checker(region string, allowed []string) *compliance.Checker {
	key := region + "|" + strings.Join(allowed, ",")
	im.mu.Lock()
	defer im.mu.Unlock()
	c, ok := im.checkers[key]
	if !ok {
		c = &compliance.Checker{DefaultRegion: region, AllowedCountries: slices.Clone(allowed)}
		im.checkers[key] = c
	}
	return c
}

// plan is everything an import decided before reading rows.
type plan struct {
	actor     campaign.Actor
	campaign  campaign.Campaign
	opts      Options
	dupeDays  int
	required  []Field
	checker   *compliance.Checker
	header    []string
	mapping   Mapping
	customMax map[string]int
	importID  ImportID
	// altCols are the alternate phone columns, best ranked first.
	altCols []int
}

// prepare authorises the actor and resolves the options' defaults.
func (im *Importer) prepare(ctx context.Context, actor campaign.Actor, opts Options) (*plan, error) {
	if _, err := im.cfg.Campaigns.Authorize(ctx, actor, campaign.ActionImport); err != nil {
		return nil, err
	}
	ws := actor.WorkspaceID
	w, err := im.cfg.Contacts.GetWorkspace(ctx, ws)
	if err != nil {
		return nil, err
	}
	if opts.CampaignID == "" {
		return nil, fmt.Errorf("%w: CampaignID is required", ErrInvalidOptions)
	}
	c, err := im.cfg.Contacts.GetCampaign(ctx, ws, opts.CampaignID)
	if err != nil {
		return nil, err
	}
	p := &plan{actor: actor, campaign: c, opts: opts, dupeDays: 90, customMax: map[string]int{}}
	if opts.ListID != "" {
		l, err := im.cfg.Contacts.GetList(ctx, ws, opts.ListID)
		if err != nil {
			return nil, err
		}
		if l.DupeDays != 0 {
			p.dupeDays = l.DupeDays
		}
	}
	def := w.Settings.ImportDefaults
	if p.opts.DuplicatePolicy == "" {
		p.opts.DuplicatePolicy = DuplicatePolicy(def.DuplicatePolicy)
		if p.opts.DuplicatePolicy == "" {
			p.opts.DuplicatePolicy = DuplicateSkip
		}
	}
	switch p.opts.DuplicatePolicy {
	case DuplicateReject, DuplicateSkip, DuplicateMerge:
	default:
		return nil, fmt.Errorf("%w: unknown duplicate policy %q", ErrInvalidOptions, p.opts.DuplicatePolicy)
	}
	if !opts.KeepInvalidEmail {
		p.opts.KeepInvalidEmail = def.KeepInvalidEmail
	}
	p.required = opts.RequiredFields
	if p.required == nil {
		for _, f := range def.RequiredFields {
			p.required = append(p.required, Field(f))
		}
	}
	for _, f := range p.required {
		if _, custom := f.CustomKey(); (!f.standard() && !custom) || f == FieldIgnore {
			return nil, fmt.Errorf("%w: unknown required field %q", ErrInvalidOptions, f)
		}
	}
	for _, t := range opts.Tags {
		if t == "" || len(t) > campaign.MaxTagLength {
			return nil, fmt.Errorf("%w: tag %q must be 1–%d bytes", ErrInvalidOptions, t, campaign.MaxTagLength)
		}
	}
	for _, cf := range w.Settings.CustomFields {
		p.customMax[cf.Key] = cf.MaxLength
	}
	region := opts.Region
	if region == "" {
		region = c.DefaultRegion
	}
	p.checker = im.checker(strings.ToUpper(region), c.Settings.AllowedCountries)
	if err := p.checker.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	return p, nil
}

// resolveMapping picks the import's mapping and checks it against the
// header, including that every required field is mapped.
func (im *Importer) resolveMapping(ctx context.Context, p *plan) error {
	m := p.opts.Mapping
	if m == nil {
		saved, err := im.cfg.Store.GetMapping(ctx, p.actor.WorkspaceID, Signature(p.header))
		switch {
		case err == nil && saved.Mapping.validate(len(p.header)) == nil:
			m = saved.Mapping
		case err != nil && !errors.Is(err, campaign.ErrNotFound):
			return err
		default:
			m = SuggestMapping(p.header)
		}
	}
	m, err := applyColumns(m, p.header, p.opts.Columns)
	if err != nil {
		return err
	}
	if len(m) == len(p.header) && !slices.Contains(m, FieldPhone) {
		return fmt.Errorf("%w: no column maps to the phone; the header has %s; name the phone column with Options.Columns",
			ErrInvalidOptions, quoteList(p.header))
	}
	if err := m.validate(len(p.header)); err != nil {
		return err
	}
	for _, f := range p.required {
		name := f == FieldFirstName || f == FieldLastName
		if !slices.Contains(m, f) && !(name && slices.Contains(m, FieldFullName)) {
			return fmt.Errorf("%w: required field %q is not mapped", ErrInvalidOptions, f)
		}
	}
	p.mapping = slices.Clone(m)
	p.altCols = p.altCols[:0]
	for i, f := range m {
		if f == FieldAltPhone {
			p.altCols = append(p.altCols, i)
		}
	}
	rank := func(i int) int {
		if r := phoneRank(normalizeHeader(p.header[i])); r >= 0 {
			return r
		}
		return len(phoneSynonyms) // named by the user: after the known ones
	}
	slices.SortStableFunc(p.altCols, func(a, b int) int { return rank(a) - rank(b) })
	return nil
}

// Import reads r as CSV and imports its rows into opts.CampaignID on
// behalf of actor (who needs campaign.ActionImport: a Viewer is refused
// with campaign.ErrForbidden). It returns the history record of the
// import. A file that cannot be read as CSV (ErrNotCSV), or is over
// Config.MaxBytes when its size is known up front (ErrTooLarge), is
// refused before any row and leaves no history entry. Whatever stops an
// import part-way (ctx ending, the size limit crossed, a store error),
// every row read is counted: the batches written stay written, rows read
// but not written are rejected as import_stopped (and go to the rejects
// file), and the Result and the history entry hold the counts. When ctx
// ends the entry is marked cancelled and the error wraps ErrCancelled;
// otherwise it is marked failed with the error.
func (im *Importer) Import(ctx context.Context, actor campaign.Actor, r io.Reader, opts Options) (Result, error) {
	p, err := im.prepare(ctx, actor, opts)
	if err != nil {
		return Result{}, err
	}
	src, err := openSource(r, im.cfg.MaxBytes, opts.Encoding)
	if err != nil {
		return Result{}, err
	}
	p.header = src.header
	if err := im.resolveMapping(ctx, p); err != nil {
		return Result{}, err
	}
	start := im.now()
	p.importID = ImportID(campaign.NewID("imp", start))
	rec := Record{
		ID: p.importID, WorkspaceID: actor.WorkspaceID, CampaignID: p.campaign.ID, ListID: opts.ListID,
		ActorID: actor.UserID, FileName: opts.FileName, Header: slices.Clone(src.header), Signature: Signature(src.header),
		Mapping: slices.Clone(p.mapping), Policy: p.opts.DuplicatePolicy, Status: StatusRunning, StartedAt: start,
	}
	if err := im.cfg.Store.SaveImport(ctx, rec); err != nil {
		return Result{}, err
	}
	if err := im.cfg.Store.SaveMapping(ctx, SavedMapping{
		WorkspaceID: actor.WorkspaceID, Signature: rec.Signature, Header: slices.Clone(src.header),
		Mapping: slices.Clone(p.mapping), SavedBy: actor.UserID, SavedAt: start,
	}); err != nil {
		return Result{}, err
	}

	var rejects, dupes *csvsafe.Writer
	if opts.Rejects != nil {
		rejects = csvsafe.NewWriter(opts.Rejects)
		if err := rejects.Write(append(slices.Clone(src.header), "line", "reason", "detail")); err != nil {
			return Result{}, fmt.Errorf("importer: write rejects: %w", err)
		}
	}
	if opts.Duplicates != nil {
		dupes = csvsafe.NewWriter(opts.Duplicates)
		if err := dupes.Write(append(slices.Clone(src.header), "line", "outcome", "reason")); err != nil {
			return Result{}, fmt.Errorf("importer: write duplicates: %w", err)
		}
	}
	w := &writer{im: im, p: p, rec: &rec, rejects: rejects, dupes: dupes, start: start, src: src, delim: string(src.delim)}
	runErr := im.run(ctx, newParser(im, p, src).run, w)
	if rejects != nil {
		if err := rejects.Flush(); err != nil && runErr == nil {
			runErr = fmt.Errorf("importer: write rejects: %w", err)
		}
	}
	if dupes != nil {
		if err := dupes.Flush(); err != nil && runErr == nil {
			runErr = fmt.Errorf("importer: write duplicates: %w", err)
		}
	}

	end := im.now()
	rec.FinishedAt, rec.Duration = end, end.Sub(start)
	switch {
	case runErr == nil:
		rec.Status = StatusCompleted
	case ctx.Err() != nil:
		rec.Status = StatusCancelled
		runErr = fmt.Errorf("%w: %w", ErrCancelled, ctx.Err())
	default:
		rec.Status, rec.Error = StatusFailed, runErr.Error()
	}
	if err := im.cfg.Store.SaveImport(context.WithoutCancel(ctx), rec); err != nil && runErr == nil {
		runErr = err
	}
	im.cfg.Logger.InfoContext(ctx, "import finished", "workspace", actor.WorkspaceID, "import", rec.ID,
		"status", rec.Status, "rows", rec.Counts.Rows, "accepted", rec.Counts.Accepted, "duration", rec.Duration)
	return rec, runErr
}

// run streams the rows: a producing goroutine (the CSV parser) validates
// rows into batches, the calling goroutine writes them.
func (im *Importer) run(ctx context.Context, produce func(ctx context.Context, out chan<- *batch, free <-chan *batch) error, w *writer) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 2)
	free := make(chan *batch, 4)
	for range cap(free) {
		free <- &batch{}
	}
	var parseErr error
	go func() {
		defer close(batches)
		parseErr = produce(pctx, batches, free)
	}()
	var writeErr error
	for b := range batches {
		if writeErr == nil {
			if err := ctx.Err(); err != nil {
				writeErr = err
			} else {
				writeErr = w.write(ctx, b)
			}
			if writeErr != nil {
				cancel()
			}
		}
		if !b.recorded {
			// The import has stopped: the batch's rows were read, so
			// they are counted, as stopped where they were not decided.
			w.stop(b)
			if err := w.record(ctx, b); err != nil && writeErr == nil {
				writeErr = err
			}
		}
		free <- b
	}
	// batches is closed: the parser has returned and parseErr is set.
	if writeErr != nil {
		return writeErr
	}
	if parseErr != nil && !(errors.Is(parseErr, context.Canceled) && ctx.Err() == nil) {
		return parseErr
	}
	return ctx.Err()
}
