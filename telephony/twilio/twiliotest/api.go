package twiliotest

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// The Calls API's shapes, shared by [Server] and the adapter's own
// virtual-time fake (telephony/twilio's tests), so the two answer alike:
// the routing of requests, the error JSON, the checks of a create, the
// callback parameters and the TwiML an update may carry.

// WriteJSON writes v as a JSON response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes Twilio's error response: status, and a JSON body with
// the Twilio error code, the message and the code's documentation link.
func WriteError(w http.ResponseWriter, status, code int, msg string) {
	WriteJSON(w, status, map[string]any{"code": code, "message": msg, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code)})
}

// Calls is what a fake of the Calls API answers; [Dispatch] routes each
// request to it.
type Calls interface {
	// Create answers POST …/Calls.json (the form is parsed).
	Create(w http.ResponseWriter, r *http.Request)
	// List answers GET …/Calls.json.
	List(w http.ResponseWriter, r *http.Request)
	// Fetch returns the JSON resource of call sid, false when there is
	// none.
	Fetch(sid string) (map[string]any, bool)
	// Update answers POST …/Calls/{sid}.json (the form is parsed).
	Update(w http.ResponseWriter, r *http.Request, sid string)
}

// Dispatch routes an authenticated request of account, its form parsed,
// to c, answering itself a path that is not the account's Calls API (404),
// a fetch of an unknown call (404) and any other method (405).
func Dispatch(w http.ResponseWriter, r *http.Request, account string, c Calls) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/2010-04-01/Accounts/"+account+"/Calls")
	switch {
	case !ok:
		WriteError(w, 404, 20404, "The requested resource was not found")
	case rest == ".json" && r.Method == http.MethodPost:
		c.Create(w, r)
	case rest == ".json" && r.Method == http.MethodGet:
		c.List(w, r)
	case strings.HasPrefix(rest, "/") && strings.HasSuffix(rest, ".json"):
		sid := strings.TrimSuffix(strings.TrimPrefix(rest, "/"), ".json")
		if r.Method != http.MethodGet {
			c.Update(w, r, sid)
			return
		}
		res, ok := c.Fetch(sid)
		if !ok {
			WriteError(w, 404, 20404, "The requested resource "+r.URL.Path+" was not found")
			return
		}
		WriteJSON(w, 200, res)
	default:
		WriteError(w, 405, 20004, "Method not allowed")
	}
}

// CheckCreate answers a create-call form Twilio would refuse, as Twilio
// does (400 with 21211, 21213 or 21205), and reports whether it did.
func CheckCreate(w http.ResponseWriter, form url.Values) (refused bool) {
	to, from := form.Get("To"), form.Get("From")
	switch {
	case !telephony.IsE164(to):
		WriteError(w, 400, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
	case from == "":
		WriteError(w, 400, 21213, "No 'From' number is specified")
	case form.Get("Url") == "" && form.Get("Twiml") == "":
		WriteError(w, 400, 21205, "Url parameter is required")
	default:
		return false
	}
	return true
}

// StripFragment returns a callback URL without its fragment (Twilio's
// connection overrides, such as #rc=3), as Twilio posts to it and signs
// it.
func StripFragment(u string) string {
	u, _, _ = strings.Cut(u, "#")
	return u
}

// CallParams returns the parameters every callback of a call carries.
func CallParams(account, sid, from, to string, at time.Time) url.Values {
	p := url.Values{}
	p.Set("AccountSid", account)
	p.Set("CallSid", sid)
	p.Set("From", from)
	p.Set("To", to)
	p.Set("Direction", "outbound-api")
	p.Set("ApiVersion", "2010-04-01")
	p.Set("Timestamp", at.Format(time.RFC1123Z))
	return p
}

// Noun is the endpoint of a TwiML <Dial>: its address, and the status
// callback and events of its leg.
type Noun struct {
	StatusCallback string `xml:"statusCallback,attr"`
	Events         string `xml:"statusCallbackEvent,attr"`
	Address        string `xml:",chardata"`
}

// Redirect is what the TwiML of a call update asks: bridge the call to
// Dial, or (Message) play a message and hang up.
type Redirect struct {
	Dial    *Noun
	Message bool
}

// ErrTwiML is returned (wrapped) by [ParseRedirect] for TwiML it does not
// understand; the caller answers 400 with error 12100 and its message
// (see [WriteTwiMLError]).
var ErrTwiML = errors.New("document parse failure")

type twiml struct {
	XMLName xml.Name `xml:"Response"`
	Dial    *struct {
		Number *Noun `xml:"Number"`
		Sip    *Noun `xml:"Sip"`
		Client *Noun `xml:"Client"`
	} `xml:"Dial"`
	Say    *struct{} `xml:"Say"`
	Play   *struct{} `xml:"Play"`
	Hangup *struct{} `xml:"Hangup"`
}

// ParseRedirect parses the TwiML of a call update: a <Dial> with a
// <Number>, <Sip> or <Client>, or a <Say> or <Play> followed by <Hangup>.
func ParseRedirect(doc string) (Redirect, error) {
	var t twiml
	if err := xml.Unmarshal([]byte(doc), &t); err != nil {
		return Redirect{}, fmt.Errorf("%w: %v", ErrTwiML, err)
	}
	switch {
	case t.Dial != nil:
		var n *Noun
		for _, x := range []*Noun{t.Dial.Number, t.Dial.Sip, t.Dial.Client} {
			if x != nil {
				n = x
			}
		}
		if n == nil || n.Address == "" {
			return Redirect{}, fmt.Errorf("%w: Dial without a noun", ErrTwiML)
		}
		return Redirect{Dial: n}, nil
	case (t.Say != nil || t.Play != nil) && t.Hangup != nil:
		return Redirect{Message: true}, nil
	}
	return Redirect{}, ErrTwiML
}

// WriteTwiMLError answers an update whose TwiML [ParseRedirect] refused,
// as Twilio does: 400, error 12100.
func WriteTwiMLError(w http.ResponseWriter, err error) {
	WriteError(w, 400, 12100, err.Error())
}

// EventOf returns the StatusCallbackEvent that reports a call entering
// status ("answered" for in-progress, "completed" for every final status,
// else the status itself), and whether status is final.
func EventOf(status string) (event string, final bool) {
	switch status {
	case "in-progress":
		return "answered", false
	case "busy", "no-answer", "failed", "canceled", "completed":
		return "completed", true
	}
	return status, false
}
