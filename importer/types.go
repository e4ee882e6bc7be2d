package importer

import (
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// ImportID identifies one import in the history.
type ImportID string

// Field is what a CSV column maps to: one of the Field constants, or a
// custom field made by [Custom].
type Field string

// Fields a column can map to.
const (
	FieldPhone     Field = "phone"      // the primary number; exactly one column
	FieldAltPhone  Field = "alt_phone"  // an alternate number; invalid ones are dropped with a warning
	FieldFirstName Field = "first_name" // given name
	FieldLastName  Field = "last_name"  // family name
	FieldFullName  Field = "full_name"  // "First Last", split at the last space
	FieldCompany   Field = "company"
	FieldEmail     Field = "email"
	FieldSource    Field = "source"
	FieldTags      Field = "tags"  // separated by ',', ';' or '|'
	FieldNotes     Field = "notes" // private notes
	FieldState     Field = "state" // the address's state or province code
	FieldIgnore    Field = "ignore"
)

const customPrefix = "custom:"

// Custom returns the field that stores a column in Contact.Custom[key].
func Custom(key string) Field { return Field(customPrefix + key) }

// CustomKey returns the key of a custom field and whether f is one.
func (f Field) CustomKey() (string, bool) {
	if k, ok := strings.CutPrefix(string(f), customPrefix); ok && k != "" {
		return k, true
	}
	return "", false
}

// standard reports whether f is one of the Field constants.
func (f Field) standard() bool {
	switch f {
	case FieldPhone, FieldAltPhone, FieldFirstName, FieldLastName, FieldFullName, FieldCompany,
		FieldEmail, FieldSource, FieldTags, FieldNotes, FieldState, FieldIgnore:
		return true
	}
	return false
}

// Mapping gives, for each column of the header in order, the field it
// fills.
type Mapping []Field

// validate checks m against a header of n columns.
func (m Mapping) validate(n int) error {
	if len(m) != n {
		return fmt.Errorf("%w: mapping has %d columns, the header %d", ErrInvalidOptions, len(m), n)
	}
	seen := map[Field]bool{}
	for i, f := range m {
		_, custom := f.CustomKey()
		if !f.standard() && !custom {
			return fmt.Errorf("%w: column %d maps to unknown field %q", ErrInvalidOptions, i+1, f)
		}
		if f != FieldIgnore && seen[f] {
			return fmt.Errorf("%w: field %q is mapped twice", ErrInvalidOptions, f)
		}
		seen[f] = true
	}
	if !seen[FieldPhone] {
		return fmt.Errorf("%w: no column maps to the phone", ErrInvalidOptions)
	}
	return nil
}

// DuplicatePolicy says what happens to a row whose number is already in
// the file or the workspace.
type DuplicatePolicy string

// Duplicate policies.
const (
	// DuplicateReject rejects the row, with its reason in the rejects file.
	DuplicateReject DuplicatePolicy = "reject"
	// DuplicateSkip skips the row: counted, with its reason, but not
	// exported as a rejection.
	DuplicateSkip DuplicatePolicy = "skip"
	// DuplicateMerge updates the existing contact with the row's non-empty
	// values (tags are added, custom fields set) through UpdateContact.
	DuplicateMerge DuplicatePolicy = "merge"
)

// Outcome is how a row ended.
type Outcome string

// Row outcomes.
const (
	OutcomeAccepted Outcome = "accepted"
	OutcomeMerged   Outcome = "merged"
	OutcomeSkipped  Outcome = "skipped"
	OutcomeRejected Outcome = "rejected"
)

// Reason codes of rows that were not accepted. They are stable: they are
// stored in the history and written to rejects files. The phone reasons are
// compliance's (compliance.Reason) and the suppression ones are
// suppression.Scope.ReasonCode's.
const (
	ReasonMissingPhone          = "missing_phone"
	ReasonUnparseablePhone      = "unparseable_phone"
	ReasonInvalidPhone          = "invalid_phone"
	ReasonEmergencyNumber       = "emergency_number"
	ReasonServiceNumber         = "service_number"
	ReasonPremiumRate           = "premium_rate"
	ReasonFictionalNumber       = "fictional_number"
	ReasonUnsupportedNumberType = "unsupported_number_type"
	ReasonCountryNotAllowed     = "country_not_allowed"
	ReasonInvalidEmail          = "invalid_email"
	ReasonMissingRequiredField  = "missing_required_field"
	ReasonFieldTooLong          = "field_too_long"
	ReasonRaggedRow             = "ragged_row"
	ReasonInvalidEncoding       = "invalid_encoding"
	ReasonDuplicateInFile       = "duplicate_in_file"
	ReasonDuplicateInWorkspace  = "duplicate_in_workspace"
	ReasonSuppressedGlobal      = "suppressed_global"
	ReasonSuppressedClient      = "suppressed_client"
	ReasonSuppressedCampaign    = "suppressed_campaign"
	// ReasonUnknownState: the address state is neither a USPS or Canada
	// Post code nor a full state or province name (compliance.NormalizeState).
	ReasonUnknownState = "unknown_state"
)

// Warning codes of rows accepted with a warning.
const (
	// WarningNoGeographicZone: the number has no time zone (toll free);
	// the campaign's fallback policy decides whether it is called.
	WarningNoGeographicZone = "no_geographic_zone"
	// WarningMultipleTimezones: the number has several candidate zones.
	WarningMultipleTimezones = "multiple_timezones"
	// WarningInvalidEmail: the email was malformed and dropped
	// (Options.KeepInvalidEmail).
	WarningInvalidEmail = "invalid_email"
	// WarningInvalidAltPhone: an alternate number was unsafe or invalid
	// and dropped.
	WarningInvalidAltPhone = "invalid_alt_phone"
)

// Progress reports a running import.
type Progress struct {
	// Rows counts the rows finished so far; Counts splits them.
	Rows   int
	Counts Counts
	// Bytes is how much of the file has been read.
	Bytes int64
	// Elapsed is the time since the import started.
	Elapsed time.Duration
	// RowsPerSecond is Rows over Elapsed.
	RowsPerSecond float64
}

// Options configure one import.
type Options struct {
	// FileName is recorded in the history. Defaults to "".
	FileName string
	// CampaignID is the campaign the contacts join; required.
	CampaignID campaign.ID
	// ListID is the list the contacts join; its DupeDays sets the
	// workspace duplicate window. Defaults to no list (and a window of 90
	// days).
	ListID campaign.ListID
	// Mapping maps the header's columns. Defaults to the mapping last
	// confirmed for the same header in the workspace, else the suggested
	// one (see Preview). The mapping used is remembered for the header.
	Mapping Mapping
	// DuplicatePolicy decides duplicate rows. Defaults to the workspace's
	// ImportDefaults.DuplicatePolicy ("skip").
	DuplicatePolicy DuplicatePolicy
	// KeepInvalidEmail keeps a row whose email is malformed, without the
	// email and with a warning, instead of rejecting it. Defaults to the
	// workspace's ImportDefaults.KeepInvalidEmail (false).
	KeepInvalidEmail bool
	// RequiredFields are the fields a row must fill besides the phone,
	// which is always required. Defaults to the workspace's
	// ImportDefaults.RequiredFields (field names such as "email").
	RequiredFields []Field
	// Region reads numbers written without a country code. Defaults to the
	// campaign's DefaultRegion.
	Region string
	// Tags are added to every imported contact. Defaults to none.
	Tags []string
	// Source is the Source of contacts whose row has none. Defaults to "".
	Source string
	// Rejects receives the rejected rows as CSV while the import runs: the
	// original header plus "line" and "reason". Defaults to nil: rejected
	// rows are counted, not exported.
	Rejects io.Writer
	// Progress is called after each batch from the writing goroutine.
	// Defaults to nil.
	Progress func(Progress)
}

// Counts are the rows of an import by outcome, reason and warning.
type Counts struct {
	Rows     int `json:"rows"`
	Accepted int `json:"accepted"`
	Merged   int `json:"merged"`
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
	// Reasons counts the reason of every row that was not accepted as a
	// new contact (rejected, skipped and merged rows), so its values add
	// up to Rows - Accepted.
	Reasons map[string]int `json:"reasons"`
	// ByOutcome splits Reasons by outcome.
	ByOutcome map[Outcome]map[string]int `json:"by_outcome"`
	// Warnings counts the warnings of accepted and merged rows; a row may
	// carry several.
	Warnings map[string]int `json:"warnings"`
}

func (c *Counts) add(o Outcome, reason string) {
	c.Rows++
	switch o {
	case OutcomeAccepted:
		c.Accepted++
		return
	case OutcomeMerged:
		c.Merged++
	case OutcomeSkipped:
		c.Skipped++
	case OutcomeRejected:
		c.Rejected++
	}
	if c.Reasons == nil {
		c.Reasons, c.ByOutcome = map[string]int{}, map[Outcome]map[string]int{}
	}
	c.Reasons[reason]++
	if c.ByOutcome[o] == nil {
		c.ByOutcome[o] = map[string]int{}
	}
	c.ByOutcome[o][reason]++
}

func (c *Counts) warn(code string) {
	if c.Warnings == nil {
		c.Warnings = map[string]int{}
	}
	c.Warnings[code]++
}

// Clone returns a deep copy of c.
func (c Counts) Clone() Counts {
	c.Reasons, c.Warnings = maps.Clone(c.Reasons), maps.Clone(c.Warnings)
	if c.ByOutcome != nil {
		bo := make(map[Outcome]map[string]int, len(c.ByOutcome))
		for k, v := range c.ByOutcome {
			bo[k] = maps.Clone(v)
		}
		c.ByOutcome = bo
	}
	return c
}

// Consistent reports whether the outcome counts add up to Rows and the
// reasons to the rows not accepted.
func (c Counts) Consistent() bool {
	sum := 0
	for _, n := range c.Reasons {
		sum += n
	}
	return c.Rows == c.Accepted+c.Merged+c.Skipped+c.Rejected && sum == c.Rows-c.Accepted
}

// Status is the state of an import in the history.
type Status string

// Import statuses.
const (
	StatusRunning   Status = "running"
	StatusCompleted Status = "completed"
	StatusCancelled Status = "cancelled"
	StatusFailed    Status = "failed"
)

// Record is one import in the history.
type Record struct {
	ID          ImportID
	WorkspaceID campaign.WorkspaceID
	CampaignID  campaign.ID
	ListID      campaign.ListID
	// ActorID is who ran the import.
	ActorID  campaign.UserID
	FileName string
	// Header is the file's header row; Signature identifies it.
	Header    []string
	Signature string
	Mapping   Mapping
	Policy    DuplicatePolicy
	Status    Status
	// Error says why a failed import stopped.
	Error      string
	Counts     Counts
	StartedAt  time.Time
	FinishedAt time.Time
	// Duration is FinishedAt - StartedAt, or the time so far while running.
	Duration time.Duration
}

// Result is what Import returns: the history record of the import.
type Result = Record

// SavedMapping is a confirmed mapping, remembered per workspace by the
// signature of its header.
type SavedMapping struct {
	WorkspaceID campaign.WorkspaceID
	Signature   string
	Header      []string
	Mapping     Mapping
	SavedBy     campaign.UserID
	SavedAt     time.Time
}

// PhoneMatch is an existing contact of the workspace with a given number.
type PhoneMatch struct {
	Phone      string
	ContactID  campaign.ContactID
	CampaignID campaign.ID
	CreatedAt  time.Time
}
