package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// CronSchedule is a standard five-field cron expression read in a time
// zone, with daylight-saving days handled the way people expect: a wall
// time skipped by a spring-forward change fires once, shifted forward by the
// gap (02:30 → 03:30 on 2026-03-08 in New York); a wall time repeated by a
// fall-back change fires once, at its first occurrence (01:30 EDT on
// 2026-11-01).
//
// robfig/cron's own schedule, evaluated in the zone, does neither: it skips
// the skipped time's day and fires the repeated time twice (the tests pin
// that down). CronSchedule uses robfig's parser but evaluates the fields on
// wall-clock time (in UTC, which has no transitions) and maps each match to
// an instant itself. It never reads the wall clock: Next takes the time.
type CronSchedule struct {
	wall cron.Schedule
	loc  *time.Location
}

// ParseCron parses a standard cron expression ("30 2 * * *", descriptors
// such as "@daily" included). A "CRON_TZ=Zone " or "TZ=Zone " prefix names
// the IANA zone; without it the expression is read in def.
func ParseCron(spec string, def *time.Location) (*CronSchedule, error) {
	spec = strings.TrimSpace(spec)
	loc := def
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		zone, rest, _ := strings.Cut(spec, " ")
		_, name, _ := strings.Cut(zone, "=")
		l, err := time.LoadLocation(name)
		if err != nil {
			return nil, fmt.Errorf("%w: cron zone %q: %w", ErrInvalid, name, err)
		}
		loc, spec = l, strings.TrimSpace(rest)
	}
	if loc == nil {
		return nil, fmt.Errorf("%w: cron %q: no time zone", ErrInvalid, spec)
	}
	s, err := cron.ParseStandard("CRON_TZ=UTC " + spec)
	if err != nil {
		return nil, fmt.Errorf("%w: cron %q: %w", ErrInvalid, spec, err)
	}
	return &CronSchedule{wall: s, loc: loc}, nil
}

// Location returns the zone the schedule is read in.
func (c *CronSchedule) Location() *time.Location { return c.loc }

// Next returns the first fire time strictly after t, or the zero time when
// there is none within five years.
func (c *CronSchedule) Next(t time.Time) time.Time {
	l := t.In(c.loc)
	wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
	// Step back an hour of wall time so that a fire shifted forward out of
	// a gap (its wall time is before t's) is found too.
	wall = wall.Add(-3 * time.Hour)
	for range 100000 {
		wall = c.wall.Next(wall)
		if wall.IsZero() {
			return time.Time{}
		}
		at := c.instant(wall)
		if at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// instant maps a wall time (as UTC fields) to an instant in the zone: the
// first of two in a repeated hour, the time shifted forward by the gap in a
// skipped one.
func (c *CronSchedule) instant(wall time.Time) time.Time {
	at := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), c.loc)
	if sameWall(at, wall) {
		// Go may pick either occurrence of a repeated time; take the first.
		for _, d := range []time.Duration{-3 * time.Hour, -2 * time.Hour, -time.Hour, -30 * time.Minute} {
			if e := at.Add(d); sameWall(e.In(c.loc), wall) {
				return e
			}
		}
		return at
	}
	// In a gap: read the wall time with the offset before the change.
	_, off := at.Add(-6 * time.Hour).Zone()
	return wall.Add(-time.Duration(off) * time.Second).In(c.loc)
}

func sameWall(at, wall time.Time) bool {
	y, m, d := at.Date()
	wy, wm, wd := wall.Date()
	return y == wy && m == wm && d == wd && at.Hour() == wall.Hour() && at.Minute() == wall.Minute() && at.Second() == wall.Second()
}
