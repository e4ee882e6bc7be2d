package queue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/compliance"
)

func TestGroupKeyRoundTrip(t *testing.T) {
	c := campaign.Contact{State: "fl ", AreaCodeState: "GA", Timezones: []string{"America/New_York", "", "America/Chicago", "America/New_York"}}
	key := GroupKey(c)
	assert.Equal(t, "FL|GA|America/Chicago,America/New_York", key)
	tg, ok := parseGroup(key)
	require.True(t, ok)
	assert.Equal(t, compliance.CallTarget{AddressState: "FL", AreaCodeState: "GA", Zones: []string{"America/Chicago", "America/New_York"}}, tg)
	tg, ok = parseGroup("||")
	require.True(t, ok)
	assert.Empty(t, tg.Zones)
}

func TestCallableInterval(t *testing.T) {
	r := compliance.NewRules()
	w, err := Window(campaign.Settings{}.WithDefaults("US"), nil)
	require.NoError(t, err)
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 3, 9, 7, 30, 0, 0, ny)
	from, until := callableInterval(r, compliance.CallTarget{Zones: []string{"America/New_York"}, AddressState: "FL"}, w, at)
	// A Florida address may be on Central time: 09:00 there is 10:00 here.
	assert.Equal(t, time.Date(2026, 3, 9, 10, 0, 0, 0, ny), from.In(ny))
	assert.Equal(t, time.Date(2026, 3, 9, 20, 0, 0, 0, ny), until.In(ny), "Florida: until 8 p.m.")
	// No zone and no fallback: claimable for an hour, so the claim-time
	// check records the block.
	from, until = callableInterval(r, compliance.CallTarget{}, w, at)
	assert.Equal(t, at, from)
	assert.Equal(t, at.Add(time.Hour), until)
}

func TestWindowSchedule(t *testing.T) {
	s := campaign.Settings{}.WithDefaults("US")
	s.DialWindow.Days = []time.Weekday{time.Monday}
	sc := &campaign.Schedule{ID: "s", Timezone: "America/Chicago", Hours: map[time.Weekday][]campaign.Interval{time.Monday: {{Start: campaign.Clock(9, 0), End: campaign.Clock(12, 0)}}},
		Exceptions: []campaign.ScheduleException{{Date: "2026-03-16"}}}
	w, err := Window(s, sc)
	require.NoError(t, err)
	assert.Equal(t, compliance.Days(time.Monday), w.Weekdays())
	chi, _ := time.LoadLocation("America/Chicago")
	assert.True(t, w.Hours.Open(time.Date(2026, 3, 9, 10, 0, 0, 0, chi)))
	assert.False(t, w.Hours.Open(time.Date(2026, 3, 16, 10, 0, 0, 0, chi)), "exception closes the day")
	_, err = Window(s, &campaign.Schedule{ID: "bad", Timezone: "Mars/Olympus"})
	require.Error(t, err)
}
