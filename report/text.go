package report

import (
	"fmt"
	"strings"
	"time"
)

// Text renders a campaign report as plain text, one metric a line, for
// e-mail bodies and terminals. Incomplete metrics say so.
func Text(r *CampaignReport) string {
	var b strings.Builder
	line := func(label string, m Metric) { fmt.Fprintf(&b, "  %-24s %s\n", label, m) }
	fmt.Fprintf(&b, "Campaign %s (%s), %s\n", r.Name, r.Status, r.Timezone)
	fmt.Fprintf(&b, "Generated %s\n", r.GeneratedAt.Format(time.RFC3339))
	line("Progress", r.Progress)
	a := r.Activity
	b.WriteString("Activity\n")
	line("Calls made", a.CallsMade)
	line("Contacts dialled", a.ContactsDialled)
	line("Attempts per contact", a.AttemptsPerContact)
	line("Connect rate", a.ConnectRate)
	line("Human answer", a.HumanRate)
	line("Machine answer", a.MachineRate)
	line("No answer", a.NoAnswerRate)
	line("Busy or rejected", a.BusyRate)
	line("Failed", a.FailedRate)
	line("Conversations", a.Conversations)
	line("Talk time", a.TalkTime)
	line("Average talk", a.AvgTalkTime)
	line("Wrap-up time", a.WrapTime)
	line("Abandon rate", a.Abandon.Rate)
	fmt.Fprintf(&b, "  %-24s %s – %s (%s, cap %.1f%%)\n", "Abandon window",
		a.Abandon.From.Format(time.DateOnly), a.Abandon.To.Format(time.DateOnly), a.Abandon.Period, a.Abandon.Cap*100)
	res := r.Results
	b.WriteString("Results\n")
	line("Meetings booked", res.MeetingsBooked)
	line("Meeting acceptance", res.MeetingAcceptance)
	line("Qualified leads", res.QualifiedLeads)
	line("Opportunities", res.Opportunities)
	line("Revenue", res.Revenue)
	line("Primary goals achieved", res.Primary.Rate)
	line("Secondary goals achieved", res.Secondary.Rate)
	line("Completion rate", res.CompletionRate)
	line("Success rate", res.SuccessRate)
	line("Answer rate", res.AnswerRate)
	for _, s := range res.Statuses {
		if s.Count.Numerator > 0 {
			line("  "+string(s.Status), s.Count)
		}
	}
	lc := r.ListCost
	b.WriteString("List and cost\n")
	line("List penetration", lc.ListPenetration)
	line("List health", lc.ListHealth)
	line("Invalid numbers", lc.InvalidNumbers)
	line("Suppression pressure", lc.SuppressionPressure)
	line("Phone cost", lc.PhoneCost)
	line("Labour cost", lc.LabourCost)
	line("Cost per meeting", lc.CostPerMeeting)
	line("Hours per meeting", lc.HoursPerMeeting)
	t := r.Team
	b.WriteString("Team\n")
	line("Agents", t.Agents)
	line("Queue pressure", t.QueuePressure)
	line("Utilisation", t.Utilisation)
	line("Shift coverage", t.ShiftCoverage)
	line("Playbook adoption", t.PlaybookAdoption)
	return b.String()
}
