package report_test

import (
	"context"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/store/memory"
)

// A campaign report on the memory store: every metric says what it rests
// on, and a rate without enough data is flagged instead of shown as a win.
func Example() {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	now := time.Date(2026, 5, 4, 18, 0, 0, 0, time.UTC)
	csvc, _ := campaign.NewService(campaign.Config{Store: st, Clock: func() time.Time { return now }})
	ws, _ := csvc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	actor := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, _ := csvc.CreateCampaign(ctx, actor, campaign.Campaign{Name: "Renewals", Timezone: "America/Chicago"})

	var attempts []campaign.Attempt
	for i := range 40 {
		a := campaign.Attempt{
			ID: campaign.AttemptID(fmt.Sprintf("a%02d", i)), WorkspaceID: ws.ID, CampaignID: c.ID,
			ContactID: campaign.ContactID(fmt.Sprintf("ct%02d", i)), Seq: 1, Result: campaign.ResultNoAnswer,
			StartedAt: now.Add(-time.Duration(i) * time.Minute), Cost: 10_000, Currency: "USD",
		}
		if i%4 == 0 {
			a.Result, a.AnsweredBy, a.TalkDuration = campaign.ResultHuman, "human", 2*time.Minute
		}
		attempts = append(attempts, a)
	}
	if err := st.SeedAttempts(ctx, attempts); err != nil {
		fmt.Println(err)
		return
	}

	r, err := report.Campaign(ctx, st, ws.ID, c.ID, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("calls:", r.Activity.CallsMade)
	fmt.Println("connect rate:", r.Activity.ConnectRate)
	fmt.Println("average talk:", r.Activity.AvgTalkTime)
	fmt.Println("phone cost:", r.ListCost.PhoneCost)
	fmt.Println("meeting acceptance:", r.Results.MeetingAcceptance)
	// Output:
	// calls: 40
	// connect rate: 25.0% (10/40)
	// average talk: 2m0s [incomplete: sample below threshold: n=10 < 30]
	// phone cost: 0.40
	// meeting acceptance: n/a (no data)
}
