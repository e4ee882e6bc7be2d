package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// dialLog records when each engine placed calls.
type dialLog struct {
	mu    sync.Mutex
	dials map[string][]time.Time
}

func (l *dialLog) add(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dials[name] = append(l.dials[name], time.Now())
}

func (l *dialLog) of(name string) []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.dials[name]...)
}

// loggedCarrier is the simulated carrier, recording its dials.
type loggedCarrier struct {
	*sim.Carrier
	name string
	log  *dialLog
}

func (c loggedCarrier) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	c.log.add(c.name)
	return c.Carrier.Dial(ctx, req)
}

// TestCampaignLeaseTwoProcesses: two engines on two connection pools of
// one schema (two processes) dial one campaign with the simulated carrier
// in real time, the campaign lease judged by the database's clock. Only
// one holds the lease and dials; when it dies (it stops stepping, without
// Stop), the other takes over within the lease TTL and dials.
func TestCampaignLeaseTwoProcesses(t *testing.T) {
	const ttl = 2 * time.Second
	dsn := postgrestest.Schema(t)
	ctx := context.Background()
	var stores [2]*postgres.Store
	for i := range stores {
		s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(4))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		require.NoError(t, s.Migrate(ctx))
		stores[i] = s
	}
	raw, err := sqlx.Open("postgres", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	holder := func() string {
		var h []string
		require.NoError(t, raw.SelectContext(ctx, &h, `SELECT holder FROM campaign_leases WHERE expires_at > (extract(epoch from clock_timestamp()) * 1000000000)::bigint`))
		if len(h) == 0 {
			return ""
		}
		return h[0]
	}

	csvc, err := campaign.NewService(campaign.Config{Store: stores[0]})
	require.NoError(t, err)
	ws, err := csvc.CreateWorkspace(ctx, campaign.Member{UserID: "admin"}, campaign.Workspace{Name: "two processes"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "admin"}
	c, err := csvc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "c", Timezone: "UTC", Settings: campaign.Settings{
		DialMode: campaign.DialProgressive, MaxAttempts: 3, RetryInterval: time.Minute, MinTimeBetweenCalls: time.Minute,
		DialerInterval: 100 * time.Millisecond, WrapUp: 100 * time.Millisecond, CallerIDs: []string{"+14155550100"}}})
	require.NoError(t, err)
	zone := simagent.OpenZone(time.Now())
	cs := make([]campaign.Contact, 40)
	for i := range cs {
		cs[i] = campaign.Contact{CampaignID: c.ID, Phone: fmt.Sprintf("+1312%07d", 2000000+i), Timezones: []string{zone}}
	}
	_, err = csvc.AddContacts(ctx, admin, cs)
	require.NoError(t, err)
	for _, st := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, err = csvc.Transition(ctx, admin, c.ID, st, "")
		require.NoError(t, err)
	}
	for _, id := range []campaign.UserID{"agent0", "agent1"} {
		_, err = csvc.PutMember(ctx, admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
		require.NoError(t, err)
	}

	// Each process: its own pool, services, carrier and step loop.
	log := &dialLog{dials: map[string][]time.Time{}}
	type proc struct {
		eng  *dialer.Engine
		kill context.CancelFunc
		done sync.WaitGroup
	}
	procs := map[string]*proc{}
	for i, name := range []string{"A", "B"} {
		s := stores[i]
		svc, err := campaign.NewService(campaign.Config{Store: s})
		require.NoError(t, err)
		sup, err := suppression.NewService(suppression.Config{Store: s, Authorizer: svc})
		require.NoError(t, err)
		q, err := queue.NewService(queue.Config{Store: s, Campaigns: s, Suppression: sup, Authorizer: svc})
		require.NoError(t, err)
		sc, err := sim.New(sim.Config{Seed: uint64(i), AnswerProb: sim.Constant(0.8), HeldProb: -1,
			RingMin: 100 * time.Millisecond, RingMean: 100 * time.Millisecond, RingMax: 300 * time.Millisecond, TalkMean: time.Second, Patience: time.Second})
		require.NoError(t, err)
		eng, err := dialer.New(ctx, dialer.Config{Workspace: ws.ID, Campaign: c.ID, Campaigns: dialer.CampaignSource{Store: s, Service: svc},
			Queue: q, Attempts: s, Suppression: sup, Authorizer: svc, Carrier: loggedCarrier{Carrier: sc, name: name, log: log},
			Leaser: s, Holder: name, LeaseTTL: ttl, StatusEvery: 500 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, eng.Start(ctx))
		for _, id := range []campaign.UserID{"agent0", "agent1"} {
			require.NoError(t, eng.Login(ctx, campaign.Actor{WorkspaceID: ws.ID, UserID: id},
				dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: name + string(id)}}))
		}
		pctx, kill := context.WithCancel(ctx)
		p := &proc{eng: eng, kill: kill}
		// The process's loop: the carrier in real time, and the engine
		// stepped at its wake-ups. Killing it stops both; no Stop.
		p.done.Go(func() { _ = sim.RunRealtime(pctx, sc, 20*time.Millisecond) })
		// The engine stepped by hand (a VirtualTime on the wall clock),
		// so that killing it is a kill: no drain, no Stop.
		vt := dialer.NewVirtualTime()
		p.done.Go(func() {
			for pctx.Err() == nil {
				next, _ := vt.Step(pctx, eng)
				wait := 50 * time.Millisecond
				if !next.IsZero() {
					wait = min(max(time.Until(next), time.Millisecond), wait)
				}
				select {
				case <-pctx.Done():
				case <-time.After(wait):
				}
			}
		})
		procs[name] = p
		t.Cleanup(func() { kill(); p.done.Wait() })
	}

	// Both alive: one holder, steady, and only it dials.
	var first string
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		h := holder()
		if first == "" {
			first = h
		}
		require.NotEmpty(t, h, "the campaign lease lapsed while both engines were alive")
		require.Equal(t, first, h, "the lease changed hands while its holder was alive")
	}
	other := map[string]string{"A": "B", "B": "A"}[first]
	require.NotEmpty(t, log.of(first), "the holder %s dials", first)
	require.Empty(t, log.of(other), "%s dialed without the lease", other)

	// Kill the holder: it stops renewing, and the other takes over within
	// the TTL (plus one retry interval of TTL/3).
	procs[first].kill()
	procs[first].done.Wait()
	killed := time.Now()
	for holder() != other {
		require.Less(t, time.Since(killed), ttl+ttl/3+time.Second, "%s did not take over", other)
		time.Sleep(20 * time.Millisecond)
	}
	tookOver := time.Since(killed)
	for len(log.of(other)) == 0 {
		require.Less(t, time.Since(killed), ttl+ttl/3+2*time.Second, "%s took the lease but did not dial", other)
		time.Sleep(20 * time.Millisecond)
	}
	firstDials, otherDials := log.of(first), log.of(other)
	t.Logf("zone %s: %s dialed %d; killed; %s took over after %s and dialed %d", zone, first, len(firstDials), other, tookOver, len(otherDials))
	assert.True(t, firstDials[len(firstDials)-1].Before(otherDials[0]), "the engines dialed at the same time")

	procs[other].kill()
	procs[other].done.Wait()
	require.NoError(t, procs[other].eng.Stop(ctx))
	assert.Empty(t, holder(), "Stop released the lease")
}
