package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
)

// insertAudit appends a to the audit log of workspace ws inside tx. An
// entry without a WorkspaceID is recorded under ws; one naming another
// workspace is refused.
func (s *Store) insertAudit(ctx context.Context, tx *sqlx.Tx, ws campaign.WorkspaceID, a campaign.AuditEntry) error {
	if a.WorkspaceID == "" {
		a.WorkspaceID = ws
	}
	if err := checkWorkspace(ws, a.WorkspaceID, "audit entry"); err != nil {
		return err
	}
	var e enc
	at := e.time("AuditEntry.At", a.At)
	if e.err != nil {
		return e.err
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log
(workspace_id, id, actor_id, action, entity, entity_id, detail, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		a.WorkspaceID, a.ID, a.ActorID, a.Action, a.Entity, a.EntityID, a.Detail, at)
	return err
}

type auditRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	ActorID     string `db:"actor_id"`
	Action      string `db:"action"`
	Entity      string `db:"entity"`
	EntityID    string `db:"entity_id"`
	Detail      string `db:"detail"`
	At          int64  `db:"at"`
}

// ListAudit returns the workspace's audit entries matching f, oldest
// (first written) first.
func (s *Store) ListAudit(ctx context.Context, ws campaign.WorkspaceID, f campaign.AuditFilter) ([]campaign.AuditEntry, error) {
	query := `SELECT workspace_id, id, actor_id, action, entity, entity_id, detail, at FROM audit_log WHERE workspace_id = ?`
	args := []any{ws}
	if f.Entity != "" {
		query += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		query += ` AND entity_id = ?`
		args = append(args, f.EntityID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	query += ` ORDER BY seq LIMIT ?`
	args = append(args, limit)
	var rows []auditRow
	if err := s.r.SelectContext(ctx, &rows, s.q(query), args...); err != nil {
		return nil, s.fail("list audit", err)
	}
	var out []campaign.AuditEntry
	for _, r := range rows {
		out = append(out, campaign.AuditEntry{
			ID: campaign.AuditID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), ActorID: campaign.UserID(r.ActorID),
			Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Detail: r.Detail, At: fromNanos(r.At),
		})
	}
	return out, nil
}

type workspaceRow struct {
	ID        string `db:"id"`
	Name      string `db:"name"`
	Settings  string `db:"settings"`
	CreatedAt int64  `db:"created_at"`
	UpdatedAt int64  `db:"updated_at"`
}

func (r workspaceRow) workspace() (campaign.Workspace, error) {
	w := campaign.Workspace{ID: campaign.WorkspaceID(r.ID), Name: r.Name, CreatedAt: fromNanos(r.CreatedAt), UpdatedAt: fromNanos(r.UpdatedAt)}
	var d dec
	d.json("settings", r.Settings, &w.Settings)
	return w, d.err
}

// CreateWorkspace creates w with owner as its first member;
// campaign.ErrConflict when the ID is taken.
func (s *Store) CreateWorkspace(ctx context.Context, w campaign.Workspace, owner campaign.Member, a campaign.AuditEntry) error {
	return s.inTx(ctx, "create workspace", func(tx *sqlx.Tx) error {
		if err := checkWorkspace(w.ID, owner.WorkspaceID, "owner"); err != nil {
			return err
		}
		var e enc
		settings := e.json("Settings", w.Settings)
		created, updated := e.time("CreatedAt", w.CreatedAt), e.time("UpdatedAt", w.UpdatedAt)
		if e.err != nil {
			return e.err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO workspaces (id, name, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
			w.ID, w.Name, settings, created, updated); err != nil {
			return err
		}
		if err := s.putMember(ctx, tx, owner); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, w.ID, a)
	})
}

// GetWorkspace returns the workspace with id.
func (s *Store) GetWorkspace(ctx context.Context, id campaign.WorkspaceID) (campaign.Workspace, error) {
	var r workspaceRow
	err := s.r.GetContext(ctx, &r, s.q(`SELECT id, name, settings, created_at, updated_at FROM workspaces WHERE id = ?`), id)
	if err != nil {
		return campaign.Workspace{}, s.fail("get workspace", wrapNoRows(err, "workspace", id))
	}
	w, err := r.workspace()
	if err != nil {
		return campaign.Workspace{}, s.fail("get workspace", err)
	}
	return w, nil
}

// UpdateWorkspace stores w's name, settings and UpdatedAt; CreatedAt
// stays as created.
func (s *Store) UpdateWorkspace(ctx context.Context, w campaign.Workspace, a campaign.AuditEntry) error {
	return s.inTx(ctx, "update workspace", func(tx *sqlx.Tx) error {
		var e enc
		settings := e.json("Settings", w.Settings)
		updated := e.time("UpdatedAt", w.UpdatedAt)
		if e.err != nil {
			return e.err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE workspaces SET name = ?, settings = ?, updated_at = ? WHERE id = ?`),
			w.Name, settings, updated, w.ID)
		if err := mustAffect(res, err, "workspace", w.ID); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, w.ID, a)
	})
}

type memberRow struct {
	WorkspaceID string `db:"workspace_id"`
	UserID      string `db:"user_id"`
	Name        string `db:"name"`
	Email       string `db:"email"`
	Role        string `db:"role"`
	CreatedAt   int64  `db:"created_at"`
}

func (r memberRow) member() campaign.Member {
	return campaign.Member{
		WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), UserID: campaign.UserID(r.UserID), Name: r.Name,
		Email: r.Email, Role: campaign.Role(r.Role), CreatedAt: fromNanos(r.CreatedAt),
	}
}

const memberColumns = `workspace_id, user_id, name, email, role, created_at`

func (s *Store) putMember(ctx context.Context, tx *sqlx.Tx, m campaign.Member) error {
	var e enc
	created := e.time("CreatedAt", m.CreatedAt)
	if e.err != nil {
		return e.err
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO members (`+memberColumns+`) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, user_id) DO UPDATE SET
    name = excluded.name, email = excluded.email, role = excluded.role`),
		m.WorkspaceID, m.UserID, m.Name, m.Email, m.Role, created)
	return err
}

// PutMember adds a member or replaces it, keeping the first CreatedAt;
// campaign.ErrNotFound when the workspace does not exist.
func (s *Store) PutMember(ctx context.Context, m campaign.Member, a campaign.AuditEntry) error {
	return s.inTx(ctx, "put member", func(tx *sqlx.Tx) error {
		if err := s.putMember(ctx, tx, m); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, m.WorkspaceID, a)
	})
}

// GetMember returns the membership of user in ws.
func (s *Store) GetMember(ctx context.Context, ws campaign.WorkspaceID, user campaign.UserID) (campaign.Member, error) {
	var r memberRow
	err := s.r.GetContext(ctx, &r, s.q(`SELECT `+memberColumns+` FROM members WHERE workspace_id = ? AND user_id = ?`), ws, user)
	if err != nil {
		return campaign.Member{}, s.fail("get member", wrapNoRows(err, "member", user))
	}
	return r.member(), nil
}

// ListMembers returns the workspace's members ordered by user ID.
func (s *Store) ListMembers(ctx context.Context, ws campaign.WorkspaceID) ([]campaign.Member, error) {
	var rows []memberRow
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+memberColumns+` FROM members WHERE workspace_id = ? ORDER BY user_id`), ws); err != nil {
		return nil, s.fail("list members", err)
	}
	var out []campaign.Member
	for _, r := range rows {
		out = append(out, r.member())
	}
	return out, nil
}

// DeleteMember removes user from ws; campaign.ErrNotFound when they are
// not a member.
func (s *Store) DeleteMember(ctx context.Context, ws campaign.WorkspaceID, user campaign.UserID, a campaign.AuditEntry) error {
	return s.inTx(ctx, "delete member", func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM members WHERE workspace_id = ? AND user_id = ?`), ws, user)
		if err := mustAffect(res, err, "member", user); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, ws, a)
	})
}

// mustAffect turns a statement that changed no row into ErrNotFound for
// the record of kind with id.
func mustAffect(res interface{ RowsAffected() (int64, error) }, err error, kind string, id any) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(kind, id)
	}
	return nil
}

// wrapNoRows names the missing record when err is sql.ErrNoRows.
func wrapNoRows(err error, kind string, id any) error {
	if isNoRows(err) {
		return notFound(kind, id)
	}
	return err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
