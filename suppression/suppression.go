// Package suppression keeps CallStack's do-not-call and suppression lists:
// workspace-global, per client and per campaign. Entries are keyed by E.164
// number (or by email) and carry a reason, a source, who added them, when,
// and an optional expiry. Numbers are checked at import and again just
// before each dial; [Service.Check] answers for a batch at once.
//
// The registry files DNC registries deliver (one 10-digit number a line, per
// area code) load through [Service.LoadRegistry], streaming, in batches.
package suppression

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callstackhq/callstack/campaign"
)

// Scope is the reach of a suppression entry.
type Scope string

// Scopes, widest first.
const (
	// ScopeGlobal suppresses a number in every campaign of the workspace.
	ScopeGlobal Scope = "global"
	// ScopeClient suppresses it in every campaign for one client.
	ScopeClient Scope = "client"
	// ScopeCampaign suppresses it in one campaign.
	ScopeCampaign Scope = "campaign"
	// ScopeList is a named list of the workspace (a litigator list, a
	// partner's DNC file) that suppresses a number in the campaigns that
	// name it in Settings.SuppressionLists.
	ScopeList Scope = "list"
)

// BlockScope maps s to the campaign.BlockScope a block records.
func (s Scope) BlockScope() campaign.BlockScope {
	switch s {
	case ScopeClient:
		return campaign.BlockScopeClient
	case ScopeCampaign:
		return campaign.BlockScopeCampaign
	case ScopeList:
		return campaign.BlockScopeList
	}
	return campaign.BlockScopeGlobal
}

// ReasonCode is the stable block reason for a match at scope s:
// "suppressed_global", "suppressed_client", "suppressed_campaign" or
// "suppressed_list" (the block's detail names the list: [Match.Detail]).
func (s Scope) ReasonCode() string { return "suppressed_" + string(s) }

var (
	// ErrInvalidEntry is returned for an entry that fails validation.
	ErrInvalidEntry = errors.New("suppression: invalid entry")
	// ErrNotFound is returned when removing an entry that does not exist.
	ErrNotFound = fmt.Errorf("suppression: %w", campaign.ErrNotFound)
)

// List names one suppression list: a scope and, for client and campaign
// scopes, which client or campaign.
type List struct {
	Scope Scope
	// Ref is the client name (ScopeClient), campaign ID (ScopeCampaign)
	// or list name (ScopeList); empty for ScopeGlobal.
	Ref string
}

// Global is the workspace-wide list.
func Global() List { return List{Scope: ScopeGlobal} }

// Client is the list of one client.
func Client(name string) List { return List{Scope: ScopeClient, Ref: name} }

// Campaign is the list of one campaign.
func Campaign(id campaign.ID) List { return List{Scope: ScopeCampaign, Ref: string(id)} }

// Named is the workspace's list called name, honoured by the campaigns
// that name it in Settings.SuppressionLists.
func Named(name string) List { return List{Scope: ScopeList, Ref: name} }

func (l List) validate() error {
	switch l.Scope {
	case ScopeGlobal:
		if l.Ref != "" {
			return fmt.Errorf("%w: the global list takes no Ref", ErrInvalidEntry)
		}
	case ScopeClient, ScopeCampaign, ScopeList:
		if l.Ref == "" {
			return fmt.Errorf("%w: a %s list needs its Ref", ErrInvalidEntry, l.Scope)
		}
	default:
		return fmt.Errorf("%w: unknown scope %q", ErrInvalidEntry, l.Scope)
	}
	return nil
}

// Entry is one suppressed number or email on one list.
type Entry struct {
	WorkspaceID campaign.WorkspaceID
	List        List
	// Number is the E.164 number; empty for an email-only entry.
	Number string
	// Email is the suppressed address, lower-cased; optional.
	Email string
	// Reason says why, such as "dnc_request", "registry", "erasure_request".
	Reason string
	// Source says where it came from, such as a registry file name or
	// "call".
	Source  string
	AddedBy campaign.UserID
	AddedAt time.Time
	// ExpiresAt ends the entry; zero never expires.
	ExpiresAt time.Time
}

// Key identifies an entry within a workspace.
type Key struct {
	List   List
	Number string
	Email  string
}

// Key returns e's key.
func (e Entry) Key() Key { return Key{List: e.List, Number: e.Number, Email: e.Email} }

// Active reports whether e suppresses at now.
func (e Entry) Active(now time.Time) bool { return e.ExpiresAt.IsZero() || now.Before(e.ExpiresAt) }

// Validate checks the entry.
func (e Entry) Validate() error {
	if err := e.List.validate(); err != nil {
		return err
	}
	if e.Number == "" && e.Email == "" {
		return fmt.Errorf("%w: a number or an email is required", ErrInvalidEntry)
	}
	if e.Number != "" && !IsE164(e.Number) {
		return fmt.Errorf("%w: number %q is not E.164", ErrInvalidEntry, e.Number)
	}
	if e.Email != "" && (e.Email != strings.ToLower(e.Email) || !strings.Contains(e.Email, "@")) {
		return fmt.Errorf("%w: email %q must be a lower-case address", ErrInvalidEntry, e.Email)
	}
	if e.WorkspaceID == "" {
		return fmt.Errorf("%w: WorkspaceID is required", ErrInvalidEntry)
	}
	return e.validateText()
}

// validateText refuses text that is not UTF-8 or is too long, with an
// error wrapping both ErrInvalidEntry and campaign.ErrInvalid, so that
// every store sees the same text (see campaign's contact limits).
func (e Entry) validateText() error {
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"List.Ref", e.List.Ref, campaign.MaxNameLength}, {"Email", e.Email, campaign.MaxEmailLength},
		{"Reason", e.Reason, campaign.MaxTagLength}, {"Source", e.Source, campaign.MaxNameLength},
		{"AddedBy", string(e.AddedBy), campaign.MaxNameLength},
	} {
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("%w: %w: %s is not valid UTF-8", ErrInvalidEntry, campaign.ErrInvalid, f.name)
		}
		if len(f.value) > f.max {
			return fmt.Errorf("%w: %w: %s is longer than %d bytes", ErrInvalidEntry, campaign.ErrInvalid, f.name, f.max)
		}
	}
	return nil
}

// IsE164 reports whether s is + followed by 8–15 digits, the first not 0.
func IsE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Target is what a number is checked for: the lists that apply to one
// campaign are the global list, its client's list, the named lists it
// honours and its own.
type Target struct {
	Client     string
	CampaignID campaign.ID
	// Named are the names of the named lists (ScopeList) that apply.
	Named []string
}

// TargetOf returns the target of campaign c.
func TargetOf(c campaign.Campaign) Target {
	return Target{Client: c.Client, CampaignID: c.ID, Named: c.Settings.SuppressionLists}
}

// Lists returns the lists that apply to t, widest first: global, client,
// the named lists in t.Named's order, campaign.
func (t Target) Lists() []List {
	ls := []List{Global()}
	if t.Client != "" {
		ls = append(ls, Client(t.Client))
	}
	for _, n := range t.Named {
		ls = append(ls, Named(n))
	}
	if t.CampaignID != "" {
		ls = append(ls, Campaign(t.CampaignID))
	}
	return ls
}

// Query asks which of some numbers and emails are suppressed for a target.
type Query struct {
	Target  Target
	Numbers []string
	Emails  []string
}

// Match is one active entry that matched a query.
type Match struct {
	// Number or Email is the queried value that matched.
	Number string
	Email  string
	List   List
	Reason string
	Source string
}

// Detail is what a block for m records as its detail: the entry's reason,
// preceded for a named list by the list's name, as in
// `list "Litigators": dnc_request`.
func (m Match) Detail() string {
	if m.List.Scope != ScopeList {
		return m.Reason
	}
	d := fmt.Sprintf("list %q", m.List.Ref)
	if m.Reason != "" {
		d += ": " + m.Reason
	}
	return d
}

// Store is the storage suppression needs. Methods are atomic and scoped to
// the workspace; mutations write their audit entry in the same transaction.
type Store interface {
	// PutSuppressions adds entries, replacing any with the same key.
	PutSuppressions(ctx context.Context, ws campaign.WorkspaceID, es []Entry, a campaign.AuditEntry) error
	// BulkSuppress adds one entry per number, each a copy of tmpl with its
	// Number set; existing keys keep their entry. Meant for registry loads
	// of millions of numbers, in batches.
	BulkSuppress(ctx context.Context, ws campaign.WorkspaceID, tmpl Entry, numbers []string) error
	// DeleteSuppression removes one entry; ErrNotFound when absent.
	DeleteSuppression(ctx context.Context, ws campaign.WorkspaceID, k Key, a campaign.AuditEntry) error
	// CheckSuppressed returns the entries active at now that match q, in
	// no particular order.
	CheckSuppressed(ctx context.Context, ws campaign.WorkspaceID, q Query, now time.Time) ([]Match, error)
	// ListSuppressions returns a page of a list's entries ordered by
	// number then email, after the cursor; next is empty on the last page.
	ListSuppressions(ctx context.Context, ws campaign.WorkspaceID, l List, after string, limit int) (es []Entry, next string, err error)
}
