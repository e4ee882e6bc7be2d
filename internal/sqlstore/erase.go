package sqlstore

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
)

// EraseContactRecords implements campaign.Store: the contact's attempts
// are read, masked with campaign.MaskAttempt and written back (number and
// outcome columns only, so no rollup moves: the rollups count INSERTs);
// its blocks lose their number and detail; its dial journal its number.
func (s *Store) EraseContactRecords(ctx context.Context, ws campaign.WorkspaceID, id campaign.ContactID, a campaign.AuditEntry) (na, nb int, err error) {
	err = s.inTx(ctx, "erase contact records", func(tx *sqlx.Tx) error {
		// The first statement writes, so SQLite takes the write lock first.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE blocks SET number = '', detail = ''
WHERE workspace_id = ? AND contact_id = ? AND (number <> '' OR detail <> '')`), ws, id)
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		nb = int(k)
		var rows []attemptRow
		if err := tx.SelectContext(ctx, &rows, s.q(`SELECT `+attemptColumns+` FROM attempts WHERE workspace_id = ? AND contact_id = ? ORDER BY id`), ws, id); err != nil {
			return err
		}
		for _, r := range rows {
			at, err := r.attempt()
			if err != nil {
				return err
			}
			if campaign.AttemptMasked(at) {
				continue
			}
			var e enc
			vals := attemptValues(&e, campaign.MaskAttempt(at))
			if e.err != nil {
				return e.err
			}
			number, outcome := vals[4], vals[attemptColumnCount-1]
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE attempts SET number = ?, outcome = ? WHERE workspace_id = ? AND id = ?`),
				number, outcome, ws, r.ID); err != nil {
				return err
			}
			na++
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE contacts SET dial_number = '' WHERE workspace_id = ? AND id = ?`), ws, id); err != nil {
			return err
		}
		a.Detail = fmt.Sprintf("%d attempts, %d blocks masked", na, nb)
		return s.insertAudit(ctx, tx, ws, a)
	})
	return na, nb, err
}
