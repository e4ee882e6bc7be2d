package twilio_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/telephony"
)

// TestCallRecord: a process that never saw the call (a restart) finds it
// through the Calls resource by the dial's numbers and start, and reads
// its final state; a dial that never reached Twilio is an unknown call.
func TestCallRecord(t *testing.T) {
	f := newFake(t)
	c := newCarrier(t, f, nil)
	started(t, c)
	req := dialReq(1)
	f.Plan(req.To, human())
	since := f.clock.Now()
	id, err := c.Dial(t.Context(), req)
	require.NoError(t, err)
	f.Advance(time.Minute) // answered, never bridged: the callee hangs up

	restarted := newCarrier(t, f, nil)
	started(t, restarted)
	r, err := restarted.CallRecord(t.Context(), telephony.CallQuery{AttemptID: req.AttemptID, From: req.From, To: req.To, Since: since})
	require.NoError(t, err)
	assert.Equal(t, id, r.ID)
	assert.Equal(t, telephony.EventCompleted, r.Final)
	assert.Equal(t, "human", r.AnsweredBy)
	assert.Positive(t, r.Duration)

	byID, err := restarted.CallRecord(t.Context(), telephony.CallQuery{CallID: id})
	require.NoError(t, err)
	assert.Equal(t, r.Final, byID.Final)

	other := dialReq(2)
	_, err = restarted.CallRecord(t.Context(), telephony.CallQuery{AttemptID: other.AttemptID, From: other.From, To: other.To, Since: since})
	require.ErrorIs(t, err, telephony.ErrUnknownCall)
}
