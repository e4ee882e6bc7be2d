package campaign

import (
	"time"
)

// Workspace is the tenant boundary: every record belongs to exactly one
// workspace, and no read returns another workspace's data.
type Workspace struct {
	ID        WorkspaceID
	Name      string
	Settings  WorkspaceSettings
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WorkspaceSettings are a workspace's defaults.
type WorkspaceSettings struct {
	// DefaultRegion is the ISO 3166-1 region used to read numbers written
	// without a country code. Defaults to "US".
	DefaultRegion string
	// Timezone is the IANA zone for dates shown to members. Defaults to
	// "America/New_York".
	Timezone string
	// TimeFormat is "24h" or "12h". Defaults to "24h".
	TimeFormat string
	// ImportDefaults are the defaults of a new import.
	ImportDefaults ImportDefaults
	// SourceOptions are the choices offered for a contact's source.
	SourceOptions []string
	// CustomFields declares the custom contact fields the workspace uses.
	CustomFields []CustomField
}

// ImportDefaults are the per-workspace defaults of an import.
type ImportDefaults struct {
	// DuplicatePolicy is "reject", "skip" or "merge". Defaults to "skip".
	DuplicatePolicy string
	// KeepInvalidEmail keeps a row whose email is malformed, with a
	// warning, instead of rejecting it. Defaults to false.
	KeepInvalidEmail bool
	// RequiredFields lists the contact fields an import requires besides
	// the phone, which is always required.
	RequiredFields []string
}

// CustomField declares a custom contact field.
type CustomField struct {
	// Key is the field's key in [Contact.Custom].
	Key string
	// Label is shown to members.
	Label string
	// MaxLength bounds the value's length in characters. Defaults to 1000.
	MaxLength int
}

// WithDefaults returns s with zero fields set to their documented defaults.
func (s WorkspaceSettings) WithDefaults() WorkspaceSettings {
	if s.DefaultRegion == "" {
		s.DefaultRegion = "US"
	}
	if s.Timezone == "" {
		s.Timezone = "America/New_York"
	}
	if s.TimeFormat == "" {
		s.TimeFormat = "24h"
	}
	if s.ImportDefaults.DuplicatePolicy == "" {
		s.ImportDefaults.DuplicatePolicy = "skip"
	}
	for i := range s.CustomFields {
		if s.CustomFields[i].MaxLength == 0 {
			s.CustomFields[i].MaxLength = 1000
		}
	}
	return s
}

// Validate checks the workspace; the error names each failing field.
func (w Workspace) Validate() error {
	var v validator
	v.check(w.ID != "", "ID", "is required")
	v.check(w.Name != "", "Name", "is required")
	v.check(len(w.Name) <= 200, "Name", "is longer than 200 characters")
	validateRegion(&v, "Settings.DefaultRegion", w.Settings.DefaultRegion)
	validateZone(&v, "Settings.Timezone", w.Settings.Timezone)
	v.check(w.Settings.TimeFormat == "24h" || w.Settings.TimeFormat == "12h", "Settings.TimeFormat", "must be 24h or 12h, got %q", w.Settings.TimeFormat)
	switch w.Settings.ImportDefaults.DuplicatePolicy {
	case "reject", "skip", "merge":
	default:
		v.add("Settings.ImportDefaults.DuplicatePolicy", "must be reject, skip or merge, got %q", w.Settings.ImportDefaults.DuplicatePolicy)
	}
	v.check(len(w.Settings.CustomFields) <= MaxCustomFields, "Settings.CustomFields", "declares at most %d fields", MaxCustomFields)
	v.check(len(w.Settings.SourceOptions) <= MaxTags, "Settings.SourceOptions", "lists at most %d options", MaxTags)
	seen := map[string]bool{}
	for i, f := range w.Settings.CustomFields {
		v.check(f.Key != "", fieldIndex("Settings.CustomFields", i, "Key"), "is required")
		v.check(!seen[f.Key], fieldIndex("Settings.CustomFields", i, "Key"), "duplicates %q", f.Key)
		v.check(f.MaxLength > 0 && f.MaxLength <= MaxCustomValueLength, fieldIndex("Settings.CustomFields", i, "MaxLength"), "must be 1–%d", MaxCustomValueLength)
		v.check(len(f.Key) <= MaxCustomKeyLength, fieldIndex("Settings.CustomFields", i, "Key"), "is longer than %d bytes", MaxCustomKeyLength)
		seen[f.Key] = true
	}
	validateText(&v, w)
	return v.err()
}

// Member is a user's membership of a workspace.
type Member struct {
	WorkspaceID WorkspaceID
	UserID      UserID
	Name        string
	Email       string
	Role        Role
	CreatedAt   time.Time
}

// Validate checks the member; the error names each failing field.
func (m Member) Validate() error {
	var v validator
	v.check(m.WorkspaceID != "", "WorkspaceID", "is required")
	v.check(m.UserID != "", "UserID", "is required")
	v.check(m.Role.Valid(), "Role", "unknown role %q", m.Role)
	validateText(&v, m)
	return v.err()
}

// Actor is who performs an operation: a user acting in a workspace.
type Actor struct {
	WorkspaceID WorkspaceID
	UserID      UserID
}
