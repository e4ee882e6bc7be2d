package dialer

import (
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/telephony"
)

// content personalises the campaign's content for contact ct; nil when
// the campaign has none. Missing variables render empty here: the gate has
// refused the call already when the campaign's policy blocks them.
func (e *Engine) content(ct campaign.Contact) *telephony.Content {
	c := e.c.Settings.Content
	if c.Empty() {
		return nil
	}
	p, err := c.Render(e.c, ct)
	if err != nil {
		return nil // validated when the campaign was saved
	}
	return &telephony.Content{Script: p.Script, Prompt: p.AIPrompt, Message: p.Message, Variables: p.Variables}
}

// missingVariables names the variables the content needs that contact ct
// lacks, when the campaign's policy blocks the call for them; "" when the
// call may go ahead.
func (e *Engine) missingVariables(ct campaign.Contact) string {
	return e.c.Settings.Content.Refusal(e.c, ct)
}
