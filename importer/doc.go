// Package importer turns CSV files into campaign contacts: a preview with
// the detected encoding, delimiter, header and a suggested column mapping
// (remembered per workspace by header signature), then a streaming import
// that validates every row, normalises phone numbers to E.164 with their
// compliance facts, refuses duplicates (within the file and across the
// workspace within the list's dupe-days window) and suppressed numbers, and
// writes accepted rows in batches through campaign.Store.InsertContacts.
//
// # Files as tools export them
//
// Lines may end with LF, CRLF or CR alone; files may be UTF-8 (with or
// without a BOM), UTF-16 (Excel's "Unicode Text") or Windows-1252, chosen
// automatically or by [Options.Encoding]. An Excel "sep=" line and title
// lines above the header are skipped; the header names of common CRM, Excel,
// Outlook and Google Contacts exports are recognised, several phone columns
// rank into the phone and its alternates, and [Options.Columns] names any
// other. A quote that does not close on a sane boundary rejects its row
// only (malformed_quotes): the lines after it are read as rows of their
// own, so no row ever takes another row's number. docs/import.md says
// all of it in detail.
//
// # Every row is accounted for
//
// Every data row (the header and blank lines are not rows) ends with one
// [Outcome]: accepted, merged, skipped or rejected, and each row that is
// not accepted carries a stable reason code (see the Reason constants).
// Rows = Accepted + Merged + Skipped + Rejected always holds, whatever
// stops an import: rows read but not written when it stops (cancellation,
// the size limit, a store error) are rejected as import_stopped. Rejected
// rows stream, as CSV, to Options.Rejects: the original header plus "line",
// "reason" and "detail" columns (detail names the suppression list of a
// suppressed_list row), every cell neutralised against formula injection
// (internal/csvsafe). Skipped and merged rows stream likewise to
// Options.Duplicates, with "line", "outcome" and "reason".
//
// # Order of the checks
//
// A row is read (quotes, encoding), mapped and validated (ragged row,
// phone through compliance.Checker with its extension, required fields,
// field lengths, email, consent); then its
// number is checked against the numbers earlier in the file; then, per
// batch, against the suppression lists that apply to the campaign (global,
// client, campaign, and the named lists of its Settings.SuppressionLists:
// the reason names the widest matching scope, ReasonSuppressedList's
// detail the list) and against
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
