package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// ScheduleID identifies a scheduled report.
type ScheduleID string

// Trigger is when a scheduled report is due.
type Trigger string

// Triggers.
const (
	// TriggerWindowEnd: at the end of the campaign's dialing window
	// (Settings.DialWindow.End on its days, in the campaign's zone).
	TriggerWindowEnd Trigger = "window_end"
	// TriggerMidnight: at midnight in the campaign's zone, every day.
	TriggerMidnight Trigger = "midnight"
	// TriggerCron: on Schedule.Cron.
	TriggerCron Trigger = "cron"
)

// Schedule is a report sent to recipients on a trigger.
type Schedule struct {
	ID          ScheduleID
	WorkspaceID campaign.WorkspaceID
	CampaignID  campaign.ID
	// Trigger is required.
	Trigger Trigger
	// Cron is the expression of TriggerCron, read in the campaign's zone
	// unless it starts with "CRON_TZ=Zone " (see [ParseCron]).
	Cron string
	// Recipients are e-mail addresses; at least one is required.
	Recipients []string
	// Subject defaults to "Campaign report: " and the campaign's name.
	Subject string
	// Attach adds an XLSX export of the campaign's contacts. Defaults to
	// false.
	Attach bool
}

// Delivery is one try to deliver a scheduled report.
type Delivery struct {
	WorkspaceID campaign.WorkspaceID `json:"workspace_id"`
	ScheduleID  ScheduleID           `json:"schedule_id"`
	CampaignID  campaign.ID          `json:"campaign_id"`
	// Due is the fire time the delivery is for.
	Due time.Time `json:"due"`
	// Try counts from 1.
	Try        int       `json:"try"`
	At         time.Time `json:"at"`
	Recipients []string  `json:"recipients"`
	// Error is the failure, empty on success.
	Error string `json:"error,omitempty"`
}

// Message is what a [Sender] delivers.
type Message struct {
	To      []string
	Subject string
	Text    string
	HTML    string
	Date    time.Time
	// Attachments are added as files.
	Attachments []Attachment
}

// Attachment is a file attached to a [Message].
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Sender delivers a message. An error means this try failed; the
// scheduler retries.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SchedulerConfig configures a [Scheduler].
type SchedulerConfig struct {
	// Service computes the reports; required. Its clock is the
	// scheduler's.
	Service *Service
	// Sender delivers them; required.
	Sender Sender
	// Sleep waits d on the scheduler's clock, returning early with the
	// context's error. Defaults to a real timer; tests pass one that moves
	// their fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxTries bounds the tries per delivery. Defaults to 4.
	MaxTries int
	// Backoff is the wait before the second try, doubled for each further
	// try. Defaults to 1m.
	Backoff time.Duration
	// Poll is how often Run checks for due schedules. Defaults to 1m.
	Poll time.Duration
}

// Scheduler fires scheduled reports. Schedules live in the service's
// [Store] with the scheduler's state (when each is next due), so a restart
// forgets nothing and any number of schedulers (in one process or many) may
// run over one store: each due time is claimed atomically
// ([Store.ClaimReportSchedule]) by exactly one of them before it is sent.
//
// It never reads the wall clock: the service's clock says what time it is,
// robfig/cron's parser (through [CronSchedule]) says when each schedule is
// next due, and Tick (or Run, which calls Tick every Poll) delivers what is
// due. Each due time is delivered at most once, however late the tick:
// after downtime a schedule catches up once, with the first fire time it
// missed, and is next due at its first fire time after now (missed ticks
// are not replayed one by one). A claimed delivery whose process dies
// before sending it is not retried; its absence shows in the delivery
// history. Safe for concurrent use.
type Scheduler struct {
	svc      *Service
	send     Sender
	sleep    func(ctx context.Context, d time.Duration) error
	maxTries int
	backoff  time.Duration
	poll     time.Duration
}

// NewScheduler returns a Scheduler over the schedules of the service's
// store.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.Service == nil || cfg.Sender == nil {
		return nil, fmt.Errorf("%w: SchedulerConfig.Service and Sender are required", ErrInvalid)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepTimer
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 4
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Minute
	}
	return &Scheduler{svc: cfg.Service, send: cfg.Sender, sleep: cfg.Sleep, maxTries: cfg.MaxTries,
		backoff: cfg.Backoff, poll: cfg.Poll}, nil
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CronFor returns the schedule's [CronSchedule] for campaign c.
func CronFor(s Schedule, c campaign.Campaign) (*CronSchedule, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("%w: campaign timezone %q: %w", ErrInvalid, c.Timezone, err)
	}
	switch s.Trigger {
	case TriggerMidnight:
		return ParseCron("0 0 * * *", loc)
	case TriggerCron:
		return ParseCron(s.Cron, loc)
	case TriggerWindowEnd:
		w := c.Settings.WithDefaults("").DialWindow
		end, shift := int(w.End), 0
		if end >= 1440 {
			end, shift = 0, 1
		}
		days := make([]string, 0, len(w.Days))
		for _, d := range w.Days {
			days = append(days, fmt.Sprint((int(d)+shift)%7))
		}
		slices.Sort(days)
		return ParseCron(fmt.Sprintf("%d %d * * %s", end%60, end/60, strings.Join(slices.Compact(days), ",")), loc)
	}
	return nil, fmt.Errorf("%w: unknown trigger %q", ErrInvalid, s.Trigger)
}

// Add stores or replaces a schedule; it is first due at its first fire
// time after the clock's now. A scheduled report sends the campaign's
// figures (and, with Attach, its contacts) out of CallStack, so the actor
// must be a member of the schedule's workspace whose role may export, as
// for [Service.Export]; a zero s.WorkspaceID is the actor's. Deliveries
// then run on the scheduler's own authority.
func (sc *Scheduler) Add(ctx context.Context, actor campaign.Actor, s Schedule) error {
	if s.WorkspaceID == "" {
		s.WorkspaceID = actor.WorkspaceID
	}
	if err := sc.svc.authorizeExport(ctx, actor, s.WorkspaceID); err != nil {
		return err
	}
	if s.ID == "" || s.CampaignID == "" || len(s.Recipients) == 0 {
		return fmt.Errorf("%w: a schedule needs an ID, CampaignID and recipients", ErrInvalid)
	}
	cs, err := sc.cron(ctx, s)
	if err != nil {
		return err
	}
	s.Recipients = slices.Clone(s.Recipients)
	return sc.svc.store.PutReportSchedule(ctx, ScheduleRecord{Schedule: s, Next: cs.Next(sc.svc.now()).UTC()})
}

// cron returns the schedule's CronSchedule, read against its campaign.
func (sc *Scheduler) cron(ctx context.Context, s Schedule) (*CronSchedule, error) {
	c, err := sc.svc.store.GetCampaign(ctx, s.WorkspaceID, s.CampaignID)
	if err != nil {
		return nil, err
	}
	return CronFor(s, c)
}

// Remove deletes the schedule id of workspace ws (zero: the actor's), with
// the authority Add needs. A schedule that does not exist is an error
// wrapping campaign.ErrNotFound.
func (sc *Scheduler) Remove(ctx context.Context, actor campaign.Actor, ws campaign.WorkspaceID, id ScheduleID) error {
	if ws == "" {
		ws = actor.WorkspaceID
	}
	if err := sc.svc.authorizeExport(ctx, actor, ws); err != nil {
		return err
	}
	return sc.svc.store.DeleteReportSchedule(ctx, ws, id)
}

// List returns the schedules of workspace ws (zero: the actor's) ordered by
// ID, with when each is next due, to an actor with the authority Add needs.
func (sc *Scheduler) List(ctx context.Context, actor campaign.Actor, ws campaign.WorkspaceID) ([]ScheduleRecord, error) {
	if ws == "" {
		ws = actor.WorkspaceID
	}
	if err := sc.svc.authorizeExport(ctx, actor, ws); err != nil {
		return nil, err
	}
	return sc.svc.store.ListReportSchedules(ctx, ws)
}

// Next returns when the workspace's schedule id is next due (zero: never),
// or an error wrapping campaign.ErrNotFound.
func (sc *Scheduler) Next(ctx context.Context, ws campaign.WorkspaceID, id ScheduleID) (time.Time, error) {
	r, err := sc.svc.store.GetReportSchedule(ctx, ws, id)
	if err != nil {
		return time.Time{}, err
	}
	return r.Next, nil
}

// Tick delivers every stored schedule due at the clock's now, once per due
// time: it claims the due time, moving the schedule's next due time to its
// first fire time after now, and sends only what it claimed, so a late
// tick (or the first after a restart) sends a schedule once, and of two
// schedulers over one store only one sends it. A schedule whose campaign is
// gone or whose trigger no longer parses is never due again; the failure is
// recorded in the delivery history. It returns the errors joined
// (deliveries' wrap [ErrDelivery]).
func (sc *Scheduler) Tick(ctx context.Context) error {
	now := sc.svc.now()
	dues, err := sc.svc.store.DueReportSchedules(ctx, now, 0)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range dues {
		var next time.Time
		cs, cerr := sc.cron(ctx, r.Schedule)
		switch {
		case cerr == nil:
			next = cs.Next(now).UTC()
		case !errors.Is(cerr, campaign.ErrNotFound) && !errors.Is(cerr, ErrInvalid):
			errs = append(errs, cerr) // a store failure: try again next tick
			continue
		}
		ok, err := sc.svc.store.ClaimReportSchedule(ctx, r.WorkspaceID, r.ID, r.Next, next)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue // another scheduler has it, or it changed since
		}
		if cerr != nil {
			d := Delivery{WorkspaceID: r.WorkspaceID, ScheduleID: r.ID, CampaignID: r.CampaignID, Due: r.Next, Try: 1,
				At: now.UTC(), Recipients: r.Recipients, Error: cerr.Error()}
			errs = append(errs, fmt.Errorf("%w: schedule %s: %w", ErrDelivery, r.ID, cerr), sc.svc.store.AppendDelivery(ctx, d))
			continue
		}
		if err := sc.deliver(ctx, r.Schedule, r.Next); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sameSchedule reports whether b is the stored schedule a.
func sameSchedule(a, b Schedule) bool {
	return a.ID == b.ID && a.WorkspaceID == b.WorkspaceID && a.CampaignID == b.CampaignID && a.Trigger == b.Trigger &&
		a.Cron == b.Cron && slices.Equal(a.Recipients, b.Recipients) && a.Subject == b.Subject && a.Attach == b.Attach
}

// Run calls Tick every Poll until ctx ends, then returns ctx's error.
// Delivery failures are recorded in the history, not returned.
func (sc *Scheduler) Run(ctx context.Context) error {
	for {
		if err := sc.Tick(ctx); err != nil {
			sc.svc.log.Debug("report: scheduled delivery failed", "err", err)
		}
		if err := sc.sleep(ctx, sc.poll); err != nil {
			return err
		}
	}
}

// Deliver builds the schedule's report and sends it now, retrying up to
// MaxTries with doubling backoff on the scheduler's clock; every try is
// recorded in the delivery history. due is the fire time it is for; it
// claims nothing, so it is for sending a report again by hand. s must have
// been stored with Add, which checked who may send it: Deliver sends the
// stored schedule of s.WorkspaceID and s.ID, and refuses with ErrInvalid
// one it does not know or one that differs from the stored one.
func (sc *Scheduler) Deliver(ctx context.Context, s Schedule, due time.Time) error {
	r, err := sc.svc.store.GetReportSchedule(ctx, s.WorkspaceID, s.ID)
	if errors.Is(err, campaign.ErrNotFound) || (err == nil && !sameSchedule(r.Schedule, s)) {
		return fmt.Errorf("%w: schedule %q is not one stored with Add", ErrInvalid, s.ID)
	}
	if err != nil {
		return err
	}
	return sc.deliver(ctx, r.Schedule, due)
}

func (sc *Scheduler) deliver(ctx context.Context, s Schedule, due time.Time) error {
	m, err := sc.message(ctx, s)
	if err != nil {
		d := Delivery{WorkspaceID: s.WorkspaceID, ScheduleID: s.ID, CampaignID: s.CampaignID, Due: due, Try: 1,
			At: sc.svc.now().UTC(), Recipients: s.Recipients, Error: err.Error()}
		return errors.Join(fmt.Errorf("%w: schedule %s: %w", ErrDelivery, s.ID, err), sc.svc.store.AppendDelivery(ctx, d))
	}
	wait := sc.backoff
	var last error
	for try := 1; try <= sc.maxTries; try++ {
		if try > 1 {
			if err := sc.sleep(ctx, wait); err != nil {
				return fmt.Errorf("%w: schedule %s: %w", ErrDelivery, s.ID, err)
			}
			wait *= 2
		}
		m.Date = sc.svc.now()
		last = sc.send.Send(ctx, m)
		d := Delivery{WorkspaceID: s.WorkspaceID, ScheduleID: s.ID, CampaignID: s.CampaignID, Due: due, Try: try,
			At: sc.svc.now().UTC(), Recipients: s.Recipients}
		if last != nil {
			d.Error = last.Error()
		}
		if err := sc.svc.store.AppendDelivery(context.WithoutCancel(ctx), d); err != nil {
			return err
		}
		if last == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: schedule %s after %d tries: %w", ErrDelivery, s.ID, sc.maxTries, last)
}

func (sc *Scheduler) message(ctx context.Context, s Schedule) (Message, error) {
	r, err := sc.svc.Campaign(ctx, s.WorkspaceID, s.CampaignID)
	if err != nil {
		return Message{}, err
	}
	subject := s.Subject
	if subject == "" {
		subject = "Campaign report: " + r.Name
	}
	m := Message{To: slices.Clone(s.Recipients), Subject: subject, Text: Text(r)}
	if s.Attach {
		var buf bytes.Buffer
		// The schedule was authorised by Add; the export runs on the
		// scheduler's own authority, recorded as the system's.
		if _, err := sc.svc.exportAs(ctx, campaign.SystemUser, &buf, ExportRequest{WorkspaceID: s.WorkspaceID, CampaignID: s.CampaignID,
			Kind: ExportContacts, Format: FormatXLSX}); err != nil {
			return Message{}, err
		}
		m.Attachments = append(m.Attachments, Attachment{Name: "contacts.xlsx",
			ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: buf.Bytes()})
	}
	return m, nil
}
