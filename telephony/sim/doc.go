// Package sim is a deterministic simulated carrier for tests, examples and
// the pacing simulation. It implements telephony.Carrier in virtual time.
//
// # Driving it
//
// The carrier is passive: it never starts a goroutine or reads a clock of
// its own. Dial, Bridge, Play and Hangup read the owner's clock
// (Config.Now) and schedule the call's future events; Advance emits, through
// the sink and in time order, every event due at or before the time it is
// given. A discrete-event loop drives it like this:
//
//	for {
//		at, ok := c.NextEventAt()
//		if !ok || at.After(end) {
//			break
//		}
//		clock.Set(at) // the clock Config.Now reads
//		if err := c.Advance(ctx, at); err != nil {
//			return err
//		}
//	}
//
// Setting the clock to each event's time before Advance makes the sink's
// reactions (a Bridge on answered_human) happen at that instant. For wall
// clock use, RunRealtime does the sleeping.
//
// # Common random numbers
//
// Dial number k (counting from 0) draws every attribute of its call (answer
// or not, human or machine, ring time, talk and wrap time) from its own
// random stream seeded by (Config.Seed, k), in a fixed order whatever the
// outcome. So the k-th dial of two runs with the same seed is the same call,
// whatever the caller did in between: pacers compared on one seed face the
// same callees. Peek returns the drawn Script, so an in-simulation oracle can
// use the true values.
//
// # Calls
//
// With the defaults (the distributions of docs/pacing.md) a dial is
// answered with probability Config.AnswerProb(t) after R = 3 + Exp(mean 6) s
// truncated to 25 s; otherwise the line is held U(2, 6) s and ends busy or
// failed with probability 0.3, else it rings 25 s (or the ring timeout, if
// shorter) and ends no_answer. An answered call waits: Bridge connects it and
// the callee hangs up Talk later (completed); Hangup ends it at once; left
// alone, the callee hangs up after Config.Patience.
package sim
