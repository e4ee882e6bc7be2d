// Package compliance answers two questions before CallStack dials: may this
// number be called, and when.
//
// # May this number be called
//
// A Checker reads a raw phone number (as typed in a CSV: "(415) 555-2671",
// "+44 20 7946 0958", "415-555-2671 ext. 12"), normalises it to E.164 with
// github.com/nyaruka/phonenumbers/v2, and refuses unsafe numbers with a
// stable Reason: emergency numbers (911, +1 911, 9112345), N11 and other
// service numbers, premium rate (900, the 976 exchange), fictional numbers
// (555-0100 to 555-0199, Ofcom drama ranges), invalid numbers, unsupported
// types and countries the campaign does not allow. An accepted number comes
// with its NumberFacts: region, type, extension, candidate IANA time zones
// and, in the US and Canada, the states of its area code from our NANP table
// (LookupAreaCode). Warnings flag numbers without a geographic zone (toll
// free) and numbers with several candidate zones.
//
//	var c compliance.Checker // US default region, every country allowed
//	facts, err := c.Check("(415) 555-2671")
//	if compliance.ReasonOf(err) != "" { /* record the block with its reason */ }
//
// Checker.Check memoises the costly phonenumbers lookups per NANP area code
// and exchange, so an import checks well over 100,000 numbers a second;
// Checker.CheckSlow gives the same answers without memoisation.
//
// # When may it be called
//
// Rules.Check takes a CallTarget built from the facts (zones, area-code
// state) and the contact's address state, and applies the federal calling
// hours (8:00 to 21:00 local), state hours, holiday and Sunday bans and
// blackouts in every candidate zone of the number; caps (CapCheck) limit how
// often one subject is called. A number with no zone, such as toll-free,
// follows the window's fallback zone, and is not callable without one.
//
// # Where the person may be
//
// A call is allowed only when every zone where the called party may be
// allows it: the number's zones, the zones of the address state
// (StateZones; states that span zones list all of them) and the window's
// fallback zone when the number has none. Rules.Check, Rules.NextCallable
// and everything built on them (the queue's callable windows, claims, the
// dialer's dial-time gate) apply this one rule. Address states are read by
// NormalizeState (codes or full names, any case); a state it cannot read
// blocks the call (CodeUnknownState) rather than switching its law off.
//
// # Jurisdictions
//
// The law is data: DefaultCountryRules (the TCPA's hours in the US, the
// CRTC's in Canada) and DefaultStateRules (a row for each state and DC,
// each citing its statute, with a Note where a rule covers only some calls
// or where the row takes the cautious reading of an unclear statute).
// Rules.With overrides or adds state and province rows, Rules.WithCountries
// adds or overrides countries. A refusal names the rule that blocked:
// Verdict.State, Verdict.Country and Verdict.Source (the citation).
//
// The choices behind the rules are explained in docs/compliance.md.
//
// The package is pure functions over data tables: it imports only the
// campaign model (for the subdivision names), reads no clock and keeps no
// global state.
package compliance
