// Command importbench measures the importer on a generated file: rows per
// second and peak memory (VmHWM) of a full import into one store, against
// the floor measured in the same run: reading the same CSV and inserting
// the same rows, unvalidated, through the same store's InsertContacts in
// batches of the same size (same schema and indexes). It also reports how
// long each batch's insert held the store (for SQLite: the write lock).
//
//	go run ./internal/importgen/cmd/importbench -store memory|sqlite:PATH|postgres:DSN [-rows 1000000] [-seed 1] [-batch 1000]
//
// Each store is best measured in its own process, as peak memory is per
// process.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/internal/importgen"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/store/sqlite"
	"github.com/callstackhq/callstack/suppression"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

func run() error {
	storeSpec := flag.String("store", "memory", "memory, sqlite:PATH or postgres:DSN")
	rows := flag.Int("rows", 1_000_000, "rows to generate")
	seed := flag.Uint64("seed", 1, "generator seed")
	batch := flag.Int("batch", 1000, "batch size")
	dir := flag.String("dir", os.TempDir(), "where the generated files go")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the import")
	skipFloor := flag.Bool("nofloor", false, "skip the floor")
	flag.Parse()
	ctx := context.Background()

	csvPath := filepath.Join(*dir, fmt.Sprintf("importbench-%d-%d.csv", *rows, *seed))
	suppPath := csvPath + ".suppressed.txt"
	if _, err := os.Stat(suppPath); err != nil {
		f, err := os.Create(csvPath)
		if err != nil {
			return err
		}
		sf, err := os.Create(suppPath)
		if err != nil {
			return err
		}
		st, err := importgen.Generate(f, importgen.Config{Rows: *rows, Seed: *seed, Suppressions: sf})
		if err != nil {
			return err
		}
		if err := errors.Join(f.Close(), sf.Close()); err != nil {
			return err
		}
		fmt.Printf("generated %s: %d rows, %.1f MiB (valid %d, malformed %d, duplicates %d, suppressed %d, bad emails %d)\n",
			csvPath, st.Rows, float64(st.Bytes)/(1<<20), st.Valid, st.Malformed, st.Duplicates, st.Suppressed, st.BadEmails)
	}

	// The floor, in its own store.
	if !*skipFloor {
		fs, cleanup, err := openStore(ctx, *storeSpec, "floor")
		if err != nil {
			return err
		}
		env, err := setup(ctx, fs, "")
		if err != nil {
			return err
		}
		resetPeak()
		t0 := time.Now()
		n, lock, err := floor(ctx, fs, env, csvPath, *batch)
		if err != nil {
			return err
		}
		el := time.Since(t0)
		fmt.Printf("floor   %-8s rows=%d elapsed=%s rows/s=%.0f peak=%s insert-hold %s\n", kind(*storeSpec), n, el.Round(time.Millisecond),
			float64(n)/el.Seconds(), peak(), lock)
		cleanup()
		runtime.GC()
	}

	fs, cleanup, err := openStore(ctx, *storeSpec, "import")
	if err != nil {
		return err
	}
	defer cleanup()
	env, err := setup(ctx, fs, suppPath)
	if err != nil {
		return err
	}
	timed := &timedContacts{Store: fs}
	im, err := importer.New(importer.Config{Campaigns: env.svc, Store: fs, Contacts: timed, Suppression: env.supp, BatchSize: *batch})
	if err != nil {
		return err
	}
	f, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	runtime.GC()
	resetPeak()
	t0 := time.Now()
	res, err := im.Import(ctx, env.actor, f, importer.Options{FileName: csvPath, CampaignID: env.campaign, DuplicatePolicy: importer.DuplicateSkip})
	if err != nil {
		return err
	}
	el := time.Since(t0)
	c := res.Counts
	fmt.Printf("import  %-8s rows=%d elapsed=%s rows/s=%.0f peak=%s insert-hold %s\n", kind(*storeSpec), c.Rows, el.Round(time.Millisecond),
		float64(c.Rows)/el.Seconds(), peak(), timed.summary())
	fmt.Printf("        accepted=%d skipped=%d rejected=%d reasons=%v warnings=%v consistent=%v\n", c.Accepted, c.Skipped, c.Rejected, c.Reasons, c.Warnings, c.Consistent())
	return nil
}

func kind(spec string) string { k, _, _ := strings.Cut(spec, ":"); return k }

// openStore opens a fresh store for one phase; a SQLite path gets the
// phase's suffix, a Postgres DSN a fresh schema... (the caller passes a
// DSN of an empty database or schema per phase through search_path).
func openStore(ctx context.Context, spec, phase string) (store.Store, func(), error) {
	k, arg, _ := strings.Cut(spec, ":")
	var s store.Store
	var err error
	switch k {
	case "memory":
		s = memory.New()
	case "sqlite":
		path := arg + "." + phase
		for _, suf := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(path + suf)
		}
		s, err = sqlite.Open(ctx, path)
	case "postgres":
		s, err = openPostgres(ctx, arg, phase)
	default:
		return nil, nil, fmt.Errorf("unknown store %q", spec)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	return s, func() { _ = s.Close() }, nil
}

type env struct {
	svc      *campaign.Service
	supp     *suppression.Service
	actor    campaign.Actor
	campaign campaign.ID
}

// setup creates a workspace and a campaign, and loads the suppression file
// into the global list.
func setup(ctx context.Context, fs store.Store, suppPath string) (*env, error) {
	svc, err := campaign.NewService(campaign.Config{Store: fs})
	if err != nil {
		return nil, err
	}
	supp, err := suppression.NewService(suppression.Config{Store: fs, Authorizer: svc})
	if err != nil {
		return nil, err
	}
	w, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "bench"}, campaign.Workspace{Name: "bench"})
	if err != nil {
		return nil, err
	}
	actor := campaign.Actor{WorkspaceID: w.ID, UserID: "bench"}
	c, err := svc.CreateCampaign(ctx, actor, campaign.Campaign{Name: "bench"})
	if err != nil {
		return nil, err
	}
	if suppPath != "" {
		f, err := os.Open(suppPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if _, err := supp.LoadRegistry(ctx, actor, f, suppression.Global(), suppression.Entry{Source: "bench"}); err != nil {
			return nil, err
		}
	}
	return &env{svc: svc, supp: supp, actor: actor, campaign: c.ID}, nil
}

// floor reads the CSV and inserts every row, unvalidated, in batches.
func floor(ctx context.Context, fs store.Store, e *env, path string, batch int) (int, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	if _, err := r.Read(); err != nil {
		return 0, "", err
	}
	timed := &timedContacts{Store: fs}
	now := time.Now().UTC()
	buf := make([]campaign.Contact, 0, batch)
	n := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		a := campaign.AuditEntry{ID: campaign.AuditID(campaign.NewID("aud", now)), WorkspaceID: e.actor.WorkspaceID, ActorID: e.actor.UserID,
			Action: "contact.import", Entity: "contact", At: now}
		err := timed.InsertContacts(ctx, e.actor.WorkspaceID, buf, a)
		buf = buf[:0]
		// IDs are minted from the batch's start time, as the importer
		// does, so each batch's keys sort after the last one's: with one
		// fixed time every ID would land at a random place in the key
		// index and the floor would measure page-cache misses instead.
		now = time.Now().UTC()
		return err
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, "", err
		}
		n++
		buf = append(buf, campaign.Contact{
			ID: campaign.ContactID(campaign.NewID("ct", now)), WorkspaceID: e.actor.WorkspaceID, CampaignID: e.campaign,
			FirstName: rec[0], LastName: rec[1], Phone: rec[2], Email: rec[3], Company: rec[4], Tags: strings.Split(rec[5], ";"),
			Notes: rec[6], Status: campaign.ContactPending, Lane: campaign.LaneNew,
			Consent: campaign.Consent{Kind: campaign.ConsentNone, Scope: campaign.ConsentScopeCampaign},
			Version: 1, CreatedAt: now, UpdatedAt: now,
		})
		if len(buf) == batch {
			if err := flush(); err != nil {
				return 0, "", err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, "", err
	}
	return n, timed.summary(), nil
}

// timedContacts times each InsertContacts call: a SQL batch is one
// transaction, and on SQLite it holds the write lock that long.
type timedContacts struct {
	campaign.Store
	mu    sync.Mutex
	times []time.Duration
}

func (t *timedContacts) InsertContacts(ctx context.Context, ws campaign.WorkspaceID, cs []campaign.Contact, a campaign.AuditEntry) error {
	t0 := time.Now()
	err := t.Store.InsertContacts(ctx, ws, cs, a)
	d := time.Since(t0)
	t.mu.Lock()
	t.times = append(t.times, d)
	t.mu.Unlock()
	return err
}

func (t *timedContacts) summary() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.times) == 0 {
		return "n/a"
	}
	ts := slices.Clone(t.times)
	slices.Sort(ts)
	q := func(p float64) time.Duration { return ts[min(len(ts)-1, int(p*float64(len(ts))))] }
	return fmt.Sprintf("per batch: p50=%s p99=%s max=%s (%d batches)", q(0.5).Round(10*time.Microsecond),
		q(0.99).Round(10*time.Microsecond), ts[len(ts)-1].Round(10*time.Microsecond), len(ts))
}

// resetPeak resets the process's peak resident set (VmHWM) on Linux.
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peak returns VmHWM from /proc/self/status.
func peak() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return fmt.Sprintf("%.0fMiB", float64(kb)/1024)
		}
	}
	return "n/a"
}
