package campaign_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
)

func TestValidateOutcome(t *testing.T) {
	goals := []campaign.Goal{{ID: "meet", Kind: campaign.GoalPrimary}, {ID: "ref", Kind: campaign.GoalSecondary}, {ID: "old", Kind: campaign.GoalSecondary, Archived: true}}
	qs := []campaign.Analysis{
		{ID: "yn", Kind: campaign.AnalysisYesNo, Active: true},
		{ID: "one", Kind: campaign.AnalysisSingleChoice, Choices: []string{"red", "blue"}, Active: true},
		{ID: "many", Kind: campaign.AnalysisMultipleChoice, Choices: []string{"a", "b", "c"}, Active: true},
		{ID: "rate", Kind: campaign.AnalysisRating, Active: true},
		{ID: "open", Kind: campaign.AnalysisOpen, Active: true},
		{ID: "dp", Kind: campaign.AnalysisDataPoint, Active: true},
		{ID: "off", Kind: campaign.AnalysisOpen},
	}
	ok := campaign.OutcomeDetails{
		Goals: map[campaign.GoalID]string{"meet": campaign.GoalAchieved, "ref": campaign.GoalUnknown},
		Answers: map[campaign.AnalysisID][]string{"yn": {"yes"}, "one": {"blue"}, "many": {"c", "a"}, "rate": {"10"},
			"open": {"wants a call in spring"}, "dp": {"42 seats"}},
	}
	require.NoError(t, campaign.ValidateOutcome(ok, goals, qs))

	for name, tc := range map[string]struct {
		o     campaign.OutcomeDetails
		field string
	}{
		"goal value":         {campaign.OutcomeDetails{Goals: map[campaign.GoalID]string{"meet": "yes"}}, "Goals[meet]"},
		"unknown goal":       {campaign.OutcomeDetails{Goals: map[campaign.GoalID]string{"nope": campaign.GoalAchieved}}, "Goals[nope]"},
		"archived goal":      {campaign.OutcomeDetails{Goals: map[campaign.GoalID]string{"old": campaign.GoalAchieved}}, "Goals[old]"},
		"yes/no":             {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"yn": {"maybe"}}}, "Answers[yn]"},
		"yes and no":         {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"yn": {"yes", "no"}}}, "Answers[yn]"},
		"single not choice":  {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"one": {"green"}}}, "Answers[one]"},
		"single two choices": {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"one": {"red", "blue"}}}, "Answers[one]"},
		"multiple none":      {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"many": {}}}, "Answers[many]"},
		"multiple twice":     {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"many": {"a", "a"}}}, "Answers[many]"},
		"multiple unknown":   {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"many": {"a", "z"}}}, "Answers[many]"},
		"rating too high":    {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"rate": {"11"}}}, "Answers[rate]"},
		"rating not number":  {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"rate": {"4.5"}}}, "Answers[rate]"},
		"open blank":         {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"open": {"  "}}}, "Answers[open]"},
		"data point two":     {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"dp": {"1", "2"}}}, "Answers[dp]"},
		"inactive question":  {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"off": {"x"}}}, "Answers[off]"},
		"unknown question":   {campaign.OutcomeDetails{Answers: map[campaign.AnalysisID][]string{"nope": {"x"}}}, "Answers[nope]"},
	} {
		t.Run(name, func(t *testing.T) {
			err := campaign.ValidateOutcome(tc.o, goals, qs)
			var ve *campaign.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			require.ErrorIs(t, err, campaign.ErrInvalid)
			require.Len(t, ve.Problems, 1)
			assert.Equal(t, tc.field, ve.Problems[0].Field)
		})
	}
}

func TestScoreGoals(t *testing.T) {
	goals := []campaign.Goal{{ID: "meet", Kind: campaign.GoalPrimary}, {ID: "ref", Kind: campaign.GoalSecondary},
		{ID: "news", Kind: campaign.GoalSecondary}, {ID: "old", Kind: campaign.GoalSecondary, Archived: true}}
	t0 := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	att := func(seq int, g map[campaign.GoalID]string) campaign.Attempt {
		return campaign.Attempt{ContactID: "c", Seq: seq, StartedAt: t0.Add(time.Duration(seq) * time.Hour), Outcome: campaign.OutcomeDetails{Goals: g}}
	}
	// Latest known result wins, whatever the order given; unknown does not erase a known one.
	as := []campaign.Attempt{
		att(3, map[campaign.GoalID]string{"meet": campaign.GoalUnknown, "ref": campaign.GoalPartial}),
		att(1, map[campaign.GoalID]string{"meet": campaign.GoalNotAchieved, "news": campaign.GoalUnknown, "old": campaign.GoalAchieved}),
		att(2, map[campaign.GoalID]string{"meet": campaign.GoalAchieved}),
		{ContactID: "other", Seq: 4, Outcome: campaign.OutcomeDetails{Goals: map[campaign.GoalID]string{"ref": campaign.GoalNotAchieved}}},
	}
	cg := campaign.ScoreGoals("c", goals, as)
	assert.Equal(t, map[campaign.GoalID]string{"meet": campaign.GoalAchieved, "ref": campaign.GoalPartial, "news": campaign.GoalUnknown, "old": campaign.GoalAchieved}, cg.Results)
	// Primary weighs 2 (two active secondaries): (2×1 + 1×0.5) / 3 = 83%; news (unknown) and old (archived) are not scored.
	require.True(t, cg.Scored)
	assert.Equal(t, 83, cg.Score)

	cg = campaign.ScoreGoals("c", goals, []campaign.Attempt{att(1, map[campaign.GoalID]string{"meet": campaign.GoalNotAchieved, "ref": campaign.GoalAchieved, "news": campaign.GoalAchieved})})
	assert.Equal(t, 50, cg.Score, "the primary goal weighs as much as all secondaries together")

	cg = campaign.ScoreGoals("c", goals, []campaign.Attempt{att(1, map[campaign.GoalID]string{"meet": campaign.GoalUnknown})})
	assert.False(t, cg.Scored, "no known result: no score, not 0%")
	cg = campaign.ScoreGoals("c", goals[:1], []campaign.Attempt{att(1, map[campaign.GoalID]string{"meet": campaign.GoalPartial})})
	assert.Equal(t, 50, cg.Score)
}
