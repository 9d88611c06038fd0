package recruit

import (
	"time"

	"zhibu/internal/dates"
)

// Due is the next step a person's file waits for: its kind, the day it is
// due (zero when no rule sets one), and the rule that sets it.
type Due struct {
	Kind string
	// From is the earliest day the step may be taken (a development
	// target after a year as activist); it is not a deadline.
	From    time.Time
	On      time.Time
	Rule    string
	Overdue bool
	Soon    bool // due within the reminder days (remind_days)
	// Committee marks a step the higher committee takes (pre-review,
	// talk, approval), for the reviewer's list.
	Committee bool
}

// Next returns the step f waits for on today under r, or false when the
// file is closed (full member, cancelled).
func Next(f File, r Rules, today time.Time) (Due, bool) {
	d, ok := next(f, r)
	if !ok {
		return d, false
	}
	if !d.On.IsZero() {
		d.Overdue = today.After(d.On)
		d.Soon = !d.Overdue && !today.Before(d.On.AddDate(0, 0, -r.N("remind_days")))
	}
	return d, true
}

func next(f File, r Rules) (Due, bool) {
	after := func(kind, rule string, from time.Time, months int) Due {
		return Due{Kind: kind, On: dates.AddMonths(from, months), Rule: rule}
	}
	switch f.Stage() {
	case "applicant":
		app := f.On("application")
		if app == nil {
			return Due{Kind: "application"}, true
		}
		if f.Last("talk") == nil {
			return after("talk", "talk_months", *app, r.N("talk_months")), true
		}
		if f.On("activist") == nil {
			return Due{Kind: "activist"}, true
		}
		// The roster still says applicant although the step is recorded:
		// the next activist's steps apply.
		fallthrough
	case "activist":
		act := f.On("activist")
		if act == nil {
			return Due{Kind: "activist"}, true
		}
		from := *act
		if a := f.Last("assessment"); a != nil {
			from = a.DoneOn
		}
		eligible := dates.AddMonths(*act, r.N("activist_months"))
		assess := dates.AddMonths(from, r.N("assessment_months"))
		if !assess.Before(eligible) && f.Count("assessment") > 0 {
			return Due{Kind: "target", From: eligible, Rule: "activist_months"}, true
		}
		return Due{Kind: "assessment", On: assess, Rule: "assessment_months"}, true
	case "target":
		if m := f.Last("admission_meeting"); m != nil {
			if f.Last("higher_talk") == nil {
				return Due{Kind: "higher_talk", Committee: true, On: dates.AddMonths(m.DoneOn, r.N("approval_months")), Rule: "approval_months"}, true
			}
			return Due{Kind: "approval", Committee: true, On: dates.AddMonths(m.DoneOn, r.N("approval_months")), Rule: "approval_months"}, true
		}
		for _, k := range []string{"target_filed", "introducers", "political_review", "training", "branch_review", "pre_review", "notice", "form_issued", "admission_meeting"} {
			if f.Last(k) == nil {
				return Due{Kind: k, Committee: k == "pre_review"}, true
			}
		}
		return Due{Kind: "admission_meeting"}, true
	case "probationary":
		end := f.ProbationEnd(r)
		if end == nil {
			return Due{Kind: "conversion_meeting"}, true
		}
		if m := f.Last("conversion_meeting"); m != nil && m.Outcome == "on_time" {
			return Due{Kind: "conversion_approval", Committee: true, On: dates.AddMonths(m.DoneOn, r.N("conversion_approval_months")), Rule: "conversion_approval_months"}, true
		}
		from := *f.admittedOn()
		if a := f.Last("probation_assessment"); a != nil {
			from = a.DoneOn
		}
		if assess := dates.AddMonths(from, r.N("assessment_months")); assess.Before(*end) {
			return Due{Kind: "probation_assessment", On: assess, Rule: "assessment_months"}, true
		}
		return Due{Kind: "conversion_meeting", On: *end, Rule: "probation_months"}, true
	}
	return Due{}, false
}
