package campaign

import (
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"
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

// validateText refuses strings that are not valid UTF-8 anywhere in x (a
// record: its string fields, the strings of its slices, and the keys and
// values of its maps, at any depth). Every store then sees the same text:
// Postgres would refuse such bytes with a raw driver error, SQLite and
// memory would keep them, and exports would write them out. The problem
// names the field, such as "Custom[crm_id]" or "Tags[3]".
func validateText(v *validator, x any) {
	walkText(v, "", reflect.ValueOf(x))
}

func walkText(v *validator, path string, x reflect.Value) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch x.Kind() {
	case reflect.String:
		if !utf8.ValidString(x.String()) {
			field := path
			if field == "" {
				field = "value"
			}
			v.add(field, "is not valid UTF-8")
		}
	case reflect.Struct:
		t := x.Type()
		if t == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				walkText(v, join(f.Name), x.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range x.Len() {
			walkText(v, fmt.Sprintf("%s[%d]", path, i), x.Index(i))
		}
	case reflect.Map:
		iter := x.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String && !utf8.ValidString(k.String()) {
				v.add(path, "has a key that is not valid UTF-8")
				continue
			}
			walkText(v, fmt.Sprintf("%s[%v]", path, k), iter.Value())
		}
	case reflect.Pointer, reflect.Interface:
		if !x.IsNil() {
			walkText(v, path, x.Elem())
		}
	}
}

// Settings bounds: beyond these a setting is a typo, or an overflow
// waiting for the first time arithmetic (a lease of MaxInt64 nanoseconds
// overflows every expiry).
const (
	// MaxHopperExpiry bounds Settings.HopperExpiry.
	MaxHopperExpiry = 24 * time.Hour
	// MaxInterval bounds Settings.RetryInterval and MinTimeBetweenCalls.
	MaxInterval = 365 * 24 * time.Hour
	// MaxConcurrentCalls bounds Settings.MaxConcurrentCalls.
	MaxConcurrentCalls = 10000
	// MaxCallerIDs bounds the numbers in Settings.CallerIDs.
	MaxCallerIDs = 1000
)

// validateSettingsBounds checks the settings' upper bounds and the
// relations between them, besides Settings.validate's per-field checks.
func validateSettingsBounds(v *validator, s Settings) {
	v.check(s.HopperExpiry > s.RingTimeout, "Settings.HopperExpiry",
		"must be longer than Settings.RingTimeout (%s), got %s: a lease shorter than a ring is given back before every call", s.RingTimeout, s.HopperExpiry)
	v.check(s.HopperExpiry <= MaxHopperExpiry, "Settings.HopperExpiry", "must be at most %s, got %s", MaxHopperExpiry, s.HopperExpiry)
	v.check(s.MaxConcurrentCalls <= MaxConcurrentCalls, "Settings.MaxConcurrentCalls", "must be at most %d, got %d", MaxConcurrentCalls, s.MaxConcurrentCalls)
	v.check(s.CallSpacing <= 1000, "Settings.CallSpacing", "must be at most 1000 calls a second, got %g", s.CallSpacing)
	v.check(s.WrapUp <= time.Hour, "Settings.WrapUp", "must be at most 1h, got %s", s.WrapUp)
	v.check(s.RetryInterval <= MaxInterval, "Settings.RetryInterval", "must be at most %s, got %s", MaxInterval, s.RetryInterval)
	v.check(s.MinTimeBetweenCalls <= MaxInterval, "Settings.MinTimeBetweenCalls", "must be at most %s, got %s", MaxInterval, s.MinTimeBetweenCalls)
	v.check(s.ContactCompletionTimeout <= 24*time.Hour, "Settings.ContactCompletionTimeout", "must be at most 24h, got %s", s.ContactCompletionTimeout)
	v.check(s.AbandonWindow <= 366*24*time.Hour, "Settings.AbandonWindow", "must be at most 366 days, got %s", s.AbandonWindow)
	v.check(s.CallbackGrace <= 7*24*time.Hour, "Settings.CallbackGrace", "must be at most 7 days, got %s", s.CallbackGrace)
	v.check(len(s.RetryConditions) <= 20, "Settings.RetryConditions", "lists at most 20 results, got %d", len(s.RetryConditions))
	v.check(len(s.CallerIDs) <= MaxCallerIDs, "Settings.CallerIDs", "lists at most %d numbers, got %d", MaxCallerIDs, len(s.CallerIDs))
	v.check(len(s.AllowedCountries) <= 250, "Settings.AllowedCountries", "lists at most 250 regions, got %d", len(s.AllowedCountries))
	days := map[time.Weekday]bool{}
	for i, d := range s.DialWindow.Days {
		f := fmt.Sprintf("Settings.DialWindow.Days[%d]", i)
		v.check(d >= time.Sunday && d <= time.Saturday, f, "unknown weekday %d", d)
		v.check(!days[d], f, "%s listed twice", d)
		days[d] = true
	}
}

// validateCampaignText bounds a campaign's free text.
func validateCampaignText(v *validator, c Campaign) {
	v.check(len(c.Client) <= MaxNameLength, "Client", "is longer than %d bytes", MaxNameLength)
	v.check(len(c.Goal) <= MaxTextLength, "Goal", "is longer than %d bytes", MaxTextLength)
	v.check(len(c.Notes) <= MaxNotesLength, "Notes", "is longer than %d bytes", MaxNotesLength)
	v.check(len(c.Locale) <= 35, "Locale", "is longer than 35 bytes (BCP 47)")
	v.check(c.TargetCallVolume <= 1_000_000_000, "TargetCallVolume", "must be at most 1,000,000,000")
	v.check(len(c.SourceLabels) <= MaxTags, "SourceLabels", "lists at most %d labels, got %d", MaxTags, len(c.SourceLabels))
	for i, l := range c.SourceLabels {
		v.check(l != "" && len(l) <= MaxTagLength, fmt.Sprintf("SourceLabels[%d]", i), "must be 1–%d bytes", MaxTagLength)
	}
}

// validateContactLimits bounds a contact's text fields and collections
// (the limits are the Max… constants beside [Contact]).
func validateContactLimits(v *validator, c Contact) {
	v.check(len(c.Email) <= MaxEmailLength, "Email", "is longer than %d bytes", MaxEmailLength)
	v.check(len(c.Source) <= MaxNameLength, "Source", "is longer than %d bytes", MaxNameLength)
	v.check(len(c.State) <= 8, "State", "is longer than 8 bytes")
	v.check(len(c.AreaCodeState) <= 8, "AreaCodeState", "is longer than 8 bytes")
	v.check(len(c.AltPhones) <= MaxAltPhones, "AltPhones", "lists at most %d numbers, got %d", MaxAltPhones, len(c.AltPhones))
	v.check(len(c.Tags) <= MaxTags, "Tags", "lists at most %d tags, got %d", MaxTags, len(c.Tags))
	v.check(len(c.Timezones) <= MaxTimezones, "Timezones", "lists at most %d zones, got %d", MaxTimezones, len(c.Timezones))
	for i, z := range c.Timezones {
		v.check(z != "" && len(z) <= 64, fmt.Sprintf("Timezones[%d]", i), "must be 1–64 bytes")
	}
	v.check(len(c.Custom) <= MaxCustomFields, "Custom", "holds at most %d fields, got %d", MaxCustomFields, len(c.Custom))
	for k, val := range c.Custom {
		f := "Custom[" + k + "]"
		if len(k) > MaxCustomKeyLength {
			f = fmt.Sprintf("Custom[%.*s…]", MaxCustomKeyLength, k)
		}
		v.check(k != "" && len(k) <= MaxCustomKeyLength, f, "key must be 1–%d bytes", MaxCustomKeyLength)
		v.check(len(val) <= MaxCustomValueLength, f, "value is longer than %d bytes", MaxCustomValueLength)
	}
	v.check(len(c.Consent.Source) <= MaxTextLength, "Consent.Source", "is longer than %d bytes", MaxTextLength)
	v.check(len(c.Consent.RevokedVia) <= MaxTagLength, "Consent.RevokedVia", "is longer than %d bytes", MaxTagLength)
}

// CheckContactText returns an error wrapping [ErrInvalid] when a string of
// c is not valid UTF-8. [Contact.Validate] runs it; stores run it again on
// every contact they write, so a contact that bypassed the service meets
// the same refusal on every backend. It reads the fields directly, without
// reflection, since imports run it on every row.
func CheckContactText(c Contact) error {
	var v validator
	validateContactText(&v, c)
	return v.err()
}

func validateContactText(v *validator, c Contact) {
	check := func(field, s string) {
		if !utf8.ValidString(s) {
			v.add(field, "is not valid UTF-8")
		}
	}
	for _, f := range [...]struct{ name, value string }{
		{"ID", string(c.ID)}, {"WorkspaceID", string(c.WorkspaceID)}, {"CampaignID", string(c.CampaignID)},
		{"ListID", string(c.ListID)}, {"FirstName", c.FirstName}, {"LastName", c.LastName}, {"Company", c.Company},
		{"Phone", c.Phone}, {"Email", c.Email}, {"Source", c.Source}, {"OwnerID", string(c.OwnerID)}, {"Notes", c.Notes},
		{"State", c.State}, {"AreaCodeState", c.AreaCodeState}, {"Status", string(c.Status)}, {"Lane", string(c.Lane)},
		{"CallbackOwner", string(c.CallbackOwner)}, {"Consent.Kind", string(c.Consent.Kind)},
		{"Consent.Source", c.Consent.Source}, {"Consent.Scope", string(c.Consent.Scope)}, {"Consent.RevokedVia", c.Consent.RevokedVia},
	} {
		check(f.name, f.value)
	}
	for i, s := range c.AltPhones {
		check(fmt.Sprintf("AltPhones[%d]", i), s)
	}
	for i, s := range c.Tags {
		check(fmt.Sprintf("Tags[%d]", i), s)
	}
	for i, s := range c.Timezones {
		check(fmt.Sprintf("Timezones[%d]", i), s)
	}
	for k, val := range c.Custom {
		if !utf8.ValidString(k) {
			v.add("Custom", "has a key that is not valid UTF-8")
			continue
		}
		check("Custom["+k+"]", val)
	}
}
