package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
)

// cloneReportSchedule returns r with its own Recipients and UTC times.
func cloneReportSchedule(r report.ScheduleRecord) report.ScheduleRecord {
	r.Recipients = slices.Clone(r.Recipients)
	r.Next, r.LastDue = utc(r.Next), utc(r.LastDue)
	return r
}

// PutSchedule implements report.Store.
func (s *Store) PutReportSchedule(ctx context.Context, r report.ScheduleRecord) error {
	if r.WorkspaceID == "" || r.ID == "" {
		return fmt.Errorf("%w: a schedule needs a WorkspaceID and an ID", campaign.ErrInvalid)
	}
	return s.lock(ctx, func() error {
		m := s.rs().schedules[r.WorkspaceID]
		if m == nil {
			m = map[report.ScheduleID]report.ScheduleRecord{}
			s.rs().schedules[r.WorkspaceID] = m
		}
		m[r.ID] = cloneReportSchedule(r)
		return nil
	})
}

// GetSchedule implements report.Store.
func (s *Store) GetReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id report.ScheduleID) (r report.ScheduleRecord, err error) {
	err = s.lock(ctx, func() error {
		got, ok := s.rs().schedules[ws][id]
		if !ok {
			return fmt.Errorf("memory: schedule %q: %w", id, campaign.ErrNotFound)
		}
		r = cloneReportSchedule(got)
		return nil
	})
	return r, err
}

// ListSchedules implements report.Store.
func (s *Store) ListReportSchedules(ctx context.Context, ws campaign.WorkspaceID) (out []report.ScheduleRecord, err error) {
	err = s.lock(ctx, func() error {
		for _, r := range s.rs().schedules[ws] {
			out = append(out, cloneReportSchedule(r))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b report.ScheduleRecord) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// DeleteSchedule implements report.Store.
func (s *Store) DeleteReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id report.ScheduleID) error {
	return s.lock(ctx, func() error {
		if _, ok := s.rs().schedules[ws][id]; !ok {
			return fmt.Errorf("memory: schedule %q: %w", id, campaign.ErrNotFound)
		}
		delete(s.rs().schedules[ws], id)
		return nil
	})
}

// DueSchedules implements report.Store.
func (s *Store) DueReportSchedules(ctx context.Context, now time.Time, limit int) (out []report.ScheduleRecord, err error) {
	err = s.lock(ctx, func() error {
		for _, m := range s.rs().schedules {
			for _, r := range m {
				if !r.Next.IsZero() && !r.Next.After(now) {
					out = append(out, cloneReportSchedule(r))
				}
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b report.ScheduleRecord) int {
		return cmp.Or(a.Next.Compare(b.Next), cmp.Compare(a.WorkspaceID, b.WorkspaceID), cmp.Compare(a.ID, b.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// ClaimSchedule implements report.Store.
func (s *Store) ClaimReportSchedule(ctx context.Context, ws campaign.WorkspaceID, id report.ScheduleID, due, next time.Time) (ok bool, err error) {
	err = s.lock(ctx, func() error {
		r, found := s.rs().schedules[ws][id]
		if !found || r.Next.IsZero() || !r.Next.Equal(due) {
			return nil
		}
		r.Next, r.LastDue = utc(next), utc(due)
		s.rs().schedules[ws][id] = r
		ok = true
		return nil
	})
	return ok, err
}
