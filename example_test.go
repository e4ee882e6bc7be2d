package callstack_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/telephony/sim"
)

// A campaign from nothing: a workspace, a progressive campaign, contacts
// imported from a CSV string, one virtual morning of dialing with two
// simulated callers, and the report.
func Example() {
	ctx := context.Background()
	clock := sim.NewClock(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 09:00 in New York
	carrier, _ := sim.New(sim.Config{Seed: 7, Now: clock.Now, AnswerProb: sim.Constant(0.5)})
	cs, err := callstack.New(memory.New(), callstack.Config{Carrier: carrier, Clock: clock.Now})
	if err != nil {
		panic(err)
	}
	defer cs.Close()
	svc := cs.Campaigns()
	ws, _ := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, _ := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York",
		Settings: campaign.Settings{DialMode: campaign.DialProgressive, CallerIDs: []string{"+12125550100"}}})
	done, _ := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Done", Contacted: true, Final: true})

	csv := "phone,first_name\n(212) 279-0147,Ann\n(646) 321-7788,Bob\n(718) 862-4410,Cy\nnot a number,Di\n"
	res, _ := cs.Imports().Import(ctx, admin, strings.NewReader(csv), importer.Options{CampaignID: c.ID})
	fmt.Printf("import: %d rows, %d accepted, %d rejected\n", res.Counts.Rows, res.Counts.Accepted, res.Counts.Rejected)

	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, _ = svc.Transition(ctx, admin, c.ID, to, "")
	}
	for _, id := range []campaign.UserID{"bo", "cy"} {
		_, _ = svc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
	}
	e, err := cs.Engine(ctx, ws.ID, c.ID, dialer.Config{})
	if err != nil {
		panic(err)
	}
	team, _ := simagent.New(simagent.Config{Engine: e, Workspace: ws.ID, Clock: clock.Now, Agents: []campaign.UserID{"bo", "cy"}, Disposition: done.ID})
	_ = e.Start(ctx)
	_ = team.Login(ctx)
	_ = dialer.RunVirtual(ctx, e, carrier, clock, clock.Now().Add(3*time.Hour), team)
	_ = e.Stop(ctx)

	r, _ := cs.Reports().Campaign(ctx, ws.ID, c.ID)
	a := r.Activity
	fmt.Printf("%s is %s: %v calls, %v conversations, %s talk, %d outcomes saved\n",
		r.Name, r.Status, a.CallsMade.Value, a.Conversations.Value, time.Duration(a.TalkTime.Value)*time.Second, team.Saved())
	// Output:
	// import: 4 rows, 3 accepted, 1 rejected
	// Renewals is completed: 3 calls, 3 conversations, 7m49s talk, 3 outcomes saved
}
