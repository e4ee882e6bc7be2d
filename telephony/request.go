package telephony

import (
	"time"
)

// MinRingTimeout is the shortest ring time a DialRequest may ask for: US
// rules (47 CFR 64.1200, FTC TSR) require an unanswered call to ring at least
// 15 seconds.
const MinRingTimeout = 15 * time.Second

// AMDMode selects answering-machine detection. The zero value is AMDOff.
type AMDMode string

// AMD modes.
const (
	// AMDOff disables detection: every answer is reported as
	// EventAnsweredHuman, as far as the carrier can tell.
	AMDOff AMDMode = ""
	// AMDEnable reports answered_human or answered_machine as soon as the
	// carrier has decided.
	AMDEnable AMDMode = "enable"
	// AMDDetectMessageEnd also waits for the end of a machine's greeting
	// (the beep) before reporting answered_machine, to drop a voicemail.
	AMDDetectMessageEnd AMDMode = "detect_message_end"
)

// Valid reports whether m is a known mode.
func (m AMDMode) Valid() bool {
	switch m {
	case AMDOff, AMDEnable, AMDDetectMessageEnd:
		return true
	}
	return false
}

// DialRequest asks a carrier to place one call.
type DialRequest struct {
	// From is the caller ID in E.164 form.
	From string
	// To is the number to call in E.164 form.
	To string
	// RingTimeout is how long an unanswered call rings before it ends
	// no_answer. At least MinRingTimeout.
	RingTimeout time.Duration
	// AMD selects answering-machine detection. Defaults to AMDOff.
	AMD AMDMode
	// AttemptID is the caller's key for this attempt (required). Every event
	// of the call carries it, so a dial whose outcome is unknown can be
	// reconciled; carriers that support idempotency keys place at most one
	// call per AttemptID.
	AttemptID string
	// Metadata is passed to the carrier as is, where it supports it.
	Metadata map[string]string
	// Extension is the called party's extension: 1 to MaxExtensionLength
	// digits that the carrier dials as tones once the call is answered
	// (Twilio's SendDigits, after a one-second pause). Defaults to none.
	Extension string
	// Content is what this call says, personalised for the contact; nil
	// when the campaign has none.
	Content *Content
	// Agent is the agent assigned to the call: the contact's owner, else
	// the campaign's assigned agent (a member's id for a human agent, the
	// voice provider's id for an AI agent). Defaults to none: whoever is
	// free takes the call.
	Agent string
}

// MaxExtensionLength is the most digits DialRequest.Extension holds.
const MaxExtensionLength = 16

// Validate reports whether r can be dialed. The error is an *Error with
// Code CodeInvalidRequest, not retryable, wrapping ErrInvalidRequest, and its
// message names the offending field.
func (r DialRequest) Validate() error {
	switch {
	case !IsE164(r.From):
		return invalid("From", "%q is not an E.164 number", r.From)
	case !IsE164(r.To):
		return invalid("To", "%q is not an E.164 number", r.To)
	case r.RingTimeout < MinRingTimeout:
		return invalid("RingTimeout", "%v is below the %v minimum", r.RingTimeout, MinRingTimeout)
	case !r.AMD.Valid():
		return invalid("AMD", "unknown mode %q", string(r.AMD))
	case r.AttemptID == "":
		return invalid("AttemptID", "is required")
	case r.Extension != "" && !digits(r.Extension, MaxExtensionLength):
		return invalid("Extension", "%q is not 1 to %d digits", r.Extension, MaxExtensionLength)
	}
	return nil
}

// IsE164 reports whether s has E.164 syntax: "+", a non-zero digit, then 1 to
// 14 more digits. It checks syntax only; package compliance decides whether a
// number may be called.
func IsE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digits reports whether s is 1 to max ASCII digits.
func digits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
