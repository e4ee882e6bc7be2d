// Package telephony is the boundary between CallStack and the carriers that
// place its calls.
//
// A carrier adapter implements [Carrier]: it dials ([Carrier.Dial]), connects
// an answered call to an agent endpoint ([Carrier.Bridge]), plays a message
// ([Carrier.Play], the abandon message) and hangs up ([Carrier.Hangup]). What
// happens to a call afterwards comes back as [Event] values through the
// [EventSink] the engine hands to [Carrier.Start].
//
// # Call life cycle
//
// Every call the carrier accepts emits a sequence of events numbered by
// [Event.Seq] (1, 2, 3, … per call) in this order:
//
//	queued → ringing → answered_human | answered_machine → [bridged] → completed
//	queued → [ringing] → busy | no_answer | failed | canceled
//
// Steps in brackets may be missing, and queued is optional for carriers that
// do not report it. Exactly one terminal event ([EventType.Terminal]: busy,
// no_answer, failed, canceled, completed) ends every call, and nothing follows
// it. completed only follows an answer; canceled means the caller hung up
// before the answer. [CanFollow] states the legal transitions.
//
// Delivery is at least once: an event can arrive twice (a webhook retried),
// and an adapter that receives concurrent webhooks can deliver a call's
// events out of order. [Sequencer] turns such a stream into an idempotent,
// monotonic one.
//
// # Errors
//
// Carrier methods return [*Error], which says whether a retry helps
// ([IsRetryable]) and whether the outcome of a dial is unknown
// ([IsOutcomeUnknown]): a dial whose request may have reached the carrier must
// never be retried blindly, because the callee may already be ringing; the
// engine reconciles by [DialRequest.AttemptID] instead.
//
// Sub-packages: telephony/sim is a deterministic simulated carrier that runs
// in virtual time; telephony/telephonytest is the conformance suite every
// adapter runs.
package telephony
