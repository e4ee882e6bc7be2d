// Package dialer is CallStack's engine: it paces calls (preview,
// progressive, power, predictive), keeps agent sessions, rotates caller
// IDs, runs the compliance gate again at dial time, maps carrier events into
// the attempt log and accounts for abandoned calls.
package dialer
