package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	t.Log(s)
	assert.Contains(t, s, "import: 246 rows")
	assert.Contains(t, s, "emergency_number 1")
	assert.Contains(t, s, "suppressed_client 1")
	assert.Contains(t, s, "dialer: ")
	assert.Contains(t, s, "Campaign Spring renewals")
	// Callers record acceptance with each booked meeting: the rate is a
	// finding, not "0.0% (0/47)" beside 47 meetings.
	m := regexp.MustCompile(`Meetings booked +(\d+)\n +Meeting acceptance +(\d+\.\d)% \((\d+)/(\d+)\)(.*)\n`).FindStringSubmatch(s)
	require.NotNil(t, m, "meetings booked and acceptance lines")
	assert.Equal(t, m[1], m[4], "acceptance is over the meetings booked")
	accepted, _ := strconv.Atoi(m[3])
	booked, _ := strconv.Atoi(m[4])
	assert.Positive(t, accepted)
	assert.Less(t, accepted, booked)
	assert.NotContains(t, m[5], "incomplete")
	// The callbacks listed through the campaign service are the report's.
	// (The report lists only statuses with contacts.)
	want := "0"
	if cb := regexp.MustCompile(`\n +callback +(\d+)\n`).FindStringSubmatch(s); cb != nil {
		want = cb[1]
	}
	assert.Equal(t, want, strconv.Itoa(strings.Count(s, "callback pending: ")))
}
