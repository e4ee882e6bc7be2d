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

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
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
	// Virtual time: Monday 2 November 2026, 08:30 in New York.
	clock := sim.NewClock(time.Date(2026, 11, 2, 8, 30, 0, 0, ny))
	st := memory.New()
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	svc, err := campaign.NewService(campaign.Config{Store: st, Clock: clock.Now})
	if err != nil {
		return err
	}
	supp, err := suppression.NewService(suppression.Config{Store: st, Authorizer: svc, Clock: clock.Now})
	if err != nil {
		return err
	}

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
	// A number already on the client's do-not-call list.
	if err := supp.Add(ctx, admin, suppression.Entry{List: suppression.Client("Globex"), Number: "+13058171434", Reason: "client_dnc", Source: "crm"}); err != nil {
		return err
	}

	// 2. Import the bundled CSV: every row ends accepted or rejected with a reason.
	imp, err := importer.New(importer.Config{Campaigns: svc, Store: st, Contacts: st, Suppression: supp, Clock: clock.Now})
	if err != nil {
		return err
	}
	list, err := svc.PutList(ctx, admin, campaign.List{Name: "November leads", CampaignID: c.ID})
	if err != nil {
		return err
	}
	var rejects bytes.Buffer
	res, err := imp.Import(ctx, admin, bytes.NewReader(contactsCSV), importer.Options{FileName: "contacts.csv", CampaignID: c.ID, ListID: list.ID, Rejects: &rejects})
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
	q, err := queue.NewService(queue.Config{Store: st, Campaigns: st, Suppression: supp, Authorizer: svc, Clock: clock.Now})
	if err != nil {
		return err
	}
	carrier, err := sim.New(sim.Config{Seed: 2026, Now: clock.Now, AnswerProb: sim.Constant(0.35)})
	if err != nil {
		return err
	}
	e, err := dialer.New(ctx, dialer.Config{Workspace: ws.ID, Campaign: c.ID, Campaigns: dialer.CampaignSource{Store: st, Service: svc},
		Queue: q, Attempts: st, Suppression: supp, Authorizer: svc, Carrier: carrier, Clock: clock.Now, StatusEvery: time.Minute})
	if err != nil {
		return err
	}
	if err := e.Start(ctx); err != nil {
		return err
	}
	agents := &agents{e: e, carrier: carrier, clock: clock, ws: ws.ID, due: map[string]time.Time{}, pick: func(att string) campaign.Disposition {
		h := fnv.New32a()
		h.Write([]byte(att))
		x := h.Sum32() % 100
		for _, d := range dispos {
			if x < d.weight {
				return d.d
			}
			x -= d.weight
		}
		return dispos[0].d
	}}
	for i := range 6 {
		id := campaign.UserID(fmt.Sprintf("caller%d", i+1))
		if _, err := svc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller}); err != nil {
			return err
		}
		if err := e.Login(ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: id}, dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(id)}}); err != nil {
			return err
		}
		agents.ids = append(agents.ids, id)
	}
	shiftEnd := time.Date(2026, 11, 2, 17, 0, 0, 0, ny)
	if err := dialer.RunVirtual(ctx, e, carrier, clock, shiftEnd, agents); err != nil {
		return err
	}
	for _, id := range agents.ids {
		_ = e.Logout(ctx, id)
	}
	if err := dialer.RunVirtual(ctx, e, carrier, clock, shiftEnd.Add(15*time.Minute), agents); err != nil {
		return err
	}
	if err := e.Stop(ctx); err != nil {
		return err
	}
	s := e.Stats()
	fmt.Fprintf(out, "dialer: %d calls, %d live, %d connected, %d abandoned, talk %s, %d refused at dial time\n",
		s.Dials, s.Live, s.Connected, s.Abandoned, s.TalkTime.Round(time.Second), s.Blocked)

	// 4. Report, from the attempt log.
	r, err := report.Campaign(ctx, st, ws.ID, c.ID, clock.Now())
	if err != nil {
		return err
	}
	fmt.Fprint(out, report.Text(r))
	return nil
}

// agents are simulated callers: each saves an outcome once the wrap-up
// the simulated call drew is over.
type agents struct {
	e       *dialer.Engine
	carrier *sim.Carrier
	clock   *sim.Clock
	ws      campaign.WorkspaceID
	ids     []campaign.UserID
	due     map[string]time.Time
	pick    func(attempt string) campaign.Disposition
}

func (a *agents) Next() (time.Time, bool) {
	now := a.clock.Now()
	var next time.Time
	for _, id := range a.ids {
		for _, att := range a.e.Awaiting(id) {
			if _, ok := a.due[att]; !ok {
				wrap := 15 * time.Second
				if cid, ok := a.e.CallOf(att); ok {
					if sc, ok := a.carrier.Peek(cid); ok {
						wrap = sc.Wrap
					}
				}
				a.due[att] = now.Add(wrap)
			}
		}
	}
	for _, t := range a.due {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next, !next.IsZero()
}

func (a *agents) Act(ctx context.Context, now time.Time) error {
	for _, id := range a.ids {
		for _, att := range a.e.Awaiting(id) {
			if t, ok := a.due[att]; !ok || t.After(now) {
				continue
			}
			delete(a.due, att)
			d := a.pick(att)
			in := dialer.OutcomeInput{DispositionID: d.ID, Note: "spoke with the decision maker"}
			if d.Callback {
				in.CallbackAt = now.Add(2 * time.Hour)
			}
			if d.Qualified {
				in.MeetingBooked, in.MeetingAt = true, now.Add(72*time.Hour)
			}
			if err := a.e.SaveOutcome(ctx, campaign.Actor{WorkspaceID: a.ws, UserID: id}, att, in); err != nil {
				return err
			}
		}
	}
	return nil
}
