package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// Signature computes the X-Twilio-Signature of a request Twilio makes to
// fullURL with the POST params: HMAC-SHA1, keyed by the auth token, over the
// URL followed by each parameter's name and value, sorted by name (a
// repeated name contributes each value, in sorted order), base64-encoded.
func Signature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vs := slices.Clone(params[k])
		slices.Sort(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidSignature reports whether signature is the X-Twilio-Signature of a
// request to fullURL with params, comparing in constant time. Like
// Twilio's own libraries it also accepts the URL with the default port
// added or removed, since Twilio may sign either form.
func ValidSignature(authToken, fullURL string, params url.Values, signature string) bool {
	if signature == "" || authToken == "" {
		return false
	}
	got := []byte(signature)
	for _, u := range urlVariants(fullURL) {
		if hmac.Equal(got, []byte(Signature(authToken, u, params))) {
			return true
		}
	}
	return false
}

// urlVariants returns u, then u with its default port toggled.
func urlVariants(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	def := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if def == "" {
		return out
	}
	v := *u
	switch u.Port() {
	case "":
		v.Host = u.Host + ":" + def
	case def:
		v.Host = u.Hostname()
	default:
		return out
	}
	return append(out, v.String())
}
