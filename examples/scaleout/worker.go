package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/store/postgres"
	"github.com/callstackhq/callstack/suppression"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// workerEnv holds a worker's job as JSON; its presence makes the binary a
// worker rather than the parent.
const workerEnv = "CALLSTACK_SCALEOUT_WORKER"

// job is what the parent hands a worker.
type job struct {
	DSN          string                   `json:"dsn"`
	Workspace    campaign.WorkspaceID     `json:"workspace"`
	Campaigns    []campaign.ID            `json:"campaigns"`
	Dispositions []campaign.DispositionID `json:"dispositions"`
	// Slot is the worker's place (0…processes-1) and Gen how many times it
	// was restarted; together they name its agents and lease holders.
	Slot     int           `json:"slot"`
	Gen      int           `json:"gen"`
	Agents   int           `json:"agents"`
	LeaseTTL time.Duration `json:"lease_ttl"`
	LeaseLog string        `json:"lease_log"`
	Seed     uint64        `json:"seed"`
}

func agentID(slot, camp, i int) campaign.UserID {
	return campaign.UserID(fmt.Sprintf("w%d-c%d-a%02d", slot, camp, i))
}

// leaseEvent is one line of a worker's lease log: a grant (Held, with the
// expiry by the store's clock) or a release.
type leaseEvent struct {
	Campaign campaign.ID `json:"campaign"`
	Holder   string      `json:"holder"`
	Held     bool        `json:"held,omitempty"`
	Released bool        `json:"released,omitempty"`
	At       time.Time   `json:"at"`
	Expires  time.Time   `json:"expires,omitzero"`
}

// loggingLeaser records every lease the store grants, and every release,
// in the worker's lease log, one JSON line each, written before the engine
// learns of the grant.
type loggingLeaser struct {
	campaign.Leaser
	mu  sync.Mutex
	out *os.File
}

func (l *loggingLeaser) write(ev leaseEvent) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// One write per line on an O_APPEND file: a kill -9 loses at most the
	// line being written, never a line already returned from.
	_, err = l.out.Write(append(b, '\n'))
	return err
}

func (l *loggingLeaser) AcquireCampaignLease(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, holder string, ttl time.Duration, now time.Time) (bool, time.Time, error) {
	held, exp, err := l.Leaser.AcquireCampaignLease(ctx, ws, id, holder, ttl, now)
	if err == nil && held {
		if werr := l.write(leaseEvent{Campaign: id, Holder: holder, Held: true, At: time.Now(), Expires: exp}); werr != nil {
			// Unrecorded grants would hide overlaps: refuse to pace.
			return false, exp, werr
		}
	}
	return held, exp, err
}

func (l *loggingLeaser) ReleaseCampaignLease(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, holder string) error {
	err := l.Leaser.ReleaseCampaignLease(ctx, ws, id, holder)
	if err == nil {
		err = l.write(leaseEvent{Campaign: id, Holder: holder, Released: true, At: time.Now()})
	}
	return err
}

// worker runs one engine per campaign until SIGTERM or SIGINT, then drains
// them (which releases their leases).
func worker(ctx context.Context, spec string) error {
	var j job
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		return fmt.Errorf("job: %w", err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	st, err := postgres.Open(ctx, j.DSN)
	if err != nil {
		return err
	}
	defer st.Close()
	out, err := os.OpenFile(j.LeaseLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	leaser := &loggingLeaser{Leaser: st, out: out}
	svc, err := campaign.NewService(campaign.Config{Store: st})
	if err != nil {
		return err
	}
	sup, err := suppression.NewService(suppression.Config{Store: st, Authorizer: svc})
	if err != nil {
		return err
	}
	q, err := queue.NewService(queue.Config{Store: st, Campaigns: st, Suppression: sup, Authorizer: svc})
	if err != nil {
		return err
	}
	defer q.Close() // before the store closes
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(j.Campaigns))
	for ci, cid := range j.Campaigns {
		// Compressed calls: rings of a fraction of a second to 2 s, talks
		// of about a second.
		sc, err := sim.New(sim.Config{Seed: j.Seed + uint64(1000*j.Slot+100*j.Gen+ci), AnswerProb: sim.Constant(0.3),
			RingMin: 200 * time.Millisecond, RingMean: 400 * time.Millisecond, RingMax: 2 * time.Second,
			TalkMean: time.Second, TalkSigma: 0.4, NoAnswerAfter: 2 * time.Second,
			HeldMin: 200 * time.Millisecond, HeldMax: time.Second, Patience: 2 * time.Second})
		if err != nil {
			return err
		}
		holder := fmt.Sprintf("w%d-g%d-c%d", j.Slot, j.Gen, ci)
		e, err := dialer.New(ctx, dialer.Config{Workspace: j.Workspace, Campaign: cid, Campaigns: dialer.CampaignSource{Store: st, Service: svc},
			Queue: q, Attempts: st, Suppression: sup, Authorizer: svc, Carrier: sc, Logger: logger,
			Leaser: leaser, Holder: holder, LeaseTTL: j.LeaseTTL, StatusEvery: 500 * time.Millisecond, DrainTimeout: 5 * time.Second})
		if err != nil {
			return err
		}
		var agents []campaign.UserID
		for i := range j.Agents {
			id := agentID(j.Slot, ci, i)
			if err := e.Login(ctx, campaign.Actor{WorkspaceID: j.Workspace, UserID: id},
				dialer.AgentConfig{Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: string(id)}}); err != nil {
				return err
			}
			agents = append(agents, id)
		}
		carrierCtx, stopCarrier := context.WithCancel(context.WithoutCancel(ctx))
		wg.Go(func() {
			if err := sim.RunRealtime(carrierCtx, sc, 10*time.Millisecond); err != nil {
				errs <- err
			}
		})
		engineDone := make(chan struct{})
		wg.Go(func() {
			defer close(engineDone)
			// Run drains calls in flight after ctx ends; the carrier keeps
			// running until then so their events arrive.
			if err := e.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- fmt.Errorf("campaign %s: %w", cid, err)
			}
			stopCarrier()
		})
		disp := j.Dispositions[ci]
		wg.Go(func() {
			// The agents: each saves its outcome as soon as its call ends.
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-engineDone:
					return
				case <-tick.C:
				}
				for _, id := range agents {
					for _, att := range e.Awaiting(id) {
						err := e.SaveOutcome(context.WithoutCancel(ctx), campaign.Actor{WorkspaceID: j.Workspace, UserID: id}, att, dialer.OutcomeInput{DispositionID: disp})
						if err != nil && !errors.Is(err, dialer.ErrUnknownAttempt) {
							logger.Warn("save outcome", "err", err)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}
