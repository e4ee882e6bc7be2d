package twilio

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// Error codes this adapter adds to telephony's.
const (
	// CodeInvalidNumber: Twilio refused the To or From number (21211,
	// 21214, 21217, 21614, …). Not retryable; wraps
	// telephony.ErrInvalidRequest.
	CodeInvalidNumber = "invalid_number"
	// CodeAuth: Twilio refused the credentials (20003, or HTTP 401/403).
	CodeAuth = "auth"
	// CodeRejected: any other 4xx.
	CodeRejected = "rejected"
)

// Twilio error codes the adapter acts on.
const (
	codeAuth          = 20003
	codeNotFound      = 20404
	codeTooMany       = 20429
	codeNotInProgress = 21220
)

// invalidNumberCodes are Twilio codes that mean the number cannot be
// called: retrying cannot help.
var invalidNumberCodes = []int{
	13223, // invalid phone number format
	13224, // invalid phone number
	21210, // From is not a verified caller ID
	21211, // invalid To
	21212, // invalid From
	21213, // From is required
	21214, // To cannot be reached
	21215, // geo permissions do not allow the To country
	21216, // To is blocked (premium)
	21217, // To is not a valid phone number
	21401, // invalid phone number
	21407, // unsupported To
	21421, // invalid phone number
	21614, // To is not a mobile / not valid
}

// APIError is an error response of the Twilio REST API. Find it with
// errors.As in the chain of the *telephony.Error that Carrier methods return.
type APIError struct {
	// HTTPStatus is the response's status code.
	HTTPStatus int
	// Code is Twilio's error code ("code" in the JSON), e.g. 21211; 0 when
	// the body carried none.
	Code int `json:"code"`
	// Message is Twilio's message.
	Message string `json:"message"`
	// MoreInfo is the documentation link.
	MoreInfo string `json:"more_info"`
	// Status repeats the HTTP status in the body.
	Status int `json:"status"`
	// RetryAfter is the response's Retry-After, zero when absent.
	RetryAfter time.Duration `json:"-"`
}

// Error returns "twilio: HTTP 400 (code 21211): message".
func (e *APIError) Error() string {
	s := fmt.Sprintf("twilio: HTTP %d", e.HTTPStatus)
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// parseAPIError reads an error response.
func parseAPIError(status int, header http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{}
	_ = json.Unmarshal(body, e) // a body that is not Twilio's JSON leaves the fields empty
	e.HTTPStatus = status
	if e.Message == "" && e.Code == 0 {
		e.Message = http.StatusText(status)
	}
	e.RetryAfter = retryAfter(header.Get("Retry-After"), now)
	return e
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// classify turns an API error into a telephony.Error. creating says whether
// the request creates a call: then a 5xx leaves the outcome unknown.
func classify(e *APIError, creating bool) *telephony.Error {
	wrap := func(code string, sentinel error) *telephony.Error {
		if sentinel != nil {
			return &telephony.Error{Code: code, Err: fmt.Errorf("%w: %w", sentinel, e)}
		}
		return &telephony.Error{Code: code, Err: e}
	}
	switch {
	case e.HTTPStatus == http.StatusTooManyRequests || e.Code == codeTooMany:
		te := wrap(telephony.CodeRateLimited, nil)
		te.Retryable = true // Twilio refused the request: nothing was created
		te.RetryAfter = e.RetryAfter
		return te
	case e.HTTPStatus >= 500:
		te := wrap(telephony.CodeUnavailable, nil)
		if creating {
			te.Unknown = true
		} else {
			te.Retryable = true
		}
		return te
	case e.Code == codeAuth || e.HTTPStatus == http.StatusUnauthorized:
		return wrap(CodeAuth, nil)
	case e.Code == codeNotFound || e.HTTPStatus == http.StatusNotFound:
		return wrap(telephony.CodeUnknownCall, telephony.ErrUnknownCall)
	case e.Code == codeNotInProgress:
		return wrap(telephony.CodeCallState, telephony.ErrCallState)
	case slices.Contains(invalidNumberCodes, e.Code):
		return wrap(CodeInvalidNumber, telephony.ErrInvalidRequest)
	case e.HTTPStatus == http.StatusForbidden:
		return wrap(CodeAuth, nil)
	}
	return wrap(CodeRejected, nil)
}

// retryDelay is how long a Retry-After in err's chain asks to wait.
func retryDelay(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RetryAfter
	}
	return 0
}
