package suppression

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
)

// Checker answers which numbers and emails are suppressed for a campaign;
// *Service implements it. The importer, the queue and the dialer's
// dial-time gate take one.
type Checker interface {
	Check(ctx context.Context, ws campaign.WorkspaceID, q Query) (map[string][]Match, error)
}

var _ Checker = (*Service)(nil)

// Config configures a [Service].
type Config struct {
	// Store is required.
	Store Store
	// Authorizer is required: it checks roles on every mutation.
	Authorizer campaign.Authorizer
	// Clock returns the current time. Defaults to time.Now.
	Clock func() time.Time
	// Logger receives progress of registry loads. Defaults to discarding.
	Logger *slog.Logger
	// BatchSize is the numbers written per store call in LoadRegistry.
	// Defaults to 50,000.
	BatchSize int
	// DefaultRegion is the region (a CLDR code such as "US" or "GB") in
	// which Add and Remove read a number written without its country
	// code, such as "(415) 231-1007", as the importer does. Defaults to
	// "US".
	DefaultRegion string
}

// Service adds, removes, loads and checks suppression entries. It is safe
// for concurrent use.
type Service struct {
	store     Store
	auth      campaign.Authorizer
	region    string
	now       func() time.Time
	log       *slog.Logger
	batchSize int
}

// NewService returns a Service; it refuses a Config without a Store or an
// Authorizer.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Authorizer == nil {
		return nil, errors.New("suppression: Config.Store and Config.Authorizer are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 50_000
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "US"
	}
	return &Service{store: cfg.Store, auth: cfg.Authorizer, now: cfg.Clock, log: cfg.Logger, batchSize: cfg.BatchSize, region: cfg.DefaultRegion}, nil
}

// actionFor is the permission a list needs: only a TeamAdmin manages the
// global list; client and campaign lists need ActionCampaignDNC.
func actionFor(l List) campaign.Action {
	if l.Scope == ScopeGlobal {
		return campaign.ActionManageSuppression
	}
	return campaign.ActionCampaignDNC
}

func (s *Service) audit(actor campaign.Actor, action, id, detail string, at time.Time) campaign.AuditEntry {
	return campaign.AuditEntry{ID: campaign.AuditID(campaign.NewID("aud", at)), WorkspaceID: actor.WorkspaceID, ActorID: actor.UserID,
		Action: action, Entity: "suppression", EntityID: id, Detail: detail, At: at}
}

// Add adds entries on behalf of actor, replacing entries with the same key.
// AddedBy, AddedAt and WorkspaceID are filled in; emails are lower-cased.
// An entry naming both a number and an email is stored as two entries, so
// each suppresses on its own.
func (s *Service) Add(ctx context.Context, actor campaign.Actor, es ...Entry) error {
	now := s.now().UTC()
	es = splitEntries(es)
	checked := map[campaign.Action]bool{}
	for i := range es {
		e := &es[i]
		if a := actionFor(e.List); !checked[a] {
			if _, err := s.auth.Authorize(ctx, actor, a); err != nil {
				return err
			}
			checked[a] = true
		}
		e.WorkspaceID, e.AddedBy, e.AddedAt = actor.WorkspaceID, actor.UserID, now
		e.Email = strings.ToLower(strings.TrimSpace(e.Email))
		n, err := s.normalize(e.Number)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		e.Number = n
		if !e.ExpiresAt.IsZero() {
			e.ExpiresAt = e.ExpiresAt.UTC()
		}
		if err := e.Validate(); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	if len(es) == 0 {
		return nil
	}
	return s.store.PutSuppressions(ctx, actor.WorkspaceID, es, s.audit(actor, "suppression.add", "", fmt.Sprintf("%d entries", len(es)), now))
}

// normalize returns number in E.164, reading a national number in the
// service's default region as the importer does; "" stays "".
func (s *Service) normalize(number string) (string, error) {
	number = strings.TrimSpace(number)
	if number == "" || IsE164(number) {
		return number, nil
	}
	n, err := compliance.Normalize(number, s.region)
	if err != nil {
		return "", fmt.Errorf("%w: number %q: %w", ErrInvalidEntry, number, err)
	}
	return n, nil
}

// Remove removes one entry on behalf of actor. Its number is read as Add
// reads it.
func (s *Service) Remove(ctx context.Context, actor campaign.Actor, k Key) error {
	if _, err := s.auth.Authorize(ctx, actor, actionFor(k.List)); err != nil {
		return err
	}
	n, err := s.normalize(k.Number)
	if err != nil {
		return err
	}
	k.Number = n
	now := s.now().UTC()
	return s.store.DeleteSuppression(ctx, actor.WorkspaceID, k, s.audit(actor, "suppression.remove", k.Number+k.Email, string(k.List.Scope)+":"+k.List.Ref, now))
}

// Check returns, for each queried number or email that is suppressed for
// the target now, its matches. Unmatched values are absent from the map.
// Numbers must be E.164 (as the importer and the queue hold them).
func (s *Service) Check(ctx context.Context, ws campaign.WorkspaceID, q Query) (map[string][]Match, error) {
	ms, err := s.store.CheckSuppressed(ctx, ws, q, s.now().UTC())
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Match, len(ms))
	for _, m := range ms {
		k := m.Number
		if k == "" {
			k = m.Email
		}
		out[k] = append(out[k], m)
	}
	return out, nil
}

// Widest returns the widest scope among ms (global, then client, then a
// named list, then campaign), the one a block reports.
func Widest(ms []Match) Match {
	best := ms[0]
	rank := map[Scope]int{ScopeGlobal: 0, ScopeClient: 1, ScopeList: 2, ScopeCampaign: 3}
	for _, m := range ms[1:] {
		if rank[m.List.Scope] < rank[best.List.Scope] {
			best = m
		}
	}
	return best
}

// LoadResult reports a registry load.
type LoadResult struct {
	// Lines counts the non-blank lines read.
	Lines int
	// Loaded counts the numbers written (existing entries included).
	Loaded int
	// Invalid counts lines that are not a 10-digit NANP number, or (LoadDNCL)
	// not a number of the registry's country.
	Invalid int
	// OutOfCountry counts the Invalid lines that are valid numbers of
	// another country than the registry's (LoadDNCL only).
	OutOfCountry int
	// InvalidLines are the first 100 invalid line numbers (1-based).
	InvalidLines []int
}

// LoadRegistry streams a registry file into list l on behalf of actor:
// one 10-digit NANP number a line ("4155552671", "415,5552671",
// "415-555-2671" and "+14155552671" are read alike), as the US and Canadian
// registries deliver them per area code. Each number becomes a copy of tmpl.
// An invalid line is counted and reported by number, never dropped
// silently. Writes go in batches of Config.BatchSize; on error the batches
// already written stay.
func (s *Service) LoadRegistry(ctx context.Context, actor campaign.Actor, r io.Reader, l List, tmpl Entry) (LoadResult, error) {
	return s.loadRegistry(ctx, actor, r, l, tmpl, nil)
}

// DNCLReason is the Reason of the entries LoadDNCL writes; blocks of
// numbers on Canada's National Do Not Call List carry it as their detail.
const DNCLReason = "ca_national_dncl"

// DNCLSource is the default Source of LoadDNCL's entries.
const DNCLSource = "CRTC National DNCL (Unsolicited Telecommunications Rules, Part II)"

// LoadDNCL streams a download of Canada's National Do Not Call List into
// the workspace's global list, in bulk like LoadRegistry and in the same
// file format (one ten-digit number a line, per area code). Only Canadian
// numbers are accepted: a line whose area code is not Canadian is counted
// in OutOfCountry (and InvalidLines), so a US registry file given by
// mistake is reported, not mixed in. Entries get Reason DNCLReason and,
// unless tmpl sets one, Source DNCLSource; tmpl.ExpiresAt can end them
// (registrations no longer expire since 2014, so leave it zero). Every
// number's claim and dial-time check then matches it like any other entry.
func (s *Service) LoadDNCL(ctx context.Context, actor campaign.Actor, r io.Reader, tmpl Entry) (LoadResult, error) {
	tmpl.Reason = DNCLReason
	if tmpl.Source == "" {
		tmpl.Source = DNCLSource
	}
	return s.loadRegistry(ctx, actor, r, Global(), tmpl, func(e164 string) bool {
		a, ok := compliance.LookupAreaCode(e164[2:5])
		return ok && a.Region == "CA"
	})
}

// loadRegistry is LoadRegistry keeping only the numbers accept allows
// (every number when accept is nil).
func (s *Service) loadRegistry(ctx context.Context, actor campaign.Actor, r io.Reader, l List, tmpl Entry, accept func(e164 string) bool) (LoadResult, error) {
	var res LoadResult
	if _, err := s.auth.Authorize(ctx, actor, actionFor(l)); err != nil {
		return res, err
	}
	now := s.now().UTC()
	tmpl.WorkspaceID, tmpl.List, tmpl.AddedBy, tmpl.AddedAt, tmpl.Number, tmpl.Email = actor.WorkspaceID, l, actor.UserID, now, "+10000000000", ""
	if tmpl.Reason == "" {
		tmpl.Reason = "registry"
	}
	if err := tmpl.Validate(); err != nil {
		return res, err
	}
	tmpl.Number = ""
	batch := make([]string, 0, s.batchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.store.BulkSuppress(ctx, actor.WorkspaceID, tmpl, batch); err != nil {
			return err
		}
		res.Loaded += len(batch)
		batch = batch[:0]
		return ctx.Err()
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		res.Lines++
		n, ok := registryNumber(raw)
		if ok && accept != nil && !accept(n) {
			ok = false
			res.OutOfCountry++
		}
		if !ok {
			res.Invalid++
			if len(res.InvalidLines) < 100 {
				res.InvalidLines = append(res.InvalidLines, line)
			}
			continue
		}
		batch = append(batch, n)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return res, fmt.Errorf("suppression: read registry line %d: %w", line+1, err)
	}
	if err := flush(); err != nil {
		return res, err
	}
	a := s.audit(actor, "suppression.load", tmpl.Source, fmt.Sprintf("%s:%s %d numbers, %d invalid lines", l.Scope, l.Ref, res.Loaded, res.Invalid), now)
	if err := s.store.PutSuppressions(ctx, actor.WorkspaceID, nil, a); err != nil {
		return res, err
	}
	s.log.InfoContext(ctx, "registry loaded", "workspace", actor.WorkspaceID, "scope", l.Scope, "loaded", res.Loaded, "invalid", res.Invalid)
	return res, nil
}

// registryNumber reads a registry line as +1 and ten digits: an optional
// leading +1 or 1, digits with separators (comma, dash, dot, space,
// parentheses). The area code and exchange must start with 2–9.
func registryNumber(raw string) (string, bool) {
	var d [11]byte
	n := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = c
			n++
		case c == ',' || c == '-' || c == '.' || c == ' ' || c == '(' || c == ')' || (c == '+' && i == 0):
		default:
			return "", false
		}
	}
	digits := d[:n]
	if n == 11 && digits[0] == '1' {
		digits = digits[1:]
	} else if n != 10 {
		return "", false
	}
	if digits[0] < '2' || digits[3] < '2' {
		return "", false
	}
	return "+1" + string(digits), true
}

// SuppressErased implements campaign.Suppressor: an erased person's numbers
// and email go on the global list with reason "erasure_request", so they
// are never called again. Erasure is already authorised by the caller.
func (s *Service) SuppressErased(ctx context.Context, ws campaign.WorkspaceID, phones []string, email string, by campaign.UserID, at time.Time) error {
	var es []Entry
	for _, p := range phones {
		if p != "" {
			es = append(es, Entry{WorkspaceID: ws, List: Global(), Number: p, Reason: "erasure_request", Source: "erase", AddedBy: by, AddedAt: at.UTC()})
		}
	}
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		es = append(es, Entry{WorkspaceID: ws, List: Global(), Email: email, Reason: "erasure_request", Source: "erase", AddedBy: by, AddedAt: at.UTC()})
	}
	for i, e := range es {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	a := campaign.AuditEntry{ID: campaign.AuditID(campaign.NewID("aud", at)), WorkspaceID: ws, ActorID: by, Action: "suppression.erase",
		Entity: "suppression", Detail: fmt.Sprintf("%d entries", len(es)), At: at.UTC()}
	return s.store.PutSuppressions(ctx, ws, es, a)
}

// SuppressDNCEntries returns the "stop calling me" entries for a contact's numbers on the
// global list. The queue writes them when it applies a DNC disposition, the
// one place that does.
func SuppressDNCEntries(ws campaign.WorkspaceID, phones []string, by campaign.UserID, at time.Time, source string) []Entry {
	var es []Entry
	for _, p := range phones {
		if p != "" {
			es = append(es, Entry{WorkspaceID: ws, List: Global(), Number: p, Reason: "dnc_request", Source: source, AddedBy: by, AddedAt: at.UTC()})
		}
	}
	return es
}

// splitEntries turns each entry with both a number and an email into a
// number entry and an email entry.
func splitEntries(es []Entry) []Entry {
	out := make([]Entry, 0, len(es))
	for _, e := range es {
		if e.Number != "" && e.Email != "" {
			n, m := e, e
			n.Email, m.Number = "", ""
			out = append(out, n, m)
			continue
		}
		out = append(out, e)
	}
	return out
}
