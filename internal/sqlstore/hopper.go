package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/queue"
)

// hopperLockSpace is the first key of the advisory lock a Postgres refill
// takes on its campaign (see numberLockSpace).
const hopperLockSpace = 0x63_73_68 // "csh"

// hopperColumns are the hopper's columns (migration 0010) in the order
// hopperFill selects them from contacts.
const hopperColumns = `workspace_id, campaign_id, contact_id, version, q_rank, list_priority, priority, created_at, phone, lane,
callback_owner, next_attempt_at, callable_from, callable_until`

// readyNow is the predicate, over contacts c, of a contact Refill may
// put in the hopper at now (three "?": now, now, now): ready (q_rank < 9
// implies current facts, see readyRank), queued, not leased, due and
// inside its callable interval.
const readyNow = `c.q_rank < 9 AND c.status IN ('pending', 'retry', 'callback') AND c.lease_token = ''
  AND c.next_attempt_at <= ? AND c.callable_from <= ? AND c.callable_until > ?`

// Refill implements queue.Store in one transaction: drop the entries
// whose contacts stopped being ready, count, and fill the rest in queue
// order through contacts_queue_ready. On Postgres the transaction first
// tries an advisory lock on the campaign: a refill running elsewhere
// makes this one return Busy at once instead of queueing behind it (or
// waiting on its uncommitted entries, which could deadlock two refills).
func (s *Store) Refill(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, r queue.Refill, now time.Time) (queue.RefillResult, error) {
	const op = "refill hopper"
	if r.Target <= 0 {
		return queue.RefillResult{}, s.fail(op, fmt.Errorf("%w: refill needs a positive Target", campaign.ErrInvalid))
	}
	n, _, err := s.clockNow(ctx, now)
	if err != nil {
		return queue.RefillResult{}, s.fail(op, err)
	}
	var res queue.RefillResult
	// Read before the transaction's snapshot: a write that moves the
	// fill's start (hopperMoved) and commits after this read leaves the
	// cursor this refill saves stale, and the next refill starts at the head.
	gen := s.hopperGen.Load()
	err = s.inTxRetry(ctx, op, func(tx *sqlx.Tx) error {
		res = queue.RefillResult{}
		if s.pg() {
			var got bool
			if err := tx.GetContext(ctx, &got, s.q(fmt.Sprintf(`SELECT pg_try_advisory_xact_lock(%d, hashtext(CAST(? AS TEXT) || ' ' || CAST(? AS TEXT)))`,
				hopperLockSpace)), ws, id); err != nil {
				return err
			}
			if !got {
				res.Busy = true
				return tx.GetContext(ctx, &res.Level, s.q(`SELECT count(*) FROM hopper WHERE workspace_id = ? AND campaign_id = ?`), ws, id)
			}
		}
		// An entry is current while its contact still has the version it
		// was filled from and is ready at now; a lapsed copy of the due
		// time or interval drops it too, so a refill can fill it afresh.
		d, err := tx.ExecContext(ctx, s.q(`DELETE FROM hopper WHERE workspace_id = ? AND campaign_id = ? AND (
  next_attempt_at > ? OR callable_from > ? OR callable_until <= ?
  OR NOT EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = hopper.workspace_id AND c.id = hopper.contact_id
    AND c.version = hopper.version AND c.q_version = c.version AND c.q_rank < 9 AND c.lease_token = ''))`), ws, id, n, n, n)
		if err != nil {
			return err
		}
		k, _ := d.RowsAffected()
		res.Dropped = int(k)
		if err := tx.GetContext(ctx, &res.Level, s.q(`SELECT count(*) FROM hopper WHERE workspace_id = ? AND campaign_id = ?`), ws, id); err != nil {
			return err
		}
		room := r.Target - res.Level
		if room < 0 {
			// Queue writes put ready contacts straight in the hopper
			// (hopperPut): the worst entries beyond Target wait in
			// contacts again.
			t, err := tx.ExecContext(ctx, s.q(`DELETE FROM hopper WHERE workspace_id = ? AND contact_id IN (
  SELECT contact_id FROM hopper WHERE workspace_id = ? AND campaign_id = ?
  ORDER BY q_rank DESC, list_priority, priority, created_at DESC, contact_id DESC LIMIT ?)`), ws, ws, id, -room)
			if err != nil {
				return err
			}
			k, _ := t.RowsAffected()
			res.Dropped += int(k)
			res.Level -= int(k)
			// The trimmed contacts are ready again, behind the cursor.
			s.hopperMoved()
			return nil
		}
		if room == 0 {
			return nil
		}
		added, err := s.fill(ctx, tx, ws, id, n, room, gen)
		if err != nil {
			return err
		}
		res.Added = added
		res.Level += res.Added
		return nil
	})
	if err != nil {
		return res, err
	}
	s.hopperChurn.Add(int64(res.Dropped))
	return res, s.vacuumHopper(ctx)
}

// fillColumns selects a contact c as a hopper row (hopperColumns).
const fillColumns = `c.workspace_id, c.campaign_id, c.id, c.version, c.q_rank, c.list_priority, c.priority, c.created_at, c.phone, c.lane,
  c.callback_owner, c.next_attempt_at, c.callable_from, c.callable_until`

// fillOrder is contacts_queue_ready's order, the queue's.
const fillOrder = ` ORDER BY c.q_rank, c.list_priority DESC, c.priority DESC, c.created_at, c.id`

// notInHopper tests that contact c has no hopper entry: a scalar
// subquery, one probe of the hopper's key per candidate. As NOT EXISTS,
// Postgres planned an anti join that read the whole hopper of the
// workspace for every candidate (150 ms a refill, EXPLAIN ANALYZE).
const notInHopper = `(SELECT 1 FROM hopper h WHERE h.workspace_id = c.workspace_id AND h.contact_id = c.id LIMIT 1) IS NULL`

// fillKey is a position in queue order (contacts_queue_ready's key).
type fillKey struct {
	Rank         int64  `db:"q_rank"`
	ListPriority int64  `db:"list_priority"`
	Priority     int64  `db:"priority"`
	CreatedAt    int64  `db:"created_at"`
	ID           string `db:"contact_id"`
}

// before reports whether k comes before o in queue order.
func (k fillKey) before(o fillKey) bool {
	if k.Rank != o.Rank {
		return k.Rank < o.Rank
	}
	if k.ListPriority != o.ListPriority {
		return k.ListPriority > o.ListPriority
	}
	if k.Priority != o.Priority {
		return k.Priority > o.Priority
	}
	if k.CreatedAt != o.CreatedAt {
		return k.CreatedAt < o.CreatedAt
	}
	return k.ID < o.ID
}

// fillCursor is where a campaign's last refill on this Store stopped
// (Postgres only; see fill).
type fillCursor struct {
	key  fillKey
	gen  int64 // Store.hopperGen when the refill that saved it began
	full int64 // the now of the last fill that started at the head
}

// hopperFullFillEvery is how long, by the queue's clock, a campaign's
// refills may start at their cursor before one starts at the head again.
const hopperFullFillEvery = 10 * time.Second

// hopperMoved records that a write made contacts ready that a refill
// starting at its cursor could miss (their place in queue order may lie
// behind it): the next refill of every campaign starts at the head.
func (s *Store) hopperMoved() { s.hopperGen.Add(1) }

// fill inserts up to room ready contacts of the campaign that the hopper
// lacks, in queue order, and returns how many.
//
// On Postgres a fill starts where the campaign's last one stopped (its
// cursor), not at the head of contacts_queue_ready. Every contact a claim
// leases leaves a dead entry in that index until VACUUM (a lease sets
// q_rank = 9); the entries at the head are exactly the contacts leased
// so far, and with autovacuum slow or off a fill from the head walks all
// of them (100 ms and more at 50,000 leases). Behind the cursor is
// nothing a fill could add except contacts that became ready since, and
// a fill starts at the head again when
//   - this Store made some ready that it did not put in the hopper itself
//     (SetFacts, SetGroupWindow, a trim, a hopperPut over its bound:
//     hopperMoved),
//   - the fill from the cursor comes back short,
//   - or hopperFullFillEvery passed since the last fill from the head:
//     a contact may also become ready behind the cursor without a write of
//     this Store (its callable interval opens; another process's write),
//     and waits at most that long for its place.
//
// docs/queue.md explains the design. SQLite removes index entries with
// their rows, so its fills always start at the head.
func (s *Store) fill(ctx context.Context, tx *sqlx.Tx, ws campaign.WorkspaceID, id campaign.ID, n int64, room int, gen int64) (int, error) {
	head := `INSERT INTO hopper (` + hopperColumns + `)
SELECT ` + fillColumns + ` FROM contacts c
WHERE c.workspace_id = ? AND c.campaign_id = ? AND ` + readyNow + ` AND ` + notInHopper + fillOrder + `
LIMIT ?
ON CONFLICT (workspace_id, contact_id) DO NOTHING`
	if !s.pg() {
		ins, err := tx.ExecContext(ctx, s.q(head), ws, id, n, n, n, room)
		if err != nil {
			return 0, err
		}
		k, _ := ins.RowsAffected()
		return int(k), nil
	}
	// Each range below wants the first rows of a bounded scan of
	// contacts_queue_ready, in its order. With its filters estimated
	// selective, Postgres chose a bitmap scan of the whole range and a
	// sort instead (13,000 rows and 114 ms for 500; 9 ms with the index
	// scan, EXPLAIN ANALYZE), and the cost it then estimates for the
	// LIMIT passes jit_above_cost: 150–200 ms of JIT compilation for a
	// fill of a few milliseconds (auto_explain). The fill's transaction
	// turns all three off.
	if _, err := tx.ExecContext(ctx, `SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off; SET LOCAL jit = off`); err != nil {
		return 0, err
	}
	ckey := string(ws) + "\x00" + string(id)
	var cur *fillCursor
	if v, ok := s.cursors.Load(ckey); ok {
		c := v.(fillCursor)
		if c.gen == gen && n >= c.full && n-c.full < int64(hopperFullFillEvery) {
			cur = &c
		}
	}
	returning := ` RETURNING q_rank, list_priority, priority, created_at, contact_id`
	var got []fillKey
	added := 0
	full := int64(0)
	if cur != nil {
		full = cur.full
		// The rest of queue order after the cursor, as four ranges of
		// the index, each a bounded index scan, appended in order: the
		// same rank, list priority and priority, later (created_at, id);
		// a lower priority; a lower list priority; a later rank. The
		// ranges are disjoint and in queue order, so the first room rows
		// of the append are the first room rows after the cursor.
		k := cur.key
		part := func(cond string) string {
			return `(SELECT ` + fillColumns + ` FROM contacts c
WHERE c.workspace_id = ? AND c.campaign_id = ? AND ` + cond + ` AND ` + readyNow + ` AND ` + notInHopper + fillOrder + ` LIMIT ?)`
		}
		q := `INSERT INTO hopper (` + hopperColumns + `)
SELECT * FROM (` + part(`c.q_rank = ? AND c.list_priority = ? AND c.priority = ? AND (c.created_at, c.id) > (?, ?)`) + `
UNION ALL ` + part(`c.q_rank = ? AND c.list_priority = ? AND c.priority < ?`) + `
UNION ALL ` + part(`c.q_rank = ? AND c.list_priority < ?`) + `
UNION ALL ` + part(`c.q_rank > ? AND c.q_rank < 9`) + `) f
LIMIT ?
ON CONFLICT (workspace_id, contact_id) DO NOTHING` + returning
		args := []any{
			ws, id, k.Rank, k.ListPriority, k.Priority, k.CreatedAt, k.ID, n, n, n, room,
			ws, id, k.Rank, k.ListPriority, k.Priority, n, n, n, room,
			ws, id, k.Rank, k.ListPriority, n, n, n, room,
			ws, id, k.Rank, n, n, n, room,
			room,
		}
		if err := tx.SelectContext(ctx, &got, s.q(q), args...); err != nil {
			return 0, err
		}
		added = len(got)
	}
	if added < room {
		// From the head: no cursor, a stale one, or nothing after it.
		var more []fillKey
		if err := tx.SelectContext(ctx, &more, s.q(head+returning), ws, id, n, n, n, room-added); err != nil {
			return 0, err
		}
		full = n
		if len(more) < room-added {
			// The head fill came back short too: nothing is left to
			// fill, so the next fill starts at the head anyway.
			s.cursors.Delete(ckey)
			return added + len(more), nil
		}
		got, added = more, added+len(more)
	}
	if len(got) == 0 {
		return added, nil
	}
	last := got[0]
	for _, k := range got[1:] {
		if last.before(k) {
			last = k
		}
	}
	s.cursors.Store(ckey, fillCursor{key: last, gen: gen, full: full})
	return added, nil
}

// hopperVacuumEvery is how many hopper rows this Store deletes (claims,
// drops) between its vacuums of the hopper.
const hopperVacuumEvery = 2_000

// vacuumHopper vacuums the hopper on Postgres once this Store has
// deleted hopperVacuumEvery of its rows. Every claim deletes rows at the
// head of hopper_order; left to autovacuum (which may be slow to come,
// or off), the dead entries pile up there and every claim walks them,
// which is the very cost the hopper exists to avoid. The table is small,
// so a vacuum takes milliseconds; SKIP_LOCKED leaves it to a vacuum
// already running elsewhere.
func (s *Store) vacuumHopper(ctx context.Context) error {
	if !s.pg() || s.hopperChurn.Load() < hopperVacuumEvery {
		return nil
	}
	s.hopperChurn.Store(0)
	if _, err := s.w.ExecContext(ctx, `VACUUM (SKIP_LOCKED) hopper`); err != nil {
		return s.fail("vacuum hopper", err)
	}
	return nil
}

// Counts implements queue.Store: one pass over the campaign's contacts,
// the hopper's level, and the last refusal of each refused contact.
func (s *Store) Counts(ctx context.Context, ws campaign.WorkspaceID, id campaign.ID, q queue.CountQuery, now time.Time) (queue.Counts, error) {
	const op = "count queue"
	n := now.UnixNano()
	var row struct {
		Leased         int `db:"leased"`
		Stale          int `db:"stale"`
		AttemptsUsedUp int `db:"used_up"`
		NotDue         int `db:"not_due"`
		OutsideWindow  int `db:"outside"`
		Ready          int `db:"ready"`
	}
	// The cases are tested in order, so each contact counts once.
	err := s.r.GetContext(ctx, &row, s.q(`SELECT
  COALESCE(SUM(CASE WHEN k = 1 THEN 1 ELSE 0 END), 0) AS leased,
  COALESCE(SUM(CASE WHEN k = 2 THEN 1 ELSE 0 END), 0) AS stale,
  COALESCE(SUM(CASE WHEN k = 3 THEN 1 ELSE 0 END), 0) AS used_up,
  COALESCE(SUM(CASE WHEN k = 4 THEN 1 ELSE 0 END), 0) AS not_due,
  COALESCE(SUM(CASE WHEN k = 5 THEN 1 ELSE 0 END), 0) AS outside,
  COALESCE(SUM(CASE WHEN k = 6 THEN 1 ELSE 0 END), 0) AS ready
FROM (SELECT CASE
    WHEN lease_token <> '' THEN 1
    WHEN status NOT IN ('pending', 'retry', 'callback') THEN 0
    WHEN q_version <> version THEN 2
    WHEN status <> 'callback' AND attempts >= CAST(? AS BIGINT) + q_extra THEN 3
    WHEN next_attempt_at > ? THEN 4
    WHEN callable_from > ? OR callable_until <= ? THEN 5
    ELSE 6 END AS k
  FROM contacts WHERE workspace_id = ? AND campaign_id = ?) t`), q.MaxAttempts, n, n, n, ws, id)
	if err != nil {
		return queue.Counts{}, s.fail(op, err)
	}
	out := queue.Counts{Leased: row.Leased, Stale: row.Stale, AttemptsUsedUp: row.AttemptsUsedUp, NotDue: row.NotDue,
		OutsideWindow: row.OutsideWindow, Ready: row.Ready, ByStatus: map[campaign.ContactStatus]int{}, Refused: map[string]int{}}
	if err := s.r.GetContext(ctx, &out.Hopper, s.q(`SELECT count(*) FROM hopper WHERE workspace_id = ? AND campaign_id = ?`), ws, id); err != nil {
		return queue.Counts{}, s.fail(op, err)
	}
	var byStatus []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &byStatus, s.q(`SELECT status, count(*) AS n FROM contacts
WHERE workspace_id = ? AND campaign_id = ? AND lease_token = '' AND status NOT IN ('pending', 'retry', 'callback')
GROUP BY status`), ws, id); err != nil {
		return queue.Counts{}, s.fail(op, err)
	}
	for _, r := range byStatus {
		out.ByStatus[campaign.ContactStatus(r.Status)] = r.N
	}
	// A refused contact's reason is its last claim-stage block; block ids
	// grow with time (campaign.NewID), so the last is the greatest.
	var refused []struct {
		Reason string `db:"reason"`
		N      int    `db:"n"`
	}
	if err := s.r.SelectContext(ctx, &refused, s.q(`SELECT b.reason, count(*) AS n FROM contacts c
JOIN blocks b ON b.workspace_id = c.workspace_id AND b.contact_id = c.id
  AND b.id = (SELECT max(l.id) FROM blocks l WHERE l.workspace_id = c.workspace_id AND l.contact_id = c.id AND l.stage = 'claim')
WHERE c.workspace_id = ? AND c.campaign_id = ? AND c.lease_token = '' AND c.status IN ('skipped', 'failed', 'expired')
GROUP BY b.reason`), ws, id); err != nil {
		return queue.Counts{}, s.fail(op, err)
	}
	for _, r := range refused {
		out.Refused[r.Reason] = r.N
	}
	return out, nil
}

// hopperRow is a contact as the writes that may make it ready return it
// (hopperReturning), to put it in the hopper at once.
type hopperRow struct {
	WorkspaceID   string `db:"workspace_id"`
	CampaignID    string `db:"campaign_id"`
	ID            string `db:"id"`
	Version       int64  `db:"version"`
	Rank          int64  `db:"q_rank"`
	ListPriority  int64  `db:"list_priority"`
	Priority      int64  `db:"priority"`
	CreatedAt     int64  `db:"created_at"`
	Phone         string `db:"phone"`
	Lane          string `db:"lane"`
	CallbackOwner string `db:"callback_owner"`
	NextAttemptAt int64  `db:"next_attempt_at"`
	CallableFrom  int64  `db:"callable_from"`
	CallableUntil int64  `db:"callable_until"`
	Status        string `db:"status"`
	LeaseToken    string `db:"lease_token"`
}

// hopperReturning is the RETURNING clause that reads hopperRows.
const hopperReturning = ` RETURNING workspace_id, campaign_id, id, version, q_rank, list_priority, priority, created_at, phone, lane,
callback_owner, next_attempt_at, callable_from, callable_until, status, lease_token`

// maxHopperPut bounds the contacts one write puts in the hopper itself; a
// bulk write (a requeue of thousands) leaves the rest to the next refill,
// which fills in queue order.
const maxHopperPut = 500

// hopperPut puts the contacts of rows that are ready at now (readyNow)
// in the hopper, so a contact a queue write made ready (a released lease,
// a retry due now, a promoted callback) keeps its place in queue order
// without waiting for a refill; a refill later trims the hopper back to
// its target from the end. An entry already there is brought up to date.
func (s *Store) hopperPut(ctx context.Context, db sqlx.ExecerContext, rows []hopperRow, now time.Time) error {
	n := now.UnixNano()
	args := make([]any, 0, 14*min(len(rows), maxHopperPut))
	k := 0
	for _, r := range rows {
		if k == maxHopperPut {
			// The rest wait for a refill, maybe behind its cursor.
			s.hopperMoved()
			break
		}
		ready := r.Rank < 9 && r.LeaseToken == "" && (r.Status == "pending" || r.Status == "retry" || r.Status == "callback") &&
			r.NextAttemptAt <= n && r.CallableFrom <= n && r.CallableUntil > n
		if !ready {
			continue
		}
		args = append(args, r.WorkspaceID, r.CampaignID, r.ID, r.Version, r.Rank, r.ListPriority, r.Priority, r.CreatedAt, r.Phone, r.Lane,
			r.CallbackOwner, r.NextAttemptAt, r.CallableFrom, r.CallableUntil)
		k++
	}
	if k == 0 {
		return nil
	}
	tuple := "(" + placeholders(14) + ")"
	values := strings.TrimSuffix(strings.Repeat(tuple+", ", k), ", ")
	_, err := db.ExecContext(ctx, s.q(`INSERT INTO hopper (`+hopperColumns+`) VALUES `+values+`
ON CONFLICT (workspace_id, contact_id) DO UPDATE SET version = excluded.version, q_rank = excluded.q_rank,
  list_priority = excluded.list_priority, priority = excluded.priority, phone = excluded.phone, lane = excluded.lane,
  callback_owner = excluded.callback_owner, next_attempt_at = excluded.next_attempt_at,
  callable_from = excluded.callable_from, callable_until = excluded.callable_until`), args...)
	return err
}
