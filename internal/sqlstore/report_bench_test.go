package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/store/sqlite"
)

// EnvBenchReport gates the large report benchmark: set it to the number of
// attempts (e.g. 10000000) to run BenchmarkReportLarge. CI leaves it unset.
const EnvBenchReport = "CALLSTACK_BENCH_REPORT_ATTEMPTS"

// BenchmarkReportLarge loads one campaign with N attempts (10 per
// contact, over 90 days) through the attempt log, rollup trigger included,
// then measures the whole campaign report beside the bare SQL aggregate of
// the same counts straight from the attempt log, in the same run:
//
//	CALLSTACK_BENCH_REPORT_ATTEMPTS=10000000 go test ./internal/sqlstore -run '^$' -bench ReportLarge -benchtime 5x -timeout 2h
func BenchmarkReportLarge(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv(EnvBenchReport))
	if n <= 0 {
		b.Skipf("set %s=10000000 to run the large report benchmark", EnvBenchReport)
	}
	dialects := strings.Split(os.Getenv("CALLSTACK_BENCH_REPORT_DIALECTS"), ",")
	if dialects[0] == "" {
		dialects = []string{"sqlite", "postgres"}
	}
	for _, d := range dialects {
		b.Run(d, func(b *testing.B) {
			var s reportStore
			switch d {
			case "sqlite":
				// Load through a handle with a large page cache, then measure
				// through sqlite.Open's standard configuration.
				path := os.Getenv("CALLSTACK_BENCH_REPORT_DB")
				if path == "" {
					path = filepath.Join(b.TempDir(), "bench.db")
				}
				loaded := fileExists(path)
				if !loaded {
					db, err := sqlx.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_foreign_keys=on&_synchronous=OFF&_cache_size=-1048576&_txlock=immediate")
					if err != nil {
						b.Fatal(err)
					}
					db.SetMaxOpenConns(1)
					ld, err := sqlite.New(db)
					if err != nil {
						b.Fatal(err)
					}
					if err := ld.Migrate(context.Background()); err != nil {
						b.Fatal(err)
					}
					loadReport(b, ld, n)
					db.Close()
				}
				st, err := sqlite.Open(context.Background(), path)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { st.Close() })
				s = st
			case "postgres":
				s = postgrestest.Open(b)
				loadReport(b, s, n)
			default:
				b.Fatalf("unknown dialect %q", d)
			}
			measureReport(b, s, n)
		})
	}
}

var (
	benchStart = time.Date(2026, 1, 5, 13, 0, 0, 0, time.UTC)
	benchWS    = campaign.WorkspaceID("ws-bench")
	benchID    = campaign.ID("cmp-bench")
)

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// loadReport writes the benchmark campaign: n/10 contacts and n attempts
// in time order over 90 days (as a log is appended), every one through the
// attempts insert and its rollup trigger.
func loadReport(b *testing.B, s reportStore, n int) {
	ctx := context.Background()
	start, ws, id := benchStart, benchWS, benchID
	w := campaign.Workspace{ID: ws, Name: string(ws), Settings: campaign.WorkspaceSettings{}.WithDefaults(), CreatedAt: start, UpdatedAt: start}
	if err := s.CreateWorkspace(ctx, w, campaign.Member{WorkspaceID: ws, UserID: "u1", Role: campaign.RoleTeamAdmin, CreatedAt: start},
		audit(ws, "workspace.create", "workspace", string(ws))); err != nil {
		b.Fatal(err)
	}
	c := newCampaign(ws, id)
	c.Timezone = "America/New_York"
	if err := s.CreateCampaign(ctx, c, audit(ws, "campaign.create", "campaign", string(id))); err != nil {
		b.Fatal(err)
	}
	for _, d := range []campaign.Disposition{
		{ID: "d-yes", WorkspaceID: ws, CampaignID: id, Title: "Interested", Contacted: true, Qualified: true, Final: true},
		{ID: "d-no", WorkspaceID: ws, CampaignID: id, Title: "Not interested", Contacted: true, Final: true},
	} {
		if err := s.PutDisposition(ctx, d, audit(ws, "disposition.put", "disposition", string(d.ID))); err != nil {
			b.Fatal(err)
		}
	}
	contacts := max(n/10, 1)
	statuses := []campaign.ContactStatus{campaign.ContactCompleted, campaign.ContactFailed, campaign.ContactRetry,
		campaign.ContactNoConversation, campaign.ContactCallback, campaign.ContactDNC}
	t0 := time.Now()
	batch := make([]campaign.Contact, 0, 5000)
	for i := range contacts {
		batch = append(batch, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("ct%08d", i)), WorkspaceID: ws, CampaignID: id,
			Phone: fmt.Sprintf("+1212%07d", i%10_000_000), Status: statuses[i%len(statuses)], Lane: campaign.LaneNew,
			Consent: campaign.Consent{Kind: campaign.ConsentNone, Scope: campaign.ConsentScopeCampaign}, Version: 1, CreatedAt: start, UpdatedAt: start})
		if len(batch) == cap(batch) || i == contacts-1 {
			if err := s.InsertContacts(ctx, ws, batch, audit(ws, "contact.insert", "contact", "")); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	results := []campaign.Result{campaign.ResultHuman, campaign.ResultHuman, campaign.ResultMachine, campaign.ResultNoAnswer,
		campaign.ResultNoAnswer, campaign.ResultBusy, campaign.ResultFailed, campaign.ResultAbandoned}
	as := make([]campaign.Attempt, 0, 5000)
	for i := range n {
		ct := i % contacts
		r := results[rng.IntN(len(results))]
		at := start.Add(time.Duration(int64(i)*int64(90*24*time.Hour)/int64(n) + rng.Int64N(int64(time.Second))))
		a := campaign.Attempt{ID: campaign.AttemptID(fmt.Sprintf("a%09d", i)), WorkspaceID: ws, CampaignID: id,
			ContactID: campaign.ContactID(fmt.Sprintf("ct%08d", ct)), Number: "+12125550000", CallerID: "+12125550001",
			Seq: i/contacts + 1, Result: r, StartedAt: at, RingDuration: 20 * time.Second, Cost: 9000, Currency: "USD"}
		switch r {
		case campaign.ResultHuman:
			a.AnsweredBy, a.TalkDuration, a.WrapDuration, a.DispositionID = "human", time.Duration(30+rng.IntN(300))*time.Second, 20*time.Second, "d-no"
			if rng.IntN(4) == 0 {
				a.DispositionID, a.Outcome.MeetingBooked, a.Outcome.QualifiedLead = "d-yes", true, true
				a.Outcome.Goals = map[campaign.GoalID]string{"g1": "achieved"}
				a.Outcome.Answers = map[campaign.AnalysisID][]string{"q1": {"yes"}}
				a.Outcome.PlaybookSteps = []string{"intro"}
			}
		case campaign.ResultMachine:
			a.AnsweredBy = "machine"
		case campaign.ResultAbandoned:
			a.AnsweredBy, a.Abandoned = "human", true
		}
		as = append(as, a)
		if len(as) == cap(as) || i == n-1 {
			if err := s.SeedAttempts(ctx, as); err != nil {
				b.Fatal(err)
			}
			as = as[:0]
		}
	}
	if err := s.AnalyzeReport(ctx); err != nil {
		b.Fatal(err)
	}
	load := time.Since(t0)
	b.Logf("loaded %d contacts and %d attempts in %s (%.0f attempts/s, rollups included)", contacts, n, load.Round(time.Second), float64(n)/load.Seconds())
}

// measureReport times the campaign report beside the bare SQL aggregate.
func measureReport(b *testing.B, s reportStore, n int) {
	ctx := context.Background()
	ws, id := benchWS, benchID
	now := benchStart.Add(91 * 24 * time.Hour)
	svc, err := report.NewService(report.Config{Store: s, Clock: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("report", func(b *testing.B) {
		for b.Loop() {
			r, err := svc.Campaign(ctx, ws, id)
			if err != nil {
				b.Fatal(err)
			}
			if r.Activity.CallsMade.Numerator != int64(n) {
				b.Fatalf("calls %d, want %d", r.Activity.CallsMade.Numerator, n)
			}
		}
	})
	b.Run("buckets", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.AttemptBuckets(ctx, ws, id, time.Time{}, time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("contact_counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ContactCounts(ctx, ws, id, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare_sql_aggregate", func(b *testing.B) {
		for b.Loop() {
			c, err := s.RecomputeCounts(ctx, ws, id, time.Time{}, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			if c.Attempts != int64(n) {
				b.Fatalf("attempts %d, want %d", c.Attempts, n)
			}
		}
	})
}
