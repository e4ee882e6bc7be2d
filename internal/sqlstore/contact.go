package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"

	"github.com/callstackhq/callstack/campaign"
)

// contactColumns lists the contacts table's columns in the order
// contactValues returns them.
const contactColumns = `workspace_id, id, campaign_id, list_id, first_name, last_name, company, phone, alt_phones,
email, source, owner_id, priority, custom, notes, timezones, state, area_code_state, status, lane, attempts,
last_attempt_at, next_attempt_at, callback_owner, consent, erased_at, version, created_at, updated_at, extension`

const contactColumnCount = 30

// contactUpdate sets every column but the key, version and created_at:
// the values of contactValues from index 2 up to versionAt, then the ones
// from updatedAt on.
const contactUpdate = `campaign_id = ?, list_id = ?, first_name = ?, last_name = ?, company = ?, phone = ?,
alt_phones = ?, email = ?, source = ?, owner_id = ?, priority = ?, custom = ?, notes = ?, timezones = ?,
state = ?, area_code_state = ?, status = ?, lane = ?, attempts = ?, last_attempt_at = ?, next_attempt_at = ?,
callback_owner = ?, consent = ?, erased_at = ?, updated_at = ?, extension = ?`

// Indexes in contactColumns.
const (
	versionAt = 26
	updatedAt = 28
)

// consentJSON is the stored form of campaign.Consent: named keys and
// times as unix nanoseconds, like the columns.
type consentJSON struct {
	Kind       campaign.ConsentKind  `json:"kind"`
	Source     string                `json:"source,omitempty"`
	CapturedAt int64                 `json:"captured_at,omitempty"`
	Scope      campaign.ConsentScope `json:"scope"`
	RevokedAt  int64                 `json:"revoked_at,omitempty"`
	RevokedVia string                `json:"revoked_via,omitempty"`
}

// contactValues appends c's column values, in contactColumns order, to
// args.
func contactValues(args []any, e *enc, c campaign.Contact) []any {
	consent := consentJSON{
		Kind: c.Consent.Kind, Source: c.Consent.Source, CapturedAt: e.time("Consent.CapturedAt", c.Consent.CapturedAt),
		Scope: c.Consent.Scope, RevokedAt: e.time("Consent.RevokedAt", c.Consent.RevokedAt), RevokedVia: c.Consent.RevokedVia,
	}
	return append(args,
		c.WorkspaceID, c.ID, c.CampaignID, c.ListID, c.FirstName, c.LastName, c.Company, c.Phone,
		e.json("AltPhones", c.AltPhones), c.Email, c.Source, c.OwnerID, int64(c.Priority), e.json("Custom", c.Custom),
		c.Notes, e.json("Timezones", c.Timezones), c.State, c.AreaCodeState, c.Status, c.Lane, int64(c.Attempts),
		e.time("LastAttemptAt", c.LastAttemptAt), e.time("NextAttemptAt", c.NextAttemptAt), c.CallbackOwner,
		e.json("Consent", consent), e.time("ErasedAt", c.ErasedAt), c.Version,
		e.time("CreatedAt", c.CreatedAt), e.time("UpdatedAt", c.UpdatedAt), c.Extension,
	)
}

type contactRow struct {
	WorkspaceID   string `db:"workspace_id"`
	ID            string `db:"id"`
	CampaignID    string `db:"campaign_id"`
	ListID        string `db:"list_id"`
	FirstName     string `db:"first_name"`
	LastName      string `db:"last_name"`
	Company       string `db:"company"`
	Phone         string `db:"phone"`
	AltPhones     string `db:"alt_phones"`
	Email         string `db:"email"`
	Source        string `db:"source"`
	OwnerID       string `db:"owner_id"`
	Priority      int64  `db:"priority"`
	Custom        string `db:"custom"`
	Notes         string `db:"notes"`
	Timezones     string `db:"timezones"`
	State         string `db:"state"`
	AreaCodeState string `db:"area_code_state"`
	Status        string `db:"status"`
	Lane          string `db:"lane"`
	Attempts      int64  `db:"attempts"`
	LastAttemptAt int64  `db:"last_attempt_at"`
	NextAttemptAt int64  `db:"next_attempt_at"`
	CallbackOwner string `db:"callback_owner"`
	Consent       string `db:"consent"`
	ErasedAt      int64  `db:"erased_at"`
	Version       int64  `db:"version"`
	CreatedAt     int64  `db:"created_at"`
	UpdatedAt     int64  `db:"updated_at"`
	Extension     string `db:"extension"`
	// Tag is one of the contact's tags from the LEFT JOIN with
	// contact_tags; rows of one contact come in tag order.
	Tag sql.NullString `db:"tag"`
}

func (r contactRow) contact() (campaign.Contact, error) {
	c := campaign.Contact{
		ID: campaign.ContactID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
		ListID: campaign.ListID(r.ListID), FirstName: r.FirstName, LastName: r.LastName, Company: r.Company, Phone: r.Phone,
		Email: r.Email, Source: r.Source, OwnerID: campaign.UserID(r.OwnerID), Priority: campaign.Priority(r.Priority),
		Notes: r.Notes, State: r.State, AreaCodeState: r.AreaCodeState, Status: campaign.ContactStatus(r.Status),
		Lane: campaign.Lane(r.Lane), Attempts: int(r.Attempts), LastAttemptAt: fromNanos(r.LastAttemptAt),
		NextAttemptAt: fromNanos(r.NextAttemptAt), CallbackOwner: campaign.UserID(r.CallbackOwner),
		ErasedAt: fromNanos(r.ErasedAt), Version: r.Version, CreatedAt: fromNanos(r.CreatedAt), UpdatedAt: fromNanos(r.UpdatedAt),
		Extension: r.Extension,
	}
	var d dec
	var consent consentJSON
	d.json("alt_phones", r.AltPhones, &c.AltPhones)
	d.json("custom", r.Custom, &c.Custom)
	d.json("timezones", r.Timezones, &c.Timezones)
	d.json("consent", r.Consent, &consent)
	c.Consent = campaign.Consent{
		Kind: consent.Kind, Source: consent.Source, CapturedAt: fromNanos(consent.CapturedAt),
		Scope: consent.Scope, RevokedAt: fromNanos(consent.RevokedAt), RevokedVia: consent.RevokedVia,
	}
	return c, d.err
}

// contacts folds rows of the contacts ⟕ contact_tags join, ordered by
// contact then tag position, into contacts.
func contacts(rows []contactRow) ([]campaign.Contact, error) {
	var out []campaign.Contact
	for i, r := range rows {
		if i == 0 || r.ID != rows[i-1].ID {
			c, err := r.contact()
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		if r.Tag.Valid {
			last := &out[len(out)-1]
			last.Tags = append(last.Tags, r.Tag.String)
		}
	}
	return out, nil
}

// withTags wraps a SELECT of contacts columns (aliased p) with their tags.
func withTags(inner string) string {
	return `SELECT p.*, t.tag FROM (` + inner + `) p
LEFT JOIN contact_tags t ON t.workspace_id = p.workspace_id AND t.contact_id = p.id
ORDER BY p.id, t.position`
}

// InsertContacts adds new contacts of workspace ws in one transaction,
// with batched multi-row inserts: all or none. A contact of another
// workspace is refused with campaign.ErrInvalid, one naming a campaign
// the workspace does not have with campaign.ErrNotFound, and an ID already
// taken with campaign.ErrConflict.
func (s *Store) InsertContacts(ctx context.Context, ws campaign.WorkspaceID, cs []campaign.Contact, a campaign.AuditEntry) error {
	campaigns := map[campaign.ID]bool{}
	for _, c := range cs {
		if err := checkWorkspace(ws, c.WorkspaceID, "contact "+string(c.ID)); err != nil {
			return s.fail("insert contacts", err)
		}
		if err := campaign.CheckContactText(c); err != nil {
			return s.fail("insert contacts", fmt.Errorf("contact %s: %w", c.ID, err))
		}
		if c.CampaignID != "" {
			campaigns[c.CampaignID] = true
		}
	}
	err := s.inTx(ctx, "insert contacts", func(tx *sqlx.Tx) error {
		var e enc
		err := s.insertBatched(ctx, tx, `INSERT INTO contacts (`+contactColumns+`) VALUES `, contactColumnCount, len(cs),
			func(args []any, i int) []any { return contactValues(args, &e, cs[i]) }, &e)
		if err != nil {
			return err
		}
		if err := s.insertTags(ctx, tx, cs); err != nil {
			return err
		}
		// Checked after the writes, so that on SQLite the transaction
		// holds the write lock before it reads.
		if err := s.campaignsExist(ctx, tx, ws, campaigns); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, ws, a)
	})
	if err != nil {
		return err
	}
	return s.analyzeGrown(ctx, "contacts", len(cs))
}

// analyzeMin is how many rows a Store adds to a table, beyond a tenth of
// the table, before it analyses the table itself (analyzeGrown).
const analyzeMin = 1000

// tableGrowth is what a Store added to one table since it last analysed
// it, and how many rows the table held then.
type tableGrowth struct {
	added atomic.Int64
	seen  atomic.Int64
	busy  sync.Mutex
}

// analyzeGrown runs ANALYZE on table on Postgres once this Store added
// analyzeMin rows to it plus a tenth of the rows the table held at its
// last analysis — autovacuum's own threshold, kept by the Store for when
// autovacuum is off or has not come round yet. Plans depend on it: with
// statistics taken when the tables were empty, Postgres read a
// workspace's contacts through a secondary index to find the 20 a claim
// leases, and the status trigger (migration 0005) read the workspace's
// report rows through report_contacts_status for each contact a claim or
// finish moved — a scan of the workspace per contact, so QueueRace slowed
// as it went (auto_explain with log_triggers). An ANALYZE samples at most
// 30,000 rows: tens of milliseconds, once per step that crosses the
// threshold, in the call that crossed it.
func (s *Store) analyzeGrown(ctx context.Context, table string, added int) error {
	g := s.growth[table]
	if !s.pg() || g == nil || added <= 0 {
		return nil
	}
	if g.added.Add(int64(added)) < analyzeMin+g.seen.Load()/10 || !g.busy.TryLock() {
		return nil
	}
	defer g.busy.Unlock()
	g.added.Store(0)
	if _, err := s.w.ExecContext(ctx, `ANALYZE `+table); err != nil {
		return s.fail("analyze "+table, err)
	}
	var rows float64
	if err := s.w.GetContext(ctx, &rows, s.q(`SELECT reltuples FROM pg_class WHERE oid = CAST(CAST(? AS TEXT) AS regclass)`), table); err != nil {
		return s.fail("analyze "+table, err)
	}
	g.seen.Store(int64(max(rows, 0)))
	return nil
}

// campaignsExist returns campaign.ErrNotFound naming a campaign of ids
// that workspace ws does not have.
func (s *Store) campaignsExist(ctx context.Context, tx *sqlx.Tx, ws campaign.WorkspaceID, ids map[campaign.ID]bool) error {
	for id := range ids {
		var one int
		err := tx.GetContext(ctx, &one, s.q(`SELECT 1 FROM campaigns WHERE workspace_id = ? AND id = ?`), ws, id)
		if err != nil {
			return wrapNoRows(err, "campaign", id)
		}
	}
	return nil
}

// tagRef locates one tag of one contact.
type tagRef struct{ contact, tag int }

func (s *Store) insertTags(ctx context.Context, tx *sqlx.Tx, cs []campaign.Contact) error {
	var refs []tagRef
	for i, c := range cs {
		for j := range c.Tags {
			refs = append(refs, tagRef{i, j})
		}
	}
	return s.insertBatched(ctx, tx, `INSERT INTO contact_tags (workspace_id, contact_id, position, tag) VALUES `, 4, len(refs),
		func(args []any, i int) []any {
			c := cs[refs[i].contact]
			return append(args, c.WorkspaceID, c.ID, refs[i].tag, c.Tags[refs[i].tag])
		}, nil)
}

// maxBatchRows bounds the rows of one multi-row INSERT.
const maxBatchRows = 1000

// insertBatched inserts n rows of cols columns each with multi-row
// INSERTs of head ("INSERT INTO t (...) VALUES "), each under the
// dialect's parameter limit. row appends row i's values to args; e, when
// not nil, collects row's encoding errors.
func (s *Store) insertBatched(ctx context.Context, tx *sqlx.Tx, head string, cols, n int, row func(args []any, i int) []any, e *enc) error {
	if n == 0 {
		return nil
	}
	per := min(s.d.MaxParams/cols, maxBatchRows)
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	build := func(rows int) string {
		var b strings.Builder
		b.WriteString(head)
		for i := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
		}
		return s.q(b.String())
	}
	full := ""
	args := make([]any, 0, min(n, per)*cols)
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(args, i)
		}
		if e != nil && e.err != nil {
			return e.err
		}
		query := full
		if end-start < per {
			query = build(end - start)
		} else if full == "" {
			full = build(per)
			query = full
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return err
		}
	}
	return nil
}

// GetContact returns the contact id of workspace ws.
func (s *Store) GetContact(ctx context.Context, ws campaign.WorkspaceID, id campaign.ContactID) (campaign.Contact, error) {
	var rows []contactRow
	err := s.r.SelectContext(ctx, &rows, s.q(withTags(`SELECT `+contactColumns+` FROM contacts WHERE workspace_id = ? AND id = ?`)), ws, id)
	if err != nil {
		return campaign.Contact{}, s.fail("get contact", err)
	}
	cs, err := contacts(rows)
	if err != nil {
		return campaign.Contact{}, s.fail("get contact", err)
	}
	if len(cs) == 0 {
		return campaign.Contact{}, s.fail("get contact", notFound("contact", id))
	}
	return cs[0], nil
}

// UpdateContact stores c, CreatedAt aside, if the stored Version is
// c.Version, and stores Version+1; campaign.ErrConflict when the Version differs,
// campaign.ErrNotFound when there is no such contact.
func (s *Store) UpdateContact(ctx context.Context, c campaign.Contact, a campaign.AuditEntry) error {
	if err := campaign.CheckContactText(c); err != nil {
		return s.fail("update contact", fmt.Errorf("contact %s: %w", c.ID, err))
	}
	return s.inTx(ctx, "update contact", func(tx *sqlx.Tx) error {
		var e enc
		args := contactValues(nil, &e, c)
		if e.err != nil {
			return e.err
		}
		args = append(args[2:versionAt:versionAt], append(args[updatedAt:], c.WorkspaceID, c.ID, c.Version, c.Status)...)
		// The edit makes the queue facts stale, so the contact leaves the
		// ready lanes (q_rank 9) until a refresh recomputes them. A leased
		// contact keeps status dialing: only the lease's end moves it.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE contacts SET `+contactUpdate+`, version = version + 1, q_rank = 9
WHERE workspace_id = ? AND id = ? AND version = ? AND (status <> 'dialing' OR ? = 'dialing')`), args...)
		if err := s.versioned(ctx, tx, res, err, "contacts", "contact", c.WorkspaceID, string(c.ID),
			fmt.Sprintf("version %d, and a leased contact stays dialing", c.Version)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM contact_tags WHERE workspace_id = ? AND contact_id = ?`), c.WorkspaceID, c.ID); err != nil {
			return err
		}
		if err := s.insertTags(ctx, tx, []campaign.Contact{c}); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, c.WorkspaceID, a)
	})
}

// ListContacts returns a page of the workspace's contacts matching f,
// ordered by ID. The cursor is the last ID of the page; NextCursor is empty
// on the last page.
func (s *Store) ListContacts(ctx context.Context, ws campaign.WorkspaceID, f campaign.ContactFilter) (campaign.ContactPage, error) {
	inner := `SELECT ` + contactColumns + ` FROM contacts WHERE workspace_id = ?`
	args := []any{ws}
	add := func(cond string, v any) {
		inner += ` AND ` + cond
		args = append(args, v)
	}
	if f.CampaignID != "" {
		add(`campaign_id = ?`, f.CampaignID)
	}
	if f.ListID != "" {
		add(`list_id = ?`, f.ListID)
	}
	if f.Status != "" {
		add(`status = ?`, f.Status)
	}
	if f.OwnerID != "" {
		add(`owner_id = ?`, f.OwnerID)
	}
	if f.Tag != "" {
		add(`EXISTS (SELECT 1 FROM contact_tags g
WHERE g.workspace_id = contacts.workspace_id AND g.contact_id = contacts.id AND g.tag = ?)`, f.Tag)
	}
	if f.After != "" {
		add(`id > ?`, f.After)
	}
	limit := f.PageLimit()
	inner += ` ORDER BY id LIMIT ?`
	args = append(args, limit+1)
	var rows []contactRow
	if err := s.r.SelectContext(ctx, &rows, s.q(withTags(inner)), args...); err != nil {
		return campaign.ContactPage{}, s.fail("list contacts", err)
	}
	cs, err := contacts(rows)
	if err != nil {
		return campaign.ContactPage{}, s.fail("list contacts", err)
	}
	var page campaign.ContactPage
	if len(cs) > limit {
		cs = cs[:limit]
		page.NextCursor = string(cs[limit-1].ID)
	}
	page.Contacts = cs
	return page, nil
}
