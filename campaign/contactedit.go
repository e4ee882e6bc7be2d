package campaign

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// clone returns a copy of c that shares no slice or map with it.
func (c Contact) clone() Contact {
	c.AltPhones = slices.Clone(c.AltPhones)
	c.Tags = slices.Clone(c.Tags)
	c.Timezones = slices.Clone(c.Timezones)
	c.Custom = maps.Clone(c.Custom)
	return c
}

// CheckContactEdit reports whether a member of role may turn contact
// before into after by hand ([Service.UpdateContact]). It refuses, for
// every role, setting status dialing (only a queue claim leases a
// contact) and changing ErasedAt (erasure goes through
// [Service.EraseContact], which suppresses the number first). For a role
// that does not manage the campaign (a Caller) it also refuses changes to
//
//   - the queue fields: CampaignID, ListID, Status, Lane, Priority,
//     Attempts, LastAttemptAt, NextAttemptAt, CallbackOwner and OwnerID,
//     which change through the queue (outcomes, retries, redistribution);
//   - the compliance facts the queue's eligibility rests on: Phone,
//     AltPhones, Timezones, State and AreaCodeState;
//   - consent, except its withdrawal: a Caller may record that the person
//     revoked consent (RevokedAt and RevokedVia), never strengthen it.
//
// A refusal wraps [ErrForbidden] and names the fields.
func CheckContactEdit(role Role, before, after Contact) error {
	if after.Status == ContactDialing && before.Status != ContactDialing {
		return fmt.Errorf("%w: status %q is set only by a queue claim", ErrForbidden, ContactDialing)
	}
	if !after.ErasedAt.Equal(before.ErasedAt) {
		return fmt.Errorf("%w: erase personal data with EraseContact, which suppresses the number first", ErrForbidden)
	}
	if Permit(role, ActionManageCampaign) == nil {
		return nil
	}
	var changed []string
	diff := func(field string, same bool) {
		if !same {
			changed = append(changed, field)
		}
	}
	diff("CampaignID", before.CampaignID == after.CampaignID)
	diff("ListID", before.ListID == after.ListID)
	diff("Status", before.Status == after.Status)
	diff("Lane", before.Lane == after.Lane)
	diff("Priority", before.Priority == after.Priority)
	diff("Attempts", before.Attempts == after.Attempts)
	diff("LastAttemptAt", before.LastAttemptAt.Equal(after.LastAttemptAt))
	diff("NextAttemptAt", before.NextAttemptAt.Equal(after.NextAttemptAt))
	diff("CallbackOwner", before.CallbackOwner == after.CallbackOwner)
	diff("OwnerID", before.OwnerID == after.OwnerID)
	diff("Phone", before.Phone == after.Phone)
	diff("AltPhones", slices.Equal(before.AltPhones, after.AltPhones))
	diff("Timezones", slices.Equal(before.Timezones, after.Timezones))
	diff("State", before.State == after.State)
	diff("AreaCodeState", before.AreaCodeState == after.AreaCodeState)
	if !consentWithdrawnOnly(before.Consent, after.Consent) {
		changed = append(changed, "Consent")
	}
	if len(changed) > 0 {
		return fmt.Errorf("%w: role %q may not change %s (queue and compliance fields change through the queue or by a campaign manager)",
			ErrForbidden, role, strings.Join(changed, ", "))
	}
	return nil
}

// consentWithdrawnOnly reports whether after is before, or before with a
// withdrawal recorded: RevokedAt set where it was zero, RevokedVia with it.
func consentWithdrawnOnly(before, after Consent) bool {
	same := func(a, b Consent) bool {
		return a.Kind == b.Kind && a.Source == b.Source && a.CapturedAt.Equal(b.CapturedAt) && a.Scope == b.Scope &&
			a.RevokedAt.Equal(b.RevokedAt) && a.RevokedVia == b.RevokedVia
	}
	if same(before, after) {
		return true
	}
	if !before.RevokedAt.IsZero() || after.RevokedAt.IsZero() {
		return false
	}
	after.RevokedAt, after.RevokedVia = before.RevokedAt, before.RevokedVia
	return same(before, after)
}
