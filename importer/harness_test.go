package importer_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	t     testing.TB
	ctx   context.Context
	store *memory.Store
	clock *clock
	svc   *campaign.Service
	supp  *suppression.Service
	im    *importer.Importer
	admin campaign.Actor
	cmp   campaign.Campaign
}

func newEnv(t testing.TB, batch int) *env {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	clk := &clock{now: time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)}
	svc, err := campaign.NewService(campaign.Config{Store: st, Clock: clk.Now})
	require.NoError(t, err)
	supp, err := suppression.NewService(suppression.Config{Store: st, Authorizer: svc, Clock: clk.Now})
	require.NoError(t, err)
	im, err := importer.New(importer.Config{Campaigns: svc, Store: st, Contacts: st, Suppression: supp, Clock: clk.Now, BatchSize: batch})
	require.NoError(t, err)
	w, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: w.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Spring", Client: "Globex"})
	require.NoError(t, err)
	return &env{t: t, ctx: ctx, store: st, clock: clk, svc: svc, supp: supp, im: im, admin: admin, cmp: c}
}

// run imports csv into the env's campaign and checks the counts add up.
func (e *env) run(csv string, opts importer.Options) importer.Result {
	e.t.Helper()
	return e.runBytes([]byte(csv), opts)
}

// contacts returns every contact of the campaign.
func (e *env) contacts(id campaign.ID) []campaign.Contact {
	e.t.Helper()
	var out []campaign.Contact
	f := campaign.ContactFilter{CampaignID: id, Limit: 1000}
	for {
		p, err := e.store.ListContacts(e.ctx, e.admin.WorkspaceID, f)
		require.NoError(e.t, err)
		out = append(out, p.Contacts...)
		if p.NextCursor == "" {
			return out
		}
		f.After = p.NextCursor
	}
}
