package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
)

// campaignLeaseTests check the campaign lease (campaign.Leaser).
var campaignLeaseTests = []struct {
	name string
	fn   func(t *testing.T, h *harness, cl campaign.Leaser)
}{
	{"CampaignLeaseAcquireRenewTakeOver", testCampaignLeaseAcquireRenewTakeOver},
	{"CampaignLeaseRelease", testCampaignLeaseRelease},
	{"CampaignLeaseIsolation", testCampaignLeaseIsolation},
	{"CampaignLeaseRace", testCampaignLeaseRace},
}

func runCampaignLeaseTests(t *testing.T, newStore NewStore) {
	for _, tt := range campaignLeaseTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { _ = s.Close() })
			tt.fn(t, newHarness(t, s), s)
		})
	}
}

const campaignLeaseTTL = 30 * time.Second

func testCampaignLeaseAcquireRenewTakeOver(t *testing.T, h *harness, cl campaign.Leaser) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c")
	ws := admin.WorkspaceID
	t0 := h.clock.Now()

	held, exp, err := cl.AcquireCampaignLease(h.ctx, ws, c.ID, "A", campaignLeaseTTL, t0)
	require.NoError(t, err)
	require.True(t, held, "a free lease is granted")
	assert.True(t, exp.Equal(t0.Add(campaignLeaseTTL)), "expires %s", exp)
	assertUTC(t, exp)

	// The holder renews before expiry.
	t1 := t0.Add(10 * time.Second)
	held, exp, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "A", campaignLeaseTTL, t1)
	require.NoError(t, err)
	require.True(t, held, "the holder renews")
	assert.True(t, exp.Equal(t1.Add(campaignLeaseTTL)), "renewed to %s", exp)

	// Another holder is refused while the lease is live, up to its last
	// instant, and told until when.
	for _, at := range []time.Time{t1, t1.Add(campaignLeaseTTL - time.Nanosecond)} {
		held, exp, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "B", campaignLeaseTTL, at)
		require.NoError(t, err)
		assert.False(t, held, "B must not take a live lease at %s", at)
		assert.True(t, exp.Equal(t1.Add(campaignLeaseTTL)), "B told %s", exp)
	}

	// Once it lapses, another holder takes it over; the old holder is then
	// refused.
	t2 := t1.Add(campaignLeaseTTL)
	held, exp, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "B", campaignLeaseTTL, t2)
	require.NoError(t, err)
	require.True(t, held, "a lapsed lease is taken over")
	assert.True(t, exp.Equal(t2.Add(campaignLeaseTTL)))
	held, exp, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "A", campaignLeaseTTL, t2.Add(time.Second))
	require.NoError(t, err)
	assert.False(t, held, "the old holder lost it")
	assert.True(t, exp.Equal(t2.Add(campaignLeaseTTL)))

	// Bad arguments.
	_, _, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "", campaignLeaseTTL, t2)
	assert.ErrorIs(t, err, campaign.ErrInvalid)
	_, _, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "A", 0, t2)
	assert.ErrorIs(t, err, campaign.ErrInvalid)
}

func testCampaignLeaseRelease(t *testing.T, h *harness, cl campaign.Leaser) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c")
	ws := admin.WorkspaceID
	t0 := h.clock.Now()

	require.NoError(t, cl.ReleaseCampaignLease(h.ctx, ws, c.ID, "A"), "releasing a lease nobody holds is fine")
	held, _, err := cl.AcquireCampaignLease(h.ctx, ws, c.ID, "A", campaignLeaseTTL, t0)
	require.NoError(t, err)
	require.True(t, held)

	// Only the holder's release counts.
	require.NoError(t, cl.ReleaseCampaignLease(h.ctx, ws, c.ID, "B"))
	held, _, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "B", campaignLeaseTTL, t0.Add(time.Second))
	require.NoError(t, err)
	assert.False(t, held, "B's release must not end A's lease")

	require.NoError(t, cl.ReleaseCampaignLease(h.ctx, ws, c.ID, "A"))
	held, exp, err := cl.AcquireCampaignLease(h.ctx, ws, c.ID, "B", campaignLeaseTTL, t0.Add(2*time.Second))
	require.NoError(t, err)
	assert.True(t, held, "a released lease is free at once")
	assert.True(t, exp.Equal(t0.Add(2*time.Second+campaignLeaseTTL)))
	require.NoError(t, cl.ReleaseCampaignLease(h.ctx, ws, c.ID, "A"), "a late release by the old holder does nothing")
	held, _, err = cl.AcquireCampaignLease(h.ctx, ws, c.ID, "A", campaignLeaseTTL, t0.Add(3*time.Second))
	require.NoError(t, err)
	assert.False(t, held, "B still holds it")
}

func testCampaignLeaseIsolation(t *testing.T, h *harness, cl campaign.Leaser) {
	a := h.workspace("acme")
	b := h.workspace("globex")
	ca := h.campaign(a, "ca")
	cb := h.campaign(b, "cb")
	t0 := h.clock.Now()

	held, _, err := cl.AcquireCampaignLease(h.ctx, a.WorkspaceID, ca.ID, "A", campaignLeaseTTL, t0)
	require.NoError(t, err)
	require.True(t, held)
	// Leases of different campaigns are independent.
	held, _, err = cl.AcquireCampaignLease(h.ctx, b.WorkspaceID, cb.ID, "B", campaignLeaseTTL, t0)
	require.NoError(t, err)
	require.True(t, held)

	// Another workspace cannot take, or see, a campaign it does not have.
	_, _, err = cl.AcquireCampaignLease(h.ctx, b.WorkspaceID, ca.ID, "B", campaignLeaseTTL, t0)
	assert.ErrorIs(t, err, campaign.ErrNotFound)
	_, _, err = cl.AcquireCampaignLease(h.ctx, a.WorkspaceID, "no-such-campaign", "A", campaignLeaseTTL, t0)
	assert.ErrorIs(t, err, campaign.ErrNotFound)
	// Nor release it, even naming its holder.
	require.NoError(t, cl.ReleaseCampaignLease(h.ctx, b.WorkspaceID, ca.ID, "A"))
	held, _, err = cl.AcquireCampaignLease(h.ctx, a.WorkspaceID, ca.ID, "C", campaignLeaseTTL, t0.Add(time.Second))
	require.NoError(t, err)
	assert.False(t, held, "a release from another workspace must not end the lease")
}

func testCampaignLeaseRace(t *testing.T, h *harness, cl campaign.Leaser) {
	admin := h.workspace("acme")
	c := h.campaign(admin, "c")
	t0 := h.clock.Now()
	const n = 8
	var (
		wg   sync.WaitGroup
		won  = make([]bool, n)
		errs = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			won[i], _, errs[i] = cl.AcquireCampaignLease(h.ctx, admin.WorkspaceID, c.ID, string(rune('A'+i)), campaignLeaseTTL, t0)
		})
	}
	wg.Wait()
	winners := 0
	for i := range n {
		require.NoError(t, errs[i])
		if won[i] {
			winners++
		}
	}
	assert.Equal(t, 1, winners, "exactly one of %d concurrent holders gets the lease", n)
}
