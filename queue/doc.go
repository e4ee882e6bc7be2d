// Package queue decides who CallStack calls next. Contacts wait in lanes
// (callback, hot lead, priority, retry, new, redistributable), served in
// the campaign's Settings.LaneOrder (due callbacks first by default); within
// a lane by list priority, contact priority, then age.
//
// [Service.Claim] leases the best eligible contacts for a TTL: the store
// selects ready contacts by precomputed, indexed facts (due time, the
// callable interval of the contact's zone group, rank) and leases them
// atomically (FOR UPDATE SKIP LOCKED on Postgres); the Service then checks
// every rule that cannot be precomputed (suppression, consent, attempts,
// minimum time between calls, frequency caps, list expiry, the calling
// window itself) and releases refused contacts with a [campaign.Block]
// naming the reason, rescheduled or skipped. [Service.Finish] appends the
// attempt and applies the outcome in one store operation; a DNC outcome
// adds the suppression entry in that same operation. Each lease carries a
// fencing [LeaseToken]: a result from an expired lease gets [ErrLeaseLost].
//
// Human callers take contacts with [Service.Next] (their own callbacks
// first); managers move leads with [Service.Redistribute] and
// [Service.RedistributeStale] and requeue them with [Service.Retry] and
// [Service.RetryFailed].
//
// The precomputed facts are refreshed in bounded batches by the claims
// themselves (see Config.RefreshEvery) or by [Service.Refresh]: new or
// edited contacts, callable intervals that lapsed, due contacts, and
// expired leases. Changing a campaign's window or a list's priority takes
// effect for contacts as their facts are next computed; the claim-time
// check keeps every lease legal meanwhile.
package queue
