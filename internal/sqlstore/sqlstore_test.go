package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/store/sqlite"
)

// These tests exercise the shared SQL on both dialects; the adapters'
// own tests cover opening, configuration and migration locking.

// eachDialect runs test against a fresh, migrated SQLite file and a fresh
// Postgres schema.
func eachDialect(t *testing.T, test func(t *testing.T, s store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "cs.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		test(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		test(t, postgrestest.Open(t))
	})
}

// t0 has a non-UTC zone and nanoseconds, to check exact UTC round trips.
var t0 = time.Date(2025, 3, 9, 1, 59, 59, 123456789, time.FixedZone("EST", -5*3600))

func audit(ws campaign.WorkspaceID, action, entity, id string) campaign.AuditEntry {
	return campaign.AuditEntry{ID: campaign.AuditID(campaign.NewID("aud", t0)), WorkspaceID: ws, ActorID: "u1", Action: action, Entity: entity, EntityID: id, At: t0}
}

func mustCampaign(t *testing.T, s store.Store, ws campaign.WorkspaceID, id campaign.ID) {
	t.Helper()
	if err := s.CreateCampaign(context.Background(), newCampaign(ws, id), audit(ws, "campaign.create", "campaign", string(id))); err != nil {
		t.Fatal(err)
	}
}

func mustWorkspace(t *testing.T, s store.Store, ws campaign.WorkspaceID) {
	t.Helper()
	w := campaign.Workspace{ID: ws, Name: string(ws), Settings: campaign.WorkspaceSettings{}.WithDefaults(), CreatedAt: t0, UpdatedAt: t0}
	owner := campaign.Member{WorkspaceID: ws, UserID: "u1", Role: campaign.RoleTeamAdmin, CreatedAt: t0}
	if err := s.CreateWorkspace(context.Background(), w, owner, audit(ws, "workspace.create", "workspace", string(ws))); err != nil {
		t.Fatal(err)
	}
}

func newCampaign(ws campaign.WorkspaceID, id campaign.ID) campaign.Campaign {
	c := campaign.Campaign{
		ID: id, WorkspaceID: ws, Name: "Spring", OwnerID: "u1", Locale: "en-US", DefaultRegion: "US",
		Timezone: "America/New_York", Health: campaign.HealthUnknown, Status: campaign.StatusDraft, Version: 1,
		StartDate: t0, CreatedAt: t0, UpdatedAt: t0, SourceLabels: []string{"web", "fair"},
	}
	c.Settings = c.Settings.WithDefaults("US")
	return c
}

func TestRoundTripIsExactAndUTC(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		mustWorkspace(t, s, "ws1")
		c := newCampaign("ws1", "c1")
		c.Settings.DialWindow.Days = []time.Weekday{time.Monday}
		c.Settings.CallRatio = 2.3
		if err := s.CreateCampaign(ctx, c, audit("ws1", "campaign.create", "campaign", "c1")); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetCampaign(ctx, "ws1", "c1")
		if err != nil {
			t.Fatal(err)
		}
		want := c
		want.StartDate, want.CreatedAt, want.UpdatedAt = t0.UTC(), t0.UTC(), t0.UTC()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("campaign round trip:\n got %+v\nwant %+v", got, want)
		}
		if got.Deadline != (time.Time{}) {
			t.Errorf("zero Deadline read back as %v", got.Deadline)
		}

		ct := campaign.Contact{
			ID: "k1", WorkspaceID: "ws1", CampaignID: "c1", Phone: "+12125550100", AltPhones: []string{},
			Tags: []string{"zeta", "alpha", "zeta"}, Custom: map[string]string{"plan": "gold"}, Timezones: []string{"America/New_York"},
			Status: campaign.ContactPending, Lane: campaign.LaneNew, Priority: campaign.PriorityHigh, NextAttemptAt: t0,
			Consent: campaign.Consent{Kind: campaign.ConsentExpress, Scope: campaign.ConsentScopeAny, CapturedAt: t0, Source: "form"},
			Version: 1, CreatedAt: t0, UpdatedAt: t0,
		}
		if err := s.InsertContacts(ctx, "ws1", []campaign.Contact{ct}, audit("ws1", "contact.insert", "contact", "")); err != nil {
			t.Fatal(err)
		}
		gotC, err := s.GetContact(ctx, "ws1", "k1")
		if err != nil {
			t.Fatal(err)
		}
		wantC := ct
		wantC.NextAttemptAt, wantC.Consent.CapturedAt, wantC.CreatedAt, wantC.UpdatedAt = t0.UTC(), t0.UTC(), t0.UTC(), t0.UTC()
		if !reflect.DeepEqual(gotC, wantC) {
			t.Errorf("contact round trip:\n got %+v\nwant %+v", gotC, wantC)
		}

		sc := campaign.Schedule{ID: "s1", WorkspaceID: "ws1", Name: "office", Timezone: "America/Chicago",
			Hours:      map[time.Weekday][]campaign.Interval{time.Monday: {{Start: campaign.Clock(9, 0), End: campaign.Clock(17, 0)}}},
			Exceptions: []campaign.ScheduleException{{Date: "2025-12-25"}}}
		if err := s.PutSchedule(ctx, sc, audit("ws1", "schedule.put", "schedule", "s1")); err != nil {
			t.Fatal(err)
		}
		gotS, err := s.GetSchedule(ctx, "ws1", "s1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotS, sc) {
			t.Errorf("schedule round trip:\n got %+v\nwant %+v", gotS, sc)
		}
	})
}

func TestTenancy(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		mustWorkspace(t, s, "wsA")
		mustWorkspace(t, s, "wsB")
		if err := s.CreateCampaign(ctx, newCampaign("wsA", "c1"), audit("wsA", "campaign.create", "campaign", "c1")); err != nil {
			t.Fatal(err)
		}
		// The same ID in another workspace is another record.
		if err := s.CreateCampaign(ctx, newCampaign("wsB", "c1"), audit("wsB", "campaign.create", "campaign", "c1")); err != nil {
			t.Fatalf("same ID in another workspace: %v", err)
		}
		if err := s.InsertContacts(ctx, "wsA", []campaign.Contact{{ID: "k1", WorkspaceID: "wsA", Phone: "+12125550100", Tags: []string{"t"}, Status: campaign.ContactPending, Version: 1}},
			audit("wsA", "contact.insert", "contact", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetContact(ctx, "wsB", "k1"); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("contact of A read from B: err = %v, want ErrNotFound", err)
		}
		page, err := s.ListContacts(ctx, "wsB", campaign.ContactFilter{Tag: "t"})
		if err != nil || len(page.Contacts) != 0 {
			t.Errorf("B lists A's contacts: %v, %v", page.Contacts, err)
		}
		if _, err := s.GetMember(ctx, "wsB", "nobody"); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("GetMember unknown: %v", err)
		}
		// A write naming workspace B through a call for A is refused.
		err = s.InsertContacts(ctx, "wsA", []campaign.Contact{{ID: "k2", WorkspaceID: "wsB", Phone: "+12125550101", Status: campaign.ContactPending}},
			audit("wsA", "contact.insert", "contact", ""))
		if !errors.Is(err, campaign.ErrInvalid) {
			t.Errorf("cross-workspace insert: err = %v, want ErrInvalid", err)
		}
		// Updating a record through the wrong workspace finds nothing.
		c := newCampaign("wsB", "cA-only")
		if err := s.UpdateCampaign(ctx, c, audit("wsB", "campaign.update", "campaign", "cA-only")); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("update missing campaign: %v", err)
		}
		aud, err := s.ListAudit(ctx, "wsB", campaign.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range aud {
			if a.WorkspaceID != "wsB" {
				t.Errorf("B's audit has %+v", a)
			}
		}
		// A parent that does not exist is not found.
		if err := s.PutMember(ctx, campaign.Member{WorkspaceID: "nope", UserID: "u", Role: campaign.RoleViewer}, campaign.AuditEntry{}); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("member of missing workspace: %v", err)
		}
	})
}

func TestOptimisticConcurrency(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		mustWorkspace(t, s, "ws")
		if err := s.CreateCampaign(ctx, newCampaign("ws", "c1"), audit("ws", "campaign.create", "campaign", "c1")); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateCampaign(ctx, newCampaign("ws", "c1"), audit("ws", "campaign.create", "campaign", "c1")); !errors.Is(err, campaign.ErrConflict) {
			t.Errorf("duplicate create: %v, want ErrConflict", err)
		}
		// Racing writers with the same Version: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				c := newCampaign("ws", "c1")
				c.Name = fmt.Sprintf("writer %d", i)
				c.Status = campaign.StatusRunning // ignored: status changes only by transition
				errs[i] = s.UpdateCampaign(ctx, c, audit("ws", "campaign.update", "campaign", "c1"))
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, campaign.ErrConflict):
				t.Errorf("losing writer: %v, want ErrConflict", err)
			}
		}
		if won != 1 {
			t.Errorf("%d writers won, want 1", won)
		}
		got, _ := s.GetCampaign(ctx, "ws", "c1")
		if got.Version != 2 || got.Status != campaign.StatusDraft {
			t.Errorf("after update: version %d status %s, want 2 draft", got.Version, got.Status)
		}
		if n := len(mustAudit(t, s, "ws", "campaign", "c1")); n != 2 {
			t.Errorf("%d campaign audit entries, want 2 (create + the winning update)", n)
		}

		// Transition: compare-and-set on status; the loser writes nothing.
		tr := campaign.Transition{WorkspaceID: "ws", CampaignID: "c1", From: campaign.StatusDraft, To: campaign.StatusArchived, By: "u1", At: t0.Add(time.Hour)}
		if err := s.TransitionCampaign(ctx, tr, campaign.StatusDraft, audit("ws", "campaign.transition", "campaign", "c1")); err != nil {
			t.Fatal(err)
		}
		if err := s.TransitionCampaign(ctx, tr, campaign.StatusDraft, audit("ws", "campaign.transition", "campaign", "c1")); !errors.Is(err, campaign.ErrConflict) {
			t.Errorf("stale transition: %v, want ErrConflict", err)
		}
		tr.CampaignID = "missing"
		if err := s.TransitionCampaign(ctx, tr, "", audit("ws", "campaign.transition", "campaign", "missing")); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("transition of missing campaign: %v, want ErrNotFound", err)
		}
		got, _ = s.GetCampaign(ctx, "ws", "c1")
		if got.Status != campaign.StatusArchived || got.ArchivedFrom != campaign.StatusDraft || got.Version != 3 || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after transition: %s from %s v%d at %v", got.Status, got.ArchivedFrom, got.Version, got.UpdatedAt)
		}
		trs, err := s.ListTransitions(ctx, "ws", "c1")
		if err != nil || len(trs) != 1 || trs[0].To != campaign.StatusArchived {
			t.Errorf("transitions: %+v, %v", trs, err)
		}
		if n := len(mustAudit(t, s, "ws", "campaign", "c1")); n != 3 {
			t.Errorf("%d campaign audit entries, want 3", n)
		}

		// Contacts: stale version → conflict; missing → not found.
		ct := campaign.Contact{ID: "k1", WorkspaceID: "ws", Phone: "+12125550100", Tags: []string{"a", "b"}, Status: campaign.ContactPending, Version: 1}
		if err := s.InsertContacts(ctx, "ws", []campaign.Contact{ct}, audit("ws", "contact.insert", "contact", "")); err != nil {
			t.Fatal(err)
		}
		ct.Tags, ct.Attempts = []string{"c"}, 1
		if err := s.UpdateContact(ctx, ct, audit("ws", "contact.update", "contact", "k1")); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateContact(ctx, ct, audit("ws", "contact.update", "contact", "k1")); !errors.Is(err, campaign.ErrConflict) {
			t.Errorf("stale contact update: %v, want ErrConflict", err)
		}
		ct.ID = "k404"
		if err := s.UpdateContact(ctx, ct, audit("ws", "contact.update", "contact", "k404")); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("missing contact update: %v, want ErrNotFound", err)
		}
		got1, _ := s.GetContact(ctx, "ws", "k1")
		if got1.Version != 2 || got1.Attempts != 1 || !reflect.DeepEqual(got1.Tags, []string{"c"}) {
			t.Errorf("after update: %+v", got1)
		}
	})
}

func mustAudit(t *testing.T, s store.Store, ws campaign.WorkspaceID, entity, id string) []campaign.AuditEntry {
	t.Helper()
	a, err := s.ListAudit(context.Background(), ws, campaign.AuditFilter{Entity: entity, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestInsertContactsBatchesAllOrNone(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		mustWorkspace(t, s, "ws")
		mustCampaign(t, s, "ws", "c1")
		// More rows than one statement takes on either dialect (SQLite:
		// 32766/29 rows; Postgres: 1000), each with tags.
		const n = 2500
		cs := make([]campaign.Contact, n)
		for i := range cs {
			cs[i] = campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("k%05d", i)), WorkspaceID: "ws", CampaignID: "c1",
				Phone: fmt.Sprintf("+1212555%04d", i), Status: campaign.ContactPending, Tags: []string{"bulk", fmt.Sprint(i % 3)}, Version: 1}
		}
		bad := append([]campaign.Contact(nil), cs...)
		bad[n-1].ID = bad[0].ID // a duplicate in the last batch
		if err := s.InsertContacts(ctx, "ws", bad, audit("ws", "contact.insert", "contact", "")); !errors.Is(err, campaign.ErrConflict) {
			t.Fatalf("duplicate in batch: %v, want ErrConflict", err)
		}
		if page, _ := s.ListContacts(ctx, "ws", campaign.ContactFilter{}); len(page.Contacts) != 0 {
			t.Fatalf("failed insert left %d contacts", len(page.Contacts))
		}
		if a := mustAudit(t, s, "ws", "contact", ""); len(a) != 0 {
			t.Fatalf("failed insert left audit %+v", a)
		}
		if err := s.InsertContacts(ctx, "ws", cs, audit("ws", "contact.insert", "contact", "")); err != nil {
			t.Fatal(err)
		}
		// Page through the tag filter: every third contact, in ID order.
		var seen []campaign.ContactID
		f := campaign.ContactFilter{Tag: "1", CampaignID: "c1", Limit: 300}
		for pages := 0; ; pages++ {
			page, err := s.ListContacts(ctx, "ws", f)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Contacts {
				seen = append(seen, c.ID)
				if !reflect.DeepEqual(c.Tags, []string{"bulk", "1"}) {
					t.Fatalf("tags of %s: %v", c.ID, c.Tags)
				}
			}
			if page.NextCursor == "" {
				break
			}
			f.After = page.NextCursor
		}
		var want []campaign.ContactID
		for i := 1; i < n; i += 3 {
			want = append(want, cs[i].ID)
		}
		if !reflect.DeepEqual(seen, want) {
			t.Errorf("paged %d contacts, want %d in ID order", len(seen), len(want))
		}
	})
}

func TestListContactsFiltersAndByteOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		mustWorkspace(t, s, "ws")
		mustCampaign(t, s, "ws", "c1")
		// IDs whose byte order differs from a linguistic collation's.
		ids := []campaign.ContactID{"B", "_x", "a", "a-b", "aB", "ab"}
		var cs []campaign.Contact
		for i, id := range ids {
			c := campaign.Contact{ID: id, WorkspaceID: "ws", Phone: fmt.Sprintf("+1212555%04d", i), Status: campaign.ContactPending, Version: 1}
			if i%2 == 0 {
				c.CampaignID, c.ListID, c.OwnerID, c.Status = "c1", "l1", "u2", campaign.ContactRetry
			}
			cs = append(cs, c)
		}
		if err := s.InsertContacts(ctx, "ws", cs, audit("ws", "contact.insert", "contact", "")); err != nil {
			t.Fatal(err)
		}
		list := func(f campaign.ContactFilter) []campaign.ContactID {
			t.Helper()
			page, err := s.ListContacts(ctx, "ws", f)
			if err != nil {
				t.Fatal(err)
			}
			var out []campaign.ContactID
			for _, c := range page.Contacts {
				out = append(out, c.ID)
			}
			return out
		}
		if got := list(campaign.ContactFilter{}); !reflect.DeepEqual(got, ids) {
			t.Errorf("order = %q, want byte order %q", got, ids)
		}
		even := []campaign.ContactID{"B", "a", "aB"}
		for _, f := range []campaign.ContactFilter{{CampaignID: "c1"}, {ListID: "l1"}, {OwnerID: "u2"}, {Status: campaign.ContactRetry},
			{CampaignID: "c1", ListID: "l1", OwnerID: "u2", Status: campaign.ContactRetry}} {
			if got := list(f); !reflect.DeepEqual(got, even) {
				t.Errorf("filter %+v = %q, want %q", f, got, even)
			}
		}
		if got := list(campaign.ContactFilter{CampaignID: "c1", Status: campaign.ContactPending}); got != nil {
			t.Errorf("contradictory filter = %q", got)
		}
		page, err := s.ListContacts(ctx, "ws", campaign.ContactFilter{Limit: 2, After: "_x"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Contacts) != 2 || page.Contacts[0].ID != "a" || page.NextCursor != "a-b" {
			t.Errorf("page after _x: %d contacts, next %q", len(page.Contacts), page.NextCursor)
		}
		page, _ = s.ListContacts(ctx, "ws", campaign.ContactFilter{Limit: 2, After: "aB"})
		if len(page.Contacts) != 1 || page.NextCursor != "" {
			t.Errorf("last page: %d contacts, next %q", len(page.Contacts), page.NextCursor)
		}
	})
}

func TestUpsertsKeepCreationOrder(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		mustWorkspace(t, s, "ws")
		mustCampaign(t, s, "ws", "c1")
		for _, id := range []campaign.DispositionID{"z", "a", "m"} {
			d := campaign.Disposition{ID: id, WorkspaceID: "ws", CampaignID: "c1", Title: string(id)}
			if err := s.PutDisposition(ctx, d, audit("ws", "disposition.put", "disposition", string(id))); err != nil {
				t.Fatal(err)
			}
		}
		// Replacing "z" keeps its place and takes the new fields.
		d := campaign.Disposition{ID: "z", WorkspaceID: "ws", CampaignID: "c1", Title: "Z!", Final: true, RequiredFields: []string{"note"}}
		if err := s.PutDisposition(ctx, d, audit("ws", "disposition.put", "disposition", "z")); err != nil {
			t.Fatal(err)
		}
		ds, err := s.ListDispositions(ctx, "ws", "c1")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 3 || ds[0].ID != "z" || ds[1].ID != "a" || ds[2].ID != "m" || !reflect.DeepEqual(ds[0], d) {
			t.Errorf("dispositions = %+v", ds)
		}
		a := mustAudit(t, s, "ws", "disposition", "")
		if len(a) != 4 || a[3].EntityID != "z" {
			t.Errorf("disposition audit = %+v", a)
		}
		if got, _ := s.ListAudit(ctx, "ws", campaign.AuditFilter{Limit: 2}); len(got) != 2 || got[0].Action != "workspace.create" || got[1].Action != "campaign.create" {
			t.Errorf("audit limit 2 = %+v", got)
		}
		// A child of a campaign the workspace does not have is refused, and
		// so is a contact naming one.
		bad := campaign.Disposition{ID: "x", WorkspaceID: "ws", CampaignID: "nope", Title: "x"}
		if err := s.PutDisposition(ctx, bad, audit("ws", "disposition.put", "disposition", "x")); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("disposition of missing campaign: %v, want ErrNotFound", err)
		}
		if err := s.PutGoal(ctx, campaign.Goal{ID: "g", WorkspaceID: "ws", CampaignID: "nope", Kind: campaign.GoalPrimary, Title: "g"}, campaign.AuditEntry{}); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("goal of missing campaign: %v, want ErrNotFound", err)
		}
		k := campaign.Contact{ID: "k", WorkspaceID: "ws", CampaignID: "nope", Phone: "+12125550100", Status: campaign.ContactPending}
		if err := s.InsertContacts(ctx, "ws", []campaign.Contact{k}, campaign.AuditEntry{}); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("contact of missing campaign: %v, want ErrNotFound", err)
		}
		if _, err := s.ListTransitions(ctx, "ws", "nope"); !errors.Is(err, campaign.ErrNotFound) {
			t.Errorf("transitions of missing campaign: %v, want ErrNotFound", err)
		}
		// Replacing a list or a member keeps the first CreatedAt.
		l := campaign.List{ID: "l1", WorkspaceID: "ws", Name: "one", Priority: 50, DupeDays: 90, CreatedAt: t0}
		if err := s.PutList(ctx, l, campaign.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		l.Name, l.CreatedAt = "renamed", t0.Add(time.Hour)
		if err := s.PutList(ctx, l, campaign.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetList(ctx, "ws", "l1"); err != nil || got.Name != "renamed" || !got.CreatedAt.Equal(t0) {
			t.Errorf("replaced list = %+v, %v", got, err)
		}
	})
}

func TestTimeOutOfRangeIsInvalid(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		mustWorkspace(t, s, "ws")
		c := newCampaign("ws", "c1")
		c.Deadline = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		err := s.CreateCampaign(context.Background(), c, audit("ws", "campaign.create", "campaign", "c1"))
		if !errors.Is(err, campaign.ErrInvalid) {
			t.Errorf("year 9999: %v, want ErrInvalid", err)
		}
	})
}

func TestServiceOnSQL(t *testing.T) {
	eachDialect(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		now := t0
		svc, err := campaign.NewService(campaign.Config{Store: s, Clock: func() time.Time { now = now.Add(time.Second); return now }})
		if err != nil {
			t.Fatal(err)
		}
		w, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "admin"}, campaign.Workspace{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		actor := campaign.Actor{WorkspaceID: w.ID, UserID: "admin"}
		c, err := svc.CreateCampaign(ctx, actor, campaign.Campaign{Name: "Q3"})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning, campaign.StatusPaused} {
			if c, err = svc.Transition(ctx, actor, c.ID, to, ""); err != nil {
				t.Fatal(err)
			}
		}
		stored, err := s.GetCampaign(ctx, w.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stored, c) {
			t.Errorf("service's view and store differ:\nservice %+v\n  store %+v", c, stored)
		}
	})
}
