package campaign

// MaskAttempt returns a with the personal data an erasure removes from the
// attempt log: the number dialled, the caller's note, the outcome's
// free-form fields and follow-up. Everything reports count stays (result,
// times, durations, cost, disposition, meeting and revenue flags, goal
// results, answers) so the anonymous totals do not change.
func MaskAttempt(a Attempt) Attempt {
	a.Number = ""
	a.Outcome.Note, a.Outcome.Fields, a.Outcome.FollowUp = "", nil, ""
	return a
}

// MaskBlock returns b with the personal data an erasure removes: the
// number and the free-text detail. The reason code, scope, stage and time
// stay, so block counts do not change.
func MaskBlock(b Block) Block {
	b.Number, b.Detail = "", ""
	return b
}

// AttemptMasked reports whether a holds none of the personal data
// [MaskAttempt] removes, so masking it again would change nothing.
func AttemptMasked(a Attempt) bool {
	return a.Number == "" && a.Outcome.Note == "" && len(a.Outcome.Fields) == 0 && a.Outcome.FollowUp == ""
}
