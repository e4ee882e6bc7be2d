package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the parent's own reads of progress

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer/simagent"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/postgres"
)

const (
	defaultLeaseTTL = 10 * time.Second
	defaultTimeout  = 10 * time.Minute
	// retryInterval is the campaigns' wait before a retry, which the
	// double-dial check holds every attempt to.
	retryInterval   = 5 * time.Second
	agentsPerEngine = 40
	// hopperExpiry is the contacts' lease time: a killed worker's calls in
	// flight are reaped (logged with an unknown result) and their contacts
	// dialable again when it lapses. Shorter leases are lost to engines
	// whose steps lag on a loaded machine (the engine extends a call's
	// lease half-way through it), and the call's outcome with them.
	hopperExpiry = 45 * time.Second
)

// Options are the run's parameters.
type Options struct {
	// DSN names the Postgres database; its schema is migrated.
	DSN string
	// Exe is the binary run as the workers, with workerEnv set.
	Exe       string
	Processes int
	Contacts  int
	// Campaigns defaults to 3.
	Campaigns int
	// Kill is how many workers to kill -9 and restart, one after another.
	Kill int
	// LeaseTTL is the campaign lease TTL. Defaults to 10s.
	LeaseTTL time.Duration
	// Timeout bounds the dialling. Defaults to 10m.
	Timeout time.Duration
	// Seed picks the kill moments and seeds the calls; 0 picks one at
	// random.
	Seed uint64
}

// Result is what the run prints.
type Result struct {
	Dials       int `json:"dials"`
	DoubleDials int `json:"double_dials"`
	Lost        int `json:"lost"`
	// TakeoverS is the longest gap in dialling of a campaign the killed
	// worker held, from the last dial before the kill to the first after.
	TakeoverS         float64 `json:"takeover_s"`
	CampaignOwnersMax int     `json:"campaign_owners_max"`
}

type proc struct {
	slot, gen int
	cmd       *exec.Cmd
	done      chan struct{}
	err       error
}

// Run sets up the database, runs the workers, kills and restarts o.Kill of
// them, and reads the outcome from the database. Progress goes to log.
func Run(ctx context.Context, o Options, log io.Writer) (Result, error) {
	if o.Campaigns == 0 {
		o.Campaigns = 3
	}
	if o.LeaseTTL == 0 {
		o.LeaseTTL = defaultLeaseTTL
	}
	if o.Timeout == 0 {
		o.Timeout = defaultTimeout
	}
	if o.Seed == 0 {
		o.Seed = rand.Uint64()
	}
	if o.DSN == "" || o.Exe == "" || o.Processes < 1 || o.Contacts < o.Campaigns || o.Campaigns < 1 || o.Kill < 0 || o.LeaseTTL < time.Second {
		return Result{}, errors.New("options out of range (dsn and exe set, processes ≥ 1, campaigns ≥ 1, contacts ≥ campaigns, kill ≥ 0, lease-ttl ≥ 1s)")
	}
	rng := rand.New(rand.NewPCG(o.Seed, 18))
	fmt.Fprintf(log, "scaleout: seed %d\n", o.Seed)

	st, err := postgres.Open(ctx, o.DSN)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return Result{}, err
	}
	db, err := sqlx.Open("postgres", o.DSN)
	if err != nil {
		return Result{}, err
	}
	defer db.Close()

	svc, err := campaign.NewService(campaign.Config{Store: st})
	if err != nil {
		return Result{}, err
	}
	ws, err := svc.CreateWorkspace(ctx, campaign.Member{UserID: "manager"}, campaign.Workspace{Name: fmt.Sprintf("scaleout %d", o.Seed)})
	if err != nil {
		return Result{}, err
	}
	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "manager"}
	for slot := range o.Processes {
		for ci := range o.Campaigns {
			for i := range agentsPerEngine {
				if _, err := svc.PutMember(ctx, admin, campaign.Member{UserID: agentID(slot, ci, i), Role: campaign.RoleCaller}); err != nil {
					return Result{}, err
				}
			}
		}
	}
	zone := simagent.OpenZone(time.Now())
	j := job{DSN: o.DSN, Workspace: ws.ID, Agents: agentsPerEngine, LeaseTTL: o.LeaseTTL, Seed: o.Seed}
	for ci := range o.Campaigns {
		c, err := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: fmt.Sprintf("scaleout %d", ci), Timezone: "UTC", Settings: campaign.Settings{
			DialMode: campaign.DialPredictive, MaxConcurrentCalls: 4 * agentsPerEngine, DialerInterval: 200 * time.Millisecond, CallSpacing: 100,
			RingTimeout: 15 * time.Second, WrapUp: 100 * time.Millisecond, MaxAttempts: 2, RetryInterval: retryInterval, MinTimeBetweenCalls: retryInterval,
			RetryConditions: []campaign.Result{campaign.ResultNoAnswer, campaign.ResultBusy},
			HopperSize:      4 * agentsPerEngine, HopperExpiry: hopperExpiry,
			CallerIDs: []string{"+12125550100", "+12125550101"}, CallerIDPool: campaign.CallerIDPoolSettings{DailyCap: 1_000_000},
		}})
		if err != nil {
			return Result{}, err
		}
		d, err := svc.PutDisposition(ctx, admin, campaign.Disposition{CampaignID: c.ID, Title: "Talked", Contacted: true, Final: true})
		if err != nil {
			return Result{}, err
		}
		n := o.Contacts / o.Campaigns
		if ci < o.Contacts%o.Campaigns {
			n++
		}
		cs := make([]campaign.Contact, 0, n)
		for i := range n {
			cs = append(cs, campaign.Contact{CampaignID: c.ID, Phone: fmt.Sprintf("+1%d12%07d", 2+ci, 2000000+i), Timezones: []string{zone}})
		}
		for len(cs) > 0 {
			k := min(len(cs), 5000)
			if _, err := svc.AddContacts(ctx, admin, cs[:k]); err != nil {
				return Result{}, err
			}
			cs = cs[k:]
		}
		for _, to := range []campaign.Status{campaign.StatusQueued, campaign.StatusRunning} {
			if _, err := svc.Transition(ctx, admin, c.ID, to, ""); err != nil {
				return Result{}, err
			}
		}
		j.Campaigns = append(j.Campaigns, c.ID)
		j.Dispositions = append(j.Dispositions, d.ID)
	}
	fmt.Fprintf(log, "scaleout: %d campaigns, %d contacts in zone %s; starting %d workers\n", o.Campaigns, o.Contacts, zone, o.Processes)

	dir, err := os.MkdirTemp("", "scaleout")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	var mu sync.Mutex
	var procs []*proc // every process started, killed ones included
	live := map[int]*proc{}
	start := func(slot, gen int) error {
		pj := j
		pj.Slot, pj.Gen = slot, gen
		pj.LeaseLog = filepath.Join(dir, fmt.Sprintf("lease-w%d-g%d.jsonl", slot, gen))
		b, err := json.Marshal(pj)
		if err != nil {
			return err
		}
		cmd := exec.Command(o.Exe)
		cmd.Env = append(os.Environ(), workerEnv+"="+string(b))
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			return err
		}
		p := &proc{slot: slot, gen: gen, cmd: cmd, done: make(chan struct{})}
		go func() { p.err = cmd.Wait(); close(p.done) }()
		mu.Lock()
		procs = append(procs, p)
		live[slot] = p
		mu.Unlock()
		fmt.Fprintf(log, "scaleout: worker %d (gen %d) pid %d\n", slot, gen, cmd.Process.Pid)
		return nil
	}
	// Whatever happens, no worker outlives the run.
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range procs {
			select {
			case <-p.done:
			default:
				_ = p.cmd.Process.Kill()
				<-p.done
			}
		}
	}()
	for slot := range o.Processes {
		if err := start(slot, 0); err != nil {
			return Result{}, err
		}
	}

	// Kill moments: after a random 15–45% of the contacts have had a
	// dial, one per kill, each at least a lease TTL after the last.
	type kill struct {
		slot, gen int
		at        time.Time
	}
	var kills []kill
	nextKillAt := func() int { return o.Contacts * (15 + rng.IntN(31)) / 100 }
	killAfter := nextKillAt()
	var lastKill time.Time
	deadline := time.Now().Add(o.Timeout)
	t0 := time.Now()
	lastReport := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return Result{}, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		mu.Lock()
		for slot, p := range live {
			select {
			case <-p.done:
				mu.Unlock()
				return Result{}, fmt.Errorf("worker %d (gen %d) exited: %v", slot, p.gen, p.err)
			default:
			}
		}
		mu.Unlock()
		var dialled, open int
		if err := db.GetContext(ctx, &dialled, `SELECT count(*) FROM contacts WHERE workspace_id = $1 AND attempts > 0`, ws.ID); err != nil {
			return Result{}, err
		}
		if err := db.GetContext(ctx, &open, `SELECT count(*) FROM contacts WHERE workspace_id = $1 AND (status = 'dialing' OR status IN ('pending', 'retry') AND next_attempt_at <= $2)`, ws.ID, time.Now().UnixNano()); err != nil {
			return Result{}, err
		}
		if time.Since(lastReport) >= 5*time.Second {
			fmt.Fprintf(log, "scaleout: %5.1fs %d of %d contacts dialled, %d open\n", time.Since(t0).Seconds(), dialled, o.Contacts, open)
			lastReport = time.Now()
		}
		if len(kills) < o.Kill && dialled >= killAfter && time.Since(lastKill) > o.LeaseTTL {
			// Kill a worker that holds a campaign now.
			events, err := readLeaseLogs(dir)
			if err != nil {
				return Result{}, err
			}
			holders := map[int]bool{}
			now := time.Now()
			for _, h := range currentHolders(events, now) {
				var slot, gen, ci int
				if _, err := fmt.Sscanf(h, "w%d-g%d-c%d", &slot, &gen, &ci); err == nil && live[slot] != nil && live[slot].gen == gen {
					holders[slot] = true
				}
			}
			if len(holders) > 0 {
				slots := make([]int, 0, len(holders))
				for s := range holders {
					slots = append(slots, s)
				}
				sort.Ints(slots)
				slot := slots[rng.IntN(len(slots))]
				p := live[slot]
				if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					return Result{}, err
				}
				<-p.done
				at := time.Now()
				kills = append(kills, kill{slot: slot, gen: p.gen, at: at})
				lastKill = at
				fmt.Fprintf(log, "scaleout: killed worker %d (gen %d, pid %d) with SIGKILL at %d dialled; restarting\n", slot, p.gen, p.cmd.Process.Pid, dialled)
				if err := start(slot, p.gen+1); err != nil {
					return Result{}, err
				}
				killAfter = dialled + nextKillAt()/2
			}
		}
		if open == 0 && len(kills) == o.Kill && time.Since(lastKill) > o.LeaseTTL+5*time.Second {
			fmt.Fprintf(log, "scaleout: every contact final or scheduled after %.1fs\n", time.Since(t0).Seconds())
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(log, "scaleout: time limit reached with %d contacts open\n", open)
			break
		}
	}

	// Stop the workers: they drain their calls and release their leases.
	stopAt := time.Now()
	mu.Lock()
	for _, p := range live {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range live {
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			mu.Unlock()
			return Result{}, fmt.Errorf("worker %d did not stop within 30s of SIGTERM", p.slot)
		}
		if p.err != nil {
			mu.Unlock()
			return Result{}, fmt.Errorf("worker %d: %w", p.slot, p.err)
		}
	}
	mu.Unlock()
	fmt.Fprintf(log, "scaleout: workers stopped after %.1fs\n", time.Since(stopAt).Seconds())

	// The outcome, from the database and the lease logs.
	var res Result
	var attempts []campaign.Attempt
	for _, cid := range j.Campaigns {
		f := queue.AttemptFilter{CampaignID: cid, Limit: 10000}
		for {
			as, err := st.ListAttempts(ctx, ws.ID, f)
			if err != nil {
				return Result{}, err
			}
			attempts = append(attempts, as...)
			if len(as) < f.PageLimit() {
				break
			}
			f.After = as[len(as)-1].ID
		}
	}
	res.Dials = len(attempts)
	var killedAt []time.Time
	for _, k := range kills {
		killedAt = append(killedAt, k.at)
	}
	res.DoubleDials = doubleDials(attempts, retryInterval, killedAt)
	// Scheduled: waiting for a retry or a callback, or pending with a
	// time set for the next call (a call whose outcome was never heard,
	// such as the killed worker's calls in flight, is retried later).
	var statuses []struct {
		Status    campaign.ContactStatus `db:"status"`
		Scheduled bool                   `db:"scheduled"`
		N         int                    `db:"n"`
	}
	if err := db.SelectContext(ctx, &statuses, `SELECT status, next_attempt_at > $2 AS scheduled, count(*) AS n FROM contacts
		WHERE workspace_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`, ws.ID, time.Now().UnixNano()); err != nil {
		return Result{}, err
	}
	for _, s := range statuses {
		scheduled := s.Status == campaign.ContactRetry || s.Status == campaign.ContactCallback || s.Status == campaign.ContactPending && s.Scheduled
		if !s.Status.Final() && !scheduled {
			res.Lost += s.N
		}
		fmt.Fprintf(log, "scaleout: %d contacts %s (scheduled: %v)\n", s.N, s.Status, scheduled)
	}
	events, err := readLeaseLogs(dir)
	if err != nil {
		return Result{}, err
	}
	res.CampaignOwnersMax = ownersMax(events, o.LeaseTTL)
	for _, k := range kills {
		holder := func(ci int) string { return fmt.Sprintf("w%d-g%d-c%d", k.slot, k.gen, ci) }
		for ci, cid := range j.Campaigns {
			if !heldAt(events, cid, holder(ci), k.at) {
				continue
			}
			gap, ok := dialGap(attempts, cid, k.at)
			if !ok {
				return Result{}, fmt.Errorf("campaign %s of killed worker %d: no dial on both sides of the kill", cid, k.slot)
			}
			res.TakeoverS = max(res.TakeoverS, gap.Seconds())
			fmt.Fprintf(log, "scaleout: campaign %d of killed worker %d went undialled for %.1fs\n", ci, k.slot, gap.Seconds())
		}
	}
	return res, nil
}

func readLeaseLogs(dir string) ([]leaseEvent, error) {
	files, err := filepath.Glob(filepath.Join(dir, "lease-*.jsonl"))
	if err != nil {
		return nil, err
	}
	var evs []leaseEvent
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var ev leaseEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				// A line cut short by kill -9; nothing after it.
				break
			}
			evs = append(evs, ev)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// interval is a stretch of time a holder held a campaign.
type interval struct {
	holder     string
	start, end time.Time
}

// holdings turns the lease events into, per campaign, the intervals each
// holder held it: every grant holds from expiry−ttl to expiry, cut short
// by the holder's release.
func holdings(evs []leaseEvent, ttl time.Duration) map[campaign.ID][]interval {
	released := map[string]time.Time{} // campaign+holder → release
	for _, ev := range evs {
		if ev.Released {
			released[string(ev.Campaign)+"|"+ev.Holder] = ev.At
		}
	}
	out := map[campaign.ID][]interval{}
	for _, ev := range evs {
		if !ev.Held {
			continue
		}
		iv := interval{holder: ev.Holder, start: ev.Expires.Add(-ttl), end: ev.Expires}
		if r, ok := released[string(ev.Campaign)+"|"+ev.Holder]; ok && r.After(ev.At) && r.Before(iv.end) {
			iv.end = r
		}
		if iv.end.After(iv.start) {
			out[ev.Campaign] = append(out[ev.Campaign], iv)
		}
	}
	return out
}

// ownersMax is the most distinct holders any campaign had at one instant.
func ownersMax(evs []leaseEvent, ttl time.Duration) int {
	best := 0
	for _, ivs := range holdings(evs, ttl) {
		type edge struct {
			at     time.Time
			holder string
			delta  int
		}
		var edges []edge
		for _, iv := range ivs {
			edges = append(edges, edge{iv.start, iv.holder, +1}, edge{iv.end, iv.holder, -1})
		}
		// Ends before starts at one instant: [start, end).
		slices.SortFunc(edges, func(a, b edge) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return a.delta - b.delta
		})
		open := map[string]int{} // a holder's renewals overlap each other
		for _, e := range edges {
			open[e.holder] += e.delta
			if open[e.holder] == 0 {
				delete(open, e.holder)
			}
			best = max(best, len(open))
		}
	}
	return best
}

// currentHolders lists the holders whose lease has not lapsed at now.
func currentHolders(evs []leaseEvent, now time.Time) []string {
	var hs []string
	seen := map[string]bool{}
	for _, ev := range evs {
		if ev.Held && ev.Expires.After(now) && !seen[ev.Holder] {
			seen[ev.Holder] = true
			hs = append(hs, ev.Holder)
		}
	}
	return hs
}

// heldAt reports whether holder's lease on the campaign was live at t.
func heldAt(evs []leaseEvent, cid campaign.ID, holder string, t time.Time) bool {
	for _, ev := range evs {
		if ev.Campaign == cid && ev.Holder == holder && ev.Held && !ev.At.After(t) && ev.Expires.After(t) {
			return true
		}
	}
	return false
}

// dialGap is the time from the campaign's last dial at or before t to its
// first dial after t.
func dialGap(as []campaign.Attempt, cid campaign.ID, t time.Time) (time.Duration, bool) {
	var before, after time.Time
	for _, a := range as {
		if a.CampaignID != cid {
			continue
		}
		if !a.StartedAt.After(t) {
			if a.StartedAt.After(before) {
				before = a.StartedAt
			}
		} else if after.IsZero() || a.StartedAt.Before(after) {
			after = a.StartedAt
		}
	}
	if before.IsZero() || after.IsZero() {
		return 0, false
	}
	return after.Sub(before), true
}

// doubleDials counts attempts on a number that start before the previous
// attempt on it ended, or sooner than retry after it ended. An attempt
// that never recorded an end (its outcome unknown) ended at the latest at
// the first kill after it started, when its worker died with the carrier
// it runs in process; one with no kill after it counts against the next.
func doubleDials(as []campaign.Attempt, retry time.Duration, kills []time.Time) int {
	by := map[string][]campaign.Attempt{}
	for _, a := range as {
		by[a.Number] = append(by[a.Number], a)
	}
	n := 0
	for _, list := range by {
		slices.SortFunc(list, func(a, b campaign.Attempt) int { return a.StartedAt.Compare(b.StartedAt) })
		for i := 1; i < len(list); i++ {
			prev, cur := list[i-1], list[i]
			end := prev.EndedAt
			if end.IsZero() {
				for _, k := range kills {
					if !k.Before(prev.StartedAt) && (end.IsZero() || k.Before(end)) {
						end = k
					}
				}
			}
			if end.IsZero() || cur.StartedAt.Before(end.Add(retry)) {
				n++
			}
		}
	}
	return n
}
