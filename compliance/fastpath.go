package compliance

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers/v2"
)

// Checker decides whether phone numbers may be called and returns their
// facts. The zero value is ready to use: US default region, every country
// allowed. A Checker is safe for concurrent use; it must not be copied after
// first use, and its fields must not change once checks have started.
//
// Check memoises the expensive phonenumbers work (validity, type, time
// zones, region, state) per NANP area code and exchange (NPA-NXX), so
// importing millions of North American numbers costs a parse of the digits
// and a map lookup per row; the cache holds at most one small entry per
// exchange seen (under a million in all).
type Checker struct {
	// DefaultRegion is the CLDR region code used to read numbers written
	// without a country code, such as "(415) 555-2671" or "020 7946 0000".
	// Defaults to "US".
	DefaultRegion string
	// AllowedCountries lists the CLDR region codes whose numbers may be
	// called; others are refused with ReasonCountryNotAllowed. NANP
	// territories and countries have their own codes ("PR", "GU", "JM"):
	// "US" does not include them. Defaults to allowing every region (an
	// empty list).
	AllowedCountries []string

	exchanges [1000]atomic.Pointer[exchangeBlock]
}

// exchangeBlock holds the memoised facts of the exchanges of one area code,
// indexed by NXX.
type exchangeBlock [1000]atomic.Pointer[lineFacts]

// Validate reports an unknown DefaultRegion or AllowedCountries entry. Check
// does not call it: with an unknown default region, every number written
// without a country code is refused as unparseable.
func (c *Checker) Validate() error {
	supported := phonenumbers.GetSupportedRegions()
	if r := regionOrDefault(c.DefaultRegion); !supported[r] {
		return fmt.Errorf("compliance: unknown default region %q", c.DefaultRegion)
	}
	for _, r := range c.AllowedCountries {
		if !supported[strings.ToUpper(r)] && r != "001" {
			return fmt.Errorf("compliance: unknown allowed country %q", r)
		}
	}
	return nil
}

// Check returns the facts of the number in raw, or a *NumberError wrapping
// ErrUnsafeNumber with the reason it may not be called; on refusal the
// facts known so far (E.164, type, zones) come with the error, so the block
// can be recorded. Plain NANP numbers take a memoised fast path whose
// results are identical to CheckSlow's.
func (c *Checker) Check(raw string) (NumberFacts, error) {
	region := regionOrDefault(c.DefaultRegion)
	nsn, ok := nanpFastDigits(raw, phonenumbers.GetCountryCodeForRegion(region) == 1)
	if !ok {
		return checkSlow(raw, region, c.AllowedCountries)
	}
	npa := int(nsn[0]-'0')*100 + int(nsn[1]-'0')*10 + int(nsn[2]-'0')
	nxx := int(nsn[3]-'0')*100 + int(nsn[4]-'0')*10 + int(nsn[5]-'0')
	if nanpLineDependentExchanges[npa*1000+nxx] {
		return checkSlow(raw, region, c.AllowedCountries)
	}
	e164 := "+1" + string(nsn[:])
	lf := c.exchange(npa, nxx, e164, region)
	if !lf.valid {
		// Invalid numbers are rare and their rules (short numbers) read the
		// whole number: leave them to phonenumbers.
		return checkSlow(raw, region, c.AllowedCountries)
	}
	national := e164[2:]
	f := buildFacts(e164, 1, national, "", lf)
	if r := judge(1, national, lf, c.AllowedCountries); r != "" {
		return f, &NumberError{Reason: r, Input: raw, Err: ErrUnsafeNumber}
	}
	return f, nil
}

// CheckSlow is Check without memoisation: every number goes through the
// full phonenumbers parse, validity, type and time-zone lookups (~40 µs).
// It exists to prove the fast path right and for callers who prefer it.
func (c *Checker) CheckSlow(raw string) (NumberFacts, error) {
	return checkSlow(raw, regionOrDefault(c.DefaultRegion), c.AllowedCountries)
}

// exchange returns the memoised facts of an NPA-NXX, computing them from
// the number e164 on first use. Two goroutines may compute the same entry
// at once; they store equal values.
func (c *Checker) exchange(npa, nxx int, e164, region string) *lineFacts {
	block := c.exchanges[npa].Load()
	if block == nil {
		c.exchanges[npa].CompareAndSwap(nil, new(exchangeBlock))
		block = c.exchanges[npa].Load()
	}
	if lf := block[nxx].Load(); lf != nil {
		return lf
	}
	var lf *lineFacts
	num, err := phonenumbers.Parse(e164, region)
	if err != nil {
		lf = &lineFacts{noZone: true} // invalid: such numbers go to the slow path
	} else {
		lf = lookupLine(num, phonenumbers.GetNationalSignificantNumber(num), region)
	}
	block[nxx].Store(lf)
	return lf
}

// nanpFastDigits returns the ten national digits of raw when it is a plain
// NANP number that phonenumbers reads the same way whatever its punctuation:
// only digits and the punctuation " ().-+", no letters and no extension, a
// '+' only as the first character that is not a space, and either 11 digits
// starting with 1 (with or without '+') or 10 digits without '+'. Numbers
// without '+' qualify only when the default region is in the NANP
// (defaultNANP). The area code must start with 2-9.
func nanpFastDigits(raw string, defaultNANP bool) (nsn [10]byte, ok bool) {
	if len(raw) > 64 {
		return nsn, false
	}
	var digits [11]byte
	n := 0
	plus, started := false, false
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		switch {
		case ch >= '0' && ch <= '9':
			if n == len(digits) {
				return nsn, false
			}
			digits[n] = ch
			n++
			started = true
		case ch == '+':
			if started {
				return nsn, false
			}
			plus, started = true, true
		case ch == '(' || ch == ')' || ch == '.' || ch == '-':
			started = true
		case ch == ' ':
		default:
			return nsn, false
		}
	}
	switch {
	case n == 11 && digits[0] == '1':
		copy(nsn[:], digits[1:])
	case n == 10 && !plus:
		copy(nsn[:], digits[:10])
	default:
		return nsn, false
	}
	if !plus && !defaultNANP {
		return nsn, false
	}
	if nsn[0] < '2' {
		return nsn, false
	}
	return nsn, true
}
