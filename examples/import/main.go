// Command import loads a contact CSV into a CallStack store and prints what
// happened to its rows as one JSON object:
//
//	go run ./examples/import -csv contacts.csv [-region US] [-store memory|sqlite:PATH|postgres:DSN]
//	    [-rejects OUT.csv] [-dupes reject|skip|merge] [-overwrite] [-dupes-out DUPES.csv]
//	    [-map "Header=field"]... [-encoding auto|utf-8|utf-16|windows-1252] [-max-bytes N]
//
// The store (memory by default) is migrated, and a workspace and a campaign
// named "default" are created when missing, so a second run into the same
// SQLite file sees the first run's contacts as duplicates. -map names the
// field of a column by its header (repeatable; fields: phone, alt_phone,
// first_name, last_name, full_name, company, email, source, tags, notes,
// state, extension, consent, consent_date, consent_source, consent_scope,
// consent_revoked, ignore, custom:KEY). A progress bar goes to stderr when
// stderr is a terminal. The exit status is 0 when the file was processed
// (rejected rows included) and 2, with a one-line error on stderr, when it
// could not be (not found, not CSV, no phone column: the error lists the
// headers seen) or stopped part-way (over -max-bytes, interrupted, a store
// error): then the JSON of the rows it accounted for is printed first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/sqlite"
)

// output is the JSON object printed on stdout.
type output struct {
	Rows       int            `json:"rows"`
	Accepted   int            `json:"accepted"`
	Merged     int            `json:"merged"`
	Skipped    int            `json:"skipped"`
	Rejected   int            `json:"rejected"`
	Reasons    map[string]int `json:"reasons"`
	Warnings   map[string]int `json:"warnings"`
	DurationMS int64          `json:"duration_ms"`
	// Status is "completed", or "failed" or "cancelled" for an import
	// that stopped part-way.
	Status string `json:"status"`
}

// mapFlag collects repeated -map "Header=field" flags.
type mapFlag map[string]importer.Field

func (m mapFlag) String() string { return fmt.Sprint(map[string]importer.Field(m)) }

func (m mapFlag) Set(v string) error {
	h, f, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(h) == "" || strings.TrimSpace(f) == "" {
		return fmt.Errorf("want Header=field, got %q", v)
	}
	m[strings.TrimSpace(h)] = importer.Field(strings.TrimSpace(f))
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "import:", strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	csvPath := fs.String("csv", "", "the CSV file to import (required)")
	region := fs.String("region", "", "region of numbers written without a country code (default: the campaign's, US)")
	storeSpec := fs.String("store", "memory", "memory, sqlite:PATH or postgres:DSN")
	rejectsPath := fs.String("rejects", "", "write the rejected rows, with line, reason and detail, to this CSV file")
	dupes := fs.String("dupes", "skip", "duplicate policy: reject, skip or merge")
	overwrite := fs.Bool("overwrite", false, "with -dupes merge, replace the existing contact's fields (default: fill only empty ones)")
	dupesOut := fs.String("dupes-out", "", "write the skipped and merged rows, with line, outcome and reason, to this CSV file")
	encoding := fs.String("encoding", "auto", "the file's encoding: auto, utf-8, utf-16 or windows-1252")
	maxBytes := fs.Int64("max-bytes", 512<<20, "the largest file accepted, in bytes")
	columns := mapFlag{}
	fs.Var(columns, "map", `the field of a column, as "Header=field" (repeatable)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *maxBytes <= 0 {
		return fmt.Errorf("-max-bytes must be positive, got %d", *maxBytes)
	}
	if *csvPath == "" {
		return errors.New("-csv is required")
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		return err
	}
	defer f.Close()

	st, err := openStore(ctx, *storeSpec)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	cs, err := callstack.New(st, callstack.Config{ImportMaxBytes: *maxBytes})
	if err != nil {
		return err
	}
	defer cs.Close()
	actor, cmpID, err := defaults(ctx, st, cs.Campaigns(), *region)
	if err != nil {
		return err
	}
	im := cs.Imports()
	opts := importer.Options{FileName: *csvPath, CampaignID: cmpID, DuplicatePolicy: importer.DuplicatePolicy(*dupes), Region: *region,
		Encoding: importer.Encoding(*encoding), Columns: columns, MergeOverwrite: *overwrite}
	for _, out := range []struct {
		path string
		to   *io.Writer
	}{{*rejectsPath, &opts.Rejects}, {*dupesOut, &opts.Duplicates}} {
		if out.path == "" {
			continue
		}
		f, err := os.Create(out.path)
		if err != nil {
			return err
		}
		defer f.Close()
		*out.to = f
	}
	if isTerminal(os.Stderr) {
		size := int64(0)
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		opts.Progress = func(p importer.Progress) { drawProgress(stderr, p, size) }
	}
	res, err := im.Import(ctx, actor, f, opts)
	if opts.Progress != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil && res.ID == "" {
		return err // nothing was processed
	}
	c := res.Counts
	out := output{Rows: c.Rows, Accepted: c.Accepted, Merged: c.Merged, Skipped: c.Skipped, Rejected: c.Rejected,
		Reasons: c.Reasons, Warnings: c.Warnings, DurationMS: res.Duration.Milliseconds(), Status: string(res.Status)}
	if out.Reasons == nil {
		out.Reasons = map[string]int{}
	}
	if out.Warnings == nil {
		out.Warnings = map[string]int{}
	}
	if jerr := json.NewEncoder(stdout).Encode(out); jerr != nil {
		return errors.Join(err, jerr)
	}
	return err // printed by main, after the JSON of what was accounted for
}

// openStore opens the store named by spec: "memory", "sqlite:PATH" or
// "postgres:DSN" (split at the first colon).
func openStore(ctx context.Context, spec string) (store.Store, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	var s store.Store
	var err error
	switch kind {
	case "memory":
		s = memory.New()
	case "sqlite":
		if arg == "" {
			return nil, errors.New("-store sqlite:PATH needs a path")
		}
		s, err = sqlite.Open(ctx, arg)
	case "postgres":
		if arg == "" {
			return nil, errors.New("-store postgres:DSN needs a DSN")
		}
		s, err = postgres.Open(ctx, arg)
	default:
		return nil, fmt.Errorf("unknown store %q: use memory, sqlite:PATH or postgres:DSN", spec)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// The example's records: a workspace with a fixed ID, and in it the
// campaign named "default".
const (
	wsID    = campaign.WorkspaceID("ws_import_example")
	cmpName = "default"
	admin   = campaign.UserID("import-example")
)

// defaults finds, or creates, the example's workspace and its campaign
// named "default".
func defaults(ctx context.Context, st store.Store, svc *campaign.Service, region string) (campaign.Actor, campaign.ID, error) {
	actor := campaign.Actor{WorkspaceID: wsID, UserID: admin}
	_, err := st.GetWorkspace(ctx, wsID)
	if errors.Is(err, campaign.ErrNotFound) {
		_, err = svc.CreateWorkspace(ctx, campaign.Member{UserID: admin, Name: "import example"},
			campaign.Workspace{ID: wsID, Name: "import example", Settings: campaign.WorkspaceSettings{DefaultRegion: strings.ToUpper(region)}})
	}
	if err != nil {
		return actor, "", err
	}
	cs, err := st.ListCampaigns(ctx, wsID)
	if err != nil {
		return actor, "", err
	}
	for _, c := range cs {
		if c.Name == cmpName {
			return actor, c.ID, nil
		}
	}
	c, err := svc.CreateCampaign(ctx, actor, campaign.Campaign{Name: cmpName, DefaultRegion: strings.ToUpper(region)})
	if err != nil {
		return actor, "", err
	}
	return actor, c.ID, nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// drawProgress redraws a one-line bar: share of bytes read, rows, rows/s.
func drawProgress(w io.Writer, p importer.Progress, size int64) {
	const width = 30
	frac := 0.0
	if size > 0 {
		frac = min(float64(p.Bytes)/float64(size), 1)
	}
	n := int(frac * width)
	fmt.Fprintf(w, "\r[%s%s] %3.0f%% %d rows %.0f rows/s %s", strings.Repeat("#", n), strings.Repeat(".", width-n),
		frac*100, p.Rows, p.RowsPerSecond, p.Elapsed.Truncate(time.Second))
}
