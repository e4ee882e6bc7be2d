package twilio_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/telephonytest"
	"github.com/callstackhq/callstack/telephony/twilio"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newCarrier returns an adapter on the fake, with its callback handler
// served on a test server of its own (the "public" CallbackURL).
func newCarrier(t testing.TB, f *fakeTwilio, mutate func(*twilio.Config)) *twilio.Carrier {
	t.Helper()
	var handler atomic.Pointer[http.Handler]
	cbSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(cbSrv.Close)
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	cfg := twilio.Config{
		AccountSID:     testAccount,
		AuthToken:      testToken,
		BaseURL:        f.srv.URL,
		CallbackURL:    cbSrv.URL + "/twilio/callbacks?tenant=acme",
		CallsPerSecond: 100,
		Burst:          10,
		HTTPClient:     client,
		Clock:          f.clock,
		Jitter:         func() float64 { return 0.5 },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := twilio.New(cfg)
	require.NoError(t, err)
	h := c.Handler()
	handler.Store(&h)
	return c
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name       string
		concurrent bool
		dupEvery   int
	}{
		{"ordered", false, 0},
		{"concurrent with duplicates", true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			telephonytest.Run(t, telephonytest.Harness{
				New: func(t *testing.T) (telephony.Carrier, telephonytest.Driver) {
					f := newFake(t)
					f.concurrent, f.dupEvery = tc.concurrent, tc.dupEvery
					c := newCarrier(t, f, nil)
					t.Cleanup(func() { assert.Empty(t, f.rejections(), "callbacks the adapter rejected") })
					return c, f
				},
				Features: telephonytest.Features{AMD: true, IdempotentDial: true, OutOfOrder: tc.concurrent},
			})
		})
	}
}
