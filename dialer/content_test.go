package dialer_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/dialer"
	"github.com/callstackhq/callstack/importer"
	"github.com/callstackhq/callstack/queue"
	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/sim"
)

// An export as a CRM writes it: a custom "Plan" and "Renewal Month"
// column, one row without a plan, one without a first name.
const personalisationCSV = "First Name,Last Name,Phone,Email,Plan,Renewal Month\r\n" +
	"Ada,Lovelace,(212) 200-0001,ada@example.com,Pro,March\r\n" +
	"Grace,,212-200-0002,,,April\r\n" +
	",Hopper,+1 212 200 0003,,Basic,May\r\n"

func TestDialRequestsCarryPersonalisedContent(t *testing.T) {
	var mu sync.Mutex
	sent := map[string]telephony.DialRequest{}
	content := campaign.Content{
		Script:   "Hi {{first_name|there}}, about your {{plan}} plan renewing in {{ custom.renewal_month }}.",
		AIPrompt: "You are calling {{full_name}} of {{campaign}}; plan {{plan}}.",
		Message:  "Hello {{first_name | friend}}, please call us back.",
	}
	w := newWorld(t, campaign.Settings{DialMode: campaign.DialProgressive, Content: content}, 0,
		sim.Config{Seed: 1, AnswerProb: sim.Constant(0), FailDial: func(_ uint64, r telephony.DialRequest) error {
			mu.Lock()
			defer mu.Unlock()
			sent[r.To] = r
			return nil
		}})
	im, err := importer.New(importer.Config{Campaigns: w.svc, Store: w.st, Contacts: w.st, Suppression: w.supp, Clock: w.clock.Now})
	require.NoError(t, err)
	res, err := im.Import(w.ctx, w.admin, strings.NewReader(personalisationCSV), importer.Options{CampaignID: w.c.ID})
	require.NoError(t, err)
	require.Equal(t, 3, res.Counts.Accepted, "%+v", res.Counts)

	agents := w.login(1)
	require.NoError(t, dialer.RunVirtual(w.ctx, w.engine, w.carrier, w.clock, start.Add(5*time.Minute), agents))
	require.NoError(t, w.engine.Stop(w.ctx))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, sent, 2, "the row without a plan is not dialled")
	ada := sent["+12122000001"].Content
	require.NotNil(t, ada)
	assert.Equal(t, "Hi Ada, about your Pro plan renewing in March.", ada.Script)
	assert.Equal(t, "You are calling Ada Lovelace of Renewals; plan Pro.", ada.Prompt)
	assert.Equal(t, "Hello Ada, please call us back.", ada.Message)
	assert.Equal(t, map[string]string{"first_name": "Ada", "plan": "Pro", "custom.renewal_month": "March", "full_name": "Ada Lovelace",
		"campaign": "Renewals"}, ada.Variables, "only the variables the content uses leave, never the email")
	hopper := sent["+12122000003"].Content
	require.NotNil(t, hopper)
	assert.Equal(t, "Hi there, about your Basic plan renewing in May.", hopper.Script, "the fallback fills a blank first name")
	assert.Equal(t, "Hello friend, please call us back.", hopper.Message)

	bs, err := w.st.ListBlocks(w.ctx, w.admin.WorkspaceID, queue.BlockFilter{CampaignID: w.c.ID})
	require.NoError(t, err)
	require.Len(t, bs, 1, "refused once, at claim time, then skipped: no block on every tick")
	assert.Equal(t, campaign.ReasonPersonalisationMissing, bs[0].Reason)
	assert.Equal(t, "missing plan", bs[0].Detail)
	assert.Equal(t, "+12122000002", bs[0].Number)
	ct, err := w.st.GetContact(w.ctx, w.admin.WorkspaceID, bs[0].ContactID)
	require.NoError(t, err)
	assert.Equal(t, campaign.ContactSkipped, ct.Status)
}
