package compliance

import "time"

// DefaultStateRules returns a fresh copy of the built-in state table: one
// row for each of the 50 states and the District of Columbia, each citing
// the statute or regulation it encodes. A row whose Hours are zero found no
// calling hours stricter than the federal rule (which applies to every
// state through its country's rule); its Source still cites the state's
// telemarketing law and its Note says so.
//
// The rows encode the statutes as we read them, not legal advice; several
// citations were checked against secondary summaries rather than the
// official text (docs/compliance.md lists which). Where a
// statute is unclear the row takes the cautious reading and its Note says
// which; where a rule covers only some calls (prerecorded messages,
// autodialers) the Note names it and the row does not apply it to every
// call. Override a row with Rules.With when counsel reads it differently.
func DefaultStateRules() []StateRule {
	eightToEight := Interval{Start: At(8, 0), End: At(20, 0)}
	nineToNine := Interval{Start: At(9, 0), End: At(21, 0)}
	threePerDay := Cap{Limit: 3, Per: 24 * time.Hour}
	const federalOnly = "No calling hours stricter than the federal 8 a.m.–9 p.m. found in the state's telemarketing law; the federal rule applies."
	return []StateRule{
		{State: "AL", Hours: eightToEight, NoSunday: true, NoHolidays: true,
			Source: "Ala. Admin. Code r. 770-X-5-.17 (Alabama PSC telephone solicitation rule: 8 a.m.–8 p.m., not on Sundays or legal holidays); holidays: Ala. Code § 1-3-8",
			Note:   "The PSC rule binds telephone service providers under PSC jurisdiction; applied to every call (cautious reading)."},
		{State: "AK", Source: "Alaska Stat. § 45.50.475 (telephone solicitations)", Note: federalOnly},
		{State: "AZ", Source: "Ariz. Rev. Stat. § 44-1278 (telephone solicitations)", Note: federalOnly},
		{State: "AR", Source: "Ark. Code Ann. § 4-99-401 et seq. (Arkansas Do-Not-Call Act)", Note: federalOnly},
		{State: "CA", Source: "Cal. Bus. & Prof. Code § 17590 et seq. (telephone solicitation)", Note: federalOnly},
		{State: "CO", Source: "Colo. Rev. Stat. § 6-1-901 et seq. (Colorado No-Call List Act)", Note: federalOnly},
		{State: "CT", Hours: Interval{Start: At(9, 0), End: At(20, 0)},
			Source: "Conn. Gen. Stat. § 42-288a(c), as amended by Pub. Act 23-98 (no telephonic sales call before 9 a.m. or after 8 p.m.)"},
		{State: "DE", Source: "Del. Code Ann. tit. 6, § 2501A et seq. (telemarketing)", Note: federalOnly},
		{State: "DC", Source: "D.C. Code § 22-3226.01 et seq. (telemarketing); federal law governs calling hours", Note: federalOnly},
		{State: "FL", Hours: eightToEight, Cap: threePerDay,
			Source: "Fla. Stat. § 501.616(6)(a) (no commercial telephone solicitation before 8 a.m. or after 8 p.m.), (6)(b) (no more than 3 calls in 24 hours on the same subject)",
			Note:   "The cap counts calls to the same person on the same subject matter; the row counts every call of the workspace to the number (cautious reading)."},
		{State: "GA", Source: "Ga. Code Ann. § 46-5-27 (telephone solicitation)", Note: federalOnly},
		{State: "HI", Source: "Haw. Rev. Stat. § 481P-3 (telephone solicitation)", Note: federalOnly},
		{State: "ID", Source: "Idaho Code § 48-1003 (telephone solicitation)", Note: federalOnly},
		{State: "IL", Source: "815 ILCS 413/15 (Telephone Solicitations Act)",
			Note: "Calls made with an autodialer and recorded message (815 ILCS 305/15, Automatic Telephone Dialers Act) only 9 a.m.–9 p.m.; not applied to live calls. " + federalOnly},
		{State: "IN", Source: "Ind. Code § 24-4.7 (telephone solicitation of consumers)",
			Note: "Prerecorded-message calls are restricted by Ind. Code § 24-5-14; not applied to live calls. " + federalOnly},
		{State: "IA", Source: "Iowa Code § 714D (telephone solicitation)", Note: federalOnly},
		{State: "KS", Hours: nineToNine,
			Source: "Kan. Stat. Ann. § 50-670(b)(4) (no telephone solicitation before 9 a.m. or after 9 p.m. in the consumer's time zone)"},
		{State: "KY", Hours: Interval{Start: At(10, 0), End: At(21, 0)},
			Source: "Ky. Rev. Stat. § 367.46955(15) (no telephone solicitation before 10 a.m. or after 9 p.m.)"},
		{State: "LA", Hours: eightToEight, NoSunday: true, NoHolidays: true,
			Source: "La. R.S. 45:811 (no telephonic solicitation on Sunday, a legal holiday, or before 8 a.m. or after 8 p.m.); LPSC General Order R-29617; holidays: La. R.S. 1:55(A)(1)",
			Note:   "The LPSC lists fewer holidays than La. R.S. 1:55; the row bans every legal holiday of 1:55 (cautious reading). Emergencies: add Blackouts (La. R.S. 45:844.31)."},
		{State: "ME", Source: "Me. Rev. Stat. tit. 10, § 1498 (automated telephone solicitation)",
			Note: "Automated calls: at most one call per number in 8 hours (tit. 10, § 1498); not applied to live calls. " + federalOnly},
		{State: "MD", Hours: eightToEight, Cap: threePerDay,
			Source: "Md. Code, Com. Law § 14-4503 (Stop the Spam Calls Act of 2023: 8 a.m.–8 p.m., no more than 3 calls in 24 hours on the same subject)"},
		{State: "MA", Hours: eightToEight,
			Source: "Mass. Gen. Laws ch. 159C, § 3; 201 CMR 12.02 (no unsolicited telephonic sales call before 8 a.m. or after 8 p.m.)"},
		{State: "MI", Hours: nineToNine,
			Source: "Mich. Comp. Laws § 445.111b(1) (Home Solicitation Sales Act: no telephone solicitation before 9 a.m. or after 9 p.m.)"},
		{State: "MN", Hours: nineToNine,
			Source: "Minn. Stat. § 325E.27 (no telephone solicitation before 9 a.m. or after 9 p.m.)"},
		{State: "MS", Hours: eightToEight, NoSunday: true, NoHolidays: true,
			Source: "Miss. Code Ann. § 77-3-725 (8 a.m.–8 p.m., not on Sunday); Miss. PSC telephone solicitation rules (legal holidays); holidays: Miss. Code Ann. § 3-3-7",
			Note: "The statute names hours and Sundays; secondary sources read the PSC rules to ban legal holidays too, and the row does (cautious reading). " +
				"Charitable solicitations: 9 a.m.–9 p.m. Monday–Saturday, never Sunday (Miss. Code Ann. § 79-11-524); not applied to other calls."},
		{State: "MO", Source: "Mo. Rev. Stat. § 407.1098 (no-call list); § 407.1076 (telemarketing practices)", Note: federalOnly},
		{State: "MT", Source: "Mont. Code Ann. § 30-14-1601 et seq. (telemarketing registration and fraud prevention)", Note: federalOnly},
		{State: "NE", Source: "Neb. Rev. Stat. § 86-236 et seq. (Automatic Dialing-Announcing Devices)",
			Note: "Prerecorded-message calls only 8 a.m.–9 p.m., and 1 p.m.–9 p.m. on Sundays and legal holidays (291 Neb. Admin. Code ch. 11, § 3); not applied to live calls. " + federalOnly},
		{State: "NV", Hours: Interval{Start: At(9, 0), End: At(20, 0)},
			Source: "Nev. Rev. Stat. § 228.590 (no unsolicited telephone call for sales before 9 a.m. or after 8 p.m.)"},
		{State: "NH", Source: "N.H. Rev. Stat. Ann. § 359-E (telephone sales)", Note: federalOnly},
		{State: "NJ", Source: "N.J. Stat. Ann. § 56:8-119 et seq. (telemarketing; § 56:8-128 hours as federal)", Note: federalOnly},
		{State: "NM", Hours: nineToNine,
			Source: "N.M. Stat. Ann. § 57-12-22(A) (no telephone solicitation before 9 a.m. or after 9 p.m.)"},
		{State: "NY", Source: "N.Y. Gen. Bus. Law § 399-z(6) (no telemarketing call between 9 p.m. and 8 a.m.)", Note: federalOnly},
		{State: "NC", Source: "N.C. Gen. Stat. § 75-104 (prerecorded messages), § 75-102 (telephone solicitation)", Note: federalOnly},
		{State: "ND", Source: "N.D. Cent. Code § 51-28 (telephone solicitation)", Note: federalOnly},
		{State: "OH", Source: "Ohio Rev. Code § 4719 (telephone solicitation sales)", Note: federalOnly},
		{State: "OK", Hours: eightToEight, Cap: threePerDay,
			Source: "Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act of 2022: 8 a.m.–8 p.m., no more than 3 calls in 24 hours on the same subject)"},
		{State: "OR", Source: "Or. Rev. Stat. § 646.569 (telephone solicitation)", Note: federalOnly},
		{State: "PA", Hours: Interval{Start: At(8, 0), End: At(21, 0)},
			DayHours:   map[time.Weekday]Interval{time.Sunday: {Start: At(13, 30), End: At(21, 0)}},
			NoHolidays: true,
			Source:     "73 P.S. § 2245(a) (Telemarketer Registration Act: not before 8 a.m. or after 9 p.m., Sundays not before 1:30 p.m., not on legal holidays); holidays: 44 P.S. § 11",
			Note: "Legal holidays added by Act 73 of 2019 (§ 5(a)(10)). Secondary summaries disagree on Sunday hours; the row starts Sundays at 1:30 p.m. (cautious reading). " +
				"Senate Bill 992 (2025), passed by the Senate, would ban Sundays and allow only 9 a.m.–7 p.m.: not applied until enacted; override the row when it is."},
		{State: "RI", Hours: Interval{Start: At(9, 0), End: At(18, 0)},
			DayHours: map[time.Weekday]Interval{time.Saturday: {Start: At(10, 0), End: At(17, 0)}},
			NoSunday: true, NoHolidays: true,
			Source: "R.I. Gen. Laws § 5-61-3.6 with § 5-61-2(9) (hours of operation: Mon–Fri 9 a.m.–6 p.m., Sat 10 a.m.–5 p.m., never on Sundays or legal holidays); holidays: R.I. Gen. Laws § 25-1-1",
			Note:   "Covers unsolicited telephonic sales calls."},
		{State: "SC", Source: "S.C. Code Ann. § 37-21-70 (Telephone Privacy Protection Act: not before 8 a.m. or after 9 p.m.)", Note: federalOnly},
		{State: "SD", Source: "S.D. Codified Laws § 37-30A (telephone solicitation)", Note: federalOnly},
		{State: "TN", Source: "Tenn. Code Ann. § 65-4-401 et seq.; Tenn. Comp. R. & Regs. 1220-04-11 (no telephone solicitation before 8 a.m. or after 9 p.m.)", Note: federalOnly},
		{State: "TX", Hours: nineToNine,
			DayHours: map[time.Weekday]Interval{time.Sunday: {Start: At(12, 0), End: At(21, 0)}},
			Source:   "Tex. Bus. & Com. Code § 301.051 (9 a.m.–9 p.m. Monday–Saturday, noon–9 p.m. Sunday)"},
		{State: "UT", Hours: Interval{Start: At(8, 0), End: At(21, 0)}, NoSunday: true, NoHolidays: true,
			Source: "Utah Code § 13-25a-103(3) (not between 9 p.m. and 8 a.m., on a Sunday, or on a legal holiday); holidays: Utah Code § 63G-1-301",
			Note:   "Calls with prior express consent are exempt; the row applies to every call (cautious reading)."},
		{State: "VT", Source: "Vt. Stat. Ann. tit. 9, § 2464a (telephone solicitation)", Note: federalOnly},
		{State: "VA", Source: "Va. Code Ann. § 59.1-510 et seq. (Virginia Telephone Privacy Protection Act: not before 8 a.m. or after 9 p.m.)", Note: federalOnly},
		{State: "WA", Hours: eightToEight,
			Source: "RCW 80.36.390(2) and RCW 19.158.110 (no telephone solicitation before 8 a.m. or after 8 p.m.)"},
		{State: "WV", Source: "W. Va. Code § 46A-6F (telemarketing)", Note: federalOnly},
		{State: "WI", Source: "Wis. Stat. § 100.52 (telephone solicitations)", Note: federalOnly},
		{State: "WY", Source: "Wyo. Stat. Ann. § 40-12-301 et seq. (telephone solicitation)", Note: federalOnly},
	}
}
