package twilio_test

import (
	"fmt"
	"net/url"

	"github.com/callstackhq/callstack/telephony"
	"github.com/callstackhq/callstack/telephony/twilio"
)

// Checking a callback by hand: the worked example of Twilio's webhook
// security documentation.
func ExampleSignature() {
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675310"},
		"Digits":  {"1234"},
		"From":    {"+14158675310"},
		"To":      {"+18005551212"},
	}
	sig := twilio.Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)
	fmt.Println(sig)
	fmt.Println(twilio.ValidSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params, sig))
	fmt.Println(twilio.ValidSignature("12345", "http://mycompany.com/myapp.php?foo=1&bar=2", params, sig))
	// Output:
	// GvWf1cFY/Q7PnoempGyD5oXAezc=
	// true
	// false
}

// The abandon message: every value is XML-escaped.
func ExampleMessageTwiML() {
	twiml, err := twilio.MessageTwiML(telephony.Message{
		Text:     "Sorry we missed you. Press 9 or call 555-0100 to opt out <now> & forever.",
		Language: "en-US",
	}, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(twiml)
	// Output:
	// <Response><Say language="en-US">Sorry we missed you. Press 9 or call 555-0100 to opt out &lt;now&gt; &amp; forever.</Say><Hangup></Hangup></Response>
}

// Bridging an answered call to an agent's SIP phone; Twilio reports the
// agent leg's answer to the callback, which becomes EventBridged.
func ExampleBridgeTwiML() {
	twiml, err := twilio.BridgeTwiML(
		telephony.Endpoint{Kind: telephony.EndpointURI, Address: "sip:alice@pbx.example"},
		"https://dialer.example.com/twilio/callbacks?cb=bridge&attempt=a1", 20)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(twiml)
	// Output:
	// <Response><Dial timeout="20"><Sip statusCallbackEvent="answered" statusCallback="https://dialer.example.com/twilio/callbacks?cb=bridge&amp;attempt=a1" statusCallbackMethod="POST">sip:alice@pbx.example</Sip></Dial></Response>
}

// Wiring the adapter into a service: mount the callback handler at the
// public CallbackURL, then start the carrier with the engine as its sink.
func ExampleNew() {
	carrier, err := twilio.New(twilio.Config{
		AccountSID:  "AC00000000000000000000000000000000",
		AuthToken:   "your-auth-token",
		CallbackURL: "https://dialer.example.com/twilio/callbacks",
		// CallsPerSecond: 5, // what Twilio granted the account
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = carrier.Handler() // e.g. mux.Handle("/twilio/callbacks", carrier.Handler())
	_, err = twilio.New(twilio.Config{AccountSID: "AC00000000000000000000000000000000", CallbackURL: "https://dialer.example.com/cb"})
	fmt.Println(err)
	// Output:
	// twilio: invalid config: AuthToken: is required (Twilio signs callbacks with it)
}
