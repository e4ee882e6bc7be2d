package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
)

// ActivateHeldContacts implements campaign.Store: one UPDATE moves the
// held contacts among ids to pending (parking them for the queue refresh,
// q_rank 9, as UpdateContact does) and returns their ids; their audit
// entries follow in batched INSERTs of the same transaction.
func (s *Store) ActivateHeldContacts(ctx context.Context, ws campaign.WorkspaceID, ids []campaign.ContactID, at time.Time, audits []campaign.AuditEntry) (int, error) {
	const op = "activate held contacts"
	if len(audits) != len(ids) {
		return 0, s.fail(op, fmt.Errorf("%w: %d contacts, %d audit entries", campaign.ErrInvalid, len(ids), len(audits)))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var e enc
	now := e.time("UpdatedAt", at)
	byID := make(map[campaign.ContactID]campaign.AuditEntry, len(ids))
	for i, id := range ids {
		a := audits[i]
		if a.WorkspaceID == "" {
			a.WorkspaceID = ws
		}
		if err := checkWorkspace(ws, a.WorkspaceID, "audit entry"); err != nil {
			return 0, s.fail(op, err)
		}
		e.time("AuditEntry.At", a.At)
		byID[id] = a
	}
	if e.err != nil {
		return 0, s.fail(op, e.err)
	}
	args := make([]any, 0, len(ids)+3)
	args = append(args, campaign.ContactPending, now, ws)
	for _, id := range ids {
		args = append(args, id)
	}
	n := 0
	err := s.inTx(ctx, op, func(tx *sqlx.Tx) error {
		var moved []campaign.ContactID
		if err := tx.SelectContext(ctx, &moved, s.q(`UPDATE contacts SET status = ?, updated_at = ?, version = version + 1, q_rank = 9
WHERE workspace_id = ? AND status = 'held' AND id IN (`+placeholders(len(ids))+`) RETURNING id`), args...); err != nil {
			return err
		}
		n = len(moved)
		var e enc
		return s.insertBatched(ctx, tx, `INSERT INTO audit_log (workspace_id, id, actor_id, action, entity, entity_id, detail, at) VALUES `, 8, len(moved),
			func(args []any, i int) []any {
				a := byID[moved[i]]
				return append(args, a.WorkspaceID, a.ID, a.ActorID, a.Action, a.Entity, a.EntityID, a.Detail, e.time("AuditEntry.At", a.At))
			}, &e)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
