package twilio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

const maxResponse = 1 << 20

// send makes a REST request, retrying what is safe to retry. creating marks
// a create-call request: it waits for the rate limiter before each try,
// and a failure after the request reached Twilio leaves the outcome
// unknown, which is never retried.
func (c *Carrier) send(ctx context.Context, method, path string, form url.Values, creating bool) ([]byte, error) {
	for try := 0; ; try++ {
		if creating {
			if err := c.limiter.Wait(ctx); err != nil {
				return nil, &telephony.Error{Code: telephony.CodeCanceled, Retryable: true, Err: err}
			}
		}
		body, err := c.once(ctx, method, path, form, creating)
		if err == nil {
			return body, nil
		}
		if !telephony.IsRetryable(err) || try >= c.cfg.MaxRetries || ctx.Err() != nil {
			return nil, err
		}
		wait := max(c.backoff(try), retryDelay(err))
		c.log.Debug("twilio: retrying", "method", method, "path", path, "try", try+1, "wait", wait, "err", err)
		if serr := c.cfg.Clock.Sleep(ctx, wait); serr != nil {
			return nil, err
		}
	}
}

// backoff is the wait before retry try+1: jittered between MinBackoff/2 and
// an exponential ceiling, MinBackoff·2^try capped at MaxBackoff.
func (c *Carrier) backoff(try int) time.Duration {
	ceil := c.cfg.MaxBackoff
	if try < 30 {
		ceil = min(c.cfg.MinBackoff<<try, c.cfg.MaxBackoff)
	}
	floor := c.cfg.MinBackoff / 2
	return floor + time.Duration(c.cfg.Jitter()*float64(ceil-floor))
}

// once makes one request. The error is a *telephony.Error.
func (c *Carrier) once(ctx context.Context, method, path string, form url.Values, creating bool) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	var wrote atomic.Bool // the whole request reached the wire
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { wrote.Store(info.Err == nil) },
	})
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(rctx, method, c.cfg.BaseURL+path, body)
	if err != nil {
		return nil, &telephony.Error{Code: telephony.CodeInvalidRequest,
			Err: fmt.Errorf("%w: twilio: %w", telephony.ErrInvalidRequest, err)}
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "callstack-twilio")
	req.SetBasicAuth(c.user, c.pass)

	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, c.transportErr(ctx, rctx, method, path, err, creating && wrote.Load())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		if resp.StatusCode < 300 {
			// The request took effect but its answer was lost.
			return nil, c.transportErr(ctx, rctx, method, path, err, creating)
		}
		data = nil
	}
	if resp.StatusCode >= 300 {
		return nil, classify(parseAPIError(resp.StatusCode, resp.Header, data, c.cfg.Clock.Now()), creating)
	}
	return data, nil
}

// transportErr classifies a request that got no usable response. unknown
// says the request may have taken effect.
func (c *Carrier) transportErr(ctx, rctx context.Context, method, path string, err error, unknown bool) error {
	code := telephony.CodeUnavailable
	switch {
	case ctx.Err() != nil:
		code = telephony.CodeCanceled
	case errors.Is(rctx.Err(), context.DeadlineExceeded):
		code = telephony.CodeTimeout
	}
	te := &telephony.Error{Code: code, Err: fmt.Errorf("twilio: %s %s: %w", method, redact(path), err)}
	if unknown {
		te.Unknown = true
	} else {
		te.Retryable = true
	}
	return te
}

// redact drops the query (phone numbers) from a path for errors and logs.
func redact(path string) string {
	p, _, _ := strings.Cut(path, "?")
	return p
}
