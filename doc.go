// Package callstack is an embeddable library for outbound calling
// campaigns. This root package holds documentation only; the work is done
// by its packages:
//
//   - campaign: the model (workspaces, members and roles, campaigns and
//     their status machine, contacts with consent, lists, dispositions,
//     goals, analyses, schedules) and the records every report reads:
//     Attempt, Block and AgentSpan. campaign.Service checks roles and
//     writes the audit log for every mutation.
//   - compliance: may this number be called, and when (E.164, unsafe
//     numbers, area-code states, timezones, calling hours, holidays, caps).
//   - telephony: the Carrier boundary; telephony/sim is a deterministic
//     simulated carrier that runs in virtual time, telephony/telephonytest
//     the suite every carrier adapter passes.
//   - store: the union of the packages' storage interfaces, with adapters
//     store/memory, store/sqlite and store/postgres, all proven by the one
//     conformance suite in store/storetest.
//
// A campaign from nothing, on the in-memory store:
//
//	st := memory.New()
//	svc, _ := campaign.NewService(campaign.Config{Store: st})
//	ws, _ := svc.CreateWorkspace(ctx, campaign.Member{UserID: "ada"}, campaign.Workspace{Name: "Acme"})
//	admin := campaign.Actor{WorkspaceID: ws.ID, UserID: "ada"}
//	c, _ := svc.CreateCampaign(ctx, admin, campaign.Campaign{Name: "Renewals"})
//	_, _ = svc.AddContacts(ctx, admin, []campaign.Contact{{CampaignID: c.ID, Phone: "+14155552671"}})
//	_, _ = svc.Transition(ctx, admin, c.ID, campaign.StatusQueued, "")
//
// examples/quickstart runs a whole campaign this way.
package callstack
