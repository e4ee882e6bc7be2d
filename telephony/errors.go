package telephony

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Carriers wrap them, usually inside an *Error; test with
// errors.Is.
var (
	// ErrUnknownCall: the carrier does not know the call id.
	ErrUnknownCall = errors.New("telephony: unknown call")
	// ErrOutcomeUnknown: the request may or may not have taken effect (a
	// timeout after the request was sent). Never retry a dial blindly:
	// reconcile by AttemptID.
	ErrOutcomeUnknown = errors.New("telephony: outcome unknown")
	// ErrInvalidRequest: the request is malformed; retrying cannot help.
	ErrInvalidRequest = errors.New("telephony: invalid request")
	// ErrCallState: the call is not in a state that allows the operation
	// (bridging a call that is still ringing, say).
	ErrCallState = errors.New("telephony: call state does not allow this")
	// ErrNotStarted: Dial was called before Start.
	ErrNotStarted = errors.New("telephony: carrier not started")
)

// Stable error codes used by this package and the simulated carrier.
// Adapters may add their own.
const (
	CodeInvalidRequest = "invalid_request"
	CodeUnknownCall    = "unknown_call"
	CodeCallState      = "call_state"
	CodeNotStarted     = "not_started"
	CodeRateLimited    = "rate_limited"
	CodeUnavailable    = "unavailable"
	CodeTimeout        = "timeout"
	CodeCanceled       = "canceled"
)

// Error is a carrier error that says what a retry would do.
type Error struct {
	// Code is a stable, machine-readable reason such as "rate_limited".
	Code string
	// Retryable reports that the request did not take effect and the same
	// request may succeed later.
	Retryable bool
	// Unknown reports that the request may have taken effect: a dial may
	// have rung. Never retry blindly; reconcile by AttemptID. Unknown wins
	// over Retryable.
	Unknown bool
	// RetryAfter is how long the carrier asked callers to wait before the
	// next request (a rate limit's Retry-After); zero when it did not say.
	RetryAfter time.Duration
	// Err is the underlying error, if any.
	Err error
}

// Error returns "telephony: <code>: <cause>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("telephony: ")
	b.WriteString(e.Code)
	if e.Code == "" {
		b.WriteString("error")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "telephony: "))
	}
	return b.String()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// Is reports e as ErrOutcomeUnknown when e.Unknown is set.
func (e *Error) Is(target error) bool { return target == ErrOutcomeUnknown && e.Unknown }

// IsRetryable reports whether err says the request did not take effect and
// a retry may succeed: some *Error in its chain has Retryable set, and none
// says the outcome is unknown.
func IsRetryable(err error) bool {
	if err == nil || IsOutcomeUnknown(err) {
		return false
	}
	var te *Error
	return errors.As(err, &te) && te.Retryable
}

// RetryAfter returns the longest RetryAfter of the *Error values in err's
// chain: how long the carrier asked to wait before the next request.
func RetryAfter(err error) time.Duration {
	var d time.Duration
	for err != nil {
		if te, ok := err.(*Error); ok {
			d = max(d, te.RetryAfter)
		}
		err = errors.Unwrap(err)
	}
	return d
}

// IsOutcomeUnknown reports whether err says the request may have taken
// effect (ErrOutcomeUnknown, or an *Error with Unknown set).
func IsOutcomeUnknown(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }

// invalid builds the error Validate methods return.
func invalid(field, format string, args ...any) error {
	return &Error{
		Code: CodeInvalidRequest,
		Err:  fmt.Errorf("%w: %s: %s", ErrInvalidRequest, field, fmt.Sprintf(format, args...)),
	}
}
