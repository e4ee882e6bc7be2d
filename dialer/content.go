package dialer

import (
	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/telephony"
)

// content personalises the campaign's content for contact ct; nil when
// the campaign has none. Missing variables render empty here: the gate has
// refused the call already when the campaign's policy blocks them.
func content(camp campaign.Campaign, ct campaign.Contact) *telephony.Content {
	c := camp.Settings.Content
	if c.Empty() {
		return nil
	}
	p, err := c.Render(camp, ct)
	if err != nil {
		return nil // validated when the campaign was saved
	}
	return &telephony.Content{Script: p.Script, Prompt: p.AIPrompt, Message: p.Message, Variables: p.Variables}
}
