package dialer

import (
	"context"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer/pacing"
	"github.com/callstackhq/callstack/queue"
)

// abandonBook keeps a campaign's abandon accounting: live answers and
// abandoned calls in the current legal period (successive periods of
// AbandonWindow from the campaign's start, the current partial one
// included, or a rolling window ending now) and in the current local day.
type abandonBook struct {
	cap      float64
	period   campaign.AbandonPeriod
	window   time.Duration
	start    time.Time
	loc      *time.Location
	cur      int64 // index of the successive period counted
	live     int
	aband    int
	liveAt   []time.Time // rolling: answers within the window
	abandAt  []time.Time
	day      string
	dayLive  int
	dayAband int
}

// configure takes the campaign's settings; counts carry over while the
// period definition is unchanged.
func (b *abandonBook) configure(c campaign.Campaign, now time.Time) {
	start := c.StartDate
	if start.IsZero() || start.After(now) {
		start = c.CreatedAt
	}
	changed := b.period != c.Settings.AbandonPeriod || b.window != c.Settings.AbandonWindow || !b.start.Equal(start)
	b.cap, b.period, b.window, b.start = c.Settings.AbandonCap, c.Settings.AbandonPeriod, c.Settings.AbandonWindow, start
	if loc, err := time.LoadLocation(c.Timezone); err == nil {
		b.loc = loc
	} else if b.loc == nil {
		b.loc = time.UTC
	}
	if changed {
		b.cur, b.live, b.aband, b.liveAt, b.abandAt = b.index(now), 0, 0, nil, nil
	}
}

func (b *abandonBook) index(t time.Time) int64 {
	if b.window <= 0 || t.Before(b.start) {
		return 0
	}
	return int64(t.Sub(b.start) / b.window)
}

// PeriodStart returns when the period containing now began.
func (b *abandonBook) periodStart(now time.Time) time.Time {
	if b.period == campaign.AbandonRolling {
		return now.Add(-b.window)
	}
	return b.start.Add(time.Duration(b.index(now)) * b.window)
}

func (b *abandonBook) roll(now time.Time) {
	if b.period == campaign.AbandonRolling {
		cut := now.Add(-b.window)
		for len(b.liveAt) > 0 && !b.liveAt[0].After(cut) {
			b.liveAt = b.liveAt[1:]
		}
		for len(b.abandAt) > 0 && !b.abandAt[0].After(cut) {
			b.abandAt = b.abandAt[1:]
		}
		b.live, b.aband = len(b.liveAt), len(b.abandAt)
	} else if i := b.index(now); i != b.cur {
		b.cur, b.live, b.aband = i, 0, 0
	}
	if d := now.In(b.loc).Format(time.DateOnly); d != b.day {
		b.day, b.dayLive, b.dayAband = d, 0, 0
	}
}

func (b *abandonBook) add(at time.Time, abandoned bool) {
	b.roll(at)
	if abandoned {
		b.aband++
		b.dayAband++
		if b.period == campaign.AbandonRolling {
			b.abandAt = append(b.abandAt, at)
		}
		return
	}
	b.live++
	b.dayLive++
	if b.period == campaign.AbandonRolling {
		b.liveAt = append(b.liveAt, at)
	}
}

func (b *abandonBook) answered(at time.Time) { b.add(at, false) }

func (b *abandonBook) abandoned(at time.Time) { b.add(at, true) }

func (b *abandonBook) stats(now time.Time) pacing.AbandonStats {
	b.roll(now)
	return pacing.AbandonStats{Cap: b.cap, PeriodLive: b.live, PeriodAbandoned: b.aband, ShiftLive: b.dayLive, ShiftAbandoned: b.dayAband}
}

// load counts the attempt log of the current period, so a restarted
// engine keeps the campaign's abandon accounting.
func (b *abandonBook) load(ctx context.Context, at Attempts, ws campaign.WorkspaceID, id campaign.ID, now time.Time) error {
	f := queue.AttemptFilter{CampaignID: id, Since: b.periodStart(now), Until: now.Add(time.Nanosecond), Limit: 10000}
	for {
		as, err := at.ListAttempts(ctx, ws, f)
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.AnsweredBy == "human" || a.Abandoned {
				t := a.AnsweredAt
				if t.IsZero() {
					t = a.StartedAt
				}
				b.add(t, false)
				if a.Abandoned {
					b.add(t, true)
				}
			}
		}
		if len(as) < f.PageLimit() {
			return nil
		}
		f.After = as[len(as)-1].ID
	}
}
