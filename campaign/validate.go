package campaign

import (
	"fmt"
	"time"
)

func fieldIndex(base string, i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", base, i, field)
}

func validateRegion(v *validator, field, region string) {
	ok := len(region) == 2 && region[0] >= 'A' && region[0] <= 'Z' && region[1] >= 'A' && region[1] <= 'Z'
	v.check(ok, field, "must be an upper-case ISO 3166-1 alpha-2 region, got %q", region)
}

func validateZone(v *validator, field, zone string) {
	if zone == "" {
		v.add(field, "is required")
		return
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
		v.add(field, "unknown IANA time zone %q", zone)
	}
}

// validateDialWindow checks a campaign's calling window after defaults:
// a same-day range [Start, End) with Start before End, both within
// 00:00–24:00, and at least one weekday, each named once. The errors quote
// the window as written, so "22:00–08:00" (overnight, which the law never
// allows anyway) and "09:00–09:00" are refused with their values.
func validateDialWindow(v *validator, field string, w DialWindow) {
	startOK := w.Start >= 0 && w.Start < 24*60
	endOK := w.End > 0 && w.End <= 24*60
	v.check(startOK, field+".Start", "must be within 00:00–23:59, got %d minutes", int(w.Start))
	v.check(endOK, field+".End", "must be within 00:01–24:00, got %d minutes", int(w.End))
	if startOK && endOK {
		v.check(w.Start < w.End, field+".End", "must be after Start: %s–%s is empty or crosses midnight", w.Start, w.End)
	}
	v.check(len(w.Days) > 0, field+".Days", "must allow at least one day")
	var seen [7]bool
	for i, d := range w.Days {
		if d < time.Sunday || d > time.Saturday {
			v.add(fmt.Sprintf("%s.Days[%d]", field, i), "unknown weekday %d", int(d))
			continue
		}
		v.check(!seen[d], fmt.Sprintf("%s.Days[%d]", field, i), "%s listed twice", d)
		seen[d] = true
	}
}

// utc returns t in UTC; the zero time stays zero. Stores return every time
// in UTC, so the service normalises what it writes and returns the same.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// normalizeTimes puts every time of c in UTC.
func (c *Contact) normalizeTimes() {
	c.LastAttemptAt, c.NextAttemptAt, c.ErasedAt = utc(c.LastAttemptAt), utc(c.NextAttemptAt), utc(c.ErasedAt)
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	c.Consent.CapturedAt, c.Consent.RevokedAt = utc(c.Consent.CapturedAt), utc(c.Consent.RevokedAt)
}

// normalizeTimes puts every time of c in UTC.
func (c *Campaign) normalizeTimes() {
	c.StartDate, c.Deadline, c.CreatedAt, c.UpdatedAt = utc(c.StartDate), utc(c.Deadline), utc(c.CreatedAt), utc(c.UpdatedAt)
}
