package telephony_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// A consumer applies each event once and never moves a call backwards, even
// when the carrier redelivers or reorders.
func ExampleSequencer() {
	var seq telephony.Sequencer
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	arrivals := []telephony.Event{
		{CallID: "c1", Seq: 1, Type: telephony.EventQueued, At: at},
		{CallID: "c1", Seq: 3, Type: telephony.EventAnsweredHuman, At: at.Add(7 * time.Second)},
		{CallID: "c1", Seq: 2, Type: telephony.EventRinging, At: at.Add(time.Second)},           // late
		{CallID: "c1", Seq: 3, Type: telephony.EventAnsweredHuman, At: at.Add(7 * time.Second)}, // webhook retried
		{CallID: "c1", Seq: 4, Type: telephony.EventCompleted, At: at.Add(90 * time.Second)},
		{CallID: "c1", Seq: 5, Type: telephony.EventFailed, At: at.Add(91 * time.Second)},
	}
	for _, e := range arrivals {
		fmt.Printf("seq %d %-14s %s\n", e.Seq, e.Type, seq.Observe(e))
	}
	// Output:
	// seq 1 queued         apply
	// seq 3 answered_human apply
	// seq 2 ringing        stale
	// seq 3 answered_human duplicate
	// seq 4 completed      apply
	// seq 5 failed         after_terminal
}

func ExampleDialRequest_Validate() {
	req := telephony.DialRequest{
		From:        "+15005550006",
		To:          "+14155550100",
		RingTimeout: 10 * time.Second,
		AttemptID:   "attempt-1",
	}
	err := req.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, telephony.ErrInvalidRequest), telephony.IsRetryable(err))
	// Output:
	// telephony: invalid_request: invalid request: RingTimeout: 10s is below the 15s minimum
	// true false
}

// An adapter whose HTTP request timed out after it was sent cannot know
// whether the phone is ringing: it says so, and the engine reconciles by
// AttemptID instead of dialing again.
func ExampleIsOutcomeUnknown() {
	err := fmt.Errorf("dial attempt-1: %w", &telephony.Error{
		Code:    telephony.CodeTimeout,
		Unknown: true,
		Err:     errors.New("POST /Calls: context deadline exceeded"),
	})
	switch {
	case telephony.IsOutcomeUnknown(err):
		fmt.Println("reconcile:", err)
	case telephony.IsRetryable(err):
		fmt.Println("retry")
	default:
		fmt.Println("give up")
	}
	// Output:
	// reconcile: dial attempt-1: telephony: timeout: POST /Calls: context deadline exceeded
}
