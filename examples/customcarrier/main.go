// Command customcarrier shows how to write a telephony.Carrier adapter for
// a carrier CallStack does not ship: carrier.go is the adapter (read it
// first), fakecarrier.go a tiny fake of the carrier, and
// customcarrier_test.go runs the conformance suite on the pair. This
// program dials a few calls against the fake and prints their events.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "customcarrier:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	const secret = "webhook-secret"
	start := time.Date(2025, 3, 3, 15, 0, 0, 0, time.UTC)

	// The carrier's API and our webhook endpoint, both in-process.
	fake := NewFakeAcme(secret, start)
	api := httptest.NewServer(fake)
	defer api.Close()
	carrier := NewAcmeCarrier(api.URL, secret, api.Client())
	hooks := httptest.NewServer(carrier)
	defer hooks.Close()
	fake.Webhook, fake.Client = hooks.URL, hooks.Client()

	// The sink stands in for the engine: it applies events through a
	// Sequencer, bridges people to an agent, and plays the abandon message
	// to machines.
	seq := telephony.NewSequencer()
	agent := telephony.Endpoint{Kind: telephony.EndpointURI, Address: "sip:alice@pbx.example"}
	var mu sync.Mutex // webhooks arrive on the server's goroutines
	ended := map[telephony.CallID]bool{}
	sink := telephony.SinkFunc(func(ctx context.Context, e telephony.Event) error {
		mu.Lock()
		defer mu.Unlock()
		v := seq.Observe(e)
		if !v.OK() {
			fmt.Fprintf(out, "+%-4s %s #%d %s: %s, ignored\n", e.At.Sub(start), e.CallID, e.Seq, e.Type, v)
			return nil
		}
		fmt.Fprintf(out, "+%-4s %s #%d %s", e.At.Sub(start), e.CallID, e.Seq, e.Type)
		if e.Type == telephony.EventCompleted {
			fmt.Fprintf(out, " after %s", e.Duration)
		}
		if e.CarrierCode != "" {
			fmt.Fprintf(out, " (cause %s)", e.CarrierCode)
		}
		fmt.Fprintln(out)
		ended[e.CallID] = ended[e.CallID] || e.Type.Terminal()
		switch e.Type {
		case telephony.EventAnsweredHuman:
			return carrier.Bridge(ctx, e.CallID, agent)
		case telephony.EventAnsweredMachine:
			if err := carrier.Play(ctx, e.CallID, telephony.Message{Text: "Sorry we missed you."}); err != nil {
				return err
			}
			return carrier.Hangup(ctx, e.CallID)
		}
		return nil
	})
	if err := carrier.Start(ctx, sink); err != nil {
		return err
	}

	behaviors := []Behavior{
		{Outcome: "human", After: 4 * time.Second, Talk: 45 * time.Second},
		{Outcome: "machine", After: 3 * time.Second},
		{Outcome: "busy", After: 2 * time.Second},
		{Outcome: "no-answer"},
		{Outcome: "failed", After: time.Second},
	}
	var ids []telephony.CallID
	for i, b := range behaviors {
		req := telephony.DialRequest{
			From: "+15005550006", To: fmt.Sprintf("+1415555%04d", i+1),
			RingTimeout: 20 * time.Second, AMD: telephony.AMDEnable, AttemptID: fmt.Sprintf("attempt-%d", i+1),
		}
		fake.Plan(req.To, b)
		id, err := carrier.Dial(ctx, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "dialed %s (%s): %s\n", req.To, b.Outcome, id)
		ids = append(ids, id)
	}
	done := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, v := range ended {
			if v {
				n++
			}
		}
		return n
	}
	for waited := 0; done() < len(ids); waited++ {
		if waited > 600 {
			return fmt.Errorf("calls still live after %d s", waited)
		}
		fake.Advance(time.Second) // one second of the carrier's virtual time
	}
	mu.Lock()
	fmt.Fprintf(out, "the carrier retries the webhooks of %s:\n", ids[0])
	mu.Unlock()
	fake.Redeliver(string(ids[0]))
	fake.Advance(0)
	fmt.Fprintf(out, "%d calls ended\n", done())
	return nil
}
