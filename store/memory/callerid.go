package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

var _ campaign.CallerIDStore = (*Store)(nil)

type callerIDKey struct {
	ws     campaign.WorkspaceID
	number string
}

// CallerIDStates implements campaign.CallerIDStore.
func (s *Store) CallerIDStates(ctx context.Context, ws campaign.WorkspaceID, numbers []string) ([]campaign.CallerIDState, error) {
	var out []campaign.CallerIDState
	err := s.lock(ctx, func() error {
		for k, st := range s.callerIDs {
			if k.ws == ws && (numbers == nil || slices.Contains(numbers, k.number)) {
				out = append(out, st)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b campaign.CallerIDState) int { return strings.Compare(a.Number, b.Number) })
	return out, err
}

// RecordCallerIDUse implements campaign.CallerIDStore.
func (s *Store) RecordCallerIDUse(ctx context.Context, ws campaign.WorkspaceID, use campaign.CallerIDUse) (campaign.CallerIDState, error) {
	if err := campaign.ValidCallerIDUse(use); err != nil {
		return campaign.CallerIDState{}, fmt.Errorf("memory: record caller ID use: %w", err)
	}
	var st campaign.CallerIDState
	err := s.lock(ctx, func() error {
		if _, ok := s.workspaces[ws]; !ok {
			return notFound("workspace", ws)
		}
		k := callerIDKey{ws, use.Number}
		st = s.callerIDState(k)
		if use.Day > st.Day {
			st.Day, st.CallsToday = use.Day, 0
		}
		if use.DailyCap > 0 && st.CallsToday >= use.DailyCap {
			return fmt.Errorf("memory: record caller ID use: %w: %s has %d calls on %s", campaign.ErrCallerIDCapped, use.Number, st.CallsToday, st.Day)
		}
		st.CallsToday++
		st.CallsTotal++
		st.UpdatedAt = utc(use.At)
		s.callerIDs[k] = st
		return nil
	})
	return st, err
}

// UpdateCallerID implements campaign.CallerIDStore.
func (s *Store) UpdateCallerID(ctx context.Context, ws campaign.WorkspaceID, number string, u campaign.CallerIDUpdate, now time.Time) (campaign.CallerIDState, error) {
	if err := campaign.ValidCallerIDUpdate(number, u); err != nil {
		return campaign.CallerIDState{}, fmt.Errorf("memory: update caller ID: %w", err)
	}
	var st campaign.CallerIDState
	err := s.lock(ctx, func() error {
		if _, ok := s.workspaces[ws]; !ok {
			return notFound("workspace", ws)
		}
		k := callerIDKey{ws, number}
		st = s.callerIDState(k)
		if u.Disabled != nil {
			st.Disabled = *u.Disabled
		}
		if u.SpamScore != nil {
			st.SpamScore = *u.SpamScore
		}
		st.UpdatedAt = utc(now)
		s.callerIDs[k] = st
		return nil
	})
	return st, err
}

// callerIDState returns k's state, or a fresh one. s.mu is held.
func (s *Store) callerIDState(k callerIDKey) campaign.CallerIDState {
	if s.callerIDs == nil {
		s.callerIDs = map[callerIDKey]campaign.CallerIDState{}
	}
	st, ok := s.callerIDs[k]
	if !ok {
		st = campaign.CallerIDState{WorkspaceID: k.ws, Number: k.number}
	}
	return st
}
