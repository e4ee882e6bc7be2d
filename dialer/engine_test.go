package dialer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// world is a campaign on the memory store with the real queue and the
// simulated carrier in virtual time.
type world struct {
	t       *testing.T
	ctx     context.Context
	st      *memory.Store
	clock   *sim.Clock
	svc     *campaign.Service
	supp    *suppression.Service
	q       *queue.Service
	carrier *sim.Carrier
	admin   campaign.Actor
	c       campaign.Campaign
	disp    campaign.Disposition
	dnc     campaign.Disposition
	engine  *dialer.Engine
}

// Monday 2 November 2026, 14:00 UTC: 09:00 in New York.
var start = time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)

func newWorld(t *testing.T, settings campaign.Settings, contacts int, simCfg sim.Config) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), st: memory.New(), clock: sim.NewClock(start)}
	var err error
	w.svc, err = campaign.NewService(campaign.Config{Store: w.st, Clock: w.clock.Now})
	require.NoError(t, err)
	ws, err := w.svc.CreateWorkspace(w.ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	w.admin = campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	w.supp, err = suppression.NewService(suppression.Config{Store: w.st, Authorizer: w.svc, Clock: w.clock.Now})
	require.NoError(t, err)
	w.q, err = queue.NewService(queue.Config{Store: w.st, Campaigns: w.st, Suppression: w.supp, Authorizer: w.svc, Clock: w.clock.Now})
	require.NoError(t, err)
	settings.CallerIDs = []string{"+14155550100", "+14155550101"}
	w.c, err = w.svc.CreateCampaign(w.ctx, w.admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York", Settings: settings})
	require.NoError(t, err)
	w.disp, err = w.svc.PutDisposition(w.ctx, w.admin, campaign.Disposition{CampaignID: w.c.ID, Title: "Interested", Contacted: true, Final: true})
	require.NoError(t, err)
	w.dnc, err = w.svc.PutDisposition(w.ctx, w.admin, campaign.Disposition{CampaignID: w.c.ID, Title: "Stop calling me", Contacted: true, DNC: true, Final: true})
	require.NoError(t, err)
	cs := make([]campaign.Contact, contacts)
	for i := range cs {
		cs[i] = campaign.Contact{CampaignID: w.c.ID, Phone: fmt.Sprintf("+1212%07d", 2000000+i), Timezones: []string{"America/New_York"}, State: "NY", AreaCodeState: "NY"}
	}
	_, err = w.svc.AddContacts(w.ctx, w.admin, cs)
	require.NoError(t, err)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		w.c, err = w.svc.Transition(w.ctx, w.admin, w.c.ID, to, "")
		require.NoError(t, err)
	}
	simCfg.Now = w.clock.Now
	w.carrier, err = sim.New(simCfg)
	require.NoError(t, err)
	w.engine, err = dialer.New(w.ctx, dialer.Config{
		Workspace: ws.ID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
		Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now,
	})
	require.NoError(t, err)
	require.NoError(t, w.engine.Start(w.ctx))
	return w
}

// agentsActor saves an outcome a fixed wrap time after each call ends.
type agentsActor struct {
	w     *world
	ids   []campaign.UserID
	wrap  time.Duration
	dispo func(i int) campaign.DispositionID
	due   map[string]time.Time
	n     int
}

func (a *agentsActor) scan(now time.Time) {
	for _, id := range a.ids {
		for _, att := range a.w.engine.Awaiting(id) {
			if _, ok := a.due[att]; !ok {
				a.due[att] = now.Add(a.wrap)
			}
		}
	}
}

func (a *agentsActor) Next() (time.Time, bool) {
	a.scan(a.w.clock.Now())
	var next time.Time
	for _, t := range a.due {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	return next, !next.IsZero()
}

func (a *agentsActor) Act(ctx context.Context, now time.Time) error {
	for _, id := range a.ids {
		for _, att := range a.w.engine.Awaiting(id) {
			t, ok := a.due[att]
			if !ok || t.After(now) {
				continue
			}
			d := a.w.disp.ID
			if a.dispo != nil {
				d = a.dispo(a.n)
			}
			a.n++
			err := a.w.engine.SaveOutcome(ctx, campaign.Actor{WorkspaceID: a.w.admin.WorkspaceID, UserID: id}, att, dialer.OutcomeInput{DispositionID: d, Note: "ok"})
			if err != nil && !assert.ErrorIs(a.w.t, err, dialer.ErrUnknownAttempt) {
				return err
			}
			delete(a.due, att)
		}
	}
	return nil
}

func (w *world) login(n int) *agentsActor {
	a := &agentsActor{w: w, wrap: 10 * time.Second, due: map[string]time.Time{}}
	for i := range n {
		id := campaign.UserID(fmt.Sprintf("agent%d", i))
		_, err := w.svc.PutMember(w.ctx, w.admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
		require.NoError(w.t, err)
		require.NoError(w.t, w.engine.Login(w.ctx, campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: id},
			dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(id)}}))
		a.ids = append(a.ids, id)
	}
	return a
}

func (w *world) attempts() []campaign.Attempt {
	var all []campaign.Attempt
	f := queue.AttemptFilter{CampaignID: w.c.ID, Limit: 10000}
	for {
		as, err := w.st.ListAttempts(w.ctx, w.admin.WorkspaceID, f)
		require.NoError(w.t, err)
		all = append(all, as...)
		if len(as) < f.PageLimit() {
			return all
		}
		f.After = as[len(as)-1].ID
	}
}

func TestProgressiveCampaignRunsToCompletion(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 2, RetryInterval: 10 * time.Minute,
		MinTimeBetweenCalls: 10 * time.Minute}, 60, sim.Config{Seed: 7, AnswerProb: sim.Constant(0.5)})
	agents := w.login(3)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(4*time.Hour), agents))
	require.NoError(t, w.engine.Stop(w.ctx))

	st := w.engine.Stats()
	atts := w.attempts()
	t.Logf("stats %+v, attempts %d", st, len(atts))
	assert.Equal(t, st.Dials, len(atts), "every dial is in the attempt log")
	assert.Zero(t, st.Abandoned, "progressive dialing never abandons")
	assert.Positive(t, st.Connected)
	// One live attempt per contact at a time: a contact's attempts never overlap.
	byContact := map[campaign.ContactID][]campaign.Attempt{}
	for _, a := range atts {
		byContact[a.ContactID] = append(byContact[a.ContactID], a)
		assert.NotEmpty(t, a.CallerID)
		assert.NotEqual(t, campaign.ResultUnknown, a.Result)
	}
	for id, as := range byContact {
		assert.LessOrEqual(t, len(as), 2, "max attempts for %s", id)
		for i := 1; i < len(as); i++ {
			assert.False(t, as[i].StartedAt.Before(as[i-1].EndedAt), "attempts of %s overlap", id)
			assert.GreaterOrEqual(t, as[i].StartedAt.Sub(as[i-1].EndedAt), 10*time.Minute)
		}
	}
	// Every contact ends final; the campaign completes on its own.
	p, err := w.st.ListContacts(w.ctx, w.admin.WorkspaceID, campaign.ContactFilter{CampaignID: w.c.ID, Limit: 1000})
	require.NoError(t, err)
	for _, c := range p.Contacts {
		assert.True(t, c.Status.Final(), "contact %s is %s", c.ID, c.Status)
	}
	got, err := w.st.GetCampaign(w.ctx, w.admin.WorkspaceID, w.c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.StatusCompleted, got.Status)
}

func TestNoDialingWithoutAgents(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPredictive}, 20, sim.Config{Seed: 1})
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(10*time.Minute)))
	assert.Zero(t, w.engine.Stats().Dials)
	require.NoError(t, w.engine.Stop(w.ctx))
}

func TestPredictiveAbandonsAreCountedAndMessaged(t *testing.T) {
	// A power dialer at ratio 3 with one agent must abandon; each abandon
	// is logged as such, with the message played.
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 3, MaxAttempts: 1}, 200, sim.Config{Seed: 3, AnswerProb: sim.Constant(0.6)})
	agents := w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(30*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	st := w.engine.Stats()
	t.Logf("stats %+v", st)
	require.Positive(t, st.Abandoned)
	n := 0
	for _, a := range w.attempts() {
		if a.Abandoned {
			n++
			assert.Equal(t, campaign.ResultAbandoned, a.Result)
			assert.Empty(t, a.AgentID)
			assert.False(t, a.AnsweredAt.IsZero())
		}
	}
	assert.Equal(t, st.Abandoned, n)
}

func TestDNCOutcomeSuppressesAtOnce(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 3, RetryInterval: time.Minute, MinTimeBetweenCalls: time.Minute},
		5, sim.Config{Seed: 5, AnswerProb: sim.Constant(1)})
	agents := w.login(1)
	agents.dispo = func(int) campaign.DispositionID { return w.dnc.ID }
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(time.Hour), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	atts := w.attempts()
	require.NotEmpty(t, atts)
	seen := map[campaign.ContactID]bool{}
	for _, a := range atts {
		assert.False(t, seen[a.ContactID], "a DNC contact was called again")
		seen[a.ContactID] = true
		ms, err := w.supp.Check(w.ctx, w.admin.WorkspaceID, suppression.Query{Numbers: []string{a.Number}})
		require.NoError(t, err)
		assert.Contains(t, ms, a.Number)
		ct, err := w.st.GetContact(w.ctx, w.admin.WorkspaceID, a.ContactID)
		require.NoError(t, err)
		assert.Equal(t, campaign.ContactDNC, ct.Status)
		assert.False(t, ct.Consent.RevokedAt.IsZero())
	}
}

func TestSaveOutcomeListsWhatIsMissing(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive}, 3, sim.Config{Seed: 9, AnswerProb: sim.Constant(1)})
	strict, err := w.svc.PutDisposition(w.ctx, w.admin, campaign.Disposition{CampaignID: w.c.ID, Title: "Meeting", Contacted: true, Qualified: true,
		RequiresNote: true, RequiredFields: []string{"meeting_at"}, Final: true})
	require.NoError(t, err)
	require.NoError(t, w.engine.Stop(w.ctx))
	w.carrier, err = sim.New(sim.Config{Seed: 9, AnswerProb: sim.Constant(1), Now: w.clock.Now})
	require.NoError(t, err)
	eng, err := dialer.New(w.ctx, dialer.Config{Workspace: w.admin.WorkspaceID, Campaign: w.c.ID, Campaigns: dialer.CampaignSource{Store: w.st, Service: w.svc},
		Queue: w.q, Attempts: w.st, Suppression: w.supp, Authorizer: w.svc, Carrier: w.carrier, Clock: w.clock.Now,
		Playbook: []string{"intro", "pitch"}, QualificationFields: []string{"budget"}})
	require.NoError(t, err)
	w.engine = eng
	require.NoError(t, eng.Start(w.ctx))
	w.login(1)
	agent := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}
	// Run until the agent has a finished call.
	for i := 0; i < 600 && len(eng.Awaiting("agent0")) == 0; i++ {
		require.NoError(t, dialer.RunVirtual(w.ctx, eng, w.carrier, w.clock, w.clock.Now().Add(time.Second)))
	}
	att := eng.Awaiting("agent0")
	require.NotEmpty(t, att)
	err = eng.SaveOutcome(w.ctx, agent, att[0], dialer.OutcomeInput{DispositionID: strict.ID, PlaybookSteps: []string{"intro"}})
	var me *dialer.MissingError
	require.ErrorAs(t, err, &me)
	assert.ErrorIs(t, err, dialer.ErrOutcomeIncomplete)
	assert.Equal(t, []string{"note", "field:meeting_at", "playbook:pitch", "qualification:budget"}, me.Missing)
	viewer := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "vic"}
	_, err = w.svc.PutMember(w.ctx, w.admin, campaign.Member{UserID: "vic", Role: campaign.RoleViewer})
	require.NoError(t, err)
	require.ErrorIs(t, eng.SaveOutcome(w.ctx, viewer, att[0], dialer.OutcomeInput{DispositionID: strict.ID}), campaign.ErrForbidden)
	require.NoError(t, eng.SaveOutcome(w.ctx, agent, att[0], dialer.OutcomeInput{DispositionID: strict.ID, Note: "Tuesday",
		Fields: map[string]string{"meeting_at": "2026-11-10T10:00", "budget": "10k"}, PlaybookSteps: []string{"intro", "pitch"}, MeetingBooked: true}))
	require.NoError(t, eng.Stop(w.ctx))
	as, err := w.st.ListAttempts(w.ctx, w.admin.WorkspaceID, queue.AttemptFilter{CampaignID: w.c.ID})
	require.NoError(t, err)
	var found bool
	for _, a := range as {
		if string(a.ID) == att[0] {
			found = true
			assert.Equal(t, strict.ID, a.DispositionID)
			assert.True(t, a.Outcome.MeetingBooked)
			assert.True(t, a.Outcome.QualifiedLead)
			assert.Equal(t, "10k", a.Outcome.Fields["budget"])
		}
	}
	assert.True(t, found)
}

func TestFailureGuardrailPausesOnCarrierFailures(t *testing.T) {
	// Every dial fails at the carrier: the campaign is paused once the
	// window of 50 dials is full, and dialing stops.
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 2, MaxAttempts: 1}, 300,
		sim.Config{Seed: 9, FailDial: func(uint64, telephony.DialRequest) error {
			return &telephony.Error{Code: "trunk_down", Err: errors.New("503 from the trunk")}
		}})
	agents := w.login(2)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(30*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	got, err := w.st.GetCampaign(w.ctx, w.admin.WorkspaceID, w.c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.StatusPaused, got.Status)
	st := w.engine.Stats()
	// Paused when the window filled: only the dials already requested in
	// that tick (ratio 2 × 2 agents) come back after it.
	assert.GreaterOrEqual(t, st.Failed, 50, "%+v", st)
	assert.LessOrEqual(t, st.Failed, 54, "dialing went on after the pause: %+v", st)
}

func TestFailureGuardrailIgnoresFastFailuresOfABurst(t *testing.T) {
	// 27% of dials fail, well under the 50% threshold, but busy and failed
	// lines resolve in 2–6 s and no-answers only after 25 s: the first 50
	// resolutions of a burst of 200 dials are mostly failures. The window
	// takes outcomes in dial order, so the campaign keeps running.
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialPower, CallRatio: 10, MaxConcurrentCalls: 400, CallSpacing: 1000, MaxAttempts: 1}, 3000,
		sim.Config{Seed: 4, AnswerProb: sim.Constant(0.10), HeldProb: 0.4, BusyShare: 0.25})
	agents := w.login(20)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(5*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))
	got, err := w.st.GetCampaign(w.ctx, w.admin.WorkspaceID, w.c.ID)
	require.NoError(t, err)
	st := w.engine.Stats()
	assert.Equal(t, campaign.StatusRunning, got.Status, "%+v", st)
	assert.GreaterOrEqual(t, st.Dials, 150)
	assert.Less(t, float64(st.Failed), 0.35*float64(st.Dials))
}
