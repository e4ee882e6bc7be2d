package report_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/report/reporttest"
	"github.com/callstackhq/callstack/store/memory"
)

// small is a hand-built campaign whose numbers the tests check by hand.
type small struct {
	st  *memory.Store
	svc *campaign.Service
	ws  campaign.WorkspaceID
	act campaign.Actor
	c   campaign.Campaign
	n   int
}

func newSmall(t *testing.T, zone string, start time.Time, set campaign.Settings) *small {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	svc, err := campaign.NewService(campaign.Config{Store: st, Clock: func() time.Time { return start }})
	require.NoError(t, err)
	w, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "u"}, campaign.Workspace{ID: "ws", Name: "W"})
	require.NoError(t, err)
	act := campaign.Actor{WorkspaceID: w.ID, UserID: "u"}
	c, err := svc.CreateCampaign(ctx, act, campaign.Campaign{ID: "c1", Name: "C", Timezone: zone, Settings: set})
	require.NoError(t, err)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		c, err = svc.Transition(ctx, act, c.ID, to, "")
		require.NoError(t, err)
	}
	_, err = svc.PutDisposition(ctx, act, campaign.Disposition{ID: "ok", CampaignID: c.ID, Title: "OK", Contacted: true, Final: true})
	require.NoError(t, err)
	return &small{st: st, svc: svc, ws: w.ID, act: act, c: c}
}

// call adds a contact in status st with one attempt of result r at t.
func (s *small) call(t *testing.T, st campaign.ContactStatus, r campaign.Result, at time.Time, mod func(*campaign.Attempt)) {
	t.Helper()
	s.n++
	id := campaign.ContactID(fmt.Sprintf("ct%04d", s.n))
	_, err := s.svc.AddContacts(context.Background(), s.act, []campaign.Contact{{ID: id, CampaignID: s.c.ID, Phone: fmt.Sprintf("+1212555%04d", s.n), Status: st}})
	require.NoError(t, err)
	a := campaign.Attempt{ID: campaign.AttemptID(fmt.Sprintf("a%04d", s.n)), WorkspaceID: s.ws, CampaignID: s.c.ID, ContactID: id, Seq: 1, Result: r, StartedAt: at}
	switch r {
	case campaign.ResultHuman, campaign.ResultAbandoned:
		a.AnsweredBy = "human"
	case campaign.ResultMachine:
		a.AnsweredBy = "machine"
	}
	if mod != nil {
		mod(&a)
	}
	require.NoError(t, s.st.SeedAttempts(context.Background(), []campaign.Attempt{a}))
}

func (s *small) report(t *testing.T, now time.Time, cfg report.Config) *report.CampaignReport {
	t.Helper()
	cfg.Store, cfg.Clock = s.st, func() time.Time { return now }
	svc, err := report.NewService(cfg)
	require.NoError(t, err)
	r, err := svc.Campaign(context.Background(), s.ws, s.c.ID)
	require.NoError(t, err)
	return r
}

func TestFormulas(t *testing.T) {
	start := time.Date(2026, 5, 4, 14, 0, 0, 0, time.UTC)
	s := newSmall(t, "America/Chicago", start, campaign.Settings{})
	ok := func(a *campaign.Attempt) { a.DispositionID, a.TalkDuration = "ok", time.Minute }
	for i := range 6 {
		s.call(t, campaign.ContactCompleted, campaign.ResultHuman, start.Add(time.Duration(i)*time.Minute), ok) // successful
	}
	for i := range 2 {
		s.call(t, campaign.ContactFailed, campaign.ResultMachine, start.Add(time.Duration(i)*time.Minute), nil) // voicemail
	}
	s.call(t, campaign.ContactFailed, campaign.ResultNoAnswer, start, nil)
	s.call(t, campaign.ContactRetry, campaign.ResultBusy, start, nil)
	_, err := s.svc.AddContacts(context.Background(), s.act, []campaign.Contact{{ID: "fresh", CampaignID: s.c.ID, Phone: "+12125559000"}})
	require.NoError(t, err)

	r := s.report(t, start.Add(time.Hour), report.Config{MinSample: 5})
	res := r.Results
	assert.Equal(t, int64(11), res.Contacts.Numerator)
	assert.Equal(t, int64(9), res.Completed.Numerator)
	assert.InDelta(t, 9.0/11, res.CompletionRate.Value, 1e-9)
	assert.InDelta(t, 6.0/9, res.SuccessRate.Value, 1e-9)
	assert.InDelta(t, 8.0/9, res.AnswerRate.Value, 1e-9)
	assert.False(t, res.SuccessRate.Incomplete)

	a := r.Activity
	assert.Equal(t, int64(10), a.CallsMade.Numerator)
	assert.InDelta(t, 0.6, a.ConnectRate.Value, 1e-9)
	assert.InDelta(t, 0.2, a.MachineRate.Value, 1e-9)
	assert.Equal(t, int64(6), a.Conversations.Numerator)
	assert.InDelta(t, 60, a.AvgTalkTime.Value, 1e-9)
	assert.InDelta(t, 10.0/11, r.ListCost.ListPenetration.Value, 1e-9)

	// No cost data and no labour rate: flagged, never shown as zero cost.
	assert.True(t, r.ListCost.PhoneCost.Incomplete)
	assert.Equal(t, "no cost data", r.ListCost.PhoneCost.Reason)
	assert.True(t, r.ListCost.LabourCost.Incomplete)
	assert.True(t, r.ListCost.CostPerMeeting.Incomplete)
	// No meetings, no goals, no agents: every rate on them is incomplete.
	assert.True(t, r.Results.MeetingAcceptance.Incomplete)
	assert.Equal(t, "n/a (no data)", r.Results.MeetingAcceptance.String())
	assert.True(t, r.Results.Primary.Rate.Incomplete)
	assert.True(t, r.Team.Utilisation.Incomplete)
	assert.True(t, r.Team.QueuePressure.Incomplete)

	// The default threshold (30) flags every rate of this small sample.
	r = s.report(t, start.Add(time.Hour), report.Config{})
	assert.True(t, r.Results.SuccessRate.Incomplete)
	assert.Contains(t, r.Results.SuccessRate.Reason, "sample below threshold")
	assert.InDelta(t, 6.0/9, r.Results.SuccessRate.Value, 1e-9, "the value is kept beside the flag")
	assert.Contains(t, r.Results.SuccessRate.String(), "[incomplete")
}

// TestMeetingAcceptanceNotRecorded: booked meetings none of which
// recorded an acceptance show 0% flagged, saying why, not as a finding
// (the quickstart printed "0.0% (0/47)" beside 47 meetings); once one is
// recorded the rate stands.
func TestMeetingAcceptanceNotRecorded(t *testing.T) {
	start := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	s := newSmall(t, "America/New_York", start, campaign.Settings{})
	book := func(accepted bool) func(*campaign.Attempt) {
		return func(a *campaign.Attempt) {
			a.DispositionID, a.Outcome.MeetingBooked, a.Outcome.MeetingAccepted = "ok", true, accepted
		}
	}
	for i := range 4 {
		s.call(t, campaign.ContactCompleted, campaign.ResultHuman, start.Add(time.Duration(i)*time.Minute), book(false))
	}
	cfg := report.Config{MinSample: 1}
	m := s.report(t, start.Add(time.Hour), cfg).Results.MeetingAcceptance
	assert.Equal(t, int64(4), m.Denominator)
	assert.True(t, m.Incomplete)
	assert.Equal(t, report.ReasonNoAcceptance, m.Reason)
	assert.Equal(t, "0.0% (0/4) [incomplete: no meeting acceptance recorded]", m.String())

	s.call(t, campaign.ContactCompleted, campaign.ResultHuman, start.Add(10*time.Minute), book(true))
	m = s.report(t, start.Add(time.Hour), cfg).Results.MeetingAcceptance
	assert.False(t, m.Incomplete, m.Reason)
	assert.Equal(t, "20.0% (1/5)", m.String())
}

func TestEmptyCampaignShowsNoRates(t *testing.T) {
	start := time.Date(2026, 5, 4, 14, 0, 0, 0, time.UTC)
	s := newSmall(t, "Europe/London", start, campaign.Settings{})
	r := s.report(t, start, report.Config{})
	for name, m := range map[string]report.Metric{
		"connect": r.Activity.ConnectRate, "human": r.Activity.HumanRate, "abandon": r.Activity.Abandon.Rate,
		"completion": r.Results.CompletionRate, "success": r.Results.SuccessRate, "answer": r.Results.AnswerRate,
		"penetration": r.ListCost.ListPenetration, "playbook": r.Team.PlaybookAdoption, "phone": r.ListCost.PhoneCost,
	} {
		assert.True(t, m.Incomplete, name)
		assert.NotEmpty(t, m.Reason, name)
		assert.Zero(t, m.Value, name)
	}
	assert.False(t, r.Activity.CallsMade.Incomplete, "a count of nothing is a true zero")
	for _, row := range r.Heatmap.Cells {
		for _, c := range row {
			assert.True(t, c.Incomplete)
		}
	}
}

func TestAbandonWindowSuccessive(t *testing.T) {
	start := time.Date(2026, 1, 1, 15, 7, 0, 0, time.UTC)
	s := newSmall(t, "America/New_York", start, campaign.Settings{})
	// Period 1 (days 0–29): 10 abandoned of 40 live. Period 2 (from day 30):
	// 1 abandoned of 40 live.
	for i := range 40 {
		r := campaign.ResultHuman
		if i < 10 {
			r = campaign.ResultAbandoned
		}
		s.call(t, campaign.ContactCompleted, r, start.Add(time.Duration(i)*time.Hour), func(a *campaign.Attempt) { a.Abandoned = a.Result == campaign.ResultAbandoned })
	}
	p2 := start.Add(30 * 24 * time.Hour)
	for i := range 40 {
		r := campaign.ResultHuman
		if i == 0 {
			r = campaign.ResultAbandoned
		}
		// The first one lands 3 minutes into period 2, inside a partial bucket.
		s.call(t, campaign.ContactCompleted, r, p2.Add(3*time.Minute+time.Duration(i)*time.Hour), nil)
	}
	r := s.report(t, p2.Add(5*24*time.Hour), report.Config{})
	ab := r.Activity.Abandon
	assert.Equal(t, p2, ab.From)
	assert.Equal(t, int64(1), ab.Rate.Numerator)
	assert.Equal(t, int64(40), ab.Rate.Denominator)
	assert.False(t, ab.OverCap)

	// At the end of period 1 the window is period 1: 25% is over the 3% cap.
	r = s.report(t, p2.Add(-time.Minute), report.Config{})
	assert.Equal(t, int64(10), r.Activity.Abandon.Rate.Numerator)
	assert.True(t, r.Activity.Abandon.OverCap)
}

func TestAbandonWindowRolling(t *testing.T) {
	start := time.Date(2026, 1, 1, 15, 0, 0, 0, time.UTC)
	s := newSmall(t, "Europe/London", start, campaign.Settings{AbandonPeriod: campaign.AbandonRolling, AbandonWindow: 24 * time.Hour})
	for i := range 48 {
		r := campaign.ResultHuman
		if i%2 == 0 && i < 24 {
			r = campaign.ResultAbandoned
		}
		s.call(t, campaign.ContactCompleted, r, start.Add(time.Duration(i)*time.Hour+time.Minute), nil)
	}
	r := s.report(t, start.Add(48*time.Hour), report.Config{MinSample: 1})
	assert.Equal(t, start.Add(24*time.Hour), r.Activity.Abandon.From)
	assert.Equal(t, int64(0), r.Activity.Abandon.Rate.Numerator)
	assert.Equal(t, int64(24), r.Activity.Abandon.Rate.Denominator)
}

func TestHeatmapDSTAndOddOffsets(t *testing.T) {
	// New York, fall-back day 2026-11-01: 05:15 and 06:15 UTC are both
	// 01:15 local (EDT, then EST), so the Sunday 01:00 cell holds both.
	start := time.Date(2026, 10, 30, 12, 0, 0, 0, time.UTC)
	s := newSmall(t, "America/New_York", start, campaign.Settings{})
	s.call(t, campaign.ContactCompleted, campaign.ResultHuman, time.Date(2026, 11, 1, 5, 15, 0, 0, time.UTC), nil)
	s.call(t, campaign.ContactCompleted, campaign.ResultNoAnswer, time.Date(2026, 11, 1, 6, 15, 0, 0, time.UTC), nil)
	// Spring-forward day 2026-03-08: 07:10 UTC is 03:10 EDT (no 02:00 hour).
	s.call(t, campaign.ContactCompleted, campaign.ResultHuman, time.Date(2026, 3, 8, 7, 10, 0, 0, time.UTC), nil)
	r := s.report(t, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), report.Config{MinSample: 1})
	c := r.Heatmap.Cells[time.Sunday][1]
	assert.Equal(t, int64(1), c.Numerator)
	assert.Equal(t, int64(2), c.Denominator)
	assert.Equal(t, int64(1), r.Heatmap.Cells[time.Sunday][3].Denominator)
	assert.Zero(t, r.Heatmap.Cells[time.Sunday][2].Denominator)

	// Kathmandu (+05:45): 03:20 UTC is 09:05 local; 03:10 UTC is 08:55.
	k := newSmall(t, "Asia/Kathmandu", start, campaign.Settings{})
	k.call(t, campaign.ContactCompleted, campaign.ResultHuman, time.Date(2026, 11, 2, 3, 20, 0, 0, time.UTC), nil)
	k.call(t, campaign.ContactCompleted, campaign.ResultHuman, time.Date(2026, 11, 2, 3, 10, 0, 0, time.UTC), nil)
	r = k.report(t, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), report.Config{MinSample: 1})
	assert.Equal(t, int64(1), r.Heatmap.Cells[time.Monday][9].Denominator)
	assert.Equal(t, int64(1), r.Heatmap.Cells[time.Monday][8].Denominator)
}

func TestFixtureReport(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	f, err := reporttest.Build(ctx, st, reporttest.Params{Contacts: 400})
	require.NoError(t, err)
	svc, err := report.NewService(report.Config{Store: st, Clock: func() time.Time { return f.End }, LabourRate: 20_000_000})
	require.NoError(t, err)
	r, err := svc.Campaign(ctx, f.Workspace, f.Campaign.ID)
	require.NoError(t, err)
	var mine int64
	for _, a := range f.Attempts {
		if a.CampaignID == f.Campaign.ID {
			mine++
		}
	}
	assert.Equal(t, mine, r.Activity.CallsMade.Numerator, "the other campaign's attempts are not counted")
	assert.True(t, r.ListCost.PhoneCost.Incomplete, "failed calls carry no cost")
	assert.False(t, r.ListCost.LabourCost.Incomplete)
	assert.Greater(t, r.ListCost.LabourCost.Value, 0.0)
	assert.Greater(t, r.Team.Utilisation.Value, 0.5)
	assert.Greater(t, r.Team.ShiftCoverage.Value, 0.0)
	assert.Greater(t, r.Results.Primary.Achieved.Numerator, int64(0))
	require.Len(t, r.Results.Answers, 1)
	assert.Len(t, r.Results.Answers[0].Answers, 3)
	assert.Greater(t, r.ListCost.InvalidNumbers.Numerator, int64(0))
	var scoped int64
	for _, sp := range r.ListCost.ByScope {
		scoped += sp.Blocks.Numerator
	}
	assert.Equal(t, int64(len(f.Blocks)), scoped)
	assert.NotEmpty(t, r.Pacing)

	wr, err := svc.Workspace(ctx, f.Workspace)
	require.NoError(t, err)
	assert.Equal(t, int64(2), wr.Campaigns.Numerator)
	assert.Equal(t, int64(2), wr.Running.Numerator)
	assert.Equal(t, int64(len(f.Attempts)), wr.CallsCompleted.Numerator)
	assert.False(t, wr.SuccessRate.Incomplete)
	assert.Contains(t, report.Text(r), "Abandon rate")
}
