package report

import "errors"

var (
	// ErrInvalid is returned for a bad argument or configuration; the
	// wrapping error names it.
	ErrInvalid = errors.New("report: invalid")
	// ErrNotEntitled is returned when the host's [Entitlements] refuse a
	// client snapshot.
	ErrNotEntitled = errors.New("report: not entitled")
	// ErrDelivery is returned when a scheduled report could not be delivered
	// after every retry; the delivery history records each try.
	ErrDelivery = errors.New("report: delivery failed")
)
