// Package campaign is CallStack's model: workspaces (the tenant boundary)
// with members and roles, campaigns with their settings and status machine,
// contacts with consent, lists, dispositions, goals, analyses and schedules,
// and the records every other package reads: [Attempt] (the attempt log),
// [Block] (a compliance refusal with its reason code) and [AgentSpan] (an
// agent's state over an interval).
//
// The package is the leaf of CallStack's import graph. It defines the
// narrow [Store] it needs; adapters in store/memory, store/sqlite and
// store/postgres implement it and pass the shared conformance suite in
// store/storetest.
//
// [Service] is the entry point for every mutation: it checks the acting
// member's role with [Permit], validates, stamps times from its injected
// clock and writes an [AuditEntry] with each change. Contact edits are
// further limited by role ([CheckContactEdit]): a Caller edits only the
// contacts it owns, and never their queue or compliance fields; a contact
// being called is [ErrLeased]. Every record's Validate refuses invalid
// UTF-8 and values past the documented limits (the Max… constants) with
// [ErrInvalid]. SECURITY.md at the repository root says where each door
// is guarded.
package campaign
