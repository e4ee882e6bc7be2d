package campaign_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/callstackhq/callstack/campaign"
)

func TestCallingPeriod(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	c := campaign.Campaign{Status: campaign.StatusQueued, StartDate: t0, Deadline: t0.Add(time.Hour)}
	assert.Equal(t, campaign.ReasonBeforeStart, c.PeriodRefusal(t0.Add(-time.Nanosecond)))
	assert.Empty(t, c.PeriodRefusal(t0))
	assert.Empty(t, c.PeriodRefusal(t0.Add(time.Hour-time.Nanosecond)))
	assert.Equal(t, campaign.ReasonAfterDeadline, c.PeriodRefusal(t0.Add(time.Hour)))

	assert.False(t, c.DueToStart(t0.Add(-time.Second)))
	assert.True(t, c.DueToStart(t0))
	assert.False(t, c.DueToStart(t0.Add(time.Hour)), "a campaign whose deadline passed while Queued does not start")
	assert.Equal(t, t0, c.NextPeriodChange(t0.Add(-time.Minute)))
	assert.Equal(t, t0.Add(time.Hour), c.NextPeriodChange(t0))
	assert.True(t, c.NextPeriodChange(t0.Add(time.Hour)).IsZero())

	c.Status = campaign.StatusRunning
	assert.False(t, c.DueToStart(t0))
	assert.False(t, c.DueToEnd(t0))
	assert.True(t, c.DueToEnd(t0.Add(time.Hour)))
	c.Status = campaign.StatusPaused
	assert.True(t, c.DueToEnd(t0.Add(time.Hour)), "a paused campaign ends at its deadline too")

	open := campaign.Campaign{Status: campaign.StatusQueued}
	assert.Empty(t, open.PeriodRefusal(t0), "blank dates: open from now on, forever")
	assert.True(t, open.DueToStart(t0), "blank start date: starts immediately")
}
