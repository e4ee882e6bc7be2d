package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/memory"
)

// The memory store is a complete store: listing with filters and cursor
// pagination, scoped to the workspace.
func Example() {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	clock := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	svc, _ := campaign.NewService(campaign.Config{Store: st, Clock: clock})
	ws, _ := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	var cs []campaign.Contact
	for i := range 5 {
		tags := []string{"lead"}
		if i%2 == 0 {
			tags = append(tags, "vip")
		}
		cs = append(cs, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("ct%d", i)), Phone: fmt.Sprintf("+1415555%04d", 2000+i), Tags: tags})
	}
	if _, err := svc.AddContacts(ctx, admin, cs); err != nil {
		panic(err)
	}
	f := campaign.ContactFilter{Tag: "vip", Limit: 2}
	for {
		page, err := st.ListContacts(ctx, ws.ID, f)
		if err != nil {
			panic(err)
		}
		for _, c := range page.Contacts {
			fmt.Println(c.ID, c.Phone, c.Status)
		}
		if page.NextCursor == "" {
			break
		}
		f.After = page.NextCursor
	}
	_, err := st.GetContact(ctx, "another-workspace", "ct0")
	fmt.Println(err)
	// Output:
	// ct0 +14155552000 pending
	// ct2 +14155552002 pending
	// ct4 +14155552004 pending
	// campaign: not found: contact ct0
}
