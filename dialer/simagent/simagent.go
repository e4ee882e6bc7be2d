// Package simagent provides ready-made simulated agents for driving a
// dialer.Engine in virtual time: a [Team] logs its agents in, and, as a
// dialer.Actor given to dialer.RunVirtual, saves each call's outcome once
// the agent's wrap-up is over, as a caller at a desk (or an AI voice agent)
// would.
//
// A Team is what examples/quickstart, examples/pacingsim and the package
// Examples use; hosts use it to rehearse a campaign before real agents
// take it.
package simagent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// ErrInvalidConfig is returned (wrapped) by [New] for a Config it cannot
// use.
var ErrInvalidConfig = errors.New("simagent: invalid config")

// Config configures a [Team].
type Config struct {
	// Engine is the engine the agents work for. Required.
	Engine *dialer.Engine
	// Workspace is the engine's workspace. Required.
	Workspace campaign.WorkspaceID
	// Clock is the virtual clock the engine reads. Required.
	Clock func() time.Time
	// Agents are the agents' user IDs: members of the workspace with a
	// role that may take calls (Caller or above). At least one is
	// required.
	Agents []campaign.UserID
	// Kind is the agents' kind. Defaults to dialer.AgentHuman: one call
	// at a time, with a wrap-up after it.
	Kind dialer.AgentKind
	// Capacity is the concurrent calls of each AI agent. Defaults to the
	// dialer's default (1); ignored for human agents.
	Capacity int
	// Carrier, when set, gives each call's wrap-up time as the simulated
	// carrier drew it for the call (sim.Script.Wrap), so agents' time
	// follows the carrier's call-centre model. Defaults to nil: every
	// wrap-up lasts Wrap.
	Carrier *sim.Carrier
	// Wrap is how long an agent takes after a call ends before saving its
	// outcome, when Carrier does not say. Defaults to 15s for human agents
	// and 0 for AI agents; negative is refused.
	Wrap time.Duration
	// Disposition is the disposition saved for every call when Outcome is
	// nil.
	Disposition campaign.DispositionID
	// Outcome chooses the outcome saved for the call of attemptID at now.
	// Defaults to an outcome with Disposition and nothing else. One of
	// Outcome and Disposition is required.
	Outcome func(attemptID string, now time.Time) dialer.OutcomeInput
}

// Team is a set of simulated agents of one engine. It implements
// dialer.Actor. It is not safe for concurrent use: dialer.RunVirtual
// calls it from one goroutine.
type Team struct {
	cfg   Config
	due   map[string]time.Time
	saved int
	lost  int
}

var _ dialer.Actor = (*Team)(nil)

// New returns a Team; it refuses a Config without its required fields or
// with a negative Wrap, with an error wrapping ErrInvalidConfig.
func New(cfg Config) (*Team, error) {
	var missing []string
	if cfg.Engine == nil {
		missing = append(missing, "Engine")
	}
	if cfg.Workspace == "" {
		missing = append(missing, "Workspace")
	}
	if cfg.Clock == nil {
		missing = append(missing, "Clock")
	}
	if len(cfg.Agents) == 0 {
		missing = append(missing, "Agents")
	}
	if cfg.Outcome == nil && cfg.Disposition == "" {
		missing = append(missing, "Outcome or Disposition")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: %v required", ErrInvalidConfig, missing)
	}
	if cfg.Kind == "" {
		cfg.Kind = dialer.AgentHuman
	}
	if cfg.Kind != dialer.AgentHuman && cfg.Kind != dialer.AgentAI {
		return nil, fmt.Errorf("%w: unknown agent kind %q", ErrInvalidConfig, cfg.Kind)
	}
	if cfg.Wrap < 0 {
		return nil, fmt.Errorf("%w: negative Wrap %s", ErrInvalidConfig, cfg.Wrap)
	}
	if cfg.Wrap == 0 && cfg.Kind == dialer.AgentHuman {
		cfg.Wrap = 15 * time.Second
	}
	if cfg.Outcome == nil {
		d := cfg.Disposition
		cfg.Outcome = func(string, time.Time) dialer.OutcomeInput { return dialer.OutcomeInput{DispositionID: d} }
	}
	cfg.Agents = slices.Clone(cfg.Agents)
	return &Team{cfg: cfg, due: map[string]time.Time{}}, nil
}

// Login logs every agent in, each with an agent endpoint named after its
// user ID.
func (t *Team) Login(ctx context.Context) error {
	for _, id := range t.cfg.Agents {
		err := t.cfg.Engine.Login(ctx, t.actor(id), dialer.AgentConfig{Kind: t.cfg.Kind, Capacity: t.cfg.Capacity,
			Endpoint: telephony.Endpoint{Kind: telephony.EndpointAgent, Address: "sim:" + string(id)}})
		if err != nil {
			return fmt.Errorf("simagent: login %s: %w", id, err)
		}
	}
	return nil
}

// Logout logs every agent out; an agent on a call leaves once it is saved.
func (t *Team) Logout(ctx context.Context) error {
	var errs []error
	for _, id := range t.cfg.Agents {
		if err := t.cfg.Engine.Logout(ctx, t.actor(id), id); err != nil {
			errs = append(errs, fmt.Errorf("simagent: logout %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// Saved is the number of outcomes the team saved.
func (t *Team) Saved() int { return t.saved }

// Lost is the number of outcomes the engine no longer expected when the
// team saved them (dialer.ErrUnknownAttempt: the call was finished
// without it).
func (t *Team) Lost() int { return t.lost }

func (t *Team) actor(id campaign.UserID) campaign.Actor {
	return campaign.Actor{WorkspaceID: t.cfg.Workspace, UserID: id}
}

// scan notes a due time for each call an agent must save that the team
// has not seen yet: its wrap-up starts now, when the call is first seen
// awaiting an outcome (it has just ended, or it is live and may be saved
// early).
func (t *Team) scan(now time.Time) {
	for _, id := range t.cfg.Agents {
		for _, att := range t.cfg.Engine.Awaiting(id) {
			if _, ok := t.due[att]; ok {
				continue
			}
			wrap := t.cfg.Wrap
			if t.cfg.Carrier != nil {
				if cid, ok := t.cfg.Engine.CallOf(att); ok {
					if sc, ok := t.cfg.Carrier.Peek(cid); ok {
						wrap = sc.Wrap
					}
				}
			}
			t.due[att] = now.Add(wrap)
		}
	}
}

// Next reports when an agent next saves an outcome.
func (t *Team) Next() (time.Time, bool) {
	t.scan(t.cfg.Clock())
	var next time.Time
	for _, at := range t.due {
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, !next.IsZero()
}

// Act saves every outcome due at now.
func (t *Team) Act(ctx context.Context, now time.Time) error {
	t.scan(now)
	awaiting := make(map[string]bool, len(t.due))
	for _, id := range t.cfg.Agents {
		for _, att := range t.cfg.Engine.Awaiting(id) {
			awaiting[att] = true
			at, ok := t.due[att]
			if !ok || at.After(now) {
				continue
			}
			delete(t.due, att)
			err := t.cfg.Engine.SaveOutcome(ctx, t.actor(id), att, t.cfg.Outcome(att, now))
			switch {
			case errors.Is(err, dialer.ErrUnknownAttempt):
				t.lost++
			case err != nil:
				return fmt.Errorf("simagent: %s saves %s: %w", id, att, err)
			default:
				t.saved++
			}
		}
	}
	// Forget calls the engine stopped waiting for (finished without the
	// agent), so Next never points at a turn that cannot come.
	for att := range t.due {
		if !awaiting[att] {
			delete(t.due, att)
		}
	}
	return nil
}

// OpenZone returns a fixed-offset zone ("Etc/GMT-3" and the like) where it
// is between 10:00 and 19:00 at now, on a weekday if any such zone has
// one, so that a campaign run in real time may dial whenever it is
// started. Examples and tests that dial in real time give it to their
// campaign (Campaign.Timezone) and contacts (Contact.Timezones).
func OpenZone(now time.Time) string {
	best := ""
	for off := -12; off <= 14; off++ {
		name := "Etc/GMT"
		switch {
		case off > 0:
			name += fmt.Sprintf("-%d", off) // Etc signs are inverted
		case off < 0:
			name += fmt.Sprintf("+%d", -off)
		}
		local := now.In(time.FixedZone(name, off*3600))
		if local.Hour() >= 10 && local.Hour() < 19 {
			if local.Weekday() != time.Saturday && local.Weekday() != time.Sunday {
				return name
			}
			best = name
		}
	}
	return best
}
