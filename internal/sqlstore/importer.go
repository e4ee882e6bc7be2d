package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/importer"
)

// Compile-time check: the Store serves the importer package.
var _ importer.Store = (*Store)(nil)

// Importer storage (migrations 0003_importer.sql): import_history holds one
// row per import with its header, mapping and counts as JSON;
// import_mappings the confirmed mapping per (workspace, header signature);
// import_names the small name → value table. Phone lookups read the
// contacts table through its (workspace_id, phone) index.

// importNotFound wraps importer.ErrNotFound (and so campaign.ErrNotFound).
func importNotFound(kind string, id any) error {
	return fmt.Errorf("%s %q: %w", kind, id, importer.ErrNotFound)
}

type importRow struct {
	WorkspaceID string `db:"workspace_id"`
	ID          string `db:"id"`
	CampaignID  string `db:"campaign_id"`
	ListID      string `db:"list_id"`
	ActorID     string `db:"actor_id"`
	FileName    string `db:"file_name"`
	Header      string `db:"header"`
	Signature   string `db:"signature"`
	Mapping     string `db:"mapping"`
	Policy      string `db:"policy"`
	Status      string `db:"status"`
	Error       string `db:"error"`
	Counts      string `db:"counts"`
	StartedAt   int64  `db:"started_at"`
	FinishedAt  int64  `db:"finished_at"`
	Duration    int64  `db:"duration"`
}

const importColumns = `workspace_id, id, campaign_id, list_id, actor_id, file_name, header, signature, mapping, policy,
status, error, counts, started_at, finished_at, duration`

func (r importRow) record() (importer.Record, error) {
	rec := importer.Record{
		ID: importer.ImportID(r.ID), WorkspaceID: campaign.WorkspaceID(r.WorkspaceID), CampaignID: campaign.ID(r.CampaignID),
		ListID: campaign.ListID(r.ListID), ActorID: campaign.UserID(r.ActorID), FileName: r.FileName, Signature: r.Signature,
		Policy: importer.DuplicatePolicy(r.Policy), Status: importer.Status(r.Status), Error: r.Error,
		StartedAt: fromNanos(r.StartedAt), FinishedAt: fromNanos(r.FinishedAt), Duration: time.Duration(r.Duration),
	}
	var d dec
	d.json("header", r.Header, &rec.Header)
	d.json("mapping", r.Mapping, &rec.Mapping)
	d.json("counts", r.Counts, &rec.Counts)
	return rec, d.err
}

// SaveImport implements importer.Store.
func (s *Store) SaveImport(ctx context.Context, r importer.Record) error {
	const op = "save import"
	var e enc
	args := []any{r.WorkspaceID, r.ID, r.CampaignID, r.ListID, r.ActorID, r.FileName, e.json("Header", r.Header), r.Signature,
		e.json("Mapping", r.Mapping), r.Policy, r.Status, r.Error, e.json("Counts", r.Counts),
		e.time("StartedAt", r.StartedAt), e.time("FinishedAt", r.FinishedAt), int64(r.Duration)}
	if e.err != nil {
		return s.fail(op, e.err)
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO import_history (`+importColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, id) DO UPDATE SET campaign_id = excluded.campaign_id, list_id = excluded.list_id,
actor_id = excluded.actor_id, file_name = excluded.file_name, header = excluded.header, signature = excluded.signature,
mapping = excluded.mapping, policy = excluded.policy, status = excluded.status, error = excluded.error,
counts = excluded.counts, started_at = excluded.started_at, finished_at = excluded.finished_at, duration = excluded.duration`), args...)
	if err != nil {
		return s.fail(op, err)
	}
	return nil
}

// GetImport implements importer.Store.
func (s *Store) GetImport(ctx context.Context, ws campaign.WorkspaceID, id importer.ImportID) (importer.Record, error) {
	var r importRow
	err := s.r.GetContext(ctx, &r, s.q(`SELECT `+importColumns+` FROM import_history WHERE workspace_id = ? AND id = ?`), ws, id)
	if isNoRows(err) {
		return importer.Record{}, fmt.Errorf("sqlstore: get import: %w", importNotFound("import", id))
	}
	if err != nil {
		return importer.Record{}, s.fail("get import", err)
	}
	rec, err := r.record()
	if err != nil {
		return importer.Record{}, s.fail("get import", err)
	}
	return rec, nil
}

// ListImports implements importer.Store: newest first.
func (s *Store) ListImports(ctx context.Context, ws campaign.WorkspaceID, limit int) ([]importer.Record, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var rows []importRow
	err := s.r.SelectContext(ctx, &rows, s.q(`SELECT `+importColumns+` FROM import_history WHERE workspace_id = ?
ORDER BY started_at DESC, id DESC LIMIT ?`), ws, limit)
	if err != nil {
		return nil, s.fail("list imports", err)
	}
	out := make([]importer.Record, 0, len(rows))
	for _, r := range rows {
		rec, err := r.record()
		if err != nil {
			return nil, s.fail("list imports", err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// SaveMapping implements importer.Store.
func (s *Store) SaveMapping(ctx context.Context, m importer.SavedMapping) error {
	const op = "save mapping"
	var e enc
	args := []any{m.WorkspaceID, m.Signature, e.json("Header", m.Header), e.json("Mapping", m.Mapping), m.SavedBy, e.time("SavedAt", m.SavedAt)}
	if e.err != nil {
		return s.fail(op, e.err)
	}
	_, err := s.w.ExecContext(ctx, s.q(`INSERT INTO import_mappings (workspace_id, signature, header, mapping, saved_by, saved_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, signature) DO UPDATE SET header = excluded.header,
mapping = excluded.mapping, saved_by = excluded.saved_by, saved_at = excluded.saved_at`), args...)
	if err != nil {
		return s.fail(op, err)
	}
	return nil
}

// GetMapping implements importer.Store.
func (s *Store) GetMapping(ctx context.Context, ws campaign.WorkspaceID, sig string) (importer.SavedMapping, error) {
	var r struct {
		Header  string `db:"header"`
		Mapping string `db:"mapping"`
		SavedBy string `db:"saved_by"`
		SavedAt int64  `db:"saved_at"`
	}
	err := s.r.GetContext(ctx, &r, s.q(`SELECT header, mapping, saved_by, saved_at FROM import_mappings WHERE workspace_id = ? AND signature = ?`), ws, sig)
	if isNoRows(err) {
		return importer.SavedMapping{}, fmt.Errorf("sqlstore: get mapping: %w", importNotFound("mapping", sig))
	}
	if err != nil {
		return importer.SavedMapping{}, s.fail("get mapping", err)
	}
	m := importer.SavedMapping{WorkspaceID: ws, Signature: sig, SavedBy: campaign.UserID(r.SavedBy), SavedAt: fromNanos(r.SavedAt)}
	var d dec
	d.json("header", r.Header, &m.Header)
	d.json("mapping", r.Mapping, &m.Mapping)
	if d.err != nil {
		return importer.SavedMapping{}, s.fail("get mapping", d.err)
	}
	return m, nil
}

// findPhonesChunk bounds the numbers of one lookup statement.
const findPhonesChunk = 500

// FindPhones implements importer.Store through the contacts table's
// (workspace_id, phone) index.
func (s *Store) FindPhones(ctx context.Context, ws campaign.WorkspaceID, phones []string) ([]importer.PhoneMatch, error) {
	seen := make(map[string]bool, len(phones))
	uniq := make([]string, 0, len(phones))
	for _, p := range phones {
		if p != "" && !seen[p] {
			seen[p] = true
			uniq = append(uniq, p)
		}
	}
	var out []importer.PhoneMatch
	for len(uniq) > 0 {
		chunk := uniq[:min(len(uniq), findPhonesChunk)]
		uniq = uniq[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, ws)
		for _, p := range chunk {
			args = append(args, p)
		}
		q := `SELECT phone, id, campaign_id, created_at FROM contacts WHERE workspace_id = ? AND phone IN (?` +
			strings.Repeat(", ?", len(chunk)-1) + `)`
		rows, err := s.r.QueryContext(ctx, s.q(q), args...)
		if err != nil {
			return nil, s.fail("find phones", err)
		}
		for rows.Next() {
			var m importer.PhoneMatch
			var created int64
			if err := rows.Scan(&m.Phone, &m.ContactID, &m.CampaignID, &created); err != nil {
				_ = rows.Close()
				return nil, s.fail("find phones", err)
			}
			m.CreatedAt = fromNanos(created)
			out = append(out, m)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, s.fail("find phones", err)
		}
	}
	return out, nil
}
