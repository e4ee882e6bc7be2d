package campaign

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// ErrLocked is returned by [Service.UpdateCampaign] for an edit of a field
// that the campaign's status locks; the wrapping [*LockedError] names the
// field and the status.
var ErrLocked = errors.New("campaign: configuration locked")

// LockedError reports a locked field. It wraps [ErrLocked].
type LockedError struct {
	// Field is the Go field path, such as "Settings.DialMode".
	Field string
	// Status is the campaign's status when the edit was refused.
	Status Status
	// EditableIn lists the statuses in which Field may change; empty when
	// it never changes after creation.
	EditableIn []Status
}

// Error implements error.
func (e *LockedError) Error() string {
	if len(e.EditableIn) == 0 {
		return fmt.Sprintf("campaign: configuration locked: %s is fixed when the campaign is created", e.Field)
	}
	in := make([]string, len(e.EditableIn))
	for i, s := range e.EditableIn {
		in[i] = string(s)
	}
	return fmt.Sprintf("campaign: configuration locked: %s cannot change while the campaign is %s (editable in %s)",
		e.Field, e.Status, strings.Join(in, " or "))
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Edit lock classes of campaign fields; see [CheckEdit].
const (
	lockDraft  = iota // configuration: editable in Draft only (the default)
	lockPaused        // safe to change mid-campaign: editable in Draft and Paused
	lockFree          // bookkeeping that does not change how calls are made: always editable
	lockFixed         // fixed at creation
	lockSkip          // not an edit: identity, status and versioning, set by the service
)

// campaignLocks classifies the fields of Campaign; a field not listed is
// configuration (lockDraft), so a new field is locked until someone
// decides otherwise.
var campaignLocks = map[string]int{
	"ID": lockSkip, "WorkspaceID": lockSkip, "Status": lockSkip, "ArchivedFrom": lockSkip,
	"Version": lockSkip, "CreatedAt": lockSkip, "UpdatedAt": lockSkip,
	"Locale": lockFixed,
	"Name":   lockFree, "OwnerID": lockFree, "Goal": lockFree, "Notes": lockFree, "Health": lockFree,
	"SourceLabels": lockFree, "TargetCallVolume": lockFree,
	"Deadline": lockPaused,
}

// settingsLocks classifies the fields of Settings the same way: pacing
// capacity, timers, detection and caller IDs are safe to change while a
// campaign is Paused; everything else is Draft-only.
var settingsLocks = map[string]int{
	"CallRatio": lockPaused, "MaxConcurrentCalls": lockPaused, "DialerInterval": lockPaused,
	"CallSpacing": lockPaused, "RingTimeout": lockPaused, "WrapUp": lockPaused, "AMD": lockPaused,
	"ContactCompletionTimeout": lockPaused, "HopperSize": lockPaused, "HopperExpiry": lockPaused,
	"CallbackGrace": lockPaused, "CallerIDs": lockPaused, "AbandonCap": lockPaused, "Content": lockPaused,
	"CallerIDPool": lockPaused, "SuppressionLists": lockPaused, "AssignedAgent": lockPaused,
	"OwnerWait":    lockPaused,
	"ImportStatus": lockFree,
}

// CheckEdit reports whether a campaign in before's status may be changed
// into after; the error is a [*LockedError] for the first locked field
// that changed. The rules (docs/campaign-rules.md explains why):
//
//   - Locale is fixed at creation: it decides the campaign's phone
//     formats and the language of its scripts and messages.
//   - Bookkeeping (Name, OwnerID, Goal, Notes, Health, SourceLabels,
//     TargetCallVolume) changes in any status.
//   - Configuration changes in Draft only. A Queued campaign goes back to
//     Draft to be edited.
//   - In Paused, what is safe mid-campaign may change too: the Deadline,
//     and the Settings of pacing capacity and timers (CallRatio,
//     MaxConcurrentCalls, DialerInterval, CallSpacing, RingTimeout, WrapUp,
//     AMD, ContactCompletionTimeout, HopperSize, HopperExpiry,
//     CallbackGrace, CallerIDs, CallerIDPool), a new AbandonCap, the
//     Content (script, prompt, message), the named SuppressionLists,
//     the AssignedAgent and OwnerWait. ImportStatus (which only decides where contacts
//     imported later start) changes in any status. Dial mode, retry
//     policy, lane order, windows and schedule, consent, voice, regions,
//     timezone, client and start date stay locked: the engine's pacer, the
//     queue's precomputed callable times and ranks, suppression scope and
//     reports were built on them.
func CheckEdit(before, after Campaign) error {
	for _, ch := range changedFields(before, after) {
		status := before.Status
		var editable []Status
		switch ch.lock {
		case lockFree:
			continue
		case lockFixed:
		case lockPaused:
			editable = []Status{StatusDraft, StatusPaused}
		default:
			editable = []Status{StatusDraft}
		}
		if slices.Contains(editable, status) {
			continue
		}
		return &LockedError{Field: ch.field, Status: status, EditableIn: editable}
	}
	return nil
}

// ChangedFields returns the paths of the fields that differ between before
// and after, such as "Name" and "Settings.CallRatio", in field order.
// Identity, status and version fields are not compared.
func ChangedFields(before, after Campaign) []string {
	chs := changedFields(before, after)
	out := make([]string, len(chs))
	for i, ch := range chs {
		out[i] = ch.field
	}
	return out
}

type fieldChange struct {
	field string
	lock  int
}

func changedFields(before, after Campaign) []fieldChange {
	var out []fieldChange
	diff := func(prefix string, a, b reflect.Value, locks map[string]int) {
		t := a.Type()
		for i := range t.NumField() {
			name := t.Field(i).Name
			lock, ok := locks[name]
			if !ok {
				lock = lockDraft
			}
			if lock == lockSkip || (prefix == "" && name == "Settings") {
				continue
			}
			if !sameValue(a.Field(i), b.Field(i)) {
				out = append(out, fieldChange{field: prefix + name, lock: lock})
			}
		}
	}
	diff("", reflect.ValueOf(before), reflect.ValueOf(after), campaignLocks)
	diff("Settings.", reflect.ValueOf(before.Settings), reflect.ValueOf(after.Settings), settingsLocks)
	return out
}

// sameValue compares two field values: times by instant, an empty slice
// or map equal to a nil one, nested structs field by field.
func sameValue(a, b reflect.Value) bool {
	if t, ok := a.Interface().(time.Time); ok {
		return t.Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Slice, reflect.Map:
		if a.Len() == 0 && b.Len() == 0 {
			return true
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// Clone returns c with its slices copied, so an edit of the copy leaves c
// as it was.
func (c Campaign) Clone() Campaign {
	c.SourceLabels = slices.Clone(c.SourceLabels)
	s := &c.Settings
	s.RetryConditions = slices.Clone(s.RetryConditions)
	s.DialWindow.Days = slices.Clone(s.DialWindow.Days)
	s.AllowedCountries = slices.Clone(s.AllowedCountries)
	s.LaneOrder = slices.Clone(s.LaneOrder)
	s.CallerIDs = slices.Clone(s.CallerIDs)
	s.SuppressionLists = slices.Clone(s.SuppressionLists)
	return c
}
