package campaign

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNotFound is returned when a record does not exist in the workspace
	// asked for. A record of another workspace is reported as not found.
	ErrNotFound = errors.New("campaign: not found")
	// ErrForbidden is returned when the acting member's role does not allow
	// the action. The error names the role and the action.
	ErrForbidden = errors.New("campaign: forbidden")
	// ErrInvalidTransition is returned for a status change the campaign
	// status machine does not allow.
	ErrInvalidTransition = errors.New("campaign: invalid status transition")
	// ErrInvalid is returned when a value fails validation; the wrapping
	// [*ValidationError] names the field.
	ErrInvalid = errors.New("campaign: invalid")
	// ErrConflict is returned when a write lost a race: the record changed
	// since it was read (optimistic concurrency), or a unique key is taken.
	ErrConflict = errors.New("campaign: conflict")
	// ErrLeased is returned when an edit targets a contact the queue has
	// leased (status dialing): a call is being placed or is live, and an
	// edit would take the contact from under it. Edit it after the call
	// ends (its outcome is saved through the dialer). It wraps
	// [ErrConflict].
	ErrLeased = fmt.Errorf("%w: contact is leased for a call", ErrConflict)
)

// ValidationError reports the fields that failed validation. It wraps
// [ErrInvalid].
type ValidationError struct {
	// Problems lists one entry per failing field, in field order.
	Problems []FieldProblem
}

// FieldProblem is one failing field of a [ValidationError].
type FieldProblem struct {
	// Field is the Go field path, such as "Settings.RingTimeout".
	Field string
	// Message says what is wrong.
	Message string
}

// Error implements error.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return "campaign: invalid: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// validator collects field problems.
type validator struct{ problems []FieldProblem }

func (v *validator) add(field, format string, args ...any) {
	v.problems = append(v.problems, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) check(ok bool, field, format string, args ...any) {
	if !ok {
		v.add(field, format, args...)
	}
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}
