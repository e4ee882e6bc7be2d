package twilio

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callstackhq/callstack/telephony"
)

var _ telephony.Reconciler = (*Carrier)(nil)

// CallRecord implements telephony.Reconciler with the Calls resource: the
// call q names (by its SID, else by the attempt's call this adapter saw,
// else looked up by To and From since the dial) is fetched and its status,
// answered_by, duration and price read. Twilio does not say whether a call
// was bridged; Bridged is false.
func (c *Carrier) CallRecord(ctx context.Context, q telephony.CallQuery) (telephony.CallRecord, error) {
	id := q.CallID
	if id == "" {
		var err error
		id, err = c.reconcile(ctx, telephony.DialRequest{AttemptID: q.AttemptID, To: q.To, From: q.From}, q.Since, telephony.ErrUnknownCall)
		if err != nil {
			if errors.Is(err, telephony.ErrUnknownCall) {
				return telephony.CallRecord{}, &telephony.Error{Code: telephony.CodeUnknownCall,
					Err: fmt.Errorf("%w: no single Twilio call for attempt %s: %w", telephony.ErrUnknownCall, q.AttemptID, err)}
			}
			return telephony.CallRecord{}, err
		}
	}
	res, err := c.fetch(ctx, id)
	if err != nil {
		return telephony.CallRecord{}, err
	}
	r := telephony.CallRecord{ID: id, CarrierStatus: res.Status}
	switch res.Status {
	case "completed":
		r.Final = telephony.EventCompleted
	case "busy":
		r.Final = telephony.EventBusy
	case "no-answer":
		r.Final = telephony.EventNoAnswer
	case "failed":
		r.Final = telephony.EventFailed
	case "canceled":
		r.Final = telephony.EventCanceled
	}
	if secs, err := strconv.Atoi(res.Duration); err == nil {
		r.Duration = time.Duration(secs) * time.Second
	}
	answered := res.Status == "in-progress" || (res.Status == "completed" && r.Duration > 0)
	switch {
	case strings.HasPrefix(res.AnsweredBy, "machine") || res.AnsweredBy == "fax":
		r.AnsweredBy = "machine"
	case res.AnsweredBy == "human" || answered:
		r.AnsweredBy = "human"
	}
	if t, err := time.Parse(time.RFC1123Z, res.StartTime); err == nil && r.AnsweredBy != "" {
		r.AnsweredAt = t
	}
	if t, err := time.Parse(time.RFC1123Z, res.EndTime); err == nil {
		r.EndedAt = t
	}
	if res.Price != nil {
		if cost, err := parsePrice(*res.Price, res.PriceUnit); err == nil {
			r.Cost = cost
		}
	}
	return r, nil
}
