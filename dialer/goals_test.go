package dialer_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony/sim"
)

func TestSaveOutcomeChecksGoalsAndAnswers(t *testing.T) {
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive}, 2, sim.Config{Seed: 9, AnswerProb: sim.Constant(1)})
	goal, err := w.svc.PutGoal(w.ctx, w.admin, campaign.Goal{CampaignID: w.c.ID, Kind: campaign.GoalPrimary, Title: "Meeting"})
	require.NoError(t, err)
	q, err := w.svc.PutAnalysis(w.ctx, w.admin, campaign.Analysis{CampaignID: w.c.ID, Kind: campaign.AnalysisSingleChoice,
		Question: "Plan?", Choices: []string{"basic", "pro"}, Active: true})
	require.NoError(t, err)
	w.login(1)
	for i := 0; i < 600 && len(w.engine.Awaiting("agent0")) == 0; i++ {
		require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, w.clock.Now().Add(time.Second)))
	}
	att := w.engine.Awaiting("agent0")
	require.NotEmpty(t, att)
	agent := campaign.Actor{WorkspaceID: w.admin.WorkspaceID, UserID: "agent0"}

	err = w.engine.SaveOutcome(w.ctx, agent, att[0], dialer.OutcomeInput{DispositionID: w.disp.ID,
		Goals: map[campaign.GoalID]string{goal.ID: "done"}, Answers: map[campaign.AnalysisID][]string{q.ID: {"enterprise"}}})
	var ve *campaign.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Len(t, ve.Problems, 2)
	assert.Equal(t, "Goals["+string(goal.ID)+"]", ve.Problems[0].Field)
	assert.Equal(t, "Answers["+string(q.ID)+"]", ve.Problems[1].Field)
	assert.Equal(t, att, w.engine.Awaiting("agent0"), "a refused outcome leaves the call awaiting its outcome")

	require.NoError(t, w.engine.SaveOutcome(w.ctx, agent, att[0], dialer.OutcomeInput{DispositionID: w.disp.ID,
		Goals: map[campaign.GoalID]string{goal.ID: campaign.GoalAchieved}, Answers: map[campaign.AnalysisID][]string{q.ID: {"pro"}}}))
	require.NoError(t, w.engine.Stop(w.ctx))
	as, err := w.st.ListAttempts(w.ctx, w.admin.WorkspaceID, queue.AttemptFilter{CampaignID: w.c.ID})
	require.NoError(t, err)
	for _, a := range as {
		if string(a.ID) == att[0] {
			assert.Equal(t, campaign.GoalAchieved, a.Outcome.Goals[goal.ID])
			assert.Equal(t, []string{"pro"}, a.Outcome.Answers[q.ID])
			return
		}
	}
	t.Fatal("the attempt was not logged")
}
