// Command claimbench measures how fast a store leases contacts and prints
// one JSON object:
//
//	go run ./examples/claimbench -store postgres:DSN|sqlite:PATH -contacts 1000000 -claimers 8 -batch 10 -leases 200000 [-burst 0.8] [-rate 5000]
//
// It fills a Running campaign with -contacts ready contacts (1,000 through
// the services, the rest copied in SQL), then runs two loops with the same
// claimers and batch, each stopping after -leases leases (0: drain):
//
//   - the bare loop: UPDATE … WHERE id IN (SELECT … ORDER BY … LIMIT batch
//     FOR UPDATE SKIP LOCKED) on a minimal table of the same depth (bigint
//     id, ordering key, lease columns, one index besides the primary key);
//   - the queue: queue.Service.Claim with every eligibility rule.
//
// With -burst F, a burst first leases and finishes the first F of both
// (the queue's through queue.Service, as a dialer would), so the loops
// measure a queue that has been worked, with its dead index entries.
//
// Keys: leased_per_s, p50_ms and p99_ms (queue claims), bare_leased_per_s,
// double_leases (contacts leased twice, by either loop: must be 0) and lost
// (leased contacts the store does not hold leased at the end, plus
// contacts it no longer counts in any state: must be 0). Postgres runs in
// its own schema (-schema, dropped first); SQLite needs a PATH that does
// not exist yet.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/sqlite"
	"github.com/callstackhq/callstack/store/storetest"
)

// output is the JSON object printed on stdout.
type output struct {
	Store           string  `json:"store"`
	Contacts        int     `json:"contacts"`
	Claimers        int     `json:"claimers"`
	Batch           int     `json:"batch"`
	Burst           float64 `json:"burst"`
	Rate            float64 `json:"rate"`
	Leased          int     `json:"leased"`
	Claims          int     `json:"claims"`
	ElapsedS        float64 `json:"elapsed_s"`
	LeasedPerS      float64 `json:"leased_per_s"`
	P50MS           float64 `json:"p50_ms"`
	P99MS           float64 `json:"p99_ms"`
	BareLeased      int     `json:"bare_leased"`
	BareLeasedPerS  float64 `json:"bare_leased_per_s"`
	BareP99MS       float64 `json:"bare_p99_ms"`
	Ratio           float64 `json:"ratio"`
	DoubleLeases    int     `json:"double_leases"`
	Lost            int     `json:"lost"`
	SetupS          float64 `json:"setup_s"`
	HopperAtEnd     int     `json:"hopper_at_end"`
	TransientRetry  int64   `json:"transient_retries"`
	BurstFinished   int     `json:"burst_finished"`
	BurstLeasedPerS float64 `json:"burst_leased_per_s"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "claimbench:", err)
		os.Exit(2)
	}
}

// config is the parsed command line.
type config struct {
	store    string
	schema   string
	contacts int
	claimers int
	batch    int
	leases   int
	burst    float64
	rate     float64
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("claimbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.store, "store", "", "postgres:DSN or sqlite:PATH (required)")
	fs.StringVar(&c.schema, "schema", "callstack_claimbench", "Postgres schema to run in; dropped and created")
	fs.IntVar(&c.contacts, "contacts", 100_000, "queue depth")
	fs.IntVar(&c.claimers, "claimers", 8, "concurrent claimers")
	fs.IntVar(&c.batch, "batch", 10, "contacts per claim")
	fs.IntVar(&c.leases, "leases", 0, "stop each loop after this many leases (0: drain the queue)")
	fs.Float64Var(&c.burst, "burst", 0, "lease and finish this fraction of the queue before measuring (0–0.95)")
	fs.Float64Var(&c.rate, "rate", 0, "offer this many leases a second to each loop (0: claim as fast as the store answers)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case !strings.HasPrefix(c.store, "postgres:") && !strings.HasPrefix(c.store, "sqlite:"):
		return c, errors.New("-store must be postgres:DSN or sqlite:PATH")
	case c.contacts < 1 || c.claimers < 1 || c.batch < 1 || c.leases < 0:
		return c, errors.New("-contacts, -claimers and -batch must be positive, -leases not negative")
	case c.burst < 0 || c.burst > 0.95:
		return c, errors.New("-burst must be between 0 and 0.95")
	case c.rate < 0:
		return c, errors.New("-rate must not be negative")
	}
	return c, nil
}

// bench is an opened store with the dialect-specific SQL of the run.
type bench struct {
	s     store.Store
	db    *sqlx.DB // a second handle on the same database, for SQL
	name  string
	clone storetest.CloneFunc
	// bareSetup creates and fills the bare table; bareClaim leases a batch.
	bareSetup func(ctx context.Context, n int) error
	bareClaim func(ctx context.Context, batch int, token string) ([]string, error)
	retries   func() int64
	close     func()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var b *bench
	if dsn, ok := strings.CutPrefix(cfg.store, "postgres:"); ok {
		b, err = openPostgres(ctx, dsn, cfg.schema, cfg.claimers)
	} else {
		b, err = openSQLite(ctx, strings.TrimPrefix(cfg.store, "sqlite:"))
	}
	if err != nil {
		return err
	}
	defer b.close()
	out := output{Store: b.name, Contacts: cfg.contacts, Claimers: cfg.claimers, Batch: cfg.batch, Burst: cfg.burst, Rate: cfg.rate}
	began := time.Now()
	cb, err := storetest.SetUpClaimBench(ctx, b.s, cfg.contacts, b.clone)
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	if err := b.bareSetup(ctx, cfg.contacts); err != nil {
		return fmt.Errorf("set up bare table: %w", err)
	}
	out.SetupS = time.Since(began).Seconds()
	q := cb.Queue()

	if cfg.burst > 0 {
		burst := int(cfg.burst * float64(cfg.contacts))
		if _, err := storetest.ClaimLoop(ctx, "bare burst", cfg.claimers, 100, burst, func(ctx context.Context) ([]string, error) {
			return b.bareClaim(ctx, 100, "done") // leased for good: they never return to the index
		}); err != nil {
			return fmt.Errorf("bare burst: %w", err)
		}
		t0 := time.Now()
		n, err := burstQueue(ctx, q, cb, cfg.claimers, burst)
		if err != nil {
			return fmt.Errorf("burst: %w", err)
		}
		out.BurstFinished, out.BurstLeasedPerS = n, float64(n)/time.Since(t0).Seconds()
	}

	bare, err := storetest.PacedClaimLoop(ctx, "bare", cfg.claimers, cfg.batch, cfg.leases, cfg.rate, func(ctx context.Context) ([]string, error) {
		return b.bareClaim(ctx, cfg.batch, "bench")
	})
	if err != nil {
		return fmt.Errorf("bare loop: %w", err)
	}
	var (
		mu   sync.Mutex
		held []queue.Lease
	)
	res, err := storetest.PacedClaimLoop(ctx, "queue", cfg.claimers, cfg.batch, cfg.leases, cfg.rate, func(ctx context.Context) ([]string, error) {
		ls, err := q.Claim(ctx, cb.Workspace, cb.Campaign, cfg.batch, time.Hour)
		ids := make([]string, len(ls))
		for i, l := range ls {
			ids[i] = string(l.ContactID)
		}
		mu.Lock()
		held = append(held, ls...)
		mu.Unlock()
		return ids, err
	})
	if err != nil {
		return fmt.Errorf("queue loop: %w", err)
	}
	out.Leased, out.LeasedPerS = res.Leased, res.PerSecond()
	out.Claims, out.ElapsedS = res.Claims, res.Elapsed.Seconds()
	out.P50MS, out.P99MS = ms(res.P50), ms(res.P99)
	out.BareLeased, out.BareLeasedPerS, out.BareP99MS = bare.Leased, bare.PerSecond(), ms(bare.P99)
	if bare.PerSecond() > 0 {
		out.Ratio = res.PerSecond() / bare.PerSecond()
	}
	out.DoubleLeases = res.Double + bare.Double

	st, err := q.Status(ctx, cb.Workspace, cb.Campaign)
	if err != nil {
		return err
	}
	counted := st.Ready + st.Leased + st.Stale + st.NotDue + st.OutsideWindow + st.AttemptsUsedUp
	for _, n := range st.ByStatus {
		counted += n
	}
	out.Lost = abs(len(held)-st.Leased) + abs(cfg.contacts-counted)
	out.HopperAtEnd = st.Hopper
	out.TransientRetry = b.retries()
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// burstQueue leases and finishes (no answer: retry later) n contacts
// through q from claimers goroutines, 100 per claim, the outcomes of a
// claim finished concurrently.
func burstQueue(ctx context.Context, q *queue.Service, cb *storetest.ClaimBench, claimers, n int) (int, error) {
	var mu sync.Mutex
	done := 0
	_, err := storetest.ClaimLoop(ctx, "burst", claimers, 100, n, func(ctx context.Context) ([]string, error) {
		ls, err := q.Claim(ctx, cb.Workspace, cb.Campaign, 100, time.Hour)
		if err != nil {
			return nil, err
		}
		// The calls of one claim end independently, as a dialer's do:
		// their outcomes are finished concurrently, and the queue writes
		// those that arrive together in one transaction (group commit).
		ids := make([]string, len(ls))
		errs := make([]error, len(ls))
		var wg sync.WaitGroup
		for i, l := range ls {
			ids[i] = string(l.ContactID)
			wg.Go(func() {
				errs[i] = q.Finish(ctx, l, queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer, StartedAt: cb.Now()}})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		mu.Lock()
		done += len(ls)
		mu.Unlock()
		return ids, nil
	})
	return done, err
}

// execAll runs each statement, passing n to those that take a parameter.
func execAll(ctx context.Context, db *sqlx.DB, n int, stmts ...string) error {
	for _, q := range stmts {
		var args []any
		if strings.Contains(q, "$1") || strings.Contains(q, "?1") {
			args = []any{n}
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func abs(n int) int { return max(n, -n) }

func openPostgres(ctx context.Context, dsn, schema string, claimers int) (*bench, error) {
	admin, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := postgres.SchemaDSN(dsn, schema); err != nil {
		return nil, err
	}
	if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
		return nil, fmt.Errorf("drop schema %s: %w", schema, err)
	}
	s, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema), postgres.WithMaxConns(claimers+2))
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// The benchmark's contacts are callable at its virtual time (a Monday
	// noon in New York), so the queue must judge by that clock, not the
	// database's.
	s.SetLeaseClock(queue.CallerClock)
	sdsn, _ := postgres.SchemaDSN(dsn, schema)
	db, err := sqlx.Open("postgres", sdsn)
	if err != nil {
		s.Close()
		return nil, err
	}
	db.SetMaxOpenConns(claimers + 2)
	db.SetMaxIdleConns(claimers + 2)
	return &bench{s: s, db: db, name: "postgres",
		clone: func(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, n int) error {
			var cols []string
			if err := db.SelectContext(ctx, &cols, `SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'contacts' ORDER BY ordinal_position`); err != nil {
				return err
			}
			ins, sel := storetest.CloneColumns(cols, map[string]string{
				"id":         `'b' || lpad(g.x::text, 8, '0')`,
				"phone":      `'+1' || (201 + (g.x % $3) % 700)::text || lpad((g.x % 10000000)::text, 7, '0')`,
				"created_at": `t.created_at + g.x`,
			})
			if _, err := db.ExecContext(ctx, `INSERT INTO contacts (`+ins+`) SELECT `+sel+`
FROM generate_series($3::bigint, $4::bigint - 1) AS g(x)
JOIN contacts t ON t.workspace_id = $1 AND t.campaign_id = $2 AND t.id = 'b' || lpad((g.x % $3)::text, 8, '0')`, ws, id, from, n); err != nil {
				return err
			}
			_, err := db.ExecContext(ctx, `VACUUM ANALYZE contacts`)
			return err
		},
		bareSetup: func(ctx context.Context, n int) error {
			return execAll(ctx, db, n,
				`CREATE TABLE bare (id bigint PRIMARY KEY, ord bigint NOT NULL, lease_token text NOT NULL DEFAULT '', lease_expires bigint NOT NULL DEFAULT 0)`,
				`INSERT INTO bare (id, ord) SELECT g, (g * 7919) % $1 FROM generate_series(1, $1::bigint) g`,
				`CREATE INDEX bare_ready ON bare (ord, id) WHERE lease_token = ''`,
				`VACUUM ANALYZE bare`)
		},
		bareClaim: func(ctx context.Context, batch int, token string) ([]string, error) {
			var ids []string
			err := db.SelectContext(ctx, &ids, `UPDATE bare SET lease_token = $2, lease_expires = $3
WHERE id IN (SELECT id FROM bare WHERE lease_token = '' ORDER BY ord, id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id::text`,
				batch, token, time.Now().Add(time.Hour).UnixNano())
			return ids, err
		},
		retries: s.TransientRetries,
		close:   func() { db.Close(); s.Close() },
	}, nil
}

func openSQLite(ctx context.Context, path string) (*bench, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%s exists: claimbench needs a new file", path)
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	db, err := sqlx.Open("sqlite3", "file:"+path+"?"+url.Values{"_busy_timeout": {"10000"}, "_txlock": {"immediate"}}.Encode())
	if err != nil {
		s.Close()
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &bench{s: s, db: db, name: "sqlite",
		clone: func(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, n int) error {
			var cols []string
			if err := db.SelectContext(ctx, &cols, `SELECT name FROM pragma_table_info('contacts') ORDER BY cid`); err != nil {
				return err
			}
			ins, sel := storetest.CloneColumns(cols, map[string]string{
				"id":         `printf('b%08d', g.x)`,
				"phone":      `printf('+1%03d%07d', 201 + (g.x % ?3) % 700, g.x % 10000000)`,
				"created_at": `t.created_at + g.x`,
			})
			if _, err := db.ExecContext(ctx, `WITH RECURSIVE g(x) AS (SELECT ?3 UNION ALL SELECT x + 1 FROM g WHERE x + 1 < ?4)
INSERT INTO contacts (`+ins+`) SELECT `+sel+`
FROM g JOIN contacts t ON t.workspace_id = ?1 AND t.campaign_id = ?2 AND t.id = printf('b%08d', g.x % ?3)`, ws, id, from, n); err != nil {
				return err
			}
			_, err := db.ExecContext(ctx, `ANALYZE`)
			return err
		},
		bareSetup: func(ctx context.Context, n int) error {
			return execAll(ctx, db, n,
				`CREATE TABLE bare (id INTEGER PRIMARY KEY, ord BIGINT NOT NULL, lease_token TEXT NOT NULL DEFAULT '', lease_expires BIGINT NOT NULL DEFAULT 0)`,
				`WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ?1) INSERT INTO bare (id, ord) SELECT x, (x * 7919) % ?1 FROM g`,
				`CREATE INDEX bare_ready ON bare (ord, id) WHERE lease_token = ''`,
				`ANALYZE`)
		},
		bareClaim: func(ctx context.Context, batch int, token string) ([]string, error) {
			var ids []string
			err := db.SelectContext(ctx, &ids, `UPDATE bare SET lease_token = ?2, lease_expires = ?3
WHERE id IN (SELECT id FROM bare WHERE lease_token = '' ORDER BY ord, id LIMIT ?1) RETURNING CAST(id AS TEXT)`,
				batch, token, time.Now().Add(time.Hour).UnixNano())
			return ids, err
		},
		retries: s.TransientRetries,
		close:   func() { db.Close(); s.Close() },
	}, nil
}
