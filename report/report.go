package report

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// Config configures a [Service].
type Config struct {
	// Store is required.
	Store Store
	// Clock returns the current time. Defaults to time.Now.
	Clock func() time.Time
	// MinSample is the smallest denominator a rate may rest on before it is
	// flagged Incomplete. Defaults to 30.
	MinSample int
	// LabourRate is the cost of one agent hour, in millionths of the
	// currency unit. Defaults to 0: labour cost is reported Incomplete
	// ("no labour rate").
	LabourRate campaign.Money
	// InvalidReasons are the block reason codes that mean an invalid or
	// uncallable number. Defaults to [DefaultInvalidReasons].
	InvalidReasons []string
	// Entitlements decides who may render a client snapshot. Defaults to
	// nil: every snapshot is refused with [ErrNotEntitled].
	Entitlements Entitlements
	// Logger receives debug logs. Defaults to discarding.
	Logger *slog.Logger
	// Authorizer checks that the member asking for an export, or for the
	// export history, belongs to the workspace and may export
	// ([campaign.ActionExport]); *campaign.Service implements it. Required
	// by Export and History, which refuse to run without it; the reports
	// themselves work without it.
	Authorizer campaign.Authorizer
}

// DefaultInvalidReasons are the compliance package's reason codes for a
// number that cannot be called at all.
func DefaultInvalidReasons() []string {
	return []string{"missing_phone", "unparseable_phone", "invalid_phone", "emergency_number", "service_number",
		"premium_rate", "fictional_number", "unsupported_number_type"}
}

// Service computes reports, exports and snapshots. It is safe for
// concurrent use.
type Service struct {
	store   Store
	now     func() time.Time
	minN    int
	labour  campaign.Money
	invalid map[string]bool
	ent     Entitlements
	log     *slog.Logger
	auth    campaign.Authorizer
}

// NewService returns a Service; it refuses a Config without a Store.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: Config.Store is required", ErrInvalid)
	}
	if cfg.MinSample < 0 || cfg.LabourRate < 0 {
		return nil, fmt.Errorf("%w: Config.MinSample and Config.LabourRate must not be negative", ErrInvalid)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.MinSample == 0 {
		cfg.MinSample = 30
	}
	if cfg.InvalidReasons == nil {
		cfg.InvalidReasons = DefaultInvalidReasons()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	inv := map[string]bool{}
	for _, r := range cfg.InvalidReasons {
		inv[r] = true
	}
	return &Service{store: cfg.Store, now: cfg.Clock, minN: cfg.MinSample, labour: cfg.LabourRate,
		invalid: inv, ent: cfg.Entitlements, log: cfg.Logger, auth: cfg.Authorizer}, nil
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// Campaign computes the report of one campaign with a Service of default
// configuration at time now; see [Service.Campaign].
func Campaign(ctx context.Context, st Store, ws campaign.WorkspaceID, id campaign.ID, now time.Time) (*CampaignReport, error) {
	s, err := NewService(Config{Store: st, Clock: func() time.Time { return now }})
	if err != nil {
		return nil, err
	}
	return s.Campaign(ctx, ws, id)
}

// CampaignReport is everything reported about one campaign.
type CampaignReport struct {
	WorkspaceID campaign.WorkspaceID `json:"workspace_id"`
	CampaignID  campaign.ID          `json:"campaign_id"`
	Name        string               `json:"name"`
	Client      string               `json:"client"`
	Status      campaign.Status      `json:"status"`
	// Timezone is the campaign's IANA zone; the heatmap is in it.
	Timezone string `json:"timezone"`
	// Start is the campaign's start (see the package documentation).
	Start       time.Time `json:"start"`
	GeneratedAt time.Time `json:"generated_at"`
	// TargetCallVolume is the campaign's target; Progress is calls made ÷
	// target (Incomplete without a target).
	Progress Metric     `json:"progress"`
	Activity Activity   `json:"activity"`
	Results  Results    `json:"results"`
	ListCost ListCost   `json:"list_cost"`
	Team     Team       `json:"team"`
	Heatmap  Heatmap    `json:"heatmap"`
	Pacing   []DayCalls `json:"pacing"`
}

// Activity is what the dialer did.
type Activity struct {
	CallsMade          Metric `json:"calls_made"`
	ContactsDialled    Metric `json:"contacts_dialled"`
	AttemptsPerContact Metric `json:"attempts_per_contact"`
	// ConnectRate is attempts connected to a person (ResultHuman) ÷ calls.
	ConnectRate Metric `json:"connect_rate"`
	// Answer-status rates ÷ calls: answered by a person, by a machine, no
	// answer, busy or rejected, failed.
	HumanRate    Metric `json:"human_rate"`
	MachineRate  Metric `json:"machine_rate"`
	NoAnswerRate Metric `json:"no_answer_rate"`
	BusyRate     Metric `json:"busy_rate"`
	FailedRate   Metric `json:"failed_rate"`
	// Conversations counts attempts with talk time.
	Conversations Metric  `json:"conversations"`
	TalkTime      Metric  `json:"talk_time"`
	AvgTalkTime   Metric  `json:"avg_talk_time"`
	WrapTime      Metric  `json:"wrap_time"`
	AvgWrapTime   Metric  `json:"avg_wrap_time"`
	Abandon       Abandon `json:"abandon"`
}

// Abandon is the abandon rate over the campaign's current legal window.
type Abandon struct {
	// Rate is abandoned ÷ live-answered calls started in [From, To].
	Rate   Metric                 `json:"rate"`
	From   time.Time              `json:"from"`
	To     time.Time              `json:"to"`
	Period campaign.AbandonPeriod `json:"period"`
	Cap    float64                `json:"cap"`
	// OverCap is true when a complete Rate exceeds Cap.
	OverCap bool `json:"over_cap"`
}

// GoalSummary counts recorded goal statuses.
type GoalSummary struct {
	Achieved    Metric `json:"achieved"`
	Partial     Metric `json:"partial"`
	NotAchieved Metric `json:"not_achieved"`
	Unknown     Metric `json:"unknown"`
	// Rate is achieved ÷ (achieved + partial + not achieved).
	Rate Metric `json:"rate"`
}

// GoalResult is one goal's summary.
type GoalResult struct {
	Goal campaign.Goal `json:"goal"`
	GoalSummary
}

// AnswerShare is one answer's share of an analysis question's answers.
type AnswerShare struct {
	Answer string `json:"answer"`
	Share  Metric `json:"share"`
}

// AnalysisResult is one analysis question's answers.
type AnalysisResult struct {
	Analysis campaign.Analysis `json:"analysis"`
	Answers  []AnswerShare     `json:"answers"`
}

// StatusCount is the contacts in one status.
type StatusCount struct {
	Status campaign.ContactStatus `json:"status"`
	Count  Metric                 `json:"count"`
	Share  Metric                 `json:"share"`
}

// Results is what the calls achieved.
type Results struct {
	MeetingsBooked Metric `json:"meetings_booked"`
	// MeetingAcceptance is accepted ÷ booked meetings, as the callers
	// recorded them with each outcome (campaign.OutcomeDetails
	// MeetingAccepted). Incomplete ([ReasonNoAcceptance]) when meetings
	// were booked and none recorded as accepted.
	MeetingAcceptance Metric           `json:"meeting_acceptance"`
	QualifiedLeads    Metric           `json:"qualified_leads"`
	Opportunities     Metric           `json:"opportunities"`
	Revenue           Metric           `json:"revenue"`
	Primary           GoalSummary      `json:"primary"`
	Secondary         GoalSummary      `json:"secondary"`
	Goals             []GoalResult     `json:"goals"`
	Answers           []AnalysisResult `json:"answers"`
	Statuses          []StatusCount    `json:"statuses"`
	Contacts          Metric           `json:"contacts"`
	Completed         Metric           `json:"completed"`
	Successful        Metric           `json:"successful"`
	Voicemail         Metric           `json:"voicemail"`
	CompletionRate    Metric           `json:"completion_rate"`
	SuccessRate       Metric           `json:"success_rate"`
	AnswerRate        Metric           `json:"answer_rate"`
}

// ScopePressure is the blocks of one suppression or rule scope.
type ScopePressure struct {
	Scope  campaign.BlockScope `json:"scope"`
	Blocks Metric              `json:"blocks"`
	// Share is these blocks ÷ (all blocks + calls made).
	Share Metric `json:"share"`
}

// ListCost is the list's health and what the calls cost.
type ListCost struct {
	// ListPenetration is contacts dialled ÷ contacts.
	ListPenetration Metric `json:"list_penetration"`
	// ListHealth is contacts still reachable (not invalid, skipped, dnc,
	// cancelled or expired) ÷ contacts.
	ListHealth Metric `json:"list_health"`
	// InvalidNumbers counts distinct contacts blocked for an invalid
	// number (Config.InvalidReasons).
	InvalidNumbers Metric `json:"invalid_numbers"`
	// SuppressionPressure is all blocks ÷ (blocks + calls made).
	SuppressionPressure Metric          `json:"suppression_pressure"`
	ByScope             []ScopePressure `json:"by_scope"`
	Currency            string          `json:"currency"`
	// PhoneCost sums the carrier cost of attempts (Incomplete when some
	// attempts carry no cost data).
	PhoneCost Metric `json:"phone_cost"`
	// LabourCost is agent hours × Config.LabourRate.
	LabourCost Metric `json:"labour_cost"`
	TotalCost  Metric `json:"total_cost"`
	// CostPerMeeting is total cost ÷ meetings booked.
	CostPerMeeting Metric `json:"cost_per_meeting"`
	// HoursPerMeeting is agent hours ÷ meetings booked.
	HoursPerMeeting Metric `json:"hours_per_meeting"`
}

// Team is how the agents were used.
type Team struct {
	Agents Metric `json:"agents"`
	// AgentHours sums every agent span.
	AgentHours Metric `json:"agent_hours"`
	// QueuePressure is contacts due now ÷ agents active now (not paused in
	// the last 15 minutes).
	QueuePressure Metric `json:"queue_pressure"`
	// Utilisation is on-call and wrap-up time ÷ all agent time (paused
	// included).
	Utilisation Metric `json:"utilisation"`
	// ShiftCoverage is the 15-minute slots of the dial window (read in the
	// campaign's zone, from the start until now) in which at least one
	// agent was active ÷ all such slots.
	ShiftCoverage Metric `json:"shift_coverage"`
	// PlaybookAdoption is conversations with a playbook step completed ÷
	// conversations.
	PlaybookAdoption Metric `json:"playbook_adoption"`
}

// DayCalls is one local day's calls, for the pacing chart.
type DayCalls struct {
	Date  string `json:"date"`
	Calls int64  `json:"calls"`
	Human int64  `json:"human"`
}

// Campaign computes the report of campaign id of workspace ws at the
// service clock's time.
func (s *Service) Campaign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID) (*CampaignReport, error) {
	now := s.now().UTC()
	c, err := s.store.GetCampaign(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("%w: campaign timezone %q: %w", ErrInvalid, c.Timezone, err)
	}
	buckets, err := s.store.AttemptBuckets(ctx, ws, id, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	var all Counts
	for _, b := range buckets {
		all.Merge(b.Counts)
	}
	start, err := s.campaignStart(ctx, c, buckets)
	if err != nil {
		return nil, err
	}
	cc, err := s.store.ContactCounts(ctx, ws, id, now)
	if err != nil {
		return nil, err
	}
	blocks, err := s.store.BlockCounts(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	agents, err := s.store.AgentStats(ctx, ws, id, now)
	if err != nil {
		return nil, err
	}
	r := &CampaignReport{
		WorkspaceID: ws, CampaignID: id, Name: c.Name, Client: c.Client, Status: c.Status,
		Timezone: c.Timezone, Start: start, GeneratedAt: now,
	}
	r.Progress = rate(all.Attempts, int64(c.TargetCallVolume), 1)
	if c.TargetCallVolume == 0 {
		r.Progress = r.Progress.incomplete("no target call volume")
	}
	r.Activity = s.activity(all)
	if r.Activity.Abandon, err = s.abandon(ctx, c, start, now); err != nil {
		return nil, err
	}
	if r.Results, err = s.results(ctx, c, all, cc); err != nil {
		return nil, err
	}
	r.ListCost = s.listCost(all, cc, blocks, agents)
	r.Team = s.team(c, loc, all, cc, agents, start, now)
	r.Heatmap = s.heatmap(c.Timezone, loc, buckets)
	r.Pacing = pacing(loc, buckets)
	return r, nil
}

// campaignStart is the first transition to Running, else StartDate, else
// the first attempt's bucket, else zero.
func (s *Service) campaignStart(ctx context.Context, c campaign.Campaign, buckets []Bucket) (time.Time, error) {
	ts, err := s.store.ListTransitions(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return time.Time{}, err
	}
	for _, t := range ts {
		if t.To == campaign.StatusRunning {
			return t.At.UTC(), nil
		}
	}
	if !c.StartDate.IsZero() {
		return c.StartDate.UTC(), nil
	}
	if len(buckets) > 0 {
		return buckets[0].Start, nil
	}
	return time.Time{}, nil
}

func (s *Service) activity(c Counts) Activity {
	n := s.minN
	a := Activity{
		CallsMade:          count(c.Attempts),
		ContactsDialled:    count(c.FirstAttempts),
		AttemptsPerContact: per(c.Attempts, c.FirstAttempts, UnitPerContact, 1, 1),
		ConnectRate:        rate(c.Human, c.Attempts, n),
		HumanRate:          rate(c.AnsweredHuman, c.Attempts, n),
		MachineRate:        rate(c.AnsweredMachine, c.Attempts, n),
		NoAnswerRate:       rate(c.NoAnswer, c.Attempts, n),
		BusyRate:           rate(c.Busy, c.Attempts, n),
		FailedRate:         rate(c.Failed, c.Attempts, n),
		Conversations:      count(c.Conversations),
		TalkTime:           total(int64(c.Talk/time.Second), c.Conversations, UnitSeconds, 1),
		AvgTalkTime:        per(int64(c.Talk/time.Second), c.Conversations, UnitSeconds, 1, n),
		WrapTime:           total(int64(c.Wrap/time.Second), c.Dispositioned, UnitSeconds, 1),
		AvgWrapTime:        per(int64(c.Wrap/time.Second), c.Dispositioned, UnitSeconds, 1, n),
	}
	return a
}

// abandonWindow returns the legal window ending at now.
func abandonWindow(set campaign.Settings, start, now time.Time) (from time.Time) {
	set = set.WithDefaults("")
	w := set.AbandonWindow
	if set.AbandonPeriod == campaign.AbandonRolling || start.IsZero() || start.After(now) {
		return now.Add(-w)
	}
	k := now.Sub(start) / w
	return start.Add(k * w)
}

// abandon computes the rate in [from, now]: whole buckets from the
// aggregates, the partial buckets at each edge exactly from the log.
func (s *Service) abandon(ctx context.Context, c campaign.Campaign, start, now time.Time) (Abandon, error) {
	set := c.Settings.WithDefaults("")
	from := abandonWindow(set, start, now)
	to := now.Add(time.Nanosecond) // the window includes now
	cnt, err := s.rangeCounts(ctx, c.WorkspaceID, c.ID, from, to)
	if err != nil {
		return Abandon{}, err
	}
	a := Abandon{From: from, To: now, Period: set.AbandonPeriod, Cap: set.AbandonCap}
	a.Rate = rate(cnt.Abandoned, cnt.AnsweredHuman, s.minN)
	a.OverCap = !a.Rate.Incomplete && a.Rate.Value > a.Cap
	return a, nil
}

// rangeCounts returns the exact Counts of [from, to), reading whole
// buckets from the aggregates and the edges from the log.
func (s *Service) rangeCounts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, from, to time.Time) (Counts, error) {
	lo := from.Truncate(BucketSize)
	if lo.Before(from) {
		lo = lo.Add(BucketSize)
	}
	hi := to.Truncate(BucketSize)
	if !hi.After(lo) {
		return s.store.AttemptCounts(ctx, ws, id, from, to)
	}
	var c Counts
	head, err := s.store.AttemptCounts(ctx, ws, id, from, lo)
	if err != nil {
		return c, err
	}
	tail, err := s.store.AttemptCounts(ctx, ws, id, hi, to)
	if err != nil {
		return c, err
	}
	mid, err := s.store.AttemptBuckets(ctx, ws, id, lo, hi)
	if err != nil {
		return c, err
	}
	c.Merge(head)
	c.Merge(tail)
	for _, b := range mid {
		c.Merge(b.Counts)
	}
	return c, nil
}

func goalSummary(counts map[string]int64, minN int) GoalSummary {
	decided := counts["achieved"] + counts["partial"] + counts["not_achieved"]
	return GoalSummary{
		Achieved: count(counts["achieved"]), Partial: count(counts["partial"]),
		NotAchieved: count(counts["not_achieved"]), Unknown: count(counts["unknown"]),
		Rate: rate(counts["achieved"], decided, minN),
	}
}

func (s *Service) results(ctx context.Context, c campaign.Campaign, all Counts, cc ContactCounts) (Results, error) {
	n := s.minN
	r := Results{
		MeetingsBooked:    count(all.Meetings),
		MeetingAcceptance: rate(all.MeetingsAccepted, all.Meetings, n),
		QualifiedLeads:    count(all.Qualified),
		Opportunities:     count(all.Opportunities),
		Revenue:           total(int64(all.Revenue), all.Dispositioned, UnitMoney, 1e6),
	}
	if all.Meetings > 0 && all.MeetingsAccepted == 0 {
		r.MeetingAcceptance = r.MeetingAcceptance.incomplete(ReasonNoAcceptance)
	}
	goals, err := s.store.ListGoals(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return r, err
	}
	gcs, err := s.store.GoalCounts(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return r, err
	}
	byGoal := map[campaign.GoalID]map[string]int64{}
	for _, g := range gcs {
		if byGoal[g.GoalID] == nil {
			byGoal[g.GoalID] = map[string]int64{}
		}
		byGoal[g.GoalID][g.Status] += g.Count
	}
	prim, sec := map[string]int64{}, map[string]int64{}
	for _, g := range goals {
		m := byGoal[g.ID]
		r.Goals = append(r.Goals, GoalResult{Goal: g, GoalSummary: goalSummary(m, n)})
		dst := prim
		if g.Kind == campaign.GoalSecondary {
			dst = sec
		}
		for k, v := range m {
			dst[k] += v
		}
	}
	r.Primary, r.Secondary = goalSummary(prim, n), goalSummary(sec, n)

	analyses, err := s.store.ListAnalyses(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return r, err
	}
	acs, err := s.store.AnswerCounts(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return r, err
	}
	for _, an := range analyses {
		var sum int64
		var mine []AnswerCount
		for _, a := range acs {
			if a.AnalysisID == an.ID {
				sum += a.Count
				mine = append(mine, a)
			}
		}
		slices.SortFunc(mine, func(a, b AnswerCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Answer, b.Answer))
		})
		ar := AnalysisResult{Analysis: an}
		for _, a := range mine {
			ar.Answers = append(ar.Answers, AnswerShare{Answer: a.Answer, Share: rate(a.Count, sum, n)})
		}
		r.Answers = append(r.Answers, ar)
	}

	totalC := cc.Total()
	for _, st := range statusOrder {
		v := cc.ByStatus[st]
		r.Statuses = append(r.Statuses, StatusCount{Status: st, Count: count(v), Share: rate(v, totalC, n)})
	}
	completed := cc.Completed()
	r.Contacts, r.Completed = count(totalC), count(completed)
	r.Successful, r.Voicemail = count(cc.Successful), count(cc.Voicemail)
	r.CompletionRate = rate(completed, totalC, n)
	r.SuccessRate = rate(cc.Successful, completed, n)
	r.AnswerRate = rate(cc.Successful+cc.Voicemail, completed, n)
	return r, nil
}

// statusOrder is the order statuses are listed in.
var statusOrder = []campaign.ContactStatus{
	campaign.ContactPending, campaign.ContactDialing, campaign.ContactRetry,
	campaign.ContactCallback, campaign.ContactCompleted, campaign.ContactFailed, campaign.ContactNoConversation,
	campaign.ContactSkipped, campaign.ContactCancelled, campaign.ContactExpired, campaign.ContactDNC,
}

func (s *Service) listCost(all Counts, cc ContactCounts, blocks []BlockCount, ag AgentStats) ListCost {
	n := s.minN
	totalC := cc.Total()
	var invalid, nBlocks int64
	byScope := map[campaign.BlockScope]int64{}
	for _, b := range blocks {
		if s.invalid[b.Reason] {
			invalid += b.Contacts
		}
		nBlocks += b.Blocks
		byScope[b.Scope] += b.Blocks
	}
	gone := invalid + cc.ByStatus[campaign.ContactSkipped] + cc.ByStatus[campaign.ContactDNC] +
		cc.ByStatus[campaign.ContactCancelled] + cc.ByStatus[campaign.ContactExpired]
	lc := ListCost{
		ListPenetration:     rate(all.FirstAttempts, totalC, n),
		ListHealth:          rate(max(totalC-gone, 0), totalC, n),
		InvalidNumbers:      count(invalid),
		SuppressionPressure: rate(nBlocks, nBlocks+all.Attempts, n),
	}
	for _, sc := range []campaign.BlockScope{campaign.BlockScopeGlobal, campaign.BlockScopeClient,
		campaign.BlockScopeList, campaign.BlockScopeCampaign, campaign.BlockScopeLaw, campaign.BlockScopePolicy} {
		lc.ByScope = append(lc.ByScope, ScopePressure{Scope: sc, Blocks: count(byScope[sc]),
			Share: rate(byScope[sc], nBlocks+all.Attempts, n)})
	}
	lc.PhoneCost = total(int64(all.Cost), all.Costed, UnitMoney, 1e6)
	switch {
	case all.Attempts == 0:
		lc.PhoneCost = lc.PhoneCost.incomplete(ReasonNoData)
	case all.Costed == 0:
		lc.PhoneCost = lc.PhoneCost.incomplete("no cost data")
	case all.Costed < all.Attempts:
		lc.PhoneCost = lc.PhoneCost.incomplete(fmt.Sprintf("cost data on %d of %d calls", all.Costed, all.Attempts))
	}
	var agentTime time.Duration
	for _, d := range ag.Time {
		agentTime += d
	}
	agentSec := int64(agentTime / time.Second)
	labour := campaign.Money(int64(s.labour) * agentSec / 3600)
	lc.LabourCost = total(int64(labour), ag.Agents, UnitMoney, 1e6)
	if agentSec == 0 {
		lc.LabourCost = lc.LabourCost.incomplete("no agent time")
	}
	if s.labour == 0 {
		lc.LabourCost = lc.LabourCost.incomplete("no labour rate")
	}
	cost := int64(all.Cost) + int64(labour)
	lc.TotalCost = total(cost, all.Attempts, UnitMoney, 1e6)
	if lc.PhoneCost.Incomplete || lc.LabourCost.Incomplete {
		lc.TotalCost = lc.TotalCost.incomplete("phone or labour cost incomplete")
	}
	lc.CostPerMeeting = per(cost, all.Meetings, UnitMoney, 1e6, 1)
	if lc.TotalCost.Incomplete {
		lc.CostPerMeeting = lc.CostPerMeeting.incomplete("cost incomplete")
	}
	lc.HoursPerMeeting = per(agentSec, all.Meetings, UnitHours, 3600, 1)
	if agentSec == 0 {
		lc.HoursPerMeeting = lc.HoursPerMeeting.incomplete("no agent time")
	}
	return lc
}

func (s *Service) team(c campaign.Campaign, loc *time.Location, all Counts, cc ContactCounts, ag AgentStats, start, now time.Time) Team {
	n := s.minN
	var agentTime time.Duration
	for _, d := range ag.Time {
		agentTime += d
	}
	busy := ag.Time[campaign.AgentOnCall] + ag.Time[campaign.AgentWrapUp]
	t := Team{
		Agents:           count(ag.Agents),
		AgentHours:       total(int64(agentTime/time.Second), ag.Agents, UnitHours, 3600),
		QueuePressure:    per(cc.Due, ag.ActiveNow, UnitPerContact, 1, 1),
		Utilisation:      rate(int64(busy/time.Second), int64(agentTime/time.Second), 1),
		PlaybookAdoption: rate(all.Playbook, all.Conversations, n),
	}
	if ag.ActiveNow == 0 {
		t.QueuePressure = t.QueuePressure.incomplete("no agent active now")
	}
	if agentTime == 0 {
		t.Utilisation = t.Utilisation.incomplete("no agent time")
	}
	slots := windowSlots(c.Settings.WithDefaults(""), loc, start, now)
	var covered int64
	for _, b := range ag.ActiveBuckets {
		if slots[b] {
			covered++
		}
	}
	t.ShiftCoverage = rate(covered, int64(len(slots)), 1)
	if start.IsZero() {
		t.ShiftCoverage = t.ShiftCoverage.incomplete("campaign not started")
	}
	return t
}

// windowSlots returns the 15-minute UTC buckets lying inside the campaign's
// dial window, read in loc, from start until now. A window boundary inside
// a bucket (impossible for a zone with 15-minute offsets and window times
// on the quarter hour) counts the bucket by its start.
func windowSlots(set campaign.Settings, loc *time.Location, start, now time.Time) map[time.Time]bool {
	slots := map[time.Time]bool{}
	if start.IsZero() || !start.Before(now) {
		return slots
	}
	days := map[time.Weekday]bool{}
	for _, d := range set.DialWindow.Days {
		days[d] = true
	}
	for b := BucketStart(start); b.Before(now) && len(slots) < 1<<20; b = b.Add(BucketSize) {
		l := b.In(loc)
		m := campaign.TimeOfDay(l.Hour()*60 + l.Minute())
		if days[l.Weekday()] && m >= set.DialWindow.Start && m < set.DialWindow.End {
			slots[b] = true
		}
	}
	return slots
}

func pacing(loc *time.Location, buckets []Bucket) []DayCalls {
	var out []DayCalls
	for _, b := range buckets {
		d := b.Start.In(loc).Format(time.DateOnly)
		if len(out) == 0 || out[len(out)-1].Date != d {
			out = append(out, DayCalls{Date: d})
		}
		out[len(out)-1].Calls += b.Attempts
		out[len(out)-1].Human += b.AnsweredHuman
	}
	return out
}
