package recruit

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

// rules2014 is the 2014 set as migration 000200 loads it.
func rules2014() Rules {
	r := Rules{Set: "2014", By: map[string]Rule{}}
	for code, n := range map[string]int{"min_age_years": 18, "talk_months": 1, "assessment_months": 6, "activist_months": 12,
		"training_hours": 24, "training_days": 3, "notice_workdays": 5, "quorum_percent": 50, "favour_percent": 50,
		"approval_months": 3, "approval_max_months": 6, "probation_months": 12, "extension_min_months": 6,
		"extension_max_months": 12, "conversion_approval_months": 3, "remind_days": 30} {
		r.By[code] = Rule{Code: code, Amount: n, Document: "《中国共产党发展党员工作细则》", Article: "第X条"}
	}
	return r
}

func file(cat string, steps ...Step) File {
	return File{Person: Person{ID: 1, Category: cat, PartyStatus: "normal", BirthDate: day("1990-02-28")}, Steps: steps}
}

func st(kind, on string) Step { return Step{Kind: kind, DoneOn: day(on)} }

// boundary runs a step dated short / exact / over and expects the result
// of each: "" accepted on time, "late:<rule>", "refused:<rule>".
type boundary struct {
	name string
	f    File
	s    Step
	want string
}

func outcome(s Step, e *Refusal) string {
	switch {
	case e != nil:
		return "refused:" + e.Rule
	case s.LateRule != "":
		return "late:" + s.LateRule
	case s.FlagRule != "":
		return "flag:" + s.FlagRule
	}
	return ""
}

func runBoundaries(t *testing.T, cases []boundary) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, e := Check(c.f, c.s, rules2014(), false)
			if o := outcome(got, e); o != c.want {
				t.Errorf("got %q, want %q", o, c.want)
			}
		})
	}
}

func TestMinimumAge(t *testing.T) {
	leap := File{Person: Person{Category: "applicant", PartyStatus: "normal", BirthDate: day("2004-02-29")}}
	runBoundaries(t, []boundary{
		{"a day short of 18", file("applicant"), st("application", "2008-02-27"), "refused:min_age_years"},
		{"18th birthday", file("applicant"), st("application", "2008-02-28"), ""},
		{"a day over", file("applicant"), st("application", "2008-02-29"), ""},
		// born 29 February: the birthday in a common year is 28 February (clamped).
		{"29 Feb born, 27 Feb", leap, st("application", "2022-02-27"), "refused:min_age_years"},
		{"29 Feb born, 28 Feb", leap, st("application", "2022-02-28"), ""},
	})
}

func TestTalkWithinOneMonth(t *testing.T) {
	jan31 := file("applicant", st("application", "2025-01-31"))
	runBoundaries(t, []boundary{
		{"a day short", file("applicant", st("application", "2025-03-15")), st("talk", "2025-04-14"), ""},
		{"exactly one month", file("applicant", st("application", "2025-03-15")), st("talk", "2025-04-15"), ""},
		{"a day over: late", file("applicant", st("application", "2025-03-15")), st("talk", "2025-04-16"), "late:talk_months"},
		// 31 January + 1 month = 28 February (clamped), in a common year.
		{"month end exact", jan31, st("talk", "2025-02-28"), ""},
		{"month end over", jan31, st("talk", "2025-03-01"), "late:talk_months"},
		{"leap year end", file("applicant", st("application", "2024-01-31")), st("talk", "2024-02-29"), ""},
		{"leap year over", file("applicant", st("application", "2024-01-31")), st("talk", "2024-03-01"), "late:talk_months"},
		{"before the application", file("applicant", st("application", "2025-03-15")), st("talk", "2025-03-14"), "refused:"},
	})
}

func TestActivistYearBeforeTarget(t *testing.T) {
	act := func(on string) File {
		return file("activist", st("application", "2022-01-10"), st("activist", on))
	}
	runBoundaries(t, []boundary{
		{"a day short of a year", act("2023-05-20"), st("target", "2024-05-19"), "refused:activist_months"},
		{"exactly a year", act("2023-05-20"), st("target", "2024-05-20"), ""},
		{"a day over", act("2023-05-20"), st("target", "2024-05-21"), ""},
		// named 29 February 2024: the year ends 28 February 2025.
		{"29 Feb, a day short", act("2024-02-29"), st("target", "2025-02-27"), "refused:activist_months"},
		{"29 Feb, exact", act("2024-02-29"), st("target", "2025-02-28"), ""},
		{"no activist step", file("applicant", st("application", "2022-01-10")), st("target", "2024-05-20"), "refused:"},
	})
	// Brought in as history, the early naming is kept and flagged.
	got, e := Check(act("2023-05-20"), st("target", "2024-05-19"), rules2014(), true)
	if outcome(got, e) != "flag:activist_months" {
		t.Errorf("history: %q", outcome(got, e))
	}
}

func TestAssessmentEverySixMonths(t *testing.T) {
	f := file("activist", st("application", "2023-01-10"), st("activist", "2023-08-31"))
	runBoundaries(t, []boundary{
		{"a day short", f, st("assessment", "2024-02-28"), ""},
		{"exact (31 Aug + 6 = 29 Feb)", f, st("assessment", "2024-02-29"), ""},
		{"a day over", f, st("assessment", "2024-03-01"), "late:assessment_months"},
	})
}

func TestTrainingAndNotice(t *testing.T) {
	f := file("target", st("application", "2022-01-10"), st("activist", "2022-03-01"), st("target", "2023-03-01"))
	tr := func(h, d int) Step { s := st("training", "2023-04-01"); s.Hours, s.Days = &h, &d; return s }
	notice := func(from, to string) Step { s := st("notice", from); s.EndOn = ptr(day(to)); return s }
	runBoundaries(t, []boundary{
		{"23 hours, 2 days", f, tr(23, 2), "refused:training_hours"},
		{"24 hours", f, tr(24, 0), ""},
		{"3 days", f, tr(0, 3), ""},
		// Monday 2 June 2025 to Thursday 5 June: 4 working days; to Friday: 5; to Monday: 6.
		{"notice 4 working days", f, notice("2025-06-02", "2025-06-05"), "refused:notice_workdays"},
		{"notice 5 working days", f, notice("2025-06-02", "2025-06-06"), ""},
		{"notice over a weekend", f, notice("2025-06-04", "2025-06-10"), ""},
		{"notice 4 over a weekend", f, notice("2025-06-05", "2025-06-10"), "refused:notice_workdays"},
	})
}

func ready() File {
	return file("target", st("application", "2022-01-10"), st("activist", "2022-03-01"), st("target", "2023-03-01"),
		Step{Kind: "political_review", DoneOn: day("2023-04-01"), Outcome: "passed"}, Step{Kind: "training", DoneOn: day("2023-04-02"), Hours: ptr(24)})
}

func vote(kind, on string, due, present, favour int) Step {
	s := st(kind, on)
	s.DueCount, s.Present, s.InFavour = &due, &present, &favour
	return s
}

func TestAdmissionVote(t *testing.T) {
	runBoundaries(t, []boundary{
		// 20 due: more than half is 11.
		{"10 of 20 present", ready(), vote("admission_meeting", "2023-06-01", 20, 10, 10), "refused:quorum_percent"},
		{"11 of 20 present", ready(), vote("admission_meeting", "2023-06-01", 20, 11, 11), ""},
		// favour is counted against those due, not those present.
		{"10 of 20 in favour", ready(), vote("admission_meeting", "2023-06-01", 20, 15, 10), "refused:favour_percent"},
		{"odd: 3 of 5 present and in favour", ready(), vote("admission_meeting", "2023-06-01", 5, 3, 3), ""},
		{"odd: 2 of 5", ready(), vote("admission_meeting", "2023-06-01", 5, 5, 2), "refused:favour_percent"},
	})
	noReview := file("target", st("application", "2022-01-10"), st("activist", "2022-03-01"), st("target", "2023-03-01"),
		Step{Kind: "political_review", DoneOn: day("2023-04-01"), Outcome: "failed"}, Step{Kind: "training", DoneOn: day("2023-04-02"), Hours: ptr(24)})
	if _, e := Check(noReview, vote("admission_meeting", "2023-06-01", 20, 15, 15), rules2014(), false); e == nil || e.Key != "recruit.error.needs.political_review" {
		t.Errorf("a failed political review must refuse admission (第十六条): %+v", e)
	}
}

func TestApprovalWithinThreeMonths(t *testing.T) {
	f := ready()
	f.Steps = append(f.Steps, vote("admission_meeting", "2023-11-30", 20, 15, 15))
	ap := func(on, reason string) Step {
		s := st("approval", on)
		s.Outcome, s.Reason = "passed", reason
		return s
	}
	runBoundaries(t, []boundary{
		// 30 November + 3 months = 29 February 2024 (leap year, clamped).
		{"a day short", f, ap("2024-02-28", ""), ""},
		{"exactly", f, ap("2024-02-29", ""), ""},
		{"a day over, no reason", f, ap("2024-03-01", ""), "refused:approval_months"},
		{"a day over, reason", f, ap("2024-03-01", "特殊情况"), "late:approval_months"},
		// 30 November + 6 months = 30 May.
		{"six months exactly", f, ap("2024-05-30", "特殊情况"), "late:approval_months"},
		{"past six months", f, ap("2024-05-31", "特殊情况"), "late:approval_max_months"},
	})
}

func probationer(admitted string) File {
	f := ready()
	f.Person.Category = "probationary"
	f.Steps = append(f.Steps, vote("admission_meeting", admitted, 20, 15, 15), Step{Kind: "approval", DoneOn: day(admitted).AddDate(0, 1, 0), Outcome: "passed"})
	return f
}

func TestConversionMeetingAtProbationEnd(t *testing.T) {
	conv := func(on, outcome, until string) Step {
		s := vote("conversion_meeting", on, 20, 15, 15)
		s.Outcome = outcome
		if until != "" {
			s.EndOn = ptr(day(until))
		}
		return s
	}
	leap := probationer("2024-02-29")
	runBoundaries(t, []boundary{
		{"a day before the year ends", probationer("2024-06-10"), conv("2025-06-09", "on_time", ""), "refused:probation_months"},
		{"the day it ends", probationer("2024-06-10"), conv("2025-06-10", "on_time", ""), ""},
		{"a day after", probationer("2024-06-10"), conv("2025-06-11", "on_time", ""), ""},
		{"29 Feb: 27 Feb", leap, conv("2025-02-27", "on_time", ""), "refused:probation_months"},
		{"29 Feb: 28 Feb", leap, conv("2025-02-28", "on_time", ""), ""},
		// extension: 6 to 12 months after the original end (2025-06-10).
		{"extension a day short of 6 months", probationer("2024-06-10"), conv("2025-06-10", "extend", "2025-12-09"), "refused:extension_min_months"},
		{"extension 6 months", probationer("2024-06-10"), conv("2025-06-10", "extend", "2025-12-10"), ""},
		{"extension 12 months", probationer("2024-06-10"), conv("2025-06-10", "extend", "2026-06-10"), ""},
		{"extension a day over 12", probationer("2024-06-10"), conv("2025-06-10", "extend", "2026-06-11"), "refused:extension_max_months"},
		{"cancellation", probationer("2024-06-10"), conv("2025-06-10", "cancel", ""), ""},
	})
	ext := probationer("2024-06-10")
	ext.Steps = append(ext.Steps, conv("2025-06-10", "extend", "2025-12-10"))
	if end := ext.ProbationEnd(rules2014()); !end.Equal(day("2025-12-10")) {
		t.Errorf("extended end %v", end)
	}
	runBoundaries(t, []boundary{
		{"after extension, early", ext, conv("2025-12-09", "on_time", ""), "refused:probation_months"},
		{"after extension, on the day", ext, conv("2025-12-10", "on_time", ""), ""},
		{"a second extension", ext, conv("2025-12-10", "extend", "2026-06-10"), "refused:extension_max_months"},
	})
}

func TestConversionApproval(t *testing.T) {
	f := probationer("2024-06-10")
	m := vote("conversion_meeting", "2025-06-10", 20, 15, 15)
	m.Outcome = "on_time"
	f.Steps = append(f.Steps, m)
	ap := func(on, reason string) Step {
		s := st("conversion_approval", on)
		s.Outcome, s.Reason = "passed", reason
		return s
	}
	runBoundaries(t, []boundary{
		{"a day short", f, ap("2025-09-09", ""), ""},
		{"exactly", f, ap("2025-09-10", ""), ""},
		{"a day over", f, ap("2025-09-11", ""), "refused:conversion_approval_months"},
		{"a day over with reason", f, ap("2025-09-11", "上级党委会议推迟"), "late:conversion_approval_months"},
	})
}

func TestNextDue(t *testing.T) {
	r := rules2014()
	f := file("applicant", st("application", "2025-03-15"))
	d, ok := Next(f, r, day("2025-04-15"))
	if !ok || d.Kind != "talk" || !d.On.Equal(day("2025-04-15")) || d.Overdue || !d.Soon {
		t.Errorf("on the due day: %+v", d)
	}
	if d, _ := Next(f, r, day("2025-04-16")); !d.Overdue {
		t.Errorf("a day over: %+v", d)
	}
	if d, _ := Next(f, r, day("2025-03-15")); d.Soon {
		t.Errorf("31 days before is not soon: %+v", d)
	}
	if d, _ := Next(f, r, day("2025-03-16")); !d.Soon {
		t.Errorf("30 days before is soon: %+v", d)
	}
	p := probationer("2024-06-10")
	p.Steps = append(p.Steps, st("probation_assessment", "2024-12-15"))
	if d, _ := Next(p, r, day("2025-05-20")); d.Kind != "conversion_meeting" || !d.On.Equal(day("2025-06-10")) || !d.Soon {
		t.Errorf("probation end: %+v", d)
	}
	closed := file("full")
	if _, ok := Next(closed, r, day("2025-01-01")); ok {
		t.Error("a full member waits for nothing")
	}
}

func TestRosterDatesFlagged(t *testing.T) {
	r := rules2014()
	person := func(activist, target string) File {
		a, tg := day(activist), day(target)
		return File{Person: Person{Category: "target", PartyStatus: "normal", BirthDate: day("1990-01-01"), ActivistOn: &a, TargetOn: &tg}}
	}
	for _, c := range []struct {
		activist, target string
		flags            int
	}{{"2023-03-31", "2024-03-30", 1}, {"2023-03-31", "2024-03-31", 0}, {"2024-02-29", "2025-02-27", 1}, {"2024-02-29", "2025-02-28", 0}} {
		if got := len(RosterFlags(person(c.activist, c.target), r)); got != c.flags {
			t.Errorf("%s → %s: %d flags, want %d", c.activist, c.target, got, c.flags)
		}
	}
	// A recorded target step is judged by the step, not flagged again.
	f := person("2023-03-31", "2024-03-30")
	f.Steps = []Step{{Kind: "target", DoneOn: day("2024-03-30"), FlagRule: "activist_months"}}
	if len(RosterFlags(f, r)) != 0 {
		t.Error("flagged twice")
	}
	young := File{Person: Person{BirthDate: day("2006-05-10"), AppliedOn: func() *time.Time { d := day("2024-05-09"); return &d }()}}
	if got := RosterFlags(young, r); len(got) != 1 || got[0] != "min_age_years" {
		t.Errorf("age: %v", got)
	}
}
