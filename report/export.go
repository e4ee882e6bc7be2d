package report

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/internal/csvsafe"
)

// ExportID identifies an export in the history.
type ExportID string

// ExportKind is what an export holds.
type ExportKind string

// Export kinds.
const (
	// ExportContacts: a campaign's contacts with their metrics.
	ExportContacts ExportKind = "contacts"
	// ExportAttempts: the attempt log.
	ExportAttempts ExportKind = "attempts"
)

// Format is an export's file format.
type Format string

// Export formats.
const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
	FormatJSON Format = "json"
)

// Compression wraps an export.
type Compression string

// Export compressions.
const (
	CompressNone Compression = ""
	CompressGzip Compression = "gzip"
	CompressZip  Compression = "zip"
)

// ExportRequest describes one export.
type ExportRequest struct {
	// WorkspaceID is the workspace exported. Defaults to the actor's;
	// another workspace is refused with campaign.ErrForbidden.
	WorkspaceID campaign.WorkspaceID
	// CampaignID is required for contacts; for attempts, empty exports the
	// whole workspace.
	CampaignID campaign.ID
	// Kind is required.
	Kind ExportKind
	// Format defaults to FormatCSV.
	Format Format
	// Delimiter is the CSV delimiter, ',' or ';'. Defaults to ','.
	Delimiter rune
	// Compression defaults to CompressNone.
	Compression Compression
	// From and To bound the attempts' StartedAt to [From, To); zero is
	// unbounded.
	From, To time.Time
}

// ExportRecord is one export in a workspace's history.
type ExportRecord struct {
	ID          ExportID             `json:"id"`
	WorkspaceID campaign.WorkspaceID `json:"workspace_id"`
	CampaignID  campaign.ID          `json:"campaign_id"`
	Kind        ExportKind           `json:"kind"`
	Format      Format               `json:"format"`
	Compression Compression          `json:"compression"`
	// FileName is the suggested file name, such as "attempts.csv.gz".
	FileName string          `json:"file_name"`
	Rows     int64           `json:"rows"`
	Bytes    int64           `json:"bytes"`
	By       campaign.UserID `json:"by"`
	At       time.Time       `json:"at"`
	// Error is the failure, empty on success.
	Error string `json:"error,omitempty"`
}

func (r *ExportRequest) normalize() error {
	if r.Format == "" {
		r.Format = FormatCSV
	}
	if r.Delimiter == 0 {
		r.Delimiter = ','
	}
	switch {
	case r.WorkspaceID == "":
		return fmt.Errorf("%w: ExportRequest.WorkspaceID is required", ErrInvalid)
	case r.Kind != ExportContacts && r.Kind != ExportAttempts:
		return fmt.Errorf("%w: unknown export kind %q", ErrInvalid, r.Kind)
	case r.Kind == ExportContacts && r.CampaignID == "":
		return fmt.Errorf("%w: a contacts export needs a CampaignID", ErrInvalid)
	case r.Format != FormatCSV && r.Format != FormatXLSX && r.Format != FormatJSON:
		return fmt.Errorf("%w: unknown format %q", ErrInvalid, r.Format)
	case r.Delimiter != ',' && r.Delimiter != ';':
		return fmt.Errorf("%w: delimiter must be ',' or ';', got %q", ErrInvalid, r.Delimiter)
	case r.Compression != CompressNone && r.Compression != CompressGzip && r.Compression != CompressZip:
		return fmt.Errorf("%w: unknown compression %q", ErrInvalid, r.Compression)
	}
	return nil
}

// fileName is the export's suggested name.
func (r ExportRequest) fileName() string {
	name := string(r.Kind) + "." + string(r.Format)
	switch r.Compression {
	case CompressGzip:
		name += ".gz"
	case CompressZip:
		name = string(r.Kind) + ".zip"
	}
	return name
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Export streams the export req describes to w and records it in the
// workspace's history, failed or not. Rows go out as the store yields
// them, so memory stays flat however large the export (XLSX rows are
// buffered by excelize, which spills to a temporary file past 16 MiB).
//
// The actor must be a member of the exported workspace whose role may
// export ([campaign.ActionExport]: TeamAdmin and CampaignManager); anyone
// else is refused with campaign.ErrForbidden before anything is read, and
// the actor is recorded as the export's By.
func (s *Service) Export(ctx context.Context, actor campaign.Actor, w io.Writer, req ExportRequest) (ExportRecord, error) {
	if req.WorkspaceID == "" {
		req.WorkspaceID = actor.WorkspaceID
	}
	if err := s.authorizeExport(ctx, actor, req.WorkspaceID); err != nil {
		return ExportRecord{}, err
	}
	return s.exportAs(ctx, actor.UserID, w, req)
}

// authorizeExport admits actor to the exports of workspace ws.
func (s *Service) authorizeExport(ctx context.Context, actor campaign.Actor, ws campaign.WorkspaceID) error {
	if s.auth == nil {
		return fmt.Errorf("%w: exports need Config.Authorizer", ErrInvalid)
	}
	if actor.WorkspaceID != ws {
		return fmt.Errorf("%w: %q acts in workspace %q, not %q", campaign.ErrForbidden, actor.UserID, actor.WorkspaceID, ws)
	}
	_, err := s.auth.Authorize(ctx, actor, campaign.ActionExport)
	return err
}

// exportAs runs an authorised export, recording by as its author.
func (s *Service) exportAs(ctx context.Context, by campaign.UserID, w io.Writer, req ExportRequest) (ExportRecord, error) {
	if err := req.normalize(); err != nil {
		return ExportRecord{}, err
	}
	now := s.now().UTC()
	rec := ExportRecord{
		ID: ExportID(campaign.NewID("exp", now)), WorkspaceID: req.WorkspaceID, CampaignID: req.CampaignID,
		Kind: req.Kind, Format: req.Format, Compression: req.Compression, FileName: req.fileName(), By: by, At: now,
	}
	cw := &countWriter{w: w}
	rows, err := s.export(ctx, cw, req)
	rec.Rows, rec.Bytes = rows, cw.n
	if err != nil {
		rec.Error = err.Error()
	}
	if herr := s.store.AppendExport(context.WithoutCancel(ctx), rec); herr != nil {
		return rec, errors.Join(err, herr)
	}
	return rec, err
}

func (s *Service) export(ctx context.Context, w io.Writer, req ExportRequest) (rows int64, err error) {
	var (
		out     = w
		closers []func() error
	)
	switch req.Compression {
	case CompressGzip:
		gz := gzip.NewWriter(w)
		out, closers = gz, append(closers, gz.Close)
	case CompressZip:
		zw := zip.NewWriter(w)
		f, err := zw.Create(string(req.Kind) + "." + string(req.Format))
		if err != nil {
			return 0, err
		}
		out, closers = f, append(closers, zw.Close)
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	tw, err := newTableWriter(bw, req)
	if err != nil {
		return 0, err
	}
	switch req.Kind {
	case ExportAttempts:
		err = s.writeHeader(tw, attemptHeader)
		if err == nil {
			f := AttemptFilter{CampaignID: req.CampaignID, From: req.From, To: req.To}
			err = s.store.ScanAttempts(ctx, req.WorkspaceID, f, func(a campaign.Attempt) error {
				rows++
				return tw.row(attemptRow(a))
			})
		}
	case ExportContacts:
		err = s.writeHeader(tw, contactHeader)
		if err == nil {
			err = s.store.ScanContactRows(ctx, req.WorkspaceID, req.CampaignID, func(r ContactRow) error {
				rows++
				return tw.row(contactRow(r))
			})
		}
	}
	if cerr := tw.close(); err == nil {
		err = cerr
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	for _, c := range closers {
		if cerr := c(); err == nil {
			err = cerr
		}
	}
	return rows, err
}

func (s *Service) writeHeader(tw tableWriter, h []string) error {
	vals := make([]any, len(h))
	for i, v := range h {
		vals[i] = v
	}
	return tw.header(h, vals)
}

// tableWriter writes rows of typed cells: string, int64, float64 or bool.
type tableWriter interface {
	header(names []string, vals []any) error
	row(vals []any) error
	close() error
}

func newTableWriter(w io.Writer, req ExportRequest) (tableWriter, error) {
	switch req.Format {
	case FormatXLSX:
		return newXLSXWriter(w)
	case FormatJSON:
		return &jsonWriter{w: w, enc: json.NewEncoder(w)}, nil
	}
	cw := csvsafe.NewWriter(w)
	cw.SetComma(req.Delimiter)
	return &csvWriter{w: cw}, nil
}

// csvWriter writes RFC 4180 CSV with every cell neutralised against
// formula injection (internal/csvsafe).
type csvWriter struct {
	w   *csvsafe.Writer
	buf []string
	n   int
}

func (c *csvWriter) header(_ []string, vals []any) error { return c.row(vals) }

func (c *csvWriter) row(vals []any) error {
	c.buf = c.buf[:0]
	for _, v := range vals {
		c.buf = append(c.buf, cellText(v))
	}
	if err := c.w.Write(c.buf); err != nil {
		return err
	}
	if c.n++; c.n%1024 == 0 {
		return c.w.Flush()
	}
	return nil
}

func (c *csvWriter) close() error { return c.w.Flush() }

func cellText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// jsonWriter writes a JSON array of objects, one per line.
type jsonWriter struct {
	w     io.Writer
	enc   *json.Encoder
	names []string
	n     int64
	obj   []byte
}

func (j *jsonWriter) header(names []string, _ []any) error {
	j.names = names
	_, err := io.WriteString(j.w, "[")
	return err
}

func (j *jsonWriter) row(vals []any) error {
	sep := ",\n"
	if j.n == 0 {
		sep = "\n"
	}
	j.n++
	j.obj = append(j.obj[:0], sep...)
	j.obj = append(j.obj, '{')
	for i, v := range vals {
		if i > 0 {
			j.obj = append(j.obj, ',')
		}
		j.obj = strconv.AppendQuote(j.obj, j.names[i])
		j.obj = append(j.obj, ':')
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		j.obj = append(j.obj, b...)
	}
	j.obj = append(j.obj, '}')
	_, err := j.w.Write(j.obj)
	return err
}

func (j *jsonWriter) close() error {
	_, err := io.WriteString(j.w, "\n]\n")
	return err
}

// xlsxWriter writes one sheet through excelize's StreamWriter. Strings are
// stored as text cells, never formulas; numbers as numbers.
type xlsxWriter struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	row1 int
}

func newXLSXWriter(w io.Writer) (*xlsxWriter, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &xlsxWriter{w: w, f: f, sw: sw}, nil
}

func (x *xlsxWriter) header(_ []string, vals []any) error { return x.row(vals) }

func (x *xlsxWriter) row(vals []any) error {
	x.row1++
	cell, err := excelize.CoordinatesToCellName(1, x.row1)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxWriter) close() error {
	defer func() { _ = x.f.Close() }()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.w)
}

var attemptHeader = []string{
	"attempt_id", "campaign_id", "contact_id", "seq", "number", "caller_id", "result", "answered_by",
	"started_at", "answered_at", "ended_at", "ring_seconds", "talk_seconds", "wrap_seconds", "cost", "currency",
	"carrier_code", "carrier_status", "agent_id", "disposition_id", "abandoned",
	"meeting_booked", "meeting_accepted", "qualified_lead", "opportunity", "revenue",
}

func attemptRow(a campaign.Attempt) []any {
	o := a.Outcome
	return []any{
		string(a.ID), string(a.CampaignID), string(a.ContactID), int64(a.Seq), a.Number, a.CallerID,
		string(a.Result), a.AnsweredBy, ts(a.StartedAt), ts(a.AnsweredAt), ts(a.EndedAt),
		a.RingDuration.Seconds(), a.TalkDuration.Seconds(), a.WrapDuration.Seconds(), money(a.Cost), a.Currency,
		a.CarrierCode, a.CarrierStatus, string(a.AgentID), string(a.DispositionID), a.Abandoned,
		o.MeetingBooked, o.MeetingAccepted, o.QualifiedLead, o.Opportunity, money(o.Revenue),
	}
}

var contactHeader = []string{
	"contact_id", "list_id", "first_name", "last_name", "company", "phone", "email", "status", "lane",
	"priority", "attempts", "last_result", "last_disposition_id", "last_attempt_at", "talk_seconds",
	"cost", "meetings", "revenue", "consent", "created_at",
}

func contactRow(r ContactRow) []any {
	c := r.Contact
	return []any{
		string(c.ID), string(c.ListID), c.FirstName, c.LastName, c.Company, c.Phone, c.Email,
		string(c.Status), string(c.Lane), int64(c.Priority), r.Attempts, string(r.LastResult),
		string(r.LastDispositionID), ts(r.LastAttemptAt), r.Talk.Seconds(), money(r.Cost), r.Meetings,
		money(r.Revenue), string(c.Consent.Kind), ts(c.CreatedAt),
	}
}

// ts formats a time as RFC 3339 in UTC, "" for the zero time.
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// money formats an amount in currency units.
func money(m campaign.Money) float64 { return float64(m) / 1e6 }

// History returns the actor's workspace's export history, newest first,
// at most limit entries (0: all). Like Export, it needs a member whose
// role may export.
func (s *Service) History(ctx context.Context, actor campaign.Actor, limit int) ([]ExportRecord, error) {
	if err := s.authorizeExport(ctx, actor, actor.WorkspaceID); err != nil {
		return nil, err
	}
	return s.store.ListExports(ctx, actor.WorkspaceID, limit)
}
