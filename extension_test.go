package callstack_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/store/memory"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// recordingCarrier records the dial requests it passes on.
type recordingCarrier struct {
	*sim.Carrier
	mu   sync.Mutex
	reqs []telephony.DialRequest
}

func (r *recordingCarrier) Dial(ctx context.Context, req telephony.DialRequest) (telephony.CallID, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	return r.Carrier.Dial(ctx, req)
}

// TestExtensionReachesTheCarrier: an extension written in the phone cell of
// an imported file is on the dial request of that contact's call.
func TestExtensionReachesTheCarrier(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewClock(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 09:00 in New York
	simc, err := sim.New(sim.Config{Seed: 7, Now: clock.Now, AnswerProb: sim.Constant(1)})
	require.NoError(t, err)
	carrier := &recordingCarrier{Carrier: simc}
	st := memory.New()
	cs, err := callstack.New(st, callstack.Config{Carrier: carrier, Clock: clock.Now})
	require.NoError(t, err)
	svc := cs.Campaigns()
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
	require.NoError(t, err)
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals", Timezone: "America/New_York",
		Settings: campaign.Settings{DialMode: campaign.DialProgressive, CallerIDs: []string{"+12125550100"}}})
	require.NoError(t, err)
	done, err := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Done", Contacted: true, Final: true})
	require.NoError(t, err)
	res, err := cs.Imports().Import(ctx, admin, strings.NewReader("phone,first_name\n(212) 279-0147 ext 4021,Ann\n(646) 321-7788,Bob\n"),
		importer.Options{CampaignID: c.ID})
	require.NoError(t, err)
	require.Equal(t, 2, res.Counts.Accepted)
	for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		_, err := svc.Transition(ctx, admin, c.ID, to, "")
		require.NoError(t, err)
	}
	_, err = svc.PutMember(ctx, admin, campaign.Member{UserID: "bo", Role: campaign.RoleCaller})
	require.NoError(t, err)
	e, err := cs.Engine(ctx, ws.ID, c.ID, dialer.Config{})
	require.NoError(t, err)
	team, err := simagent.New(simagent.Config{Engine: e, Workspace: ws.ID, Clock: clock.Now, Agents: []campaign.UserID{"bo"}, Disposition: done.ID})
	require.NoError(t, err)
	require.NoError(t, e.Start(ctx))
	require.NoError(t, team.Login(ctx))
	require.NoError(t, dialer.RunVirtual(ctx, e, simc, clock, clock.Now().Add(time.Hour), team))
	require.NoError(t, e.Stop(ctx))

	ext := map[string]string{}
	carrier.mu.Lock()
	for _, r := range carrier.reqs {
		ext[r.To] = r.Extension
	}
	carrier.mu.Unlock()
	assert.Equal(t, map[string]string{"+12122790147": "4021", "+16463217788": ""}, ext)

	// The client's engine counts its caller-ID uses in the client's store.
	ids, err := st.CallerIDStates(ctx, ws.ID, nil)
	require.NoError(t, err)
	require.Len(t, ids, 1)
	assert.Equal(t, "+12125550100", ids[0].Number)
	assert.Equal(t, 2, ids[0].CallsToday)
	disabled := true
	upd, err := svc.UpdateCallerID(ctx, admin, "+12125550100", campaign.CallerIDUpdate{Disabled: &disabled})
	require.NoError(t, err, "the client's campaign service updates caller IDs")
	assert.True(t, upd.Disabled)
}
