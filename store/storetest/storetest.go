// Package storetest is the conformance suite every CallStack store adapter
// passes: the in-memory, SQLite and Postgres adapters run it, and so should
// any adapter a user writes.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Capabilities{}, func(t *testing.T) store.Store { return newStore(t) })
//	}
//
// newStore must return a fresh, migrated, empty store for each call; the
// suite closes it. The suite runs every test against every adapter: there
// are no optional interfaces and no skips. Where backends may honestly
// differ, the adapter declares it in [Capabilities] and the suite checks
// the behaviour it declared.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report/reporttest"
	"github.com/callstackhq/callstack/store"
)

// NewStore returns a fresh, migrated, empty store for one test.
type NewStore func(t *testing.T) store.Store

// Capabilities declares the ways an adapter differs from the others. The
// zero value describes a store that judges every time by the now passed
// to each call (the memory and SQLite adapters).
type Capabilities struct {
	// StoreClock, when set, builds a fresh, migrated, empty store that
	// judges lease expiry by a clock of its own shared by every process
	// (queue.StoreClock; the Postgres adapter's default, so that hosts
	// with skewed clocks agree), where newStore's store judges it by the
	// now passed (queue.CallerClock), as the suite's virtual clock needs.
	// The suite then checks that a lease outlives a caller's clock that
	// jumped ahead. Leave nil when the store always judges by the now
	// passed; the suite then checks that it does. Defaults to nil.
	StoreClock NewStore
}

// Run runs the whole conformance suite against the adapter newStore
// builds, with the differences caps declares.
func Run(t *testing.T, caps Capabilities, newStore NewStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"MigrateIdempotent", testMigrateIdempotent},
		{"WorkspaceRoundTrip", testWorkspaceRoundTrip},
		{"CampaignRoundTrip", testCampaignRoundTrip},
		{"ChildrenRoundTrip", testChildrenRoundTrip},
		{"ContactRoundTrip", testContactRoundTrip},
		{"NotFound", testNotFound},
		{"WorkspaceIsolation", testWorkspaceIsolation},
		{"Transitions", testTransitions},
		{"Roles", testRoles},
		{"OptimisticConcurrency", testOptimisticConcurrency},
		{"InsertContactsAtomic", testInsertContactsAtomic},
		{"ContactListing", testContactListing},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Erase", testErase},
		{"ScheduleMustExist", testScheduleMustExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, newHarness(t, s))
		})
	}
	for _, tt := range suppressionTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, newHarness(t, s), s)
		})
	}
	runQueueTests(t, newStore)
	runImporterTests(t, newStore)
	runCampaignLeaseTests(t, newStore)
	runCallerIDTests(t, newStore)
	runScheduleTests(t, newStore)
	runLeaseClockTests(t, caps, newStore)
	t.Run("Report", func(t *testing.T) {
		reporttest.Run(t, func(t *testing.T) reporttest.Store {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			return s
		})
	})
	runAuthzTests(t, newStore)
	runCampaignRuleTests(t, newStore)
}

// Clock is a manual clock for tests: it starts at a fixed instant and moves
// only when told. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type harness struct {
	t     *testing.T
	ctx   context.Context
	store store.Store
	clock *Clock
	svc   *campaign.Service
	supp  *recordingSuppressor
}

type recordingSuppressor struct {
	mu    sync.Mutex
	calls [][]string
}

func (r *recordingSuppressor) SuppressErased(_ context.Context, _ campaign.WorkspaceID, phones []string, _ string, _ campaign.UserID, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, phones)
	return nil
}

func newHarness(t *testing.T, s store.Store) *harness {
	// A non-UTC start with nanoseconds checks times come back exact, in UTC.
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	clock := NewClock(time.Date(2026, 3, 8, 1, 59, 59, 123456789, ny))
	supp := &recordingSuppressor{}
	svc, err := campaign.NewService(campaign.Config{Store: s, Clock: clock.Now, Suppressor: supp, CallerIDs: s})
	require.NoError(t, err)
	return &harness{t: t, ctx: context.Background(), store: s, clock: clock, svc: svc, supp: supp}
}

// workspace creates a workspace owned by an admin and returns the admin.
func (h *harness) workspace(name string) campaign.Actor {
	h.t.Helper()
	admin := campaign.UserID("admin-" + name)
	w, err := h.svc.CreateWorkspace(h.ctx, campaign.Member{UserID: admin, Name: "Admin " + name}, campaign.Workspace{Name: name})
	require.NoError(h.t, err)
	return campaign.Actor{WorkspaceID: w.ID, UserID: admin}
}

func (h *harness) member(admin campaign.Actor, user string, role campaign.Role) campaign.Actor {
	h.t.Helper()
	_, err := h.svc.PutMember(h.ctx, admin, campaign.Member{UserID: campaign.UserID(user), Role: role, Name: user})
	require.NoError(h.t, err)
	return campaign.Actor{WorkspaceID: admin.WorkspaceID, UserID: campaign.UserID(user)}
}

func (h *harness) campaign(actor campaign.Actor, name string) campaign.Campaign {
	h.t.Helper()
	c, err := h.svc.CreateCampaign(h.ctx, actor, campaign.Campaign{Name: name})
	require.NoError(h.t, err)
	return c
}

func (h *harness) contacts(actor campaign.Actor, cs ...campaign.Contact) []campaign.Contact {
	h.t.Helper()
	out, err := h.svc.AddContacts(h.ctx, actor, cs)
	require.NoError(h.t, err)
	return out
}

// phone returns a distinct valid-looking E.164 number.
func phone(i int) string { return fmt.Sprintf("+1415%07d", 2000000+i) }

func testMigrateIdempotent(t *testing.T, h *harness) {
	require.NoError(t, h.store.Migrate(h.ctx))
	require.NoError(t, h.store.Migrate(h.ctx))
	admin := h.workspace("acme")
	require.NoError(t, h.store.Migrate(h.ctx))
	_, err := h.store.GetWorkspace(h.ctx, admin.WorkspaceID)
	require.NoError(t, err, "Migrate must keep data")
}

func testWorkspaceRoundTrip(t *testing.T, h *harness) {
	owner := campaign.Member{UserID: "u1", Name: "Ada", Email: "ada@example.com"}
	in := campaign.Workspace{Name: "Acme", Settings: campaign.WorkspaceSettings{
		DefaultRegion: "GB", Timezone: "Europe/London", TimeFormat: "12h",
		ImportDefaults: campaign.ImportDefaults{DuplicatePolicy: "merge", KeepInvalidEmail: true, RequiredFields: []string{"first_name", "company"}},
		SourceOptions:  []string{"web", "event"},
		CustomFields:   []campaign.CustomField{{Key: "crm_id", Label: "CRM id", MaxLength: 40}, {Key: "segment", Label: "Segment", MaxLength: 1000}},
	}}
	w, err := h.svc.CreateWorkspace(h.ctx, owner, in)
	require.NoError(t, err)
	got, err := h.store.GetWorkspace(h.ctx, w.ID)
	require.NoError(t, err)
	assertUTC(t, got.CreatedAt, got.UpdatedAt)
	assert.Equal(t, w, got)

	m, err := h.store.GetMember(h.ctx, w.ID, "u1")
	require.NoError(t, err)
	assert.Equal(t, campaign.RoleTeamAdmin, m.Role)
	assert.Equal(t, "ada@example.com", m.Email)
	assertUTC(t, m.CreatedAt)
	assert.True(t, m.CreatedAt.Equal(h.clock.Now()))

	admin := campaign.Actor{WorkspaceID: w.ID, UserID: "u1"}
	h.clock.Advance(time.Minute)
	settings := got.Settings
	settings.SourceOptions = append(settings.SourceOptions, "referral")
	w2, err := h.svc.UpdateWorkspaceSettings(h.ctx, admin, settings)
	require.NoError(t, err)
	got, err = h.store.GetWorkspace(h.ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, w2, got)
	assert.Equal(t, []string{"web", "event", "referral"}, got.Settings.SourceOptions)

	h.member(admin, "u2", campaign.RoleCaller)
	h.member(admin, "u2", campaign.RoleViewer) // role change
	ms, err := h.store.ListMembers(h.ctx, w.ID)
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, campaign.UserID("u2"), ms[1].UserID)
	assert.Equal(t, campaign.RoleViewer, ms[1].Role)
	require.NoError(t, h.svc.RemoveMember(h.ctx, admin, "u2"))
	_, err = h.store.GetMember(h.ctx, w.ID, "u2")
	require.ErrorIs(t, err, campaign.ErrNotFound)
}

// fullCampaign sets every field to a non-default value.
func fullCampaign(h *harness) campaign.Campaign {
	ny, _ := time.LoadLocation("America/New_York")
	return campaign.Campaign{
		Name: "Spring renewals", OwnerID: "admin-acme", Client: "Globex", Goal: "book demos",
		TargetCallVolume: 5000, StartDate: time.Date(2026, 4, 1, 9, 0, 0, 1, ny), Deadline: time.Date(2026, 6, 30, 17, 0, 0, 0, time.UTC),
		Notes: "internal only", Locale: "en-GB", DefaultRegion: "US", Timezone: "America/Chicago",
		SourceLabels: []string{"webinar", "trade show"}, Health: campaign.HealthAtRisk,
		Settings: campaign.Settings{
			DialMode: campaign.DialPredictive, CallRatio: 2.5, MaxConcurrentCalls: 30, DialerInterval: 2 * time.Second,
			CallSpacing: 3.5, RingTimeout: 20 * time.Second, WrapUp: 45 * time.Second, AMD: campaign.AMDDetectMessageEnd,
			MaxAttempts: 5, RetryInterval: 90 * time.Minute, RetryConditions: []campaign.Result{campaign.ResultBusy, campaign.ResultNoAnswer},
			MinTimeBetweenCalls: 2 * time.Hour, ContactCompletionTimeout: 3 * time.Minute, HopperSize: 250, HopperExpiry: 2 * time.Minute,
			DialWindow:   campaign.DialWindow{Start: campaign.Clock(10, 30), End: campaign.Clock(19, 45), Days: []time.Weekday{time.Monday, time.Wednesday}},
			FallbackZone: "America/Denver", AllowedCountries: []string{"US", "CA"}, Voice: campaign.VoiceAI,
			RequiredConsent: campaign.ConsentExpressWritten, AbandonCap: 0.025, AbandonWindow: 24 * time.Hour, AbandonPeriod: campaign.AbandonRolling,
			LaneOrder:     []campaign.Lane{campaign.LaneHotLead, campaign.LaneCallback, campaign.LanePriority, campaign.LaneRetry, campaign.LaneNew, campaign.LaneRedistributable},
			CallbackGrace: 7 * time.Minute, CallerIDs: []string{"+14155550100", "+14155550101"},
		},
	}
}

func testCampaignRoundTrip(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	c, err := h.svc.CreateCampaign(h.ctx, admin, fullCampaign(h))
	require.NoError(t, err)
	assert.Equal(t, campaign.StatusDraft, c.Status)
	got, err := h.store.GetCampaign(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assertUTC(t, got.StartDate, got.Deadline, got.CreatedAt, got.UpdatedAt)
	assert.Equal(t, c, got)

	// Defaults are documented and applied.
	d := h.campaign(admin, "defaults")
	assert.Equal(t, campaign.DialProgressive, d.Settings.DialMode)
	assert.Equal(t, 25*time.Second, d.Settings.RingTimeout)
	assert.Equal(t, []string{"US"}, d.Settings.AllowedCountries)
	assert.Equal(t, campaign.ConsentNone, d.Settings.RequiredConsent)
	got, err = h.store.GetCampaign(h.ctx, admin.WorkspaceID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, d, got)

	h.clock.Advance(time.Second)
	up, err := h.svc.UpdateCampaign(h.ctx, admin, c.ID, func(c *campaign.Campaign) error {
		c.Notes, c.Settings.MaxAttempts = "changed", 7
		return nil
	})
	require.NoError(t, err)
	got, err = h.store.GetCampaign(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, up, got)
	assert.Equal(t, c.Version+1, got.Version)

	all, err := h.store.ListCampaigns(h.ctx, admin.WorkspaceID)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, []campaign.ID{c.ID, d.ID}, []campaign.ID{all[0].ID, all[1].ID})

	// Bad settings are refused at construction, naming the field.
	bad := fullCampaign(h)
	bad.Settings.RingTimeout = 10 * time.Second
	_, err = h.svc.CreateCampaign(h.ctx, admin, bad)
	require.ErrorIs(t, err, campaign.ErrInvalid)
	assert.Contains(t, err.Error(), "Settings.RingTimeout")
}

func testChildrenRoundTrip(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c1")
	l, err := h.svc.PutList(h.ctx, admin, campaign.List{CampaignID: c.ID, Name: "April", Priority: 80, ExpireDays: 30, DupeDays: -1})
	require.NoError(t, err)
	gotL, err := h.store.GetList(h.ctx, admin.WorkspaceID, l.ID)
	require.NoError(t, err)
	assertUTC(t, gotL.CreatedAt)
	assert.Equal(t, l, gotL)
	l2, err := h.svc.PutList(h.ctx, admin, campaign.List{Name: "Defaults"})
	require.NoError(t, err)
	assert.Equal(t, 90, l2.DupeDays)
	assert.Equal(t, 50, l2.Priority)
	lists, err := h.store.ListLists(h.ctx, admin.WorkspaceID)
	require.NoError(t, err)
	require.Len(t, lists, 2)
	assert.Equal(t, l.ID, lists[0].ID)

	d, err := h.svc.PutDisposition(h.ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Meeting booked", Qualified: true, Contacted: true, RequiresNote: true, RequiredFields: []string{"meeting_at"}, Final: true})
	require.NoError(t, err)
	d2, err := h.svc.PutDisposition(h.ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Stop calling me", DNC: true, Final: true, Contacted: true})
	require.NoError(t, err)
	ds, err := h.store.ListDispositions(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []campaign.Disposition{d, d2}, ds)

	g, err := h.svc.PutGoal(h.ctx, admin, campaign.Goal{CampaignID: c.ID, Kind: campaign.GoalPrimary, Title: "Demo"})
	require.NoError(t, err)
	gs, err := h.store.ListGoals(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []campaign.Goal{g}, gs)
	g.Archived = true
	_, err = h.svc.PutGoal(h.ctx, admin, g)
	require.NoError(t, err)
	gs, err = h.store.ListGoals(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	require.Len(t, gs, 1)
	assert.True(t, gs[0].Archived)

	an, err := h.svc.PutAnalysis(h.ctx, admin, campaign.Analysis{CampaignID: c.ID, Kind: campaign.AnalysisMultipleChoice, Question: "Which products?", Choices: []string{"A", "B", "C"}, Active: true})
	require.NoError(t, err)
	ans, err := h.store.ListAnalyses(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []campaign.Analysis{an}, ans)

	sc, err := h.svc.PutSchedule(h.ctx, admin, campaign.Schedule{Name: "Office", Timezone: "America/Chicago",
		Hours: map[time.Weekday][]campaign.Interval{
			time.Monday:  {{Start: campaign.Clock(9, 0), End: campaign.Clock(12, 0)}, {Start: campaign.Clock(13, 0), End: campaign.Clock(17, 30)}},
			time.Tuesday: {{Start: campaign.Clock(9, 0), End: campaign.Clock(17, 0)}},
		},
		Exceptions: []campaign.ScheduleException{{Date: "2026-12-25"}, {Date: "2026-12-26", Hours: []campaign.Interval{{Start: campaign.Clock(10, 0), End: campaign.Clock(14, 0)}}}},
	})
	require.NoError(t, err)
	gotS, err := h.store.GetSchedule(h.ctx, admin.WorkspaceID, sc.ID)
	require.NoError(t, err)
	assert.Equal(t, sc, gotS)
}

// fullContact sets every field to a non-default value.
func fullContact(c campaign.Campaign, l campaign.ListID) campaign.Contact {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	return campaign.Contact{
		CampaignID: c.ID, ListID: l, FirstName: "Grace", LastName: "Hopper", Company: "Navy",
		Phone: "+14155552671", AltPhones: []string{"+14155552672", "+442079460958"}, Extension: "4201", Email: "grace@example.com",
		Source: "webinar", OwnerID: "admin-acme", Tags: []string{"vip", "east", "a-tag"}, Priority: campaign.PriorityHigh,
		Custom: map[string]string{"crm_id": "C-42", "segment": "ent, \"quoted\""}, Notes: "likes mornings\nsecond line",
		Timezones: []string{"America/Los_Angeles"}, State: "CA", AreaCodeState: "CA",
		Status: campaign.ContactRetry, Lane: campaign.LaneRetry, Attempts: 2,
		LastAttemptAt: time.Date(2026, 3, 7, 10, 0, 0, 999, tokyo), NextAttemptAt: time.Date(2026, 3, 9, 15, 4, 5, 6, time.UTC),
		CallbackOwner: "admin-acme",
		Consent: campaign.Consent{Kind: campaign.ConsentExpressWritten, Source: "https://example.com/form", CapturedAt: time.Date(2025, 12, 1, 8, 0, 0, 0, tokyo),
			Scope: campaign.ConsentScopeClient},
	}
}

func testContactRoundTrip(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c1")
	l, err := h.svc.PutList(h.ctx, admin, campaign.List{Name: "l"})
	require.NoError(t, err)
	in := h.contacts(admin, fullContact(c, l.ID))[0]
	got, err := h.store.GetContact(h.ctx, admin.WorkspaceID, in.ID)
	require.NoError(t, err)
	assertUTC(t, got.LastAttemptAt, got.NextAttemptAt, got.Consent.CapturedAt, got.CreatedAt, got.UpdatedAt)
	assert.Equal(t, in, got)

	// Minimal contact: defaults, empty collections.
	min := h.contacts(admin, campaign.Contact{Phone: "+14155550123"})[0]
	got, err = h.store.GetContact(h.ctx, admin.WorkspaceID, min.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactPending, got.Status)
	assert.Equal(t, campaign.LaneNew, got.Lane)
	assert.Empty(t, got.Tags)
	assert.Empty(t, got.Custom)
	assert.True(t, got.LastAttemptAt.IsZero())
	assert.Equal(t, normContact(min), normContact(got))

	// Update, including revoking consent and dropping a tag.
	h.clock.Advance(time.Hour)
	up, err := h.svc.UpdateContact(h.ctx, admin, in.ID, func(c *campaign.Contact) error {
		c.Tags = []string{"east"}
		c.Consent.RevokedAt, c.Consent.RevokedVia = h.clock.Now(), "call"
		c.Custom["new"] = "x"
		c.Extension = "77"
		return nil
	})
	require.NoError(t, err)
	got, err = h.store.GetContact(h.ctx, admin.WorkspaceID, in.ID)
	require.NoError(t, err)
	assert.Equal(t, up, got)
	assert.Equal(t, "77", got.Extension, "the extension is updated")
	assert.Equal(t, in.Version+1, got.Version)
	assertUTC(t, got.Consent.RevokedAt)
}

func testNotFound(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	ws := admin.WorkspaceID
	_, err := h.store.GetWorkspace(h.ctx, "nope")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetMember(h.ctx, ws, "nope")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetCampaign(h.ctx, ws, "nope")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetList(h.ctx, ws, "nope")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetSchedule(h.ctx, ws, "nope")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetContact(h.ctx, ws, "nope")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.ListTransitions(h.ctx, ws, "nope")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	err = h.store.UpdateContact(h.ctx, campaign.Contact{ID: "nope", WorkspaceID: ws, Version: 1}, campaign.AuditEntry{ID: "a1", WorkspaceID: ws})
	require.ErrorIs(t, err, campaign.ErrNotFound)
	err = h.store.UpdateCampaign(h.ctx, campaign.Campaign{ID: "nope", WorkspaceID: ws, Version: 1}, campaign.AuditEntry{ID: "a2", WorkspaceID: ws})
	require.ErrorIs(t, err, campaign.ErrNotFound)
	err = h.store.DeleteMember(h.ctx, ws, "nope", campaign.AuditEntry{ID: "a3", WorkspaceID: ws})
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.svc.PutDisposition(h.ctx, admin, campaign.Disposition{CampaignID: "nope", Title: "x"})
	require.ErrorIs(t, err, campaign.ErrNotFound)
}

func testWorkspaceIsolation(t *testing.T, h *harness) {
	a, b := h.workspace("a"), h.workspace("b")
	ca := h.campaign(a, "ca")
	cb := h.campaign(b, "cb")
	la, err := h.svc.PutList(h.ctx, a, campaign.List{Name: "la", CampaignID: ca.ID})
	require.NoError(t, err)
	sa, err := h.svc.PutSchedule(h.ctx, a, campaign.Schedule{Name: "s", Timezone: "UTC"})
	require.NoError(t, err)
	_, err = h.svc.PutDisposition(h.ctx, a, campaign.Disposition{CampaignID: ca.ID, Title: "d"})
	require.NoError(t, err)
	ct := h.contacts(a, campaign.Contact{CampaignID: ca.ID, ListID: la.ID, Phone: phone(1), Tags: []string{"t"}, OwnerID: a.UserID})[0]
	h.contacts(b, campaign.Contact{CampaignID: cb.ID, Phone: phone(1), Tags: []string{"t"}})

	_, err = h.store.GetCampaign(h.ctx, b.WorkspaceID, ca.ID)
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetContact(h.ctx, b.WorkspaceID, ct.ID)
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetList(h.ctx, b.WorkspaceID, la.ID)
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetSchedule(h.ctx, b.WorkspaceID, sa.ID)
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.GetMember(h.ctx, b.WorkspaceID, a.UserID)
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.store.ListTransitions(h.ctx, b.WorkspaceID, ca.ID)
	require.ErrorIs(t, err, campaign.ErrNotFound)

	// Writes across the boundary are refused.
	_, err = h.svc.UpdateContact(h.ctx, b, ct.ID, func(c *campaign.Contact) error { c.Notes = "x"; return nil })
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.svc.Transition(h.ctx, b, ca.ID, campaign.StatusQueued, "")
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.svc.PutDisposition(h.ctx, b, campaign.Disposition{CampaignID: ca.ID, Title: "x"})
	require.ErrorIs(t, err, campaign.ErrNotFound)
	_, err = h.svc.PutList(h.ctx, b, campaign.List{Name: "x", CampaignID: ca.ID})
	require.ErrorIs(t, err, campaign.ErrNotFound)
	// A's admin is not a member of B.
	_, err = h.svc.CreateCampaign(h.ctx, campaign.Actor{WorkspaceID: b.WorkspaceID, UserID: a.UserID}, campaign.Campaign{Name: "x"})
	require.ErrorIs(t, err, campaign.ErrForbidden)
	// Insert into B naming A's campaign fails.
	_, err = h.svc.AddContacts(h.ctx, b, []campaign.Contact{{CampaignID: ca.ID, Phone: phone(2)}})
	require.ErrorIs(t, err, campaign.ErrNotFound)

	// No listing leaks.
	cs, err := h.store.ListCampaigns(h.ctx, b.WorkspaceID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, cb.ID, cs[0].ID)
	ls, err := h.store.ListLists(h.ctx, b.WorkspaceID)
	require.NoError(t, err)
	assert.Empty(t, ls)
	ds, err := h.store.ListDispositions(h.ctx, b.WorkspaceID, ca.ID)
	require.NoError(t, err)
	assert.Empty(t, ds)
	for _, f := range []campaign.ContactFilter{{}, {Tag: "t"}, {CampaignID: ca.ID}, {ListID: la.ID}, {OwnerID: a.UserID}, {Status: campaign.ContactPending}} {
		p, err := h.store.ListContacts(h.ctx, b.WorkspaceID, f)
		require.NoError(t, err)
		for _, c := range p.Contacts {
			assert.Equal(t, b.WorkspaceID, c.WorkspaceID, "filter %+v leaked", f)
		}
	}
	ms, err := h.store.ListMembers(h.ctx, b.WorkspaceID)
	require.NoError(t, err)
	require.Len(t, ms, 1)
	au, err := h.store.ListAudit(h.ctx, b.WorkspaceID, campaign.AuditFilter{})
	require.NoError(t, err)
	require.NotEmpty(t, au)
	for _, e := range au {
		assert.Equal(t, b.WorkspaceID, e.WorkspaceID)
	}
}

func testTransitions(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	mgr := h.member(admin, "mgr", campaign.RoleCampaignManager)
	c := h.campaign(admin, "c1")
	steps := []campaign.Status{campaign.StatusQueued, campaign.StatusRunning, campaign.StatusPaused, campaign.StatusRunning, campaign.StatusCompleted, campaign.StatusArchived, campaign.StatusCompleted}
	var at []time.Time
	for _, to := range steps {
		h.clock.Advance(time.Minute)
		at = append(at, h.clock.Now())
		got, err := h.svc.Transition(h.ctx, mgr, c.ID, to, "because "+string(to))
		require.NoError(t, err)
		assert.Equal(t, to, got.Status)
	}
	got, err := h.store.GetCampaign(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.StatusCompleted, got.Status)

	_, err = h.svc.Transition(h.ctx, mgr, c.ID, campaign.StatusRunning, "")
	require.ErrorIs(t, err, campaign.ErrInvalidTransition)
	_, err = h.svc.Transition(h.ctx, mgr, c.ID, campaign.StatusDraft, "")
	require.ErrorIs(t, err, campaign.ErrInvalidTransition)

	trs, err := h.store.ListTransitions(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	require.Len(t, trs, len(steps))
	from := campaign.StatusDraft
	for i, tr := range trs {
		assert.Equal(t, from, tr.From)
		assert.Equal(t, steps[i], tr.To)
		assert.Equal(t, mgr.UserID, tr.By)
		assert.Equal(t, "because "+string(steps[i]), tr.Reason)
		assertUTC(t, tr.At)
		assert.True(t, tr.At.Equal(at[i]), "transition %d at %v, want %v", i, tr.At, at[i])
		from = tr.To
	}
	au, err := h.store.ListAudit(h.ctx, admin.WorkspaceID, campaign.AuditFilter{Entity: "campaign", EntityID: string(c.ID)})
	require.NoError(t, err)
	var tcount int
	for _, e := range au {
		if e.Action == "campaign.transition" {
			tcount++
			assert.Equal(t, mgr.UserID, e.ActorID)
		}
	}
	assert.Equal(t, len(steps), tcount, "every transition writes an audit row")

	// A stale compare-and-set loses.
	err = h.store.TransitionCampaign(h.ctx, campaign.Transition{WorkspaceID: admin.WorkspaceID, CampaignID: c.ID, From: campaign.StatusRunning, To: campaign.StatusPaused, By: "x", At: h.clock.Now()}, "", campaign.AuditEntry{ID: "stale", WorkspaceID: admin.WorkspaceID})
	require.ErrorIs(t, err, campaign.ErrConflict)
	trs, err = h.store.ListTransitions(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Len(t, trs, len(steps), "a refused transition records nothing")

	// System transitions are recorded as the system user.
	c2 := h.campaign(admin, "c2")
	_, err = h.svc.Transition(h.ctx, admin, c2.ID, campaign.StatusQueued, "")
	require.NoError(t, err)
	_, err = h.svc.Transition(h.ctx, admin, c2.ID, campaign.StatusRunning, "")
	require.NoError(t, err)
	_, err = h.svc.TransitionAsSystem(h.ctx, admin.WorkspaceID, c2.ID, campaign.StatusPaused, "carrier failures 12/20")
	require.NoError(t, err)
	trs, err = h.store.ListTransitions(h.ctx, admin.WorkspaceID, c2.ID)
	require.NoError(t, err)
	require.Len(t, trs, 3)
	assert.Equal(t, campaign.SystemUser, trs[2].By)
}

func testRoles(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	mgr := h.member(admin, "mgr", campaign.RoleCampaignManager)
	caller := h.member(admin, "caller", campaign.RoleCaller)
	viewer := h.member(admin, "viewer", campaign.RoleViewer)
	c := h.campaign(mgr, "c1")
	ct := h.contacts(mgr, campaign.Contact{CampaignID: c.ID, Phone: phone(1), OwnerID: "caller"})[0]

	_, err := h.svc.CreateCampaign(h.ctx, viewer, campaign.Campaign{Name: "x"})
	require.ErrorIs(t, err, campaign.ErrForbidden)
	assert.Contains(t, err.Error(), "viewer")
	assert.Contains(t, err.Error(), string(campaign.ActionManageCampaign))
	_, err = h.svc.AddContacts(h.ctx, viewer, []campaign.Contact{{Phone: phone(2)}})
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = h.svc.UpdateContact(h.ctx, viewer, ct.ID, func(*campaign.Contact) error { return nil })
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = h.svc.Transition(h.ctx, viewer, c.ID, campaign.StatusQueued, "")
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = h.svc.UpdateCampaign(h.ctx, caller, c.ID, func(c *campaign.Campaign) error { c.Settings.MaxAttempts = 9; return nil })
	require.ErrorIs(t, err, campaign.ErrForbidden)
	assert.Contains(t, err.Error(), "caller")
	_, err = h.svc.PutMember(h.ctx, mgr, campaign.Member{UserID: "x", Role: campaign.RoleViewer})
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = h.svc.Authorize(h.ctx, mgr, campaign.ActionManageSuppression)
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = h.svc.Authorize(h.ctx, caller, campaign.ActionDial)
	require.NoError(t, err)
	_, err = h.svc.Authorize(h.ctx, viewer, campaign.ActionDial)
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = h.svc.Authorize(h.ctx, viewer, campaign.ActionSaveOutcome)
	require.ErrorIs(t, err, campaign.ErrForbidden)
	_, err = h.svc.UpdateContact(h.ctx, caller, ct.ID, func(c *campaign.Contact) error { c.Notes = "called"; return nil })
	require.NoError(t, err)
	got, err := h.store.GetCampaign(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.StatusDraft, got.Status, "refused actions change nothing")
	assert.Equal(t, 3, got.Settings.MaxAttempts)
}

func testOptimisticConcurrency(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c1")
	ct := h.contacts(admin, campaign.Contact{CampaignID: c.ID, Phone: phone(1)})[0]
	a := campaign.AuditEntry{ID: "x1", WorkspaceID: admin.WorkspaceID, At: h.clock.Now()}

	stale := ct
	ct.Notes = "first"
	require.NoError(t, h.store.UpdateContact(h.ctx, ct, a))
	stale.Notes = "second"
	a.ID = "x2"
	require.ErrorIs(t, h.store.UpdateContact(h.ctx, stale, a), campaign.ErrConflict)
	got, err := h.store.GetContact(h.ctx, admin.WorkspaceID, ct.ID)
	require.NoError(t, err)
	assert.Equal(t, "first", got.Notes)
	assert.Equal(t, ct.Version+1, got.Version)

	staleC := c
	c.Notes = "first"
	a.ID = "x3"
	require.NoError(t, h.store.UpdateCampaign(h.ctx, c, a))
	staleC.Notes = "second"
	a.ID = "x4"
	require.ErrorIs(t, h.store.UpdateCampaign(h.ctx, staleC, a), campaign.ErrConflict)
	// UpdateCampaign never changes status.
	gotC, err := h.store.GetCampaign(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	gotC.Status = campaign.StatusRunning
	a.ID = "x5"
	require.NoError(t, h.store.UpdateCampaign(h.ctx, gotC, a))
	gotC, err = h.store.GetCampaign(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, campaign.StatusDraft, gotC.Status)
}

func testInsertContactsAtomic(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	first := h.contacts(admin, campaign.Contact{Phone: phone(0)})[0]
	batch := []campaign.Contact{{Phone: phone(1)}, {Phone: phone(2)}, {ID: first.ID, Phone: phone(3)}}
	_, err := h.svc.AddContacts(h.ctx, admin, batch)
	require.ErrorIs(t, err, campaign.ErrConflict)
	p, err := h.store.ListContacts(h.ctx, admin.WorkspaceID, campaign.ContactFilter{})
	require.NoError(t, err)
	assert.Len(t, p.Contacts, 1, "a failed batch inserts nothing")

	// A large batch (over SQLite's variable limit) lands whole.
	big := make([]campaign.Contact, 5000)
	for i := range big {
		big[i] = campaign.Contact{Phone: phone(10 + i), Tags: []string{"bulk"}, Custom: map[string]string{"i": fmt.Sprint(i)}}
	}
	h.contacts(admin, big...)
	n := 0
	for f := (campaign.ContactFilter{Tag: "bulk", Limit: 1000}); ; {
		p, err := h.store.ListContacts(h.ctx, admin.WorkspaceID, f)
		require.NoError(t, err)
		n += len(p.Contacts)
		if p.NextCursor == "" {
			break
		}
		f.After = p.NextCursor
	}
	assert.Equal(t, 5000, n)
}

func testContactListing(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	c1, c2 := h.campaign(admin, "c1"), h.campaign(admin, "c2")
	l1, err := h.svc.PutList(h.ctx, admin, campaign.List{Name: "l1"})
	require.NoError(t, err)
	l2, err := h.svc.PutList(h.ctx, admin, campaign.List{Name: "l2"})
	require.NoError(t, err)
	statuses := []campaign.ContactStatus{campaign.ContactPending, campaign.ContactRetry, campaign.ContactCompleted}
	var all []campaign.Contact
	for i := range 250 {
		ct := campaign.Contact{Phone: phone(i), Status: statuses[i%3], CampaignID: []campaign.ID{c1.ID, c2.ID}[i%2], ListID: []campaign.ListID{l1.ID, l2.ID}[i%5/4]}
		if i%7 == 0 {
			ct.Tags = []string{"seven", fmt.Sprintf("t%d", i)}
		}
		if i%4 == 0 {
			ct.OwnerID = "owner-1"
		}
		all = append(all, ct)
	}
	all = h.contacts(admin, all...)

	cases := []struct {
		name string
		f    campaign.ContactFilter
		keep func(i int, c campaign.Contact) bool
	}{
		{"all", campaign.ContactFilter{}, func(int, campaign.Contact) bool { return true }},
		{"status", campaign.ContactFilter{Status: campaign.ContactRetry}, func(i int, _ campaign.Contact) bool { return i%3 == 1 }},
		{"campaign", campaign.ContactFilter{CampaignID: c2.ID}, func(i int, _ campaign.Contact) bool { return i%2 == 1 }},
		{"list", campaign.ContactFilter{ListID: l2.ID}, func(i int, _ campaign.Contact) bool { return i%5 == 4 }},
		{"tag", campaign.ContactFilter{Tag: "seven"}, func(i int, _ campaign.Contact) bool { return i%7 == 0 }},
		{"owner", campaign.ContactFilter{OwnerID: "owner-1"}, func(i int, _ campaign.Contact) bool { return i%4 == 0 }},
		{"combined", campaign.ContactFilter{Tag: "seven", Status: campaign.ContactPending, CampaignID: c1.ID}, func(i int, _ campaign.Contact) bool { return i%7 == 0 && i%3 == 0 && i%2 == 0 }},
		{"none", campaign.ContactFilter{Tag: "absent"}, func(int, campaign.Contact) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []campaign.ContactID
			for i, c := range all {
				if tc.keep(i, c) {
					want = append(want, c.ID)
				}
			}
			sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
			for _, size := range []int{7, 40, 1000} {
				f := tc.f
				f.Limit = size
				var got []campaign.ContactID
				pages := 0
				for {
					p, err := h.store.ListContacts(h.ctx, admin.WorkspaceID, f)
					require.NoError(t, err)
					require.LessOrEqual(t, len(p.Contacts), size)
					pages++
					require.Less(t, pages, 300, "pagination does not end")
					for _, c := range p.Contacts {
						got = append(got, c.ID)
					}
					if p.NextCursor == "" {
						break
					}
					f.After = p.NextCursor
				}
				if want == nil {
					assert.Empty(t, got)
				} else {
					assert.Equal(t, want, got, "page size %d", size)
				}
			}
		})
	}
	// Tags come back in the order they were written.
	p, err := h.store.ListContacts(h.ctx, admin.WorkspaceID, campaign.ContactFilter{Tag: "t7"})
	require.NoError(t, err)
	require.Len(t, p.Contacts, 1)
	assert.Equal(t, []string{"seven", "t7"}, p.Contacts[0].Tags)
}

func testConcurrentWriters(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c1")
	ct := h.contacts(admin, campaign.Contact{CampaignID: c.ID, Phone: phone(1)})[0]
	const writers = 20
	var wg sync.WaitGroup
	var failures atomic.Int32
	errs := make(chan error, 2*writers)
	for i := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := h.svc.UpdateContact(h.ctx, admin, ct.ID, func(c *campaign.Contact) error {
				c.Tags = append(c.Tags, fmt.Sprintf("w%02d", i))
				return nil
			})
			if err != nil {
				failures.Add(1)
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			_, err := h.svc.UpdateCampaign(h.ctx, admin, c.ID, func(c *campaign.Campaign) error {
				c.TargetCallVolume++
				return nil
			})
			if err != nil {
				failures.Add(1)
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got, err := h.store.GetContact(h.ctx, admin.WorkspaceID, ct.ID)
	require.NoError(t, err)
	tags := slices.Clone(got.Tags)
	slices.Sort(tags)
	require.Len(t, tags, writers, "lost updates: %v", tags)
	for i := range writers {
		assert.Equal(t, fmt.Sprintf("w%02d", i), tags[i])
	}
	assert.Equal(t, ct.Version+writers, got.Version)
	gotC, err := h.store.GetCampaign(h.ctx, admin.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, writers, gotC.TargetCallVolume)
	assert.Zero(t, failures.Load())
}

func testErase(t *testing.T, h *harness) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c1")
	l, err := h.svc.PutList(h.ctx, admin, campaign.List{Name: "l"})
	require.NoError(t, err)
	ct := h.contacts(admin, fullContact(c, l.ID))[0]
	h.clock.Advance(time.Hour)
	got, err := h.svc.EraseContact(h.ctx, admin, ct.ID)
	require.NoError(t, err)
	stored, err := h.store.GetContact(h.ctx, admin.WorkspaceID, ct.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	assert.Empty(t, stored.FirstName)
	assert.Empty(t, stored.Phone)
	assert.Empty(t, stored.Email)
	assert.Empty(t, stored.Notes)
	assert.Empty(t, stored.Custom)
	assert.Empty(t, stored.AltPhones)
	assert.Empty(t, stored.Extension)
	assert.Equal(t, campaign.ContactDNC, stored.Status)
	assert.Equal(t, ct.Attempts, stored.Attempts, "anonymous counts stay")
	assert.Equal(t, ct.CampaignID, stored.CampaignID)
	assert.False(t, stored.ErasedAt.IsZero())
	require.Len(t, h.supp.calls, 1)
	assert.Equal(t, []string{"+14155552671", "+14155552672", "+442079460958"}, h.supp.calls[0])
	// Erasing again is a no-op.
	_, err = h.svc.EraseContact(h.ctx, admin, ct.ID)
	require.NoError(t, err)
	assert.Len(t, h.supp.calls, 1)

	viewer := h.member(admin, "v", campaign.RoleViewer)
	_, err = h.svc.EraseContact(h.ctx, viewer, ct.ID)
	require.True(t, errors.Is(err, campaign.ErrForbidden))
}

func assertUTC(t *testing.T, ts ...time.Time) {
	t.Helper()
	for i, x := range ts {
		if !x.IsZero() {
			assert.Equal(t, time.UTC, x.Location(), "time %d is %v, not UTC", i, x)
		}
	}
}

// normContact maps nil and empty collections alike.
func normContact(c campaign.Contact) campaign.Contact {
	if len(c.AltPhones) == 0 {
		c.AltPhones = nil
	}
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	if len(c.Timezones) == 0 {
		c.Timezones = nil
	}
	if len(c.Custom) == 0 {
		c.Custom = nil
	}
	return c
}

// testScheduleMustExist: a campaign naming a schedule its workspace does
// not have (a typo, another workspace's) is refused when written, not
// when the dialer starts; naming an existing one is accepted.
func testScheduleMustExist(t *testing.T, h *harness) {
	a := h.workspace("acme")
	b := h.workspace("globex")
	theirs, err := h.svc.PutSchedule(h.ctx, b, campaign.Schedule{Name: "theirs", Timezone: "UTC"})
	require.NoError(t, err)
	for _, id := range []campaign.ScheduleID{"sch_missing", theirs.ID} {
		_, err = h.svc.CreateCampaign(h.ctx, a, campaign.Campaign{Name: "c", ScheduleID: id})
		require.ErrorIs(t, err, campaign.ErrInvalid, "schedule %s", id)
		assert.Contains(t, err.Error(), "does not exist in this workspace")
	}
	c := h.campaign(a, "c")
	_, err = h.svc.UpdateCampaign(h.ctx, a, c.ID, func(c *campaign.Campaign) error { c.ScheduleID = "sch_missing"; return nil })
	require.ErrorIs(t, err, campaign.ErrInvalid)

	ours, err := h.svc.PutSchedule(h.ctx, a, campaign.Schedule{Name: "ours", Timezone: "UTC"})
	require.NoError(t, err)
	c, err = h.svc.UpdateCampaign(h.ctx, a, c.ID, func(c *campaign.Campaign) error { c.ScheduleID = ours.ID; return nil })
	require.NoError(t, err)
	got, err := h.store.GetCampaign(h.ctx, a.WorkspaceID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, ours.ID, got.ScheduleID)
}
