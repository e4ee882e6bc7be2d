package campaign_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callstackhq/callstack/campaign"
)

func TestContentRender(t *testing.T) {
	c := campaign.Campaign{Name: "Spring"}
	p := campaign.Contact{FirstName: "Ada", Custom: map[string]string{"plan": "Pro", "first_name": "custom-wins-not"}}
	ct := campaign.Content{Script: "{{first_name}} {{ custom.first_name }} {{plan}} {{company|your company}} {{email}}{{ state }}", Missing: campaign.MissingBlank}
	r, err := ct.Render(c, p)
	require.NoError(t, err)
	assert.Equal(t, "Ada custom-wins-not Pro your company ", r.Script, "fields win over custom keys; blank policy renders empty")
	assert.Equal(t, []string{"email", "state"}, r.Missing)
	assert.False(t, ct.Blocked(r))
	assert.Empty(t, ct.Refusal(c, p))

	ct.Missing = campaign.MissingBlock
	assert.True(t, ct.Blocked(r))
	assert.Equal(t, "missing email, state", ct.Refusal(c, p))
	ct.Missing = ""
	assert.Equal(t, "missing email, state", ct.Refusal(c, p), "unset policy blocks")
	assert.Empty(t, campaign.Content{}.Refusal(c, p), "no content, nothing to miss")
}

func TestContentRefusedWhenMalformed(t *testing.T) {
	for tmpl, want := range map[string]string{
		"Hi {{first_name":           `"{{" without "}}"`,
		"Hi first_name}}":           `"}}" without "{{"`,
		"Hi {{First Name}}":         "not a variable name",
		"Hi {{}}":                   "not a variable name",
		"Hi {{a {{b}}}}":            `"{{" inside a variable`,
		"Hi {{first_name|x}} {{.}}": "not a variable name",
	} {
		c := campaign.Campaign{ID: "c", WorkspaceID: "w", Name: "n", DefaultRegion: "US", Timezone: "America/New_York",
			Health: campaign.HealthUnknown, Status: campaign.StatusDraft, Settings: campaign.Settings{Content: campaign.Content{AIPrompt: tmpl}}.WithDefaults("US")}
		err := c.Validate()
		var ve *campaign.ValidationError
		require.True(t, errors.As(err, &ve), "%q: %v", tmpl, err)
		require.Len(t, ve.Problems, 1)
		assert.Equal(t, "Settings.Content.AIPrompt", ve.Problems[0].Field)
		assert.Contains(t, ve.Problems[0].Message, want, tmpl)
	}
}
