package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

// AppendExport implements report.Store.
func (s *Store) AppendExport(ctx context.Context, e report.ExportRecord) error {
	var en enc
	at := en.time("ExportRecord.At", e.At)
	if en.err != nil {
		return s.fail("append export", en.err)
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO report_exports
(workspace_id, id, campaign_id, kind, format, compression, file_name, row_count, byte_count, by_user, at, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.WorkspaceID, e.ID, e.CampaignID, e.Kind, e.Format, e.Compression, e.FileName, e.Rows, e.Bytes, e.By, at, e.Error)
	if err != nil {
		return s.fail("append export", err)
	}
	return nil
}

type exportRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	CampaignID  string `db:"campaign_id"`
	Kind        string `db:"kind"`
	Format      string `db:"format"`
	Compression string `db:"compression"`
	FileName    string `db:"file_name"`
	Rows        int64  `db:"row_count"`
	Bytes       int64  `db:"byte_count"`
	By          string `db:"by_user"`
	At          int64  `db:"at"`
	Error       string `db:"error"`
}

// limitClause returns " LIMIT n" for n > 0.
func limitClause(n int) string {
	if n > 0 {
		return " LIMIT " + itoa(n)
	}
	return ""
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// ListExports implements report.Store.
func (s *Store) ListExports(ctx context.Context, ws campaign.WorkspaceID, limit int) ([]report.ExportRecord, error) {
	var rows []exportRow
	err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT workspace_id, id, campaign_id, kind, format, compression, file_name,
row_count, byte_count, by_user, at, error FROM report_exports WHERE workspace_id = ? ORDER BY seq DESC`+limitClause(limit)), ws)
	if err != nil {
		return nil, s.fail("list exports", err)
	}
	out := make([]report.ExportRecord, len(rows))
	for i, r := range rows {
		out[i] = report.ExportRecord{
			ID: report.ExportID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
			Kind: report.ExportKind(r.Kind), Format: report.Format(r.Format), Compression: report.Compression(r.Compression),
			FileName: r.FileName, Rows: r.Rows, Bytes: r.Bytes, By: campaign.UserID(r.By), At: fromNanos(r.At), Error: r.Error,
		}
	}
	return out, nil
}

// AppendDelivery implements report.Store.
func (s *Store) AppendDelivery(ctx context.Context, d report.Delivery) error {
	var en enc
	due, at := en.time("Delivery.Due", d.Due), en.time("Delivery.At", d.At)
	rcpt := en.json("Delivery.Recipients", d.Recipients)
	if en.err != nil {
		return s.fail("append delivery", en.err)
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO report_deliveries
(workspace_id, schedule_id, campaign_id, due, try, at, recipients, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		d.WorkspaceID, d.ScheduleID, d.CampaignID, due, d.Try, at, rcpt, d.Error)
	if err != nil {
		return s.fail("append delivery", err)
	}
	return nil
}

type deliveryRow struct {
	WorkspaceID string `db:"workspace_id"`
	ScheduleID  string `db:"schedule_id"`
	CampaignID  string `db:"campaign_id"`
	Due         int64  `db:"due"`
	Try         int    `db:"try"`
	At          int64  `db:"at"`
	Recipients  string `db:"recipients"`
	Error       string `db:"error"`
}

// ListDeliveries implements report.Store.
func (s *Store) ListDeliveries(ctx context.Context, ws campaign.WorkspaceID, limit int) ([]report.Delivery, error) {
	var rows []deliveryRow
	err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT workspace_id, schedule_id, campaign_id, due, try, at, recipients, error
FROM report_deliveries WHERE workspace_id = ? ORDER BY seq DESC`+limitClause(limit)), ws)
	if err != nil {
		return nil, s.fail("list deliveries", err)
	}
	out := make([]report.Delivery, len(rows))
	var d dec
	for i, r := range rows {
		out[i] = report.Delivery{WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), ScheduleID: report.ScheduleID(r.ScheduleID),
			CampaignID: campaign.ID(r.CampaignID), Due: fromNanos(r.Due), Try: r.Try, At: fromNanos(r.At), Error: r.Error}
		d.json("recipients", r.Recipients, &out[i].Recipients)
	}
	if d.err != nil {
		return nil, s.fail("list deliveries", d.err)
	}
	return out, nil
}

// AppendAgentSpans implements campaign.SpanWriter. In the same transaction
// it rolls each span up into its agent's state total and, unless paused,
// into the 15-minute buckets it overlaps, which AgentStats reads.
func (s *Store) AppendAgentSpans(ctx context.Context, spans []campaign.AgentSpan) error {
	return s.inTx(ctx, "append agent spans", func(tx *sqlx.Tx) error {
		for _, sp := range spans {
			if sp.WorkspaceID == "" || sp.End.Before(sp.Start) {
				return fmt.Errorf("%w: agent span needs a WorkspaceID and End not before Start", campaign.ErrInvalid)
			}
			var en enc
			start, end := en.time("AgentSpan.Start", sp.Start), en.time("AgentSpan.End", sp.End)
			if en.err != nil {
				return en.err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO agent_spans (workspace_id, campaign_id, agent_id, state, start_at, end_at)
VALUES (?, ?, ?, ?, ?, ?)`), sp.WorkspaceID, sp.CampaignID, sp.AgentID, sp.State, start, end); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO report_agent_totals (workspace_id, campaign_id, agent_id, state, total_ns)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id, campaign_id, agent_id, state)
DO UPDATE SET total_ns = report_agent_totals.total_ns + excluded.total_ns`),
				sp.WorkspaceID, sp.CampaignID, sp.AgentID, sp.State, int64(sp.End.Sub(sp.Start))); err != nil {
				return err
			}
			if sp.State == campaign.AgentPaused {
				continue
			}
			for b := report.BucketStart(sp.Start); b.Before(sp.End); b = b.Add(report.BucketSize) {
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO report_agent_buckets (workspace_id, campaign_id, bucket)
VALUES (?, ?, ?) ON CONFLICT (workspace_id, campaign_id, bucket) DO NOTHING`), sp.WorkspaceID, sp.CampaignID, b.UnixNano()); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AgentStats implements report.Store.
func (s *Store) AgentStats(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) (report.AgentStats, error) {
	st := report.AgentStats{Time: map[campaign.AgentState]time.Duration{}}
	var totals []struct {
		Agent string `db:"agent_id"`
		State string `db:"state"`
		Total int64  `db:"total_ns"`
	}
	if err := sqlx.SelectContext(ctx, s.r, &totals, s.q(`SELECT agent_id, state, total_ns FROM report_agent_totals
WHERE workspace_id = ? AND campaign_id = ?`), ws, id); err != nil {
		return st, s.fail("agent stats", err)
	}
	agents := map[string]bool{}
	for _, t := range totals {
		st.Time[campaign.AgentState(t.State)] += time.Duration(t.Total)
		agents[t.Agent] = true
	}
	st.Agents = int64(len(agents))
	if err := sqlx.GetContext(ctx, s.r, &st.ActiveNow, s.q(`SELECT COUNT(DISTINCT agent_id) FROM agent_spans
WHERE workspace_id = ? AND campaign_id = ? AND end_at > ? AND start_at <= ? AND state <> ?`),
		ws, id, now.Add(-report.BucketSize).UnixNano(), now.UnixNano(), campaign.AgentPaused); err != nil {
		return st, s.fail("agent stats", err)
	}
	var buckets []int64
	if err := sqlx.SelectContext(ctx, s.r, &buckets, s.q(`SELECT bucket FROM report_agent_buckets
WHERE workspace_id = ? AND campaign_id = ? ORDER BY bucket`), ws, id); err != nil {
		return st, s.fail("agent stats", err)
	}
	for _, b := range buckets {
		st.ActiveBuckets = append(st.ActiveBuckets, time.Unix(0, b).UTC())
	}
	return st, nil
}
