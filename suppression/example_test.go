package suppression_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
)

// Load a download of Canada's National Do Not Call List and check numbers
// against it.
func ExampleService_LoadDNCL() {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 2, 17, 0, 0, 0, time.UTC) }
	st := memory.New()
	svc, _ := campaign.NewService(campaign.Config{Store: st, Clock: now})
	ws, _ := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	supp, _ := suppression.NewService(suppression.Config{Store: st, Authorizer: svc, Clock: now})

	file := "416,5550123\n514,5550177\n212,5550123\n"
	res, err := supp.LoadDNCL(ctx, admin, strings.NewReader(file), suppression.Entry{})
	fmt.Println(res.Loaded, res.OutOfCountry, err)

	got, _ := supp.Check(ctx, ws.ID, suppression.Query{Numbers: []string{"+14165550123", "+12125550123"}})
	for _, n := range []string{"+14165550123", "+12125550123"} {
		if ms := got[n]; len(ms) > 0 {
			fmt.Println(n, suppression.Widest(ms).List.Scope.ReasonCode(), suppression.Widest(ms).Reason)
		} else {
			fmt.Println(n, "callable")
		}
	}
	// Output:
	// 2 1 <nil>
	// +14165550123 suppressed_global ca_national_dncl
	// +12125550123 callable
}
