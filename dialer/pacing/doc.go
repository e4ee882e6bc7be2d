// Package pacing decides how many calls a campaign starts each tick.
//
// A [Pacer] is a pure function of observed state: every tick (1 s) the
// dialer engine hands it an [Observation] (agents idle, agents busy and for
// how long, calls ringing and for how long, live answers waiting, the
// campaign's abandon accounting) and starts the number of calls
// [Pacer.Decide] returns; between ticks it passes each dial result and each
// end of talk or wrap-up to [Pacer.Observe]. Pacers read time only from
// observations and events, never from a clock, so the same inputs give the
// same decisions, in production and in a simulation in virtual time.
//
// # Pacers
//
//   - [Progressive] dials 1:1: calls in flight equal idle agents. It never
//     abandons a call.
//   - [Ratio] is power dialing: X calls in flight per idle agent.
//   - [Adaptive] is the VICIdial-style adaptive dial level, the baseline.
//   - [Predictive] is ours: it predicts answers and free agents for the
//     next seconds and holds the abandon rate under the cap with feedback
//     from the current legal period.
//   - [Oracle] is Predictive fed the truth; it exists for simulations.
//
// # Abandon rate
//
// The abandon rate is abandoned ÷ live-answered calls per campaign, over
// each successive legal period counted from the campaign's start, the
// current partial period included: 30 days and 3% in the US (the default),
// any 24 h and 3% in the UK, 30 days and 5% in Canada. The engine keeps that
// accounting and passes it in [Observation.Abandons]; the cap travels with
// it, so one pacer serves any rule.
//
// # Simulation
//
// [DialAttributes] draws one simulated dial's callee (common random
// numbers: the k-th dial of a seed is the same call whatever the pacer),
// exactly as telephony/sim does. Package pacingtest runs the call-centre
// model of docs/pacing.md in virtual time on those draws, to tune the
// pacers and cross-check the engine's simulation.
package pacing
