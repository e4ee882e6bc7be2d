package campaign

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Suppressor adds the suppression entry that keeps an erased person from
// being called again. The suppression package implements it; the campaign
// package defines it here, where it is used.
type Suppressor interface {
	SuppressErased(ctx context.Context, ws WorkspaceID, phones []string, email string, by UserID, at time.Time) error
}

// Config configures a [Service].
type Config struct {
	// Store is required.
	Store Store
	// Clock returns the current time. Defaults to time.Now.
	Clock func() time.Time
	// Logger receives debug logs of mutations. Defaults to discarding.
	Logger *slog.Logger
	// Suppressor records the suppression entry of an erased contact.
	// Required by EraseContact; other operations work without it.
	Suppressor Suppressor
	// CallerIDs keeps caller-ID state. Required by UpdateCallerID; other
	// operations work without it.
	CallerIDs CallerIDStore
	// MaxRetries bounds the re-reads of an update that lost an optimistic
	// concurrency race. Defaults to 20.
	MaxRetries int
}

// Service performs every mutation of the campaign model: it checks the
// actor's role with [Permit], validates, stamps times from its clock and
// writes an audit entry with each change. It is safe for concurrent use.
type Service struct {
	store      Store
	now        func() time.Time
	log        *slog.Logger
	suppressor Suppressor
	callerIDs  CallerIDStore
	maxRetries int
}

// NewService returns a Service; it refuses a Config without a Store.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: Config.Store is required", ErrInvalid)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 20
	}
	return &Service{store: cfg.Store, now: cfg.Clock, log: cfg.Logger, suppressor: cfg.Suppressor, callerIDs: cfg.CallerIDs, maxRetries: cfg.MaxRetries}, nil
}

// Now returns the service clock's current time in UTC.
func (s *Service) Now() time.Time { return s.now().UTC() }

func (s *Service) audit(actor Actor, action, entity, id, detail string, at time.Time) AuditEntry {
	return AuditEntry{
		ID: AuditID(NewID("aud", at)), WorkspaceID: actor.WorkspaceID, ActorID: actor.UserID,
		Action: action, Entity: entity, EntityID: id, Detail: detail, At: at,
	}
}

// Authorize loads the actor's membership and checks the action with
// [Permit]. Every mutating operation of CallStack calls it first; a user who
// is not a member is refused with [ErrForbidden].
func (s *Service) Authorize(ctx context.Context, actor Actor, action Action) (Member, error) {
	m, err := s.member(ctx, actor)
	if err != nil {
		return Member{}, err
	}
	if err := Permit(m.Role, action); err != nil {
		return Member{}, err
	}
	return m, nil
}

// member loads the actor's membership; a user who is not a member is
// refused with [ErrForbidden].
func (s *Service) member(ctx context.Context, actor Actor) (Member, error) {
	m, err := s.store.GetMember(ctx, actor.WorkspaceID, actor.UserID)
	if errors.Is(err, ErrNotFound) {
		return Member{}, fmt.Errorf("%w: user %q is not a member of workspace %q", ErrForbidden, actor.UserID, actor.WorkspaceID)
	}
	return m, err
}

// CreateWorkspace creates a workspace with owner as its TeamAdmin. A zero
// w.ID is assigned; settings take their defaults.
func (s *Service) CreateWorkspace(ctx context.Context, owner Member, w Workspace) (Workspace, error) {
	now := s.Now()
	if w.ID == "" {
		w.ID = WorkspaceID(NewID("ws", now))
	}
	w.Settings = w.Settings.WithDefaults()
	w.CreatedAt, w.UpdatedAt = now, now
	if err := w.Validate(); err != nil {
		return Workspace{}, err
	}
	owner.WorkspaceID, owner.Role, owner.CreatedAt = w.ID, RoleTeamAdmin, now
	if err := owner.Validate(); err != nil {
		return Workspace{}, err
	}
	a := s.audit(Actor{w.ID, owner.UserID}, "workspace.create", "workspace", string(w.ID), w.Name, now)
	if err := s.store.CreateWorkspace(ctx, w, owner, a); err != nil {
		return Workspace{}, err
	}
	return w, nil
}

// UpdateWorkspaceSettings replaces the workspace's settings (TeamAdmin).
func (s *Service) UpdateWorkspaceSettings(ctx context.Context, actor Actor, settings WorkspaceSettings) (Workspace, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageWorkspace); err != nil {
		return Workspace{}, err
	}
	w, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return Workspace{}, err
	}
	now := s.Now()
	w.Settings, w.UpdatedAt = settings.WithDefaults(), now
	if err := w.Validate(); err != nil {
		return Workspace{}, err
	}
	if err := s.store.UpdateWorkspace(ctx, w, s.audit(actor, "workspace.update", "workspace", string(w.ID), "settings", now)); err != nil {
		return Workspace{}, err
	}
	return w, nil
}

// PutMember adds a member or changes a member's role (TeamAdmin).
func (s *Service) PutMember(ctx context.Context, actor Actor, m Member) (Member, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageMembers); err != nil {
		return Member{}, err
	}
	now := s.Now()
	m.WorkspaceID = actor.WorkspaceID
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	if err := m.Validate(); err != nil {
		return Member{}, err
	}
	if err := s.store.PutMember(ctx, m, s.audit(actor, "member.put", "member", string(m.UserID), string(m.Role), now)); err != nil {
		return Member{}, err
	}
	return m, nil
}

// RemoveMember removes a member (TeamAdmin). A TeamAdmin cannot remove
// themself, so a workspace always keeps an admin who can manage it.
func (s *Service) RemoveMember(ctx context.Context, actor Actor, user UserID) error {
	if _, err := s.Authorize(ctx, actor, ActionManageMembers); err != nil {
		return err
	}
	if user == actor.UserID {
		return fmt.Errorf("%w: a team admin cannot remove themself", ErrForbidden)
	}
	now := s.Now()
	return s.store.DeleteMember(ctx, actor.WorkspaceID, user, s.audit(actor, "member.delete", "member", string(user), "", now))
}

// CreateCampaign creates a Draft campaign (CampaignManager or TeamAdmin).
// A zero c.ID is assigned; zero settings and identity fields take their
// documented defaults from the workspace.
func (s *Service) CreateCampaign(ctx context.Context, actor Actor, c Campaign) (Campaign, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageCampaign); err != nil {
		return Campaign{}, err
	}
	w, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return Campaign{}, err
	}
	now := s.Now()
	if c.ID == "" {
		c.ID = ID(NewID("cmp", now))
	}
	c.WorkspaceID, c.Status, c.ArchivedFrom, c.Version = actor.WorkspaceID, StatusDraft, "", 1
	if c.OwnerID == "" {
		c.OwnerID = actor.UserID
	}
	if c.Locale == "" {
		c.Locale = "en-US"
	}
	if c.DefaultRegion == "" {
		c.DefaultRegion = w.Settings.DefaultRegion
	}
	if c.Timezone == "" {
		c.Timezone = w.Settings.Timezone
	}
	if c.Health == "" {
		c.Health = HealthUnknown
	}
	c.Settings = c.Settings.WithDefaults(c.DefaultRegion)
	c.CreatedAt, c.UpdatedAt = now, now
	c.normalizeTimes()
	if err := c.Validate(); err != nil {
		return Campaign{}, err
	}
	if err := s.checkSchedule(ctx, c); err != nil {
		return Campaign{}, err
	}
	if err := s.store.CreateCampaign(ctx, c, s.audit(actor, "campaign.create", "campaign", string(c.ID), c.Name, now)); err != nil {
		return Campaign{}, err
	}
	s.log.DebugContext(ctx, "campaign created", "workspace", c.WorkspaceID, "campaign", c.ID)
	return c, nil
}

// checkSchedule refuses a campaign naming a schedule its workspace does
// not have: the dialer would refuse it only when the campaign starts.
func (s *Service) checkSchedule(ctx context.Context, c Campaign) error {
	if c.ScheduleID == "" {
		return nil
	}
	_, err := s.store.GetSchedule(ctx, c.WorkspaceID, c.ScheduleID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: campaign %q: schedule %q does not exist in this workspace (create it with PutSchedule first, or leave ScheduleID empty)", ErrInvalid, c.Name, c.ScheduleID)
	}
	return err
}

// UpdateCampaign applies edit to the campaign and stores it, re-reading and
// re-applying edit when a concurrent writer won the race (CampaignManager
// or TeamAdmin). edit must not change Status; use Transition. An edit of a
// field the campaign's status locks is refused with a [*LockedError] (see
// [CheckEdit]); the audit entry lists the fields changed.
func (s *Service) UpdateCampaign(ctx context.Context, actor Actor, id ID, edit func(*Campaign) error) (Campaign, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageCampaign); err != nil {
		return Campaign{}, err
	}
	for range s.maxRetries {
		c, err := s.store.GetCampaign(ctx, actor.WorkspaceID, id)
		if err != nil {
			return Campaign{}, err
		}
		status, version := c.Status, c.Version
		before := c.Clone()
		if err := edit(&c); err != nil {
			return Campaign{}, err
		}
		if c.Status != status {
			return Campaign{}, fmt.Errorf("%w: change status with Transition", ErrInvalidTransition)
		}
		if c.ID != id || c.WorkspaceID != actor.WorkspaceID {
			return Campaign{}, fmt.Errorf("%w: an edit cannot change a campaign's ID or workspace (create a campaign in the other workspace instead)", ErrInvalid)
		}
		c.Version = version
		c.Settings = c.Settings.WithDefaults(c.DefaultRegion)
		now := s.Now()
		c.UpdatedAt = now
		c.normalizeTimes()
		if err := c.Validate(); err != nil {
			return Campaign{}, err
		}
		if err := CheckEdit(before, c); err != nil {
			return Campaign{}, err
		}
		if err := s.checkSchedule(ctx, c); err != nil {
			return Campaign{}, err
		}
		changed := strings.Join(ChangedFields(before, c), ", ")
		err = s.store.UpdateCampaign(ctx, c, s.audit(actor, "campaign.update", "campaign", string(id), changed, now))
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Campaign{}, err
		}
		c.Version++
		return c, nil
	}
	return Campaign{}, fmt.Errorf("%w: campaign %s kept changing", ErrConflict, id)
}

// Transition moves a campaign to status to, recording who and when
// (CampaignManager or TeamAdmin). An invalid move returns
// [ErrInvalidTransition]. Use [SystemUser] as the actor's user for engine
// moves through [Service.TransitionAsSystem].
func (s *Service) Transition(ctx context.Context, actor Actor, id ID, to Status, reason string) (Campaign, error) {
	if _, err := s.Authorize(ctx, actor, ActionChangeStatus); err != nil {
		return Campaign{}, err
	}
	return s.transition(ctx, actor, id, to, reason)
}

// TransitionAsSystem moves a campaign on the engine's own authority (the
// failure guardrail pausing it, completion when every contact is final).
// The transition is recorded with [SystemUser].
func (s *Service) TransitionAsSystem(ctx context.Context, ws WorkspaceID, id ID, to Status, reason string) (Campaign, error) {
	return s.transition(ctx, Actor{WorkspaceID: ws, UserID: SystemUser}, id, to, reason)
}

func (s *Service) transition(ctx context.Context, actor Actor, id ID, to Status, reason string) (Campaign, error) {
	var v validator
	v.check(len(reason) <= MaxTextLength, "reason", "is longer than %d bytes", MaxTextLength)
	validateText(&v, struct{ Reason string }{reason})
	if err := v.err(); err != nil {
		return Campaign{}, err
	}
	for range s.maxRetries {
		c, err := s.store.GetCampaign(ctx, actor.WorkspaceID, id)
		if err != nil {
			return Campaign{}, err
		}
		if err := CheckTransition(c, to); err != nil {
			return Campaign{}, err
		}
		if to == StatusQueued {
			if err := s.checkGoalsReady(ctx, actor.WorkspaceID, id); err != nil {
				return Campaign{}, err
			}
		}
		archivedFrom := Status("")
		if to == StatusArchived {
			archivedFrom = c.Status
		}
		now := s.Now()
		t := Transition{WorkspaceID: actor.WorkspaceID, CampaignID: id, From: c.Status, To: to, By: actor.UserID, Reason: reason, At: now}
		err = s.store.TransitionCampaign(ctx, t, archivedFrom, s.audit(actor, "campaign.transition", "campaign", string(id), string(c.Status)+"→"+string(to), now))
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Campaign{}, err
		}
		c.Status, c.ArchivedFrom, c.UpdatedAt = to, archivedFrom, now
		c.Version++
		return c, nil
	}
	return Campaign{}, fmt.Errorf("%w: campaign %s kept changing", ErrConflict, id)
}

// PutList creates or replaces a list (CampaignManager or TeamAdmin). A zero
// l.ID is assigned; zero Priority and DupeDays take their defaults.
func (s *Service) PutList(ctx context.Context, actor Actor, l List) (List, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageCampaign); err != nil {
		return List{}, err
	}
	now := s.Now()
	if l.ID == "" {
		l.ID = ListID(NewID("lst", now))
		l.CreatedAt = now
	}
	l.WorkspaceID = actor.WorkspaceID
	l = l.withDefaults()
	if err := l.Validate(); err != nil {
		return List{}, err
	}
	if l.CampaignID != "" {
		if _, err := s.store.GetCampaign(ctx, actor.WorkspaceID, l.CampaignID); err != nil {
			return List{}, err
		}
	}
	if err := s.store.PutList(ctx, l, s.audit(actor, "list.put", "list", string(l.ID), l.Name, now)); err != nil {
		return List{}, err
	}
	return l, nil
}

// PutDisposition creates or replaces a disposition (CampaignManager or
// TeamAdmin). A zero d.ID is assigned.
func (s *Service) PutDisposition(ctx context.Context, actor Actor, d Disposition) (Disposition, error) {
	d.WorkspaceID = actor.WorkspaceID
	if d.ID == "" {
		d.ID = DispositionID(NewID("dsp", s.Now()))
	}
	err := s.putChild(ctx, actor, d.CampaignID, "disposition", string(d.ID), d.Validate, func(a AuditEntry) error { return s.store.PutDisposition(ctx, d, a) })
	if err != nil {
		return Disposition{}, err
	}
	return d, nil
}

// PutGoal creates or replaces a goal (CampaignManager or TeamAdmin). A zero
// g.ID is assigned. A campaign has at most one active primary goal, and
// needs exactly one to be queued when it has goals.
func (s *Service) PutGoal(ctx context.Context, actor Actor, g Goal) (Goal, error) {
	g.WorkspaceID = actor.WorkspaceID
	if g.ID == "" {
		g.ID = GoalID(NewID("gol", s.Now()))
	}
	validate := func() error { return errors.Join(g.Validate(), s.checkPrimaryGoal(ctx, g)) }
	err := s.putChild(ctx, actor, g.CampaignID, "goal", string(g.ID), validate, func(a AuditEntry) error { return s.store.PutGoal(ctx, g, a) })
	if err != nil {
		return Goal{}, err
	}
	return g, nil
}

// PutAnalysis creates or replaces an analysis question (CampaignManager or
// TeamAdmin). A zero an.ID is assigned.
func (s *Service) PutAnalysis(ctx context.Context, actor Actor, an Analysis) (Analysis, error) {
	an.WorkspaceID = actor.WorkspaceID
	if an.ID == "" {
		an.ID = AnalysisID(NewID("anl", s.Now()))
	}
	err := s.putChild(ctx, actor, an.CampaignID, "analysis", string(an.ID), an.Validate, func(a AuditEntry) error { return s.store.PutAnalysis(ctx, an, a) })
	if err != nil {
		return Analysis{}, err
	}
	return an, nil
}

// putChild is the shared body of the Put methods of campaign children:
// authorize, validate, check the campaign exists in the workspace, store
// with an audit entry.
func (s *Service) putChild(ctx context.Context, actor Actor, cid ID, entity, id string, validate func() error, put func(AuditEntry) error) error {
	if _, err := s.Authorize(ctx, actor, ActionManageCampaign); err != nil {
		return err
	}
	if err := validate(); err != nil {
		return err
	}
	if _, err := s.store.GetCampaign(ctx, actor.WorkspaceID, cid); err != nil {
		return err
	}
	return put(s.audit(actor, entity+".put", entity, id, "", s.Now()))
}

// PutSchedule creates or replaces a schedule (CampaignManager or
// TeamAdmin). A zero sc.ID is assigned.
func (s *Service) PutSchedule(ctx context.Context, actor Actor, sc Schedule) (Schedule, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageCampaign); err != nil {
		return Schedule{}, err
	}
	now := s.Now()
	if sc.ID == "" {
		sc.ID = ScheduleID(NewID("sch", now))
	}
	sc.WorkspaceID = actor.WorkspaceID
	if err := sc.Validate(); err != nil {
		return Schedule{}, err
	}
	if err := s.store.PutSchedule(ctx, sc, s.audit(actor, "schedule.put", "schedule", string(sc.ID), sc.Name, now)); err != nil {
		return Schedule{}, err
	}
	return sc, nil
}

// AddContacts validates and inserts new contacts in one transaction (any
// role that may import). Zero IDs are assigned and zero fields take their
// defaults (status Pending, lane New, consent none). The importer is the
// usual caller; it runs the duplicate and suppression checks first.
func (s *Service) AddContacts(ctx context.Context, actor Actor, cs []Contact) ([]Contact, error) {
	if _, err := s.Authorize(ctx, actor, ActionImport); err != nil {
		return nil, err
	}
	now := s.Now()
	out := make([]Contact, len(cs))
	for i, c := range cs {
		if c.ID == "" {
			c.ID = ContactID(NewID("ct", now))
		}
		c.WorkspaceID, c.Version, c.CreatedAt, c.UpdatedAt = actor.WorkspaceID, 1, now, now
		c = c.withDefaults()
		c.normalizeAddressState()
		c.normalizeTimes()
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("contact %d: %w", i, err)
		}
		out[i] = c
	}
	a := s.audit(actor, "contact.insert", "contact", "", fmt.Sprintf("%d contacts", len(out)), now)
	if err := s.store.InsertContacts(ctx, actor.WorkspaceID, out, a); err != nil {
		return nil, err
	}
	return out, nil
}

// ListContacts returns a page of the actor's workspace's contacts matching
// f, ordered by ID; pass a page's NextCursor as f.After for the next one
// (f.Limit defaults to 100, at most 1,000; an unknown f.Status or a limit
// out of range is [ErrInvalid]). Any member may list (a Viewer
// reads); a user who is not a member of the workspace is refused with
// [ErrForbidden], and a campaign or list of f that the workspace does not
// have is an [ErrNotFound], so no actor reads another workspace's
// contacts.
func (s *Service) ListContacts(ctx context.Context, actor Actor, f ContactFilter) (ContactPage, error) {
	if _, err := s.member(ctx, actor); err != nil {
		return ContactPage{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return ContactPage{}, fmt.Errorf("%w: ContactFilter.Status %q is not a contact status (see campaign.ContactStatuses)", ErrInvalid, f.Status)
	}
	if f.Limit < 0 || f.Limit > 1000 {
		return ContactPage{}, fmt.Errorf("%w: ContactFilter.Limit must be 1–1000 (0 for the default 100), got %d", ErrInvalid, f.Limit)
	}
	if f.CampaignID != "" {
		if _, err := s.store.GetCampaign(ctx, actor.WorkspaceID, f.CampaignID); err != nil {
			return ContactPage{}, err
		}
	}
	if f.ListID != "" {
		if _, err := s.store.GetList(ctx, actor.WorkspaceID, f.ListID); err != nil {
			return ContactPage{}, err
		}
	}
	return s.store.ListContacts(ctx, actor.WorkspaceID, f)
}

// UpdateContact applies edit to a contact and stores it, re-reading and
// re-applying edit when a concurrent writer won the race (any role that may
// edit contacts), within these limits (see [CheckContactEdit]):
//
//   - a contact the queue has leased (status dialing) is not edited:
//     [ErrLeased], whoever asks;
//   - a Caller edits only contacts it owns (OwnerID) or whose callback it
//     was promised (CallbackOwner), and changes neither their queue fields
//     nor their compliance facts, nor strengthens their consent: those
//     change through the queue, or by a role that manages the campaign;
//   - nobody sets status dialing by hand (only a queue claim does), nor
//     erases data through an edit ([Service.EraseContact] does, after
//     suppressing the number).
//
// The optimistic version check makes the leased test atomic: a claim that
// leases the contact between the read and the write bumps its version, so
// the write is refused and the re-read sees the lease.
func (s *Service) UpdateContact(ctx context.Context, actor Actor, id ContactID, edit func(*Contact) error) (Contact, error) {
	m, err := s.Authorize(ctx, actor, ActionEditContact)
	if err != nil {
		return Contact{}, err
	}
	manages := Permit(m.Role, ActionManageCampaign) == nil
	return s.updateContact(ctx, actor, id, "contact.update", func(c *Contact) error {
		if c.Status == ContactDialing {
			return fmt.Errorf("%w: contact %s", ErrLeased, c.ID)
		}
		if !manages && c.OwnerID != actor.UserID && c.CallbackOwner != actor.UserID {
			return fmt.Errorf("%w: role %q edits only the contacts it owns; contact %s is not %q's",
				ErrForbidden, m.Role, c.ID, actor.UserID)
		}
		before := c.clone()
		if err := edit(c); err != nil {
			return err
		}
		return CheckContactEdit(m.Role, before, *c)
	})
}

// RevokeConsent records that the person withdrew their consent to be
// called, now and through via (such as "sms", "call" or "email"). Any role
// that may edit contacts may record it, whoever owns the contact and even
// while the queue holds it for a call: a revocation only makes the contact
// less callable, and the dial-time gate reads it again before the dial. A
// consent revoked already keeps its first revocation.
func (s *Service) RevokeConsent(ctx context.Context, actor Actor, id ContactID, via string) (Contact, error) {
	if _, err := s.Authorize(ctx, actor, ActionEditContact); err != nil {
		return Contact{}, err
	}
	if len(via) > MaxTextLength {
		return Contact{}, fmt.Errorf("%w: revocation channel is %d bytes, at most %d", ErrInvalid, len(via), MaxTextLength)
	}
	return s.updateContact(ctx, actor, id, "contact.revoke_consent", func(c *Contact) error {
		if c.Consent.RevokedAt.IsZero() {
			c.Consent.RevokedAt, c.Consent.RevokedVia = s.Now(), via
		}
		return nil
	})
}

func (s *Service) updateContact(ctx context.Context, actor Actor, id ContactID, action string, edit func(*Contact) error) (Contact, error) {
	for range s.maxRetries {
		c, err := s.store.GetContact(ctx, actor.WorkspaceID, id)
		if err != nil {
			return Contact{}, err
		}
		version := c.Version
		if err := edit(&c); err != nil {
			return Contact{}, err
		}
		now := s.Now()
		c.ID, c.WorkspaceID, c.Version, c.UpdatedAt = id, actor.WorkspaceID, version, now
		c.normalizeAddressState()
		c.normalizeTimes()
		if err := c.Validate(); err != nil {
			return Contact{}, err
		}
		err = s.store.UpdateContact(ctx, c, s.audit(actor, action, "contact", string(id), "", now))
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Contact{}, err
		}
		c.Version++
		return c, nil
	}
	return Contact{}, fmt.Errorf("%w: contact %s kept changing", ErrConflict, id)
}

// EraseContact removes a person's personal data on request (CampaignManager
// or TeamAdmin): the suppression entry for their numbers and email is
// recorded first through the configured [Suppressor], then the contact is
// replaced by [Contact.Erased], then their attempts and blocks are masked
// ([Store.EraseContactRecords]). Reports keep the anonymous counts.
// Erasing an erased contact masks its records again and nothing else, so a
// call that was in progress at the first erasure is masked by a second one
// after it ends, and an erasure cut short by a crash completes.
func (s *Service) EraseContact(ctx context.Context, actor Actor, id ContactID) (Contact, error) {
	if _, err := s.Authorize(ctx, actor, ActionEraseContact); err != nil {
		return Contact{}, err
	}
	if s.suppressor == nil {
		return Contact{}, fmt.Errorf("%w: EraseContact needs Config.Suppressor so the number stays suppressed", ErrInvalid)
	}
	c, err := s.store.GetContact(ctx, actor.WorkspaceID, id)
	if err != nil {
		return Contact{}, err
	}
	if c.ErasedAt.IsZero() {
		phones := append([]string{c.Phone}, c.AltPhones...)
		if err := s.suppressor.SuppressErased(ctx, actor.WorkspaceID, phones, c.Email, actor.UserID, s.Now()); err != nil {
			return Contact{}, fmt.Errorf("campaign: suppress before erasing: %w", err)
		}
		c, err = s.updateContact(ctx, actor, id, "contact.erase", func(c *Contact) error {
			*c = c.Erased(s.Now())
			return nil
		})
		if err != nil {
			return Contact{}, err
		}
	}
	now := s.Now()
	if _, _, err := s.store.EraseContactRecords(ctx, actor.WorkspaceID, id, s.audit(actor, "contact.erase_records", "contact", string(id), "", now)); err != nil {
		return Contact{}, fmt.Errorf("campaign: erase attempts and blocks: %w", err)
	}
	return c, nil
}

// ActivateContacts moves the campaign's held contacts ([ContactHeld]: see
// Settings.ImportStatus) to [ContactPending], so the queue calls them
// (CampaignManager or TeamAdmin). A non-empty list limits it to the
// contacts of that list. It reads the held contacts a page of 1,000 at a
// time and activates each page in one store transaction
// ([Store.ActivateHeldContacts]), with an audit entry per contact
// ("contact.activate"); a contact no longer held by then is left alone.
// It reports how many contacts it activated. A completed, cancelled or
// archived campaign is refused ([ErrInvalidTransition]): it never calls
// again, so activating would strand the contacts.
func (s *Service) ActivateContacts(ctx context.Context, actor Actor, id ID, list ListID) (int, error) {
	if _, err := s.Authorize(ctx, actor, ActionManageCampaign); err != nil {
		return 0, err
	}
	c, err := s.store.GetCampaign(ctx, actor.WorkspaceID, id)
	if err != nil {
		return 0, err
	}
	if c.Status.Ended() {
		return 0, fmt.Errorf("%w: campaign %s is %s and will never call again: move its held contacts to a new campaign instead", ErrInvalidTransition, id, c.Status)
	}
	n := 0
	f := ContactFilter{CampaignID: id, ListID: list, Status: ContactHeld, Limit: 1000}
	for {
		page, err := s.store.ListContacts(ctx, actor.WorkspaceID, f)
		if err != nil {
			return n, err
		}
		if len(page.Contacts) > 0 {
			now := s.Now()
			ids := make([]ContactID, len(page.Contacts))
			audits := make([]AuditEntry, len(page.Contacts))
			for i, c := range page.Contacts {
				ids[i] = c.ID
				audits[i] = s.audit(actor, "contact.activate", "contact", string(c.ID), "", now)
			}
			k, err := s.store.ActivateHeldContacts(ctx, actor.WorkspaceID, ids, now, audits)
			if err != nil {
				return n, err
			}
			n += k
		}
		if page.NextCursor == "" {
			return n, nil
		}
		f.After = page.NextCursor
	}
}
