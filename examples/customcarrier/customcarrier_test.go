package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/telephonytest"
)

// driver lets the conformance suite drive the fake carrier: Plan maps the
// suite's callee behaviour onto the fake's, Advance moves its clock.
type driver struct{ f *FakeAcme }

func (d driver) Plan(to string, p telephonytest.Plan) {
	outcome := map[telephonytest.Answer]string{
		telephonytest.Human: "human", telephonytest.Machine: "machine", telephonytest.Busy: "busy",
		telephonytest.NoAnswer: "no-answer", telephonytest.Failed: "failed",
	}[p.Answer]
	d.f.Plan(to, Behavior{Outcome: outcome, After: p.After, Talk: p.Talk})
}

func (d driver) Advance(dur time.Duration)     { d.f.Advance(dur) }
func (d driver) Redeliver(id telephony.CallID) { d.f.Redeliver(string(id)) }
func (d driver) FailNextDial(unknown bool)     { d.f.FailNextDial(unknown) }

// TestConformance is the test every adapter needs: the shared suite, run
// against the adapter wired to its fake carrier.
func TestConformance(t *testing.T) {
	telephonytest.Run(t, telephonytest.Harness{
		New: func(t *testing.T) (telephony.Carrier, telephonytest.Driver) {
			fake := NewFakeAcme("test-secret", time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			carrier := NewAcmeCarrier(api.URL, "test-secret", api.Client())
			hooks := httptest.NewServer(carrier)
			t.Cleanup(hooks.Close)
			fake.Webhook, fake.Client = hooks.URL, hooks.Client()
			return carrier, driver{fake}
		},
		// Acme reports machines, dedupes dials by attempt id and delivers
		// webhooks one at a time, in order.
		Features: telephonytest.Features{AMD: true, IdempotentDial: true},
	})
}

func TestWebhookSignature(t *testing.T) {
	carrier := NewAcmeCarrier("http://127.0.0.1:1", "secret", nil)
	require.NoError(t, carrier.Start(context.Background(), telephony.SinkFunc(
		func(context.Context, telephony.Event) error { return nil })))
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/", bytes.NewBufferString(`{"call_id":"x","seq":1,"type":"ringing"}`))
	r.Header.Set("X-Acme-Signature", "00")
	carrier.ServeHTTP(w, r)
	assert.Equal(t, 403, w.Code)
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	for _, want := range []string{
		"dialed +14155550001 (human): acme-1",
		"acme-1 #4 bridged",
		"acme-1 #5 completed after 45s",
		"acme-2 #3 answered_machine",
		"acme-3 #2 busy (cause 486)",
		"acme-4 #3 no_answer (cause 480)",
		"acme-5 #2 failed (cause 503)",
		"acme-1 #3 answered_human: duplicate, ignored",
		"5 calls ended",
	} {
		assert.Contains(t, out.String(), want)
	}
}
