package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/suppression"
)

// Compile-time check: the Store serves the suppression package.
var _ suppression.Store = (*Store)(nil)

// Suppression storage (migrations 0002_suppression.sql): a list is an
// integer id in suppression_lists, an entry's metadata is an id in
// suppression_origins shared by every entry written with it, and a number
// is the integer of its E.164 digits. Number-only entries live in
// suppression_numbers, keyed (list_id, number); entries with an email in
// suppression_emails, keyed (list_id, email, number) with number 0 when
// there is none. Large sets of numbers travel as ONE bind parameter per
// statement: a JSON array read with json_each on SQLite, a bigint[]
// literal on Postgres.

// suppressionChunk bounds the numbers one statement carries.
const suppressionChunk = 100_000

// pg reports whether the dialect is Postgres, whose array and upsert SQL
// the suppression queries use; the other dialect is SQLite.
func (s *Store) pg() bool { return s.d.BindType == sqlx.DOLLAR }

// e164Int returns the digits of E.164 number n as an integer.
func e164Int(n string) (int64, bool) {
	if !suppression.IsE164(n) {
		return 0, false
	}
	v, err := strconv.ParseInt(n[1:], 10, 64)
	return v, err == nil
}

// e164String is the inverse of e164Int; 0 is no number, "".
func e164String(v int64) string {
	if v == 0 {
		return ""
	}
	return "+" + strconv.FormatInt(v, 10)
}

// intArray renders ns as one bind parameter: "[1,2]" (JSON, for SQLite's
// json_each) or "{1,2}" (a Postgres array literal).
func (s *Store) intArray(ns []int64) string {
	open, end := byte('['), byte(']')
	if s.pg() {
		open, end = '{', '}'
	}
	b := make([]byte, 0, len(ns)*13+2)
	b = append(b, open)
	for i, n := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return string(append(b, end))
}

// intSet is the SQL that reads an intArray parameter as a set of values,
// for "x IN (...)".
func (s *Store) intSet() string {
	if s.pg() {
		return `SELECT unnest(?::bigint[])`
	}
	return `SELECT value FROM json_each(?)`
}

// textSet is the SQL that reads a JSON array of strings as a set of
// values, for "x IN (...)".
func (s *Store) textSet() string {
	if s.pg() {
		return `SELECT json_array_elements_text(?::json)`
	}
	return `SELECT value FROM json_each(?)`
}

// listID returns the id of list l of workspace ws: ok is false when the
// list has no row yet. With create, a missing list is created (and a
// missing workspace is campaign.ErrNotFound).
func (s *Store) listID(ctx context.Context, db sqlx.ExtContext, ws campaign.WorkspaceID, l suppression.List, create bool) (id int64, ok bool, err error) {
	if v, ok := s.lists.Load(listKey{ws, l}); ok {
		return v.(int64), true, nil
	}
	sel := s.q(`SELECT id FROM suppression_lists WHERE workspace_id = ? AND scope = ? AND ref = ?`)
	err = sqlx.GetContext(ctx, db, &id, sel, ws, l.Scope, l.Ref)
	switch {
	case err == nil:
		return id, true, nil
	case !isNoRows(err):
		return 0, false, err
	case !create:
		return 0, false, nil
	}
	if _, err := db.ExecContext(ctx, s.q(`INSERT INTO suppression_lists (workspace_id, scope, ref) VALUES (?, ?, ?)
ON CONFLICT (workspace_id, scope, ref) DO NOTHING`), ws, l.Scope, l.Ref); err != nil {
		return 0, false, err
	}
	if err := sqlx.GetContext(ctx, db, &id, sel, ws, l.Scope, l.Ref); err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// listKey names a list in Store.lists.
type listKey struct {
	ws campaign.WorkspaceID
	l  suppression.List
}

// listIDs returns the ids of those of lists that exist, in one query for
// the ones not cached (a claim's check asks for three lists each time).
// It reads outside any transaction, so the ids it caches are committed;
// listID, which may run inside one, only reads the cache.
func (s *Store) listIDs(ctx context.Context, ws campaign.WorkspaceID, lists []suppression.List) (map[suppression.List]int64, error) {
	out := make(map[suppression.List]int64, len(lists))
	var where []string
	args := []any{ws}
	for _, l := range lists {
		if v, ok := s.lists.Load(listKey{ws, l}); ok {
			out[l] = v.(int64)
			continue
		}
		where = append(where, `(scope = ? AND ref = ?)`)
		args = append(args, l.Scope, l.Ref)
	}
	if len(where) == 0 {
		return out, nil
	}
	var rows []struct {
		Scope suppression.Scope `db:"scope"`
		Ref   string            `db:"ref"`
		ID    int64             `db:"id"`
	}
	if err := s.r.SelectContext(ctx, &rows, s.q(`SELECT scope, ref, id FROM suppression_lists
WHERE workspace_id = ? AND (`+strings.Join(where, ` OR `)+`)`), args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		l := suppression.List{Scope: r.Scope, Ref: r.Ref}
		out[l] = r.ID
		s.lists.Store(listKey{ws, l}, r.ID)
	}
	return out, nil
}

// origin is an entry's metadata as suppression_origins stores it.
type origin struct {
	Reason    string `db:"reason"`
	Source    string `db:"source"`
	AddedBy   string `db:"added_by"`
	AddedAt   int64  `db:"added_at"`
	ExpiresAt int64  `db:"expires_at"`
}

// originOf returns e's metadata, encoding its times with enc.
func originOf(e *enc, en suppression.Entry) origin {
	return origin{Reason: en.Reason, Source: en.Source, AddedBy: string(en.AddedBy),
		AddedAt: e.time("AddedAt", en.AddedAt), ExpiresAt: e.time("ExpiresAt", en.ExpiresAt)}
}

// originID returns the id of metadata o in workspace ws, creating its row
// when missing.
func (s *Store) originID(ctx context.Context, tx *sqlx.Tx, ws campaign.WorkspaceID, o origin) (int64, error) {
	var id int64
	sel := s.q(`SELECT id FROM suppression_origins
WHERE workspace_id = ? AND reason = ? AND source = ? AND added_by = ? AND added_at = ? AND expires_at = ?`)
	args := []any{ws, o.Reason, o.Source, o.AddedBy, o.AddedAt, o.ExpiresAt}
	err := tx.GetContext(ctx, &id, sel, args...)
	if !isNoRows(err) {
		return id, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO suppression_origins (workspace_id, reason, source, added_by, added_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, reason, source, added_by, added_at, expires_at) DO NOTHING`), args...); err != nil {
		return 0, err
	}
	err = tx.GetContext(ctx, &id, sel, args...)
	return id, err
}

// originRow is an origin with its id.
type originRow struct {
	ID int64 `db:"id"`
	origin
}

// origins returns the metadata of the given origin ids of workspace ws.
func (s *Store) origins(ctx context.Context, ws campaign.WorkspaceID, ids map[int64]bool) (map[int64]origin, error) {
	out := make(map[int64]origin, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	all := make([]int64, 0, len(ids))
	for id := range ids {
		all = append(all, id)
	}
	slices.Sort(all)
	for chunk := range slices.Chunk(all, suppressionChunk) {
		var rows []originRow
		err := s.r.SelectContext(ctx, &rows, s.q(`SELECT id, reason, source, added_by, added_at, expires_at
FROM suppression_origins WHERE workspace_id = ? AND id IN (`+s.intSet()+`)`), ws, s.intArray(chunk))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r.origin
		}
	}
	return out, nil
}

// insertNumbers writes numbers (sorted) to list listID with origin
// originID. With replace, an existing entry takes the new origin;
// otherwise it is kept. With replace, numbers must not repeat.
func (s *Store) insertNumbers(ctx context.Context, tx *sqlx.Tx, listID, originID int64, numbers []int64, replace bool) error {
	conflict := `DO NOTHING`
	if replace {
		conflict = `DO UPDATE SET origin_id = excluded.origin_id`
	}
	query := `INSERT INTO suppression_numbers (list_id, number, origin_id)
SELECT ?, value, ? FROM json_each(?) WHERE true
ON CONFLICT (list_id, number) ` + conflict
	if s.pg() {
		query = `INSERT INTO suppression_numbers (list_id, number, origin_id)
SELECT ?::integer, unnest(?::bigint[]), ?::integer
ON CONFLICT (list_id, number) ` + conflict
	}
	query = s.q(query)
	for chunk := range slices.Chunk(numbers, suppressionChunk) {
		var err error
		if s.pg() {
			_, err = tx.ExecContext(ctx, query, listID, s.intArray(chunk), originID)
		} else {
			_, err = tx.ExecContext(ctx, query, listID, originID, s.intArray(chunk))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// workspaceExists returns campaign.ErrNotFound when workspace ws does not
// exist.
func (s *Store) workspaceExists(ctx context.Context, tx *sqlx.Tx, ws campaign.WorkspaceID) error {
	var one int
	return wrapNoRows(tx.GetContext(ctx, &one, s.q(`SELECT 1 FROM workspaces WHERE id = ?`), ws), "workspace", ws)
}

// invalidNumber reports a number that is not E.164.
func invalidNumber(n string) error {
	return fmt.Errorf("%w: %w: number %q is not E.164", campaign.ErrInvalid, suppression.ErrInvalidEntry, n)
}

// PutSuppressions adds entries of workspace ws, replacing any with the
// same key (a later entry of es replaces an earlier one), and records a in
// the same transaction, also when es is empty. An entry of another
// workspace, or with a number that is not E.164, is refused with
// campaign.ErrInvalid; a missing workspace is campaign.ErrNotFound.
func (s *Store) PutSuppressions(ctx context.Context, ws campaign.WorkspaceID, es []suppression.Entry, a campaign.AuditEntry) error {
	const op = "put suppressions"
	var e enc
	type numberKey struct {
		list   suppression.List
		number int64
	}
	nums := make(map[numberKey]origin) // number-only entries, last wins
	var emails []suppression.Entry
	for _, en := range es {
		if err := checkWorkspace(ws, en.WorkspaceID, "suppression entry"); err != nil {
			return s.fail(op, err)
		}
		n, ok := e164Int(en.Number)
		if en.Number != "" && !ok {
			return s.fail(op, invalidNumber(en.Number))
		}
		if en.Email == "" {
			nums[numberKey{en.List, n}] = originOf(&e, en)
		} else {
			originOf(&e, en) // validate the times before the transaction
			emails = append(emails, en)
		}
	}
	if e.err != nil {
		return s.fail(op, e.err)
	}
	return s.inTx(ctx, op, func(tx *sqlx.Tx) error {
		lists := map[suppression.List]int64{}
		origins := map[origin]int64{}
		ids := func(l suppression.List, o origin) (listID, originID int64, err error) {
			listID, ok := lists[l]
			if !ok {
				if listID, _, err = s.listID(ctx, tx, ws, l, true); err != nil {
					return 0, 0, err
				}
				lists[l] = listID
			}
			originID, ok = origins[o]
			if !ok {
				if originID, err = s.originID(ctx, tx, ws, o); err != nil {
					return 0, 0, err
				}
				origins[o] = originID
			}
			return listID, originID, nil
		}
		// Number-only entries go in one statement per list and origin.
		type group struct{ list, origin int64 }
		groups := map[group][]int64{}
		for k, o := range nums {
			listID, originID, err := ids(k.list, o)
			if err != nil {
				return err
			}
			g := group{listID, originID}
			groups[g] = append(groups[g], k.number)
		}
		for g, ns := range groups {
			slices.Sort(ns)
			if err := s.insertNumbers(ctx, tx, g.list, g.origin, ns, true); err != nil {
				return err
			}
		}
		for _, en := range emails {
			listID, originID, err := ids(en.List, originOf(&e, en))
			if err != nil {
				return err
			}
			n, _ := e164Int(en.Number)
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO suppression_emails (list_id, email, number, origin_id) VALUES (?, ?, ?, ?)
ON CONFLICT (list_id, email, number) DO UPDATE SET origin_id = excluded.origin_id`), listID, en.Email, n, originID); err != nil {
				return err
			}
		}
		if err := s.insertAudit(ctx, tx, ws, a); err != nil {
			return err
		}
		return s.workspaceExists(ctx, tx, ws)
	})
}

// BulkSuppress adds one entry per number to workspace ws, each a copy of
// tmpl (its WorkspaceID and Email ignored) with its Number set; numbers
// already on the list keep their entry. All numbers are written in one
// transaction, in statements of up to 100,000 numbers. A number that is
// not E.164 is refused with campaign.ErrInvalid, a missing workspace with
// campaign.ErrNotFound.
func (s *Store) BulkSuppress(ctx context.Context, ws campaign.WorkspaceID, tmpl suppression.Entry, numbers []string) error {
	const op = "bulk suppress"
	ns := make([]int64, len(numbers))
	for i, n := range numbers {
		v, ok := e164Int(n)
		if !ok {
			return s.fail(op, invalidNumber(n))
		}
		ns[i] = v
	}
	// Sorted numbers fill the key's index pages in order; a number given
	// twice is one entry.
	slices.Sort(ns)
	ns = slices.Compact(ns)
	var e enc
	o := originOf(&e, tmpl)
	if e.err != nil {
		return s.fail(op, e.err)
	}
	return s.inTx(ctx, op, func(tx *sqlx.Tx) error {
		listID, _, err := s.listID(ctx, tx, ws, tmpl.List, true)
		if err != nil {
			return err
		}
		originID, err := s.originID(ctx, tx, ws, o)
		if err != nil {
			return err
		}
		return s.insertNumbers(ctx, tx, listID, originID, ns, false)
	})
}

// DeleteSuppression removes the entry with key k from workspace ws and
// records a in the same transaction; suppression.ErrNotFound (which is
// campaign.ErrNotFound) when there is no such entry.
func (s *Store) DeleteSuppression(ctx context.Context, ws campaign.WorkspaceID, k suppression.Key, a campaign.AuditEntry) error {
	const op = "delete suppression"
	missing := fmt.Errorf("%w: %s%s on %s list", suppression.ErrNotFound, k.Number, k.Email, k.List.Scope)
	n, ok := e164Int(k.Number)
	if k.Number != "" && !ok {
		return s.fail(op, missing)
	}
	list := `(SELECT id FROM suppression_lists WHERE workspace_id = ? AND scope = ? AND ref = ?)`
	return s.inTx(ctx, op, func(tx *sqlx.Tx) error {
		// The DELETE comes first, so that on SQLite the transaction takes
		// the write lock before it reads.
		query := `DELETE FROM suppression_numbers WHERE list_id = ` + list + ` AND number = ?`
		args := []any{ws, k.List.Scope, k.List.Ref, n}
		if k.Email != "" {
			query = `DELETE FROM suppression_emails WHERE list_id = ` + list + ` AND email = ? AND number = ?`
			args = []any{ws, k.List.Scope, k.List.Ref, k.Email, n}
		}
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if affected == 0 {
			return missing
		}
		return s.insertAudit(ctx, tx, ws, a)
	})
}

// CheckSuppressed returns the entries of workspace ws, on the lists of
// q.Target, active at now (ExpiresAt zero or after now) whose key is a
// queried number alone or a queried email alone: per list, one match per
// queried number then per queried email, repeats included. Numbers that
// are not E.164 match nothing. Numbers are looked up in statements of
// 25,000, one indexed lookup each, up to 4 statements at once on the read
// pool.
func (s *Store) CheckSuppressed(ctx context.Context, ws campaign.WorkspaceID, q suppression.Query, now time.Time) ([]suppression.Match, error) {
	const op = "check suppressed"
	var e enc
	at := e.time("now", now)
	if e.err != nil {
		return nil, s.fail(op, e.err)
	}
	if len(q.Numbers) == 0 && len(q.Emails) == 0 {
		return nil, nil
	}
	// Distinct valid numbers, sorted so that lookups walk the index in order.
	values := make([]int64, len(q.Numbers)) // q.Numbers[i] as an integer, 0 when not E.164
	ns := make([]int64, 0, len(q.Numbers))
	for i, n := range q.Numbers {
		if v, ok := e164Int(n); ok {
			values[i] = v
			ns = append(ns, v)
		}
	}
	slices.Sort(ns)
	ns = slices.Compact(ns)
	emails := make([]string, 0, len(q.Emails))
	for _, em := range q.Emails {
		if em != "" && !strings.ContainsRune(em, 0) {
			emails = append(emails, em)
		}
	}
	slices.Sort(emails)
	emails = slices.Compact(emails)

	numberQuery := s.q(`SELECT n.number, n.origin_id FROM json_each(?) j
CROSS JOIN suppression_numbers n CROSS JOIN suppression_origins o
WHERE n.list_id = ? AND n.number = j.value AND o.id = n.origin_id AND (o.expires_at = 0 OR o.expires_at > ?)`)
	if s.pg() {
		// One index lookup per number whatever the table's statistics say
		// (right after a large load, before autovacuum analyses it, the
		// planner may otherwise pick a scan of the whole list).
		numberQuery = s.q(`SELECT n.number, n.origin_id FROM unnest(?::bigint[]) AS q (number)
CROSS JOIN LATERAL (SELECT number, origin_id FROM suppression_numbers
    WHERE list_id = ? AND number = q.number LIMIT 1) n
JOIN suppression_origins o ON o.id = n.origin_id
WHERE o.expires_at = 0 OR o.expires_at > ?`)
	}
	emailQuery := s.q(`SELECT m.email, m.origin_id FROM suppression_emails m
JOIN suppression_origins o ON o.id = m.origin_id
WHERE m.list_id = ? AND m.number = 0 AND m.email IN (` + s.textSet() + `) AND (o.expires_at = 0 OR o.expires_at > ?)`)

	type listHits struct {
		list    suppression.List
		numbers map[int64]int64  // number → origin id
		emails  map[string]int64 // email → origin id
	}
	var hits []listHits
	originIDs := map[int64]bool{}
	lists := q.Target.Lists()
	ids, err := s.listIDs(ctx, ws, lists)
	if err != nil {
		return nil, s.fail(op, err)
	}
	for _, l := range lists {
		listID, ok := ids[l]
		if !ok {
			continue
		}
		h := listHits{list: l, numbers: make(map[int64]int64, min(len(ns), 1024)), emails: map[string]int64{}}
		err = s.parallelChunks(ctx, ns, func(ctx context.Context, chunk []int64, mu *sync.Mutex) error {
			args := []any{s.intArray(chunk), listID, at}
			var found [][2]int64
			if err := s.scanHits(ctx, numberQuery, args, func(number, originID int64) {
				found = append(found, [2]int64{number, originID})
			}); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, f := range found {
				h.numbers[f[0]] = f[1]
				originIDs[f[1]] = true
			}
			return nil
		})
		if err != nil {
			return nil, s.fail(op, err)
		}
		for chunk := range slices.Chunk(emails, suppressionChunk) {
			b, err := json.Marshal(chunk)
			if err != nil {
				return nil, s.fail(op, err)
			}
			var rows []struct {
				Email    string `db:"email"`
				OriginID int64  `db:"origin_id"`
			}
			if err := s.r.SelectContext(ctx, &rows, emailQuery, listID, string(b), at); err != nil {
				return nil, s.fail(op, err)
			}
			for _, r := range rows {
				h.emails[r.Email] = r.OriginID
				originIDs[r.OriginID] = true
			}
		}
		hits = append(hits, h)
	}
	origins, err := s.origins(ctx, ws, originIDs)
	if err != nil {
		return nil, s.fail(op, err)
	}
	size := 0
	for _, h := range hits {
		size += len(h.numbers) + len(h.emails)
	}
	out := make([]suppression.Match, 0, size)
	for _, h := range hits {
		if len(h.numbers) > 0 {
			for i, v := range values {
				if id, ok := h.numbers[v]; ok && v != 0 {
					o := origins[id]
					out = append(out, suppression.Match{Number: q.Numbers[i], List: h.list, Reason: o.Reason, Source: o.Source})
				}
			}
		}
		for _, em := range q.Emails {
			if id, ok := h.emails[em]; ok {
				o := origins[id]
				out = append(out, suppression.Match{Email: em, List: h.list, Reason: o.Reason, Source: o.Source})
			}
		}
	}
	return out, nil
}

// checkReaders bounds the statements one CheckSuppressed runs at once.
const checkReaders = 4

// checkChunk is the numbers one CheckSuppressed statement looks up.
const checkChunk = 25_000

// parallelChunks calls fn on chunks of ns, up to checkReaders at once on
// the read pool, and returns the first error; fn holding mu may write
// shared results.
func (s *Store) parallelChunks(ctx context.Context, ns []int64, fn func(ctx context.Context, chunk []int64, mu *sync.Mutex) error) error {
	if len(ns) <= checkChunk {
		var mu sync.Mutex
		return fn(ctx, ns, &mu)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
	)
	chunks := make(chan []int64)
	for range checkReaders {
		wg.Go(func() {
			for chunk := range chunks {
				if err := fn(ctx, chunk, &mu); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
				}
			}
		})
	}
	for chunk := range slices.Chunk(ns, checkChunk) {
		select {
		case chunks <- chunk:
		case <-ctx.Done():
		}
	}
	close(chunks)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// scanHits runs query on the read handle and calls fn with each row's two
// integer columns.
func (s *Store) scanHits(ctx context.Context, query string, args []any, fn func(a, b int64)) error {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// suppressionRow is one entry of a listing, before its origin is joined.
type suppressionRow struct {
	Number   int64  `db:"number"`
	Email    string `db:"email"`
	OriginID int64  `db:"origin_id"`
}

// ListSuppressions returns up to limit entries of list l of workspace ws
// (1,000 when limit is not in 1–1000), expired ones included, ordered by
// number (numerically: the same as by E.164 string for numbers of one
// length, such as NANP) then email, with email-only entries first. after
// and next are cursors: the last entry's number and email joined by a NUL
// byte, as the memory store's; next is empty on the last page.
func (s *Store) ListSuppressions(ctx context.Context, ws campaign.WorkspaceID, l suppression.List, after string, limit int) ([]suppression.Entry, string, error) {
	const op = "list suppressions"
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	afterNumber, afterEmail, _ := strings.Cut(after, "\x00")
	n, ok := e164Int(afterNumber)
	if afterNumber != "" && !ok {
		return nil, "", s.fail(op, fmt.Errorf("%w: cursor %q", campaign.ErrInvalid, after))
	}
	lists, err := s.listIDs(ctx, ws, []suppression.List{l})
	if err != nil {
		return nil, "", s.fail(op, err)
	}
	listID, ok := lists[l]
	if !ok {
		return nil, "", nil
	}
	noEmail := `''`
	if s.pg() {
		noEmail = `'' COLLATE "C"`
	}
	var rows []suppressionRow
	err = s.r.SelectContext(ctx, &rows, s.q(`SELECT number, `+noEmail+` AS email, origin_id FROM suppression_numbers
WHERE list_id = ? AND number > ?
UNION ALL
SELECT number, email, origin_id FROM suppression_emails
WHERE list_id = ? AND (number > ? OR (number = ? AND email > ?))
ORDER BY number, email LIMIT ?`), listID, n, listID, n, n, afterEmail, limit+1)
	if err != nil {
		return nil, "", s.fail(op, err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = e164String(last.Number) + "\x00" + last.Email
	}
	ids := map[int64]bool{}
	for _, r := range rows {
		ids[r.OriginID] = true
	}
	origins, err := s.origins(ctx, ws, ids)
	if err != nil {
		return nil, "", s.fail(op, err)
	}
	es := make([]suppression.Entry, len(rows))
	for i, r := range rows {
		o := origins[r.OriginID]
		es[i] = suppression.Entry{
			WorkspaceID: ws, List: l, Number: e164String(r.Number), Email: r.Email,
			Reason: o.Reason, Source: o.Source, AddedBy: campaign.UserID(o.AddedBy),
			AddedAt: fromNanos(o.AddedAt), ExpiresAt: fromNanos(o.ExpiresAt),
		}
	}
	return es, next, nil
}
