package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/report/reporttest"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/store/sqlite"
)

// reportStore is what the report tests need of an adapter.
type reportStore interface {
	reporttest.Store
	RecomputeBuckets(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]report.Bucket, error)
	RecomputeCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) (report.Counts, error)
	AnalyzeReport(ctx context.Context) error
}

func eachReportDialect(t *testing.T, test func(t *testing.T, s reportStore)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "cs.db"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		require.NoError(t, s.Migrate(context.Background()))
		test(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, postgrestest.Open(t))
	})
}

func TestReportRollupsEqualRecomputation(t *testing.T) {
	eachReportDialect(t, func(t *testing.T, s reportStore) {
		ctx := context.Background()
		f, err := reporttest.Build(ctx, s, reporttest.Params{Contacts: 500, Seed: 7})
		require.NoError(t, err)
		for _, id := range []campaign.ID{f.Campaign.ID, f.Other.ID} {
			rolled, err := s.AttemptBuckets(ctx, f.Workspace, id, time.Time{}, time.Time{})
			require.NoError(t, err)
			full, err := s.RecomputeBuckets(ctx, f.Workspace, id)
			require.NoError(t, err)
			require.NotEmpty(t, full)
			assert.Equal(t, full, rolled)
			sum, err := s.AttemptCounts(ctx, f.Workspace, id, time.Time{}, time.Time{})
			require.NoError(t, err)
			direct, err := s.RecomputeCounts(ctx, f.Workspace, id, time.Time{}, time.Time{})
			require.NoError(t, err)
			assert.Equal(t, direct, sum)
		}
		// The report itself agrees with the memory store's for the same data.
		svc, err := report.NewService(report.Config{Store: s, Clock: func() time.Time { return f.End }})
		require.NoError(t, err)
		r, err := svc.Campaign(ctx, f.Workspace, f.Campaign.ID)
		require.NoError(t, err)
		var n int64
		for _, a := range f.Attempts {
			if a.CampaignID == f.Campaign.ID {
				n++
			}
		}
		assert.Equal(t, n, r.Activity.CallsMade.Numerator)
	})
}

// TestReportRollupsMultiRowInsert appends, in one statement, several
// attempts per contact whose answers repeat a value, and proves the
// rollups (kept once per statement on Postgres, once per row on SQLite)
// still equal the recomputation: buckets, counts, goals and answers.
func TestReportRollupsMultiRowInsert(t *testing.T) {
	eachReportDialect(t, func(t *testing.T, s reportStore) {
		ctx := context.Background()
		f, err := reporttest.Build(ctx, s, reporttest.Params{Contacts: 40, Seed: 11})
		require.NoError(t, err)
		var extra []campaign.Attempt
		seq := map[campaign.ContactID]int{}
		for _, a := range f.Attempts {
			seq[a.ContactID] = max(seq[a.ContactID], a.Seq)
		}
		for i := range 60 {
			c := f.Contacts[i%5]
			seq[c.ID]++
			a := campaign.Attempt{ID: campaign.AttemptID(fmt.Sprintf("extra-%03d", i)), WorkspaceID: f.Workspace, CampaignID: c.CampaignID,
				ContactID: c.ID, Number: c.Phone, CallerID: "+12125550001", Seq: seq[c.ID], Result: campaign.ResultHuman, AnsweredBy: "human",
				StartedAt: f.End.Add(-time.Duration(i) * time.Minute), TalkDuration: time.Minute, Cost: 100, Currency: "USD"}
			a.Outcome.MeetingBooked = i%3 == 0
			a.Outcome.Revenue = campaign.Money(i)
			a.Outcome.Goals = map[campaign.GoalID]string{"g-extra": "partial"}
			a.Outcome.Answers = map[campaign.AnalysisID][]string{"q-extra": {"yes", "yes", "no"}}
			extra = append(extra, a)
		}
		require.NoError(t, s.SeedAttempts(ctx, extra))
		all := append(append([]campaign.Attempt(nil), f.Attempts...), extra...)
		for _, id := range []campaign.ID{f.Campaign.ID, f.Other.ID} {
			var mine []campaign.Attempt
			for _, a := range all {
				if a.CampaignID == id {
					mine = append(mine, a)
				}
			}
			rolled, err := s.AttemptBuckets(ctx, f.Workspace, id, time.Time{}, time.Time{})
			require.NoError(t, err)
			full, err := s.RecomputeBuckets(ctx, f.Workspace, id)
			require.NoError(t, err)
			assert.Equal(t, full, rolled)
			sum, err := s.AttemptCounts(ctx, f.Workspace, id, time.Time{}, time.Time{})
			require.NoError(t, err)
			assert.Equal(t, reporttest.RefCounts(mine, time.Time{}, time.Time{}), sum)
			g, err := s.GoalCounts(ctx, f.Workspace, id)
			require.NoError(t, err)
			assert.Equal(t, reporttest.RefGoals(mine), g)
			ans, err := s.AnswerCounts(ctx, f.Workspace, id)
			require.NoError(t, err)
			assert.Equal(t, reporttest.RefAnswers(mine), ans)
		}
		f.Attempts = all
		got, err := s.ContactCounts(ctx, f.Workspace, f.Campaign.ID, f.End)
		require.NoError(t, err)
		assert.Equal(t, reporttest.RefContacts(f, f.End), got)
	})
}
