package callstack_test

import (
	"context"
	"errors"
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

// A dashboard following a campaign's change feed: status changes,
// attempts and blocks, in commit order. The host stores each event's
// position and, after a restart, resumes from the last one stored.
func Example_changeFeed() {
	ctx := context.Background()
	clock := sim.NewClock(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 09:00 in New York
	carrier, _ := sim.New(sim.Config{Seed: 7, Now: clock.Now, AnswerProb: sim.Constant(0.5)})
	st := memory.New()
	cs, err := callstack.New(st, callstack.Config{Carrier: carrier, Clock: clock.Now})
	if err != nil {
		panic(err)
	}
	defer cs.Close()
	svc := cs.Campaigns()
	ws, _ := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	_, _ = svc.PutMember(ctx, admin, campaign.Member{UserID: "dashboard", Role: campaign.RoleViewer})
	viewer := campaign.Actor{WorkspaceID: ws.ID, UserID: "dashboard"}
	c, _ := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York",
		Settings: campaign.Settings{DialMode: campaign.DialProgressive, CallerIDs: []string{"+12125550100"}}})
	done, _ := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Done", Contacted: true, Final: true})
	csv := "phone,first_name\n(212) 279-0147,Ann\n(646) 321-7788,Bob\n(718) 862-4410,Cy\n"
	_, _ = cs.Imports().Import(ctx, admin, strings.NewReader(csv), importer.Options{CampaignID: c.ID})
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, _ = svc.Transition(ctx, admin, c.ID, to, "")
	}
	_, _ = svc.PutMember(ctx, admin, campaign.Member{UserID: "bo", Role: campaign.RoleCaller})
	e, _ := cs.Engine(ctx, ws.ID, c.ID, dialer.Config{})
	team, _ := simagent.New(simagent.Config{Engine: e, Workspace: ws.ID, Clock: clock.Now, Agents: []campaign.UserID{"bo"}, Disposition: done.ID})
	_ = e.Start(ctx)
	_ = team.Login(ctx)
	_ = dialer.RunVirtual(ctx, e, carrier, clock, clock.Now().Add(time.Hour), team)
	_ = e.Stop(ctx)

	// The dashboard follows the feed until the campaign completes, storing
	// each event's position as it goes. A slow handler slows the feed; no
	// event is dropped.
	var stored string
	errCompleted := errors.New("campaign completed")
	err = svc.Follow(ctx, viewer, campaign.FeedQuery{CampaignID: c.ID}, func(ev campaign.FeedEvent) error {
		switch ev.Kind {
		case campaign.FeedStatus:
			fmt.Printf("status  %s → %s\n", ev.Transition.From, ev.Transition.To)
		case campaign.FeedAttempt:
			fmt.Printf("attempt %s, %s\n", ev.Attempt.Result, ev.Attempt.AgentID)
		case campaign.FeedBlock:
			fmt.Printf("block   %s\n", ev.Block.Reason)
		}
		stored = ev.Position.String()
		if ev.Kind == campaign.FeedStatus && ev.Transition.To == campaign.StatusCompleted {
			return errCompleted
		}
		return nil
	})
	fmt.Println(err)

	// After a restart: a new client over the same store resumes where the
	// dashboard stopped.
	cs2, _ := callstack.New(st, callstack.Config{Clock: clock.Now})
	_, _ = cs2.Campaigns().Transition(ctx, admin, c.ID, campaign.StatusArchived, "")
	after, _ := campaign.ParseFeedPosition(stored)
	evs, _ := cs2.Campaigns().ReadFeed(ctx, viewer, campaign.FeedQuery{After: after})
	for _, ev := range evs {
		fmt.Printf("resumed: status %s → %s\n", ev.Transition.From, ev.Transition.To)
	}
	// Output:
	// status  draft → queued
	// status  queued → running
	// attempt human, bo
	// attempt human, bo
	// attempt human, bo
	// status  running → completed
	// campaign completed
	// resumed: status completed → archived
}
