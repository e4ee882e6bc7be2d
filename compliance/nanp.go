package compliance

import "strings"

// AreaCode is one entry of the NANP area-code table: where the numbers of one
// area code (NPA) of the North American Numbering Plan are.
type AreaCode struct {
	// NPA is the three-digit area code, such as "415".
	NPA string
	// Region is the CLDR region code of the area code's territory ("US",
	// "CA", "PR", "GU", "VI", "MP", "AS"); empty for non-geographic codes,
	// which serve the whole plan.
	Region string
	// States lists the two-letter USPS or Canada Post codes of the states,
	// provinces or territories the area code serves: one for almost every
	// code, several for the shared Canadian codes (902 and 782: NS and PE;
	// 867: YT, NT and NU); empty for non-geographic codes.
	States []string
	// Geographic reports whether the area code serves a place. Toll-free,
	// premium, personal-communications and other service codes are not
	// geographic.
	Geographic bool
	// Service names what a non-geographic code is for, such as "toll_free";
	// empty for geographic codes.
	Service string
}

// LookupAreaCode returns the table entry for a three-digit NANP area code,
// and false when the code is not in the table (unassigned, reserved, or an
// assignment the table does not know yet). The table is ours, built from
// NANPA assignments and checked against phonenumbers metadata by the tests;
// it covers every US state, DC, the US territories and every Canadian
// province and territory. Caribbean members of the plan (Jamaica, Bahamas,
// ...) are countries, not states, and are not in it: their region is in
// NumberFacts.Region.
func LookupAreaCode(npa string) (AreaCode, bool) {
	code, ok := parseNPA(npa)
	if !ok {
		return AreaCode{}, false
	}
	if a, ok := nanpGeographic[code]; ok {
		return AreaCode{NPA: npa, Region: a.region, States: strings.Split(a.states, "/"), Geographic: true}, true
	}
	if s, ok := nanpNonGeographic[code]; ok {
		return AreaCode{NPA: npa, Service: s}, true
	}
	return AreaCode{}, false
}

// nanpStates returns a fresh slice of the states of a geographic area code,
// or nil.
func nanpStates(npa int) []string {
	a, ok := nanpGeographic[npa]
	if !ok {
		return nil
	}
	return strings.Split(a.states, "/")
}

// parseNPA parses a three-digit area code.
func parseNPA(s string) (int, bool) {
	if len(s) != 3 {
		return 0, false
	}
	n := 0
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// NANP service codes: the NXX (or a leading NPA) of the form N11 is reserved
// for abbreviated dialing (211 community services, 311 city services, 411
// directory, 511 traffic, 611 repair, 711 relay, 811 dig safe, 911
// emergency) and never assigned as an exchange or an area code.
func isN11(d string) bool {
	return len(d) >= 3 && d[0] >= '2' && d[0] <= '9' && d[1] == '1' && d[2] == '1'
}

// nanpNationalDigits is the length of every dialable NANP national
// number: a three-digit area code and a seven-digit local number.
const nanpNationalDigits = 10

// nanpLocal returns the seven-digit local part (NXX + line) of a NANP
// national number written with ten or seven digits, and false otherwise.
func nanpLocal(nsn string) (string, bool) {
	switch len(nsn) {
	case 10:
		return nsn[3:], true
	case 7:
		return nsn, true
	}
	return "", false
}

// nanpRule applies the digit rules of the North American plan to a national
// significant number; it returns "" when none refuses the number.
func nanpRule(nsn string) Reason {
	if isN11(nsn) {
		return ReasonServiceNumber
	}
	local, ok := nanpLocal(nsn)
	if !ok {
		return ""
	}
	switch {
	case isN11(local):
		return ReasonServiceNumber
	case local == "5551212": // directory assistance, NPA-555-1212 and 555-1212
		return ReasonServiceNumber
	case len(nsn) == 10 && nsn[:3] == "900", local[:3] == "976":
		return ReasonPremiumRate
	case local[:3] == "555" && local[3:5] == "01": // 555-0100 to 555-0199
		return ReasonFictionalNumber
	}
	return ""
}

// nanpLineDependentExchanges lists the NPA-NXX codes where phonenumbers
// metadata (v2.0.8) decides validity or type on the line digits, not on the
// exchange: the fast path cannot memoise them and sends them to the slow
// path. TestLineDependentExchangesMatchMetadata derives this set from the
// metadata patterns and fails when it changes.
var nanpLineDependentExchanges = map[int]bool{
	246521: true, // Barbados: 246-521-[0369]xxx fixed line, 246-521-[147]xxx mobile
	246522: true, // Barbados: 246-522-0xxx mobile, the rest unassigned
	876606: true, // Jamaica: 876-606-0xxx fixed line, the rest unassigned
}

// gbFictionalPrefixes are the national-number prefixes of the ranges Ofcom
// reserves for TV and radio drama: never assigned, so a number in them is
// made up. phonenumbers calls some of them valid (020 7946 0xxx).
var gbFictionalPrefixes = []string{
	"1134960", "1144960", "1154960", "1164960", "1174960", "1184960", // Leeds, Sheffield, Nottingham, Leicester, Bristol, Reading 01xx 496 0xxx
	"1214960", "1314960", "1414960", "1514960", "1614960", "1914980", // Birmingham, Edinburgh, Glasgow, Liverpool, Manchester, Tyneside
	"2079460", "2896496", "2920180", // London 020 7946 0xxx, Northern Ireland 028 9649 6xxx, Cardiff 029 2018 0xxx
	"1632960", "7700900", "8081570", "9098790", "3069990", // no area 01632 960xxx, mobile, freephone, premium, UK-wide
}

// nanpArea is a geographic area code: its region and its states joined by
// "/".
type nanpArea struct {
	region string
	states string
}

// nanpNonGeographic are the NANP area codes that serve no place.
var nanpNonGeographic = map[int]string{
	456: "international_inbound",
	500: "personal_communications", 521: "personal_communications", 522: "personal_communications",
	523: "personal_communications", 524: "personal_communications", 525: "personal_communications",
	526: "personal_communications", 527: "personal_communications", 528: "personal_communications",
	529: "personal_communications", 532: "personal_communications", 533: "personal_communications",
	544: "personal_communications", 566: "personal_communications", 577: "personal_communications",
	588: "personal_communications",
	600: "canadian_services", 622: "canadian_services", 633: "canadian_services",
	700: "interexchange_carrier_services",
	710: "us_government",
	800: "toll_free", 833: "toll_free", 844: "toll_free", 855: "toll_free", 866: "toll_free",
	877: "toll_free", 888: "toll_free",
	900: "premium_rate",
}

// nanpGeographic maps every geographic area code of the US, its territories
// and Canada to its region and states. Codes 357 (CA), 624 (NY), 679 (MI),
// 861 (IL) and 924 (MN) are NANPA relief codes that phonenumbers v2.0.8 does
// not know yet; every other entry is checked against phonenumbers.
var nanpGeographic = map[int]nanpArea{
	// Alaska
	907: {"US", "AK"},
	// Alabama
	205: {"US", "AL"}, 251: {"US", "AL"}, 256: {"US", "AL"}, 334: {"US", "AL"}, 659: {"US", "AL"},
	938: {"US", "AL"},
	// Arkansas
	327: {"US", "AR"}, 479: {"US", "AR"}, 501: {"US", "AR"}, 870: {"US", "AR"},
	// Arizona
	480: {"US", "AZ"}, 520: {"US", "AZ"}, 602: {"US", "AZ"}, 623: {"US", "AZ"}, 928: {"US", "AZ"},
	// California
	209: {"US", "CA"}, 213: {"US", "CA"}, 279: {"US", "CA"}, 310: {"US", "CA"}, 323: {"US", "CA"},
	341: {"US", "CA"}, 350: {"US", "CA"}, 357: {"US", "CA"}, 369: {"US", "CA"}, 408: {"US", "CA"},
	415: {"US", "CA"}, 424: {"US", "CA"}, 442: {"US", "CA"}, 510: {"US", "CA"}, 530: {"US", "CA"},
	559: {"US", "CA"}, 562: {"US", "CA"}, 619: {"US", "CA"}, 626: {"US", "CA"}, 628: {"US", "CA"},
	650: {"US", "CA"}, 657: {"US", "CA"}, 661: {"US", "CA"}, 669: {"US", "CA"}, 707: {"US", "CA"},
	714: {"US", "CA"}, 738: {"US", "CA"}, 747: {"US", "CA"}, 760: {"US", "CA"}, 805: {"US", "CA"},
	818: {"US", "CA"}, 820: {"US", "CA"}, 831: {"US", "CA"}, 840: {"US", "CA"}, 858: {"US", "CA"},
	909: {"US", "CA"}, 916: {"US", "CA"}, 925: {"US", "CA"}, 949: {"US", "CA"}, 951: {"US", "CA"},
	// Colorado
	303: {"US", "CO"}, 719: {"US", "CO"}, 720: {"US", "CO"}, 748: {"US", "CO"}, 970: {"US", "CO"},
	983: {"US", "CO"},
	// Connecticut
	203: {"US", "CT"}, 475: {"US", "CT"}, 860: {"US", "CT"}, 959: {"US", "CT"},
	// District of Columbia
	202: {"US", "DC"}, 771: {"US", "DC"},
	// Delaware
	302: {"US", "DE"},
	// Florida
	239: {"US", "FL"}, 305: {"US", "FL"}, 321: {"US", "FL"}, 324: {"US", "FL"}, 352: {"US", "FL"},
	386: {"US", "FL"}, 407: {"US", "FL"}, 448: {"US", "FL"}, 561: {"US", "FL"}, 645: {"US", "FL"},
	656: {"US", "FL"}, 689: {"US", "FL"}, 727: {"US", "FL"}, 728: {"US", "FL"}, 754: {"US", "FL"},
	772: {"US", "FL"}, 786: {"US", "FL"}, 813: {"US", "FL"}, 850: {"US", "FL"}, 863: {"US", "FL"},
	904: {"US", "FL"}, 941: {"US", "FL"}, 954: {"US", "FL"},
	// Georgia
	229: {"US", "GA"}, 404: {"US", "GA"}, 470: {"US", "GA"}, 478: {"US", "GA"}, 678: {"US", "GA"},
	706: {"US", "GA"}, 762: {"US", "GA"}, 770: {"US", "GA"}, 912: {"US", "GA"}, 943: {"US", "GA"},
	// Hawaii
	808: {"US", "HI"},
	// Iowa
	319: {"US", "IA"}, 515: {"US", "IA"}, 563: {"US", "IA"}, 641: {"US", "IA"}, 712: {"US", "IA"},
	// Idaho
	208: {"US", "ID"}, 986: {"US", "ID"},
	// Illinois
	217: {"US", "IL"}, 224: {"US", "IL"}, 309: {"US", "IL"}, 312: {"US", "IL"}, 331: {"US", "IL"},
	447: {"US", "IL"}, 464: {"US", "IL"}, 618: {"US", "IL"}, 630: {"US", "IL"}, 708: {"US", "IL"},
	730: {"US", "IL"}, 773: {"US", "IL"}, 779: {"US", "IL"}, 815: {"US", "IL"}, 847: {"US", "IL"},
	861: {"US", "IL"}, 872: {"US", "IL"},
	// Indiana
	219: {"US", "IN"}, 260: {"US", "IN"}, 317: {"US", "IN"}, 463: {"US", "IN"}, 574: {"US", "IN"},
	765: {"US", "IN"}, 812: {"US", "IN"}, 930: {"US", "IN"},
	// Kansas
	316: {"US", "KS"}, 620: {"US", "KS"}, 785: {"US", "KS"}, 913: {"US", "KS"},
	// Kentucky
	270: {"US", "KY"}, 364: {"US", "KY"}, 502: {"US", "KY"}, 606: {"US", "KY"}, 859: {"US", "KY"},
	// Louisiana
	225: {"US", "LA"}, 318: {"US", "LA"}, 337: {"US", "LA"}, 504: {"US", "LA"}, 985: {"US", "LA"},
	// Massachusetts
	339: {"US", "MA"}, 351: {"US", "MA"}, 413: {"US", "MA"}, 508: {"US", "MA"}, 617: {"US", "MA"},
	774: {"US", "MA"}, 781: {"US", "MA"}, 857: {"US", "MA"}, 978: {"US", "MA"},
	// Maryland
	227: {"US", "MD"}, 240: {"US", "MD"}, 301: {"US", "MD"}, 410: {"US", "MD"}, 443: {"US", "MD"},
	667: {"US", "MD"},
	// Maine
	207: {"US", "ME"},
	// Michigan
	231: {"US", "MI"}, 248: {"US", "MI"}, 269: {"US", "MI"}, 313: {"US", "MI"}, 517: {"US", "MI"},
	586: {"US", "MI"}, 616: {"US", "MI"}, 679: {"US", "MI"}, 734: {"US", "MI"}, 810: {"US", "MI"},
	906: {"US", "MI"}, 947: {"US", "MI"}, 989: {"US", "MI"},
	// Minnesota
	218: {"US", "MN"}, 320: {"US", "MN"}, 507: {"US", "MN"}, 612: {"US", "MN"}, 651: {"US", "MN"},
	763: {"US", "MN"}, 924: {"US", "MN"}, 952: {"US", "MN"},
	// Missouri
	235: {"US", "MO"}, 314: {"US", "MO"}, 417: {"US", "MO"}, 557: {"US", "MO"}, 573: {"US", "MO"},
	636: {"US", "MO"}, 660: {"US", "MO"}, 816: {"US", "MO"}, 975: {"US", "MO"},
	// Mississippi
	228: {"US", "MS"}, 601: {"US", "MS"}, 662: {"US", "MS"}, 769: {"US", "MS"},
	// Montana
	406: {"US", "MT"},
	// North Carolina
	252: {"US", "NC"}, 336: {"US", "NC"}, 472: {"US", "NC"}, 704: {"US", "NC"}, 743: {"US", "NC"},
	828: {"US", "NC"}, 910: {"US", "NC"}, 919: {"US", "NC"}, 980: {"US", "NC"}, 984: {"US", "NC"},
	// North Dakota
	701: {"US", "ND"},
	// Nebraska
	308: {"US", "NE"}, 402: {"US", "NE"}, 531: {"US", "NE"},
	// New Hampshire
	603: {"US", "NH"},
	// New Jersey
	201: {"US", "NJ"}, 551: {"US", "NJ"}, 609: {"US", "NJ"}, 640: {"US", "NJ"}, 732: {"US", "NJ"},
	848: {"US", "NJ"}, 856: {"US", "NJ"}, 862: {"US", "NJ"}, 908: {"US", "NJ"}, 973: {"US", "NJ"},
	// New Mexico
	505: {"US", "NM"}, 575: {"US", "NM"},
	// Nevada
	702: {"US", "NV"}, 725: {"US", "NV"}, 775: {"US", "NV"},
	// New York
	212: {"US", "NY"}, 315: {"US", "NY"}, 329: {"US", "NY"}, 332: {"US", "NY"}, 347: {"US", "NY"},
	363: {"US", "NY"}, 516: {"US", "NY"}, 518: {"US", "NY"}, 585: {"US", "NY"}, 607: {"US", "NY"},
	624: {"US", "NY"}, 631: {"US", "NY"}, 646: {"US", "NY"}, 680: {"US", "NY"}, 716: {"US", "NY"},
	718: {"US", "NY"}, 838: {"US", "NY"}, 845: {"US", "NY"}, 914: {"US", "NY"}, 917: {"US", "NY"},
	929: {"US", "NY"}, 934: {"US", "NY"},
	// Ohio
	216: {"US", "OH"}, 220: {"US", "OH"}, 234: {"US", "OH"}, 283: {"US", "OH"}, 326: {"US", "OH"},
	330: {"US", "OH"}, 380: {"US", "OH"}, 419: {"US", "OH"}, 440: {"US", "OH"}, 513: {"US", "OH"},
	567: {"US", "OH"}, 614: {"US", "OH"}, 740: {"US", "OH"}, 937: {"US", "OH"},
	// Oklahoma
	405: {"US", "OK"}, 539: {"US", "OK"}, 572: {"US", "OK"}, 580: {"US", "OK"}, 918: {"US", "OK"},
	// Oregon
	458: {"US", "OR"}, 503: {"US", "OR"}, 541: {"US", "OR"}, 971: {"US", "OR"},
	// Pennsylvania
	215: {"US", "PA"}, 223: {"US", "PA"}, 267: {"US", "PA"}, 272: {"US", "PA"}, 412: {"US", "PA"},
	445: {"US", "PA"}, 484: {"US", "PA"}, 570: {"US", "PA"}, 582: {"US", "PA"}, 610: {"US", "PA"},
	717: {"US", "PA"}, 724: {"US", "PA"}, 814: {"US", "PA"}, 835: {"US", "PA"}, 878: {"US", "PA"},
	// Rhode Island
	401: {"US", "RI"},
	// South Carolina
	803: {"US", "SC"}, 821: {"US", "SC"}, 839: {"US", "SC"}, 843: {"US", "SC"}, 854: {"US", "SC"},
	864: {"US", "SC"},
	// South Dakota
	605: {"US", "SD"},
	// Tennessee
	423: {"US", "TN"}, 615: {"US", "TN"}, 629: {"US", "TN"}, 731: {"US", "TN"}, 865: {"US", "TN"},
	901: {"US", "TN"}, 931: {"US", "TN"},
	// Texas
	210: {"US", "TX"}, 214: {"US", "TX"}, 254: {"US", "TX"}, 281: {"US", "TX"}, 325: {"US", "TX"},
	346: {"US", "TX"}, 361: {"US", "TX"}, 409: {"US", "TX"}, 430: {"US", "TX"}, 432: {"US", "TX"},
	469: {"US", "TX"}, 512: {"US", "TX"}, 682: {"US", "TX"}, 713: {"US", "TX"}, 726: {"US", "TX"},
	737: {"US", "TX"}, 806: {"US", "TX"}, 817: {"US", "TX"}, 830: {"US", "TX"}, 832: {"US", "TX"},
	903: {"US", "TX"}, 915: {"US", "TX"}, 936: {"US", "TX"}, 940: {"US", "TX"}, 945: {"US", "TX"},
	956: {"US", "TX"}, 972: {"US", "TX"}, 979: {"US", "TX"},
	// Utah
	385: {"US", "UT"}, 435: {"US", "UT"}, 801: {"US", "UT"},
	// Virginia
	276: {"US", "VA"}, 434: {"US", "VA"}, 540: {"US", "VA"}, 571: {"US", "VA"}, 686: {"US", "VA"},
	703: {"US", "VA"}, 757: {"US", "VA"}, 804: {"US", "VA"}, 826: {"US", "VA"}, 948: {"US", "VA"},
	// Vermont
	802: {"US", "VT"},
	// Washington
	206: {"US", "WA"}, 253: {"US", "WA"}, 360: {"US", "WA"}, 425: {"US", "WA"}, 509: {"US", "WA"},
	564: {"US", "WA"},
	// Wisconsin
	262: {"US", "WI"}, 274: {"US", "WI"}, 353: {"US", "WI"}, 414: {"US", "WI"}, 534: {"US", "WI"},
	608: {"US", "WI"}, 715: {"US", "WI"}, 920: {"US", "WI"},
	// West Virginia
	304: {"US", "WV"}, 681: {"US", "WV"},
	// Wyoming
	307: {"US", "WY"},
	// American Samoa
	684: {"AS", "AS"},
	// Guam
	671: {"GU", "GU"},
	// Northern Mariana Islands
	670: {"MP", "MP"},
	// Puerto Rico
	787: {"PR", "PR"}, 939: {"PR", "PR"},
	// U.S. Virgin Islands
	340: {"VI", "VI"},
	// Alberta
	368: {"CA", "AB"}, 403: {"CA", "AB"}, 587: {"CA", "AB"}, 780: {"CA", "AB"}, 825: {"CA", "AB"},
	// British Columbia
	236: {"CA", "BC"}, 250: {"CA", "BC"}, 257: {"CA", "BC"}, 604: {"CA", "BC"}, 672: {"CA", "BC"},
	778: {"CA", "BC"},
	// Manitoba
	204: {"CA", "MB"}, 431: {"CA", "MB"}, 584: {"CA", "MB"},
	// New Brunswick
	428: {"CA", "NB"}, 506: {"CA", "NB"},
	// Newfoundland and Labrador
	709: {"CA", "NL"}, 879: {"CA", "NL"},
	// Nova Scotia, Prince Edward Island
	782: {"CA", "NS/PE"}, 902: {"CA", "NS/PE"},
	// Ontario
	226: {"CA", "ON"}, 249: {"CA", "ON"}, 289: {"CA", "ON"}, 343: {"CA", "ON"}, 365: {"CA", "ON"},
	382: {"CA", "ON"}, 416: {"CA", "ON"}, 437: {"CA", "ON"}, 519: {"CA", "ON"}, 548: {"CA", "ON"},
	613: {"CA", "ON"}, 647: {"CA", "ON"}, 683: {"CA", "ON"}, 705: {"CA", "ON"}, 742: {"CA", "ON"},
	753: {"CA", "ON"}, 807: {"CA", "ON"}, 905: {"CA", "ON"}, 942: {"CA", "ON"},
	// Quebec
	263: {"CA", "QC"}, 354: {"CA", "QC"}, 367: {"CA", "QC"}, 418: {"CA", "QC"}, 438: {"CA", "QC"},
	450: {"CA", "QC"}, 468: {"CA", "QC"}, 514: {"CA", "QC"}, 579: {"CA", "QC"}, 581: {"CA", "QC"},
	819: {"CA", "QC"}, 873: {"CA", "QC"},
	// Saskatchewan
	306: {"CA", "SK"}, 474: {"CA", "SK"}, 639: {"CA", "SK"},
	// Yukon, Northwest Territories, Nunavut
	867: {"CA", "YT/NT/NU"},
}
