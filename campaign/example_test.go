package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/memory"
)

// A workspace, a campaign with its defaults, and the status machine.
func Example() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	svc, err := campaign.NewService(campaign.Config{Store: memory.New(), Clock: clock})
	if err != nil {
		panic(err)
	}
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	if err != nil {
		panic(err)
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals"})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Status, c.Settings.DialMode, c.Settings.RingTimeout, c.Settings.DialWindow.Start, "-", c.Settings.DialWindow.End)

	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning, campaign.StatusPaused} {
		c, _ = svc.Transition(ctx, admin, c.ID, to, "")
	}
	fmt.Println(c.Status)
	_, err = svc.Transition(ctx, admin, c.ID, campaign.StatusDraft, "")
	fmt.Println(errors.Is(err, campaign.ErrInvalidTransition))
	// Output:
	// draft progressive 25s 09:00 - 21:00
	// paused
	// true
}

// A Viewer cannot change anything; the refusal names the role and action.
func ExamplePermit() {
	fmt.Println(campaign.Permit(campaign.RoleCaller, campaign.ActionDial))
	fmt.Println(campaign.Permit(campaign.RoleViewer, campaign.ActionSaveOutcome))
	// Output:
	// <nil>
	// campaign: forbidden: role "viewer" may not save_outcome
}

// Validation names each failing field.
func ExampleCampaign_Validate() {
	c := campaign.Campaign{ID: "c1", WorkspaceID: "w1", Name: "Renewals", DefaultRegion: "US", Timezone: "America/Chicago",
		Health: campaign.HealthUnknown, Status: campaign.StatusDraft}
	c.Settings = campaign.Settings{RingTimeout: 10 * time.Second}.WithDefaults("US")
	fmt.Println(c.Validate())
	// Output:
	// campaign: invalid: Settings.RingTimeout: must be at least 15s (47 CFR 64.1200(a)(6)), got 10s
}

// A member pages through a campaign's contacts; a non-member is refused.
func ExampleService_ListContacts() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	svc, err := campaign.NewService(campaign.Config{Store: memory.New(), Clock: clock})
	if err != nil {
		panic(err)
	}
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	if err != nil {
		panic(err)
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	if _, err := svc.PutMember(ctx, admin, campaign.Member{UserID: "vic", Role: campaign.RoleViewer}); err != nil {
		panic(err)
	}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals"})
	if err != nil {
		panic(err)
	}
	var cs []campaign.Contact
	for i := range 5 {
		cs = append(cs, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("ct%d", i)), CampaignID: c.ID, Phone: fmt.Sprintf("+1415555010%d", i)})
	}
	if _, err := svc.AddContacts(ctx, admin, cs); err != nil {
		panic(err)
	}

	viewer := campaign.Actor{WorkspaceID: ws.ID, UserID: "vic"}
	f := campaign.ContactFilter{CampaignID: c.ID, Limit: 2}
	for {
		page, err := svc.ListContacts(ctx, viewer, f)
		if err != nil {
			panic(err)
		}
		for _, ct := range page.Contacts {
			fmt.Print(ct.ID, " ")
		}
		fmt.Println("|")
		if page.NextCursor == "" {
			break
		}
		f.After = page.NextCursor
	}
	_, err = svc.ListContacts(ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: "mallory"}, f)
	fmt.Println(errors.Is(err, campaign.ErrForbidden))
	// Output:
	// ct0 ct1 |
	// ct2 ct3 |
	// ct4 |
	// true
}
