package sim_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// An engine in virtual time: dial, bridge the answer from the sink, and let
// the callee hang up.
func Example() {
	ctx := context.Background()
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	clock := sim.NewClock(start)
	carrier, err := sim.New(sim.Config{
		Seed:       1,
		Now:        clock.Now,
		AnswerProb: sim.Constant(1), // everyone answers, for the example
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	agent := telephony.Endpoint{Kind: telephony.EndpointURI, Address: "sip:alice@pbx.example"}
	sink := telephony.SinkFunc(func(ctx context.Context, e telephony.Event) error {
		fmt.Printf("+%s #%d %s", e.At.Sub(start), e.Seq, e.Type)
		if e.Type == telephony.EventCompleted {
			fmt.Printf(" after %s, %s", e.Duration, e.Cost)
		}
		fmt.Println()
		if e.Type == telephony.EventAnsweredHuman {
			return carrier.Bridge(ctx, e.CallID, agent)
		}
		return nil
	})
	if err := carrier.Start(ctx, sink); err != nil {
		fmt.Println(err)
		return
	}
	id, err := carrier.Dial(ctx, telephony.DialRequest{
		From:        "+15005550006",
		To:          "+14155550100",
		RingTimeout: 25 * time.Second,
		AttemptID:   "attempt-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	script, _ := carrier.Peek(id) // the truth, for an oracle
	fmt.Println(id, script.Outcome, "rings", script.Ring, "talks", script.Talk)
	// Drive the carrier from event to event for up to an hour.
	if err := sim.Run(ctx, carrier, clock, start.Add(time.Hour)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sim-1 human rings 3.095s talks 2m28.67s
	// +0s #1 queued
	// +0s #2 ringing
	// +3.095s #3 answered_human
	// +3.095s #4 bridged
	// +2m31.765s #5 completed after 2m28.67s, 0.032283 USD
}

// The k-th dial is the same call whatever the caller does before it: two
// runs with one seed face the same callees (common random numbers).
func ExampleCarrier_Peek() {
	ctx := context.Background()
	run := func(gap time.Duration) {
		clock := sim.NewClock(time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
		c, _ := sim.New(sim.Config{Seed: 99, Now: clock.Now})
		_ = c.Start(ctx, telephony.SinkFunc(func(context.Context, telephony.Event) error { return nil }))
		var line []string
		for i := range 4 {
			id, _ := c.Dial(ctx, telephony.DialRequest{
				From: "+15005550006", To: "+14155550100", RingTimeout: 25 * time.Second,
				AttemptID: fmt.Sprint("attempt-", i),
			})
			s, _ := c.Peek(id)
			line = append(line, fmt.Sprintf("%s/%s/%s", s.Outcome, s.Talk, s.Wrap))
			_ = sim.Run(ctx, c, clock, clock.Now().Add(gap))
		}
		fmt.Println(strings.Join(line, " "))
	}
	run(time.Second)
	run(time.Minute)
	// Output:
	// no_answer/1m18.267s/11.419s busy/51.687s/11.911s failed/2m36.514s/10.586s human/12.564s/14.417s
	// no_answer/1m18.267s/11.419s busy/51.687s/11.911s failed/2m36.514s/10.586s human/12.564s/14.417s
}

// The answer rate can drift during a shift, for the pacing simulation.
func ExampleLinearDrift() {
	nine := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	p := sim.LinearDrift(nine, nine.Add(8*time.Hour), 0.10, 0.30)
	for _, h := range []int{0, 2, 4, 8, 9} {
		fmt.Printf("%02d:00 %.2f\n", 9+h, p(nine.Add(time.Duration(h)*time.Hour)))
	}
	// Output:
	// 09:00 0.10
	// 11:00 0.15
	// 13:00 0.20
	// 17:00 0.30
	// 18:00 0.30
}
