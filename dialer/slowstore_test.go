package dialer_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// slowClaims is the real queue whose claims, after the first, block for
// block: a database busy with a slow claim.
type slowClaims struct {
	*queue.Service
	block time.Duration

	n       atomic.Int32
	mu      sync.Mutex
	started time.Time // when the first slow claim began
	ended   time.Time // when it returned
	began   chan struct{}
}

func (q *slowClaims) Claim(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, n int, ttl time.Duration) ([]queue.Lease, error) {
	if q.n.Add(1) == 2 {
		q.mu.Lock()
		q.started = time.Now()
		q.mu.Unlock()
		close(q.began)
		time.Sleep(q.block)
		q.mu.Lock()
		q.ended = time.Now()
		q.mu.Unlock()
	}
	return q.Service.Claim(ctx, ws, id, n, ttl)
}

// within runs f and returns how long it took.
func within(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

// TestSlowClaimDelaysNoOne: while a claim blocks in the store for a
// second, the engine still bridges the calls answered meanwhile at once,
// and an agent's SaveOutcome, a Login and Stats return within
// milliseconds: nothing waits behind the engine's store I/O.
func TestSlowClaimDelaysNoOne(t *testing.T) {
	defer goleak.VerifyNone(t)
	zone := simagent.OpenZone(time.Now())
	// Three agents, HopperSize 2: the first tick claims two contacts and
	// dials them; the next claims the third agent's, and blocks.
	settings := campaign.Settings{DialMode: campaign.DialProgressive, MaxAttempts: 1, DialerInterval: 100 * time.Millisecond,
		WrapUp: time.Minute, HopperSize: 2}
	f := newFleet(t, time.Now, settings, 10, zone, "")
	sc, err := sim.New(sim.Config{Seed: 1, Now: time.Now, Override: humanAnswers(300*time.Millisecond, 100*time.Millisecond)})
	require.NoError(t, err)
	carrier := &slowDialCarrier{Carrier: sc, answered: map[telephony.CallID]time.Time{}, bridgedAt: map[telephony.CallID]time.Time{}}
	qs, err := queue.NewService(queue.Config{Store: f.st, Campaigns: f.st, Suppression: f.supp, Authorizer: f.svc})
	require.NoError(t, err)
	q := &slowClaims{Service: qs, block: time.Second, began: make(chan struct{})}
	eng, err := dialer.New(f.ctx, dialer.Config{Workspace: f.admin.WorkspaceID, Campaign: f.c.ID, Campaigns: dialer.CampaignSource{Store: f.st, Service: f.svc},
		Queue: q, Attempts: f.st, Suppression: f.supp, Authorizer: f.svc, Carrier: carrier, DrainTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	actor := func(id campaign.UserID) campaign.Actor {
		return campaign.Actor{WorkspaceID: f.admin.WorkspaceID, UserID: id}
	}
	for _, id := range []campaign.UserID{"agent0", "agent1", "agent2", "agent3"} {
		_, err := f.svc.PutMember(f.ctx, f.admin, campaign.Member{UserID: id, Role: campaign.RoleCaller})
		require.NoError(t, err)
	}
	login := func(id campaign.UserID) error {
		return eng.Login(f.ctx, actor(id), dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(id)}})
	}
	for _, id := range []campaign.UserID{"agent0", "agent1", "agent2"} {
		require.NoError(t, login(id))
	}
	ctx, cancel := context.WithCancel(f.ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = sim.RunRealtime(ctx, sc, 5*time.Millisecond) })
	runErr := make(chan error, 1)
	wg.Go(func() { runErr <- eng.Run(ctx) })
	defer func() {
		cancel()
		wg.Wait()
	}()

	select {
	case <-q.began:
	case <-time.After(5 * time.Second):
		t.Fatal("the second claim never began")
	}
	// The two calls ring 300 ms, talk 100 ms: they end while the claim
	// still blocks, and their agents have outcomes to save.
	var agent campaign.UserID
	var att string
	deadline := time.Now().Add(3 * time.Second)
	for att == "" {
		for _, id := range []campaign.UserID{"agent0", "agent1", "agent2"} {
			if a := eng.Awaiting(id); len(a) > 0 {
				agent, att = id, a[0]
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "no call ended")
		time.Sleep(5 * time.Millisecond)
	}
	var saveErr, loginErr error
	save := within(func() {
		saveErr = eng.SaveOutcome(f.ctx, actor(agent), att, dialer.OutcomeInput{DispositionID: f.disp.ID})
	})
	lg := within(func() { loginErr = login("agent3") })
	var st dialer.Stats
	stats := within(func() { st = eng.Stats() })
	q.mu.Lock()
	ended := q.ended
	q.mu.Unlock()
	require.True(t, ended.IsZero(), "the claim returned before the calls under test: nothing was measured")
	t.Logf("while the claim blocks: SaveOutcome %s, Login %s, Stats %s", save, lg, stats)
	require.NoError(t, saveErr)
	require.NoError(t, loginErr)
	assert.Less(t, save, 100*time.Millisecond, "SaveOutcome waited for the claim")
	assert.Less(t, lg, 100*time.Millisecond, "Login waited for the claim")
	assert.Less(t, stats, 100*time.Millisecond, "Stats waited for the claim")
	assert.GreaterOrEqual(t, st.Connected, 1, "the published Stats are current")

	cancel()
	require.NoError(t, <-runErr)
	carrier.mu.Lock()
	defer carrier.mu.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for id, at := range carrier.answered {
		if !at.After(q.started) || !at.Before(q.ended) {
			continue
		}
		n++
		b, ok := carrier.bridgedAt[id]
		require.True(t, ok, "an answer during the claim was never bridged")
		t.Logf("answered %s into the claim, bridge requested %s later", at.Sub(q.started), b.Sub(at))
		assert.Less(t, b.Sub(at), 250*time.Millisecond, "the bridge waited for the claim")
	}
	require.Equal(t, 2, n, "both calls answered while the claim blocked")
	as, err := f.st.ListAttempts(f.ctx, f.admin.WorkspaceID, queue.AttemptFilter{CampaignID: f.c.ID})
	require.NoError(t, err)
	var saved bool
	for _, a := range as {
		if string(a.ID) == att {
			saved = a.DispositionID == f.disp.ID
		}
	}
	assert.True(t, saved, "the outcome saved during the claim is in the attempt log")
}
