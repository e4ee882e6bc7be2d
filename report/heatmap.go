package report

import "time"

// Heatmap is the human-answer rate by local weekday and hour in the
// campaign's zone: Cells[weekday][hour] is attempts answered by a person ÷
// attempts started in that local hour, with time.Sunday = 0. Each cell
// carries its sample size and is Incomplete below Config.MinSample.
type Heatmap struct {
	Timezone string        `json:"timezone"`
	Cells    [7][24]Metric `json:"cells"`
}

// heatmap folds 15-minute UTC buckets into local weekday × hour cells,
// converting each bucket's start with the zone's rules (DST-correct: on a
// fall-back day the repeated hour gets both real hours' calls; on a
// spring-forward day the skipped hour gets none).
func (s *Service) heatmap(zone string, loc *time.Location, buckets []Bucket) Heatmap {
	var num, den [7][24]int64
	for _, b := range buckets {
		l := b.Start.In(loc)
		num[l.Weekday()][l.Hour()] += b.AnsweredHuman
		den[l.Weekday()][l.Hour()] += b.Attempts
	}
	h := Heatmap{Timezone: zone}
	for d := range 7 {
		for hr := range 24 {
			h.Cells[d][hr] = rate(num[d][hr], den[d][hr], s.minN)
		}
	}
	return h
}
