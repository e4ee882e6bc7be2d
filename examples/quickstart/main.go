// Command quickstart runs a CallStack campaign on the in-memory store and
// prints what it did.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/memory"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	st := memory.New()
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	svc, err := campaign.NewService(campaign.Config{Store: st})
	if err != nil {
		return err
	}
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada", Name: "Ada"}, campaign.Workspace{Name: "Acme Sales"})
	if err != nil {
		return err
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	fmt.Fprintf(out, "workspace %q (%s), region %s, zone %s\n", ws.Name, ws.ID, ws.Settings.DefaultRegion, ws.Settings.Timezone)

	if _, err := svc.PutMember(ctx, admin, campaign.Member{UserID: "bob", Name: "Bob", Role: campaign.RoleCaller}); err != nil {
		return err
	}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Spring renewals", Client: "Globex",
		Settings: campaign.Settings{DialMode: campaign.DialPredictive, MaxAttempts: 3}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "campaign %q: %s, %s dialing, ring %s, window %s–%s, abandon cap %.0f%%\n", c.Name, c.Status,
		c.Settings.DialMode, c.Settings.RingTimeout, c.Settings.DialWindow.Start, c.Settings.DialWindow.End, c.Settings.AbandonCap*100)

	list, err := svc.PutList(ctx, admin, campaign.List{Name: "April leads", CampaignID: c.ID})
	if err != nil {
		return err
	}
	contacts := []campaign.Contact{
		{FirstName: "Grace", LastName: "Hopper", Phone: "+14155552671", State: "CA"},
		{FirstName: "Alan", LastName: "Turing", Phone: "+12125550199", State: "NY"},
		{FirstName: "Katherine", LastName: "Johnson", Phone: "+17575550142", State: "VA"},
	}
	for i := range contacts {
		contacts[i].CampaignID, contacts[i].ListID = c.ID, list.ID
	}
	added, err := svc.AddContacts(ctx, admin, contacts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "added %d contacts to list %q\n", len(added), list.Name)

	bob := campaign.Actor{WorkspaceID: ws.ID, UserID: "bob"}
	if _, err := svc.UpdateCampaign(ctx, bob, c.ID, func(c *campaign.Campaign) error { c.Settings.MaxAttempts = 9; return nil }); err != nil {
		fmt.Fprintf(out, "bob tried to change settings: %v\n", err)
	}
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		if c, err = svc.Transition(ctx, admin, c.ID, to, ""); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "campaign is %s\n", c.Status)

	trs, err := st.ListTransitions(ctx, ws.ID, c.ID)
	if err != nil {
		return err
	}
	for _, t := range trs {
		fmt.Fprintf(out, "  %s → %s by %s at %s\n", t.From, t.To, t.By, t.At.Format(time.RFC3339))
	}
	audit, err := st.ListAudit(ctx, ws.ID, campaign.AuditFilter{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "audit log: %d entries\n", len(audit))
	return nil
}
