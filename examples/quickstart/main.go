// Command quickstart runs a whole CallStack campaign in a few seconds, on
// the in-memory store and the simulated carrier: it creates a workspace and
// a campaign, imports a bundled CSV that has a few bad rows, runs the
// predictive dialer with simulated agents through one virtual shift, saves
// their outcomes, and prints a short report.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony/sim"
)

//go:embed contacts.csv
var contactsCSV []byte

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return err
	}
	// Virtual time: Monday 2 November 2026, 08:30 in New York. One client
	// wires every service over the in-memory store and the simulated
	// carrier.
	clock := sim.NewClock(time.Date(2026, 11, 2, 8, 30, 0, 0, ny))
	carrier, err := sim.New(sim.Config{Seed: 2026, Now: clock.Now, AnswerProb: sim.Constant(0.35)})
	if err != nil {
		return err
	}
	cs, err := callstack.New(memory.New(), callstack.Config{Carrier: carrier, Clock: clock.Now})
	if err != nil {
		return err
	}
	defer cs.Store().Close()
	defer cs.Close() // before the store closes
	svc := cs.Campaigns()

	// 1. Set up: a workspace, a caller, a predictive campaign, dispositions.
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada", Name: "Ada"}, campaign.Workspace{Name: "Acme Sales"})
	if err != nil {
		return err
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Spring renewals", Client: "Globex", Timezone: "America/New_York",
		Settings: campaign.Settings{DialMode: campaign.DialPredictive, MaxAttempts: 3, RetryInterval: 45 * time.Minute,
			MinTimeBetweenCalls: 45 * time.Minute, CallerIDs: []string{"+12125550100", "+12125550101", "+12125550102", "+12125550103", "+12125550104", "+12125550105"}}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "campaign %q: %s dialing, ring %s, window %s–%s local, abandon cap %.0f%%\n", c.Name,
		c.Settings.DialMode, c.Settings.RingTimeout, c.Settings.DialWindow.Start, c.Settings.DialWindow.End, c.Settings.AbandonCap*100)
	type dispo struct {
		d      campaign.Disposition
		weight uint32
	}
	dispos := []dispo{
		{campaign.Disposition{Title: "Meeting booked", Contacted: true, Qualified: true, Final: true, RequiresNote: true}, 25},
		{campaign.Disposition{Title: "Not interested", Contacted: true, Final: true}, 45},
		{campaign.Disposition{Title: "Call back", Contacted: true, Callback: true}, 20},
		{campaign.Disposition{Title: "Stop calling me", Contacted: true, DNC: true, Final: true}, 10},
	}
	for i := range dispos {
		dispos[i].d.CampaignID = c.ID
		if dispos[i].d, err = svc.PutDisposition(ctx, admin, dispos[i].d); err != nil {
			return err
		}
	}
	// Each call's disposition, drawn by weight from its attempt ID.
	draw := func(att string) uint32 {
		h := fnv.New32a()
		h.Write([]byte(att))
		return h.Sum32()
	}
	pick := func(att string) campaign.Disposition {
		x := draw(att) % 100
		for _, d := range dispos {
			if x < d.weight {
				return d.d
			}
			x -= d.weight
		}
		return dispos[0].d
	}
	// A number already on the client's do-not-call list.
	if err := cs.Suppression().Add(ctx, admin, suppression.Entry{List: suppression.Client("Globex"), Number: "+13058171434", Reason: "client_dnc", Source: "crm"}); err != nil {
		return err
	}

	// 2. Import the bundled CSV: every row ends accepted or rejected with a reason.
	list, err := svc.PutList(ctx, admin, campaign.List{Name: "November leads", CampaignID: c.ID})
	if err != nil {
		return err
	}
	var rejects bytes.Buffer
	res, err := cs.Imports().Import(ctx, admin, bytes.NewReader(contactsCSV), importer.Options{FileName: "contacts.csv", CampaignID: c.ID, ListID: list.ID, Rejects: &rejects})
	if err != nil {
		return err
	}
	k := res.Counts
	fmt.Fprintf(out, "import: %d rows → %d accepted, %d skipped, %d rejected\n", k.Rows, k.Accepted, k.Skipped, k.Rejected)
	reasons := make([]string, 0, len(k.Reasons))
	for r, n := range k.Reasons {
		reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
	}
	slices.Sort(reasons)
	fmt.Fprintf(out, "        reasons: %s\n", strings.Join(reasons, ", "))

	// 3. Dial: the real engine, the simulated carrier, six simulated agents.
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		if c, err = svc.Transition(ctx, admin, c.ID, to, ""); err != nil {
			return err
		}
	}
	e, err := cs.Engine(ctx, ws.ID, c.ID, dialer.Config{StatusEvery: time.Minute})
	if err != nil {
		return err
	}
	var callers []campaign.UserID
	for i := range 6 {
		id := campaign.UserID(fmt.Sprintf("caller%d", i+1))
		if _, err := svc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller}); err != nil {
			return err
		}
		callers = append(callers, id)
	}
	team, err := simagent.New(simagent.Config{Engine: e, Workspace: ws.ID, Clock: clock.Now, Agents: callers, Carrier: carrier,
		Outcome: func(att string, now time.Time) dialer.OutcomeInput {
			d := pick(att)
			in := dialer.OutcomeInput{DispositionID: d.ID, Note: "spoke with the decision maker"}
			if d.Callback {
				in.CallbackAt = now.Add(2 * time.Hour)
			}
			if d.Qualified {
				// The caller books the meeting and records whether the
				// prospect accepted the invite on the call (two in three);
				// the report's meeting acceptance counts these.
				in.MeetingBooked, in.MeetingAt = true, now.Add(72*time.Hour)
				in.MeetingAccepted = draw(att)/100%3 != 0
			}
			return in
		}})
	if err != nil {
		return err
	}
	if err := e.Start(ctx); err != nil {
		return err
	}
	if err := team.Login(ctx); err != nil {
		return err
	}
	shiftEnd := time.Date(2026, 11, 2, 17, 0, 0, 0, ny)
	if err := dialer.RunVirtual(ctx, e, carrier, clock, shiftEnd, team); err != nil {
		return err
	}
	if err := team.Logout(ctx); err != nil {
		return err
	}
	if err := dialer.RunVirtual(ctx, e, carrier, clock, shiftEnd.Add(15*time.Minute), team); err != nil {
		return err
	}
	if err := e.Stop(ctx); err != nil {
		return err
	}
	s := e.Stats()
	fmt.Fprintf(out, "dialer: %d calls, %d live, %d connected, %d abandoned, talk %s, %d refused at dial time\n",
		s.Dials, s.Live, s.Connected, s.Abandoned, s.TalkTime.Round(time.Second), s.Blocked)

	// The contacts still waiting for a callback, read as a member reads
	// them (a page of up to 100; NextCursor continues).
	page, err := svc.ListContacts(ctx, admin, campaign.ContactFilter{CampaignID: c.ID, Status: campaign.ContactCallback})
	if err != nil {
		return err
	}
	for _, ct := range page.Contacts {
		fmt.Fprintf(out, "callback pending: %s %s at %s\n", ct.FirstName, ct.LastName, ct.NextAttemptAt.In(ny).Format("Mon 15:04"))
	}

	// 4. Report, from the attempt log.
	r, err := cs.Reports().Campaign(ctx, ws.ID, c.ID)
	if err != nil {
		return err
	}
	fmt.Fprint(out, report.Text(r))
	return nil
}
