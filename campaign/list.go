package campaign

import (
	"fmt"
	"time"
)

// List is a named set of contacts imported together.
type List struct {
	ID          ListID
	WorkspaceID WorkspaceID
	// CampaignID is the campaign the list feeds; empty for a workspace list.
	CampaignID ID
	Name       string
	// Priority orders lists within a lane, 0–100; higher is called first.
	// Defaults to 50.
	Priority int
	// ExpireDays expires the list's uncalled contacts that many days after
	// import; 0 never expires.
	ExpireDays int
	// DupeDays is the window, in days, in which the same number imported
	// again counts as a duplicate across the workspace. Defaults to 90; -1
	// turns off the check across time (the same number twice in one
	// campaign is always refused).
	DupeDays  int
	Archived  bool
	CreatedAt time.Time
}

// withDefaults fills zero fields; DupeDays 0 means the default 90.
func (l List) withDefaults() List {
	if l.Priority == 0 {
		l.Priority = 50
	}
	if l.DupeDays == 0 {
		l.DupeDays = 90
	}
	return l
}

// Validate checks the list; the error names each failing field.
func (l List) Validate() error {
	var v validator
	v.check(l.ID != "", "ID", "is required")
	v.check(l.WorkspaceID != "", "WorkspaceID", "is required")
	v.check(l.Name != "", "Name", "is required")
	v.check(l.Priority >= 0 && l.Priority <= 100, "Priority", "must be 0–100, got %d", l.Priority)
	v.check(l.ExpireDays >= 0, "ExpireDays", "must not be negative")
	v.check(l.DupeDays == -1 || l.DupeDays > 0, "DupeDays", "must be positive or -1, got %d", l.DupeDays)
	validateText(&v, l)
	return v.err()
}

// Disposition is an outcome a caller saves after a call.
type Disposition struct {
	ID          DispositionID
	WorkspaceID WorkspaceID
	CampaignID  ID
	Title       string
	// Qualified marks a qualified lead.
	Qualified bool
	// Contacted marks a real conversation.
	Contacted bool
	// Callback asks for a callback time.
	Callback bool
	// DNC means "stop calling me": consent is revoked and the number is
	// suppressed at once.
	DNC bool
	// RequiresNote refuses the outcome without a note.
	RequiresNote bool
	// RequiredFields are outcome fields that must be filled.
	RequiredFields []string
	// Final ends the contact; otherwise the contact may be retried.
	Final    bool
	Archived bool
}

// Validate checks the disposition; the error names each failing field.
func (d Disposition) Validate() error {
	var v validator
	v.check(d.ID != "", "ID", "is required")
	v.check(d.WorkspaceID != "", "WorkspaceID", "is required")
	v.check(d.CampaignID != "", "CampaignID", "is required")
	v.check(d.Title != "", "Title", "is required")
	v.check(!(d.Callback && d.Final), "Final", "a callback disposition cannot be final")
	v.check(!(d.DNC && !d.Final), "Final", "a DNC disposition must be final")
	validateText(&v, d)
	return v.err()
}

// GoalKind says whether a goal is primary or secondary.
type GoalKind string

// Goal kinds.
const (
	GoalPrimary   GoalKind = "primary"
	GoalSecondary GoalKind = "secondary"
)

// Goal is what a campaign tries to achieve on each call.
type Goal struct {
	ID          GoalID
	WorkspaceID WorkspaceID
	CampaignID  ID
	Kind        GoalKind
	Title       string
	Archived    bool
}

// Validate checks the goal; the error names each failing field.
func (g Goal) Validate() error {
	var v validator
	v.check(g.ID != "", "ID", "is required")
	v.check(g.WorkspaceID != "", "WorkspaceID", "is required")
	v.check(g.CampaignID != "", "CampaignID", "is required")
	v.check(g.Title != "", "Title", "is required")
	v.check(g.Kind == GoalPrimary || g.Kind == GoalSecondary, "Kind", "must be primary or secondary, got %q", g.Kind)
	validateText(&v, g)
	return v.err()
}

// AnalysisKind is the answer type of an analysis question.
type AnalysisKind string

// Analysis kinds.
const (
	AnalysisYesNo          AnalysisKind = "yes_no"
	AnalysisSingleChoice   AnalysisKind = "single_choice"
	AnalysisMultipleChoice AnalysisKind = "multiple_choice"
	AnalysisOpen           AnalysisKind = "open"
	AnalysisRating         AnalysisKind = "rating"
	AnalysisDataPoint      AnalysisKind = "data_point"
)

// Analysis is a question answered about each conversation.
type Analysis struct {
	ID          AnalysisID
	WorkspaceID WorkspaceID
	CampaignID  ID
	Kind        AnalysisKind
	Question    string
	// Choices are the options of a single or multiple choice question.
	Choices  []string
	Active   bool
	Archived bool
}

// Validate checks the analysis; the error names each failing field.
func (a Analysis) Validate() error {
	var v validator
	v.check(a.ID != "", "ID", "is required")
	v.check(a.WorkspaceID != "", "WorkspaceID", "is required")
	v.check(a.CampaignID != "", "CampaignID", "is required")
	v.check(a.Question != "", "Question", "is required")
	switch a.Kind {
	case AnalysisSingleChoice, AnalysisMultipleChoice:
		v.check(len(a.Choices) >= 2, "Choices", "a choice question needs at least two choices")
	case AnalysisYesNo, AnalysisOpen, AnalysisRating, AnalysisDataPoint:
	default:
		v.add("Kind", "unknown analysis kind %q", a.Kind)
	}
	validateText(&v, a)
	return v.err()
}

// Interval is an open span of local wall-clock time within a day.
type Interval struct {
	Start TimeOfDay
	End   TimeOfDay
}

// Schedule is a campaign's business hours: open intervals per weekday in
// its timezone, with dated exceptions.
type Schedule struct {
	ID          ScheduleID
	WorkspaceID WorkspaceID
	Name        string
	// Timezone is the IANA zone the hours are in.
	Timezone string
	// Hours maps a weekday to its open intervals; a missing day is closed.
	Hours map[time.Weekday][]Interval
	// Exceptions override single dates (a holiday closed, a Saturday open).
	Exceptions []ScheduleException
}

// ScheduleException overrides a single date.
type ScheduleException struct {
	// Date is the local date, "2006-01-02".
	Date string
	// Hours are the date's open intervals; empty means closed all day.
	Hours []Interval
}

// Validate checks the schedule; the error names each failing field.
func (s Schedule) Validate() error {
	var v validator
	v.check(s.ID != "", "ID", "is required")
	v.check(s.WorkspaceID != "", "WorkspaceID", "is required")
	validateZone(&v, "Timezone", s.Timezone)
	for d, ivs := range s.Hours {
		for i, iv := range ivs {
			v.check(iv.Start >= 0 && iv.End > iv.Start && iv.End <= 1440, fmt.Sprintf("Hours[%s][%d]", d, i), "must be a non-empty span within the day")
		}
	}
	for i, e := range s.Exceptions {
		_, err := time.Parse(time.DateOnly, e.Date)
		v.check(err == nil, fmt.Sprintf("Exceptions[%d].Date", i), "must be YYYY-MM-DD, got %q", e.Date)
	}
	validateText(&v, s)
	return v.err()
}

// intervals returns the open intervals of the local date of t.
func (s Schedule) intervals(local time.Time) []Interval {
	date := local.Format(time.DateOnly)
	for _, e := range s.Exceptions {
		if e.Date == date {
			return e.Hours
		}
	}
	return s.Hours[local.Weekday()]
}

// Open reports whether the schedule is open at t. An unknown timezone is
// closed, never guessed.
func (s Schedule) Open(t time.Time) bool {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return false
	}
	local := t.In(loc)
	m := TimeOfDay(local.Hour()*60 + local.Minute())
	for _, iv := range s.intervals(local) {
		if m >= iv.Start && m < iv.End {
			return true
		}
	}
	return false
}
