package campaign

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Campaign is a calling campaign: who is called, how, and under what rules.
type Campaign struct {
	ID          ID
	WorkspaceID WorkspaceID
	// Name is required, at most 200 characters.
	Name string
	// OwnerID is the member responsible for the campaign.
	OwnerID UserID
	// Client is the customer the campaign runs for; client-scoped
	// suppression lists apply to every campaign with the same Client.
	Client string
	// Goal is the campaign's goal or KPI in words.
	Goal string
	// TargetCallVolume is the number of calls the campaign aims to place;
	// 0 means no target.
	TargetCallVolume int
	// StartDate is when calling may start; zero means on start.
	StartDate time.Time
	// Deadline is when calling must end; zero means none.
	Deadline time.Time
	// Notes are internal notes, never shown in a client report.
	Notes string
	// Locale is the BCP 47 language of scripts and messages. Defaults to "en-US".
	Locale string
	// DefaultRegion reads numbers written without a country code. Defaults
	// to the workspace's DefaultRegion.
	DefaultRegion string
	// Timezone is the campaign's IANA zone: its schedule, reports and
	// heatmaps are in it. Defaults to the workspace's Timezone.
	Timezone string
	// SourceLabels tag where the campaign's contacts come from.
	SourceLabels []string
	// Health is the manager's assessment. Defaults to HealthUnknown.
	Health Health
	// ScheduleID names the business-hours schedule the campaign dials
	// within; empty means the dial window alone decides.
	ScheduleID ScheduleID
	// Settings control dialing.
	Settings Settings
	// Status is the campaign's lifecycle state; change it only through
	// [Service.Transition]. Defaults to StatusDraft.
	Status Status
	// ArchivedFrom is the status an archived campaign is restored to.
	ArchivedFrom Status
	// Version increases with every write; stores refuse a write whose
	// Version is not the stored one with [ErrConflict].
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Health is a manager's assessment of a campaign.
type Health string

// Campaign health values.
const (
	HealthUnknown  Health = "unknown"
	HealthOnTrack  Health = "on_track"
	HealthAtRisk   Health = "at_risk"
	HealthOffTrack Health = "off_track"
)

// DialMode is how the dialer paces calls.
type DialMode string

// Dial modes.
const (
	// DialPreview: a caller sees the contact before starting the call.
	DialPreview DialMode = "preview"
	// DialProgressive: one call per free agent.
	DialProgressive DialMode = "progressive"
	// DialPower: a fixed number of calls (CallRatio) per free agent.
	DialPower DialMode = "power"
	// DialPredictive: the model-based pacer under the abandon-rate cap.
	DialPredictive DialMode = "predictive"
)

// AMDMode is the carrier's answering-machine detection mode.
type AMDMode string

// Answering-machine detection modes.
const (
	AMDOff              AMDMode = "off"
	AMDEnable           AMDMode = "enable"
	AMDDetectMessageEnd AMDMode = "detect_message_end"
)

// Voice is who speaks on the campaign's calls; it decides the consent the
// law requires.
type Voice string

// Voices.
const (
	// VoiceLive: a live human caller.
	VoiceLive Voice = "live"
	// VoiceAI: an AI voice agent; the FCC's 2024 declaratory ruling counts
	// AI-generated voices as artificial under the TCPA, so calls need prior
	// express consent.
	VoiceAI Voice = "ai"
	// VoicePrerecorded: a prerecorded message; needs prior express consent.
	VoicePrerecorded Voice = "prerecorded"
)

// AbandonPeriod is how the abandon-rate window is counted.
type AbandonPeriod string

// Abandon-rate periods.
const (
	// AbandonSuccessive: successive periods of AbandonWindow counted from the
	// campaign's start, the current partial one included (US, 47 CFR
	// 64.1200(a)(7); Canada).
	AbandonSuccessive AbandonPeriod = "successive"
	// AbandonRolling: any window of AbandonWindow ending now (UK Ofcom: any 24 h).
	AbandonRolling AbandonPeriod = "rolling"
)

// Lane is a queue lane; the lane order decides who is called first.
type Lane string

// Queue lanes.
const (
	LaneCallback        Lane = "callback"
	LaneHotLead         Lane = "hot_lead"
	LanePriority        Lane = "priority"
	LaneRetry           Lane = "retry"
	LaneNew             Lane = "new"
	LaneRedistributable Lane = "redistributable"
)

// DefaultLaneOrder puts due callbacks first.
func DefaultLaneOrder() []Lane {
	return []Lane{LaneCallback, LaneHotLead, LanePriority, LaneRetry, LaneNew, LaneRedistributable}
}

// TimeOfDay is a local wall-clock time in minutes after midnight, 0–1440.
type TimeOfDay int

// Clock returns the TimeOfDay of h:m.
func Clock(h, m int) TimeOfDay { return TimeOfDay(h*60 + m) }

// String formats t as "15:04".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// DialWindow is when contacts may be called, in each contact's local time.
type DialWindow struct {
	// Start is the earliest local time. Defaults to 09:00.
	Start TimeOfDay
	// End is the latest local time (exclusive). Defaults to 21:00.
	End TimeOfDay
	// Days are the allowed weekdays. Defaults to every day; the law's day
	// bans (Sundays, holidays) apply on top.
	Days []time.Weekday
}

// Settings control how a campaign dials. Zero fields take the documented
// defaults in [Settings.WithDefaults].
type Settings struct {
	// DialMode is the pacing mode. Defaults to DialProgressive.
	DialMode DialMode
	// CallRatio is the calls per free agent in power mode, 1–10.
	// Defaults to 2.
	CallRatio float64
	// MaxConcurrentCalls caps the calls in flight. Defaults to 50.
	MaxConcurrentCalls int
	// DialerInterval is how often the pacer runs. Defaults to 1s.
	DialerInterval time.Duration
	// CallSpacing caps new calls per second. Defaults to 10.
	CallSpacing float64
	// RingTimeout is how long an unanswered call rings; at least 15s
	// (47 CFR 64.1200(a)(6)). Defaults to 25s.
	RingTimeout time.Duration
	// WrapUp is the time an agent gets after a call. Defaults to 15s.
	WrapUp time.Duration
	// AMD is the answering-machine detection mode. Defaults to AMDOff.
	AMD AMDMode
	// MaxAttempts bounds the calls to one contact. Defaults to 3.
	MaxAttempts int
	// RetryInterval is the wait before a retry. Defaults to 4h.
	RetryInterval time.Duration
	// RetryConditions are the results that earn a retry. Defaults to no
	// answer, busy, failed, voicemail and abandoned.
	RetryConditions []Result
	// MinTimeBetweenCalls is the least time between two calls to one
	// contact, whatever the reason. Defaults to 1h.
	MinTimeBetweenCalls time.Duration
	// ContactCompletionTimeout is how long an answered contact may wait for
	// its outcome before final analysis. Defaults to 10m.
	ContactCompletionTimeout time.Duration
	// HopperSize is how many contacts the dialer keeps leased ahead.
	// Defaults to 100.
	HopperSize int
	// HopperExpiry is the lease time of a hoppered contact. Defaults to 5m.
	HopperExpiry time.Duration
	// DialWindow is the campaign's window in each contact's local time,
	// intersected with the law. Defaults to 09:00–21:00 every day.
	DialWindow DialWindow
	// FallbackZone is the IANA zone assumed for a number with no
	// geographic zone (toll-free, non-geographic). Defaults to "": such
	// numbers are skipped with a reason.
	FallbackZone string
	// AllowedCountries are the regions the campaign may call. Defaults to
	// the campaign's DefaultRegion only.
	AllowedCountries []string
	// Voice is who speaks on calls. Defaults to VoiceLive.
	Voice Voice
	// RequiredConsent is the consent a contact needs to be called.
	// Defaults to ConsentNone for live calls and ConsentExpress for AI or
	// prerecorded voices; a weaker setting for those is refused.
	RequiredConsent ConsentKind
	// AbandonCap is the highest abandon rate (abandoned ÷ live answered).
	// Defaults to 0.03.
	AbandonCap float64
	// AbandonWindow is the length of the abandon-rate period. Defaults to
	// 30 days.
	AbandonWindow time.Duration
	// AbandonPeriod is how periods are counted. Defaults to AbandonSuccessive.
	AbandonPeriod AbandonPeriod
	// LaneOrder is the order lanes are served in. Defaults to
	// [DefaultLaneOrder].
	LaneOrder []Lane
	// CallbackGrace is how long an owner-only callback stays with its owner
	// after it falls due before anyone may take it. Defaults to 15m.
	CallbackGrace time.Duration
	// CallerIDs are the E.164 numbers calls are placed from.
	CallerIDs []string
	// CallerIDPool configures how the dialer rotates CallerIDs.
	CallerIDPool CallerIDPoolSettings
	// Content is the script, AI prompt and message, personalised per
	// contact at dial time. Defaults to none.
	Content Content
	// ImportStatus is the status contacts imported into the campaign
	// start in: ContactPending (called as soon as the campaign runs) or
	// ContactHeld (kept out of the queue until a manager activates them
	// with [Service.ActivateContacts]). Defaults to ContactPending.
	ImportStatus ContactStatus
	// SuppressionLists names the workspace's named suppression lists
	// (suppression.Named) the campaign honours besides the global list,
	// its client's list and its own; at most [MaxSuppressionLists]. Names
	// match exactly (case and spelling: "Litigators" is not "litigators"),
	// and a name no entry has been added under yet suppresses nothing, so
	// check the spelling against the names you add entries under.
	// Defaults to none.
	SuppressionLists []string
	// AssignedAgent is the agent assigned to the campaign's calls: a
	// member's UserID for a human agent, or the id of an AI agent at the
	// voice provider. A contact's OwnerID takes precedence for its own
	// calls. It travels in each dial request (telephony.DialRequest's
	// Agent) and is a routing preference, not an exclusive assignment: the
	// pacer still dials for every logged-in agent, and an answer goes to
	// its assigned agent when free (waiting at most OwnerWait while busy),
	// otherwise to any free agent. Defaults to none.
	AssignedAgent string
	// OwnerWait is how long a live answer of a contact with an assigned
	// agent (its OwnerID, else AssignedAgent) waits for that agent when
	// the agent is logged in to the engine but busy, before any free agent
	// may take it; an assigned agent who is free takes the call at once,
	// one who is not logged in is not waited for. At most 2s (a live
	// answer is abandoned after the engine's BridgeWithin); negative turns
	// the wait off. Defaults to 1s. See docs/campaign-rules.md ("Assigned
	// agent and owner routing").
	OwnerWait time.Duration
}

// NewContactStatus returns the status a contact imported into the
// campaign starts in: ImportStatus, or ContactPending when unset.
func (s Settings) NewContactStatus() ContactStatus {
	if s.ImportStatus == "" {
		return ContactPending
	}
	return s.ImportStatus
}

// MaxSuppressionLists bounds Settings.SuppressionLists.
const MaxSuppressionLists = 20

// Caller-ID rotations (CallerIDPoolSettings.Rotation).
const (
	RotateRoundRobin = "round_robin"
	RotateLowestSpam = "lowest_spam"
	RotateLeastUsed  = "least_used_today"
	RotateWeighted   = "weighted"
)

// CallerIDPoolSettings configure a campaign's caller-ID pool.
type CallerIDPoolSettings struct {
	// Rotation is how the next number is picked: RotateRoundRobin,
	// RotateLowestSpam, RotateLeastUsed or RotateWeighted. Defaults to
	// RotateRoundRobin.
	Rotation string
	// SpamThreshold excludes a number whose spam score passes it, 1–9.
	// Defaults to 7.
	SpamThreshold float64
	// DailyCap bounds each number's calls per local day of the campaign's
	// timezone. Defaults to 100.
	DailyCap int
}

// WithDefaults returns s with every zero field set to its documented
// default. defaultRegion fills AllowedCountries.
func (s Settings) WithDefaults(defaultRegion string) Settings {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if s.DialMode == "" {
		s.DialMode = DialProgressive
	}
	if s.CallRatio == 0 {
		s.CallRatio = 2
	}
	if s.MaxConcurrentCalls == 0 {
		s.MaxConcurrentCalls = 50
	}
	def(&s.DialerInterval, time.Second)
	if s.CallSpacing == 0 {
		s.CallSpacing = 10
	}
	def(&s.RingTimeout, 25*time.Second)
	def(&s.WrapUp, 15*time.Second)
	if s.AMD == "" {
		s.AMD = AMDOff
	}
	if s.MaxAttempts == 0 {
		s.MaxAttempts = 3
	}
	def(&s.RetryInterval, 4*time.Hour)
	if s.RetryConditions == nil {
		s.RetryConditions = []Result{ResultNoAnswer, ResultBusy, ResultFailed, ResultMachine, ResultAbandoned}
	}
	def(&s.MinTimeBetweenCalls, time.Hour)
	def(&s.ContactCompletionTimeout, 10*time.Minute)
	if s.HopperSize == 0 {
		s.HopperSize = 100
	}
	if s.ImportStatus == "" {
		s.ImportStatus = ContactPending
	}
	def(&s.OwnerWait, time.Second)
	def(&s.HopperExpiry, 5*time.Minute)
	if s.CallerIDPool.Rotation == "" {
		s.CallerIDPool.Rotation = RotateRoundRobin
	}
	if s.CallerIDPool.SpamThreshold == 0 {
		s.CallerIDPool.SpamThreshold = 7
	}
	if s.CallerIDPool.DailyCap == 0 {
		s.CallerIDPool.DailyCap = 100
	}
	if s.DialWindow.Start == 0 && s.DialWindow.End == 0 {
		s.DialWindow.Start, s.DialWindow.End = Clock(9, 0), Clock(21, 0)
	}
	if s.DialWindow.Days == nil {
		s.DialWindow.Days = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	}
	if s.AllowedCountries == nil && defaultRegion != "" {
		s.AllowedCountries = []string{defaultRegion}
	}
	if s.Voice == "" {
		s.Voice = VoiceLive
	}
	if s.RequiredConsent == "" {
		s.RequiredConsent = ConsentNone
		if s.Voice != VoiceLive {
			s.RequiredConsent = ConsentExpress
		}
	}
	if s.AbandonCap == 0 {
		s.AbandonCap = 0.03
	}
	def(&s.AbandonWindow, 30*24*time.Hour)
	if s.AbandonPeriod == "" {
		s.AbandonPeriod = AbandonSuccessive
	}
	if s.LaneOrder == nil {
		s.LaneOrder = DefaultLaneOrder()
	}
	def(&s.CallbackGrace, 15*time.Minute)
	if s.Content.Missing == "" {
		s.Content.Missing = MissingBlock
	}
	return s
}

// MinRingTimeout is the shortest ring the law allows (47 CFR 64.1200(a)(6):
// 15 seconds or four rings).
const MinRingTimeout = 15 * time.Second

func (s Settings) validate(v *validator) {
	switch s.DialMode {
	case DialPreview, DialProgressive, DialPower, DialPredictive:
	default:
		v.add("Settings.DialMode", "unknown dial mode %q", s.DialMode)
	}
	v.check(s.CallRatio >= 1 && s.CallRatio <= 10, "Settings.CallRatio", "must be between 1 and 10, got %g", s.CallRatio)
	v.check(s.MaxConcurrentCalls >= 1, "Settings.MaxConcurrentCalls", "must be at least 1")
	v.check(s.DialerInterval >= 100*time.Millisecond && s.DialerInterval <= time.Minute, "Settings.DialerInterval", "must be between 100ms and 1m, got %s", s.DialerInterval)
	v.check(s.CallSpacing > 0, "Settings.CallSpacing", "must be positive")
	v.check(s.RingTimeout >= MinRingTimeout, "Settings.RingTimeout", "must be at least %s (47 CFR 64.1200(a)(6)), got %s", MinRingTimeout, s.RingTimeout)
	v.check(s.RingTimeout <= 2*time.Minute, "Settings.RingTimeout", "must be at most 2m, got %s", s.RingTimeout)
	v.check(s.WrapUp >= 0, "Settings.WrapUp", "must not be negative")
	switch s.AMD {
	case AMDOff, AMDEnable, AMDDetectMessageEnd:
	default:
		v.add("Settings.AMD", "unknown AMD mode %q", s.AMD)
	}
	v.check(s.MaxAttempts >= 1 && s.MaxAttempts <= 100, "Settings.MaxAttempts", "must be between 1 and 100, got %d", s.MaxAttempts)
	v.check(s.RetryInterval > 0, "Settings.RetryInterval", "must be positive")
	for i, r := range s.RetryConditions {
		v.check(r.Retryable(), fmt.Sprintf("Settings.RetryConditions[%d]", i), "%q is not a retryable result", r)
	}
	v.check(s.MinTimeBetweenCalls >= 0, "Settings.MinTimeBetweenCalls", "must not be negative")
	v.check(s.ContactCompletionTimeout > 0, "Settings.ContactCompletionTimeout", "must be positive")
	v.check(s.HopperSize >= 1 && s.HopperSize <= 10000, "Settings.HopperSize", "must be between 1 and 10000, got %d", s.HopperSize)
	v.check(s.HopperExpiry >= 10*time.Second, "Settings.HopperExpiry", "must be at least 10s, got %s", s.HopperExpiry)
	validateDialWindow(v, "Settings.DialWindow", s.DialWindow)
	if s.FallbackZone != "" {
		validateZone(v, "Settings.FallbackZone", s.FallbackZone)
	}
	v.check(len(s.AllowedCountries) > 0, "Settings.AllowedCountries", "must allow at least one region")
	for i, r := range s.AllowedCountries {
		validateRegion(v, fmt.Sprintf("Settings.AllowedCountries[%d]", i), r)
	}
	switch s.Voice {
	case VoiceLive, VoiceAI, VoicePrerecorded:
	default:
		v.add("Settings.Voice", "unknown voice %q", s.Voice)
	}
	if !s.RequiredConsent.Valid() {
		v.add("Settings.RequiredConsent", "unknown consent kind %q", s.RequiredConsent)
	} else if s.Voice != VoiceLive && s.RequiredConsent.Rank() < ConsentExpress.Rank() {
		v.add("Settings.RequiredConsent", "%s calls need at least prior express consent (TCPA; FCC 24-17 for AI voices)", s.Voice)
	}
	v.check(s.AbandonCap > 0 && s.AbandonCap <= 0.05, "Settings.AbandonCap", "must be in (0, 0.05], got %g", s.AbandonCap)
	v.check(s.AbandonWindow >= time.Hour, "Settings.AbandonWindow", "must be at least 1h")
	v.check(s.AbandonPeriod == AbandonSuccessive || s.AbandonPeriod == AbandonRolling, "Settings.AbandonPeriod", "unknown period %q", s.AbandonPeriod)
	seen := map[Lane]bool{}
	for i, l := range s.LaneOrder {
		f := fmt.Sprintf("Settings.LaneOrder[%d]", i)
		v.check(slices.Contains(DefaultLaneOrder(), l), f, "unknown lane %q", l)
		v.check(!seen[l], f, "lane %q listed twice", l)
		seen[l] = true
	}
	v.check(len(s.LaneOrder) == len(DefaultLaneOrder()), "Settings.LaneOrder", "must list every lane once")
	v.check(s.CallbackGrace >= 0, "Settings.CallbackGrace", "must not be negative")
	for i, n := range s.CallerIDs {
		v.check(isE164(n), fmt.Sprintf("Settings.CallerIDs[%d]", i), "must be E.164, got %q", n)
	}
	p := s.CallerIDPool
	v.check(slices.Contains([]string{RotateRoundRobin, RotateLowestSpam, RotateLeastUsed, RotateWeighted}, p.Rotation),
		"Settings.CallerIDPool.Rotation", "unknown rotation %q", p.Rotation)
	v.check(p.SpamThreshold >= 1 && p.SpamThreshold <= 9, "Settings.CallerIDPool.SpamThreshold", "must be 1–9, got %g", p.SpamThreshold)
	v.check(p.DailyCap >= 1 && p.DailyCap <= 1_000_000, "Settings.CallerIDPool.DailyCap", "must be 1–1000000, got %d", p.DailyCap)
	s.Content.validate(v)
	v.check(s.ImportStatus == ContactPending || s.ImportStatus == ContactHeld, "Settings.ImportStatus",
		"must be %q or %q, got %q", ContactPending, ContactHeld, s.ImportStatus)
	v.check(len(s.SuppressionLists) <= MaxSuppressionLists, "Settings.SuppressionLists", "names at most %d lists, got %d",
		MaxSuppressionLists, len(s.SuppressionLists))
	named := map[string]bool{}
	for i, n := range s.SuppressionLists {
		f := fmt.Sprintf("Settings.SuppressionLists[%d]", i)
		v.check(strings.TrimSpace(n) == n && n != "", f, "must be a list name without surrounding spaces, got %q", n)
		v.check(len(n) <= MaxNameLength && utf8.ValidString(n), f, "must be UTF-8 of at most %d bytes", MaxNameLength)
		v.check(!named[n], f, "list %q named twice", n)
		named[n] = true
	}
	v.check(len(s.AssignedAgent) <= MaxNameLength && utf8.ValidString(s.AssignedAgent), "Settings.AssignedAgent",
		"must be UTF-8 of at most %d bytes", MaxNameLength)
	v.check(s.OwnerWait <= 2*time.Second, "Settings.OwnerWait", "must be at most 2s (a live answer is abandoned after 2s), got %s", s.OwnerWait)
}

// isE164 reports whether s has the E.164 shape: + then 8–15 digits, no
// leading zero.
func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Validate checks the campaign, its settings included; the error names each
// failing field. It expects defaults applied (see [Settings.WithDefaults]).
func (c Campaign) Validate() error {
	var v validator
	v.check(c.ID != "", "ID", "is required")
	v.check(c.WorkspaceID != "", "WorkspaceID", "is required")
	v.check(c.Name != "", "Name", "is required")
	v.check(len(c.Name) <= 200, "Name", "is longer than 200 characters")
	v.check(c.TargetCallVolume >= 0, "TargetCallVolume", "must not be negative")
	v.check(c.Deadline.IsZero() || c.StartDate.IsZero() || c.Deadline.After(c.StartDate), "Deadline", "must be after StartDate")
	validateRegion(&v, "DefaultRegion", c.DefaultRegion)
	validateZone(&v, "Timezone", c.Timezone)
	switch c.Health {
	case HealthUnknown, HealthOnTrack, HealthAtRisk, HealthOffTrack:
	default:
		v.add("Health", "unknown health %q", c.Health)
	}
	v.check(c.Status.Valid(), "Status", "unknown status %q", c.Status)
	c.Settings.validate(&v)
	validateCampaignText(&v, c)
	validateSettingsBounds(&v, c.Settings)
	validateText(&v, c)
	return v.err()
}
