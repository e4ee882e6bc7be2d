package telephony

// Content is the personalised content of one call: the texts a carrier, a
// voice agent or a caller's screen uses. Every field may be empty.
type Content struct {
	// Script is the caller's script.
	Script string
	// Prompt is the AI agent's prompt.
	Prompt string
	// Message is the text of a prerecorded or synthesised message.
	Message string
	// Variables are the personalisation variables the texts use (contact
	// fields and custom variables), for an agent that takes prompt
	// variables rather than text.
	Variables map[string]string
}
