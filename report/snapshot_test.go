package report_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/report"
	"github.com/callstackhq/callstack/report/reporttest"
	"github.com/callstackhq/callstack/store/memory"
)

// allow is an Entitlements that allows listed users.
type allow map[campaign.UserID]bool

func (a allow) AllowSnapshot(_ context.Context, _ campaign.WorkspaceID, _ campaign.ID, u campaign.UserID) (bool, error) {
	return a[u], nil
}

func snapshotFixture(t *testing.T) (*reporttest.Fixture, *report.Service) {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	f, err := reporttest.Build(ctx, st, reporttest.Params{Contacts: 300})
	require.NoError(t, err)
	// Mark one contact erased while its name is still stored (as a store
	// written by other means might hold it): it must not show. The
	// service refuses such an edit, so the store is written directly.
	c, err := st.GetContact(ctx, f.Workspace, "ct-000000")
	require.NoError(t, err)
	c.FirstName, c.LastName, c.Status, c.ErasedAt = "ERASEDPERSON", "Gone", campaign.ContactCompleted, f.End
	require.NoError(t, st.UpdateContact(ctx, c, campaign.AuditEntry{ID: "aud-erase", WorkspaceID: f.Workspace, Action: "contact.erase", At: f.End}))
	rs, err := report.NewService(report.Config{Store: st, Clock: func() time.Time { return f.End }, Entitlements: allow{"owner": true}})
	require.NoError(t, err)
	return f, rs
}

func TestSnapshotRedaction(t *testing.T) {
	ctx := context.Background()
	f, svc := snapshotFixture(t)
	req := report.SnapshotRequest{WorkspaceID: f.Workspace, CampaignID: f.Campaign.ID, By: "owner", MaxContacts: 1000}
	snap, err := svc.SnapshotView(ctx, req)
	require.NoError(t, err)

	listed := 0
	for _, c := range f.Contacts {
		if c.CampaignID == f.Campaign.ID && c.ListID != "list-old" && c.Status != campaign.ContactDNC && c.Status != campaign.ContactSkipped && c.ID != "ct-000000" {
			listed++
		}
	}
	assert.Len(t, snap.Contacts, listed)
	assert.Equal(t, int64(len(f.Contacts)-1-listed), snap.ContactsLeftOut)
	for _, c := range snap.Contacts {
		assert.NotEqual(t, campaign.ContactDNC, c.Status)
		assert.NotEqual(t, campaign.ContactSkipped, c.Status)
		assert.Regexp(t, `^[A-Z]\. [A-Z]\.$`, c.Name, "initials only")
	}

	var buf bytes.Buffer
	require.NoError(t, svc.RenderSnapshot(ctx, &buf, req))
	page := buf.String()
	for _, secret := range []string{
		"INTERNAL-NOTE", "PRIVATE-CONTACT-NOTE", "OUTCOME-NOTE", "OTHER-CAMPAIGN", "OTHERPERSON", "ERASEDPERSON",
		"Lovelace", "Hopper", "+1212555", "audit", "<script", "http://", "https://",
	} {
		assert.NotContains(t, page, secret)
	}
	assert.Contains(t, page, "Spring renewals")
	assert.Contains(t, page, "<svg")
	assert.Contains(t, page, "A. L.")

	// First-name policy and hidden names.
	req.Names = report.MaskFirstName
	snap, err = svc.SnapshotView(ctx, req)
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Z][a-z]+ [A-Z]\.$`, snap.Contacts[0].Name)
	req.Names = report.MaskHidden
	snap, err = svc.SnapshotView(ctx, req)
	require.NoError(t, err)
	assert.Empty(t, snap.Contacts[0].Name)

	// The entitlement check gates it.
	_, err = svc.SnapshotView(ctx, report.SnapshotRequest{WorkspaceID: f.Workspace, CampaignID: f.Campaign.ID, By: "intern"})
	assert.ErrorIs(t, err, report.ErrNotEntitled)
	noEnt, err := report.NewService(report.Config{Store: svc.Store()})
	require.NoError(t, err)
	_, err = noEnt.SnapshotView(ctx, req)
	assert.ErrorIs(t, err, report.ErrNotEntitled)
}

// TestSnapshotScreenshot renders the snapshot in headless Chromium and
// checks the screenshot. Without chromium it skips, except in CI (CI=true),
// where it fails.
func TestSnapshotScreenshot(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs Debian's chromium package")
		}
		t.Skip("chromium not installed: apt-get install -y chromium to run this test")
	}
	if testing.Short() {
		t.Skip("headless chromium skipped in -short mode")
	}
	ctx := context.Background()
	f, svc := snapshotFixture(t)
	dir := t.TempDir()
	htmlPath := filepath.Join(dir, "snapshot.html")
	var buf bytes.Buffer
	require.NoError(t, svc.RenderSnapshot(ctx, &buf, report.SnapshotRequest{WorkspaceID: f.Workspace, CampaignID: f.Campaign.ID, By: "owner"}))
	require.NoError(t, os.WriteFile(htmlPath, buf.Bytes(), 0o600))
	shot := filepath.Join(dir, "shot.png")
	cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+shot, "--window-size=1280,2000", "file://"+htmlPath)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "chromium: %s", out)
	fh, err := os.Open(shot)
	require.NoError(t, err)
	defer fh.Close()
	cfg, err := png.DecodeConfig(fh)
	require.NoError(t, err)
	assert.Equal(t, 1280, cfg.Width)
	assert.Equal(t, 2000, cfg.Height)
	st, err := os.Stat(shot)
	require.NoError(t, err)
	assert.Greater(t, st.Size(), int64(30_000), "a blank page compresses to a few KB; charts and tables do not")
	t.Logf("screenshot %dx%d, %d bytes", cfg.Width, cfg.Height, st.Size())
	if keep := os.Getenv("CALLSTACK_KEEP_SCREENSHOT"); keep != "" {
		b, err := os.ReadFile(shot)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(keep, b, 0o600))
	}
}
