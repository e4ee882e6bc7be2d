// Command report builds a campaign with synthetic attempts on the memory
// store, prints its report as text, and writes the client snapshot (HTML)
// and an XLSX export of the contacts into the directory -out names (none
// without it: the example writes files only where told).
//
//	go run ./examples/report -out /tmp/report
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	_ "time/tzdata" // an example main may embed the zone database

	"github.com/callstackhq/callstack"
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/report/reporttest"
	"github.com/callstackhq/callstack/store/memory"
)

// everyone lets every member share a snapshot; a host checks its plan.
type everyone struct{}

func (everyone) AllowSnapshot(context.Context, campaign.WorkspaceID, campaign.ID, campaign.UserID) (bool, error) {
	return true, nil
}

func main() {
	out := flag.String("out", "", "directory for snapshot.html and contacts.xlsx (default: write no files)")
	contacts := flag.Int("contacts", 2000, "synthetic contacts")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *out, *contacts); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, dir string, contacts int) error {
	st := memory.New()
	defer st.Close()
	f, err := reporttest.Build(ctx, st, reporttest.Params{Contacts: contacts})
	if err != nil {
		return err
	}
	cs, err := callstack.New(st, callstack.Config{Clock: func() time.Time { return f.End }, LabourRate: 22_500_000, Entitlements: everyone{}})
	if err != nil {
		return err
	}
	svc := cs.Reports()
	r, err := svc.Campaign(ctx, f.Workspace, f.Campaign.ID)
	if err != nil {
		return err
	}
	fmt.Fprint(w, report.Text(r))
	if dir == "" {
		return nil
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	html, err := os.Create(filepath.Join(dir, "snapshot.html"))
	if err != nil {
		return err
	}
	defer html.Close()
	if err := svc.RenderSnapshot(ctx, html, report.SnapshotRequest{WorkspaceID: f.Workspace, CampaignID: f.Campaign.ID, By: "owner"}); err != nil {
		return err
	}
	xlsx, err := os.Create(filepath.Join(dir, "contacts.xlsx"))
	if err != nil {
		return err
	}
	defer xlsx.Close()
	rec, err := svc.Export(ctx, f.Actor, xlsx, report.ExportRequest{CampaignID: f.Campaign.ID,
		Kind: report.ExportContacts, Format: report.FormatXLSX})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s and %s (%d contacts, %d bytes)\n", html.Name(), xlsx.Name(), rec.Rows, rec.Bytes)
	return html.Close()
}
