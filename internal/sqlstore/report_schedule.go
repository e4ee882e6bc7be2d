package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

const reportScheduleColumns = `workspace_id, id, campaign_id, trigger_kind, cron, recipients, subject, attach, next_at, last_due`

type reportScheduleRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	CampaignID  string `db:"campaign_id"`
	Trigger     string `db:"trigger_kind"`
	Cron        string `db:"cron"`
	Recipients  string `db:"recipients"`
	Subject     string `db:"subject"`
	Attach      bool   `db:"attach"`
	Next        int64  `db:"next_at"`
	LastDue     int64  `db:"last_due"`
}

func (s *Store) reportScheduleRecords(op string, rows []reportScheduleRow) ([]report.ScheduleRecord, error) {
	out := make([]report.ScheduleRecord, len(rows))
	var d dec
	for i, r := range rows {
		out[i] = report.ScheduleRecord{Schedule: report.Schedule{ID: report.ScheduleID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID),
			CampaignID: campaign.ID(r.CampaignID), Trigger: report.Trigger(r.Trigger), Cron: r.Cron, Subject: r.Subject, Attach: r.Attach},
			Next: fromNanos(r.Next), LastDue: fromNanos(r.LastDue)}
		d.json("recipients", r.Recipients, &out[i].Recipients)
	}
	if d.err != nil {
		return nil, s.fail(op, d.err)
	}
	return out, nil
}

// PutSchedule implements report.Store.
func (s *Store) PutReportSchedule(ctx context.Context, r report.ScheduleRecord) error {
	if r.WorkspaceID == "" || r.ID == "" {
		return s.fail("put schedule", fmt.Errorf("%w: a schedule needs a WorkspaceID and an ID", campaign.ErrInvalid))
	}
	var en enc
	next, last := en.time("ScheduleRecord.Next", r.Next), en.time("ScheduleRecord.LastDue", r.LastDue)
	rcpt := en.json("Schedule.Recipients", r.Recipients)
	if en.err != nil {
		return s.fail("put schedule", en.err)
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO report_schedules (`+reportScheduleColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, id) DO UPDATE SET
campaign_id = excluded.campaign_id, trigger_kind = excluded.trigger_kind, cron = excluded.cron, recipients = excluded.recipients,
subject = excluded.subject, attach = excluded.attach, next_at = excluded.next_at, last_due = excluded.last_due`),
		r.WorkspaceID, r.ID, r.CampaignID, r.Trigger, r.Cron, rcpt, r.Subject, r.Attach, next, last)
	if err != nil {
		return s.fail("put schedule", err)
	}
	return nil
}

// GetSchedule implements report.Store.
func (s *Store) GetReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id report.ScheduleID) (report.ScheduleRecord, error) {
	var rows []reportScheduleRow
	if err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT `+reportScheduleColumns+` FROM report_schedules
WHERE workspace_id = ? AND id = ?`), ws, id); err != nil {
		return report.ScheduleRecord{}, s.fail("get schedule", err)
	}
	if len(rows) == 0 {
		return report.ScheduleRecord{}, s.fail("get schedule", fmt.Errorf("schedule %q: %w", id, campaign.ErrNotFound))
	}
	out, err := s.reportScheduleRecords("get schedule", rows)
	if err != nil {
		return report.ScheduleRecord{}, err
	}
	return out[0], nil
}

// ListSchedules implements report.Store.
func (s *Store) ListReportSchedules(ctx context.Context, ws campaign.WorkspaceID) ([]report.ScheduleRecord, error) {
	var rows []reportScheduleRow
	if err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT `+reportScheduleColumns+` FROM report_schedules
WHERE workspace_id = ? ORDER BY id`), ws); err != nil {
		return nil, s.fail("list schedules", err)
	}
	return s.reportScheduleRecords("list schedules", rows)
}

// DeleteSchedule implements report.Store.
func (s *Store) DeleteReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id report.ScheduleID) error {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM report_schedules WHERE workspace_id = ? AND id = ?`), ws, id)
	if err != nil {
		return s.fail("delete schedule", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.fail("delete schedule", err)
	} else if n == 0 {
		return s.fail("delete schedule", fmt.Errorf("schedule %q: %w", id, campaign.ErrNotFound))
	}
	return nil
}

// DueSchedules implements report.Store.
func (s *Store) DueReportSchedules(ctx context.Context, now time.Time, limit int) ([]report.ScheduleRecord, error) {
	var en enc
	at := en.time("now", now)
	if en.err != nil {
		return nil, s.fail("due schedules", en.err)
	}
	var rows []reportScheduleRow
	if err := sqlx.SelectContext(ctx, s.r, &rows, s.q(`SELECT `+reportScheduleColumns+` FROM report_schedules
WHERE next_at <> 0 AND next_at <= ? ORDER BY next_at, workspace_id, id`+limitClause(limit)), at); err != nil {
		return nil, s.fail("due schedules", err)
	}
	return s.reportScheduleRecords("due schedules", rows)
}

// ClaimSchedule implements report.Store: one conditional UPDATE, so of two
// schedulers claiming the same fire time exactly one succeeds.
func (s *Store) ClaimReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id report.ScheduleID, due, nextAt time.Time) (bool, error) {
	var en enc
	d, n := en.time("due", due), en.time("next", nextAt)
	if en.err != nil {
		return false, s.fail("claim schedule", en.err)
	}
	if d == 0 {
		return false, nil
	}
	res, err := s.w.ExecContext(ctx, s.q(`UPDATE report_schedules SET next_at = ?, last_due = ?
WHERE workspace_id = ? AND id = ? AND next_at = ?`), n, d, ws, id, d)
	if err != nil {
		return false, s.fail("claim schedule", err)
	}
	k, err := res.RowsAffected()
	if err != nil {
		return false, s.fail("claim schedule", err)
	}
	return k == 1, nil
}
