package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// authzTests are the doors of CallStack as each role and tenant meets
// them: the authorisation matrix, the limits of contact edits, and the
// validation every store sees alike.
var authzTests = []struct {
	name string
	fn   func(t *testing.T, x *queueHarness)
}{
	{"AuthorizationMatrix", testAuthorizationMatrix},
	{"ContactEditByRole", testContactEditByRole},
	{"ContactEditLeased", testContactEditLeased},
	{"ValidationOnWrite", testValidationOnWrite},
}

// runAuthzTests runs authzTests on a fresh store each, with every service
// wired to it: campaigns, queue, suppression, imports, reports and a
// dialer engine.
func runAuthzTests(t *testing.T, newStore NewStore) {
	for _, tt := range authzTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, newQueueHarness(t, newHarness(t, s), s, s, s))
		})
	}
}

// An authzRow is one method that acts for someone, and who may call it.
type authzRow struct {
	// typ and method name the method, as "*campaign.Service" and
	// "UpdateContact"; every exported method taking a campaign.Actor needs
	// a row.
	typ, method string
	// allow are the roles that may call it in their own workspace.
	allow []campaign.Role
	// cross says what an actor of another workspace meets when it passes
	// the method ids of the first workspace's records.
	cross crossRule
	// setup prepares fresh records in the first workspace for one call,
	// as its admin; it returns what call acts on. Optional.
	setup func(e *authzEnv, a campaign.Actor) any
	// call calls the method as a.
	call func(e *authzEnv, a campaign.Actor, target any) error
	// allowed judges an allowed call's error. Defaults to no error.
	allowed func(err error) bool
}

// crossRule is what an actor of another workspace meets.
type crossRule int

const (
	// crossRefused: the method names a record of the first workspace, so
	// the actor of another workspace is refused (campaign.ErrForbidden)
	// or told it does not exist (a not-found error), whatever its role.
	crossRefused crossRule = iota
	// crossOwn: the method names no record of the first workspace, so the
	// actor acts in its own workspace, under the same role rule; the first
	// workspace must not change.
	crossOwn
)

// authzEnv is the world the matrix runs in: workspace A (the target, with
// a Running campaign, its engine and contacts) and workspace B (the other
// tenant), each with one member of every role.
type authzEnv struct {
	x        *queueHarness
	a, b     map[campaign.Role]campaign.Actor
	stranger campaign.Actor
	c        campaign.Campaign
	disp     campaign.Disposition
	q        *queue.Service
	sup      *suppression.Service
	imp      *importer.Importer
	rep      *report.Service
	sched    *report.Scheduler
	engine   *dialer.Engine
	n        int
}

var allRoles = []campaign.Role{campaign.RoleTeamAdmin, campaign.RoleCampaignManager, campaign.RoleCaller, campaign.RoleViewer}

var (
	rolesAdmin   = []campaign.Role{campaign.RoleTeamAdmin}
	rolesManage  = []campaign.Role{campaign.RoleTeamAdmin, campaign.RoleCampaignManager}
	rolesCallers = []campaign.Role{campaign.RoleTeamAdmin, campaign.RoleCampaignManager, campaign.RoleCaller}
)

// next returns a fresh name for a record of one call.
func (e *authzEnv) next(prefix string) string {
	e.n++
	return fmt.Sprintf("%s%d", prefix, e.n)
}

// contact adds a fresh contact of A's campaign, owned by owner.
func (e *authzEnv) contact(owner campaign.UserID) campaign.Contact {
	e.x.t.Helper()
	return e.x.add(e.c, campaign.Contact{ID: campaign.ContactID(e.next("ct")), OwnerID: owner})[0]
}

// lease leases a contact of A's campaign as A's admin.
func (e *authzEnv) lease() queue.Lease {
	e.x.t.Helper()
	e.contact("")
	l, err := e.q.Next(e.x.ctx, e.a[campaign.RoleTeamAdmin], e.c.ID, time.Hour)
	require.NoError(e.x.t, err)
	return l
}

// login starts a's session in A's engine (A's admin logs it in, so the
// session exists whatever a's role) unless a is not of A.
func (e *authzEnv) login(a campaign.Actor) {
	e.x.t.Helper()
	if a.WorkspaceID != e.c.WorkspaceID {
		return
	}
	_ = e.engine.Logout(e.x.ctx, e.a[campaign.RoleTeamAdmin], a.UserID)
	err := e.engine.Login(e.x.ctx, e.a[campaign.RoleTeamAdmin], dialer.AgentConfig{ID: a.UserID,
		Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(a.UserID)}})
	require.NoError(e.x.t, err)
}

func authzRows() []authzRow {
	ctx := context.Background()
	cmp := "*campaign.Service"
	rows := []authzRow{
		{typ: cmp, method: "Authorize", allow: rolesCallers, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.Authorize(ctx, a, campaign.ActionDial)
				return err
			}},
		{typ: cmp, method: "UpdateWorkspaceSettings", allow: rolesAdmin, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.UpdateWorkspaceSettings(ctx, a, campaign.WorkspaceSettings{SourceOptions: []string{e.next("src")}})
				return err
			}},
		{typ: cmp, method: "PutMember", allow: rolesAdmin, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.PutMember(ctx, a, campaign.Member{UserID: campaign.UserID(e.next("new")), Role: campaign.RoleViewer})
				return err
			}},
		{typ: cmp, method: "RemoveMember", allow: rolesAdmin, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any {
				return e.x.member(e.a[campaign.RoleTeamAdmin], e.next("gone"), campaign.RoleViewer).UserID
			},
			call: func(e *authzEnv, a campaign.Actor, u any) error {
				return e.x.svc.RemoveMember(ctx, a, u.(campaign.UserID))
			}},
		{typ: cmp, method: "UpdateCallerID", allow: rolesManage, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				score := 3.5
				_, err := e.x.svc.UpdateCallerID(ctx, a, "+14155550199", campaign.CallerIDUpdate{SpamScore: &score})
				return err
			}},
		{typ: cmp, method: "ReadFeed", allow: allRoles, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.ReadFeed(ctx, a, campaign.FeedQuery{})
				return err
			}},
		{typ: cmp, method: "Follow", allow: allRoles, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
				defer cancel()
				return e.x.svc.Follow(ctx, a, campaign.FeedQuery{PollInterval: time.Millisecond}, func(campaign.FeedEvent) error { return nil })
			},
			allowed: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
		{typ: cmp, method: "PruneFeed", allow: rolesAdmin, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.PruneFeed(ctx, a, time.Unix(1, 0))
				return err
			}},
		{typ: cmp, method: "ActivateContacts", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.ActivateContacts(ctx, a, e.c.ID, "")
				return err
			}},
		{typ: cmp, method: "CreateCampaign", allow: rolesManage, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.CreateCampaign(ctx, a, campaign.Campaign{Name: e.next("camp")})
				return err
			}},
		{typ: cmp, method: "UpdateCampaign", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.UpdateCampaign(ctx, a, e.c.ID, func(c *campaign.Campaign) error { c.Notes = e.next("n"); return nil })
				return err
			}},
		{typ: cmp, method: "Transition", allow: rolesManage, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any {
				return e.x.campaign(e.a[campaign.RoleTeamAdmin], e.next("draft")).ID
			},
			call: func(e *authzEnv, a campaign.Actor, id any) error {
				_, err := e.x.svc.Transition(ctx, a, id.(campaign.ID), campaign.StatusQueued, "")
				return err
			}},
		{typ: cmp, method: "PutList", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.PutList(ctx, a, campaign.List{Name: e.next("list"), CampaignID: e.c.ID})
				return err
			}},
		{typ: cmp, method: "PutDisposition", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.PutDisposition(ctx, a, campaign.Disposition{CampaignID: e.c.ID, Title: e.next("d")})
				return err
			}},
		{typ: cmp, method: "PutGoal", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.PutGoal(ctx, a, campaign.Goal{CampaignID: e.c.ID, Title: e.next("g"), Kind: campaign.GoalSecondary}) // one active primary per campaign
				return err
			}},
		{typ: cmp, method: "PutAnalysis", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.PutAnalysis(ctx, a, campaign.Analysis{CampaignID: e.c.ID, Question: e.next("q?"), Kind: campaign.AnalysisOpen})
				return err
			}},
		{typ: cmp, method: "PutSchedule", allow: rolesManage, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.x.svc.PutSchedule(ctx, a, campaign.Schedule{Name: e.next("s"), Timezone: "America/New_York",
					Hours: map[time.Weekday][]campaign.Interval{time.Monday: {{Start: campaign.Clock(9, 0), End: campaign.Clock(17, 0)}}}})
				return err
			}},
		{typ: cmp, method: "AddContacts", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				e.x.n++
				_, err := e.x.svc.AddContacts(ctx, a, []campaign.Contact{{CampaignID: e.c.ID, Phone: phone(300000 + e.x.n)}})
				return err
			}},
		{typ: cmp, method: "ListContacts", allow: allRoles, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any { return e.contact("").ID },
			call: func(e *authzEnv, a campaign.Actor, id any) error {
				p, err := e.x.svc.ListContacts(ctx, a, campaign.ContactFilter{CampaignID: e.c.ID, Limit: 1000})
				if err != nil {
					return err
				}
				if !slices.ContainsFunc(p.Contacts, func(c campaign.Contact) bool { return c.ID == id.(campaign.ContactID) }) {
					return fmt.Errorf("the listing of %s misses contact %s", e.c.ID, id)
				}
				return nil
			}},
		{typ: cmp, method: "UpdateContact", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, a campaign.Actor) any { return e.contact(a.UserID).ID },
			call: func(e *authzEnv, a campaign.Actor, id any) error {
				_, err := e.x.svc.UpdateContact(ctx, a, id.(campaign.ContactID), func(c *campaign.Contact) error { c.Notes = "n"; return nil })
				return err
			}},
		{typ: cmp, method: "RevokeConsent", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any { return e.contact("").ID },
			call: func(e *authzEnv, a campaign.Actor, id any) error {
				_, err := e.x.svc.RevokeConsent(ctx, a, id.(campaign.ContactID), "call")
				return err
			}},
		{typ: cmp, method: "EraseContact", allow: rolesManage, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any { return e.contact("").ID },
			call: func(e *authzEnv, a campaign.Actor, id any) error {
				_, err := e.x.svc.EraseContact(ctx, a, id.(campaign.ContactID))
				return err
			}},

		{typ: "*queue.Service", method: "Next", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any { return e.contact("").ID },
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.q.Next(ctx, a, e.c.ID, time.Hour)
				return err
			}},
		{typ: "*queue.Service", method: "Redistribute", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.q.Redistribute(ctx, a, e.c.ID, "someone", "")
				return err
			}},
		{typ: "*queue.Service", method: "RedistributeStale", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.q.RedistributeStale(ctx, a, e.c.ID, "someone", "", time.Hour)
				return err
			}},
		{typ: "*queue.Service", method: "Retry", allow: rolesManage, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any { return e.contact("").ID },
			call: func(e *authzEnv, a campaign.Actor, id any) error {
				_, err := e.q.Retry(ctx, a, e.c.ID, id.(campaign.ContactID))
				return err
			}},
		{typ: "*queue.Service", method: "RetryFailed", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.q.RetryFailed(ctx, a, e.c.ID)
				return err
			}},

		{typ: "*suppression.Service", method: "Add", allow: rolesManage, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				e.x.n++
				return e.sup.Add(ctx, a, suppression.Entry{List: suppression.Client("Globex"), Number: phone(400000 + e.x.n), Reason: "client_dnc", Source: "crm"})
			}},
		{typ: "*suppression.Service", method: "Remove", allow: rolesAdmin, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				err := e.sup.Remove(ctx, a, suppression.Key{List: suppression.Global(), Number: phone(1)})
				if errors.Is(err, suppression.ErrNotFound) {
					return nil // allowed; nothing was there to remove
				}
				return err
			}},
		{typ: "*suppression.Service", method: "LoadRegistry", allow: rolesManage, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.sup.LoadRegistry(ctx, a, strings.NewReader("4155550199\n"), suppression.Campaign(e.c.ID), suppression.Entry{Source: "registry"})
				return err
			}},

		{typ: "*suppression.Service", method: "LoadDNCL", allow: rolesAdmin, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.sup.LoadDNCL(ctx, a, strings.NewReader("4165550199\n"), suppression.Entry{})
				return err
			}},

		{typ: "*importer.Importer", method: "Import", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				e.x.n++
				csv := fmt.Sprintf("phone,first_name\n%s,Ann\n", phone(500000+e.x.n))
				_, err := e.imp.Import(ctx, a, strings.NewReader(csv), importer.Options{FileName: "a.csv", CampaignID: e.c.ID})
				return err
			}},
		{typ: "*importer.Importer", method: "AddExisting", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.imp.AddExisting(ctx, a, importer.AddOptions{CampaignID: e.c.ID})
				return err
			}},

		{typ: "*report.Service", method: "Export", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.rep.Export(ctx, a, io.Discard, report.ExportRequest{WorkspaceID: e.c.WorkspaceID, CampaignID: e.c.ID, Kind: report.ExportContacts})
				return err
			}},
		{typ: "*report.Service", method: "History", allow: rolesManage, cross: crossOwn,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.rep.History(ctx, a, 10)
				return err
			}},
		{typ: "*report.Scheduler", method: "Add", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				return e.sched.Add(ctx, a, report.Schedule{ID: report.ScheduleID(e.next("rs")), WorkspaceID: e.c.WorkspaceID,
					CampaignID: e.c.ID, Trigger: report.TriggerMidnight, Recipients: []string{"client@example.com"}, Attach: true})
			}},
		{typ: "*report.Scheduler", method: "Remove", allow: rolesManage, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any {
				id := report.ScheduleID(e.next("rs"))
				require.NoError(e.x.t, e.sched.Add(ctx, e.a[campaign.RoleTeamAdmin], report.Schedule{ID: id, WorkspaceID: e.c.WorkspaceID,
					CampaignID: e.c.ID, Trigger: report.TriggerMidnight, Recipients: []string{"client@example.com"}}))
				return id
			},
			call: func(e *authzEnv, a campaign.Actor, id any) error {
				return e.sched.Remove(ctx, a, e.c.WorkspaceID, id.(report.ScheduleID))
			}},
		{typ: "*report.Scheduler", method: "List", allow: rolesManage, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.sched.List(ctx, a, e.c.WorkspaceID)
				return err
			}},

		{typ: "*dialer.Engine", method: "Login", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, a campaign.Actor) any {
				_ = e.engine.Logout(ctx, e.a[campaign.RoleTeamAdmin], a.UserID)
				return nil
			},
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				return e.engine.Login(ctx, a, dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(a.UserID)}})
			}},
		{typ: "*dialer.Engine", method: "Logout", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, a campaign.Actor) any { e.login(a); return nil },
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				return e.engine.Logout(ctx, a, a.UserID)
			}},
		{typ: "*dialer.Engine", method: "Pause", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, a campaign.Actor) any { e.login(a); return nil },
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				return e.engine.Pause(ctx, a, a.UserID, true)
			}},
		{typ: "*dialer.Engine", method: "Preview", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, a campaign.Actor) any { e.login(a); e.contact(""); return nil },
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				_, err := e.engine.Preview(ctx, a)
				return err
			}},
		{typ: "*dialer.Engine", method: "Dial", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, a campaign.Actor) any { e.login(a); return dialer.PreviewContext{Lease: e.lease()} },
			call: func(e *authzEnv, a campaign.Actor, p any) error {
				_, err := e.engine.Dial(ctx, a, p.(dialer.PreviewContext))
				return err
			}},
		{typ: "*dialer.Engine", method: "Skip", allow: rolesCallers, cross: crossRefused,
			setup: func(e *authzEnv, _ campaign.Actor) any { return dialer.PreviewContext{Lease: e.lease()} },
			call: func(e *authzEnv, a campaign.Actor, p any) error {
				return e.engine.Skip(ctx, a, p.(dialer.PreviewContext))
			}},
		// An allowed SaveOutcome of an attempt nobody took passes the door
		// and stops at the attempt; the whole flow, with the agent's own
		// attempt, is the dialer's TestEngineAdmitsOnlyItsWorkspace.
		{typ: "*dialer.Engine", method: "SaveOutcome", allow: rolesCallers, cross: crossRefused,
			call: func(e *authzEnv, a campaign.Actor, _ any) error {
				return e.engine.SaveOutcome(ctx, a, "no-such-attempt", dialer.OutcomeInput{DispositionID: e.disp.ID})
			},
			allowed: func(err error) bool { return errors.Is(err, dialer.ErrUnknownAttempt) }},
	}
	return rows
}

// actorMethods lists the exported methods of v's type that take a
// campaign.Actor: the methods the matrix must cover.
func actorMethods(v any) []string {
	actor := reflect.TypeFor[campaign.Actor]()
	t := reflect.TypeOf(v)
	var out []string
	for i := range t.NumMethod() {
		m := t.Method(i)
		for j := range m.Type.NumIn() {
			if m.Type.In(j) == actor {
				out = append(out, m.Name)
				break
			}
		}
	}
	return out
}

// uncovered lists the methods of services ("*pkg.Type.Method") that take
// a campaign.Actor and have no row.
func uncovered(services map[string]any, rows []authzRow) []string {
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.typ+"."+r.method] = true
	}
	var out []string
	for typ, svc := range services {
		for _, m := range actorMethods(svc) {
			if !covered[typ+"."+m] {
				out = append(out, typ+"."+m)
			}
		}
	}
	slices.Sort(out)
	return out
}

// notFound reports whether err is a not-found error (each package's wraps
// campaign.ErrNotFound).
func notFound(err error) bool {
	return errors.Is(err, campaign.ErrNotFound)
}

// testAuthorizationMatrix calls every method that acts for someone as
// each role of the target workspace, as each role of another workspace
// and as a non-member, from one table (authzRows), and checks each is
// allowed or refused as the table says. A method taking a campaign.Actor
// without a row fails the test.
func testAuthorizationMatrix(t *testing.T, x *queueHarness) {
	e := newAuthzEnv(t, x)
	rows := authzRows()

	services := map[string]any{
		"*campaign.Service": x.svc, "*queue.Service": e.q, "*suppression.Service": e.sup, "*importer.Importer": e.imp,
		"*report.Service": e.rep, "*report.Scheduler": e.sched, "*dialer.Engine": e.engine,
	}
	covered := map[string]bool{}
	for _, r := range rows {
		key := r.typ + "." + r.method
		require.False(t, covered[key], "two rows for %s", key)
		covered[key] = true
		svc, ok := services[r.typ]
		require.True(t, ok, "row %s names an unknown type", key)
		require.Contains(t, actorMethods(svc), r.method, "row %s names no method that takes a campaign.Actor", key)
	}
	for _, m := range uncovered(services, rows) {
		assert.Fail(t, "a method acts for someone but has no row in the authorisation matrix", m)
	}

	auditA := func() int {
		as, err := x.store.ListAudit(x.ctx, e.c.WorkspaceID, campaign.AuditFilter{Limit: 100000})
		require.NoError(t, err)
		return len(as)
	}
	for _, r := range rows {
		t.Run(strings.TrimPrefix(r.typ, "*")+"."+r.method, func(t *testing.T) {
			// run prepares the call's records, then calls as a; before
			// is the target workspace's audit length between the two.
			run := func(a campaign.Actor) (before int, err error) {
				var target any
				if r.setup != nil {
					target = r.setup(e, a)
				}
				before = auditA()
				return before, r.call(e, a, target)
			}
			for _, role := range allRoles {
				a := e.a[role]
				_, err := run(a)
				if slices.Contains(r.allow, role) {
					ok := err == nil
					if r.allowed != nil {
						ok = r.allowed(err)
					}
					assert.True(t, ok, "own workspace, %s: allowed, got %v", role, err)
				} else {
					assert.ErrorIs(t, err, campaign.ErrForbidden, "own workspace, %s: refused", role)
				}
			}
			for _, role := range allRoles {
				a := e.b[role]
				before, err := run(a)
				switch {
				case r.cross == crossRefused:
					assert.True(t, errors.Is(err, campaign.ErrForbidden) || notFound(err),
						"another workspace, %s: refused or not found, got %v", role, err)
				case slices.Contains(r.allow, role):
					ok := err == nil
					if r.allowed != nil {
						ok = r.allowed(err)
					}
					assert.True(t, ok, "another workspace, %s, acting in its own: allowed, got %v", role, err)
				default:
					assert.ErrorIs(t, err, campaign.ErrForbidden, "another workspace, %s: refused", role)
				}
				assert.Equal(t, before, auditA(), "another workspace, %s: the target workspace is unchanged", role)
			}
			before, err := run(e.stranger)
			assert.ErrorIs(t, err, campaign.ErrForbidden, "non-member: refused")
			assert.Equal(t, before, auditA(), "non-member: nothing changes")
		})
	}
}

func newAuthzEnv(t *testing.T, x *queueHarness) *authzEnv {
	e := &authzEnv{x: x, q: x.q, sup: x.sup,
		a: map[campaign.Role]campaign.Actor{}, b: map[campaign.Role]campaign.Actor{}}
	other := x.workspace("other")
	for _, role := range allRoles {
		if role == campaign.RoleTeamAdmin {
			e.a[role], e.b[role] = x.admin, other
			continue
		}
		e.a[role] = x.member(x.admin, "a-"+string(role), role)
		e.b[role] = x.member(other, "b-"+string(role), role)
	}
	// The stranger is a member of B only, naming A.
	x.member(other, "stranger", campaign.RoleTeamAdmin)
	e.stranger = campaign.Actor{WorkspaceID: x.admin.WorkspaceID, UserID: "stranger"}
	e.c = x.running(func(c *campaign.Campaign) {
		c.Client = "Globex"
		c.Settings.CallerIDs = []string{"+14155550100"}
	})
	var err error
	e.disp, err = x.svc.PutDisposition(x.ctx, x.admin, campaign.Disposition{CampaignID: e.c.ID, Title: "Done", Contacted: true, Final: true})
	require.NoError(t, err)

	e.imp, err = importer.New(importer.Config{Campaigns: x.svc, Store: x.store, Contacts: x.store, Suppression: x.sup, Clock: x.clock.Now})
	require.NoError(t, err)
	e.rep, err = report.NewService(report.Config{Store: x.store, Clock: x.clock.Now, Authorizer: x.svc})
	require.NoError(t, err)
	e.sched, err = report.NewScheduler(report.SchedulerConfig{Service: e.rep, Sender: discardSender{}})
	require.NoError(t, err)
	carrier, err := sim.New(sim.Config{Seed: 1, Now: x.clock.Now})
	require.NoError(t, err)
	e.engine, err = dialer.New(x.ctx, dialer.Config{Workspace: e.c.WorkspaceID, Campaign: e.c.ID,
		Campaigns: dialer.CampaignSource{Store: x.store, Service: x.svc}, Queue: x.q, Attempts: x.store,
		Suppression: x.sup, Authorizer: x.svc, Carrier: carrier, Clock: x.clock.Now})
	require.NoError(t, err)
	// Driven in virtual time (a preview Dial needs a driver to place its
	// call); never stepped again, the calls it places end at Stop.
	_, err = dialer.NewVirtualTime().Step(x.ctx, e.engine)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.engine.Stop(context.Background()) })
	return e
}

// discardSender accepts every message.
type discardSender struct{}

func (discardSender) Send(context.Context, report.Message) error { return nil }
