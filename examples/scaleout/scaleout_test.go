package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/internal/testenv"
	"github.com/callstackhq/callstack/store/postgres/postgrestest"
)

// TestMain makes the test binary a worker when the parent re-executes it.
func TestMain(m *testing.M) {
	if spec := os.Getenv(workerEnv); spec != "" {
		if err := worker(context.Background(), spec); err != nil {
			os.Stderr.WriteString("scaleout worker: " + err.Error() + "\n")
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestScaleOut runs two worker processes on one Postgres schema, kills one
// with SIGKILL mid-run, restarts it, and holds the run to the targets.
func TestScaleOut(t *testing.T) {
	dsn := postgrestest.Schema(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	ttl := 5 * time.Second
	// 400 contacts by default, sized for the race detector, whose workers
	// run several times slower; CALLSTACK_FULL_TESTS=1 runs 1,500.
	contacts := testenv.Scale(t, 1500, 400)
	res, err := Run(t.Context(), Options{DSN: dsn, Exe: exe, Processes: 2, Contacts: contacts, Campaigns: 2, Kill: 1,
		LeaseTTL: ttl, Timeout: 150 * time.Second}, testLog{t})
	require.NoError(t, err)
	t.Logf("%+v", res)
	assert.GreaterOrEqual(t, res.Dials, contacts, "every contact dialled at least once")
	assert.Zero(t, res.DoubleDials, "double dials")
	assert.Zero(t, res.Lost, "contacts neither final nor scheduled")
	assert.Equal(t, 1, res.CampaignOwnersMax, "most lease holders of one campaign at once")
	assert.Positive(t, res.TakeoverS)
	assert.LessOrEqual(t, res.TakeoverS, (ttl + 5*time.Second).Seconds(), "takeover within the lease TTL + 5s")
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(string(p))
	return len(p), nil
}

func TestDoubleDials(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(num string, start, end time.Duration) campaign.Attempt {
		a := campaign.Attempt{Number: num, StartedAt: t0.Add(start)}
		if end > 0 {
			a.EndedAt = t0.Add(end)
		}
		return a
	}
	retry := 5 * time.Second
	assert.Zero(t, doubleDials([]campaign.Attempt{at("a", 0, 2*time.Second), at("a", 7*time.Second, 9*time.Second), at("b", 0, time.Second)}, retry, nil))
	assert.Equal(t, 1, doubleDials([]campaign.Attempt{at("a", 0, 3*time.Second), at("a", time.Second, 2*time.Second)}, retry, nil), "overlapping calls")
	assert.Equal(t, 1, doubleDials([]campaign.Attempt{at("a", 0, 2*time.Second), at("a", 6*time.Second, 7*time.Second)}, retry, nil), "retried too soon")
	assert.Equal(t, 1, doubleDials([]campaign.Attempt{at("a", 0, 0), at("a", time.Minute, time.Minute+time.Second)}, retry, nil), "no end, no kill")
	assert.Zero(t, doubleDials([]campaign.Attempt{at("a", 0, 0), at("a", 20*time.Second, 21*time.Second)}, retry, []time.Time{t0.Add(time.Second)}), "ended by the kill")
	assert.Equal(t, 1, doubleDials([]campaign.Attempt{at("a", 0, 0), at("a", 4*time.Second, 5*time.Second)}, retry, []time.Time{t0.Add(time.Second)}), "too soon after the kill")
}

func TestOwnersMax(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ttl := 10 * time.Second
	grant := func(c campaign.ID, h string, exp time.Duration) leaseEvent {
		return leaseEvent{Campaign: c, Holder: h, Held: true, At: t0.Add(exp - ttl), Expires: t0.Add(exp)}
	}
	// Renewals by one holder, then a takeover after expiry, on two
	// campaigns held by different processes.
	evs := []leaseEvent{grant("c1", "A", 10*time.Second), grant("c1", "A", 13*time.Second), grant("c1", "B", 23*time.Second),
		grant("c2", "B", 10*time.Second)}
	assert.Equal(t, 1, ownersMax(evs, ttl))
	// A takeover before the holder's lease lapsed.
	assert.Equal(t, 2, ownersMax(append(evs, grant("c1", "C", 20*time.Second)), ttl))
	// A release ends the lease: a takeover right after is no overlap.
	evs = append(evs, leaseEvent{Campaign: "c2", Holder: "B", Released: true, At: t0.Add(5 * time.Second)}, grant("c2", "D", 16*time.Second))
	assert.Equal(t, 1, ownersMax(evs, ttl))
	assert.True(t, heldAt(evs, "c1", "A", t0.Add(12*time.Second)))
	assert.False(t, heldAt(evs, "c1", "A", t0.Add(14*time.Second)))
}
