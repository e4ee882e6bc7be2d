package twilio

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

// maxCallback bounds a callback's body.
const maxCallback = 64 << 10

// Seqs of the events of a call. Each event type has a fixed Seq, its rank
// in the call's life, so that a redelivered callback keeps its Seq, a later
// state always has a higher Seq, and callbacks without Twilio's
// SequenceNumber (AMD, the agent leg) fit in. Gaps are allowed.
const (
	seqQueued   = 1
	seqRinging  = 2
	seqAnswered = 3
	seqBridged  = 4
	seqEnd      = 5
)

// Handler returns the http.Handler for Twilio's status, AMD and agent-leg
// callbacks; mount it where Config.CallbackURL points. It answers:
//
//   - 405 to anything but POST, 400 to a body it cannot parse;
//   - 403 when X-Twilio-Signature is missing or wrong, or the AccountSid is
//     another account's;
//   - 503 before Start;
//   - 500 when the sink refuses an event, so that Twilio delivers the
//     callback again (see Config.CallbackOverrides);
//   - 204 once the sink accepted every event of the callback, or when the
//     callback carries no event.
//
// The signature is checked against Config.CallbackURL (scheme, host and
// path) with the request's query, not against the URL the Go server sees,
// so that it holds behind a TLS-terminating proxy or a path-rewriting load
// balancer. A proxy must pass the query string through unchanged.
func (c *Carrier) Handler() http.Handler { return http.HandlerFunc(c.serveCallback) }

func (c *Carrier) serveCallback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "twilio: POST only", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCallback)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "twilio: bad form", http.StatusBadRequest)
		return
	}
	signed := c.cbBase
	if r.URL.RawQuery != "" {
		signed += "?" + r.URL.RawQuery
	}
	sig := r.Header.Get("X-Twilio-Signature")
	valid := ValidSignature(c.cfg.AuthToken, signed, r.PostForm, sig)
	if !valid && c.cfg.CallbackOverrides != "" {
		// Twilio strips the overrides fragment before calling; whether it
		// signs the URL with or without it is not documented, so accept both.
		valid = ValidSignature(c.cfg.AuthToken, signed+"#"+c.cfg.CallbackOverrides, r.PostForm, sig)
	}
	if !valid {
		c.log.Warn("twilio: callback with a bad or missing signature", "remote", r.RemoteAddr, "url", c.cbBase)
		http.Error(w, "twilio: bad signature", http.StatusForbidden)
		return
	}
	if acct := r.PostForm.Get("AccountSid"); acct != "" && acct != c.cfg.AccountSID {
		http.Error(w, "twilio: wrong account", http.StatusForbidden)
		return
	}
	c.mu.Lock()
	sink := c.sink
	c.mu.Unlock()
	if sink == nil {
		http.Error(w, "twilio: not started", http.StatusServiceUnavailable)
		return
	}
	evs, err := c.mapCallback(r.URL.Query(), r.PostForm)
	if err != nil {
		c.log.Warn("twilio: unusable callback", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, ev := range evs {
		if err := sink.HandleEvent(r.Context(), ev); err != nil {
			c.log.Warn("twilio: sink refused an event; Twilio will retry", "event", ev.String(), "err", err)
			http.Error(w, "twilio: event not accepted", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// StatusEvent maps a Twilio CallStatus to the event type it reports, and
// false for a status that reports nothing by itself (in-progress, whose
// answer type depends on AnsweredBy) or an unknown one.
func StatusEvent(callStatus string) (telephony.EventType, bool) {
	switch callStatus {
	case "queued", "initiated":
		return telephony.EventQueued, true
	case "ringing":
		return telephony.EventRinging, true
	case "completed":
		return telephony.EventCompleted, true
	case "busy":
		return telephony.EventBusy, true
	case "no-answer":
		return telephony.EventNoAnswer, true
	case "failed":
		return telephony.EventFailed, true
	case "canceled":
		return telephony.EventCanceled, true
	}
	return "", false
}

// AnswerEvent maps Twilio's AnsweredBy to answered_human or
// answered_machine. human, unknown and an empty value (AMD off, or
// undecided) count as a person, so that an agent is connected: the abandon
// rules protect people. Machines and faxes are machines.
func AnswerEvent(answeredBy string) telephony.EventType {
	switch answeredBy {
	case "machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax":
		return telephony.EventAnsweredMachine
	}
	return telephony.EventAnsweredHuman
}

// mapCallback turns a verified callback into the events to hand to the
// sink, in order. A callback maps to the same events however often it is
// delivered: each Seq keeps the event it was first mapped to.
func (c *Carrier) mapCallback(q, p url.Values) ([]telephony.Event, error) {
	kind := q.Get("cb")
	if kind == "" {
		kind = cbStatus
	}
	attempt := q.Get("attempt")
	sid := telephony.CallID(p.Get("CallSid"))
	if kind == cbBridge {
		sid = telephony.CallID(p.Get("ParentCallSid"))
		if sid == "" {
			sid = telephony.CallID(q.Get("parent"))
		}
	}
	if sid == "" {
		return nil, fmt.Errorf("twilio: callback without CallSid")
	}
	now := c.cfg.Clock.Now()
	at := now
	if ts := p.Get("Timestamp"); ts != "" {
		if t, err := parseTimestamp(ts); err == nil {
			at = t
		}
	}
	status := p.Get("CallStatus")
	answeredBy := p.Get("AnsweredBy")

	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(now)
	st := c.state(sid, attempt, q.Get("amd") == "1", now)
	ev := telephony.Event{CallID: sid, AttemptID: st.attempt, At: at, CarrierStatus: status}
	var out []telephony.Event
	emit := func(seq int, e telephony.Event) {
		if prev, ok := st.events[seq]; ok {
			e = prev // a redelivery: same event as before
		} else {
			e.Seq = seq
			st.events[seq] = e
		}
		out = append(out, e)
	}

	switch kind {
	case cbBridge:
		if status != "in-progress" && status != "answered" {
			return nil, nil // the agent leg's other news does not change the call
		}
		ev.Type, ev.CarrierStatus = telephony.EventBridged, "agent:"+status
		emit(seqBridged, ev)
	case cbAMD:
		st.answered = true
		ev.Type, ev.CarrierStatus = AnswerEvent(answeredBy), answeredBy
		emit(seqAnswered, ev)
	default:
		switch typ, ok := StatusEvent(status); {
		case status == "in-progress":
			st.answered = true
			if st.amd && answeredBy == "" {
				return nil, nil // the AMD callback will say who answered
			}
			ev.Type = AnswerEvent(answeredBy)
			emit(seqAnswered, ev)
		case !ok:
			c.log.Debug("twilio: ignoring call status", "call", sid, "status", status)
			return nil, nil
		case typ == telephony.EventQueued:
			ev.Type = typ
			emit(seqQueued, ev)
		case typ == telephony.EventRinging:
			ev.Type = typ
			emit(seqRinging, ev)
		default:
			end, err := endEvent(ev, typ, p)
			if err != nil {
				return nil, err
			}
			if typ == telephony.EventCompleted {
				// completed follows an answer; if its callback is late or was
				// withheld for AMD, report the answer first.
				if _, ok := st.events[seqAnswered]; !ok || st.synth {
					ans := ev
					ans.Type = AnswerEvent(answeredBy)
					ans.At = end.At.Add(-end.Duration)
					ans.CarrierStatus = "in-progress"
					st.synth = true
					emit(seqAnswered, ans)
				}
			}
			st.answered = st.answered || typ == telephony.EventCompleted
			if !st.ended {
				st.ended, st.endedAt = true, now
			}
			emit(seqEnd, end)
		}
	}
	return out, nil
}

// endEvent fills a terminal event from the callback's params.
func endEvent(ev telephony.Event, typ telephony.EventType, p url.Values) (telephony.Event, error) {
	ev.Type = typ
	if d := p.Get("CallDuration"); d != "" && typ == telephony.EventCompleted {
		secs, err := strconv.Atoi(d)
		if err != nil || secs < 0 {
			return ev, fmt.Errorf("twilio: bad CallDuration %q", d)
		}
		ev.Duration = time.Duration(secs) * time.Second
	}
	if pr := p.Get("Price"); pr != "" {
		cost, err := parsePrice(pr, p.Get("PriceUnit"))
		if err != nil {
			return ev, err
		}
		ev.Cost = cost
	}
	ev.CarrierCode = p.Get("SipResponseCode")
	if ev.CarrierCode == "" {
		ev.CarrierCode = p.Get("ErrorCode")
	}
	return ev, nil
}

// parseTimestamp reads a callback's Timestamp (RFC 1123 with a numeric
// zone, "Mon, 02 Jan 2006 15:04:05 +0000").
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("twilio: bad Timestamp %q", s)
}

// parsePrice reads a Twilio price, a decimal string such as "-0.01300"
// that is negative for a charge, into a Cost that is positive for a charge.
// Digits past the sixth decimal are dropped.
func parsePrice(s, unit string) (telephony.Cost, error) {
	bad := func() (telephony.Cost, error) { return telephony.Cost{}, fmt.Errorf("twilio: bad Price %q", s) }
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return bad()
	}
	if len(frac) > 6 {
		frac = frac[:6]
	}
	frac += strings.Repeat("0", 6-len(frac))
	w, err1 := strconv.ParseInt("0"+whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w > 1e12 {
		return bad()
	}
	m := w*1e6 + f
	if neg {
		m = -m
	}
	return telephony.Cost{Micros: -m, Currency: strings.ToUpper(unit)}, nil
}
