package importer_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
)

// Import a small CSV into a campaign on the in-memory store: one row is
// accepted, and the others are refused with their reasons, exported to a
// rejects file (here stdout).
func Example() {
	ctx := context.Background()
	st := memory.New()
	clock := func() time.Time { return time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC) }
	svc, _ := campaign.NewService(campaign.Config{Store: st, Clock: clock})
	supp, _ := suppression.NewService(suppression.Config{Store: st, Authorizer: svc, Clock: clock})
	w, _ := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	admin := campaign.Actor{WorkspaceID: w.ID, UserID: "ada"}
	c, _ := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Spring"})
	_ = supp.Add(ctx, admin, suppression.Entry{List: suppression.Global(), Number: "+14155552673", Reason: "dnc_request"})

	im, err := importer.New(importer.Config{Campaigns: svc, Store: st, Contacts: st, Suppression: supp, Clock: clock})
	if err != nil {
		panic(err)
	}
	csv := "Phone Number;First Name;E-mail\n" +
		"(415) 555-2671;Ada;ada@example.com\n" +
		"+1 415 555 2671;Ada again;\n" +
		"911;=HYPERLINK(\"x\");\n" +
		"415-555-2673;Suppressed;\n"
	p, _ := im.Preview(ctx, strings.NewReader(csv), importer.PreviewOptions{})
	fmt.Printf("delimiter %q, mapping %v\n", p.Delimiter, p.Mapping)

	res, err := im.Import(ctx, admin, strings.NewReader(csv), importer.Options{
		FileName: "spring.csv", CampaignID: c.ID, DuplicatePolicy: importer.DuplicateReject, Rejects: os.Stdout,
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("rows %d: accepted %d, rejected %d\n", res.Counts.Rows, res.Counts.Accepted, res.Counts.Rejected)
	// Output:
	// delimiter ';', mapping [phone first_name email]
	// Phone Number,First Name,E-mail,line,reason,detail
	// '+1 415 555 2671,Ada again,,3,duplicate_in_file,
	// 911,"'=HYPERLINK(""x"")",,4,emergency_number,
	// 415-555-2673,Suppressed,,5,suppressed_global,dnc_request
	// rows 4: accepted 1, rejected 3
}
