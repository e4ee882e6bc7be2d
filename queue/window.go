package queue

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
)

// This file adapts the campaign model to the compliance package's time
// rules (compliance imports no other CallStack package).

// Window returns the compliance window of a campaign: its dial window, its
// fallback zone, and its business hours when sched is not nil.
func Window(s campaign.Settings, sched *campaign.Schedule) (compliance.Window, error) {
	w := compliance.Window{
		Start:        compliance.TimeOfDay(s.DialWindow.Start),
		End:          compliance.TimeOfDay(s.DialWindow.End),
		Days:         compliance.Days(s.DialWindow.Days...),
		FallbackZone: s.FallbackZone,
	}
	if len(s.DialWindow.Days) > 0 && w.Days == 0 {
		// Days listed but none valid: allow nothing rather than everything.
		w.Start, w.End = 0, 0
	}
	if sched != nil {
		hs, err := businessHours(*sched)
		if err != nil {
			return compliance.Window{}, err
		}
		if w.Hours, err = compliance.NewSchedule(hs); err != nil {
			return compliance.Window{}, fmt.Errorf("queue: schedule %s: %w", sched.ID, err)
		}
	}
	return w, nil
}

func businessHours(s campaign.Schedule) (compliance.BusinessHours, error) {
	hs := compliance.BusinessHours{Zone: s.Timezone}
	conv := func(ivs []campaign.Interval) []compliance.Interval {
		out := make([]compliance.Interval, 0, len(ivs))
		for _, iv := range ivs {
			out = append(out, compliance.Between(compliance.TimeOfDay(iv.Start), compliance.TimeOfDay(iv.End)))
		}
		return out
	}
	for d, ivs := range s.Hours {
		if d >= time.Sunday && d <= time.Saturday {
			hs.Week[d] = conv(ivs)
		}
	}
	for _, e := range s.Exceptions {
		d, err := compliance.ParseDate(e.Date)
		if err != nil {
			return hs, fmt.Errorf("queue: schedule %s: %w", s.ID, err)
		}
		hs.Exceptions = append(hs.Exceptions, compliance.DateHours{Date: d, Hours: conv(e.Hours)})
	}
	return hs, nil
}

// Target returns the compliance target of a contact.
func Target(c campaign.Contact) compliance.CallTarget {
	return compliance.CallTarget{Zones: c.Timezones, AddressState: c.State, AreaCodeState: c.AreaCodeState}
}

// GroupKey returns the zone group of a contact: contacts with one key have
// the same calling-time answers. The key is "STATE|AREACODESTATE|zone,zone"
// with the zones sorted and deduplicated.
func GroupKey(c campaign.Contact) string {
	zones := make([]string, 0, len(c.Timezones))
	for _, z := range c.Timezones {
		if z != "" {
			zones = append(zones, z)
		}
	}
	slices.Sort(zones)
	zones = slices.Compact(zones)
	return strings.ToUpper(strings.TrimSpace(c.State)) + "|" + strings.ToUpper(strings.TrimSpace(c.AreaCodeState)) + "|" + strings.Join(zones, ",")
}

// parseGroup is the inverse of GroupKey.
func parseGroup(key string) (compliance.CallTarget, bool) {
	parts := strings.SplitN(key, "|", 3)
	if len(parts) != 3 {
		return compliance.CallTarget{}, false
	}
	t := compliance.CallTarget{AddressState: parts[0], AreaCodeState: parts[1]}
	if parts[2] != "" {
		t.Zones = strings.Split(parts[2], ",")
	}
	return t, true
}

// maxCallableSpan bounds the scan for the end of a callable interval; an
// interval longer than this is cut and recomputed when it lapses.
const maxCallableSpan = 24 * time.Hour

// unplaceableSpan is how long a target that can never be placed (no usable
// zone, no callable time within the horizon) stays claimable, so that the
// claim-time check records its block and skips it.
const unplaceableSpan = time.Hour

// callableInterval returns [from, until): from is the first instant >= now
// at which the rules and window allow a call to t, until the first instant
// after from at which they no longer do. Every rule boundary falls on a
// whole local minute, so the end is found minute by minute (at most a day,
// so at most 1440 checks; callers memoise per zone group). A target that
// cannot be placed at all gets [now, now+1h), so the claim-time check sees
// it and records why.
func callableInterval(r *compliance.Rules, t compliance.CallTarget, w compliance.Window, now time.Time) (from, until time.Time) {
	from, ok := r.NextCallable(now, t, w)
	if !ok {
		return now, now.Add(unplaceableSpan)
	}
	limit := from.Add(maxCallableSpan)
	x := from.Truncate(time.Minute).Add(time.Minute)
	for ; x.Before(limit); x = x.Add(time.Minute) {
		if !r.Check(x, t, w).Allowed {
			return from, x
		}
	}
	return from, limit
}

// blockScope returns the scope a window refusal is recorded with.
func blockScope(code compliance.VerdictCode) campaign.BlockScope {
	switch code {
	case compliance.CodeBlackout, compliance.CodeHolidayBan, compliance.CodeSundayBan, compliance.CodeOutsideLegalHours, compliance.CodeUnknownState:
		return campaign.BlockScopeLaw
	}
	return campaign.BlockScopePolicy
}
