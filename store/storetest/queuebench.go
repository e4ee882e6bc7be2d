package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/suppression"
)

// ClaimBench is a queue claim benchmark's setup: a Running campaign
// holding Contacts ready contacts, all callable at the virtual clock's
// time, with their queue facts computed.
type ClaimBench struct {
	Workspace campaign.WorkspaceID
	Campaign  campaign.ID
	Contacts  int
	svc       *queue.Service
	store     queue.Store
	clock     *Clock
}

// ClaimResult is one measured claim loop.
type ClaimResult struct {
	Name     string
	Claimers int
	Batch    int
	Leased   int
	Claims   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	// Double counts IDs returned twice.
	Double int
}

// PerSecond is the contacts leased per second.
func (r ClaimResult) PerSecond() float64 { return float64(r.Leased) / r.Elapsed.Seconds() }

// String formats r for BENCHMARKS.md.
func (r ClaimResult) String() string {
	return fmt.Sprintf("%s: %d claimers × %d per claim: %d leased in %d claims, %s, %.0f contacts/s, p50 %s, p99 %s",
		r.Name, r.Claimers, r.Batch, r.Leased, r.Claims, r.Elapsed.Round(time.Millisecond), r.PerSecond(),
		r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond))
}

// CloneFunc copies contacts in SQL for a large benchmark setup: it adds
// contacts from..n-1 to the campaign, contact i a copy of template i % from
// (the contacts already there, with their queue facts computed) under its
// own ID, number and creation time.
type CloneFunc func(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, n int) error

// claimTemplates is how many contacts NewClaimBench writes through the
// services before clone copies them.
const claimTemplates = 1000

// SetUpClaimBench builds the setup of a claim benchmark on s with n
// contacts (examples/claimbench). With clone nil every contact is added
// and refreshed through the services; with clone the first 1,000 are,
// and clone copies them up to n, which takes seconds rather than minutes
// at a million.
func SetUpClaimBench(ctx context.Context, s store.Store, n int, clone CloneFunc) (*ClaimBench, error) {
	clock := NewClock(queueMonday.Add(2 * time.Hour)) // noon in New York, 09:00 in Los Angeles
	svc, err := campaign.NewService(campaign.Config{Store: s, Clock: clock.Now})
	if err != nil {
		return nil, err
	}
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "admin"}, campaign.Workspace{Name: "bench"})
	if err != nil {
		return nil, err
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "admin"}
	c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "bench"})
	if err != nil {
		return nil, err
	}
	for _, st := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
		if _, err = svc.Transition(ctx, admin, c.ID, st, ""); err != nil {
			return nil, err
		}
	}
	zones := [][]string{{"America/New_York"}, {"America/Chicago"}, {"America/Denver"}, {"America/Los_Angeles"}}
	const chunk = 10000
	through := n
	if clone != nil {
		through = min(n, claimTemplates)
	}
	for i := 0; i < through; i += chunk {
		cs := make([]campaign.Contact, 0, chunk)
		for j := i; j < min(through, i+chunk); j++ {
			cs = append(cs, campaign.Contact{ID: campaign.ContactID(fmt.Sprintf("b%08d", j)), CampaignID: c.ID,
				Phone: fmt.Sprintf("+1%03d%07d", 201+j%700, j%10_000_000), Timezones: zones[j%len(zones)],
				Priority: campaign.Priority(j%3 - 1)})
		}
		if _, err := svc.AddContacts(ctx, admin, cs); err != nil {
			return nil, err
		}
	}
	sup, err := suppression.NewService(suppression.Config{Store: s, Authorizer: svc, Clock: clock.Now})
	if err != nil {
		return nil, err
	}
	qs := s
	q, err := queue.NewService(queue.Config{Store: qs, Campaigns: s, Suppression: sup, Clock: clock.Now, RefreshBatch: 10000})
	if err != nil {
		return nil, err
	}
	for {
		more, err := q.Refresh(ctx, ws.ID, c.ID)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	if through < n {
		if err := clone(ctx, ws.ID, c.ID, through, n); err != nil {
			return nil, err
		}
	}
	return &ClaimBench{Workspace: ws.ID, Campaign: c.ID, Contacts: n, svc: q, store: qs, clock: clock}, nil
}

// Queue returns the queue Service the benchmark claims with.
func (b *ClaimBench) Queue() *queue.Service { return b.svc }

// Now returns the benchmark's virtual time.
func (b *ClaimBench) Now() time.Time { return b.clock.Now() }

// ClaimLoop runs claim from claimers goroutines until it returns nothing
// or limit IDs are returned (0: no limit; the claims in flight then may
// add a few more), timing each call, and counts the IDs returned twice
// (ClaimResult.Double). It returns the first claim error. Each claimer
// claims again as soon as its claim returns (a closed loop: the store
// runs saturated); PacedClaimLoop offers a fixed rate instead.
func ClaimLoop(ctx context.Context, name string, claimers, batch, limit int, claim func(ctx context.Context) ([]string, error)) (ClaimResult, error) {
	return PacedClaimLoop(ctx, name, claimers, batch, limit, 0, claim)
}

// PacedClaimLoop is ClaimLoop offering rate leases a second (0: as fast as
// the claims return): the claims are scheduled batch/rate seconds apart,
// round-robin over the claimers, and each claim's latency counts from its
// scheduled time, so a claim that starts late because the one before ran
// long counts that wait too (no coordinated omission).
func PacedClaimLoop(ctx context.Context, name string, claimers, batch, limit int, rate float64, claim func(ctx context.Context) ([]string, error)) (ClaimResult, error) {
	var (
		mu     sync.Mutex
		seen   = map[string]bool{}
		lat    []time.Duration
		leased atomic.Int64
		double atomic.Int64
		errs   = make([]error, claimers)
		wg     sync.WaitGroup
	)
	began := time.Now()
	for w := range claimers {
		wg.Go(func() {
			var mine []time.Duration
			for k := 0; ; k++ {
				t0 := time.Now()
				if rate > 0 {
					slot := float64(k*claimers+w) * float64(batch) / rate
					t0 = began.Add(time.Duration(slot * float64(time.Second)))
					if d := time.Until(t0); d > 0 {
						select {
						case <-ctx.Done():
							errs[w] = ctx.Err()
							return
						case <-time.After(d):
						}
					}
				}
				ids, err := claim(ctx)
				d := time.Since(t0)
				if err != nil {
					errs[w] = err
					break
				}
				if len(ids) == 0 {
					break
				}
				mine = append(mine, d)
				total := leased.Add(int64(len(ids)))
				mu.Lock()
				for _, id := range ids {
					if seen[id] {
						double.Add(1)
					}
					seen[id] = true
				}
				mu.Unlock()
				if limit > 0 && total >= int64(limit) {
					break
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	slices.Sort(lat)
	r := ClaimResult{Name: name, Claimers: claimers, Batch: batch, Leased: int(leased.Load()), Claims: len(lat), Elapsed: elapsed,
		Double: int(double.Load())}
	if len(lat) > 0 {
		r.P50, r.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return r, errors.Join(errs...)
}

// CloneColumns returns, for an INSERT … SELECT that copies a template
// contact row t, the column list and the matching select list: each column
// of cols is copied from t unless set gives its expression. Adapters'
// CloneFuncs build their SQL from it.
func CloneColumns(cols []string, set map[string]string) (insert, sel string) {
	var ins, exprs []string
	for _, c := range cols {
		ins = append(ins, c)
		if e, ok := set[c]; ok {
			exprs = append(exprs, e)
		} else {
			exprs = append(exprs, "t."+c)
		}
	}
	return strings.Join(ins, ", "), strings.Join(exprs, ", ")
}
