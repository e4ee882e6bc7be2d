// Package dialer is CallStack's engine: it paces calls (preview,
// progressive, power, predictive), keeps agent sessions, rotates caller
// IDs, runs the compliance gate again at dial time, maps carrier events into
// the attempt log and accounts for abandoned calls.
//
// # Building an engine
//
// One [Engine] dials one campaign. The simplest way to build one is
// callstack.Client.Engine, which wires the queue, the campaign reads, the
// attempt log, the suppression check, roles, the carrier and the clock from
// the client; [New] takes the same pieces as a [Config] for hosts that
// wire them by hand. New refuses what it can know is wrong: a missing
// dependency, a campaign that does not exist, settings it cannot dial.
//
// The campaign must be Running to dial (campaign.Service.Transition: Draft
// → Queued → Running), must list caller IDs (Settings.CallerIDs), and needs
// at least one agent logged in ([Engine.Login]) before a progressive, power
// or predictive pacer places a call: with nobody to take an answered call,
// the engine dials nothing.
//
// # Real time
//
// In production the engine runs on the wall clock:
//
//	e, err := client.Engine(ctx, ws, campaignID, dialer.Config{})
//	if err != nil { ... }
//	go func() { _ = e.Run(ctx) }()     // dials until ctx ends, then drains
//	_ = e.Login(ctx, agent, dialer.AgentConfig{Endpoint: endpoint})
//	// ... each answered call is bridged to a free agent's endpoint;
//	// the agent saves the outcome when done:
//	_ = e.SaveOutcome(ctx, agent, attemptID, dialer.OutcomeInput{DispositionID: done})
//
// The carrier reports call events to the engine (Start hands it the
// engine as its telephony.EventSink; an HTTP carrier such as
// telephony/twilio feeds it from webhooks). [Engine.Awaiting] lists the
// calls an agent still has to save; [Engine.Stats] counts dials, live
// answers, connections and abandons.
//
// Several processes may dial one campaign: give each engine the store as
// Config.Leaser and only the holder of the campaign lease paces; another
// takes over when it lapses.
//
// # Concurrency
//
// One goroutine owns the engine's state: under Run, the loop, which runs
// agents' and hosts' calls as commands between its steps; no step waits on
// I/O. Carrier requests and the store I/O the loop needs (claims,
// the dial-time gate and journal, attempt writes, lease extensions, the
// campaign lease) run beside the loop and their answers come back as
// events; Login, Logout, Pause, Awaiting, CurrentCall and HandleEvent
// never wait on the store or the carrier, Stats reads a published copy,
// and SaveOutcome writes its attempt in the caller's goroutine so that it
// can return the store's error. docs/pacing.md describes the model.
//
// # Virtual time
//
// A simulation runs the same engine on a virtual clock, with no goroutines
// and no waiting: telephony/sim is a deterministic carrier that runs in
// virtual time, [RunVirtual] jumps the clock from one event to the next
// (the engine's next wake-up, the carrier's next call event, the next
// [Actor] turn), and dialer/simagent provides ready-made simulated agents,
// human (one call, then a wrap-up) or AI (several calls at once), that save
// outcomes as a person would:
//
//	clock := sim.NewClock(start)
//	carrier, _ := sim.New(sim.Config{Seed: 1, Now: clock.Now})
//	e, _ := client.Engine(ctx, ws, campaignID, dialer.Config{Carrier: carrier, Clock: clock.Now})
//	team, _ := simagent.New(simagent.Config{Engine: e, Workspace: ws, Clock: clock.Now, Agents: ids, Disposition: done})
//	_ = e.Start(ctx)
//	_ = team.Login(ctx)
//	_ = dialer.RunVirtual(ctx, e, carrier, clock, start.Add(8*time.Hour), team)
//	_ = e.Stop(ctx)
//
// An actor of your own implements [Actor]: Next says when it next wants to
// act, and must return a time the simulation will reach (an actor whose
// Next always lies ahead of the clock never acts). examples/pacingsim runs
// whole campaigns this way to measure pacers; docs/pacing.md describes the
// model.
package dialer
