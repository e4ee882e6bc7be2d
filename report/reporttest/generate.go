// Package reporttest generates synthetic campaigns for report tests,
// examples and benchmarks, and holds the conformance suite every
// report.Store adapter passes: each aggregate must equal a recomputation
// from the records the suite wrote.
package reporttest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

// Store is what the generator writes through: the campaign model, the
// attempt log and blocks, agent spans, and report reads.
type Store interface {
	campaign.Store
	report.Store
	campaign.SpanWriter
	report.HistoryLoader
	// RecordBlocks appends compliance blocks.
	RecordBlocks(ctx context.Context, ws campaign.WorkspaceID, bs []campaign.Block) error
}

// Params shape a generated campaign.
type Params struct {
	// Seed makes the data reproducible. Defaults to 1.
	Seed uint64
	// Contacts defaults to 200.
	Contacts int
	// Days is how many days calls spread over, from Start. Defaults to 10.
	Days int
	// Start is the campaign's start. Defaults to 2026-03-02 13:00 UTC.
	Start time.Time
	// Timezone defaults to "America/New_York".
	Timezone string
	// Agents defaults to 4.
	Agents int
}

func (p Params) withDefaults() Params {
	if p.Seed == 0 {
		p.Seed = 1
	}
	if p.Contacts == 0 {
		p.Contacts = 200
	}
	if p.Days == 0 {
		p.Days = 10
	}
	if p.Start.IsZero() {
		p.Start = time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC)
	}
	if p.Timezone == "" {
		p.Timezone = "America/New_York"
	}
	if p.Agents == 0 {
		p.Agents = 4
	}
	return p
}

// Fixture is a generated campaign written to a store.
type Fixture struct {
	Workspace campaign.WorkspaceID
	Actor     campaign.Actor
	Campaign  campaign.Campaign
	// Other is a second campaign of the same workspace with its own data.
	Other    campaign.Campaign
	Contacts []campaign.Contact
	Attempts []campaign.Attempt
	Blocks   []campaign.Block
	Spans    []campaign.AgentSpan
	// End is the last attempt's end; a clock at End sees everything.
	End time.Time
}

// Dispositions, goals and analyses of a generated campaign.
const (
	DispInterested    campaign.DispositionID = "d-interested"
	DispNotInterested campaign.DispositionID = "d-not-interested"
	DispVoicemail     campaign.DispositionID = "d-voicemail"
	GoalMeeting       campaign.GoalID        = "g-meeting"
	GoalReferral      campaign.GoalID        = "g-referral"
	AnalysisBudget    campaign.AnalysisID    = "an-budget"
)

// Build writes a workspace with a generated campaign (and a small second
// campaign) to st and returns what it wrote.
func Build(ctx context.Context, st Store, p Params) (*Fixture, error) {
	p = p.withDefaults()
	rng := rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))
	clock := func() time.Time { return p.Start.Add(-24 * time.Hour) }
	svc, err := campaign.NewService(campaign.Config{Store: st, Clock: clock})
	if err != nil {
		return nil, err
	}
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "owner", Name: "Owner"}, campaign.Workspace{ID: "ws-report", Name: "Acme Calling"})
	if err != nil {
		return nil, err
	}
	f := &Fixture{Workspace: ws.ID, Actor: campaign.Actor{WorkspaceID: ws.ID, UserID: "owner"}}
	mk := func(id campaign.ID, name string) (campaign.Campaign, error) {
		c, err := svc.CreateCampaign(ctx, f.Actor, campaign.Campaign{ID: id, Name: name, Client: "Globex",
			Timezone: p.Timezone, Notes: "INTERNAL-NOTE do not show", TargetCallVolume: p.Contacts * 3})
		if err != nil {
			return c, err
		}
		for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
			if c, err = svc.Transition(ctx, f.Actor, c.ID, to, ""); err != nil {
				return c, err
			}
		}
		return c, nil
	}
	if f.Campaign, err = mk("cmp-main", "Spring renewals"); err != nil {
		return nil, err
	}
	if f.Other, err = mk("cmp-other", "OTHER-CAMPAIGN"); err != nil {
		return nil, err
	}
	cid := f.Campaign.ID
	for _, d := range []campaign.Disposition{
		{ID: DispInterested, CampaignID: cid, Title: "Interested", Contacted: true, Qualified: true, Final: true},
		{ID: DispNotInterested, CampaignID: cid, Title: "Not interested", Contacted: true, Final: true},
		{ID: DispVoicemail, CampaignID: cid, Title: "Voicemail left"},
	} {
		if _, err := svc.PutDisposition(ctx, f.Actor, d); err != nil {
			return nil, err
		}
	}
	for _, g := range []campaign.Goal{
		{ID: GoalMeeting, CampaignID: cid, Kind: campaign.GoalPrimary, Title: "Book a meeting"},
		{ID: GoalReferral, CampaignID: cid, Kind: campaign.GoalSecondary, Title: "Get a referral"},
	} {
		if _, err := svc.PutGoal(ctx, f.Actor, g); err != nil {
			return nil, err
		}
	}
	if _, err := svc.PutAnalysis(ctx, f.Actor, campaign.Analysis{ID: AnalysisBudget, CampaignID: cid,
		Kind: campaign.AnalysisSingleChoice, Question: "Budget this year?", Choices: []string{"yes", "no", "unsure"}, Active: true}); err != nil {
		return nil, err
	}
	if _, err := svc.PutList(ctx, f.Actor, campaign.List{ID: "list-main", CampaignID: cid, Name: "Main"}); err != nil {
		return nil, err
	}
	if _, err := svc.PutList(ctx, f.Actor, campaign.List{ID: "list-old", CampaignID: cid, Name: "Old", Archived: true}); err != nil {
		return nil, err
	}

	first := []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Linus", "Margaret"}
	last := []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Torvalds", "Hamilton"}
	statuses := []campaign.ContactStatus{campaign.ContactCompleted, campaign.ContactCompleted, campaign.ContactFailed,
		campaign.ContactNoConversation, campaign.ContactRetry, campaign.ContactPending, campaign.ContactCallback,
		campaign.ContactDNC, campaign.ContactSkipped}
	agents := make([]campaign.UserID, p.Agents)
	for i := range agents {
		agents[i] = campaign.UserID(fmt.Sprintf("agent-%d", i+1))
	}
	var seq int
	for i := range p.Contacts {
		c := campaign.Contact{
			ID: campaign.ContactID(fmt.Sprintf("ct-%06d", i)), CampaignID: cid, ListID: "list-main",
			FirstName: first[i%len(first)], LastName: last[(i/len(first))%len(last)], Company: fmt.Sprintf("Company %d", i%17),
			Phone: fmt.Sprintf("+1212555%04d", i%10000), Notes: "PRIVATE-CONTACT-NOTE", Status: statuses[rng.IntN(len(statuses))],
		}
		if i%25 == 24 {
			c.ListID = "list-old"
		}
		f.Contacts = append(f.Contacts, c)
		if c.Status == campaign.ContactPending || c.Status == campaign.ContactSkipped {
			if c.Status == campaign.ContactSkipped {
				f.Blocks = append(f.Blocks, campaign.Block{ID: campaign.BlockID(fmt.Sprintf("blk-%06d", i)), WorkspaceID: ws.ID,
					CampaignID: cid, ContactID: c.ID, Number: c.Phone, Reason: []string{"invalid_phone", "suppressed_global", "outside_legal_hours"}[i%3],
					Scope: []campaign.BlockScope{campaign.BlockScopeLaw, campaign.BlockScopeGlobal, campaign.BlockScopeLaw}[i%3],
					Stage: "dial", At: p.Start.Add(time.Duration(rng.IntN(p.Days*24)) * time.Hour)})
			}
			continue
		}
		n := 1 + rng.IntN(3)
		for k := 1; k <= n; k++ {
			seq++
			day := rng.IntN(p.Days)
			at := p.Start.Add(time.Duration(day)*24*time.Hour + time.Duration(rng.IntN(8*3600))*time.Second)
			a := campaign.Attempt{
				ID: campaign.AttemptID(fmt.Sprintf("att-%08d", seq)), WorkspaceID: ws.ID, CampaignID: cid, ContactID: c.ID,
				Number: c.Phone, CallerID: "+12125550000", Seq: k, StartedAt: at, RingDuration: time.Duration(5+rng.IntN(20)) * time.Second,
				Cost: campaign.Money(10000 + rng.IntN(20000)), Currency: "USD", CarrierCode: "200",
			}
			last := k == n
			r := rng.IntN(100)
			switch {
			case r < 35 || (last && (c.Status == campaign.ContactCompleted)):
				a.Result, a.AnsweredBy = campaign.ResultHuman, "human"
				a.AnsweredAt = at.Add(a.RingDuration)
				a.TalkDuration = time.Duration(30+rng.IntN(300)) * time.Second
				a.WrapDuration = time.Duration(5+rng.IntN(30)) * time.Second
				a.AgentID = agents[rng.IntN(len(agents))]
				a.DispositionID = DispNotInterested
				if rng.IntN(3) == 0 {
					a.DispositionID = DispInterested
					a.Outcome.QualifiedLead = true
					a.Outcome.MeetingBooked = rng.IntN(2) == 0
					a.Outcome.MeetingAccepted = a.Outcome.MeetingBooked && rng.IntN(3) > 0
					a.Outcome.Opportunity = rng.IntN(4) == 0
					a.Outcome.Revenue = campaign.Money(rng.IntN(5000)) * 1_000_000
				}
				a.Outcome.Note = "OUTCOME-NOTE private"
				a.Outcome.Goals = map[campaign.GoalID]string{GoalMeeting: []string{"achieved", "partial", "not_achieved", "unknown"}[rng.IntN(4)]}
				if rng.IntN(2) == 0 {
					a.Outcome.Goals[GoalReferral] = []string{"achieved", "not_achieved"}[rng.IntN(2)]
				}
				a.Outcome.Answers = map[campaign.AnalysisID][]string{AnalysisBudget: {[]string{"yes", "no", "unsure"}[rng.IntN(3)]}}
				if rng.IntN(3) > 0 {
					a.Outcome.PlaybookSteps = []string{"intro", "pitch"}
				}
			case r < 40:
				a.Result, a.AnsweredBy, a.Abandoned = campaign.ResultAbandoned, "human", true
				a.AnsweredAt = at.Add(a.RingDuration)
			case r < 60:
				a.Result, a.AnsweredBy = campaign.ResultMachine, "machine"
				a.AnsweredAt = at.Add(a.RingDuration)
				a.DispositionID = DispVoicemail
			case r < 80:
				a.Result = campaign.ResultNoAnswer
			case r < 92:
				a.Result = campaign.ResultBusy
			default:
				a.Result, a.Cost, a.Currency = campaign.ResultFailed, 0, ""
			}
			a.EndedAt = at.Add(a.RingDuration + a.TalkDuration)
			if a.EndedAt.After(f.End) {
				f.End = a.EndedAt
			}
			f.Attempts = append(f.Attempts, a)
		}
	}
	// The other campaign: a few attempts that must never show up.
	f.Contacts = append(f.Contacts, campaign.Contact{ID: "ct-other", CampaignID: f.Other.ID, FirstName: "OTHERPERSON",
		LastName: "Zed", Phone: "+12125559999", Status: campaign.ContactCompleted})
	f.Attempts = append(f.Attempts, campaign.Attempt{ID: "att-other", WorkspaceID: ws.ID, CampaignID: f.Other.ID,
		ContactID: "ct-other", Number: "+12125559999", Seq: 1, Result: campaign.ResultHuman, AnsweredBy: "human",
		StartedAt: p.Start.Add(time.Hour), TalkDuration: time.Minute, Cost: 5_000_000, Currency: "USD"})

	for d := range p.Days {
		day := p.Start.Add(time.Duration(d) * 24 * time.Hour)
		for i, ag := range agents {
			t := day.Add(time.Duration(i) * 10 * time.Minute)
			for _, st := range []struct {
				s campaign.AgentState
				d time.Duration
			}{{campaign.AgentAvailable, 40 * time.Minute}, {campaign.AgentOnCall, 3 * time.Hour}, {campaign.AgentWrapUp, 40 * time.Minute},
				{campaign.AgentPaused, 30 * time.Minute}, {campaign.AgentOnCall, 2 * time.Hour}, {campaign.AgentAvailable, time.Hour}} {
				f.Spans = append(f.Spans, campaign.AgentSpan{WorkspaceID: ws.ID, CampaignID: cid, AgentID: ag, State: st.s, Start: t, End: t.Add(st.d)})
				t = t.Add(st.d)
			}
		}
	}

	if _, err := svc.AddContacts(ctx, f.Actor, f.Contacts); err != nil {
		return nil, err
	}
	for i := 0; i < len(f.Attempts); i += 5000 {
		if err := st.SeedAttempts(ctx, f.Attempts[i:min(i+5000, len(f.Attempts))]); err != nil {
			return nil, err
		}
	}
	if err := st.RecordBlocks(ctx, ws.ID, f.Blocks); err != nil {
		return nil, err
	}
	if err := st.AppendAgentSpans(ctx, f.Spans); err != nil {
		return nil, err
	}
	return f, nil
}
