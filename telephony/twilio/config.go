package twilio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// Defaults of Config.
const (
	DefaultCallsPerSecond    = 1.0
	DefaultMaxRetries        = 3
	DefaultMinBackoff        = 500 * time.Millisecond
	DefaultMaxBackoff        = 30 * time.Second
	DefaultRequestTimeout    = 15 * time.Second
	DefaultRetain            = time.Hour
	DefaultIdleRetain        = 4 * time.Hour
	DefaultMaxCalls          = 100_000
	DefaultCallbackOverrides = "rc=3&rp=5xx,ct,rt"
	DefaultAnswerTwiML       = `<Response><Pause length="60"/></Response>`
	DefaultAgentDialTimeout  = 20 * time.Second
	DefaultReconcileWindow   = 2 * time.Minute
)

// Clock is the adapter's source of time. Only the rate limiter, the retry
// back-off and reconciliation wait on it; HTTP timeouts use the wall clock.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, and returns ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d on a timer, or until ctx is done.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Config configures a Carrier. AccountSID, AuthToken and CallbackURL are
// required; everything else has a default.
type Config struct {
	// AccountSID is the Twilio account ("AC…"). Required.
	AccountSID string
	// AuthToken is the account's auth token. Required: Twilio signs every
	// callback with it (X-Twilio-Signature), even when the REST API is
	// called with an API key. It also authenticates REST requests unless
	// APIKeySID is set.
	AuthToken string
	// APIKeySID ("SK…") and APIKeySecret authenticate REST requests instead
	// of the auth token (HTTP basic auth, key SID as the user name). Set
	// both or neither. Default to empty: the auth token is used.
	APIKeySID    string
	APIKeySecret string

	// BaseURL is the REST API's scheme and host, for compatible providers
	// and tests. Defaults to DefaultBaseURL, "https://api.twilio.com".
	BaseURL string

	// CallbackURL is the public URL at which Carrier.Handler is reachable,
	// exactly as Twilio will call it (scheme, host, port and path), e.g.
	// "https://dialer.example.com/twilio/callbacks". Required. Twilio signs
	// the URL it calls, so behind a proxy or load balancer that terminates
	// TLS or rewrites the host or path, this must be the outside URL, not
	// the one the Go server sees. Any query it has is kept.
	CallbackURL string
	// CallbackOverrides are Twilio's webhook connection overrides, added
	// to every callback URL as its fragment ("#…"), which Twilio strips
	// before calling. Defaults to DefaultCallbackOverrides,
	// "rc=3&rp=5xx,ct,rt": Twilio retries a callback three times when the
	// handler answers 5xx (the sink refused the event) or times out. Set
	// "-" for none.
	CallbackOverrides string

	// AnswerURL is the TwiML Twilio fetches when a call is answered (the
	// create-call Url parameter). Defaults to empty: AnswerTwiML is sent
	// inline instead.
	AnswerURL string
	// AnswerTwiML keeps an answered call open, silently, until Bridge or
	// Play replaces it (the create-call Twiml parameter). Defaults to
	// DefaultAnswerTwiML, a 60 s pause; the call then hangs up by itself.
	AnswerTwiML string
	// AgentDialTimeout is how long an agent endpoint rings on Bridge (the
	// <Dial timeout> attribute). Defaults to 20 s.
	AgentDialTimeout time.Duration
	// Voice is the text-to-speech voice of Play, e.g. "Polly.Joanna".
	// Defaults to empty: Twilio's default voice.
	Voice string

	// CallsPerSecond is the account's call-creation rate limit. Defaults
	// to 1, Twilio's default CPS for an account; raise it to what Twilio
	// granted. Ignored when Limiter is set.
	CallsPerSecond float64
	// Burst is how many calls may start back to back after a quiet spell.
	// Defaults to 1. Ignored when Limiter is set.
	Burst int
	// Limiter paces call creation. Share one Limiter between Carriers of
	// the same account, since Twilio's limit is per account. Defaults to a
	// limiter of CallsPerSecond and Burst for this Carrier alone.
	Limiter *Limiter

	// MaxRetries bounds the retries of a request that failed in a way a
	// retry can fix (429, 5xx on requests that create nothing, a
	// connection that never carried the request). A create-call request
	// whose outcome is unknown is never retried. Defaults to 3; -1 means no
	// retries.
	MaxRetries int
	// MinBackoff and MaxBackoff shape the back-off between retries: retry
	// n waits a jittered time between MinBackoff/2 and MinBackoff·2^n,
	// capped at MaxBackoff; a Retry-After header wins when longer. Default
	// to 500 ms and 30 s.
	MinBackoff, MaxBackoff time.Duration
	// RequestTimeout bounds each HTTP request. Defaults to 15 s. A
	// create-call request that times out has an unknown outcome.
	RequestTimeout time.Duration
	// ReconcileWindow is how far before a dial whose outcome is unknown
	// the call lookup searches (against clock skew). Defaults to 2 min.
	ReconcileWindow time.Duration

	// Retain is how long an ended call is remembered, so that Hangup stays
	// a no-op and redelivered callbacks keep their events. Defaults to 1 h.
	Retain time.Duration
	// IdleRetain is how long a call that has not ended is remembered
	// after the adapter last heard of it (a callback, a dial, a request):
	// a signed callback for a call this process never placed, or a call
	// whose end never arrives, is forgotten then. Defaults to 4 h; it is
	// raised to Retain when shorter.
	IdleRetain time.Duration
	// MaxCalls bounds the calls remembered at once. Past it, ended calls
	// are forgotten first, then the calls heard of least recently, and a
	// warning is logged. Defaults to 100,000.
	MaxCalls int

	// HTTPClient sends REST requests. Defaults to a new client on
	// http.DefaultTransport.
	HTTPClient *http.Client
	// Clock drives rate limiting, back-off and timestamps missing from
	// callbacks. Defaults to SystemClock.
	Clock Clock
	// Jitter returns a number in [0, 1) for the back-off's jitter. Defaults
	// to math/rand/v2's Float64; tests pass a fixed function.
	Jitter func() float64
	// Logger receives the adapter's logs. Defaults to discarding them.
	Logger *slog.Logger
}

var errConfig = errors.New("twilio: invalid config")

func configErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", errConfig, field, fmt.Sprintf(format, args...))
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	switch {
	case !strings.HasPrefix(c.AccountSID, "AC") || len(c.AccountSID) < 4:
		return c, configErr("AccountSID", "%q is not an account SID (AC…)", c.AccountSID)
	case c.AuthToken == "":
		return c, configErr("AuthToken", "is required (Twilio signs callbacks with it)")
	case (c.APIKeySID == "") != (c.APIKeySecret == ""):
		return c, configErr("APIKeySID", "APIKeySID and APIKeySecret go together")
	case c.APIKeySID != "" && !strings.HasPrefix(c.APIKeySID, "SK"):
		return c, configErr("APIKeySID", "%q is not an API key SID (SK…)", c.APIKeySID)
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, configErr("BaseURL", "%q is not an absolute http(s) URL", c.BaseURL)
	}
	u, err := url.Parse(c.CallbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return c, configErr("CallbackURL", "%q is not an absolute http(s) URL without a fragment", c.CallbackURL)
	}
	switch c.CallbackOverrides {
	case "":
		c.CallbackOverrides = DefaultCallbackOverrides
	case "-":
		c.CallbackOverrides = ""
	}
	if c.AnswerURL != "" {
		if u, err := url.Parse(c.AnswerURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, configErr("AnswerURL", "%q is not an absolute http(s) URL", c.AnswerURL)
		}
	}
	if c.AnswerTwiML == "" {
		c.AnswerTwiML = DefaultAnswerTwiML
	}
	if len(c.AnswerTwiML) > maxTwiML {
		return c, configErr("AnswerTwiML", "is %d bytes, over Twilio's %d", len(c.AnswerTwiML), maxTwiML)
	}
	if c.AgentDialTimeout == 0 {
		c.AgentDialTimeout = DefaultAgentDialTimeout
	}
	if c.AgentDialTimeout < 5*time.Second || c.AgentDialTimeout > 600*time.Second {
		return c, configErr("AgentDialTimeout", "%v is outside Twilio's 5 s to 600 s", c.AgentDialTimeout)
	}
	if c.CallsPerSecond == 0 {
		c.CallsPerSecond = DefaultCallsPerSecond
	}
	if !(c.CallsPerSecond > 0) || c.CallsPerSecond > 10000 {
		return c, configErr("CallsPerSecond", "%v is not in (0, 10000]", c.CallsPerSecond)
	}
	if c.Burst == 0 {
		c.Burst = 1
	}
	if c.Burst < 0 {
		return c, configErr("Burst", "%d is negative", c.Burst)
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries == -1:
		c.MaxRetries = 0
	case c.MaxRetries < 0 || c.MaxRetries > 20:
		return c, configErr("MaxRetries", "%d is not -1 or in [0, 20]", c.MaxRetries)
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.MinBackoff < 0 || c.MaxBackoff < c.MinBackoff {
		return c, configErr("MinBackoff", "need 0 < MinBackoff <= MaxBackoff, got %v and %v", c.MinBackoff, c.MaxBackoff)
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.RequestTimeout < 0 {
		return c, configErr("RequestTimeout", "%v is negative", c.RequestTimeout)
	}
	if c.ReconcileWindow == 0 {
		c.ReconcileWindow = DefaultReconcileWindow
	}
	if c.ReconcileWindow < 0 {
		return c, configErr("ReconcileWindow", "%v is negative", c.ReconcileWindow)
	}
	if c.Retain == 0 {
		c.Retain = DefaultRetain
	}
	if c.Retain < 0 {
		return c, configErr("Retain", "%v is negative", c.Retain)
	}
	if c.IdleRetain == 0 {
		c.IdleRetain = DefaultIdleRetain
	}
	if c.IdleRetain < 0 {
		return c, configErr("IdleRetain", "%v is negative", c.IdleRetain)
	}
	c.IdleRetain = max(c.IdleRetain, c.Retain)
	if c.MaxCalls == 0 {
		c.MaxCalls = DefaultMaxCalls
	}
	if c.MaxCalls < 0 {
		return c, configErr("MaxCalls", "%d is negative", c.MaxCalls)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Jitter == nil {
		c.Jitter = rand.Float64
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
