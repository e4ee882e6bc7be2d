// Package importgen writes the benchmark's contact CSV: a fixed seed gives
// the same file every time, with a realistic mix of bad rows (malformed and
// unsafe phones, duplicates written in another format, suppressed numbers,
// malformed emails) and the matching suppression registry file.
package importgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// Config configures Generate.
type Config struct {
	// Rows is the number of data rows. Defaults to 1,000,000.
	Rows int
	// Seed fixes the output. Defaults to 1.
	Seed uint64
	// Suppressions receives the suppressed numbers, one 10-digit NANP
	// number a line (the registry format suppression.Service.LoadRegistry
	// reads). Defaults to nil: not written.
	Suppressions io.Writer
	// Malformed, Duplicates, Suppressed and BadEmails are the shares of
	// rows of each kind. Default to 0.05, 0.03, 0.02 and 0.01.
	Malformed, Duplicates, Suppressed, BadEmails float64
}

// Stats counts the rows of each kind written.
type Stats struct {
	Rows       int
	Valid      int // unique, callable, not suppressed, good email
	Malformed  int // unparseable or unsafe phone
	Duplicates int // an earlier valid number in another format
	Suppressed int
	BadEmails  int
	Bytes      int64
}

// Header is the generated file's header.
var Header = []string{"First Name", "Last Name", "Phone Number", "E-mail", "Company", "Tags", "Notes"}

var areaCodes = []int{201, 202, 203, 205, 206, 207, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231,
	234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308, 309,
	310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 330, 334, 336, 337, 339, 347, 351, 352, 360, 361, 386, 401,
	402, 404, 405, 406, 407, 408, 409, 410, 412, 413, 414, 415, 417, 419, 423, 424, 425, 430, 432, 434, 435, 440, 443, 469,
	478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515, 516, 517, 518, 520, 530, 540, 541, 551,
	559, 561, 562, 563, 567, 570, 571, 573, 574, 575, 580, 585, 586, 601, 602, 603, 605, 606, 607, 608, 609, 610, 612, 614,
	615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636, 641, 646, 650, 651, 660, 661, 662, 678, 682, 701, 702, 703, 704,
	706, 707, 708, 712, 713, 714, 715, 716, 717, 718, 719, 720, 724, 727, 731, 732, 734, 740, 754, 757, 760, 763, 765, 770,
	772, 773, 774, 775, 781, 785, 786, 801, 802, 803, 804, 805, 806, 810, 812, 813, 814, 815, 816, 817, 818, 828, 830,
	831, 832, 843, 845, 847, 848, 850, 856, 857, 858, 859, 860, 862, 863, 864, 865, 870, 901, 903, 904, 906, 908, 909,
	910, 912, 913, 914, 915, 916, 917, 918, 919, 920, 925, 928, 931, 936, 937, 940, 941, 949, 951, 952, 954, 956, 970, 971,
	972, 973, 978, 979, 980, 985, 989}

var firstNames = []string{"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis", "Radia", "Linus", "Hedy", "Tim", "Katherine", "José", "Zoë", "Łukasz"}
var lastNames = []string{"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Ritchie", "Perlman", "Torvalds", "Lamarr", "Berners-Lee", "Johnson", "García", "O'Brien", "Müller"}
var companies = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises", "Vandelay, Inc.", "", ""}
var malformed = []string{"12345", "not a number", "911", "+1 911", "(415) 555-0123", "900-555-1234", "411", "415-976-1234", "", "555-1212", "+44", "0000000000"}
var badEmails = []string{"foo@", "@example.com", "a b@example.com", "no-at-sign", "x@@y.com"}

// exchangesPerArea is how many exchanges (NXX) of each area code the
// numbers use: a list clusters in exchanges, as real ones do (about 17,000
// distinct NPA-NXX in all, the number the compliance cache computes once).
const exchangesPerArea = 64

// number returns the n-th distinct valid NANP number as 10 digits: the area
// code cycles, the exchange (one of 64 per area: 201, 213, ... 957) and line
// walk a permutation, and exchanges that are never callable (N11, 555, 976)
// are avoided.
func number(n int) [10]byte {
	a := areaCodes[n%len(areaCodes)]
	rest := (n / len(areaCodes)) * 7919 % (exchangesPerArea * 10000)
	exch, line := 201+(rest/10000)*12, rest%10000
	if exch%100 == 11 || exch == 555 || exch == 976 || exch == 950 || exch == 958 || exch == 959 {
		exch++
	}
	var d [10]byte
	s := fmt.Sprintf("%03d%03d%04d", a, exch, line)
	copy(d[:], s)
	return d
}

// format writes the 10 digits d in one of several common styles.
func format(d [10]byte, style int) string {
	s := string(d[:])
	switch style % 6 {
	case 0:
		return "(" + s[:3] + ") " + s[3:6] + "-" + s[6:]
	case 1:
		return s[:3] + "-" + s[3:6] + "-" + s[6:]
	case 2:
		return "+1 " + s[:3] + " " + s[3:6] + " " + s[6:]
	case 3:
		return s
	case 4:
		return "1-" + s[:3] + "-" + s[3:6] + "-" + s[6:]
	default:
		return "+1" + s
	}
}

// Generate writes the CSV to w.
func Generate(w io.Writer, cfg Config) (Stats, error) {
	if cfg.Rows <= 0 {
		cfg.Rows = 1_000_000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Malformed == 0 && cfg.Duplicates == 0 && cfg.Suppressed == 0 && cfg.BadEmails == 0 {
		cfg.Malformed, cfg.Duplicates, cfg.Suppressed, cfg.BadEmails = 0.05, 0.03, 0.02, 0.01
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<16)
	var sw *bufio.Writer
	if cfg.Suppressions != nil {
		sw = bufio.NewWriter(cfg.Suppressions)
	}
	var st Stats
	for i, h := range Header {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(h)
	}
	bw.WriteString("\r\n")
	next := 0        // next unused number
	var recent []int // earlier valid numbers, for duplicates
	for i := range cfg.Rows {
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		email := fmt.Sprintf("%s.%s%d@example.com", asciiLower(first), asciiLower(last), i)
		var phone string
		x := rng.Float64()
		switch {
		case x < cfg.Malformed:
			phone = malformed[rng.IntN(len(malformed))]
			st.Malformed++
		case x < cfg.Malformed+cfg.Duplicates && len(recent) > 0:
			n := recent[rng.IntN(len(recent))]
			phone = format(number(n), n+1+rng.IntN(5)) // another style than the first time
			st.Duplicates++
		case x < cfg.Malformed+cfg.Duplicates+cfg.Suppressed:
			d := number(next)
			next++
			phone = format(d, rng.IntN(6))
			if sw != nil {
				sw.Write(d[:])
				sw.WriteByte('\n')
			}
			st.Suppressed++
		default:
			d := number(next)
			phone = format(d, next)
			if x > 1-cfg.BadEmails {
				email = badEmails[rng.IntN(len(badEmails))]
				st.BadEmails++
			} else {
				st.Valid++
				if len(recent) < 100_000 {
					recent = append(recent, next)
				} else {
					recent[rng.IntN(len(recent))] = next
				}
			}
			next++
		}
		company := companies[rng.IntN(len(companies))]
		tags := "import;bench"
		if i%7 == 0 {
			tags = "vip"
		}
		notes := ""
		if i%50 == 0 {
			notes = "\"Called before,\nwants \"\"afternoons\"\"\""
		}
		bw.WriteString(first)
		bw.WriteByte(',')
		bw.WriteString(last)
		bw.WriteByte(',')
		bw.WriteString(phone)
		bw.WriteByte(',')
		bw.WriteString(email)
		bw.WriteByte(',')
		if needsQuote(company) {
			bw.WriteString(strconv.Quote(company))
		} else {
			bw.WriteString(company)
		}
		bw.WriteByte(',')
		bw.WriteString(tags)
		bw.WriteByte(',')
		bw.WriteString(notes)
		bw.WriteString("\r\n")
		st.Rows++
	}
	if err := bw.Flush(); err != nil {
		return st, err
	}
	if sw != nil {
		if err := sw.Flush(); err != nil {
			return st, err
		}
	}
	st.Bytes = cw.n
	return st, nil
}

func needsQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' || s[i] == '\n' {
			return true
		}
	}
	return false
}

func asciiLower(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+32)
		case c >= 'a' && c <= 'z':
			b = append(b, c)
		}
	}
	return string(b)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
