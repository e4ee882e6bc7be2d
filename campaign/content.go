package campaign

import (
	"fmt"
	"slices"
	"strings"
)

// Content is what a campaign says on its calls, written as templates that
// are personalised for each contact when the call is placed: the caller's
// script, the AI agent's prompt and a prerecorded or synthesised message.
//
// A template is text with variables in double braces: {{first_name}}, or
// {{first_name|there}} with a fallback used when the contact has no value.
// Names are lower case letters, digits, '_' and '.'; spaces around the name
// and the fallback are ignored. The variables are the contact's fields
// first_name, last_name, full_name, company, email, phone, state, source
// and owner, the campaign's name as campaign, and every custom field of
// the import as custom.<key> (also as plain <key> when no field has that
// name). A "{{" that does not start a well-formed variable is refused when
// the campaign is saved, naming the field. docs/campaign-rules.md has
// examples.
type Content struct {
	// Script is the caller's script. Defaults to none.
	Script string
	// AIPrompt is the AI agent's prompt. Defaults to none.
	AIPrompt string
	// Message is the text of a prerecorded or synthesised message.
	// Defaults to none.
	Message string
	// Missing is what happens when a variable has no value and no
	// fallback. Defaults to MissingBlock.
	Missing MissingPolicy
}

// MissingPolicy says what a missing personalisation variable does.
type MissingPolicy string

// Missing-variable policies.
const (
	// MissingBlock refuses the call: the dial-time gate records a block
	// with reason [ReasonPersonalisationMissing] naming the variables.
	MissingBlock MissingPolicy = "block"
	// MissingBlank renders the variable as empty text.
	MissingBlank MissingPolicy = "blank"
)

// ReasonPersonalisationMissing is the block reason of a call refused
// because its content needs a variable the contact has no value for.
const ReasonPersonalisationMissing = "personalisation_missing"

// Personalised is a campaign's content rendered for one contact.
type Personalised struct {
	Script, AIPrompt, Message string
	// Variables holds the value of every variable the templates use, for
	// an AI agent that takes prompt variables rather than text; only
	// these, so no more of the contact's data leaves than the content
	// needs.
	Variables map[string]string
	// Missing lists the variables without a value and without a fallback,
	// sorted; with MissingBlock the call must not be placed.
	Missing []string
}

// Empty reports whether the campaign has no content.
func (ct Content) Empty() bool { return ct.Script == "" && ct.AIPrompt == "" && ct.Message == "" }

// Render personalises the content for contact p of campaign c.
func (ct Content) Render(c Campaign, p Contact) (Personalised, error) {
	vars := contactVariables(c, p)
	out := Personalised{Variables: map[string]string{}}
	missing := map[string]bool{}
	for _, f := range []struct {
		name string
		src  string
		dst  *string
	}{{"Script", ct.Script, &out.Script}, {"AIPrompt", ct.AIPrompt, &out.AIPrompt}, {"Message", ct.Message, &out.Message}} {
		parts, err := parseTemplate(f.src)
		if err != nil {
			return Personalised{}, fmt.Errorf("%w: Content.%s: %v", ErrInvalid, f.name, err)
		}
		var b strings.Builder
		for _, pt := range parts {
			if pt.name == "" {
				b.WriteString(pt.text)
				continue
			}
			v, ok := vars[pt.name]
			if ok && v != "" {
				out.Variables[pt.name] = v
				b.WriteString(v)
				continue
			}
			if pt.hasFallback {
				b.WriteString(pt.text)
				continue
			}
			missing[pt.name] = true
		}
		*f.dst = b.String()
	}
	for n := range missing {
		out.Missing = append(out.Missing, n)
	}
	slices.Sort(out.Missing)
	return out, nil
}

// Blocked reports whether the personalised content may not be used: a
// variable is missing and the policy is MissingBlock (or unset).
func (ct Content) Blocked(p Personalised) bool {
	return len(p.Missing) > 0 && ct.Missing != MissingBlank
}

// Refusal returns why contact p may not be called with the content of
// campaign c, as a block's detail ("missing plan, first_name"), or "" when
// the call may go ahead. The queue checks it at claim time, the dialer's
// gate again at dial time; the reason code is
// [ReasonPersonalisationMissing].
func (ct Content) Refusal(c Campaign, p Contact) string {
	if ct.Empty() {
		return ""
	}
	r, err := ct.Render(c, p)
	if err != nil {
		return err.Error()
	}
	if !ct.Blocked(r) {
		return ""
	}
	return "missing " + strings.Join(r.Missing, ", ")
}

// contactVariables are the template variables of contact p in campaign c.
func contactVariables(c Campaign, p Contact) map[string]string {
	vars := map[string]string{}
	for k, v := range p.Custom {
		vars["custom."+k] = v
		vars[k] = v
	}
	for k, v := range map[string]string{
		"first_name": p.FirstName, "last_name": p.LastName, "full_name": strings.TrimSpace(p.FirstName + " " + p.LastName),
		"company": p.Company, "email": p.Email, "phone": p.Phone, "state": p.State, "source": p.Source,
		"owner": string(p.OwnerID), "campaign": c.Name,
	} {
		vars[k] = v
	}
	return vars
}

// templatePart is literal text, or a variable with an optional fallback
// (text holds the fallback).
type templatePart struct {
	text        string
	name        string
	hasFallback bool
}

// parseTemplate splits s into literal text and variables.
func parseTemplate(s string) ([]templatePart, error) {
	var parts []templatePart
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			if strings.Contains(s, "}}") {
				return nil, fmt.Errorf(`"}}" without "{{"`)
			}
			parts = append(parts, templatePart{text: s})
			break
		}
		if strings.Contains(s[:i], "}}") {
			return nil, fmt.Errorf(`"}}" without "{{"`)
		}
		if i > 0 {
			parts = append(parts, templatePart{text: s[:i]})
		}
		s = s[i+2:]
		j := strings.Index(s, "}}")
		if j < 0 {
			return nil, fmt.Errorf(`"{{" without "}}"`)
		}
		body := s[:j]
		s = s[j+2:]
		if strings.Contains(body, "{{") {
			return nil, fmt.Errorf(`"{{" inside a variable`)
		}
		p := templatePart{}
		name, fallback, has := strings.Cut(body, "|")
		p.name = strings.TrimSpace(name)
		if has {
			p.text, p.hasFallback = strings.TrimSpace(fallback), true
		}
		if !validVariable(p.name) {
			return nil, fmt.Errorf("%q is not a variable name (lower case letters, digits, '_' and '.')", p.name)
		}
		parts = append(parts, p)
	}
	return parts, nil
}

func validVariable(n string) bool {
	if n == "" || n[0] == '.' || n[len(n)-1] == '.' {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func (ct Content) validate(v *validator) {
	for _, f := range [][2]string{{"Script", ct.Script}, {"AIPrompt", ct.AIPrompt}, {"Message", ct.Message}} {
		if _, err := parseTemplate(f[1]); err != nil {
			v.add("Settings.Content."+f[0], "%v", err)
		}
	}
	v.check(ct.Missing == "" || ct.Missing == MissingBlock || ct.Missing == MissingBlank, "Settings.Content.Missing", "must be block or blank, got %q", ct.Missing)
}
