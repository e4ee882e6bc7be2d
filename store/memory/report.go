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

var (
	_ report.Store        = (*Store)(nil)
	_ campaign.SpanWriter = (*Store)(nil)
)

// reportState is report.Store's part of the memory store: agent spans and
// the export and delivery histories. The attempt log and the blocks are the
// queue's (queue.go).
type reportState struct {
	spans      map[campaign.WorkspaceID][]campaign.AgentSpan
	exports    map[campaign.WorkspaceID][]report.ExportRecord
	deliveries map[campaign.WorkspaceID][]report.Delivery
	schedules  map[campaign.WorkspaceID]map[report.ScheduleID]report.ScheduleRecord
}

// rs returns the report state, making it on first use; call under the lock.
func (s *Store) rs() *reportState {
	if s.rep == nil {
		s.rep = &reportState{
			spans:      map[campaign.WorkspaceID][]campaign.AgentSpan{},
			exports:    map[campaign.WorkspaceID][]report.ExportRecord{},
			deliveries: map[campaign.WorkspaceID][]report.Delivery{},
			schedules:  map[campaign.WorkspaceID]map[report.ScheduleID]report.ScheduleRecord{},
		}
	}
	return s.rep
}

// SeedAttempts appends attempts to the attempt log as history, without the
// queue's consequences (contact states are left as they are): for tests,
// examples and loading a past log. Attempt IDs must be new.
func (s *Store) SeedAttempts(ctx context.Context, as []campaign.Attempt) error {
	return s.lock(ctx, func() error {
		seen := map[campaign.AttemptID]bool{}
		for _, a := range as {
			if a.ID == "" || a.WorkspaceID == "" || a.CampaignID == "" {
				return fmt.Errorf("%w: attempt needs ID, WorkspaceID and CampaignID", campaign.ErrInvalid)
			}
			if s.q.attIDs[a.WorkspaceID][a.ID] || seen[a.ID] {
				return fmt.Errorf("%w: attempt %s exists", campaign.ErrConflict, a.ID)
			}
			seen[a.ID] = true
		}
		for _, a := range as {
			a = cloneAttempt(a)
			s.q.attempts[a.WorkspaceID] = append(s.q.attempts[a.WorkspaceID], a)
			if s.q.attIDs[a.WorkspaceID] == nil {
				s.q.attIDs[a.WorkspaceID] = map[campaign.AttemptID]bool{}
				s.q.byNumber[a.WorkspaceID] = map[string][]time.Time{}
			}
			s.q.attIDs[a.WorkspaceID][a.ID] = true
			s.q.byNumber[a.WorkspaceID][a.Number] = append(s.q.byNumber[a.WorkspaceID][a.Number], a.StartedAt)
		}
		return nil
	})
}

// AppendAgentSpans implements campaign.SpanWriter.
func (s *Store) AppendAgentSpans(ctx context.Context, spans []campaign.AgentSpan) error {
	return s.lock(ctx, func() error {
		for _, sp := range spans {
			if sp.WorkspaceID == "" || sp.End.Before(sp.Start) {
				return fmt.Errorf("%w: agent span needs a WorkspaceID and End not before Start", campaign.ErrInvalid)
			}
		}
		r := s.rs()
		for _, sp := range spans {
			sp.Start, sp.End = utc(sp.Start), utc(sp.End)
			r.spans[sp.WorkspaceID] = append(r.spans[sp.WorkspaceID], sp)
		}
		return nil
	})
}

// inRange reports whether t is in [from, to), zero bounds open.
func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// AttemptBuckets implements report.Store.
func (s *Store) AttemptBuckets(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) (out []report.Bucket, err error) {
	err = s.lock(ctx, func() error {
		m := map[time.Time]*report.Bucket{}
		for _, a := range s.q.attempts[ws] {
			if a.CampaignID != id {
				continue
			}
			b := report.BucketStart(a.StartedAt)
			if !inRange(b, from, to) {
				continue
			}
			if m[b] == nil {
				m[b] = &report.Bucket{Start: b}
			}
			m[b].Add(a)
		}
		for _, b := range m {
			out = append(out, *b)
		}
		slices.SortFunc(out, func(a, b report.Bucket) int { return a.Start.Compare(b.Start) })
		return nil
	})
	return out, err
}

// AttemptCounts implements report.Store.
func (s *Store) AttemptCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) (c report.Counts, err error) {
	err = s.lock(ctx, func() error {
		for _, a := range s.q.attempts[ws] {
			if a.CampaignID == id && inRange(a.StartedAt, from, to) {
				c.Add(a)
			}
		}
		return nil
	})
	return c, err
}

// GoalCounts implements report.Store.
func (s *Store) GoalCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (out []report.GoalCount, err error) {
	err = s.lock(ctx, func() error {
		type key struct {
			g campaign.GoalID
			s string
		}
		m := map[key]int64{}
		for _, a := range s.q.attempts[ws] {
			if a.CampaignID == id {
				for g, st := range a.Outcome.Goals {
					m[key{g, st}]++
				}
			}
		}
		for k, n := range m {
			out = append(out, report.GoalCount{GoalID: k.g, Status: k.s, Count: n})
		}
		slices.SortFunc(out, func(a, b report.GoalCount) int {
			return cmp.Or(cmp.Compare(a.GoalID, b.GoalID), cmp.Compare(a.Status, b.Status))
		})
		return nil
	})
	return out, err
}

// AnswerCounts implements report.Store.
func (s *Store) AnswerCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (out []report.AnswerCount, err error) {
	err = s.lock(ctx, func() error {
		type key struct {
			q campaign.AnalysisID
			a string
		}
		m := map[key]int64{}
		for _, a := range s.q.attempts[ws] {
			if a.CampaignID == id {
				for q, ans := range a.Outcome.Answers {
					for _, v := range ans {
						m[key{q, v}]++
					}
				}
			}
		}
		for k, n := range m {
			out = append(out, report.AnswerCount{AnalysisID: k.q, Answer: k.a, Count: n})
		}
		slices.SortFunc(out, func(a, b report.AnswerCount) int {
			return cmp.Or(cmp.Compare(a.AnalysisID, b.AnalysisID), cmp.Compare(a.Answer, b.Answer))
		})
		return nil
	})
	return out, err
}

// latest returns the latest attempt (highest Seq, then latest StartedAt)
// of each of the campaign's contacts; call under the lock.
func (s *Store) latest(ws campaign.WorkspaceID, id campaign.ID) map[campaign.ContactID]campaign.Attempt {
	last := map[campaign.ContactID]campaign.Attempt{}
	for _, a := range s.q.attempts[ws] {
		if a.CampaignID != id {
			continue
		}
		if p, ok := last[a.ContactID]; !ok || a.Seq > p.Seq || (a.Seq == p.Seq && a.StartedAt.After(p.StartedAt)) {
			last[a.ContactID] = a
		}
	}
	return last
}

// ContactCounts implements report.Store.
func (s *Store) ContactCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) (cc report.ContactCounts, err error) {
	err = s.lock(ctx, func() error {
		cc.ByStatus = map[campaign.ContactStatus]int64{}
		last := s.latest(ws, id)
		for _, c := range s.contacts {
			if c.WorkspaceID != ws || c.CampaignID != id {
				continue
			}
			cc.ByStatus[c.Status]++
			if f := s.q.facts[c.ID]; c.Status == campaign.ContactDialing && f != nil && f.dial.AttemptID != "" {
				cc.InCall++
			}
			switch c.Status {
			case campaign.ContactPending, campaign.ContactRetry, campaign.ContactCallback:
				if !c.NextAttemptAt.After(now) {
					cc.Due++
				}
			}
			if !report.CompletedStatus(c.Status) {
				continue
			}
			a, ok := last[c.ID]
			if !ok {
				continue
			}
			d, dok := s.dispositions[a.DispositionID]
			switch {
			case dok && d.WorkspaceID == ws && (d.Contacted || d.Qualified):
				cc.Successful++
			case a.AnsweredBy == "machine" || a.Result == campaign.ResultMachine:
				cc.Voicemail++
			}
		}
		return nil
	})
	return cc, err
}

// BlockCounts implements report.Store.
func (s *Store) BlockCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (out []report.BlockCount, err error) {
	err = s.lock(ctx, func() error {
		type key struct {
			s campaign.BlockScope
			r string
		}
		m := map[key]*report.BlockCount{}
		contacts := map[key]map[campaign.ContactID]bool{}
		for _, b := range s.q.blocks[ws] {
			if b.CampaignID != id {
				continue
			}
			k := key{b.Scope, b.Reason}
			if m[k] == nil {
				m[k] = &report.BlockCount{Scope: b.Scope, Reason: b.Reason}
				contacts[k] = map[campaign.ContactID]bool{}
			}
			m[k].Blocks++
			if b.ContactID != "" && !contacts[k][b.ContactID] {
				contacts[k][b.ContactID] = true
				m[k].Contacts++
			}
		}
		for _, b := range m {
			out = append(out, *b)
		}
		slices.SortFunc(out, func(a, b report.BlockCount) int {
			return cmp.Or(cmp.Compare(a.Scope, b.Scope), cmp.Compare(a.Reason, b.Reason))
		})
		return nil
	})
	return out, err
}

// AgentStats implements report.Store.
func (s *Store) AgentStats(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, now time.Time) (st report.AgentStats, err error) {
	err = s.lock(ctx, func() error {
		st = report.AgentStatsOf(s.rs().spans[ws], id, now)
		return nil
	})
	return st, err
}

// scanChunk is how many records a scan copies per lock hold.
const scanChunk = 512

// ScanAttempts implements report.Store: it sorts the matching positions
// in the log once, then copies scanChunk attempts at a time under the lock
// and calls fn outside it. The log is append-only, so positions stay valid.
func (s *Store) ScanAttempts(ctx context.Context, ws campaign.WorkspaceID, f report.AttemptFilter, fn func(campaign.Attempt) error) error {
	var pos []int32
	err := s.lock(ctx, func() error {
		log := s.q.attempts[ws]
		for i, a := range log {
			if (f.CampaignID == "" || a.CampaignID == f.CampaignID) && (f.ContactID == "" || a.ContactID == f.ContactID) &&
				inRange(a.StartedAt, f.From, f.To) {
				pos = append(pos, int32(i))
			}
		}
		slices.SortStableFunc(pos, func(i, j int32) int {
			a, b := &log[i], &log[j]
			return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.ID, b.ID))
		})
		return nil
	})
	if err != nil {
		return err
	}
	buf := make([]campaign.Attempt, 0, scanChunk)
	for len(pos) > 0 {
		chunk := pos[:min(scanChunk, len(pos))]
		pos = pos[len(chunk):]
		buf = buf[:0]
		if err := s.lock(ctx, func() error {
			log := s.q.attempts[ws]
			for _, i := range chunk {
				buf = append(buf, cloneAttempt(log[i]))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, a := range buf {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// ScanContactRows implements report.Store.
func (s *Store) ScanContactRows(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, fn func(report.ContactRow) error) error {
	var ids []campaign.ContactID
	rows := map[campaign.ContactID]*report.ContactRow{}
	err := s.lock(ctx, func() error {
		for _, c := range s.contacts {
			if c.WorkspaceID == ws && c.CampaignID == id {
				ids = append(ids, c.ID)
			}
		}
		for _, a := range s.q.attempts[ws] {
			if a.CampaignID != id {
				continue
			}
			r := rows[a.ContactID]
			if r == nil {
				r = &report.ContactRow{}
				rows[a.ContactID] = r
			}
			r.Attempts++
			if r.LastAttemptAt.IsZero() || !a.StartedAt.Before(r.LastAttemptAt) {
				r.LastAttemptAt, r.LastResult, r.LastDispositionID = a.StartedAt, a.Result, a.DispositionID
			}
			r.Talk += a.TalkDuration
			r.Cost += a.Cost
			if a.Outcome.MeetingBooked {
				r.Meetings++
			}
			r.Revenue += a.Outcome.Revenue
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(ids)
	for i := 0; i < len(ids); i += scanChunk {
		chunk := ids[i:min(i+scanChunk, len(ids))]
		out := make([]report.ContactRow, 0, len(chunk))
		err := s.lock(ctx, func() error {
			for _, cid := range chunk {
				c, ok := s.contacts[cid]
				if !ok || c.WorkspaceID != ws || c.CampaignID != id {
					continue
				}
				r := report.ContactRow{}
				if p := rows[cid]; p != nil {
					r = *p
				}
				r.Contact = cloneContact(c)
				out = append(out, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range out {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// AppendExport implements report.Store.
func (s *Store) AppendExport(ctx context.Context, e report.ExportRecord) error {
	return s.lock(ctx, func() error {
		e.At = utc(e.At)
		s.rs().exports[e.WorkspaceID] = append(s.rs().exports[e.WorkspaceID], e)
		return nil
	})
}

// ListExports implements report.Store.
func (s *Store) ListExports(ctx context.Context, ws campaign.WorkspaceID, limit int) (out []report.ExportRecord, err error) {
	err = s.lock(ctx, func() error {
		out = newestFirst(s.rs().exports[ws], limit)
		return nil
	})
	return out, err
}

// AppendDelivery implements report.Store.
func (s *Store) AppendDelivery(ctx context.Context, d report.Delivery) error {
	return s.lock(ctx, func() error {
		d.At, d.Due = utc(d.At), utc(d.Due)
		d.Recipients = slices.Clone(d.Recipients)
		s.rs().deliveries[d.WorkspaceID] = append(s.rs().deliveries[d.WorkspaceID], d)
		return nil
	})
}

// ListDeliveries implements report.Store.
func (s *Store) ListDeliveries(ctx context.Context, ws campaign.WorkspaceID, limit int) (out []report.Delivery, err error) {
	err = s.lock(ctx, func() error {
		out = newestFirst(s.rs().deliveries[ws], limit)
		for i := range out {
			out[i].Recipients = slices.Clone(out[i].Recipients)
		}
		return nil
	})
	return out, err
}

func newestFirst[T any](xs []T, limit int) []T {
	out := slices.Clone(xs)
	slices.Reverse(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
