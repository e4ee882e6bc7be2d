package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

// Compile-time check: the Store serves the queue package.
var _ queue.Store = (*Store)(nil)

// queueOptions are the Store's queue settings.
type queueOptions struct {
	clock   atomic.Int32 // queue.LeaseClock
	virtual atomic.Bool  // a caller's now far from the database's is a virtual clock
}

// SetVirtualTime, when on, takes a caller's now further than
// maxVirtualSkew from the database's clock as a virtual clock (a
// simulation, a test of another day) that judges eligibility, while leases
// still run on the database's clock. Off (the default), such a now is a
// broken host clock and queue decisions refuse it with queue.ErrClockSkew.
func (s *Store) SetVirtualTime(on bool) { s.queue.virtual.Store(on) }

// SetLeaseClock chooses whose clock judges leases (an adapter option:
// postgres.WithLeaseClock). With queue.StoreClock (the
// default) Postgres judges lease expiry by the database's
// clock_timestamp(), so dialer hosts with skewed clocks agree; SQLite, one
// file on one host, always uses the caller's now.
func (s *Store) SetLeaseClock(c queue.LeaseClock) { s.queue.clock.Store(int32(c)) }

// LeaseClock returns the clock that judges the Store's queue decisions
// now: queue.StoreClock only on Postgres with that clock chosen (SQLite
// has no clock shared by processes and uses the caller's).
func (s *Store) LeaseClock() queue.LeaseClock {
	if s.pg() && queue.LeaseClock(s.queue.clock.Load()) == queue.StoreClock {
		return queue.StoreClock
	}
	return queue.CallerClock
}

// leaseNow returns the SQL expression of "now" for lease expiry and its
// arguments: the database's clock in unix nanoseconds, or a parameter.
func (s *Store) leaseNow(now time.Time) (string, []any) {
	if s.pg() && queue.LeaseClock(s.queue.clock.Load()) == queue.StoreClock {
		return `(extract(epoch from clock_timestamp()) * 1000000000)::bigint`, nil
	}
	return `CAST(? AS BIGINT)`, []any{now.UnixNano()}
}

// maxVirtualSkew is how far a caller's now may be from the database's
// clock and still be taken as a skewed host clock, judged by the
// database's. A now further away is refused (queue.ErrClockSkew) unless
// the Store was opened for virtual time (SetVirtualTime): then it judges
// eligibility as given and leases still run on the database's clock.
const maxVirtualSkew = time.Hour

// clockNow returns the instants a queue decision judges by, in unix
// nanoseconds: at, for every eligibility comparison (due times, callable
// intervals), and lease, the base of lease expiry. With the store's clock
// (Postgres, queue.StoreClock) both are the database's clock_timestamp(),
// read once so that the whole decision uses one instant; a caller's now
// further than maxVirtualSkew from it is queue.ErrClockSkew, or, opened
// for virtual time, keeps judging eligibility. Without it both are the
// caller's now.
func (s *Store) clockNow(ctx context.Context, now time.Time) (at, lease int64, err error) {
	if s.LeaseClock() != queue.StoreClock {
		return now.UnixNano(), now.UnixNano(), nil
	}
	var db int64
	if err := s.r.GetContext(ctx, &db, `SELECT (extract(epoch from clock_timestamp()) * 1000000000)::bigint`); err != nil {
		return 0, 0, err
	}
	if d := time.Duration(db - now.UnixNano()); d > maxVirtualSkew || d < -maxVirtualSkew {
		if !s.queue.virtual.Load() {
			return 0, 0, fmt.Errorf("%w: the host's now %s is %s from the database's clock (more than %s)",
				queue.ErrClockSkew, now.UTC().Format(time.RFC3339), d.Abs().Round(time.Second), maxVirtualSkew)
		}
		return now.UnixNano(), db, nil
	}
	return db, db, nil
}

// skipLocked is the row-locking clause of a claim's inner SELECT: Postgres
// skips rows another transaction holds; SQLite has one writer.
func (s *Store) skipLocked() string {
	if s.pg() {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ``
}

// queuedStatuses is the predicate of contacts waiting in a lane; it is
// spelled as in the partial indexes of migration 0004.
const queuedStatuses = `status IN ('pending', 'retry', 'callback')`

// bumpVersion increases a contact's version and keeps its queue facts
// current when they were.
const bumpVersion = `version = version + 1, q_version = CASE WHEN q_version = version THEN version + 1 ELSE q_version END`

// readyRank returns the expression setting q_rank to rank, or to 9 (not
// ready) when the contact's queue facts are stale. It keeps the invariant
// the claim relies on: a contact with q_rank < 9 has current facts
// (q_version = version). Expressions of one UPDATE see the row as it was,
// so a bumpVersion beside it does not change the test.
func readyRank(rank string) string {
	return `CASE WHEN q_version = version THEN ` + rank + ` ELSE 9 END`
}

// parkedRank is the q_rank of a contact that is not ready to be claimed:
// not queued, not due, leased or with stale facts. A ready contact's
// q_rank is its lane's rank (queue.LaneRank, 0 to 5); the partial indexes
// of the claim cover q_rank < 9.
const parkedRank = 9

// storedRank is the q_rank a queue write gives a contact it leaves in
// status st and lane l, next attempt at next: its lane's rank in order
// when it is due at now (queue.Due), else parkedRank.
func storedRank(order []campaign.Lane, st campaign.ContactStatus, l campaign.Lane, next, now time.Time) int64 {
	if !queue.Due(st, next, now) {
		return parkedRank
	}
	return int64(queue.LaneRank(order, l))
}

// rankCase returns a CASE expression giving the rank of the lane
// expression laneExpr in order, as queue.LaneRank defines it (an empty or
// unlisted lane ranks as queue.LaneRank says of it), and its arguments.
func rankCase(laneExpr string, order []campaign.Lane) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(order))
	b.WriteString("CASE " + laneExpr)
	for i, l := range order {
		b.WriteString(fmt.Sprintf(" WHEN ? THEN %d", i))
		args = append(args, string(l))
	}
	b.WriteString(fmt.Sprintf(" ELSE %d END", queue.LaneRank(order, "")))
	return b.String(), args
}

// numberLockSpace is the first key of the advisory locks numberFree
// takes, so they never meet another advisory lock of the database (the
// migration lock uses the one-key form, a separate key space).
const numberLockSpace = 0x63_73_6e // "csn"

// numberFree is the claim's filter on a hopper entry (alias h): no
// leased contact of the workspace carries its number and, on Postgres,
// this transaction holds the advisory lock on (workspace, number), taken
// only when the first test passes (CASE fixes the order; a plain AND
// would let the planner call the cheap function first). A hash collision
// between two numbers only makes one claim skip a number it could have
// taken. Entries without a number share no lock.
func (s *Store) numberFree(h string) string {
	live := `(SELECT 1 FROM contacts o WHERE o.workspace_id = ` + h + `.workspace_id AND o.phone = ` + h + `.phone
      AND o.lease_token <> '' AND o.phone <> '' LIMIT 1) IS NULL`
	if !s.pg() {
		return live
	}
	return fmt.Sprintf(`CASE WHEN %[1]s.phone = '' THEN true WHEN %[2]s
      THEN pg_try_advisory_xact_lock(%[3]d, hashtext(%[1]s.workspace_id || ' ' || %[1]s.phone)) ELSE false END`, h, live, numberLockSpace)
}

// leaseRow is a claimed contact.
type leaseRow struct {
	contactRow
	PrevStatus   string `db:"q_prev_status"`
	LeaseExpires int64  `db:"lease_expires"`
	Extra        int64  `db:"q_extra"`
	ListPriority int64  `db:"list_priority"`
}

// maxLiveNumberRetries bounds the re-runs of a claim that lost a race for
// a number to a concurrent claim (contacts_live_phone).
const maxLiveNumberRetries = 5

// claimSet is the update a claim makes to each contact it leases; its
// arguments are the token, the lease time and now.
func (s *Store) claimSet(nowExpr string) string {
	return `status = 'dialing', q_prev_status = status, lease_token = ?, lease_expires = ` + nowExpr + ` + CAST(? AS BIGINT),
q_rank = 9, ` + bumpVersion + `, updated_at = ?`
}

// stillReady is the predicate, over contacts, of a contact a claim may
// lease: unchanged since its hopper entry was filled (version, the
// placeholder) and still queued, ready and free.
const stillReady = `contacts.version = ? AND contacts.q_rank < 9 AND contacts.lease_token = ''
  AND contacts.status IN ('pending', 'retry', 'callback')`

// pinClaimPlan makes the claim's transaction read the hopper through
// hopper_order, in queue order, whatever the statistics say. The pick's
// filter takes an advisory lock per number it passes (numberFree), so it
// must run on the rows in order and stop at the limit. With the hopper's
// statistics taken when it was empty (a VACUUM of an empty hopper sets
// them; autovacuum may be off or late), Postgres planned a sequential
// scan of the whole hopper and a sort: the filter ran on every entry,
// took the locks of every number in the hopper and held them to the
// statement's end, so concurrent claims skipped them all and came back
// short. QueueRace's claims took 46–80 ms each (auto_explain); claimbench,
// whose setup analyses the tables, never saw it.
const pinClaimPlan = `SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL jit = off`

// Claim implements queue.Store. It chooses from the campaign's hopper
// (migration 0010; Refill fills it), never from contacts: on Postgres one
// statement picks the first entries in queue order with FOR UPDATE SKIP
// LOCKED (in a materialized CTE, so the locking SELECT runs once: as a
// plain IN (subquery) Postgres may rescan it and lease more than asked),
// deletes them, and leases those contacts that are still what the entry
// says (stillReady); an entry whose contact changed is dropped, not
// leased. SQLite, with one writer, does the same in three statements of
// one transaction.
//
// One live lease per number in the workspace (migration 0007): the pick
// skips entries whose number another leased contact carries, and keeps
// the first of picked entries sharing a number. Two concurrent claims
// that both pass the check would collide on the unique index
// contacts_live_phone.
//
// On Postgres that collision must never be a wait: a claim inserting a
// number that another claim's uncommitted transaction inserted waits for
// it, and two claims leasing two shared numbers in opposite orders
// deadlock (40P01). So an entry must also win a transaction-scoped
// advisory lock on its (workspace, number) (numberFree): a number another
// claim is leasing right now is skipped like a locked row, and by the
// time the lock is free the other claim has committed, so the index
// refuses at once (a unique violation, retried below and then seen by the
// number check) instead of waiting. The lock is taken last, inside a
// CASE, so only entries that passed every other filter take one: a claim
// holds at most its limit plus the entries SKIP LOCKED passes over.
//
// The number check is a scalar subquery, not NOT EXISTS: Postgres turns
// NOT EXISTS into an anti join, and with the leased set estimated empty
// (as it is when statistics are taken) it chose a nested loop over every
// leased row for every candidate; a scalar subquery stays one probe of
// contacts_live_phone per candidate, run only for entries the other
// filters pass, in the hopper's order.
func (s *Store) Claim(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, q queue.ClaimQuery, now time.Time) ([]queue.Lease, error) {
	const op = "claim"
	if q.Limit <= 0 || q.TTL <= 0 || q.Token == "" {
		return nil, s.fail(op, fmt.Errorf("%w: claim needs a positive Limit and TTL and a Token", campaign.ErrInvalid))
	}
	n, base, err := s.clockNow(ctx, now)
	if err != nil {
		return nil, s.fail(op, err)
	}
	// The owner cutoff is relative to now (Settings.CallbackGrace ago):
	// move it to the same clock.
	// A zero cutoff is 0, as every stored zero time (found by storetest's
	// QueueClaimPredicate: a zero time has no UnixNano).
	cutoff := int64(0)
	if !q.OwnerCutoff.IsZero() {
		cutoff = q.OwnerCutoff.UnixNano() + n - now.UnixNano()
	}
	nowExpr, nowArgs := `CAST(? AS BIGINT)`, []any{base}
	args := []any{ws, id, n, n, n, q.Caller, cutoff}
	own := ``
	if q.OwnCallbacksOnly {
		own = ` AND h.lane = 'callback' AND h.callback_owner = ? AND h.callback_owner <> ''`
		args = append(args, q.Caller)
	}
	args = append(args, q.Limit)
	pick := `picked AS MATERIALIZED (SELECT h.contact_id, h.version, h.phone, h.q_rank, h.list_priority, h.priority, h.created_at
  FROM hopper h
  WHERE h.workspace_id = ? AND h.campaign_id = ? AND h.next_attempt_at <= ? AND h.callable_from <= ? AND h.callable_until > ?
    AND (h.callback_owner = '' OR h.callback_owner = ? OR h.next_attempt_at <= ?)` + own + `
    AND ` + s.numberFree("h") + `
  ORDER BY h.q_rank, h.list_priority DESC, h.priority DESC, h.created_at, h.contact_id
  LIMIT ?` + s.skipLocked() + `),
chosen AS (SELECT contact_id, version AS hv FROM (SELECT contact_id, version, ROW_NUMBER() OVER (PARTITION BY phone
  ORDER BY q_rank, list_priority DESC, priority DESC, created_at, contact_id) AS k FROM picked) p WHERE k = 1)`
	returning := ` RETURNING ` + contactColumns + `, q_prev_status, lease_expires, q_extra, list_priority`
	var rows []leaseRow
	var claim func() error
	if s.pg() {
		// The contacts to lease are found by "id IN (chosen)", each
		// checked against its entry's version (hv) by a lookup in chosen:
		// as an UPDATE … FROM chosen join, with statistics that call
		// contacts small (taken before an import; autovacuum may be off or
		// late), the planner read the workspace's contacts through another
		// index and matched each to chosen — a scan of the whole workspace
		// per claim (8 ms at 5,000 contacts, growing with the table;
		// auto_explain).
		query := s.q(`WITH ` + pick + `,
gone AS (DELETE FROM hopper WHERE workspace_id = ? AND contact_id IN (SELECT contact_id FROM chosen))
UPDATE contacts SET ` + s.claimSet(nowExpr) + `
WHERE contacts.workspace_id = ? AND contacts.id IN (SELECT contact_id FROM chosen) AND ` +
			strings.Replace(stillReady, "?", "(SELECT c.hv FROM chosen c WHERE c.contact_id = contacts.id)", 1) + returning)
		qargs := append(append(append(args, ws, q.Token), nowArgs...), q.TTL.Nanoseconds(), n, ws)
		claim = func() error {
			st, err := s.prepared(ctx, query)
			if err != nil {
				return err
			}
			tx, err := s.w.BeginTxx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }() // after Commit, a no-op
			if _, err := tx.ExecContext(ctx, pinClaimPlan); err != nil {
				return err
			}
			if err := tx.StmtxContext(ctx, st).SelectContext(ctx, &rows, qargs...); err != nil {
				return err
			}
			return tx.Commit()
		}
	} else {
		claim = func() error {
			return s.inTx(ctx, op, func(tx *sqlx.Tx) error {
				var chosen []struct {
					ID      string `db:"contact_id"`
					Version int64  `db:"hv"`
				}
				if err := tx.SelectContext(ctx, &chosen, s.q(`WITH `+pick+` SELECT contact_id, hv FROM chosen`), args...); err != nil || len(chosen) == 0 {
					return err
				}
				ids := make([]any, 0, len(chosen)+1)
				ids = append(ids, ws)
				for _, c := range chosen {
					ids = append(ids, c.ID)
				}
				in := placeholders(len(chosen))
				uargs := append(append(append([]any{q.Token}, nowArgs...), q.TTL.Nanoseconds(), n), ids...)
				err := tx.SelectContext(ctx, &rows, s.q(`UPDATE contacts SET `+s.claimSet(nowExpr)+`
WHERE workspace_id = ? AND id IN (`+in+`) AND `+strings.Replace(stillReady, "?",
					`(SELECT h.version FROM hopper h WHERE h.workspace_id = contacts.workspace_id AND h.contact_id = contacts.id)`, 1)+returning), uargs...)
				if err != nil {
					return err
				}
				_, err = tx.ExecContext(ctx, s.q(`DELETE FROM hopper WHERE workspace_id = ? AND contact_id IN (`+in+`)`), ids...)
				return err
			})
		}
	}
	for try := 0; ; try++ {
		rows = rows[:0]
		err := s.retryTransient(ctx, claim)
		if err == nil {
			break
		}
		if try < maxLiveNumberRetries && s.d.IsUniqueViolation(err) {
			continue // a concurrent claim leased one of our numbers first
		}
		return nil, s.fail(op, err)
	}
	s.hopperChurn.Add(int64(len(rows)))
	out := make([]queue.Lease, 0, len(rows))
	for _, r := range rows {
		c, err := r.contact()
		if err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, queue.Lease{WorkspaceID: ws, CampaignID: id, ContactID: c.ID, Token: q.Token, ExpiresAt: fromNanos(r.LeaseExpires),
			Contact: c, PrevStatus: campaign.ContactStatus(r.PrevStatus), ExtraAttempts: int(r.Extra), ListPriority: int(r.ListPriority),
			ClaimedAt: fromNanos(n)})
	}
	// RETURNING has no order: restore the queue's.
	slices.SortFunc(out, func(a, b queue.Lease) int {
		return cmp.Or(cmp.Compare(queue.LaneRank(q.LaneOrder, a.Contact.Lane), queue.LaneRank(q.LaneOrder, b.Contact.Lane)),
			cmp.Compare(b.ListPriority, a.ListPriority), cmp.Compare(b.Contact.Priority, a.Contact.Priority),
			a.Contact.CreatedAt.Compare(b.Contact.CreatedAt), cmp.Compare(a.ContactID, b.ContactID))
	})
	return out, nil
}

// heldClause matches the row of lease l while it is held.
func (s *Store) heldClause(l queue.Lease, now time.Time) (string, []any) {
	nowExpr, nowArgs := s.leaseNow(now)
	args := []any{l.WorkspaceID, l.CampaignID, l.ContactID, l.Token}
	return `workspace_id = ? AND campaign_id = ? AND id = ? AND lease_token = ? AND status = 'dialing' AND lease_expires > ` + nowExpr,
		append(args, nowArgs...)
}

func leaseLost(l queue.Lease) error {
	return fmt.Errorf("%w: contact %s", queue.ErrLeaseLost, l.ContactID)
}

// failLease wraps err like fail, but keeps queue.ErrLeaseLost as is.
func (s *Store) failLease(op string, err error) error {
	if errors.Is(err, queue.ErrLeaseLost) {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	return s.fail(op, err)
}

// Extend implements queue.Store.
func (s *Store) Extend(ctx context.Context, l queue.Lease, ttl time.Duration, now time.Time) (time.Time, error) {
	nowExpr, nowArgs := s.leaseNow(now)
	where, wargs := s.heldClause(l, now)
	args := append(append(nowArgs, ttl.Nanoseconds()), wargs...)
	var exp []int64
	err := s.w.SelectContext(ctx, &exp, s.q(`UPDATE contacts SET lease_expires = `+nowExpr+` + CAST(? AS BIGINT) WHERE `+where+` RETURNING lease_expires`), args...)
	if err != nil {
		return time.Time{}, s.fail("extend lease", err)
	}
	if len(exp) == 0 {
		return time.Time{}, s.failLease("extend lease", leaseLost(l))
	}
	return fromNanos(exp[0]), nil
}

// clearDial resets the lease's attempt in progress (migration 0008).
const clearDial = `dial_attempt = '', dial_number = '', dial_caller_id = '', dial_started_at = 0`

// BeginAttempt implements queue.Store.
func (s *Store) BeginAttempt(ctx context.Context, l queue.Lease, d queue.Dial, now time.Time) error {
	var e enc
	args := []any{string(d.AttemptID), d.Number, d.CallerID, e.time("StartedAt", d.StartedAt)}
	if e.err != nil {
		return s.fail("begin attempt", e.err)
	}
	where, wargs := s.heldClause(l, now)
	res, err := s.execRetry(ctx, s.q(`UPDATE contacts SET dial_attempt = ?, dial_number = ?, dial_caller_id = ?, dial_started_at = ?
WHERE `+where), append(args, wargs...)...)
	if err != nil {
		return s.fail("begin attempt", err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return s.fail("begin attempt", err)
	} else if k == 0 {
		return s.failLease("begin attempt", leaseLost(l))
	}
	return nil
}

// endLease writes n to the leased contact and ends the lease, in tx;
// queue.ErrLeaseLost when the lease is no longer held.
func (s *Store) endLease(ctx context.Context, tx *sqlx.Tx, l queue.Lease, n queue.NextState, order []campaign.Lane, now time.Time) error {
	var e enc
	consent := consentJSON{
		Kind: n.Consent.Kind, Source: n.Consent.Source, CapturedAt: e.time("Consent.CapturedAt", n.Consent.CapturedAt),
		Scope: n.Consent.Scope, RevokedAt: e.time("Consent.RevokedAt", n.Consent.RevokedAt), RevokedVia: n.Consent.RevokedVia,
	}
	args := []any{n.Status, n.Lane, e.time("NextAttemptAt", n.NextAttemptAt), n.CallbackOwner, n.OwnerID, int64(n.Attempts),
		e.time("LastAttemptAt", n.LastAttemptAt), e.json("Consent", consent), int64(n.ExtraAttempts),
		storedRank(order, n.Status, n.Lane, n.NextAttemptAt, now), e.time("now", now)}
	if e.err != nil {
		return e.err
	}
	where, wargs := s.heldClause(l, now)
	var rows []hopperRow
	err := tx.SelectContext(ctx, &rows, s.q(`UPDATE contacts SET status = ?, lane = ?, next_attempt_at = ?, callback_owner = ?, owner_id = ?,
attempts = ?, last_attempt_at = ?, consent = ?, q_extra = ?, q_rank = `+readyRank("?")+`, lease_token = '', lease_expires = 0, q_prev_status = '',
`+clearDial+`, `+bumpVersion+`, updated_at = ? WHERE `+where+hopperReturning), append(args, wargs...)...)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return leaseLost(l)
	}
	return s.hopperPut(ctx, tx, rows, now)
}

// Release implements queue.Store.
func (s *Store) Release(ctx context.Context, l queue.Lease, r queue.Released, now time.Time) error {
	for _, b := range r.Blocks {
		if err := checkWorkspace(l.WorkspaceID, b.WorkspaceID, "block"); err != nil {
			return s.fail("release lease", err)
		}
	}
	err := s.inTxRetry(ctx, "release lease", func(tx *sqlx.Tx) error {
		if err := s.endLease(ctx, tx, l, r.Next, r.LaneOrder, now); err != nil {
			return err
		}
		return s.insertBlocks(ctx, tx, r.Blocks)
	})
	if errors.Is(err, queue.ErrLeaseLost) {
		return fmt.Errorf("sqlstore: release lease: %w", leaseLost(l))
	}
	return err
}

// finishing is one lease's Finish, checked and encoded.
type finishing struct {
	i       int // the item's index in FinishMany
	l       queue.Lease
	f       queue.Finished
	now     time.Time
	attempt []any
	nums    []int64 // the numbers to suppress, sorted, without repeats
	origin  origin
}

// prepareFinish checks and encodes a Finish of l.
func prepareFinish(l queue.Lease, f queue.Finished, now time.Time) (finishing, error) {
	if err := checkWorkspace(l.WorkspaceID, f.Attempt.WorkspaceID, "attempt"); err != nil {
		return finishing{}, err
	}
	var e enc
	p := finishing{l: l, f: f, now: now, attempt: attemptValues(&e, f.Attempt), nums: make([]int64, 0, len(f.Suppress))}
	for _, en := range f.Suppress {
		if err := checkWorkspace(l.WorkspaceID, en.WorkspaceID, "suppression entry"); err != nil {
			return finishing{}, err
		}
		n, ok := e164Int(en.Number)
		if !ok || en.Email != "" || en.List != f.Suppress[0].List || originOf(&e, en) != originOf(&e, f.Suppress[0]) {
			return finishing{}, fmt.Errorf("%w: Finish writes number-only entries of one list and origin", campaign.ErrInvalid)
		}
		p.nums = append(p.nums, n)
	}
	if len(f.Suppress) > 0 {
		p.origin = originOf(&e, f.Suppress[0])
	}
	slices.Sort(p.nums)
	p.nums = slices.Compact(p.nums)
	return p, e.err
}

// finishIn writes p in tx but its attempt row: the contact and the end of
// its lease, and its suppression entries.
func (s *Store) finishIn(ctx context.Context, tx *sqlx.Tx, p finishing) error {
	if err := s.endLease(ctx, tx, p.l, p.f.Next, p.f.LaneOrder, p.now); err != nil {
		return err
	}
	if len(p.nums) == 0 {
		return nil
	}
	listID, _, err := s.listID(ctx, tx, p.l.WorkspaceID, p.f.Suppress[0].List, true)
	if err != nil {
		return err
	}
	originID, err := s.originID(ctx, tx, p.l.WorkspaceID, p.origin)
	if err != nil {
		return err
	}
	return s.insertNumbers(ctx, tx, listID, originID, p.nums, true)
}

// insertAttempts appends the attempts of ps and their feed rows in tx.
func (s *Store) insertAttempts(ctx context.Context, tx *sqlx.Tx, ps []finishing) error {
	var e enc
	err := s.insertBatched(ctx, tx, `INSERT INTO attempts (`+attemptColumns+`) VALUES `, attemptColumnCount, len(ps),
		func(args []any, i int) []any { return append(args, ps[i].attempt...) }, &e)
	if err != nil {
		return err
	}
	fs := make([]feedRef, len(ps))
	for i, p := range ps {
		fs[i] = attemptFeed(p.f.Attempt)
	}
	return s.insertFeed(ctx, tx, fs)
}

// Finish implements queue.Store: the contact update, the attempt row and
// the suppression entries commit together or not at all.
func (s *Store) Finish(ctx context.Context, l queue.Lease, f queue.Finished, now time.Time) error {
	const op = "finish lease"
	p, err := prepareFinish(l, f, now)
	if err != nil {
		return s.fail(op, err)
	}
	err = s.inTxRetry(ctx, op, func(tx *sqlx.Tx) error {
		if err := s.finishIn(ctx, tx, p); err != nil {
			return err
		}
		return s.insertAttempts(ctx, tx, []finishing{p})
	})
	if errors.Is(err, queue.ErrLeaseLost) {
		return fmt.Errorf("sqlstore: %s: %w", op, leaseLost(l))
	}
	if err != nil {
		return err
	}
	// The outcome is committed: a failed ANALYZE is not its error, and
	// the next Finish tries again.
	_ = s.analyzeGrown(ctx, "report_contacts", 1)
	return nil
}

// FinishMany implements queue.Store: every item in one transaction, so
// the outcomes share one commit (one WAL flush on Postgres, one fsync on
// SQLite: 6.8 ms of a 14.8 ms Finish on Postgres here). A lost lease
// writes nothing and leaves the others to commit. Any other failure
// rolls the transaction back, and each item is then finished alone, so
// each gets its own answer. Items are written in contact order, so two
// concurrent FinishMany lock contacts in one order.
func (s *Store) FinishMany(ctx context.Context, fs []queue.LeaseFinish) []error {
	const op = "finish lease"
	errs := make([]error, len(fs))
	ps := make([]finishing, 0, len(fs))
	for i, f := range fs {
		p, err := prepareFinish(f.Lease, f.Finished, f.Now)
		if err != nil {
			errs[i] = s.fail(op, err)
			continue
		}
		p.i = i
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return errs
	}
	slices.SortFunc(ps, func(a, b finishing) int {
		return cmp.Or(cmp.Compare(a.l.WorkspaceID, b.l.WorkspaceID), cmp.Compare(a.l.ContactID, b.l.ContactID))
	})
	lost := make([]bool, len(ps))
	err := s.inTxRetry(ctx, op, func(tx *sqlx.Tx) error {
		clear(lost)
		done := make([]finishing, 0, len(ps))
		for k, p := range ps {
			err := s.finishIn(ctx, tx, p)
			if errors.Is(err, queue.ErrLeaseLost) {
				lost[k] = true // endLease wrote nothing
				continue
			}
			if err != nil {
				return err
			}
			done = append(done, p)
		}
		return s.insertAttempts(ctx, tx, done)
	})
	if err != nil {
		for _, p := range ps {
			errs[p.i] = s.Finish(ctx, p.l, p.f, p.now)
		}
		return errs
	}
	written := 0
	for k, p := range ps {
		if lost[k] {
			errs[p.i] = fmt.Errorf("sqlstore: %s: %w", op, leaseLost(p.l))
		} else {
			written++
		}
	}
	// The outcomes are committed: a failed ANALYZE is not theirs to
	// report, and the next Finish tries again.
	_ = s.analyzeGrown(ctx, "report_contacts", written)
	return errs
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Maintain implements queue.Store.
func (s *Store) Maintain(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, m queue.Maintenance, now time.Time) (queue.MaintenanceResult, error) {
	const op = "maintain queue"
	var res queue.MaintenanceResult
	// The reaping step covers the whole workspace: an expired lease of
	// another campaign (one nobody paces now) would otherwise hold its
	// number (contacts_live_phone) from every campaign.
	reaped, err := s.reap(ctx, ws, m.Limit, now)
	if err != nil {
		return res, err
	}
	res.Reaped = reaped
	rank, rargs := rankCase("lane", m.LaneOrder)
	n, _, err := s.clockNow(ctx, now)
	if err != nil {
		return res, s.fail(op, err)
	}
	now = fromNanos(n)
	var rows []hopperRow
	err = s.retryTransient(ctx, func() error {
		rows = rows[:0]
		return s.w.SelectContext(ctx, &rows, s.q(`WITH picked AS MATERIALIZED (SELECT id FROM contacts
  WHERE workspace_id = ? AND campaign_id = ? AND q_rank = 9 AND `+queuedStatuses+` AND next_attempt_at <= ? AND lease_token = ''
    AND q_version = version
  LIMIT ?`+s.skipLocked()+`)
UPDATE contacts SET q_rank = `+rank+`
WHERE workspace_id = ? AND id IN (SELECT id FROM picked)`+hopperReturning), append(append([]any{ws, id, n, m.Limit}, rargs...), ws)...)
	})
	if err != nil {
		return res, s.fail(op, err)
	}
	res.Promoted = len(rows)
	if err := s.retryTransient(ctx, func() error { return s.hopperPut(ctx, s.w, rows, now) }); err != nil {
		return res, s.fail(op, err)
	}
	return res, nil
}

// expiredLease is a contact whose lease reap returns to its lane.
type expiredLease struct {
	ID            string `db:"id"`
	CampaignID    string `db:"campaign_id"`
	Attempts      int64  `db:"attempts"`
	DialAttempt   string `db:"dial_attempt"`
	DialNumber    string `db:"dial_number"`
	DialCallerID  string `db:"dial_caller_id"`
	DialStartedAt int64  `db:"dial_started_at"`
}

// reap returns up to limit contacts of the workspace whose lease expired
// (found through contacts_live_phone: every leased contact has a number)
// to their lanes, in one transaction: the attempt of a lease whose dial
// had begun is appended (queue.Dial) and counted.
func (s *Store) reap(ctx context.Context, ws campaign.WorkspaceID, limit int, now time.Time) (int, error) {
	nowExpr, nowArgs := s.leaseNow(now)
	n := 0
	err := s.inTxRetry(ctx, "reap leases", func(tx *sqlx.Tx) error {
		var rows []expiredLease
		err := tx.SelectContext(ctx, &rows, s.q(`SELECT id, campaign_id, attempts, dial_attempt, dial_number, dial_caller_id, dial_started_at
FROM contacts WHERE workspace_id = ? AND lease_token <> '' AND phone <> '' AND lease_expires <= `+nowExpr+` LIMIT ?`+s.skipLocked()),
			append(append([]any{ws}, nowArgs...), limit)...)
		if err != nil || len(rows) == 0 {
			return err
		}
		var e enc
		var orphans []campaign.Attempt
		ids := make([]any, 0, len(rows)+3)
		ids = append(ids, now.UnixNano(), ws)
		for _, r := range rows {
			ids = append(ids, r.ID)
			if r.DialAttempt != "" {
				orphans = append(orphans, campaign.Attempt{ID: campaign.AttemptID(r.DialAttempt), WorkspaceID: ws,
					CampaignID: campaign.ID(r.CampaignID), ContactID: campaign.ContactID(r.ID), Number: r.DialNumber,
					CallerID: r.DialCallerID, Seq: int(r.Attempts) + 1, Result: campaign.ResultUnknown,
					StartedAt: fromNanos(r.DialStartedAt), CarrierStatus: queue.LeaseExpiredStatus})
			}
		}
		err = s.insertBatched(ctx, tx, `INSERT INTO attempts (`+attemptColumns+`) VALUES `, attemptColumnCount, len(orphans),
			func(args []any, i int) []any { return append(args, attemptValues(&e, orphans[i])...) }, &e)
		if err != nil {
			return err
		}
		fs := make([]feedRef, len(orphans))
		for i, a := range orphans {
			fs[i] = attemptFeed(a)
		}
		if err := s.insertFeed(ctx, tx, fs); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE contacts SET status = CASE WHEN status = 'dialing' THEN q_prev_status ELSE status END,
attempts = CASE WHEN dial_attempt <> '' THEN attempts + 1 ELSE attempts END,
last_attempt_at = CASE WHEN dial_attempt <> '' THEN dial_started_at ELSE last_attempt_at END,
lease_token = '', lease_expires = 0, q_prev_status = '', q_rank = 9, `+clearDial+`, `+bumpVersion+`, updated_at = ?
WHERE workspace_id = ? AND lease_token <> '' AND id IN (`+placeholders(len(rows))+`)`), ids...)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		n = int(k)
		return err
	})
	return n, err
}

// StaleContacts implements queue.Store.
func (s *Store) StaleContacts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, limit int) ([]campaign.Contact, error) {
	var rows []contactRow
	query := s.q(`SELECT ` + contactColumns + ` FROM contacts
WHERE workspace_id = ? AND campaign_id = ? AND q_version <> version LIMIT ?`)
	var err error
	if s.pg() {
		// Through contacts_queue_stale, whatever the statistics say:
		// taken right after an import (every contact stale) they make a
		// sequential scan look cheap, and once the facts are current it
		// reads the whole table to find none (165 ms at 100,000
		// contacts, each refresh, with autovacuum off; EXPLAIN ANALYZE).
		err = s.inTx(ctx, "stale contacts", func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			return tx.SelectContext(ctx, &rows, query, ws, id, limit)
		})
	} else {
		err = s.r.SelectContext(ctx, &rows, query, ws, id, limit)
	}
	if err != nil {
		return nil, s.fail("stale contacts", err)
	}
	out := make([]campaign.Contact, 0, len(rows))
	for _, r := range rows {
		c, err := r.contact()
		if err != nil {
			return nil, s.fail("stale contacts", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// factsColumns is the number of values of one row of SetFacts.
const factsColumns = 6

// SetFacts implements queue.Store with one UPDATE … FROM (VALUES …) per
// batch.
func (s *Store) SetFacts(ctx context.Context, ws campaign.WorkspaceID, order []campaign.Lane, fs []queue.Facts, now time.Time) (int, error) {
	const op = "set queue facts"
	total := 0
	per := min((s.d.MaxParams-len(order)-2)/factsColumns, 2000)
	row := `(CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))`
	// A written contact that is queued, not leased and due is ready at its
	// lane's rank (queue.Due, queue.LaneRank), judged on the row itself.
	rank, rargs := rankCase("contacts.lane", order)
	var ne enc
	n := ne.time("now", now)
	if ne.err != nil {
		return 0, s.fail(op, ne.err)
	}
	for chunk := range slices.Chunk(fs, per) {
		var e enc
		args := make([]any, 0, len(chunk)*factsColumns+1)
		for _, f := range chunk {
			args = append(args, f.ContactID, f.Version, f.ZoneGroup, e.time("CallableFrom", f.CallableFrom), e.time("CallableUntil", f.CallableUntil),
				int64(f.ListPriority))
		}
		if e.err != nil {
			return total, s.fail(op, e.err)
		}
		args = append(args, n)
		args = append(args, rargs...)
		args = append(args, ws)
		values := strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)), ", ")
		r, err := s.execRetry(ctx, s.q(`WITH v (id, version, zone_group, callable_from, callable_until, list_priority) AS (VALUES `+values+`)
UPDATE contacts SET zone_group = v.zone_group, callable_from = v.callable_from, callable_until = v.callable_until,
  list_priority = v.list_priority,
  q_rank = CASE WHEN contacts.lease_token = '' AND contacts.`+queuedStatuses+` AND contacts.next_attempt_at <= ? THEN `+rank+` ELSE 9 END,
  q_version = contacts.version
FROM v WHERE contacts.workspace_id = ? AND contacts.id = v.id AND contacts.version = v.version`), args...)
		if err != nil {
			return total, s.fail(op, err)
		}
		k, _ := r.RowsAffected()
		total += int(k)
	}
	if total > 0 {
		// Contacts with fresh facts may be ready anywhere in queue
		// order, behind a refill's cursor (hopper.go, fill).
		s.hopperMoved()
	}
	return total, nil
}

// StaleGroups implements queue.Store.
func (s *Store) StaleGroups(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, limit int, now time.Time) ([]string, error) {
	var out []string
	err := s.r.SelectContext(ctx, &out, s.q(`SELECT DISTINCT zone_group FROM contacts
WHERE workspace_id = ? AND campaign_id = ? AND `+queuedStatuses+` AND callable_until <= ? AND q_version = version
ORDER BY zone_group LIMIT ?`), ws, id, now.UnixNano(), limit)
	if err != nil {
		return nil, s.fail("stale groups", err)
	}
	return out, nil
}

// SetGroupWindow implements queue.Store.
func (s *Store) SetGroupWindow(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, g queue.GroupWindow, limit int, now time.Time) (int, error) {
	var e enc
	from, until := e.time("CallableFrom", g.CallableFrom), e.time("CallableUntil", g.CallableUntil)
	if e.err != nil {
		return 0, s.fail("set group window", e.err)
	}
	r, err := s.execRetry(ctx, s.q(`WITH picked AS MATERIALIZED (SELECT id FROM contacts
  WHERE workspace_id = ? AND campaign_id = ? AND `+queuedStatuses+` AND callable_until <= ? AND zone_group = ? AND q_version = version
  LIMIT ?`+s.skipLocked()+`)
UPDATE contacts SET callable_from = ?, callable_until = ?
WHERE workspace_id = ? AND id IN (SELECT id FROM picked)`), ws, id, now.UnixNano(), g.ZoneGroup, limit, from, until, ws)
	if err != nil {
		return 0, s.fail("set group window", err)
	}
	k, _ := r.RowsAffected()
	if k > 0 {
		s.hopperMoved() // a renewed interval may open behind the cursor
	}
	return int(k), nil
}

// Reassign implements queue.Store.
func (s *Store) Reassign(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r queue.Reassignment, now time.Time) (int, error) {
	const op = "reassign"
	if r.From == "" {
		return 0, s.fail(op, fmt.Errorf("%w: Reassignment.From is required", campaign.ErrInvalid))
	}
	newLane := `CASE WHEN ? = '' AND lane <> 'callback' THEN 'redistributable' ELSE lane END`
	rank, rargs := rankCase(newLane, r.LaneOrder)
	n := now.UnixNano()
	args := []any{r.From, r.To, r.From, r.To, r.To, n}
	args = append(args, r.To)
	args = append(args, rargs...)
	args = append(args, n, ws, id, r.From, r.From)
	stale := ``
	if !r.UntouchedSince.IsZero() {
		stale = ` AND (CASE WHEN last_attempt_at = 0 THEN created_at ELSE last_attempt_at END) < ?`
		args = append(args, r.UntouchedSince.UnixNano())
	}
	var rows []hopperRow
	err := s.inTxRetry(ctx, op, func(tx *sqlx.Tx) error {
		rows = rows[:0]
		err := tx.SelectContext(ctx, &rows, s.q(`UPDATE contacts SET
  owner_id = CASE WHEN owner_id = ? THEN ? ELSE owner_id END,
  callback_owner = CASE WHEN callback_owner = ? THEN ? ELSE callback_owner END,
  lane = `+newLane+`,
  q_rank = `+readyRank(`CASE WHEN next_attempt_at <= ? THEN `+rank+` ELSE 9 END`)+`,
  `+bumpVersion+`, updated_at = ?
WHERE workspace_id = ? AND campaign_id = ? AND `+queuedStatuses+` AND lease_token = '' AND (owner_id = ? OR callback_owner = ?)`+stale+hopperReturning),
			args...)
		if err != nil {
			return err
		}
		if err := s.hopperPut(ctx, tx, rows, now); err != nil {
			return err
		}
		return s.queueAudit(ctx, tx, ws, r.Audit, int64(len(rows)))
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// queueAudit writes the audit entry of a queue action that changed n
// contacts, when it has an ID.
func (s *Store) queueAudit(ctx context.Context, tx *sqlx.Tx, ws campaign.WorkspaceID, a campaign.AuditEntry, n int64) error {
	if a.ID == "" {
		return nil
	}
	return s.insertAudit(ctx, tx, ws, queue.AuditCount(a, int(n)))
}

// Requeue implements queue.Store.
func (s *Store) Requeue(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r queue.Requeue, now time.Time) (int, error) {
	const op = "requeue"
	n := now.UnixNano()
	args := []any{n, r.MaxAttempts, r.MaxAttempts, int64(queue.LaneRank(r.LaneOrder, campaign.LaneRetry)), n, ws, id}
	sel := ``
	if len(r.ContactIDs) > 0 {
		sel = ` AND id IN (` + placeholders(len(r.ContactIDs)) + `)`
		for _, c := range r.ContactIDs {
			args = append(args, c)
		}
	} else {
		sel = ` AND status = ?`
		args = append(args, r.Status)
	}
	var rows []hopperRow
	err := s.inTxRetry(ctx, op, func(tx *sqlx.Tx) error {
		rows = rows[:0]
		err := tx.SelectContext(ctx, &rows, s.q(`UPDATE contacts SET status = 'retry', lane = 'retry', next_attempt_at = ?, callback_owner = '',
  q_extra = CASE WHEN attempts >= ? + q_extra THEN attempts - ? + 1 ELSE q_extra END, q_rank = `+readyRank("?")+`, `+bumpVersion+`, updated_at = ?
WHERE workspace_id = ? AND campaign_id = ? AND status NOT IN ('dialing', 'dnc')`+sel+hopperReturning), args...)
		if err != nil {
			return err
		}
		if err := s.hopperPut(ctx, tx, rows, now); err != nil {
			return err
		}
		return s.queueAudit(ctx, tx, ws, r.Audit, int64(len(rows)))
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// blockColumns lists the blocks table's columns.
const blockColumns = `workspace_id, id, campaign_id, contact_id, number, reason, scope, stage, detail, at`

type blockRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	CampaignID  string `db:"campaign_id"`
	ContactID   string `db:"contact_id"`
	Number      string `db:"number"`
	Reason      string `db:"reason"`
	Scope       string `db:"scope"`
	Stage       string `db:"stage"`
	Detail      string `db:"detail"`
	At          int64  `db:"at"`
}

// insertBlocks writes bs and their feed rows in tx.
func (s *Store) insertBlocks(ctx context.Context, tx *sqlx.Tx, bs []campaign.Block) error {
	var e enc
	err := s.insertBatched(ctx, tx, `INSERT INTO blocks (`+blockColumns+`) VALUES `, 10, len(bs), func(args []any, i int) []any {
		b := bs[i]
		return append(args, b.WorkspaceID, b.ID, b.CampaignID, b.ContactID, b.Number, b.Reason, b.Scope, b.Stage, b.Detail, e.time("At", b.At))
	}, &e)
	if err != nil || len(bs) == 0 {
		return err
	}
	fs := make([]feedRef, len(bs))
	for i, b := range bs {
		fs[i] = blockFeed(b)
	}
	return s.insertFeed(ctx, tx, fs)
}

// RecordBlocks implements queue.Store.
func (s *Store) RecordBlocks(ctx context.Context, ws campaign.WorkspaceID, bs []campaign.Block) error {
	for _, b := range bs {
		if err := checkWorkspace(ws, b.WorkspaceID, "block"); err != nil {
			return s.fail("record blocks", err)
		}
	}
	return s.inTxRetry(ctx, "record blocks", func(tx *sqlx.Tx) error {
		if err := s.insertBlocks(ctx, tx, bs); err != nil {
			return err
		}
		var one int
		return wrapNoRows(tx.GetContext(ctx, &one, s.q(`SELECT 1 FROM workspaces WHERE id = ?`), ws), "workspace", ws)
	})
}

// ListBlocks implements queue.Store.
func (s *Store) ListBlocks(ctx context.Context, ws campaign.WorkspaceID, f queue.BlockFilter) ([]campaign.Block, error) {
	query := `SELECT ` + blockColumns + ` FROM blocks WHERE workspace_id = ? AND id > ?`
	args := []any{ws, f.After}
	if f.CampaignID != "" {
		query += ` AND campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	if f.ContactID != "" {
		query += ` AND contact_id = ?`
		args = append(args, f.ContactID)
	}
	if f.Reason != "" {
		query += ` AND reason = ?`
		args = append(args, f.Reason)
	}
	var rows []blockRow
	if err := s.r.SelectContext(ctx, &rows, s.q(query+` ORDER BY id LIMIT ?`), append(args, f.PageLimit())...); err != nil {
		return nil, s.fail("list blocks", err)
	}
	out := make([]campaign.Block, len(rows))
	for i, r := range rows {
		out[i] = r.block()
	}
	return out, nil
}

func (r blockRow) block() campaign.Block {
	return campaign.Block{ID: campaign.BlockID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
		ContactID: campaign.ContactID(r.ContactID), Number: r.Number, Reason: r.Reason, Scope: campaign.BlockScope(r.Scope),
		Stage: r.Stage, Detail: r.Detail, At: fromNanos(r.At)}
}

// attemptColumns lists the attempts table's columns in attemptValues
// order.
const attemptColumns = `workspace_id, id, campaign_id, contact_id, number, caller_id, seq, result, answered_by, started_at,
answered_at, ended_at, ring_ns, talk_ns, wrap_ns, cost, currency, carrier_call_id, carrier_code, carrier_status, agent_id,
disposition_id, abandoned, outcome`

const attemptColumnCount = 24

// outcomeJSON is the stored form of campaign.OutcomeDetails, times as unix
// nanoseconds like the columns.
type outcomeJSON struct {
	Note            string                           `json:"note,omitempty"`
	Fields          map[string]string                `json:"fields,omitempty"`
	MeetingBooked   bool                             `json:"meeting_booked,omitempty"`
	MeetingAt       int64                            `json:"meeting_at,omitempty"`
	MeetingAccepted bool                             `json:"meeting_accepted,omitempty"`
	QualifiedLead   bool                             `json:"qualified_lead,omitempty"`
	Opportunity     bool                             `json:"opportunity,omitempty"`
	Revenue         campaign.Money                   `json:"revenue,omitempty"`
	CallbackAt      int64                            `json:"callback_at,omitempty"`
	FollowUp        string                           `json:"follow_up,omitempty"`
	Goals           map[campaign.GoalID]string       `json:"goals,omitempty"`
	Answers         map[campaign.AnalysisID][]string `json:"answers,omitempty"`
	PlaybookSteps   []string                         `json:"playbook_steps,omitempty"`
}

func attemptValues(e *enc, a campaign.Attempt) []any {
	o := a.Outcome
	oj := outcomeJSON{Note: o.Note, Fields: o.Fields, MeetingBooked: o.MeetingBooked, MeetingAt: e.time("Outcome.MeetingAt", o.MeetingAt),
		MeetingAccepted: o.MeetingAccepted, QualifiedLead: o.QualifiedLead, Opportunity: o.Opportunity, Revenue: o.Revenue,
		CallbackAt: e.time("Outcome.CallbackAt", o.CallbackAt), FollowUp: o.FollowUp, Goals: o.Goals, Answers: o.Answers, PlaybookSteps: o.PlaybookSteps}
	return []any{a.WorkspaceID, a.ID, a.CampaignID, a.ContactID, a.Number, a.CallerID, int64(a.Seq), a.Result, a.AnsweredBy,
		e.time("StartedAt", a.StartedAt), e.time("AnsweredAt", a.AnsweredAt), e.time("EndedAt", a.EndedAt),
		a.RingDuration.Nanoseconds(), a.TalkDuration.Nanoseconds(), a.WrapDuration.Nanoseconds(), int64(a.Cost), a.Currency,
		a.CarrierCallID, a.CarrierCode, a.CarrierStatus, a.AgentID, a.DispositionID, a.Abandoned, e.json("Outcome", oj)}
}

type attemptRow struct {
	WorkspaceID   string `db:"workspace_id"`
	ID            string `db:"id"`
	CampaignID    string `db:"campaign_id"`
	ContactID     string `db:"contact_id"`
	Number        string `db:"number"`
	CallerID      string `db:"caller_id"`
	Seq           int64  `db:"seq"`
	Result        string `db:"result"`
	AnsweredBy    string `db:"answered_by"`
	StartedAt     int64  `db:"started_at"`
	AnsweredAt    int64  `db:"answered_at"`
	EndedAt       int64  `db:"ended_at"`
	RingNS        int64  `db:"ring_ns"`
	TalkNS        int64  `db:"talk_ns"`
	WrapNS        int64  `db:"wrap_ns"`
	Cost          int64  `db:"cost"`
	Currency      string `db:"currency"`
	CarrierCallID string `db:"carrier_call_id"`
	CarrierCode   string `db:"carrier_code"`
	CarrierStatus string `db:"carrier_status"`
	AgentID       string `db:"agent_id"`
	DispositionID string `db:"disposition_id"`
	Abandoned     bool   `db:"abandoned"`
	Outcome       string `db:"outcome"`
}

func (r attemptRow) attempt() (campaign.Attempt, error) {
	a := campaign.Attempt{ID: campaign.AttemptID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
		ContactID: campaign.ContactID(r.ContactID), Number: r.Number, CallerID: r.CallerID, Seq: int(r.Seq), Result: campaign.Result(r.Result),
		AnsweredBy: r.AnsweredBy, StartedAt: fromNanos(r.StartedAt), AnsweredAt: fromNanos(r.AnsweredAt), EndedAt: fromNanos(r.EndedAt),
		RingDuration: time.Duration(r.RingNS), TalkDuration: time.Duration(r.TalkNS), WrapDuration: time.Duration(r.WrapNS),
		Cost: campaign.Money(r.Cost), Currency: r.Currency, CarrierCallID: r.CarrierCallID, CarrierCode: r.CarrierCode,
		CarrierStatus: r.CarrierStatus, AgentID: campaign.UserID(r.AgentID), DispositionID: campaign.DispositionID(r.DispositionID),
		Abandoned: r.Abandoned}
	var d dec
	var o outcomeJSON
	d.json("outcome", r.Outcome, &o)
	a.Outcome = campaign.OutcomeDetails{Note: o.Note, Fields: o.Fields, MeetingBooked: o.MeetingBooked, MeetingAt: fromNanos(o.MeetingAt),
		MeetingAccepted: o.MeetingAccepted, QualifiedLead: o.QualifiedLead, Opportunity: o.Opportunity, Revenue: o.Revenue,
		CallbackAt: fromNanos(o.CallbackAt), FollowUp: o.FollowUp, Goals: o.Goals, Answers: o.Answers, PlaybookSteps: o.PlaybookSteps}
	return a, d.err
}

// ListAttempts implements queue.Store.
func (s *Store) ListAttempts(ctx context.Context, ws campaign.WorkspaceID, f queue.AttemptFilter) ([]campaign.Attempt, error) {
	query := `SELECT ` + attemptColumns + ` FROM attempts WHERE workspace_id = ? AND id > ?`
	args := []any{ws, f.After}
	if f.CampaignID != "" {
		query += ` AND campaign_id = ?`
		args = append(args, f.CampaignID)
	}
	if f.ContactID != "" {
		query += ` AND contact_id = ?`
		args = append(args, f.ContactID)
	}
	if !f.Since.IsZero() {
		query += ` AND started_at >= ?`
		args = append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		query += ` AND started_at < ?`
		args = append(args, f.Until.UnixNano())
	}
	var rows []attemptRow
	if err := s.r.SelectContext(ctx, &rows, s.q(query+` ORDER BY id LIMIT ?`), append(args, f.PageLimit())...); err != nil {
		return nil, s.fail("list attempts", err)
	}
	out := make([]campaign.Attempt, len(rows))
	for i, r := range rows {
		a, err := r.attempt()
		if err != nil {
			return nil, s.fail("list attempts", err)
		}
		out[i] = a
	}
	return out, nil
}

// RecentAttempts implements queue.Store.
func (s *Store) RecentAttempts(ctx context.Context, ws campaign.WorkspaceID, numbers []string, since time.Time) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	for chunk := range slices.Chunk(numbers, 500) {
		args := []any{ws, since.UnixNano()}
		for _, n := range chunk {
			args = append(args, n)
		}
		var rows []struct {
			Number    string `db:"number"`
			StartedAt int64  `db:"started_at"`
		}
		err := s.r.SelectContext(ctx, &rows, s.q(`SELECT number, started_at FROM attempts
WHERE workspace_id = ? AND started_at >= ? AND number IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, s.fail("recent attempts", err)
		}
		for _, r := range rows {
			out[r.Number] = append(out[r.Number], fromNanos(r.StartedAt))
		}
	}
	return out, nil
}
