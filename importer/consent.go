package importer

import (
	"strings"
	"time"

	"github.com/callstackhq/callstack/campaign"
)

// consentCells are a row's consent columns, as written.
type consentCells struct {
	kind, date, source, scope, revoked string
}

// consentRevokedVia is Consent.RevokedVia for a revocation read from a
// file.
const consentRevokedVia = "import"

// consentKinds maps normalised consent values (see normalizeHeader) to a
// kind; revoked values map to "revoked".
var consentKinds = map[string]campaign.ConsentKind{
	"": campaign.ConsentNone, "none": campaign.ConsentNone, "no": campaign.ConsentNone, "n": campaign.ConsentNone,
	"false": campaign.ConsentNone, "0": campaign.ConsentNone, "unknown": campaign.ConsentNone,

	"express": campaign.ConsentExpress, "yes": campaign.ConsentExpress, "y": campaign.ConsentExpress,
	"true": campaign.ConsentExpress, "1": campaign.ConsentExpress, "optin": campaign.ConsentExpress,
	"optedin": campaign.ConsentExpress, "pec": campaign.ConsentExpress, "priorexpress": campaign.ConsentExpress,
	"priorexpressconsent": campaign.ConsentExpress, "expressconsent": campaign.ConsentExpress,
	"granted": campaign.ConsentExpress, "given": campaign.ConsentExpress,

	"expresswritten": campaign.ConsentExpressWritten, "pewc": campaign.ConsentExpressWritten,
	"written": campaign.ConsentExpressWritten, "priorexpresswritten": campaign.ConsentExpressWritten,
	"priorexpresswrittenconsent": campaign.ConsentExpressWritten, "expresswrittenconsent": campaign.ConsentExpressWritten,
	"writtenconsent": campaign.ConsentExpressWritten,

	"revoked": "revoked", "optout": "revoked", "optedout": "revoked", "withdrawn": "revoked",
	"unsubscribed": "revoked", "donotcall": "revoked", "dnc": "revoked", "stop": "revoked",
}

var consentScopes = map[string]campaign.ConsentScope{
	"": campaign.ConsentScopeCampaign, "campaign": campaign.ConsentScopeCampaign, "thiscampaign": campaign.ConsentScopeCampaign,
	"client": campaign.ConsentScopeClient, "brand": campaign.ConsentScopeClient, "advertiser": campaign.ConsentScopeClient,
	"seller": campaign.ConsentScopeClient,
	"any":    campaign.ConsentScopeAny, "all": campaign.ConsentScopeAny, "workspace": campaign.ConsentScopeAny,
	"allcampaigns": campaign.ConsentScopeAny, "global": campaign.ConsentScopeAny,
}

// parse turns the cells into a Consent, or reports false for a value that
// is not a known kind, scope, flag or date, or a date after now. A
// revocation (a "revoked" kind, a revoked flag or date) is kept with the
// kind: the contact cannot be called where consent is required, and a
// merge never undoes it.
func (cc consentCells) parse(now time.Time, usDates bool) (campaign.Consent, bool) {
	c := campaign.Consent{Kind: campaign.ConsentNone, Scope: campaign.ConsentScopeCampaign}
	if cc == (consentCells{}) {
		return c, true // no consent columns, or all empty
	}
	kind, ok := consentKinds[normalizeHeader(cc.kind)]
	if !ok {
		return c, false
	}
	scope, ok := consentScopes[normalizeHeader(cc.scope)]
	if !ok {
		return c, false
	}
	var captured, revoked time.Time
	if cc.date != "" {
		if captured, ok = parseDate(cc.date, usDates); !ok || captured.After(now) {
			return c, false
		}
	}
	switch v := normalizeHeader(cc.revoked); {
	case cc.revoked == "":
	case v == "no" || v == "n" || v == "false" || v == "0" || v == "none":
		// not revoked
	case v == "yes" || v == "y" || v == "true" || v == "1" || consentKinds[v] == "revoked":
		revoked = now
	default:
		if revoked, ok = parseDate(cc.revoked, usDates); !ok || revoked.After(now) {
			return c, false
		}
	}
	if kind == "revoked" {
		kind = campaign.ConsentNone
		if revoked.IsZero() {
			revoked = now
		}
	}
	if kind != campaign.ConsentNone {
		c.Kind, c.Scope, c.Source, c.CapturedAt = kind, scope, strings.TrimSpace(cc.source), captured
	}
	if !revoked.IsZero() {
		c.RevokedAt, c.RevokedVia = revoked.UTC(), consentRevokedVia
	}
	return c, true
}

// usDates reports whether numeric dates in a region's files put the month
// first.
func usDates(region string) bool {
	switch strings.ToUpper(region) {
	case "", "US", "CA", "PR", "GU", "VI", "AS", "MP", "PH":
		return true
	}
	return false
}

var isoLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006-01-02", "2006/01/02", "2006/01/02 15:04:05", "2006/01/02 15:04",
}

var usLayouts = []string{
	"1/2/2006", "1/2/2006 15:04", "1/2/2006 15:04:05", "1/2/2006 3:04 PM", "1/2/2006 3:04:05 PM", "1/2/06",
	"1-2-2006", "01/02/2006",
}

var dayFirstLayouts = []string{
	"2/1/2006", "2/1/2006 15:04", "2/1/2006 15:04:05", "2/1/06", "2.1.2006", "2.1.2006 15:04", "2-1-2006",
}

var namedLayouts = []string{
	"Jan 2, 2006", "January 2, 2006", "2 Jan 2006", "2 January 2006", "Mon, 02 Jan 2006 15:04:05 MST", time.RFC1123Z,
}

// parseDate reads a date as exports write them: ISO 8601 first, then
// numeric dates month first (usDates) or day first, then with month
// names. A time without a zone is taken as UTC.
func parseDate(v string, usDates bool) (time.Time, bool) {
	v = strings.TrimSpace(v)
	numeric := usLayouts
	if !usDates {
		numeric = dayFirstLayouts
	}
	for _, set := range [][]string{isoLayouts, numeric, namedLayouts} {
		for _, l := range set {
			if t, err := time.Parse(l, v); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}
