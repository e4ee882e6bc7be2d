// Package callstack is an embeddable library for outbound calling
// campaigns: the campaign model, CSV imports, suppression and DNC lists,
// compliant queues with leases, a dialer engine with pacing, and reports,
// over a store and a carrier you choose.
//
// # One handle
//
// [New] takes a [store.Store] (store/memory, store/sqlite, store/postgres,
// or your own adapter that passes store/storetest) and a [Config] (carrier,
// clock, logger, compliance rules, defaults) and returns a [Client] that
// hands out the services wired once:
//
//   - Campaigns: workspaces, members and roles, campaigns and their status
//     machine, lists, dispositions, schedules, contacts (campaign.Service);
//   - Suppression: DNC and suppression lists (suppression.Service);
//   - Imports: CSV → preview, mapping, validation, duplicate and
//     suppression checks → contacts (importer.Importer);
//   - Queue: claims, leases, outcomes, retries (queue.Service);
//   - Reports: campaign reports, exports, snapshots (report.Service);
//   - Engine: a dialer engine per campaign (dialer.Engine), paced, with the
//     compliance gate at dial time.
//
// The per-package constructors stay for hosts that wire things their own
// way.
//
//	st, _ := sqlite.Open(ctx, "callstack.db")
//	_ = st.Migrate(ctx) // once after opening; a store used before it says so
//	cs, _ := callstack.New(st, callstack.Config{Carrier: carrier})
//	ws, _ := cs.Campaigns().CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
//	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
//	c, _ := cs.Campaigns().CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals", Settings: campaign.Settings{CallerIDs: []string{"+12125550100"}}})
//	_, _ = cs.Imports().Import(ctx, admin, file, importer.Options{CampaignID: c.ID})
//	e, _ := cs.Engine(ctx, ws.ID, c.ID, dialer.Config{})
//	go e.Run(ctx)
//
// # Packages
//
//   - campaign: the model and the records every report reads (Attempt,
//     Block, AgentSpan), and the small interfaces the packages share
//     (Authorizer, Leaser, SpanWriter).
//   - compliance: may this number be called, and when (E.164, unsafe
//     numbers, area-code states, timezones, calling hours, holidays, caps).
//   - suppression, importer, queue, report: the services above.
//   - dialer: the engine; dialer/pacing its pacers; dialer/simagent
//     simulated human and AI agents for runs in virtual time.
//   - telephony: the Carrier boundary; telephony/sim is a deterministic
//     simulated carrier that runs in virtual time, telephony/telephonytest
//     the suite every carrier adapter passes.
//   - store: the storage contract, store.Store, with adapters store/memory,
//     store/sqlite and store/postgres, all proven by the one conformance
//     suite in store/storetest.
//
// The design (package map, data flow, invariants, decisions) is in
// docs/design.md. The Example below runs a whole campaign in virtual time;
// examples/quickstart is a longer version.
package callstack
