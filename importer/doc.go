// Package importer turns CSV files into campaign contacts: a preview with
// the detected delimiter, header and a suggested column mapping (remembered
// per workspace by header signature), then a streaming import that
// validates every row, normalises phone numbers to E.164 with their
// compliance facts, refuses duplicates (within the file and across the
// workspace within the list's dupe-days window) and suppressed numbers, and
// writes accepted rows in batches through campaign.Store.InsertContacts.
//
// # Every row is accounted for
//
// Every data row (the header and blank lines are not rows) ends with one
// [Outcome]: accepted, merged, skipped or rejected, and each row that is
// not accepted carries a stable reason code (see the Reason constants).
// Rows = Accepted + Merged + Skipped + Rejected always holds, including for
// a cancelled import, whose counts are those of the rows finished so far.
// Rejected rows stream, as CSV, to Options.Rejects: the original header
// plus "line" and "reason" columns, every cell neutralised against formula
// injection (internal/csvsafe).
//
// # Order of the checks
//
// A row is read, mapped and validated (encoding, ragged row, required
// fields, field lengths, email, phone through compliance.Checker); then its
// number is checked against the numbers earlier in the file; then, per
// batch, against the suppression lists that apply to the campaign (global,
// client, campaign: the reason names the widest matching scope) and against
// the contacts of the workspace. Only then is it written.
//
// # Memory and speed
//
// The file is streamed: a parsing goroutine validates rows and hands
// batches (Config.BatchSize) to a writing goroutine, so parsing and writing
// use separate cores. What grows with the file is only the set of distinct
// phone numbers seen, kept as uint64 (E.164 digits), a few bytes each.
//
// Each batch is one transaction. On SQLite that transaction holds the
// database's single write lock while it runs: measured on the project's
// 2-core machine, a batch of 1,000 contacts holds it for about 75–105 ms
// (p99 up to 400 ms when the machine is busy; BENCHMARKS.md), and a dialer
// sharing the file waits that long for its next claim or outcome. Lower
// Config.BatchSize when a campaign dials from the same file during an
// import: the hold shrinks in proportion, at a small cost in throughput.
//
// # Concurrency
//
// Two imports into the same workspace at the same time may both accept the
// same new number: the workspace duplicate check reads the contacts that
// exist when each batch is written. Run one import per workspace at a time.
package importer
