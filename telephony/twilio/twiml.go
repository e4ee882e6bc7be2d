package twilio

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/callstackhq/callstack/telephony"
)

// maxTwiML is the most TwiML the Calls API accepts inline.
const maxTwiML = 4000

type twimlResponse struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []any
}

type dialVerb struct {
	XMLName xml.Name `xml:"Dial"`
	Timeout int      `xml:"timeout,attr,omitempty"`
	Number  *noun    `xml:"Number,omitempty"`
	Sip     *noun    `xml:"Sip,omitempty"`
	Client  *noun    `xml:"Client,omitempty"`
}

// noun is a <Number>, <Sip> or <Client> inside <Dial>.
type noun struct {
	StatusCallbackEvent  string `xml:"statusCallbackEvent,attr,omitempty"`
	StatusCallback       string `xml:"statusCallback,attr,omitempty"`
	StatusCallbackMethod string `xml:"statusCallbackMethod,attr,omitempty"`
	Address              string `xml:",chardata"`
}

type sayVerb struct {
	XMLName  xml.Name `xml:"Say"`
	Voice    string   `xml:"voice,attr,omitempty"`
	Language string   `xml:"language,attr,omitempty"`
	Text     string   `xml:",chardata"`
}

type playVerb struct {
	XMLName xml.Name `xml:"Play"`
	URL     string   `xml:",chardata"`
}

type hangupVerb struct {
	XMLName xml.Name `xml:"Hangup"`
}

func render(verbs ...any) (string, error) {
	b, err := xml.Marshal(twimlResponse{Verbs: verbs})
	if err != nil {
		return "", fmt.Errorf("twilio: building TwiML: %w", err)
	}
	if len(b) > maxTwiML {
		return "", &telephony.Error{Code: telephony.CodeInvalidRequest,
			Err: fmt.Errorf("%w: TwiML is %d bytes, over Twilio's %d", telephony.ErrInvalidRequest, len(b), maxTwiML)}
	}
	return string(b), nil
}

// BridgeTwiML returns the TwiML that connects a call to an agent endpoint:
// <Dial> with a <Number> for a phone, a <Sip> for a sip: or sips: URI, and a
// <Client> for a client: URI or an AI agent id (a Twilio Client identity).
// When statusCallback is set, Twilio posts the agent leg's answer to it.
// timeout is how long the agent rings; zero leaves Twilio's default. Every
// value is XML-escaped.
func BridgeTwiML(to telephony.Endpoint, statusCallback string, timeout int) (string, error) {
	if err := to.Validate(); err != nil {
		return "", err
	}
	n := &noun{Address: to.Address}
	if statusCallback != "" {
		n.StatusCallback, n.StatusCallbackEvent, n.StatusCallbackMethod = statusCallback, "answered", "POST"
	}
	d := dialVerb{Timeout: timeout}
	switch to.Kind {
	case telephony.EndpointPhone:
		d.Number = n
	case telephony.EndpointAgent:
		d.Client = n
	case telephony.EndpointURI:
		scheme, rest, _ := strings.Cut(to.Address, ":")
		switch strings.ToLower(scheme) {
		case "sip", "sips":
			d.Sip = n
		case "client":
			n.Address = rest
			d.Client = n
		default:
			return "", &telephony.Error{Code: telephony.CodeInvalidRequest,
				Err: fmt.Errorf("%w: Endpoint.Address: Twilio cannot dial a %q URI (want sip:, sips: or client:)",
					telephony.ErrInvalidRequest, scheme)}
		}
	}
	return render(d)
}

// MessageTwiML returns the TwiML that plays msg and hangs up: <Say> for its
// text (with its language, and voice when set) or <Play> for its recording,
// then <Hangup>. Every value is XML-escaped.
func MessageTwiML(msg telephony.Message, voice string) (string, error) {
	if err := msg.Validate(); err != nil {
		return "", err
	}
	var v any
	if msg.AudioURL != "" {
		v = playVerb{URL: msg.AudioURL}
	} else {
		v = sayVerb{Voice: voice, Language: msg.Language, Text: msg.Text}
	}
	return render(v, hangupVerb{})
}
