package twilio_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/telephony/twilio"
)

// TestCallStateIsPruned sends signed callbacks for calls this process never
// placed, some of which never end, and ended ones: their state is forgotten
// by the injected clock (IdleRetain for calls not ended, Retain for ended
// ones) and never grows past MaxCalls, while a live call heard of recently
// is kept.
func TestCallStateIsPruned(t *testing.T) {
	clock := newClock()
	c, err := twilio.New(twilio.Config{AccountSID: testAccount, AuthToken: testToken, BaseURL: "http://127.0.0.1:1",
		CallbackURL: publicCB, Clock: clock, Retain: time.Hour, IdleRetain: 2 * time.Hour, MaxCalls: 50})
	require.NoError(t, err)
	started(t, c)
	send := func(sid, st string) {
		t.Helper()
		require.Equal(t, http.StatusNoContent, serve(c, callback("cb=status", status(sid, st, clock.Now()), true)), sid)
	}
	for i := range 20 {
		send(fmt.Sprintf("CAunknown%02d", i), "ringing") // never ends
	}
	for i := range 10 {
		send(fmt.Sprintf("CAended%02d", i), "ringing")
		send(fmt.Sprintf("CAended%02d", i), "completed")
	}
	send("CAlive", "in-progress")
	assert.Equal(t, 31, c.TrackedCalls())

	advance(clock, time.Hour+time.Minute)
	send("CAlive", "in-progress") // heard of again: stays
	assert.Equal(t, 21, c.TrackedCalls(), "ended calls are forgotten after Retain")
	advance(clock, time.Hour)
	send("CAlive", "in-progress")
	assert.Equal(t, 1, c.TrackedCalls(), "calls never heard of again are forgotten after IdleRetain; the live call stays")

	// A flood of signed callbacks for unknown calls stays bounded.
	for i := range 500 {
		send(fmt.Sprintf("CAflood%03d", i), "ringing")
		require.LessOrEqual(t, c.TrackedCalls(), 50)
	}
	// A redelivered callback of a forgotten call is still accepted.
	send("CAflood000", "ringing")

	_, err = twilio.New(twilio.Config{AccountSID: testAccount, AuthToken: testToken, CallbackURL: publicCB, MaxCalls: -1})
	require.Error(t, err)
}

// advance moves the virtual clock forward by d.
func advance(c *vclock, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
