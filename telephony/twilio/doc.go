// Package twilio is a telephony.Carrier on Twilio's Programmable Voice REST
// API (and API-compatible providers, through Config.BaseURL).
//
// # Wiring
//
//	c, err := twilio.New(twilio.Config{
//		AccountSID:  "AC…",
//		AuthToken:   token,
//		CallbackURL: "https://dialer.example.com/twilio/callbacks",
//	})
//	mux.Handle("/twilio/callbacks", c.Handler())
//	err = c.Start(ctx, engine) // the engine is the telephony.EventSink
//
// Dial creates a call (POST …/Calls.json) whose status callbacks
// (initiated, ringing, answered, completed) and asynchronous AMD callbacks
// go to CallbackURL with the attempt id in the query. Bridge and Play
// replace the live call's TwiML (<Dial> to the agent; <Say> or <Play> then
// <Hangup>); Hangup sets its Status to canceled or completed.
//
// # Callbacks and proxies
//
// Handler checks X-Twilio-Signature, an HMAC-SHA1 of the URL Twilio called
// and the POST parameters keyed by the auth token, and answers 403 when it
// does not match. The URL it checks is Config.CallbackURL plus the request's
// query string, so CallbackURL must be the public URL Twilio calls, as
// written in the create-call request: behind a proxy or load balancer that
// terminates TLS, changes the host or port, or rewrites the path, configure
// the outside URL, and let the proxy pass the query string through as is.
//
// Callbacks become telephony events, each with a fixed Seq (queued 1,
// ringing 2, answered 3, bridged 4, the terminal event 5), so that a
// redelivered callback yields the same event with the same Seq and Seq grows
// with the call's progress. The adapter hands duplicates and late callbacks
// to the sink as they come (delivery is at least once, and Twilio sends
// concurrent callbacks out of order); consumers apply them through a
// telephony.Sequencer. The handler answers 2xx only after the sink accepted
// the events, and 500 otherwise; Twilio then retries the callback as
// Config.CallbackOverrides asks.
//
// With AMD on, the answered status callback is held back and the AMD
// callback's AnsweredBy decides between answered_human and
// answered_machine. A completed callback whose answer was not reported yet
// reports it first. The agent leg's answer (a <Number>, <Sip> or <Client>
// status callback) becomes bridged.
//
// # Errors, retries and unknown outcomes
//
// Failures are *telephony.Error values; the Twilio error, when there is
// one, is an *APIError in the chain. 429 is retryable and honours
// Retry-After; a 5xx is retryable except on create-call; invalid numbers
// (21211, 21214, 21217, 21614, …) wrap telephony.ErrInvalidRequest; 20003
// is an authentication error; 20404 wraps telephony.ErrUnknownCall.
//
// A create-call request that may have reached Twilio but got no usable
// answer (a timeout, a connection reset after the request was written, a
// 5xx) is never sent again: that could ring a person twice. The adapter
// looks the call up instead, by the callbacks already received for the
// attempt and by listing the calls to the number, and returns an error for
// which telephony.IsOutcomeUnknown holds when it cannot tell. The engine
// then reconciles by AttemptID: the call's callbacks, if it exists, still
// carry it.
//
// Call creation is paced by a token bucket (Config.CallsPerSecond, default
// 1, Twilio's default per account) and retries back off exponentially with
// jitter, both on Config.Clock so tests run in virtual time.
package twilio
