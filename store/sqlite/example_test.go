package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/sqlite"
)

// Open a database file, migrate it, and run the campaign service on it.
func Example() {
	dir, err := os.MkdirTemp("", "callstack-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "callstack.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}

	clock := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	svc, err := campaign.NewService(campaign.Config{Store: s, Clock: clock})
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	if err != nil {
		fmt.Println(err)
		return
	}
	admin := campaign.Actor{WorkspaceID: w.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := svc.AddContacts(ctx, admin, []campaign.Contact{
		{CampaignID: c.ID, Phone: "+14155552671", Tags: []string{"vip"}},
		{CampaignID: c.ID, Phone: "+14155552672"},
	}); err != nil {
		fmt.Println(err)
		return
	}

	page, err := s.ListContacts(ctx, w.ID, campaign.ContactFilter{CampaignID: c.ID, Tag: "vip"})
	if err != nil {
		fmt.Println(err)
		return
	}
	stored, err := s.GetCampaign(ctx, w.ID, c.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(stored.Name, stored.Status, stored.CreatedAt)
	fmt.Println(len(page.Contacts), page.Contacts[0].Phone, page.Contacts[0].Tags)
	// Output:
	// Renewals draft 2026-11-02 09:00:00 +0000 UTC
	// 1 +14155552671 [vip]
}
