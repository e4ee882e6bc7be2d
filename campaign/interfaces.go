package campaign

import (
	"context"
	"time"
)

// Authorizer checks an actor's role in its workspace and returns the
// member; *Service implements it. Every package that checks roles
// (suppression, importer, queue, dialer, report) takes one.
type Authorizer interface {
	Authorize(ctx context.Context, actor Actor, action Action) (Member, error)
}

// SpanWriter stores agent state spans, which reports read for
// utilisation, labour cost and shift coverage. The dialer writes them;
// every store implements it.
type SpanWriter interface {
	AppendAgentSpans(ctx context.Context, spans []AgentSpan) error
}

// Leaser grants the campaign lease: the right to pace a campaign, held by
// one dialer engine at a time and taken over by another when it lapses
// (docs/design.md, Storage). Every store implements it; store/storetest
// checks them.
//
// Expiry is judged by the store's clock where it has one shared by every
// process (Postgres in its default database-clock mode, see
// queue.LeaseClock) and by the now passed otherwise.
type Leaser interface {
	// AcquireCampaignLease takes the campaign's lease for holder until
	// now+ttl, atomically, when nobody holds it, the holder's lease lapsed,
	// or holder holds it already (a renewal). It reports whether holder
	// holds it now and the lease's expiry by the store's clock (another
	// holder's, when held is false). A campaign the workspace does not
	// have is ErrNotFound.
	AcquireCampaignLease(ctx context.Context, ws WorkspaceID, id ID, holder string, ttl time.Duration, now time.Time) (held bool, expires time.Time, err error)
	// ReleaseCampaignLease ends holder's lease on the campaign so another
	// process may take it at once. Releasing a lease holder does not hold
	// (lapsed, taken over, never taken) does nothing and is not an error.
	ReleaseCampaignLease(ctx context.Context, ws WorkspaceID, id ID, holder string) error
}
