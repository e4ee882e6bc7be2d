package queue_test

import (
	"context"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
)

// A campaign's queue on the memory store: claim the best eligible
// contacts, apply outcomes, and see the refusal recorded for a contact
// outside its calling window.
func Example() {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	now := time.Date(2026, 3, 9, 14, 0, 0, 0, time.UTC) // Monday 10:00 in New York
	clock := func() time.Time { return now }
	camps, _ := campaign.NewService(campaign.Config{Store: st, Clock: clock})
	ws, _ := camps.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	ada := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, _ := camps.CreateCampaign(ctx, ada, campaign.Campaign{Name: "Renewals"})
	camps.Transition(ctx, ada, c.ID, campaign.StatusQueued, "")
	camps.Transition(ctx, ada, c.ID, campaign.StatusRunning, "")
	ny, la := []string{"America/New_York"}, []string{"America/Los_Angeles"}
	if _, err := camps.AddContacts(ctx, ada, []campaign.Contact{
		{ID: "grace", CampaignID: c.ID, Phone: "+12125550101", Timezones: ny},
		{ID: "alan", CampaignID: c.ID, Phone: "+12125550102", Timezones: ny, Lane: campaign.LaneHotLead},
		{ID: "linus", CampaignID: c.ID, Phone: "+14155550103", Timezones: la}, // 07:00 in Los Angeles
	}); err != nil {
		fmt.Println(err)
		return
	}
	supp, _ := suppression.NewService(suppression.Config{Store: st, Authorizer: camps, Clock: clock})
	q, err := queue.NewService(queue.Config{Store: st, Campaigns: st, Suppression: supp, Clock: clock})
	if err != nil {
		fmt.Println(err)
		return
	}

	leases, _ := q.Claim(ctx, ws.ID, c.ID, 10, time.Minute)
	for _, l := range leases {
		fmt.Println("leased", l.ContactID, l.Contact.Lane)
	}
	_ = q.Finish(ctx, leases[0], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultNoAnswer}})
	_ = q.Finish(ctx, leases[1], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultHuman},
		Disposition: &campaign.Disposition{ID: "dnc", DNC: true, Final: true}})
	for _, id := range []campaign.ContactID{"alan", "grace"} {
		ct, _ := st.GetContact(ctx, ws.ID, id)
		fmt.Println(id, ct.Status, ct.NextAttemptAt.Format(time.Kitchen))
	}
	m, _ := supp.Check(ctx, ws.ID, suppression.Query{Numbers: []string{"+12125550101"}})
	fmt.Println("suppressed:", m["+12125550101"][0].Reason)

	now = now.Add(time.Minute + time.Second)
	err = q.Finish(ctx, leases[0], queue.Outcome{Attempt: campaign.Attempt{Result: campaign.ResultBusy}})
	fmt.Println(err)

	now = now.Add(3 * time.Hour) // 10:00 in Los Angeles
	leases, _ = q.Claim(ctx, ws.ID, c.ID, 10, time.Minute)
	fmt.Println("leased", leases[0].ContactID)
	// Output:
	// leased alan hot_lead
	// leased grace new
	// alan retry 6:00PM
	// grace dnc 12:00AM
	// suppressed: dnc_request
	// queue: lease lost: contact alan
	// leased linus
}
