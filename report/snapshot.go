package report

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/callstackhq/callstack/campaign"
)

// Entitlements is the host's check that a member may share a campaign's
// client snapshot (a plan feature, a per-client permission).
type Entitlements interface {
	// AllowSnapshot reports whether user may render the client snapshot of
	// campaign id in workspace ws.
	AllowSnapshot(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, user campaign.UserID) (bool, error)
}

// NameMask is how a client snapshot shows contacts' names.
type NameMask string

// Name masks.
const (
	// MaskInitials shows initials: "Jane Doe" → "J. D.".
	MaskInitials NameMask = "initials"
	// MaskFirstName shows the first name and the last initial: "Jane D.".
	MaskFirstName NameMask = "first_name"
	// MaskHidden shows no name at all.
	MaskHidden NameMask = "hidden"
)

// SnapshotRequest asks for a client snapshot.
type SnapshotRequest struct {
	WorkspaceID campaign.WorkspaceID
	CampaignID  campaign.ID
	// By is the member sharing it; Config.Entitlements decides.
	By campaign.UserID
	// Names defaults to MaskInitials.
	Names NameMask
	// MaxContacts bounds the contacts listed. Defaults to 100; -1 lists
	// none.
	MaxContacts int
}

// Snapshot is the redacted view of a campaign a client may see: the
// campaign's own metrics and its contacts with masked names. It holds no
// private notes (campaign, contact or outcome), no audit, nothing of
// another campaign, no phone numbers or e-mail addresses, and leaves out
// suppressed (dnc, skipped), erased and archived-list contacts.
type Snapshot struct {
	Campaign    string
	Client      string
	Status      campaign.Status
	Timezone    string
	GeneratedAt time.Time
	Progress    Metric
	Activity    Activity
	Results     Results
	Heatmap     Heatmap
	Pacing      []DayCalls
	Contacts    []SnapshotContact
	// ContactsLeftOut counts contacts not listed (redacted or past
	// MaxContacts).
	ContactsLeftOut int64
}

// SnapshotContact is one contact as a client sees it.
type SnapshotContact struct {
	Name       string
	Company    string
	Status     campaign.ContactStatus
	Attempts   int64
	LastResult campaign.Result
}

// MaskName masks a person's name per mask.
func MaskName(first, last string, mask NameMask) string {
	initial := func(s string) string {
		r, _ := utf8.DecodeRuneInString(strings.TrimSpace(s))
		if r == utf8.RuneError || !unicode.IsLetter(r) {
			return ""
		}
		return string(unicode.ToUpper(r)) + "."
	}
	switch mask {
	case MaskHidden:
		return ""
	case MaskFirstName:
		return strings.TrimSpace(strings.TrimSpace(first) + " " + initial(last))
	}
	return strings.TrimSpace(initial(first) + " " + initial(last))
}

// SnapshotView builds the redacted view after the entitlement check.
func (s *Service) SnapshotView(ctx context.Context, req SnapshotRequest) (*Snapshot, error) {
	if s.ent == nil {
		return nil, fmt.Errorf("%w: no entitlement check configured", ErrNotEntitled)
	}
	ok, err := s.ent.AllowSnapshot(ctx, req.WorkspaceID, req.CampaignID, req.By)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s may not share campaign %s", ErrNotEntitled, req.By, req.CampaignID)
	}
	if req.Names == "" {
		req.Names = MaskInitials
	}
	if req.MaxContacts == 0 {
		req.MaxContacts = 100
	}
	r, err := s.Campaign(ctx, req.WorkspaceID, req.CampaignID)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{
		Campaign: r.Name, Client: r.Client, Status: r.Status, Timezone: r.Timezone, GeneratedAt: r.GeneratedAt,
		Progress: r.Progress, Activity: r.Activity, Results: r.Results, Heatmap: r.Heatmap, Pacing: r.Pacing,
	}
	archived := map[campaign.ListID]bool{}
	err = s.store.ScanContactRows(ctx, req.WorkspaceID, req.CampaignID, func(row ContactRow) error {
		c := row.Contact
		if c.WorkspaceID != req.WorkspaceID || c.CampaignID != req.CampaignID {
			return nil // never another campaign's data
		}
		if c.ListID != "" {
			a, seen := archived[c.ListID]
			if !seen {
				l, err := s.store.GetList(ctx, req.WorkspaceID, c.ListID)
				a = err == nil && l.Archived
				archived[c.ListID] = a
			}
			if a {
				snap.ContactsLeftOut++
				return nil
			}
		}
		if c.Status == campaign.ContactDNC || c.Status == campaign.ContactSkipped || !c.ErasedAt.IsZero() ||
			len(snap.Contacts) >= req.MaxContacts || req.MaxContacts < 0 {
			snap.ContactsLeftOut++
			return nil
		}
		snap.Contacts = append(snap.Contacts, SnapshotContact{
			Name: MaskName(c.FirstName, c.LastName, req.Names), Company: c.Company, Status: c.Status,
			Attempts: row.Attempts, LastResult: row.LastResult,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The analysis answers may hold free text (open questions, data
	// points); a client sees only choice questions.
	kept := snap.Results.Answers[:0:0]
	for _, a := range snap.Results.Answers {
		switch a.Analysis.Kind {
		case campaign.AnalysisOpen, campaign.AnalysisDataPoint:
			continue
		}
		kept = append(kept, a)
	}
	snap.Results.Answers = kept
	return snap, nil
}

// RenderSnapshot writes the client snapshot as one self-contained HTML page
// (inline CSS and SVG charts, no scripts, no external resources).
func (s *Service) RenderSnapshot(ctx context.Context, w io.Writer, req SnapshotRequest) error {
	snap, err := s.SnapshotView(ctx, req)
	if err != nil {
		return err
	}
	return WriteSnapshotHTML(w, snap)
}

//go:embed snapshot.html.tmpl
var snapshotTmpl string

// WriteSnapshotHTML renders snap through html/template.
func WriteSnapshotHTML(w io.Writer, snap *Snapshot) error {
	t, err := template.New("snapshot").Funcs(template.FuncMap{
		"pct": func(m Metric) string {
			if m.Denominator == 0 {
				return "n/a"
			}
			return fmt.Sprintf("%.1f%%", m.Value*100)
		},
		"add":   func(i int) int { return 30 + i*30 },
		"hourX": func(h int) int { return 50 + h*30 },
		"barW":  func() string { return fmt.Sprintf("%.1f", max(760.0/float64(max(len(snap.Pacing), 1))-2, 1)) },
	}).Parse(snapshotTmpl)
	if err != nil {
		return err
	}
	return t.Execute(w, buildCharts(snap))
}

// chartData is the template's input: the snapshot and its precomputed SVG
// geometry.
type chartData struct {
	*Snapshot
	ProgressWidth float64
	Rates         []rateBar
	Cells         []heatCell
	Days          []string
	Hours         []int
	Bars          []dayBar
	Metrics       []namedMetric
}

type namedMetric struct {
	Name string
	M    Metric
}

type rateBar struct {
	Label string
	Y     int
	Width float64
	Text  string
}

type heatCell struct {
	X, Y    int
	Opacity float64
	Fill    string
	Title   string
}

type dayBar struct {
	X, Y, H float64
	Date    string
	Calls   int64
}

func buildCharts(s *Snapshot) chartData {
	d := chartData{Snapshot: s, Days: []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}}
	if s.Progress.Denominator > 0 {
		d.ProgressWidth = 600 * min(s.Progress.Value, 1)
	}
	a := s.Activity
	for i, r := range []struct {
		l string
		m Metric
	}{{"Person", a.HumanRate}, {"Machine", a.MachineRate}, {"No answer", a.NoAnswerRate}, {"Busy", a.BusyRate}, {"Failed", a.FailedRate}} {
		b := rateBar{Label: r.l, Y: 10 + i*30, Text: r.m.String()}
		if r.m.Denominator > 0 {
			b.Width = 500 * r.m.Value
		}
		d.Rates = append(d.Rates, b)
	}
	for h := 0; h < 24; h += 3 {
		d.Hours = append(d.Hours, h)
	}
	for wd := range 7 {
		for h := range 24 {
			m := s.Heatmap.Cells[wd][h]
			c := heatCell{X: 50 + h*30, Y: 10 + wd*30, Fill: "#1f6feb", Opacity: 0.08 + 0.92*m.Value,
				Title: fmt.Sprintf("%s %02d:00 %s", d.Days[wd], h, m)}
			if m.Denominator == 0 {
				c.Fill, c.Opacity = "#d0d7de", 1
			} else if m.Incomplete {
				c.Fill = "#8c959f"
			}
			d.Cells = append(d.Cells, c)
		}
	}
	var top int64 = 1
	for _, p := range s.Pacing {
		top = max(top, p.Calls)
	}
	n := max(len(s.Pacing), 1)
	w := 760.0 / float64(n)
	for i, p := range s.Pacing {
		h := 160 * float64(p.Calls) / float64(top)
		d.Bars = append(d.Bars, dayBar{X: 20 + float64(i)*w, Y: 180 - h, H: h, Date: p.Date, Calls: p.Calls})
	}
	r := s.Results
	d.Metrics = []namedMetric{
		{"Calls made", a.CallsMade}, {"Connect rate", a.ConnectRate}, {"Conversations", a.Conversations},
		{"Abandon rate", a.Abandon.Rate}, {"Meetings booked", r.MeetingsBooked}, {"Qualified leads", r.QualifiedLeads},
		{"Completion rate", r.CompletionRate}, {"Success rate", r.SuccessRate}, {"Answer rate", r.AnswerRate},
		{"Primary goals achieved", r.Primary.Rate},
	}
	return d
}
