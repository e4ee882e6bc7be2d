package campaign

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Goal result values, the values of [OutcomeDetails.Goals].
const (
	GoalAchieved    = "achieved"
	GoalPartial     = "partial"
	GoalNotAchieved = "not_achieved"
	GoalUnknown     = "unknown"
)

// Answer limits of [ValidateOutcome].
const (
	// MaxRating is the highest answer of a rating question; ratings are
	// whole numbers from 0 (so both 1–5 stars and 0–10 scores fit).
	MaxRating = 10
	// MaxAnswerLength bounds an open or data-point answer.
	MaxAnswerLength = 2000
)

// ValidateOutcome checks the goal results and analysis answers of an
// outcome against the campaign's goals and questions; the error, a
// [*ValidationError], names each failing entry as "Goals[id]" or
// "Answers[id]". A goal must be one of the campaign's, not archived, with a
// value of [GoalAchieved], [GoalPartial], [GoalNotAchieved] or
// [GoalUnknown]. A question must be one of the campaign's, active and not
// archived, and its answer must fit its kind: yes/no exactly one of "yes"
// or "no"; single choice exactly one of its Choices; multiple choice one or
// more distinct Choices; rating one whole number from 0 to [MaxRating];
// open and data point exactly one non-blank text of at most
// [MaxAnswerLength] bytes.
func ValidateOutcome(o OutcomeDetails, goals []Goal, analyses []Analysis) error {
	var v validator
	for _, id := range sortedKeys(o.Goals) {
		f := fmt.Sprintf("Goals[%s]", id)
		i := slices.IndexFunc(goals, func(g Goal) bool { return g.ID == id })
		switch val := o.Goals[id]; {
		case i < 0 || goals[i].Archived:
			v.add(f, "is not an active goal of the campaign")
		case val != GoalAchieved && val != GoalPartial && val != GoalNotAchieved && val != GoalUnknown:
			v.add(f, "must be achieved, partial, not_achieved or unknown, got %q", val)
		}
	}
	for _, id := range sortedKeys(o.Answers) {
		f := fmt.Sprintf("Answers[%s]", id)
		i := slices.IndexFunc(analyses, func(a Analysis) bool { return a.ID == id })
		if i < 0 || analyses[i].Archived || !analyses[i].Active {
			v.add(f, "is not an active question of the campaign")
			continue
		}
		if msg := answerProblem(analyses[i], o.Answers[id]); msg != "" {
			v.add(f, "%s", msg)
		}
	}
	return v.err()
}

// answerProblem says what is wrong with answer ans to question q, or "".
func answerProblem(q Analysis, ans []string) string {
	one := len(ans) == 1
	switch q.Kind {
	case AnalysisYesNo:
		if !one || (ans[0] != "yes" && ans[0] != "no") {
			return fmt.Sprintf("a yes/no question takes one answer, yes or no, got %q", ans)
		}
	case AnalysisSingleChoice:
		if !one || !slices.Contains(q.Choices, ans[0]) {
			return fmt.Sprintf("takes one of %q, got %q", q.Choices, ans)
		}
	case AnalysisMultipleChoice:
		if len(ans) == 0 {
			return "takes at least one choice"
		}
		for i, a := range ans {
			if !slices.Contains(q.Choices, a) {
				return fmt.Sprintf("%q is not one of %q", a, q.Choices)
			}
			if slices.Contains(ans[:i], a) {
				return fmt.Sprintf("%q is chosen twice", a)
			}
		}
	case AnalysisRating:
		if !one {
			return fmt.Sprintf("a rating takes one whole number from 0 to %d, got %q", MaxRating, ans)
		}
		n, err := strconv.Atoi(ans[0])
		if err != nil || n < 0 || n > MaxRating {
			return fmt.Sprintf("a rating takes one whole number from 0 to %d, got %q", MaxRating, ans[0])
		}
	case AnalysisOpen, AnalysisDataPoint:
		if !one || strings.TrimSpace(ans[0]) == "" || len(ans[0]) > MaxAnswerLength {
			return fmt.Sprintf("takes one non-blank answer of at most %d bytes", MaxAnswerLength)
		}
	default:
		return fmt.Sprintf("question of unknown kind %q", q.Kind)
	}
	return ""
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// ContactGoals is one contact's results on the campaign's goals.
type ContactGoals struct {
	ContactID ContactID
	// Results holds each goal's latest result: the value of the contact's
	// latest attempt (highest Seq) that recorded anything but
	// [GoalUnknown]; unknown when every recorded value was unknown.
	Results map[GoalID]string
	// Score is the contact's goal score from 0 to 100 (see [ScoreGoals]);
	// meaningful only when Scored.
	Score int
	// Scored is false when no active goal has a known result: the score
	// is then not shown as 0%.
	Scored bool
}

// ScoreGoals computes a contact's goal results from its attempts (any
// order) and scores them: achieved counts 1, partial 0.5, not achieved 0;
// unknown and missing results are left out. The primary goal weighs as
// much as all secondary goals together (its weight is the number of
// active secondary goals, at least 1), each secondary goal 1. Score is
// 100 × the weighted mean of the scored goals, rounded to a whole percent.
// Archived goals are not scored.
func ScoreGoals(id ContactID, goals []Goal, attempts []Attempt) ContactGoals {
	cg := ContactGoals{ContactID: id, Results: map[GoalID]string{}}
	as := slices.Clone(attempts)
	slices.SortStableFunc(as, func(a, b Attempt) int {
		if a.Seq != b.Seq {
			return a.Seq - b.Seq
		}
		return a.StartedAt.Compare(b.StartedAt)
	})
	for _, a := range as {
		if a.ContactID != id {
			continue
		}
		for g, val := range a.Outcome.Goals {
			if val != GoalUnknown || cg.Results[g] == "" {
				cg.Results[g] = val
			}
		}
	}
	secondaries := 0
	for _, g := range goals {
		if g.Kind == GoalSecondary && !g.Archived {
			secondaries++
		}
	}
	var sum, weights float64
	for _, g := range goals {
		if g.Archived {
			continue
		}
		var val float64
		switch cg.Results[g.ID] {
		case GoalAchieved:
			val = 1
		case GoalPartial:
			val = 0.5
		case GoalNotAchieved:
		default:
			continue
		}
		w := 1.0
		if g.Kind == GoalPrimary {
			w = float64(max(secondaries, 1))
		}
		sum += w * val
		weights += w
	}
	if weights > 0 {
		cg.Scored, cg.Score = true, int(math.Round(100*sum/weights))
	}
	return cg
}

// checkPrimaryGoal refuses g as a second active primary goal of its
// campaign.
func (s *Service) checkPrimaryGoal(ctx context.Context, g Goal) error {
	if g.Kind != GoalPrimary || g.Archived {
		return nil
	}
	gs, err := s.store.ListGoals(ctx, g.WorkspaceID, g.CampaignID)
	if err != nil {
		return err
	}
	for _, o := range gs {
		if o.ID != g.ID && o.Kind == GoalPrimary && !o.Archived {
			var v validator
			v.add("Kind", "campaign %s already has primary goal %s (%q): make it secondary or archive it first", g.CampaignID, o.ID, o.Title)
			return v.err()
		}
	}
	return nil
}

// checkGoalsReady refuses to queue a campaign whose active goals do not
// include exactly one primary goal (a campaign without goals is fine).
func (s *Service) checkGoalsReady(ctx context.Context, ws WorkspaceID, id ID) error {
	gs, err := s.store.ListGoals(ctx, ws, id)
	if err != nil {
		return err
	}
	active, primary := 0, 0
	for _, g := range gs {
		if !g.Archived {
			active++
			if g.Kind == GoalPrimary {
				primary++
			}
		}
	}
	if active > 0 && primary != 1 {
		var v validator
		v.add("Goals", "a campaign with goals needs exactly one active primary goal to be queued, it has %d", primary)
		return v.err()
	}
	return nil
}
