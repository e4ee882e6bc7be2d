package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
)

// feedRef is a feed row to write: the kind of change, the record it names
// (ref) and when it happened.
type feedRef struct {
	ws       campaign.WorkspaceID
	kind     campaign.FeedKind
	campaign campaign.ID
	ref      string
	at       time.Time
}

// attemptFeed is the feed row of attempt a.
func attemptFeed(a campaign.Attempt) feedRef {
	at := a.EndedAt
	if at.IsZero() {
		at = a.StartedAt
	}
	return feedRef{ws: a.WorkspaceID, kind: campaign.FeedAttempt, campaign: a.CampaignID, ref: string(a.ID), at: at}
}

// blockFeed is the feed row of block b.
func blockFeed(b campaign.Block) feedRef {
	return feedRef{ws: b.WorkspaceID, kind: campaign.FeedBlock, campaign: b.CampaignID, ref: string(b.ID), at: b.At}
}

// insertFeed writes feed rows in tx, the transaction of the change they
// describe. The database assigns their positions (seq, and on Postgres
// txid by the column's default).
func (s *Store) insertFeed(ctx context.Context, tx *sqlx.Tx, fs []feedRef) error {
	var e enc
	return s.insertBatched(ctx, tx, `INSERT INTO feed (workspace_id, kind, campaign_id, ref, at) VALUES `, 5, len(fs), func(args []any, i int) []any {
		f := fs[i]
		return append(args, f.ws, f.kind, f.campaign, f.ref, e.time("feed.At", f.at))
	}, &e)
}

type feedRow struct {
	TxID       int64  `db:"txid"`
	Seq        int64  `db:"seq"`
	Kind       string `db:"kind"`
	CampaignID string `db:"campaign_id"`
	Ref        string `db:"ref"`
	At         int64  `db:"at"`
}

// ReadFeed implements campaign.FeedStore. On Postgres it returns only
// rows whose transaction id is below its snapshot's xmin
// (Dialect.FeedHorizon), so a row committed later can never take a
// position before one already returned.
func (s *Store) ReadFeed(ctx context.Context, ws campaign.WorkspaceID, q campaign.FeedQuery) ([]campaign.FeedEvent, error) {
	const op = "read feed"
	query := `SELECT txid, seq, kind, campaign_id, ref, at FROM feed WHERE workspace_id = ? AND (txid, seq) > (?, ?)`
	args := []any{ws, q.After.Tx, q.After.Seq}
	if s.d.FeedHorizon != "" {
		query += ` AND txid < ` + s.d.FeedHorizon
	}
	if q.CampaignID != "" {
		query += ` AND campaign_id = ?`
		args = append(args, q.CampaignID)
	}
	var rows []feedRow
	if err := s.r.SelectContext(ctx, &rows, s.q(query+` ORDER BY txid, seq LIMIT ?`), append(args, q.PageLimit())...); err != nil {
		return nil, s.fail(op, err)
	}
	// The horizon is read after the rows: a prune that committed before
	// the rows were read shows in it (it only moves forward), so a read
	// that missed pruned events always reports them.
	if !q.After.IsZero() {
		var h struct {
			TxID int64 `db:"txid"`
			Seq  int64 `db:"seq"`
		}
		err := s.r.GetContext(ctx, &h, s.q(`SELECT txid, seq FROM feed_pruned WHERE workspace_id = ?`), ws)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, s.fail(op, err)
		default:
			if through := (campaign.FeedPosition{Tx: h.TxID, Seq: h.Seq}); q.After.Less(through) {
				return nil, &campaign.FeedPrunedError{After: q.After, Through: through}
			}
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	// The records are read after the feed rows: they are never deleted,
	// only masked by an erasure, which the events then show.
	var attIDs, blkIDs, trSeqs []any
	for _, r := range rows {
		switch campaign.FeedKind(r.Kind) {
		case campaign.FeedAttempt:
			attIDs = append(attIDs, r.Ref)
		case campaign.FeedBlock:
			blkIDs = append(blkIDs, r.Ref)
		case campaign.FeedStatus:
			trSeqs = append(trSeqs, r.Ref)
		}
	}
	atts := map[string]campaign.Attempt{}
	if len(attIDs) > 0 {
		var ars []attemptRow
		if err := s.r.SelectContext(ctx, &ars, s.q(`SELECT `+attemptColumns+` FROM attempts WHERE workspace_id = ? AND id IN (`+placeholders(len(attIDs))+`)`),
			append([]any{ws}, attIDs...)...); err != nil {
			return nil, s.fail(op, err)
		}
		for _, r := range ars {
			a, err := r.attempt()
			if err != nil {
				return nil, s.fail(op, err)
			}
			atts[string(a.ID)] = a
		}
	}
	blks := map[string]campaign.Block{}
	if len(blkIDs) > 0 {
		var brs []blockRow
		if err := s.r.SelectContext(ctx, &brs, s.q(`SELECT `+blockColumns+` FROM blocks WHERE workspace_id = ? AND id IN (`+placeholders(len(blkIDs))+`)`),
			append([]any{ws}, blkIDs...)...); err != nil {
			return nil, s.fail(op, err)
		}
		for _, r := range brs {
			blks[r.ID] = r.block()
		}
	}
	trs := map[string]campaign.Transition{}
	if len(trSeqs) > 0 {
		var trows []struct {
			Seq int64 `db:"seq"`
			transitionRow
		}
		if err := s.r.SelectContext(ctx, &trows, s.q(`SELECT seq, workspace_id, campaign_id, from_status, to_status, by_user, reason, at
FROM campaign_transitions WHERE workspace_id = ? AND seq IN (`+placeholders(len(trSeqs))+`)`), append([]any{ws}, trSeqs...)...); err != nil {
			return nil, s.fail(op, err)
		}
		for _, r := range trows {
			trs[strconv.FormatInt(r.Seq, 10)] = r.transition()
		}
	}
	out := make([]campaign.FeedEvent, 0, len(rows))
	for _, r := range rows {
		ev := campaign.FeedEvent{Position: campaign.FeedPosition{Tx: r.TxID, Seq: r.Seq}, Kind: campaign.FeedKind(r.Kind),
			CampaignID: campaign.ID(r.CampaignID), At: fromNanos(r.At)}
		switch ev.Kind {
		case campaign.FeedAttempt:
			a, ok := atts[r.Ref]
			if !ok {
				return nil, s.fail(op, fmt.Errorf("feed row %d names attempt %q, which is missing", r.Seq, r.Ref))
			}
			ev.Attempt = &a
		case campaign.FeedBlock:
			b, ok := blks[r.Ref]
			if !ok {
				return nil, s.fail(op, fmt.Errorf("feed row %d names block %q, which is missing", r.Seq, r.Ref))
			}
			ev.Block = &b
		case campaign.FeedStatus:
			t, ok := trs[r.Ref]
			if !ok {
				return nil, s.fail(op, fmt.Errorf("feed row %d names transition %s, which is missing", r.Seq, r.Ref))
			}
			ev.Transition = &t
		}
		out = append(out, ev)
	}
	return out, nil
}

// PruneFeed implements campaign.FeedStore.
func (s *Store) PruneFeed(ctx context.Context, ws campaign.WorkspaceID, before time.Time, a campaign.AuditEntry) (int, error) {
	var e enc
	b := e.time("before", before)
	if e.err != nil {
		return 0, s.fail("prune feed", e.err)
	}
	n := 0
	err := s.inTx(ctx, "prune feed", func(tx *sqlx.Tx) error {
		var one int
		if err := tx.GetContext(ctx, &one, s.q(`SELECT 1 FROM workspaces WHERE id = ?`), ws); err != nil {
			return wrapNoRows(err, "workspace", ws)
		}
		// The newest position to delete becomes the horizon; the delete
		// stops there, so a row committed meanwhile is left for the next
		// prune rather than deleted past the recorded horizon.
		var last []struct {
			TxID int64 `db:"txid"`
			Seq  int64 `db:"seq"`
		}
		if err := tx.SelectContext(ctx, &last, s.q(`SELECT txid, seq FROM feed WHERE workspace_id = ? AND at < ?
ORDER BY txid DESC, seq DESC LIMIT 1`), ws, b); err != nil {
			return err
		}
		if len(last) == 1 {
			h := last[0]
			res, err := tx.ExecContext(ctx, s.q(`DELETE FROM feed WHERE workspace_id = ? AND at < ? AND (txid, seq) <= (?, ?)`), ws, b, h.TxID, h.Seq)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n = int(k)
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO feed_pruned (workspace_id, txid, seq) VALUES (?, ?, ?)
ON CONFLICT (workspace_id) DO UPDATE SET txid = excluded.txid, seq = excluded.seq
WHERE (feed_pruned.txid, feed_pruned.seq) < (excluded.txid, excluded.seq)`), ws, h.TxID, h.Seq); err != nil {
				return err
			}
		}
		a.Detail = fmt.Sprintf("%s: %d events deleted", a.Detail, n)
		return s.insertAudit(ctx, tx, ws, a)
	})
	return n, err
}
