// Package report turns a campaign's attempt log, compliance blocks, agent
// spans and contact states into metrics, heatmaps, exports, scheduled
// deliveries and a redacted client snapshot.
//
// Exports carry personal data (phones, e-mail addresses), so
// [Service.Export], [Service.History] and [Scheduler.Add] take the acting
// member and need [campaign.ActionExport] in the exported workspace
// (Config.Authorizer checks it); the client snapshot needs
// Config.Entitlements.
//
// Every number is computed from those records, never from counters kept on
// the side (docs/design.md, data flow step 7). Adapters may answer the
// aggregate queries of [Store] from rollups written in the same transaction
// as each attempt, as the SQL adapters do, provided a test proves the
// rollups equal to a full recomputation.
//
// Every [Metric] carries its sample size and an Incomplete flag with a
// reason, so that a rate with too little data is never shown as 0% or 100%
// (docs/design.md, invariant 5).
//
// # Definitions
//
// Contact-level formulas, over the campaign's contacts:
//
//   - completed: a contact the campaign has finished calling, whose status is
//     completed, failed, no_conversation or dnc (cancelled and expired
//     contacts were withdrawn, not called to an end, and are not counted);
//   - successful: a completed contact whose latest attempt carries a
//     disposition flagged Contacted or Qualified (as the disposition reads
//     now);
//   - voicemail: a completed contact, not successful, whose latest attempt
//     was answered by a machine;
//   - completion rate = completed ÷ total contacts;
//   - success rate = successful ÷ completed;
//   - answer rate = (successful + voicemail) ÷ completed.
//
// Attempt-level rates divide by calls made (attempts in the log). The
// abandon rate is abandoned ÷ live-answered calls (answered by a person)
// over the campaign's legal window: the current one of the successive
// Settings.AbandonWindow periods counted from the campaign's start (its
// first transition to Running, else its StartDate, else its first attempt),
// the partial one included, or the rolling window ending now
// (Settings.AbandonPeriod).
//
// # Storage
//
// [Store] is the narrow interface reports read: aggregates per 15-minute
// bucket, exact counts over a range, goal, answer, contact, block and agent
// counts, streams for exports, and the export and delivery histories.
// store/memory computes them from its records; the SQL adapters
// (internal/sqlstore, migration 0005_report) read rollup tables a trigger
// on attempts writes in each attempt's transaction, so a report over
// 10,000,000 attempts reads a few thousand bucket rows. report/reporttest
// is the conformance suite: every aggregate must equal a recomputation from
// the records it wrote.
//
// Time buckets are 15 minutes of UTC. Every time-zone offset in use is a
// multiple of 15 minutes, so a bucket falls in exactly one local hour of any
// zone, half- and quarter-hour zones included; heatmaps convert each
// bucket's start with the IANA rules of the campaign's zone, so they are
// correct across daylight-saving changes.
package report
