package sqlstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
)

const campaignColumns = `workspace_id, id, name, owner_id, client, goal, target_call_volume, start_date, deadline,
notes, locale, default_region, timezone, source_labels, health, schedule_id, settings, status, archived_from,
version, created_at, updated_at`

type campaignRow struct {
	WorkspaceID      string `db:"workspace_id"`
	ID               string `db:"id"`
	Name             string `db:"name"`
	OwnerID          string `db:"owner_id"`
	Client           string `db:"client"`
	Goal             string `db:"goal"`
	TargetCallVolume int64  `db:"target_call_volume"`
	StartDate        int64  `db:"start_date"`
	Deadline         int64  `db:"deadline"`
	Notes            string `db:"notes"`
	Locale           string `db:"locale"`
	DefaultRegion    string `db:"default_region"`
	Timezone         string `db:"timezone"`
	SourceLabels     string `db:"source_labels"`
	Health           string `db:"health"`
	ScheduleID       string `db:"schedule_id"`
	Settings         string `db:"settings"`
	Status           string `db:"status"`
	ArchivedFrom     string `db:"archived_from"`
	Version          int64  `db:"version"`
	CreatedAt        int64  `db:"created_at"`
	UpdatedAt        int64  `db:"updated_at"`
}

func (r campaignRow) campaign() (campaign.Campaign, error) {
	c := campaign.Campaign{
		ID: campaign.ID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), Name: r.Name,
		OwnerID: campaign.UserID(r.OwnerID), Client: r.Client, Goal: r.Goal, TargetCallVolume: int(r.TargetCallVolume),
		StartDate: fromNanos(r.StartDate), Deadline: fromNanos(r.Deadline), Notes: r.Notes, Locale: r.Locale,
		DefaultRegion: r.DefaultRegion, Timezone: r.Timezone, Health: campaign.Health(r.Health),
		ScheduleID: campaign.ScheduleID(r.ScheduleID), Status: campaign.Status(r.Status),
		ArchivedFrom: campaign.Status(r.ArchivedFrom), Version: r.Version,
		CreatedAt: fromNanos(r.CreatedAt), UpdatedAt: fromNanos(r.UpdatedAt),
	}
	var d dec
	d.json("source_labels", r.SourceLabels, &c.SourceLabels)
	d.json("settings", r.Settings, &c.Settings)
	return c, d.err
}

// campaignValues returns c's column values in campaignColumns order.
func campaignValues(c campaign.Campaign) ([]any, error) {
	var e enc
	v := []any{
		c.WorkspaceID, c.ID, c.Name, c.OwnerID, c.Client, c.Goal, c.TargetCallVolume,
		e.time("StartDate", c.StartDate), e.time("Deadline", c.Deadline), c.Notes, c.Locale, c.DefaultRegion,
		c.Timezone, e.json("SourceLabels", c.SourceLabels), c.Health, c.ScheduleID, e.json("Settings", c.Settings),
		c.Status, c.ArchivedFrom, c.Version, e.time("CreatedAt", c.CreatedAt), e.time("UpdatedAt", c.UpdatedAt),
	}
	return v, e.err
}

// CreateCampaign stores a new campaign as given, Version included;
// campaign.ErrConflict when the ID is taken in the workspace.
func (s *Store) CreateCampaign(ctx context.Context, c campaign.Campaign, a campaign.AuditEntry) error {
	return s.inTx(ctx, "create campaign", func(tx *sqlx.Tx) error {
		v, err := campaignValues(c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO campaigns (`+campaignColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), v...); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, c.WorkspaceID, a)
	})
}

// GetCampaign returns the campaign id of workspace ws.
func (s *Store) GetCampaign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (campaign.Campaign, error) {
	var r campaignRow
	err := s.r.GetContext(ctx, &r, s.q(`SELECT `+campaignColumns+` FROM campaigns WHERE workspace_id = ? AND id = ?`), ws, id)
	if err != nil {
		return campaign.Campaign{}, s.fail("get campaign", wrapNoRows(err, "campaign", id))
	}
	c, err := r.campaign()
	if err != nil {
		return campaign.Campaign{}, s.fail("get campaign", err)
	}
	return c, nil
}

// UpdateCampaign stores c's fields except Status, ArchivedFrom and
// CreatedAt if the
// stored Version is c.Version, and stores Version+1; campaign.ErrConflict
// when the Version differs, campaign.ErrNotFound when there is no such
// campaign.
func (s *Store) UpdateCampaign(ctx context.Context, c campaign.Campaign, a campaign.AuditEntry) error {
	return s.inTx(ctx, "update campaign", func(tx *sqlx.Tx) error {
		var e enc
		args := []any{
			c.Name, c.OwnerID, c.Client, c.Goal, c.TargetCallVolume, e.time("StartDate", c.StartDate), e.time("Deadline", c.Deadline),
			c.Notes, c.Locale, c.DefaultRegion, c.Timezone, e.json("SourceLabels", c.SourceLabels), c.Health, c.ScheduleID,
			e.json("Settings", c.Settings), e.time("UpdatedAt", c.UpdatedAt),
			c.WorkspaceID, c.ID, c.Version,
		}
		if e.err != nil {
			return e.err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET
    name = ?, owner_id = ?, client = ?, goal = ?, target_call_volume = ?, start_date = ?, deadline = ?,
    notes = ?, locale = ?, default_region = ?, timezone = ?, source_labels = ?, health = ?, schedule_id = ?,
    settings = ?, updated_at = ?, version = version + 1
WHERE workspace_id = ? AND id = ? AND version = ?`), args...)
		if err := s.versioned(ctx, tx, res, err, "campaigns", "campaign", c.WorkspaceID, string(c.ID), fmt.Sprintf("version %d", c.Version)); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, c.WorkspaceID, a)
	})
}

// versioned checks a compare-and-set UPDATE of one row of table: when it
// changed nothing, the row is missing (ErrNotFound) or its guard did not
// hold (ErrConflict, with detail saying what was expected).
func (s *Store) versioned(ctx context.Context, tx *sqlx.Tx, res interface{ RowsAffected() (int64, error) }, err error,
	table, kind string, ws campaign.WorkspaceID, id, detail string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	var one int
	err = tx.GetContext(ctx, &one, s.q(`SELECT 1 FROM `+table+` WHERE workspace_id = ? AND id = ?`), ws, id)
	if isNoRows(err) {
		return notFound(kind, id)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%s %q changed since read (expected %s): %w", kind, id, detail, campaign.ErrConflict)
}

// ListCampaigns returns the workspace's campaigns in creation order.
func (s *Store) ListCampaigns(ctx context.Context, ws campaign.WorkspaceID) ([]campaign.Campaign, error) {
	var rows []campaignRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+campaignColumns+` FROM campaigns WHERE workspace_id = ? ORDER BY seq`), ws); err != nil {
		return nil, s.fail("list campaigns", err)
	}
	var out []campaign.Campaign
	for _, r := range rows {
		c, err := r.campaign()
		if err != nil {
			return nil, s.fail("list campaigns", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// TransitionCampaign moves the campaign from t.From to t.To, storing
// archivedFrom, t.At as UpdatedAt and Version+1, and records t, all in one
// transaction; campaign.ErrConflict when the stored status is not t.From.
func (s *Store) TransitionCampaign(ctx context.Context, t campaign.Transition, archivedFrom campaign.Status, a campaign.AuditEntry) error {
	return s.inTx(ctx, "transition campaign", func(tx *sqlx.Tx) error {
		var e enc
		at := e.time("Transition.At", t.At)
		if e.err != nil {
			return e.err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET status = ?, archived_from = ?, updated_at = ?, version = version + 1
WHERE workspace_id = ? AND id = ? AND status = ?`), t.To, archivedFrom, at, t.WorkspaceID, t.CampaignID, t.From)
		if err := s.versioned(ctx, tx, res, err, "campaigns", "campaign", t.WorkspaceID, string(t.CampaignID), fmt.Sprintf("status %s", t.From)); err != nil {
			return err
		}
		var seq int64
		if err := tx.GetContext(ctx, &seq, s.q(`INSERT INTO campaign_transitions
(workspace_id, campaign_id, from_status, to_status, by_user, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq`),
			t.WorkspaceID, t.CampaignID, t.From, t.To, t.By, t.Reason, at); err != nil {
			return err
		}
		if err := s.insertFeed(ctx, tx, []feedRef{{ws: t.WorkspaceID, kind: campaign.FeedStatus, campaign: t.CampaignID,
			ref: strconv.FormatInt(seq, 10), at: t.At}}); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, t.WorkspaceID, a)
	})
}

type transitionRow struct {
	WorkspaceID string `db:"workspace_id"`
	CampaignID  string `db:"campaign_id"`
	From        string `db:"from_status"`
	To          string `db:"to_status"`
	By          string `db:"by_user"`
	Reason      string `db:"reason"`
	At          int64  `db:"at"`
}

// ListTransitions returns a campaign's transitions in the order they
// were made; campaign.ErrNotFound for an unknown campaign.
func (s *Store) ListTransitions(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) ([]campaign.Transition, error) {
	// Campaigns are never deleted, so the check and the listing need no
	// common snapshot.
	var one int
	if err := s.r.GetContext(ctx, &one, s.q(`SELECT 1 FROM campaigns WHERE workspace_id = ? AND id = ?`), ws, id); err != nil {
		return nil, s.fail("list transitions", wrapNoRows(err, "campaign", id))
	}
	var rows []transitionRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT workspace_id, campaign_id, from_status, to_status, by_user, reason, at
FROM campaign_transitions WHERE workspace_id = ? AND campaign_id = ? ORDER BY seq`), ws, id); err != nil {
		return nil, s.fail("list transitions", err)
	}
	var out []campaign.Transition
	for _, r := range rows {
		out = append(out, r.transition())
	}
	return out, nil
}

func (r transitionRow) transition() campaign.Transition {
	return campaign.Transition{
		WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
		From: campaign.Status(r.From), To: campaign.Status(r.To), By: campaign.UserID(r.By), Reason: r.Reason, At: fromNanos(r.At),
	}
}

const listColumns = `workspace_id, id, campaign_id, name, priority, expire_days, dupe_days, archived, created_at`

type listRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	CampaignID  string `db:"campaign_id"`
	Name        string `db:"name"`
	Priority    int64  `db:"priority"`
	ExpireDays  int64  `db:"expire_days"`
	DupeDays    int64  `db:"dupe_days"`
	Archived    bool   `db:"archived"`
	CreatedAt   int64  `db:"created_at"`
}

func (r listRow) list() campaign.List {
	return campaign.List{
		ID: campaign.ListID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
		Name: r.Name, Priority: int(r.Priority), ExpireDays: int(r.ExpireDays), DupeDays: int(r.DupeDays),
		Archived: r.Archived, CreatedAt: fromNanos(r.CreatedAt),
	}
}

// PutList creates or replaces a list; a replaced list keeps its place
// and its first CreatedAt.
func (s *Store) PutList(ctx context.Context, l campaign.List, a campaign.AuditEntry) error {
	return s.inTx(ctx, "put list", func(tx *sqlx.Tx) error {
		var e enc
		created := e.time("CreatedAt", l.CreatedAt)
		if e.err != nil {
			return e.err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO lists (`+listColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, id) DO UPDATE SET
    campaign_id = excluded.campaign_id, name = excluded.name, priority = excluded.priority,
    expire_days = excluded.expire_days, dupe_days = excluded.dupe_days, archived = excluded.archived`),
			l.WorkspaceID, l.ID, l.CampaignID, l.Name, l.Priority, l.ExpireDays, l.DupeDays, l.Archived, created); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, l.WorkspaceID, a)
	})
}

// GetList returns the list id of workspace ws.
func (s *Store) GetList(ctx context.Context, ws campaign.WorkspaceID, id campaign.ListID) (campaign.List, error) {
	var r listRow
	if err := s.r.GetContext(ctx, &r, s.q(`SELECT `+listColumns+` FROM lists WHERE workspace_id = ? AND id = ?`), ws, id); err != nil {
		return campaign.List{}, s.fail("get list", wrapNoRows(err, "list", id))
	}
	return r.list(), nil
}

// ListLists returns the workspace's lists in creation order.
func (s *Store) ListLists(ctx context.Context, ws campaign.WorkspaceID) ([]campaign.List, error) {
	var rows []listRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+listColumns+` FROM lists WHERE workspace_id = ? ORDER BY seq`), ws); err != nil {
		return nil, s.fail("list lists", err)
	}
	var out []campaign.List
	for _, r := range rows {
		out = append(out, r.list())
	}
	return out, nil
}

const dispositionColumns = `workspace_id, id, campaign_id, title, qualified, contacted, callback, dnc, requires_note,
required_fields, final, archived`

type dispositionRow struct {
	WorkspaceID    string `db:"workspace_id"`
	ID             string `db:"id"`
	CampaignID     string `db:"campaign_id"`
	Title          string `db:"title"`
	Qualified      bool   `db:"qualified"`
	Contacted      bool   `db:"contacted"`
	Callback       bool   `db:"callback"`
	DNC            bool   `db:"dnc"`
	RequiresNote   bool   `db:"requires_note"`
	RequiredFields string `db:"required_fields"`
	Final          bool   `db:"final"`
	Archived       bool   `db:"archived"`
}

// PutDisposition creates or replaces a disposition of a campaign of the
// workspace (campaign.ErrNotFound otherwise); a replaced one keeps its
// place.
func (s *Store) PutDisposition(ctx context.Context, d campaign.Disposition, a campaign.AuditEntry) error {
	return s.inTx(ctx, "put disposition", func(tx *sqlx.Tx) error {
		var e enc
		fields := e.json("RequiredFields", d.RequiredFields)
		if e.err != nil {
			return e.err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO dispositions (`+dispositionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, id) DO UPDATE SET
    campaign_id = excluded.campaign_id, title = excluded.title, qualified = excluded.qualified,
    contacted = excluded.contacted, callback = excluded.callback, dnc = excluded.dnc,
    requires_note = excluded.requires_note, required_fields = excluded.required_fields,
    final = excluded.final, archived = excluded.archived`),
			d.WorkspaceID, d.ID, d.CampaignID, d.Title, d.Qualified, d.Contacted, d.Callback, d.DNC, d.RequiresNote,
			fields, d.Final, d.Archived); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, d.WorkspaceID, a)
	})
}

// ListDispositions returns a campaign's dispositions in creation order.
func (s *Store) ListDispositions(ctx context.Context, ws campaign.WorkspaceID, c campaign.ID) ([]campaign.Disposition, error) {
	var rows []dispositionRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+dispositionColumns+` FROM dispositions
WHERE workspace_id = ? AND campaign_id = ? ORDER BY seq`), ws, c); err != nil {
		return nil, s.fail("list dispositions", err)
	}
	var out []campaign.Disposition
	for _, r := range rows {
		d := campaign.Disposition{
			ID: campaign.DispositionID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
			Title: r.Title, Qualified: r.Qualified, Contacted: r.Contacted, Callback: r.Callback, DNC: r.DNC,
			RequiresNote: r.RequiresNote, Final: r.Final, Archived: r.Archived,
		}
		var dd dec
		dd.json("required_fields", r.RequiredFields, &d.RequiredFields)
		if dd.err != nil {
			return nil, s.fail("list dispositions", dd.err)
		}
		out = append(out, d)
	}
	return out, nil
}

const goalColumns = `workspace_id, id, campaign_id, kind, title, archived`

type goalRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	CampaignID  string `db:"campaign_id"`
	Kind        string `db:"kind"`
	Title       string `db:"title"`
	Archived    bool   `db:"archived"`
}

// PutGoal creates or replaces a goal of a campaign of the workspace
// (campaign.ErrNotFound otherwise); a replaced one keeps its place.
func (s *Store) PutGoal(ctx context.Context, g campaign.Goal, a campaign.AuditEntry) error {
	return s.inTx(ctx, "put goal", func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO goals (`+goalColumns+`) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, id) DO UPDATE SET
    campaign_id = excluded.campaign_id, kind = excluded.kind, title = excluded.title, archived = excluded.archived`),
			g.WorkspaceID, g.ID, g.CampaignID, g.Kind, g.Title, g.Archived); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, g.WorkspaceID, a)
	})
}

// ListGoals returns a campaign's goals in creation order.
func (s *Store) ListGoals(ctx context.Context, ws campaign.WorkspaceID, c campaign.ID) ([]campaign.Goal, error) {
	var rows []goalRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+goalColumns+` FROM goals WHERE workspace_id = ? AND campaign_id = ? ORDER BY seq`), ws, c); err != nil {
		return nil, s.fail("list goals", err)
	}
	var out []campaign.Goal
	for _, r := range rows {
		out = append(out, campaign.Goal{
			ID: campaign.GoalID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
			Kind: campaign.GoalKind(r.Kind), Title: r.Title, Archived: r.Archived,
		})
	}
	return out, nil
}

const analysisColumns = `workspace_id, id, campaign_id, kind, question, choices, active, archived`

type analysisRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	CampaignID  string `db:"campaign_id"`
	Kind        string `db:"kind"`
	Question    string `db:"question"`
	Choices     string `db:"choices"`
	Active      bool   `db:"active"`
	Archived    bool   `db:"archived"`
}

// PutAnalysis creates or replaces an analysis question of a campaign of
// the workspace (campaign.ErrNotFound otherwise); a replaced one keeps its
// place.
func (s *Store) PutAnalysis(ctx context.Context, an campaign.Analysis, a campaign.AuditEntry) error {
	return s.inTx(ctx, "put analysis", func(tx *sqlx.Tx) error {
		var e enc
		choices := e.json("Choices", an.Choices)
		if e.err != nil {
			return e.err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO analyses (`+analysisColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, id) DO UPDATE SET
    campaign_id = excluded.campaign_id, kind = excluded.kind, question = excluded.question,
    choices = excluded.choices, active = excluded.active, archived = excluded.archived`),
			an.WorkspaceID, an.ID, an.CampaignID, an.Kind, an.Question, choices, an.Active, an.Archived); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, an.WorkspaceID, a)
	})
}

// ListAnalyses returns a campaign's analysis questions in creation order.
func (s *Store) ListAnalyses(ctx context.Context, ws campaign.WorkspaceID, c campaign.ID) ([]campaign.Analysis, error) {
	var rows []analysisRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+analysisColumns+` FROM analyses WHERE workspace_id = ? AND campaign_id = ? ORDER BY seq`), ws, c); err != nil {
		return nil, s.fail("list analyses", err)
	}
	var out []campaign.Analysis
	for _, r := range rows {
		an := campaign.Analysis{
			ID: campaign.AnalysisID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
			Kind: campaign.AnalysisKind(r.Kind), Question: r.Question, Active: r.Active, Archived: r.Archived,
		}
		var d dec
		d.json("choices", r.Choices, &an.Choices)
		if d.err != nil {
			return nil, s.fail("list analyses", d.err)
		}
		out = append(out, an)
	}
	return out, nil
}

const scheduleColumns = `workspace_id, id, name, timezone, hours, exceptions`

type scheduleRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	Name        string `db:"name"`
	Timezone    string `db:"timezone"`
	Hours       string `db:"hours"`
	Exceptions  string `db:"exceptions"`
}

// PutSchedule creates or replaces a schedule.
func (s *Store) PutSchedule(ctx context.Context, sc campaign.Schedule, a campaign.AuditEntry) error {
	return s.inTx(ctx, "put schedule", func(tx *sqlx.Tx) error {
		var e enc
		hours, exceptions := e.json("Hours", sc.Hours), e.json("Exceptions", sc.Exceptions)
		if e.err != nil {
			return e.err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schedules (`+scheduleColumns+`) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, id) DO UPDATE SET
    name = excluded.name, timezone = excluded.timezone, hours = excluded.hours, exceptions = excluded.exceptions`),
			sc.WorkspaceID, sc.ID, sc.Name, sc.Timezone, hours, exceptions); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, sc.WorkspaceID, a)
	})
}

// GetSchedule returns the schedule id of workspace ws.
func (s *Store) GetSchedule(ctx context.Context, ws campaign.WorkspaceID, id campaign.ScheduleID) (campaign.Schedule, error) {
	var r scheduleRow
	if err := s.r.GetContext(ctx, &r, s.q(`SELECT `+scheduleColumns+` FROM schedules WHERE workspace_id = ? AND id = ?`), ws, id); err != nil {
		return campaign.Schedule{}, s.fail("get schedule", wrapNoRows(err, "schedule", id))
	}
	sc := campaign.Schedule{ID: campaign.ScheduleID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), Name: r.Name, Timezone: r.Timezone}
	var d dec
	d.json("hours", r.Hours, &sc.Hours)
	d.json("exceptions", r.Exceptions, &sc.Exceptions)
	if d.err != nil {
		return campaign.Schedule{}, s.fail("get schedule", d.err)
	}
	return sc, nil
}
