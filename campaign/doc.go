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
// clock and writes an [AuditEntry] with each change.
package campaign
