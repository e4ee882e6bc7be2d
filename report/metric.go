package report

import (
	"fmt"
	"strconv"
	"time"
)

// Unit says how to read a [Metric]'s Value.
type Unit string

// Metric units.
const (
	// UnitRatio is a fraction 0–1 (shown as a percentage).
	UnitRatio Unit = "ratio"
	// UnitCount is a count of records.
	UnitCount Unit = "count"
	// UnitSeconds is a duration in seconds.
	UnitSeconds Unit = "seconds"
	// UnitHours is a duration in hours.
	UnitHours Unit = "hours"
	// UnitMoney is an amount in currency units (Money ÷ 1,000,000).
	UnitMoney Unit = "money"
	// UnitPerContact is a count per contact (or per agent).
	UnitPerContact Unit = "per"
)

// Metric is one reported number with what it rests on. A rate is
// Numerator ÷ Denominator; a count or total has Denominator 0. N is the
// sample size the metric rests on (the denominator of a rate, the records
// summed for a total).
//
// Incomplete is true, with Reason saying why, when the sample is below the
// threshold (Config.MinSample) or an input is missing (no cost data, no
// labour rate); a metric without any data has Value 0 and is always
// Incomplete, so it is never shown as 0% or 100%.
type Metric struct {
	Value       float64 `json:"value"`
	Numerator   int64   `json:"numerator"`
	Denominator int64   `json:"denominator"`
	N           int64   `json:"n"`
	Unit        Unit    `json:"unit"`
	Incomplete  bool    `json:"incomplete"`
	Reason      string  `json:"reason,omitempty"`
}

// Reasons a metric is incomplete.
const (
	ReasonNoData      = "no data"
	ReasonSmallSample = "sample below threshold"
	// ReasonNoAcceptance flags a meeting acceptance of 0 over booked
	// meetings when no attempt recorded an acceptance at all: the callers
	// most likely never record it (dialer.OutcomeInput.MeetingAccepted),
	// so 0% would not be a finding.
	ReasonNoAcceptance = "no meeting acceptance recorded"
)

// rate returns num ÷ den, incomplete without data or below minN.
func rate(num, den int64, minN int) Metric {
	m := Metric{Numerator: num, Denominator: den, N: den, Unit: UnitRatio}
	if den <= 0 {
		return m.incomplete(ReasonNoData)
	}
	m.Value = float64(num) / float64(den)
	if den < int64(minN) {
		return m.incomplete(fmt.Sprintf("%s: n=%d < %d", ReasonSmallSample, den, minN))
	}
	return m
}

// per returns num ÷ den as an average of unit u (not a ratio).
func per(num, den int64, u Unit, scale float64, minN int) Metric {
	m := rate(num, den, minN)
	m.Unit = u
	if den > 0 {
		m.Value = float64(num) / float64(den) / scale
	}
	return m
}

// count returns a count; a count is complete even when 0 (no records is a
// true zero), unless missing says an input is absent.
func count(n int64) Metric {
	return Metric{Value: float64(n), Numerator: n, N: n, Unit: UnitCount}
}

// total returns a sum of n records in unit u.
func total(sum int64, n int64, u Unit, scale float64) Metric {
	return Metric{Value: float64(sum) / scale, Numerator: sum, N: n, Unit: u}
}

func (m Metric) incomplete(reason string) Metric {
	m.Incomplete = true
	if m.Reason == "" {
		m.Reason = reason
	} else {
		m.Reason += "; " + reason
	}
	return m
}

// IsZero reports whether the metric rests on no data at all.
func (m Metric) IsZero() bool { return m.N == 0 && m.Denominator == 0 && m.Numerator == 0 }

// String formats the metric for people: "42.0% (21/50)" for a rate,
// "n/a (no data)" without data, and a trailing "[incomplete: reason]"
// when the sample is too small.
func (m Metric) String() string {
	if m.Incomplete && m.Denominator == 0 && m.Unit != UnitCount && m.N == 0 {
		return "n/a (" + m.Reason + ")"
	}
	var s string
	switch m.Unit {
	case UnitRatio:
		s = fmt.Sprintf("%.1f%% (%d/%d)", m.Value*100, m.Numerator, m.Denominator)
	case UnitCount:
		s = strconv.FormatInt(m.Numerator, 10)
	case UnitSeconds:
		s = (time.Duration(m.Value * float64(time.Second))).Round(time.Second).String()
	case UnitHours:
		s = fmt.Sprintf("%.2f h", m.Value)
	case UnitMoney:
		s = fmt.Sprintf("%.2f", m.Value)
	default:
		s = fmt.Sprintf("%.2f", m.Value)
	}
	if m.Incomplete {
		s += " [incomplete: " + m.Reason + "]"
	}
	return s
}
