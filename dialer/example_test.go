package dialer_test

import (
	"context"
	"fmt"
	"time"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/telephony/sim"
)

// An engine in virtual time: a predictive campaign of 40 contacts, three
// simulated callers, one hour of simulated dialing on the simulated
// carrier, done in milliseconds.
func Example_virtualTime() {
	ctx := context.Background()
	clock := sim.NewClock(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 09:00 in New York
	carrier, _ := sim.New(sim.Config{Seed: 3, Now: clock.Now, AnswerProb: sim.Constant(0.4)})
	cs, _ := callstack.New(memory.New(), callstack.Config{Carrier: carrier, Clock: clock.Now})
	svc := cs.Campaigns()
	ws, _ := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, _ := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York",
		Settings: campaign.Settings{DialMode: campaign.DialPredictive, CallerIDs: []string{"+12125550100"}}})
	done, _ := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Done", Contacted: true, Final: true})
	var contacts []campaign.Contact
	for i := range 40 {
		contacts = append(contacts, campaign.Contact{CampaignID: c.ID, Phone: fmt.Sprintf("+1212279%04d", 1000+i), Timezones: []string{"America/New_York"}})
	}
	_, _ = svc.AddContacts(ctx, admin, contacts)
	_, _ = svc.Transition(ctx, admin, c.ID, campaign.StatusQueued, "")
	_, _ = svc.Transition(ctx, admin, c.ID, campaign.StatusRunning, "")
	agents := []campaign.UserID{"bo", "cy", "di"}
	for _, id := range agents {
		_, _ = svc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
	}

	e, err := cs.Engine(ctx, ws.ID, c.ID, dialer.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	team, _ := simagent.New(simagent.Config{Engine: e, Workspace: ws.ID, Clock: clock.Now, Agents: agents, Carrier: carrier, Disposition: done.ID})
	_ = e.Start(ctx)
	_ = team.Login(ctx)
	_ = dialer.RunVirtual(ctx, e, carrier, clock, clock.Now().Add(time.Hour), team)
	_ = team.Logout(ctx)
	_ = dialer.RunVirtual(ctx, e, carrier, clock, clock.Now().Add(15*time.Minute), team)
	_ = e.Stop(ctx)

	s := e.Stats()
	fmt.Printf("dials %d, live %d, connected %d, abandoned %d, outcomes saved %d\n", s.Dials, s.Live, s.Connected, s.Abandoned, team.Saved())
	// Output:
	// dials 40, live 20, connected 20, abandoned 0, outcomes saved 20
}
