package campaign

import (
	"fmt"
	"net/mail"
	"slices"
	"time"
)

// ContactStatus is where a contact stands in its campaign.
type ContactStatus string

// Contact statuses.
const (
	ContactPending        ContactStatus = "pending"         // never called
	ContactHeld           ContactStatus = "held"            // imported on hold: not called until activated (Settings.ImportStatus)
	ContactDialing        ContactStatus = "dialing"         // leased: a call is being placed or is live
	ContactRetry          ContactStatus = "retry"           // waiting for a retry
	ContactCallback       ContactStatus = "callback"        // a callback is scheduled
	ContactCompleted      ContactStatus = "completed"       // final: reached with a final disposition
	ContactFailed         ContactStatus = "failed"          // final: attempts exhausted
	ContactNoConversation ContactStatus = "no_conversation" // final: answered but no conversation
	ContactSkipped        ContactStatus = "skipped"         // not called: blocked by a rule
	ContactCancelled      ContactStatus = "cancelled"       // final: withdrawn by a member
	ContactExpired        ContactStatus = "expired"         // final: past the list's expire days
	ContactDNC            ContactStatus = "dnc"             // final: asked not to be called
)

// ContactCalled was meant for a contact whose call ended while its outcome
// was awaited. It is no longer part of the model and is never stored
// ([ContactStatus.Valid] refuses it): such a contact stays ContactDialing,
// because the lease that fences its outcome holds it in that status, and a
// second in-call status would have to be honoured by every lease check
// (claims, reaping, Finish) while adding nothing the dial journal lacks.
// The status check counts these contacts as in a call
// ([StatusCheck.InCall]); the engine's Awaiting lists them by agent.
//
// Deprecated: a contact awaiting its outcome is ContactDialing.
const ContactCalled ContactStatus = "called"

// ContactStatuses lists every defined contact status: the queued ones,
// then the rest. Code that must consider each status (a check that no
// contact is left to call, say) ranges over it rather than naming
// statuses, so a status added later is not missed.
func ContactStatuses() []ContactStatus {
	return []ContactStatus{ContactPending, ContactHeld, ContactDialing, ContactRetry, ContactCallback, ContactCompleted,
		ContactFailed, ContactNoConversation, ContactSkipped, ContactCancelled, ContactExpired, ContactDNC}
}

// Valid reports whether s is a defined contact status.
func (s ContactStatus) Valid() bool {
	return slices.Contains(ContactStatuses(), s)
}

// Final reports whether the contact will not be called again by the queue.
func (s ContactStatus) Final() bool {
	switch s {
	case ContactCompleted, ContactFailed, ContactNoConversation, ContactCancelled, ContactExpired, ContactDNC:
		return true
	}
	return false
}

// Priority is a contact's priority within its lane.
type Priority int

// Contact priorities; higher is called first.
const (
	PriorityLow    Priority = -1
	PriorityNormal Priority = 0
	PriorityHigh   Priority = 1
)

// ConsentKind is the kind of consent a contact gave.
type ConsentKind string

// Consent kinds, weakest first.
const (
	ConsentNone           ConsentKind = "none"
	ConsentExpress        ConsentKind = "express"
	ConsentExpressWritten ConsentKind = "express_written"
)

// Valid reports whether k is a defined consent kind.
func (k ConsentKind) Valid() bool { return k.Rank() >= 0 }

// Rank orders consent kinds by strength: none 0, express 1, express
// written 2; -1 for an unknown kind.
func (k ConsentKind) Rank() int {
	switch k {
	case ConsentNone:
		return 0
	case ConsentExpress:
		return 1
	case ConsentExpressWritten:
		return 2
	}
	return -1
}

// ConsentScope is what a consent covers.
type ConsentScope string

// Consent scopes.
const (
	ConsentScopeCampaign ConsentScope = "campaign" // this campaign only
	ConsentScopeClient   ConsentScope = "client"   // every campaign for the same client
	ConsentScopeAny      ConsentScope = "any"      // any campaign of the workspace
)

// Consent is a contact's permission to be called.
type Consent struct {
	// Kind defaults to ConsentNone.
	Kind ConsentKind
	// Source says where consent was captured (a form URL, a recording).
	Source string
	// CapturedAt is when it was given.
	CapturedAt time.Time
	// Scope is what it covers. Defaults to ConsentScopeCampaign.
	Scope ConsentScope
	// RevokedAt is when it was withdrawn; zero while in force.
	RevokedAt time.Time
	// RevokedVia says how (e.g. "call", "sms", "email", "erase").
	RevokedVia string
}

// Satisfies reports whether the consent, at time now, meets the required
// kind. Revoked consent satisfies only ConsentNone.
func (c Consent) Satisfies(required ConsentKind) bool {
	if required.Rank() <= 0 {
		return true
	}
	if !c.RevokedAt.IsZero() {
		return false
	}
	return c.Kind.Rank() >= required.Rank()
}

// Contact is a person to call in a campaign, with consent and queue state.
type Contact struct {
	ID          ContactID
	WorkspaceID WorkspaceID
	// CampaignID is the campaign the contact is queued in; empty for a
	// contact not yet added to one.
	CampaignID ID
	// ListID is the list the contact was imported into.
	ListID    ListID
	FirstName string
	LastName  string
	Company   string
	// Phone is the primary number in E.164; required.
	Phone string
	// AltPhones are alternate numbers in E.164.
	AltPhones []string
	// Extension is the extension of Phone: 1–16 digits, dialled as tones
	// once the call is answered (telephony.DialRequest.Extension).
	// Defaults to none.
	Extension string
	Email     string
	Source    string
	OwnerID   UserID
	Tags      []string
	// Priority defaults to PriorityNormal.
	Priority Priority
	// Custom holds custom fields, keyed by [CustomField.Key].
	Custom map[string]string
	// Notes are private; never shown in a client report.
	Notes string
	// Timezones are the candidate IANA zones of the contact; a number may
	// have several.
	Timezones []string
	// State is the state or province of the contact's address (ISO 3166-2
	// subdivision code without the country, e.g. "FL"), when known. Writes
	// through the Service accept any spelling LookupSubdivision knows
	// ("florida", "US-FL") and store the code; anything else is refused.
	State string
	// AreaCodeState is the state of the phone's area code, when known.
	AreaCodeState string
	// Status defaults to ContactPending.
	Status ContactStatus
	// Lane is the queue lane the contact waits in. Defaults to LaneNew.
	Lane Lane
	// Attempts counts calls placed.
	Attempts      int
	LastAttemptAt time.Time
	// NextAttemptAt is the earliest time the queue may call again (retry
	// or callback time); zero means now.
	NextAttemptAt time.Time
	// CallbackOwner is the member a callback is promised by; empty lets
	// anyone take it.
	CallbackOwner UserID
	Consent       Consent
	// ErasedAt is set when personal data was erased on request.
	ErasedAt  time.Time
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Contact field limits, in bytes of UTF-8 for text; [Contact.Validate]
// refuses a contact past any of them, and any string that is not valid
// UTF-8, with [ErrInvalid].
const (
	// MaxNameLength bounds FirstName, LastName, Company and Source.
	MaxNameLength = 200
	// MaxNotesLength bounds Notes.
	MaxNotesLength = 10000
	// MaxTagLength bounds each tag.
	MaxTagLength = 64
	// MaxTags bounds the number of tags.
	MaxTags = 100
	// MaxEmailLength bounds Email (RFC 5321's path limit).
	MaxEmailLength = 254
	// MaxAltPhones bounds the alternate numbers.
	MaxAltPhones = 10
	// MaxTimezones bounds the candidate zones.
	MaxTimezones = 10
	// MaxCustomFields bounds the number of custom fields.
	MaxCustomFields = 100
	// MaxCustomKeyLength bounds a custom field's key.
	MaxCustomKeyLength = 64
	// MaxCustomValueLength bounds a custom field's value, whatever the
	// workspace's CustomField.MaxLength says.
	MaxCustomValueLength = 10000
	// MaxTextLength bounds other short free text (Consent.Source,
	// Campaign.Goal).
	MaxTextLength = 1000
	// MaxExtensionLength is the most digits an extension has.
	MaxExtensionLength = 16
)

// ValidExtension reports whether s is a phone extension: 1 to
// MaxExtensionLength ASCII digits.
func ValidExtension(s string) bool {
	if s == "" || len(s) > MaxExtensionLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Validate checks the contact; the error names each failing field.
func (c Contact) Validate() error {
	var v validator
	v.check(c.ID != "", "ID", "is required")
	v.check(c.WorkspaceID != "", "WorkspaceID", "is required")
	if c.ErasedAt.IsZero() {
		v.check(isE164(c.Phone), "Phone", "must be E.164, got %q", c.Phone)
	}
	for i, p := range c.AltPhones {
		v.check(isE164(p), fmt.Sprintf("AltPhones[%d]", i), "must be E.164, got %q", p)
	}
	v.check(c.Extension == "" || ValidExtension(c.Extension), "Extension", "must be 1–%d digits, got %q", MaxExtensionLength, c.Extension)
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		v.check(err == nil && a.Address == c.Email, "Email", "malformed address %q", c.Email)
	}
	v.check(len(c.FirstName) <= MaxNameLength, "FirstName", "is longer than %d", MaxNameLength)
	v.check(len(c.LastName) <= MaxNameLength, "LastName", "is longer than %d", MaxNameLength)
	v.check(len(c.Company) <= MaxNameLength, "Company", "is longer than %d", MaxNameLength)
	v.check(len(c.Notes) <= MaxNotesLength, "Notes", "is longer than %d", MaxNotesLength)
	for i, t := range c.Tags {
		v.check(t != "" && len(t) <= MaxTagLength, fmt.Sprintf("Tags[%d]", i), "must be 1–%d characters", MaxTagLength)
	}
	v.check(c.Priority >= PriorityLow && c.Priority <= PriorityHigh, "Priority", "must be low, normal or high")
	v.check(c.Status.Valid(), "Status", "unknown status %q", c.Status)
	v.check(c.Lane == "" || isLane(c.Lane), "Lane", "unknown lane %q", c.Lane)
	v.check(c.Attempts >= 0, "Attempts", "must not be negative")
	validateAddressState(&v, "State", c.State)
	v.check(c.Consent.Kind.Valid(), "Consent.Kind", "unknown consent kind %q", c.Consent.Kind)
	switch c.Consent.Scope {
	case ConsentScopeCampaign, ConsentScopeClient, ConsentScopeAny:
	default:
		v.add("Consent.Scope", "unknown scope %q", c.Consent.Scope)
	}
	validateContactLimits(&v, c)
	validateContactText(&v, c)
	return v.err()
}

func isLane(l Lane) bool {
	for _, x := range DefaultLaneOrder() {
		if x == l {
			return true
		}
	}
	return false
}

// withDefaults fills a new contact's zero fields.
func (c Contact) withDefaults() Contact {
	if c.Status == "" {
		c.Status = ContactPending
	}
	if c.Lane == "" {
		c.Lane = LaneNew
	}
	if c.Consent.Kind == "" {
		c.Consent.Kind = ConsentNone
	}
	if c.Consent.Scope == "" {
		c.Consent.Scope = ConsentScopeCampaign
	}
	return c
}

// Erased returns c with its personal data removed, as on a data subject's
// erasure request: names, company, email, alternate numbers, notes, tags,
// custom fields and consent source are cleared and the phone is replaced by
// an empty string. What reports count (status, attempts, times, list and
// campaign) stays. The caller keeps the suppression entry so the number is
// never called again. A contact in call state keeps its status until the
// call ends; any other is set to ContactDNC.
func (c Contact) Erased(now time.Time) Contact {
	c.FirstName, c.LastName, c.Company, c.Email, c.Notes = "", "", "", "", ""
	c.Phone = ""
	c.AltPhones, c.Tags, c.Custom, c.Timezones = nil, nil, nil, nil
	c.Extension = ""
	c.State, c.AreaCodeState = "", ""
	c.Consent.Source = ""
	if c.Consent.RevokedAt.IsZero() {
		c.Consent.RevokedAt, c.Consent.RevokedVia = now, "erase"
	}
	if c.Status != ContactDialing {
		c.Status = ContactDNC
	}
	c.ErasedAt = now
	return c
}
