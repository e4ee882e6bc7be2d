package reporttest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

// NewStore returns a fresh, migrated, empty store for one test.
type NewStore func(t *testing.T) Store

// Run runs the conformance suite: every aggregate of report.Store must
// equal a recomputation from the records written, and no read may return
// another campaign's or workspace's data.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	ctx := context.Background()
	st := newStore(t)
	f, err := Build(ctx, st, Params{Contacts: 300})
	require.NoError(t, err)
	ws, id := f.Workspace, f.Campaign.ID
	var mine []campaign.Attempt
	for _, a := range f.Attempts {
		if a.CampaignID == id {
			mine = append(mine, a)
		}
	}

	t.Run("BucketsEqualRecomputation", func(t *testing.T) {
		got, err := st.AttemptBuckets(ctx, ws, id, time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, RefBuckets(mine, time.Time{}, time.Time{}), got)
		from, to := f.Campaign.CreatedAt.Add(72*time.Hour).Truncate(report.BucketSize), f.End.Add(-48*time.Hour).Truncate(report.BucketSize)
		got, err = st.AttemptBuckets(ctx, ws, id, from, to)
		require.NoError(t, err)
		assert.Equal(t, RefBuckets(mine, from, to), got)
	})
	t.Run("CountsEqualRecomputation", func(t *testing.T) {
		for _, r := range [][2]time.Time{{}, {mine[3].StartedAt, mine[40].StartedAt}, {mine[10].StartedAt.Add(7 * time.Minute), time.Time{}}} {
			got, err := st.AttemptCounts(ctx, ws, id, r[0], r[1])
			require.NoError(t, err)
			assert.Equal(t, RefCounts(mine, r[0], r[1]), got)
		}
	})
	t.Run("GoalsAnswers", func(t *testing.T) {
		g, err := st.GoalCounts(ctx, ws, id)
		require.NoError(t, err)
		assert.Equal(t, RefGoals(mine), g)
		a, err := st.AnswerCounts(ctx, ws, id)
		require.NoError(t, err)
		assert.Equal(t, RefAnswers(mine), a)
	})
	t.Run("Contacts", func(t *testing.T) {
		now := f.End
		got, err := st.ContactCounts(ctx, ws, id, now)
		require.NoError(t, err)
		assert.Equal(t, RefContacts(f, now), got)

		// A status change after the calls (a completed contact reopened)
		// moves it out of the completed counts at once.
		for i, c := range f.Contacts {
			if c.CampaignID != id || c.Status != campaign.ContactCompleted {
				continue
			}
			cur, err := st.GetContact(ctx, ws, c.ID)
			require.NoError(t, err)
			cur.Status = campaign.ContactRetry
			require.NoError(t, st.UpdateContact(ctx, cur, campaign.AuditEntry{ID: "aud-reopen", WorkspaceID: ws, Action: "contact.update", At: now}))
			f.Contacts[i].Status = campaign.ContactRetry
			break
		}
		got, err = st.ContactCounts(ctx, ws, id, now)
		require.NoError(t, err)
		assert.Equal(t, RefContacts(f, now), got)
	})
	t.Run("Blocks", func(t *testing.T) {
		got, err := st.BlockCounts(ctx, ws, id)
		require.NoError(t, err)
		assert.Equal(t, RefBlocks(f.Blocks, id), got)
	})
	t.Run("Agents", func(t *testing.T) {
		now := f.Spans[len(f.Spans)-1].End.Add(-5 * time.Minute)
		got, err := st.AgentStats(ctx, ws, id, now)
		require.NoError(t, err)
		assert.Equal(t, RefAgents(f.Spans, id, now), got)
	})
	t.Run("Scans", func(t *testing.T) {
		var ids []campaign.AttemptID
		var last campaign.Attempt
		require.NoError(t, st.ScanAttempts(ctx, ws, report.AttemptFilter{CampaignID: id}, func(a campaign.Attempt) error {
			ids = append(ids, a.ID)
			if len(ids) > 1 {
				assert.True(t, last.StartedAt.Before(a.StartedAt) || (last.StartedAt.Equal(a.StartedAt) && last.ID < a.ID), "ordered by StartedAt then ID")
			}
			last = a
			return nil
		}))
		assert.Len(t, ids, len(mine))
		for _, a := range mine {
			assert.Contains(t, ids, a.ID)
		}
		var rows int
		var attempts int64
		var prev campaign.ContactID
		require.NoError(t, st.ScanContactRows(ctx, ws, id, func(r report.ContactRow) error {
			rows++
			attempts += r.Attempts
			assert.Equal(t, id, r.Contact.CampaignID)
			assert.Greater(t, r.Contact.ID, prev, "ordered by contact ID")
			prev = r.Contact.ID
			return nil
		}))
		assert.Equal(t, len(f.Contacts)-1, rows)
		assert.Equal(t, int64(len(mine)), attempts)
	})
	t.Run("History", func(t *testing.T) {
		at := f.End
		for i := range 3 {
			require.NoError(t, st.AppendExport(ctx, report.ExportRecord{ID: report.ExportID(string(rune('a' + i))), WorkspaceID: ws, Kind: report.ExportAttempts, At: at.Add(time.Duration(i) * time.Minute)}))
			require.NoError(t, st.AppendDelivery(ctx, report.Delivery{WorkspaceID: ws, ScheduleID: "s", Try: i + 1, At: at, Recipients: []string{"a@example.com"}}))
		}
		ex, err := st.ListExports(ctx, ws, 2)
		require.NoError(t, err)
		require.Len(t, ex, 2)
		assert.Equal(t, report.ExportID("c"), ex[0].ID)
		ds, err := st.ListDeliveries(ctx, ws, 0)
		require.NoError(t, err)
		require.Len(t, ds, 3)
		assert.Equal(t, 3, ds[0].Try)
	})
	t.Run("Isolation", func(t *testing.T) {
		other := campaign.WorkspaceID("ws-nobody")
		b, err := st.AttemptBuckets(ctx, other, id, time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Empty(t, b)
		c, err := st.AttemptCounts(ctx, other, id, time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Zero(t, c.Attempts)
		cc, err := st.ContactCounts(ctx, other, id, f.End)
		require.NoError(t, err)
		assert.Zero(t, cc.Total())
		n := 0
		require.NoError(t, st.ScanAttempts(ctx, other, report.AttemptFilter{}, func(campaign.Attempt) error { n++; return nil }))
		assert.Zero(t, n)
		ex, err := st.ListExports(ctx, other, 0)
		require.NoError(t, err)
		assert.Empty(t, ex)
	})
}

func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// The references below are the suite's own reading of report.Store's
// documentation, written field by field from the attempt log and the span
// log. They deliberately share no code with any store nor with
// report.Counts.Add or report.AgentStatsOf (the Go definitions the memory
// store uses), so a store cannot pass by repeating its own mistake.

// RefBuckets recomputes AttemptBuckets from attempts of one campaign.
func RefBuckets(as []campaign.Attempt, from, to time.Time) []report.Bucket {
	byStart := map[time.Time][]campaign.Attempt{}
	for _, a := range as {
		// The bucket is the 15-minute UTC interval holding StartedAt.
		u := a.StartedAt.UTC()
		b := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute()/15*15, 0, 0, time.UTC)
		if inRange(b, from, to) {
			byStart[b] = append(byStart[b], a)
		}
	}
	var out []report.Bucket
	for b, in := range byStart {
		out = append(out, report.Bucket{Start: b, Counts: RefCounts(in, time.Time{}, time.Time{})})
	}
	slices.SortFunc(out, func(a, b report.Bucket) int { return a.Start.Compare(b.Start) })
	return out
}

// RefCounts recomputes AttemptCounts: each field counts (or sums over)
// the attempts its documentation names.
func RefCounts(as []campaign.Attempt, from, to time.Time) report.Counts {
	var in []campaign.Attempt
	for _, a := range as {
		if inRange(a.StartedAt, from, to) {
			in = append(in, a)
		}
	}
	count := func(p func(campaign.Attempt) bool) int64 {
		var n int64
		for _, a := range in {
			if p(a) {
				n++
			}
		}
		return n
	}
	result := func(r campaign.Result) int64 {
		return count(func(a campaign.Attempt) bool { return a.Result == r })
	}
	known := []campaign.Result{campaign.ResultHuman, campaign.ResultMachine, campaign.ResultNoAnswer, campaign.ResultBusy,
		campaign.ResultFailed, campaign.ResultAbandoned, campaign.ResultCancelled}
	c := report.Counts{
		Attempts:         int64(len(in)),
		FirstAttempts:    count(func(a campaign.Attempt) bool { return a.Seq == 1 }),
		Human:            result(campaign.ResultHuman),
		Machine:          result(campaign.ResultMachine),
		NoAnswer:         result(campaign.ResultNoAnswer),
		Busy:             result(campaign.ResultBusy),
		Failed:           result(campaign.ResultFailed),
		AbandonedResult:  result(campaign.ResultAbandoned),
		Cancelled:        result(campaign.ResultCancelled),
		Unknown:          count(func(a campaign.Attempt) bool { return !slices.Contains(known, a.Result) }),
		AnsweredHuman:    count(func(a campaign.Attempt) bool { return a.AnsweredBy == "human" }),
		AnsweredMachine:  count(func(a campaign.Attempt) bool { return a.AnsweredBy == "machine" }),
		Abandoned:        count(func(a campaign.Attempt) bool { return a.Abandoned || a.Result == campaign.ResultAbandoned }),
		Conversations:    count(func(a campaign.Attempt) bool { return a.TalkDuration > 0 }),
		Costed:           count(func(a campaign.Attempt) bool { return a.Currency != "" || a.Cost != 0 }),
		Dispositioned:    count(func(a campaign.Attempt) bool { return a.DispositionID != "" }),
		Meetings:         count(func(a campaign.Attempt) bool { return a.Outcome.MeetingBooked }),
		MeetingsAccepted: count(func(a campaign.Attempt) bool { return a.Outcome.MeetingAccepted }),
		Qualified:        count(func(a campaign.Attempt) bool { return a.Outcome.QualifiedLead }),
		Opportunities:    count(func(a campaign.Attempt) bool { return a.Outcome.Opportunity }),
		Playbook:         count(func(a campaign.Attempt) bool { return a.TalkDuration > 0 && len(a.Outcome.PlaybookSteps) > 0 }),
	}
	for _, a := range in {
		c.Talk += a.TalkDuration
		c.Wrap += a.WrapDuration
		if a.Currency != "" || a.Cost != 0 {
			c.Cost += a.Cost
		}
		c.Revenue += a.Outcome.Revenue
	}
	return c
}

// RefGoals recomputes GoalCounts, ordered by goal then status.
func RefGoals(as []campaign.Attempt) []report.GoalCount {
	m := map[[2]string]int64{}
	for _, a := range as {
		for g, s := range a.Outcome.Goals {
			m[[2]string{string(g), s}]++
		}
	}
	var out []report.GoalCount
	for k, n := range m {
		out = append(out, report.GoalCount{GoalID: campaign.GoalID(k[0]), Status: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b report.GoalCount) int {
		if a.GoalID != b.GoalID {
			return compare(a.GoalID, b.GoalID)
		}
		return compare(a.Status, b.Status)
	})
	return out
}

// RefAnswers recomputes AnswerCounts, ordered by question then answer.
func RefAnswers(as []campaign.Attempt) []report.AnswerCount {
	m := map[[2]string]int64{}
	for _, a := range as {
		for q, ans := range a.Outcome.Answers {
			for _, v := range ans {
				m[[2]string{string(q), v}]++
			}
		}
	}
	var out []report.AnswerCount
	for k, n := range m {
		out = append(out, report.AnswerCount{AnalysisID: campaign.AnalysisID(k[0]), Answer: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b report.AnswerCount) int {
		if a.AnalysisID != b.AnalysisID {
			return compare(a.AnalysisID, b.AnalysisID)
		}
		return compare(a.Answer, b.Answer)
	})
	return out
}

// RefContacts recomputes ContactCounts of the fixture's main campaign.
func RefContacts(f *Fixture, now time.Time) report.ContactCounts {
	id := f.Campaign.ID
	cc := report.ContactCounts{ByStatus: map[campaign.ContactStatus]int64{}}
	last := map[campaign.ContactID]campaign.Attempt{}
	for _, a := range f.Attempts {
		if p, ok := last[a.ContactID]; a.CampaignID == id && (!ok || a.Seq > p.Seq) {
			last[a.ContactID] = a
		}
	}
	for _, c := range f.Contacts {
		if c.CampaignID != id {
			continue
		}
		cc.ByStatus[c.Status]++
		if (c.Status == campaign.ContactPending || c.Status == campaign.ContactRetry || c.Status == campaign.ContactCallback) && !c.NextAttemptAt.After(now) {
			cc.Due++
		}
		a, ok := last[c.ID]
		if !ok || !report.CompletedStatus(c.Status) {
			continue
		}
		switch {
		case a.DispositionID == DispInterested || a.DispositionID == DispNotInterested:
			cc.Successful++
		case a.AnsweredBy == "machine" || a.Result == campaign.ResultMachine:
			cc.Voicemail++
		}
	}
	return cc
}

// RefBlocks recomputes BlockCounts, ordered by scope then reason.
func RefBlocks(bs []campaign.Block, id campaign.ID) []report.BlockCount {
	m := map[[2]string]*report.BlockCount{}
	seen := map[[3]string]bool{}
	for _, b := range bs {
		if b.CampaignID != id {
			continue
		}
		k := [2]string{string(b.Scope), b.Reason}
		if m[k] == nil {
			m[k] = &report.BlockCount{Scope: b.Scope, Reason: b.Reason}
		}
		m[k].Blocks++
		if ck := [3]string{k[0], k[1], string(b.ContactID)}; b.ContactID != "" && !seen[ck] {
			seen[ck] = true
			m[k].Contacts++
		}
	}
	var out []report.BlockCount
	for _, b := range m {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b report.BlockCount) int {
		if a.Scope != b.Scope {
			return compare(a.Scope, b.Scope)
		}
		return compare(a.Reason, b.Reason)
	})
	return out
}

// RefAgents recomputes AgentStats. Where report.AgentStatsOf walks each
// span's buckets, this asks of each 15-minute bucket of the spans' extent
// whether a span not paused overlaps it.
func RefAgents(spans []campaign.AgentSpan, id campaign.ID, now time.Time) report.AgentStats {
	st := report.AgentStats{Time: map[campaign.AgentState]time.Duration{}}
	var working []campaign.AgentSpan
	var agents, active []campaign.UserID
	for _, sp := range spans {
		if sp.CampaignID != id {
			continue
		}
		st.Time[sp.State] += sp.End.Sub(sp.Start)
		if !slices.Contains(agents, sp.AgentID) {
			agents = append(agents, sp.AgentID)
		}
		if sp.State == campaign.AgentPaused {
			continue
		}
		working = append(working, sp)
		// Overlaps [now-15m, now]: starts by now, ends after its start.
		if !sp.Start.After(now) && sp.End.After(now.Add(-15*time.Minute)) && !slices.Contains(active, sp.AgentID) {
			active = append(active, sp.AgentID)
		}
	}
	st.Agents, st.ActiveNow = int64(len(agents)), int64(len(active))
	if len(working) == 0 {
		return st
	}
	first, last := working[0].Start, working[0].End
	for _, sp := range working {
		first, last = minTime(first, sp.Start), maxTime(last, sp.End)
	}
	u := first.UTC()
	for b := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), 0, 0, 0, time.UTC); b.Before(last); b = b.Add(15 * time.Minute) {
		for _, sp := range working {
			if sp.Start.Before(b.Add(15*time.Minute)) && sp.End.After(b) {
				st.ActiveBuckets = append(st.ActiveBuckets, b)
				break
			}
		}
	}
	return st
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func compare[T ~string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
