package dialer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// These tests prove the dial-time gate: each changes the world after the
// queue has leased contacts and before the engine dials them, and checks
// that none is dialled and each is recorded as a block with the reason of
// the check that caught it. They drive the engine through its public API
// only (Config, Login, VirtualTime.Step, Stats) and read the recorded blocks from the
// store, so they hold whatever the engine's internals look like.

// afterClaim wraps the queue: the first claim that leases contacts runs
// change before the leases reach the engine.
type afterClaim struct {
	dialer.Queue
	change func([]queue.Lease)
	fired  bool
}

func (a *afterClaim) Claim(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, n int, ttl time.Duration) ([]queue.Lease, error) {
	ls, err := a.Queue.Claim(ctx, ws, id, n, ttl)
	if err == nil && len(ls) > 0 && !a.fired {
		a.fired = true
		a.change(ls)
	}
	return ls, err
}

type gateWorld struct {
	t      *testing.T
	ctx    context.Context
	st     *memory.Store
	clock  *sim.Clock
	svc    *campaign.Service
	supp   *suppression.Service
	admin  campaign.Actor
	c      campaign.Campaign
	engine *dialer.Engine
	vt     *dialer.VirtualTime
	leased []queue.Lease
}

// newGateWorld builds a Running progressive campaign of the given
// contacts, an engine with one agent logged in, and a queue whose first
// claim is followed by change.
func newGateWorld(t *testing.T, at time.Time, settings campaign.Settings, contacts []campaign.Contact, change func(g *gateWorld, ls []queue.Lease)) *gateWorld {
	t.Helper()
	g := &gateWorld{t: t, ctx: context.Background(), st: memory.New(), clock: sim.NewClock(at)}
	var err error
	g.svc, err = campaign.NewService(campaign.Config{Store: g.st, Clock: g.clock.Now})
	require.NoError(t, err)
	ws, err := g.svc.CreateWorkspace(g.ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	g.admin = campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	g.supp, err = suppression.NewService(suppression.Config{Store: g.st, Authorizer: g.svc, Clock: g.clock.Now})
	require.NoError(t, err)
	q, err := queue.NewService(queue.Config{Store: g.st, Campaigns: g.st, Suppression: g.supp, Authorizer: g.svc, Clock: g.clock.Now})
	require.NoError(t, err)
	settings.DialMode, settings.MaxAttempts = campaign.DialProgressive, 3
	settings.CallerIDs = []string{"+14155550100"}
	g.c, err = g.svc.CreateCampaign(g.ctx, g.admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York", Settings: settings})
	require.NoError(t, err)
	_, err = g.svc.PutDisposition(g.ctx, g.admin, campaign.Disposition{CampaignID: g.c.ID, Title: "Done", Contacted: true, Final: true})
	require.NoError(t, err)
	for i := range contacts {
		contacts[i].CampaignID = g.c.ID
	}
	_, err = g.svc.AddContacts(g.ctx, g.admin, contacts)
	require.NoError(t, err)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		g.c, err = g.svc.Transition(g.ctx, g.admin, g.c.ID, to, "")
		require.NoError(t, err)
	}
	carrier, err := sim.New(sim.Config{Seed: 1, Now: g.clock.Now, AnswerProb: sim.Constant(0.5)})
	require.NoError(t, err)
	hook := &afterClaim{Queue: q, change: func(ls []queue.Lease) {
		g.leased = ls
		if change != nil {
			change(g, ls)
		}
	}}
	g.engine, err = dialer.New(g.ctx, dialer.Config{
		Workspace: ws.ID, Campaign: g.c.ID, Campaigns: dialer.CampaignSource{Store: g.st, Service: g.svc},
		Queue: hook, Attempts: g.st, Suppression: g.supp, Authorizer: g.svc, Carrier: carrier, Clock: g.clock.Now,
	})
	require.NoError(t, err)
	g.vt = dialer.NewVirtualTime()
	require.NoError(t, g.engine.Start(g.ctx))
	t.Cleanup(func() { _ = g.engine.Stop(context.Background()) })
	_, err = g.svc.PutMember(g.ctx, g.admin, campaign.Member{UserID: "agent0", Role: campaign.RoleCaller})
	require.NoError(t, err)
	require.NoError(t, g.engine.Login(g.ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: "agent0"},
		dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "agent0"}}))
	return g
}

// step runs the engine once at the clock's now.
func (g *gateWorld) step() {
	g.t.Helper()
	_, err := g.vt.Step(g.ctx, g.engine)
	require.NoError(g.t, err)
}

// requireBlockedAtDial checks that nothing was dialled and that every
// leased contact is recorded as a dial-stage block with reason.
func (g *gateWorld) requireBlockedAtDial(reason string) []campaign.Block {
	g.t.Helper()
	require.NotEmpty(g.t, g.leased, "the queue leased contacts")
	st := g.engine.Stats()
	assert.Zero(g.t, st.Dials, "no call may be placed")
	assert.Equal(g.t, len(g.leased), st.Blocked)
	bs, err := g.st.ListBlocks(g.ctx, g.admin.WorkspaceID, queue.BlockFilter{CampaignID: g.c.ID})
	require.NoError(g.t, err)
	var dial []campaign.Block
	for _, b := range bs {
		if b.Stage == "dial" {
			dial = append(dial, b)
		}
	}
	require.Len(g.t, dial, len(g.leased), "one dial-stage block per leased contact: %+v", bs)
	for i, b := range dial {
		assert.Equal(g.t, reason, b.Reason, "block %d: %+v", i, b)
		assert.NotEmpty(g.t, b.Scope)
	}
	got := map[campaign.ContactID]bool{}
	for _, b := range dial {
		got[b.ContactID] = true
	}
	for _, l := range g.leased {
		assert.True(g.t, got[l.ContactID], "contact %s has its block", l.ContactID)
	}
	return dial
}

// Monday 2 November 2026, 17:00 UTC: noon in New York.
var gateNoon = time.Date(2026, 11, 2, 17, 0, 0, 0, time.UTC)

func nyContacts(n int) []campaign.Contact {
	cs := make([]campaign.Contact, n)
	for i := range cs {
		cs[i] = campaign.Contact{Phone: fmt.Sprintf("+1212%07d", 2000000+i), Timezones: []string{"America/New_York"}, State: "NY", AreaCodeState: "NY",
			Consent: campaign.Consent{Kind: campaign.ConsentExpress, Source: "web form", CapturedAt: gateNoon.Add(-24 * time.Hour)}}
	}
	return cs
}

// TestGateDialsWhenNothingChanged is the control: the same world without a
// change dials.
func TestGateDialsWhenNothingChanged(t *testing.T) {
	g := newGateWorld(t, gateNoon, campaign.Settings{RequiredConsent: campaign.ConsentExpress}, nyContacts(3), nil)
	g.step()
	assert.Equal(t, 1, g.engine.Stats().Dials)
	assert.Zero(t, g.engine.Stats().Blocked)
}

func TestGateBlocksNumberSuppressedAfterClaim(t *testing.T) {
	g := newGateWorld(t, gateNoon, campaign.Settings{}, nyContacts(3), func(g *gateWorld, ls []queue.Lease) {
		for _, l := range ls {
			require.NoError(g.t, g.supp.Add(g.ctx, g.admin, suppression.Entry{List: suppression.Global(), Number: l.Contact.Phone, Reason: "dnc_request", Source: "call"}))
		}
	})
	g.step()
	for _, b := range g.requireBlockedAtDial("suppressed_global") {
		assert.Equal(t, campaign.BlockScopeGlobal, b.Scope)
	}
}

func TestGateBlocksConsentRevokedAfterClaim(t *testing.T) {
	g := newGateWorld(t, gateNoon, campaign.Settings{RequiredConsent: campaign.ConsentExpress}, nyContacts(3), func(g *gateWorld, ls []queue.Lease) {
		for _, l := range ls {
			// A leased contact cannot be edited, but a revocation is
			// recorded whatever the lease.
			_, err := g.svc.UpdateContact(g.ctx, g.admin, l.ContactID, func(c *campaign.Contact) error {
				c.Consent.RevokedAt, c.Consent.RevokedVia = g.clock.Now(), "sms"
				return nil
			})
			require.ErrorIs(g.t, err, campaign.ErrLeased)
			_, err = g.svc.RevokeConsent(g.ctx, g.admin, l.ContactID, "sms")
			require.NoError(g.t, err)
		}
	})
	g.step()
	for _, b := range g.requireBlockedAtDial(queue.ReasonConsentRevoked) {
		assert.Equal(t, campaign.BlockScopeLaw, b.Scope)
	}
}

func TestGateBlocksWhenClockPassesWindowAfterClaim(t *testing.T) {
	// 20:59 in New York; the claim takes two minutes to reach the dial.
	at := time.Date(2026, 11, 3, 1, 59, 0, 0, time.UTC)
	g := newGateWorld(t, at, campaign.Settings{}, nyContacts(3), func(g *gateWorld, ls []queue.Lease) {
		g.clock.Add(2 * time.Minute)
	})
	g.step()
	for _, b := range g.requireBlockedAtDial("outside_legal_hours") {
		assert.Equal(t, campaign.BlockScopeLaw, b.Scope)
		assert.Contains(t, b.Detail, "47 CFR 64.1200(c)(1)", "the block names its rule")
	}
}

func TestGateBlocksWhenCampaignPausedAfterClaim(t *testing.T) {
	g := newGateWorld(t, gateNoon, campaign.Settings{}, nyContacts(3), func(g *gateWorld, ls []queue.Lease) {
		_, err := g.svc.Transition(g.ctx, g.admin, g.c.ID, campaign.StatusPaused, "supervisor pause")
		require.NoError(g.t, err)
	})
	g.step()
	g.requireBlockedAtDial("campaign_not_running")
}

func TestGateBlocksFrequencyCapUsedByAnotherCampaign(t *testing.T) {
	// Florida: at most 3 calls in 24 hours (Fla. Stat. § 501.616(6)(b)).
	cs := make([]campaign.Contact, 2)
	for i := range cs {
		cs[i] = campaign.Contact{Phone: fmt.Sprintf("+1305%07d", 2100000+i), Timezones: []string{"America/New_York"}, State: "FL", AreaCodeState: "FL"}
	}
	var other campaign.Campaign
	g := newGateWorld(t, gateNoon, campaign.Settings{}, cs, func(g *gateWorld, ls []queue.Lease) {
		var as []campaign.Attempt
		for _, l := range ls {
			for k := range 3 {
				at := g.clock.Now().Add(-time.Duration(3-k) * time.Hour)
				as = append(as, campaign.Attempt{ID: campaign.AttemptID(fmt.Sprintf("att-other-%s-%d", l.ContactID, k)), WorkspaceID: g.admin.WorkspaceID,
					CampaignID: other.ID, Number: l.Contact.Phone, StartedAt: at, EndedAt: at.Add(time.Minute), Result: campaign.ResultNoAnswer})
			}
		}
		require.NoError(g.t, g.st.SeedAttempts(g.ctx, as))
	})
	var err error
	other, err = g.svc.CreateCampaign(g.ctx, g.admin, campaign.Campaign{Name: "Other", Timezone: "America/New_York"})
	require.NoError(t, err)
	g.step()
	for _, b := range g.requireBlockedAtDial(queue.ReasonFrequencyCap) {
		assert.Contains(t, b.Detail, "Fla. Stat. § 501.616", "the block names its rule")
	}
}

func TestGateBlocksUnsafeNumber(t *testing.T) {
	// 555-0100 to 555-0199 are reserved for fiction: the claim does not
	// judge numbers, the gate does.
	cs := []campaign.Contact{{Phone: "+12125550123", Timezones: []string{"America/New_York"}, State: "NY", AreaCodeState: "NY"}}
	g := newGateWorld(t, gateNoon, campaign.Settings{}, cs, nil)
	g.step()
	g.requireBlockedAtDial("fictional_number")
}

func TestGateBlocksContactRenumberedAfterClaim(t *testing.T) {
	g := newGateWorld(t, gateNoon, campaign.Settings{}, nyContacts(2), func(g *gateWorld, ls []queue.Lease) {
		for i, l := range ls {
			// The service refuses to edit a leased contact (ErrLeased), so
			// renumber through the store, as a host's own writer or a
			// restored backup could.
			_, err := g.svc.UpdateContact(g.ctx, g.admin, l.ContactID, func(c *campaign.Contact) error {
				c.Phone = fmt.Sprintf("+1718%07d", 3000000+i)
				return nil
			})
			require.ErrorIs(g.t, err, campaign.ErrLeased)
			c, err := g.st.GetContact(g.ctx, l.WorkspaceID, l.ContactID)
			require.NoError(g.t, err)
			c.Phone = fmt.Sprintf("+1718%07d", 3000000+i)
			require.NoError(g.t, g.st.UpdateContact(g.ctx, c, campaign.AuditEntry{}))
		}
	})
	g.step()
	g.requireBlockedAtDial("contact_changed")
}
