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
