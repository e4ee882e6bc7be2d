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
	// FieldExtension is the phone's extension, dialled after the call is
	// answered. An extension written in the phone cell ("ext 12", "x12",
	// "#12") is found there too.
	FieldExtension Field = "extension"
	// FieldConsent is the kind of consent: "express written" (or "pewc",
	// "written"), "express" (or "yes", "opt-in", "true"), "none" (or "no",
	// empty), or a revocation ("revoked", "opted out", "withdrawn"). Other
	// values reject the row (invalid_consent).
	FieldConsent Field = "consent"
	// FieldConsentDate is when consent was given (ISO 8601, or month/day/
	// year for US and Canadian campaigns, day/month/year elsewhere).
	FieldConsentDate Field = "consent_date"
	// FieldConsentSource is where consent was captured: a form URL, a
	// recording, a document ID (the evidence).
	FieldConsentSource Field = "consent_source"
	// FieldConsentScope is what consent covers: "campaign", "client" or
	// "any" (also "workspace", "all"). Defaults to campaign.
	FieldConsentScope Field = "consent_scope"
	// FieldConsentRevoked is when consent was withdrawn (a date), or a
	// yes/no flag (revoked at the import's time).
	FieldConsentRevoked Field = "consent_revoked"
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
		FieldEmail, FieldSource, FieldTags, FieldNotes, FieldState, FieldIgnore, FieldExtension,
		FieldConsent, FieldConsentDate, FieldConsentSource, FieldConsentScope, FieldConsentRevoked:
		return true
	}
	return false
}

// Mapping gives, for each column of the header in order, the field it
// fills.
type Mapping []Field

// validate checks m against a header of n columns. Every field but
// alt_phone, ignore and custom fields fills one column at most.
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
		if f != FieldIgnore && f != FieldAltPhone && seen[f] {
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
	// DuplicateMerge updates the existing contact through UpdateContact:
	// the row's values fill the contact's empty fields (all of its
	// non-empty values replace the contact's with Options.MergeOverwrite),
	// tags and alternate numbers are added, a revocation of consent is
	// applied and never undone.
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
	// ReasonSuppressedList: the number is on a named suppression list
	// (suppression.Named) the campaign honours (Settings.SuppressionLists);
	// the row's Detail names the list.
	ReasonSuppressedList = "suppressed_list"
	// ReasonUnknownState: the address state is neither a USPS or Canada
	// Post code nor a full state or province name (compliance.NormalizeState).
	ReasonUnknownState = "unknown_state"
	// ReasonMalformedQuotes: a quote in the row does not close on a sane
	// boundary (before a delimiter or a line end, within the row's own
	// fields). The row is its first line; the lines after it are read as
	// rows of their own.
	ReasonMalformedQuotes = "malformed_quotes"
	// ReasonInvalidConsent: a consent column holds a value that is not a
	// known kind, scope or date, or a date in the future.
	ReasonInvalidConsent = "invalid_consent"
	// ReasonImportStopped: the row was read but not imported because the
	// import stopped first (size limit, cancellation, a store error). The
	// rejects file holds it, so it can be imported again.
	ReasonImportStopped = "import_stopped"
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
	// WarningInvalidAltPhone: an alternate number was unsafe or invalid,
	// or one more than campaign.MaxAltPhones, and dropped.
	WarningInvalidAltPhone = "invalid_alt_phone"
	// WarningDecodedWindows1252: the row was not UTF-8 and was read as
	// Windows-1252 (Encoding auto).
	WarningDecodedWindows1252 = "decoded_windows_1252"
	// WarningInvalidExtension: the phone's extension was not 1–16 digits
	// and was dropped.
	WarningInvalidExtension = "invalid_extension"
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
	// original header plus "line", "reason" and "detail" (what the reason
	// alone does not say: for a suppressed_list row the list, as in
	// `list "Partner DNC": dnc_request`, as a block's detail names it; for
	// another suppression match the entry's reason; otherwise empty).
	// Defaults to nil: rejected rows are counted, not exported.
	Rejects io.Writer
	// Progress is called after each batch from the writing goroutine.
	// Defaults to nil.
	Progress func(Progress)
	// Encoding is the file's text encoding. Defaults to EncodingAuto.
	Encoding Encoding
	// Columns maps header names (case and spacing ignored) to fields, over
	// the mapping otherwise used: a column named here takes the field from
	// any other column (a displaced phone column becomes an alternate, any
	// other becomes a custom field). Defaults to none.
	Columns map[string]Field
	// MergeOverwrite makes DuplicateMerge replace the existing contact's
	// fields with the row's non-empty values; by default the row only
	// fills empty fields. A revocation of consent is never undone.
	MergeOverwrite bool
	// Duplicates receives the skipped and merged rows as CSV: the
	// original header plus "line", "outcome" and "reason". Defaults to
	// nil.
	Duplicates io.Writer
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
