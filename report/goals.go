package report

import (
	"context"
	"slices"

	"github.com/callstackhq/callstack/campaign"
)

// ContactGoals returns one contact's goal results and 0–100% score, from
// its attempts in the attempt log (see [campaign.ScoreGoals]).
func (s *Service) ContactGoals(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, contact campaign.ContactID) (campaign.ContactGoals, error) {
	goals, err := s.store.ListGoals(ctx, ws, id)
	if err != nil {
		return campaign.ContactGoals{}, err
	}
	var as []campaign.Attempt
	err = s.store.ScanAttempts(ctx, ws, AttemptFilter{CampaignID: id, ContactID: contact}, func(a campaign.Attempt) error {
		if len(a.Outcome.Goals) > 0 {
			as = append(as, a)
		}
		return nil
	})
	if err != nil {
		return campaign.ContactGoals{}, err
	}
	return campaign.ScoreGoals(contact, goals, as), nil
}

// GoalScores calls fn with the goal results and score of every contact of
// the campaign that has a goal result in its attempts, in contact ID
// order. It holds the attempts that carry goal results in memory while it
// reads them.
func (s *Service) GoalScores(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, fn func(campaign.ContactGoals) error) error {
	goals, err := s.store.ListGoals(ctx, ws, id)
	if err != nil {
		return err
	}
	byContact := map[campaign.ContactID][]campaign.Attempt{}
	err = s.store.ScanAttempts(ctx, ws, AttemptFilter{CampaignID: id}, func(a campaign.Attempt) error {
		if len(a.Outcome.Goals) > 0 {
			a.Outcome = campaign.OutcomeDetails{Goals: a.Outcome.Goals}
			byContact[a.ContactID] = append(byContact[a.ContactID], a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range sortedContactIDs(byContact) {
		if err := fn(campaign.ScoreGoals(c, goals, byContact[c])); err != nil {
			return err
		}
	}
	return nil
}

func sortedContactIDs(m map[campaign.ContactID][]campaign.Attempt) []campaign.ContactID {
	ids := make([]campaign.ContactID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
