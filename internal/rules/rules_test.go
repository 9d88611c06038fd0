package rules

import (
	"testing"
	"time"
)

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

func ptr[T any](v T) *T { return &v }

func meetingRule(code, kind, period string, min float64) Rule {
	return Rule{Code: code, Kind: KindMeetings, MeetingKind: ptr(kind), AppliesTo: "branch", Period: period, Minimum: min, Enabled: true, EffectiveFrom: d(2018, 1, 1), Title: code, Source: "src"}
}

func held(f *Facts, m time.Month, kind string, n int) {
	if f.Months[m-1].Held == nil {
		f.Months[m-1].Held = map[string]int{}
	}
	f.Months[m-1].Held[kind] += n
}

func only(t *testing.T, rs []Result, code string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Rule.Code == code {
			return r
		}
	}
	t.Fatalf("no result for %s in %d results", code, len(rs))
	return Result{}
}

func TestMeetingRules(t *testing.T) {
	monthly := meetingRule("committee_meeting", "committee", PeriodMonth, 1)
	quarterly := meetingRule("general_meeting", "general", PeriodQuarter, 1)
	cases := []struct {
		name   string
		rule   Rule
		held   map[time.Month]int
		period Period
		today  time.Time
		want   Status
		actual float64
		req    float64
	}{
		{"month held", monthly, map[time.Month]int{3: 1}, Month(2026, 3), d(2026, 4, 2), Met, 1, 1},
		{"month missed after it ends", monthly, nil, Month(2026, 3), d(2026, 4, 1), Missed, 0, 1},
		{"month last day is still the month", monthly, nil, Month(2026, 3), d(2026, 3, 31), DueSoon, 0, 1},
		{"month early on is pending", monthly, nil, Month(2026, 3), d(2026, 3, 2), Pending, 0, 1},
		{"month 14 days before end is pending", monthly, nil, Month(2026, 3), d(2026, 3, 17), Pending, 0, 1},
		{"month 13 days before end is due soon", monthly, nil, Month(2026, 3), d(2026, 3, 18), DueSoon, 0, 1},
		{"year: one month missed spoils it", monthly, map[time.Month]int{1: 1, 2: 1, 4: 1}, Year(2026), d(2026, 4, 30), Missed, 3, 4},
		{"year: future months ignored", monthly, map[time.Month]int{1: 1, 2: 1, 3: 1}, Year(2026), d(2026, 3, 5), Met, 3, 3},
		{"quarter rule in a month: enclosing quarter", quarterly, map[time.Month]int{1: 1}, Month(2026, 3), d(2026, 5, 1), Met, 1, 1},
		{"quarter held in its last month", quarterly, map[time.Month]int{6: 1}, Quarter(2026, 2), d(2026, 7, 1), Met, 1, 1},
		{"quarter missed by a meeting in the next", quarterly, map[time.Month]int{7: 1}, Quarter(2026, 2), d(2026, 7, 1), Missed, 0, 1},
		{"future period not applicable", monthly, nil, Month(2026, 9), d(2026, 5, 1), NotApplicable, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Facts{Year: 2026}
			for m, n := range c.held {
				held(&f, m, c.rule.MeetingKindOf(), n)
			}
			r := only(t, Evaluate(f, []Rule{c.rule}, c.period, c.today), c.rule.Code)
			if r.Status != c.want || r.Actual != c.actual || r.Required != c.req {
				t.Errorf("got %s %v/%v, want %s %v/%v", r.Status, r.Actual, r.Required, c.want, c.actual, c.req)
			}
		})
	}
}

func TestGroupMeetingsScaleWithGroups(t *testing.T) {
	rule := meetingRule("group_meeting", "group", PeriodMonth, 1)
	f := Facts{Year: 2026}
	if r := only(t, Evaluate(f, []Rule{rule}, Month(2026, 3), d(2026, 5, 1)), "group_meeting"); r.Status != NotApplicable {
		t.Errorf("no groups: %s, want na", r.Status)
	}
	f.Groups = 2
	held(&f, 3, "group", 1)
	if r := only(t, Evaluate(f, []Rule{rule}, Month(2026, 3), d(2026, 5, 1)), "group_meeting"); r.Status != Missed || r.Required != 2 {
		t.Errorf("one of two groups met: %s %v, want missed of 2", r.Status, r.Required)
	}
	held(&f, 3, "group", 1)
	if r := only(t, Evaluate(f, []Rule{rule}, Month(2026, 3), d(2026, 5, 1)), "group_meeting"); r.Status != Met {
		t.Errorf("both groups met: %s", r.Status)
	}
}

func TestQuorum(t *testing.T) {
	rule := Rule{Code: "committee_quorum", Kind: KindQuorum, Period: PeriodMonth, Minimum: 0.5, Enabled: true, EffectiveFrom: d(2018, 1, 1)}
	f := Facts{Year: 2026}
	held(&f, 2, "committee", 2)
	f.Months[1].Quorate = 2
	if r := only(t, Evaluate(f, []Rule{rule}, Month(2026, 2), d(2026, 3, 5)), "committee_quorum"); r.Status != Met {
		t.Errorf("quorate: %s", r.Status)
	}
	f.Months[1].Quorate = 1
	if r := only(t, Evaluate(f, []Rule{rule}, Month(2026, 2), d(2026, 3, 5)), "committee_quorum"); r.Status != Missed || r.Actual != 1 || r.Required != 2 {
		t.Errorf("one without quorum: %s %v/%v", r.Status, r.Actual, r.Required)
	}
}

func TestRuleChangeEffectiveFromADate(t *testing.T) {
	// Party lectures: once a quarter until 30 June, twice from 1 July.
	old := meetingRule("party_lecture", "lecture", PeriodQuarter, 1)
	old.EffectiveTo = ptr(d(2026, 7, 1))
	changed := meetingRule("party_lecture", "lecture", PeriodQuarter, 2)
	changed.EffectiveFrom = d(2026, 7, 1)
	all := []Rule{changed, old}
	f := Facts{Year: 2026}
	held(&f, 5, "lecture", 1)
	held(&f, 8, "lecture", 1)
	today := d(2026, 11, 1)
	if r := only(t, Evaluate(f, all, Quarter(2026, 2), today), "party_lecture"); r.Status != Met || r.Required != 1 {
		t.Errorf("Q2 under the old rule: %s %v/%v, want met 1/1", r.Status, r.Actual, r.Required)
	}
	if r := only(t, Evaluate(f, all, Quarter(2026, 3), today), "party_lecture"); r.Status != Missed || r.Required != 2 {
		t.Errorf("Q3 under the new rule: %s %v/%v, want missed 1/2", r.Status, r.Actual, r.Required)
	}
	// Switching a rule off from a date: gone from later periods only.
	off := old
	off.EffectiveTo = nil
	off.Enabled = false
	off.EffectiveFrom = d(2026, 7, 1)
	if rs := Evaluate(f, []Rule{off, old}, Quarter(2026, 3), today); len(rs) != 0 {
		t.Errorf("switched off: %d results", len(rs))
	}
	if rs := Evaluate(f, []Rule{off, old}, Quarter(2026, 2), today); len(rs) != 1 {
		t.Errorf("before the switch: %d results, want 1", len(rs))
	}
}

func TestSixMonthLadder(t *testing.T) {
	rule := Rule{Code: "six_months", Kind: KindInactivity, Period: PeriodNone, Minimum: 4, Maximum: ptr(6.0), Enabled: true, EffectiveFrom: d(2017, 1, 1)}
	today := d(2026, 11, 27)
	cases := []struct {
		last  time.Time
		level int
		want  Status
	}{
		{d(2026, 7, 28), 0, Met},     // 3 months and 30 days
		{d(2026, 7, 27), 4, DueSoon}, // exactly 4 months
		{d(2026, 6, 27), 5, DueSoon},
		{d(2026, 5, 28), 5, DueSoon},
		{d(2026, 5, 27), 6, Missed},
		{d(2025, 1, 1), 22, Missed}, // longer: missed, with the true count (not capped at the sixth month)
	}
	for _, c := range cases {
		f := Facts{Year: 2026, Members: []MemberFacts{{ID: 7, Name: "甲", Category: "full", LastPresent: c.last, Since: d(2010, 1, 1)}}}
		r := only(t, Evaluate(f, []Rule{rule}, Year(2026), today), "six_months")
		if r.Status != c.want {
			t.Errorf("last %s: %s, want %s", c.last.Format(time.DateOnly), r.Status, c.want)
		}
		if c.level == 0 {
			if len(r.Members) != 0 {
				t.Errorf("last %s: flagged %v", c.last.Format(time.DateOnly), r.Members)
			}
			continue
		}
		if len(r.Members) != 1 || r.Members[0].Level != c.level || r.Members[0].ID != 7 {
			t.Errorf("last %s: members %+v, want level %d", c.last.Format(time.DateOnly), r.Members, c.level)
		}
	}
	// Never attended: counted from admission.
	f := Facts{Year: 2026, Members: []MemberFacts{{ID: 8, Category: "probationary", Since: d(2026, 6, 1)}}}
	if r := only(t, Evaluate(f, []Rule{rule}, Year(2026), today), "six_months"); r.Status != DueSoon || r.Members[0].Level != 5 {
		t.Errorf("never attended since June: %+v", r)
	}
}

func TestStudyHours(t *testing.T) {
	member := Rule{Code: "study_hours_member", Kind: KindStudyHours, AppliesTo: "member", Period: PeriodYear, Minimum: 32, Enabled: true, EffectiveFrom: d(2019, 1, 1)}
	committee := member
	committee.Code, committee.AppliesTo, committee.Minimum = "study_hours_committee", "committee", 56
	f := Facts{Year: 2025, Members: []MemberFacts{
		{ID: 1, Category: "full", Hours: 32},
		{ID: 2, Category: "full", Hours: 31.5},
		{ID: 3, Category: "full", Committee: true, Hours: 40},
		{ID: 4, Category: "full", Committee: true, Hours: 56},
	}}
	rs := Evaluate(f, []Rule{member, committee}, Year(2025), d(2026, 1, 5))
	m := only(t, rs, "study_hours_member")
	if m.Status != Missed || m.Actual != 1 || m.Required != 2 || len(m.Members) != 1 || m.Members[0].ID != 2 {
		t.Errorf("members: %+v", m)
	}
	c := only(t, rs, "study_hours_committee")
	if c.Status != Missed || c.Actual != 1 || len(c.Members) != 1 || c.Members[0].ID != 3 {
		t.Errorf("committee: %+v", c)
	}
	// During the year: behind the pace in the last quarter is due soon.
	f.Year = 2026
	rs = Evaluate(f, []Rule{member}, Year(2026), d(2026, 11, 1))
	if m := only(t, rs, "study_hours_member"); m.Status != Pending || len(m.Members) != 1 {
		t.Errorf("on pace in November: %+v", m)
	}
	f.Members[1].Hours = 10
	rs = Evaluate(f, []Rule{member}, Year(2026), d(2026, 11, 1))
	if m := only(t, rs, "study_hours_member"); m.Status != DueSoon || len(m.Members) != 1 || m.Members[0].Status != DueSoon {
		t.Errorf("behind in November: %+v", m)
	}
	rs = Evaluate(f, []Rule{member}, Year(2026), d(2026, 3, 1))
	if m := only(t, rs, "study_hours_member"); m.Status != Pending {
		t.Errorf("early in the year: %+v", m)
	}
}

func TestYearlyTermProbationItemsSize(t *testing.T) {
	appraisal := Rule{Code: "appraisal", Kind: KindAppraisal, Period: PeriodYear, Minimum: 1, Enabled: true, EffectiveFrom: d(2019, 1, 1)}
	term := Rule{Code: "committee_term", Kind: KindTerm, Period: PeriodNone, Enabled: true, EffectiveFrom: d(2019, 1, 1)}
	prob := Rule{Code: "probation", Kind: KindProbation, Period: PeriodNone, Enabled: true, EffectiveFrom: d(2017, 1, 1)}
	items := Rule{Code: "rectification", Kind: KindRectification, Period: PeriodNone, Enabled: true, EffectiveFrom: d(2019, 1, 1)}
	size := Rule{Code: "branch_size", Kind: KindBranchSize, Period: PeriodNone, Minimum: 3, Maximum: ptr(50.0), Enabled: true, EffectiveFrom: d(2018, 1, 1)}
	all := []Rule{appraisal, term, prob, items, size}
	today := d(2026, 12, 20)
	f := Facts{Year: 2026, TermDueOn: ptr(d(2027, 1, 10)),
		Members: []MemberFacts{
			{ID: 1, Category: "full"}, {ID: 2, Category: "full"},
			{ID: 3, Category: "probationary", ConversionDue: d(2026, 12, 19)},
			{ID: 4, Category: "probationary", ConversionDue: d(2027, 1, 5)},
			{ID: 5, Category: "probationary", ConversionDue: d(2027, 6, 1)},
		},
		Items: []ItemFacts{{ID: 1, Deadline: d(2026, 12, 19)}, {ID: 2, Deadline: d(2026, 12, 20)}, {ID: 3, Deadline: d(2027, 3, 1)}, {ID: 4, Deadline: d(2026, 1, 1), Done: true}},
	}
	rs := Evaluate(f, all, Year(2026), today)
	want := map[string]Status{"appraisal": DueSoon, "committee_term": DueSoon, "probation": Missed, "rectification": Missed, "branch_size": Missed}
	for code, st := range want {
		if r := only(t, rs, code); r.Status != st {
			t.Errorf("%s: %s, want %s", code, r.Status, st)
		}
	}
	if r := only(t, rs, "probation"); len(r.Members) != 2 || r.Members[0].Status != Missed || r.Members[1].Status != DueSoon {
		t.Errorf("probation members: %+v", r.Members)
	}
	if r := only(t, rs, "rectification"); len(r.Items) != 2 || r.Items[0].ID != 1 || r.Actual != 2 || r.Required != 4 {
		t.Errorf("items: %+v", r)
	}
	f.AppraisalHeld = true
	f.TermDueOn = ptr(d(2026, 12, 19))
	f.Members = append(f.Members, MemberFacts{ID: 6, Category: "full"})
	rs = Evaluate(f, all, Year(2026), today)
	want = map[string]Status{"appraisal": Met, "committee_term": Missed, "branch_size": Met}
	for code, st := range want {
		if r := only(t, rs, code); r.Status != st {
			t.Errorf("after changes, %s: %s, want %s", code, r.Status, st)
		}
	}
	// A past year's appraisal not held is missed once the year is over.
	f.Year, f.AppraisalHeld = 2025, false
	if r := only(t, Evaluate(f, all, Year(2025), today), "appraisal"); r.Status != Missed {
		t.Errorf("2025 appraisal: %s", r.Status)
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]string{"2026": "2026", "2026-Q3": "2026-Q3", "2026-07": "2026-07"} {
		p, err := ParsePeriod(in)
		if err != nil || p.Key() != want {
			t.Errorf("%s: %v %v", in, p.Key(), err)
		}
	}
	for _, bad := range []string{"", "26", "2026-Q5", "2026-13", "2026-7", "abcd"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
	if p, _ := ParsePeriod("2026-Q4"); !p.Contains(d(2026, 12, 31)) || p.Contains(d(2027, 1, 1)) || p.Last() != d(2026, 12, 31) {
		t.Errorf("Q4 edges: %+v", p)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	var all []Rule
	for _, k := range []string{"general", "committee", "group", "lecture", "party_day"} {
		all = append(all, meetingRule(k, k, PeriodMonth, 1))
	}
	all = append(all, Rule{Code: "six_months", Kind: KindInactivity, Minimum: 4, Maximum: ptr(6.0), Enabled: true, EffectiveFrom: d(2017, 1, 1)},
		Rule{Code: "study", Kind: KindStudyHours, AppliesTo: "member", Minimum: 32, Enabled: true, EffectiveFrom: d(2017, 1, 1)})
	f := Facts{Year: 2026, Groups: 2}
	for m := time.January; m <= time.December; m++ {
		held(&f, m, "committee", 1)
		held(&f, m, "party_day", 1)
	}
	for i := range 30 {
		f.Members = append(f.Members, MemberFacts{ID: int64(i), Category: "full", Hours: float64(i), LastPresent: d(2026, time.Month(i%12+1), 1)})
	}
	for b.Loop() {
		Evaluate(f, all, Year(2026), d(2026, 11, 27))
	}
}

func TestMonthsWithout(t *testing.T) {
	cases := []struct {
		last, today time.Time
		want        int
	}{
		{d(2026, 1, 31), d(2026, 2, 27), 0},
		{d(2026, 1, 31), d(2026, 2, 28), 1}, // month ends clamped (internal/dates): a month after 31 January is 28 February
		{d(2026, 1, 31), d(2026, 3, 3), 1},
		{d(2026, 1, 15), d(2026, 5, 14), 3},
		{d(2026, 1, 15), d(2026, 5, 15), 4},
		{d(2001, 1, 1), d(2026, 11, 27), 310},
		{d(2026, 12, 1), d(2026, 11, 27), 0},
	}
	for _, c := range cases {
		if got := MonthsWithout(c.last, time.Time{}, c.today); got != c.want {
			t.Errorf("%s → %s: %d, want %d", c.last.Format(time.DateOnly), c.today.Format(time.DateOnly), got, c.want)
		}
	}
	if got := MonthsWithout(time.Time{}, time.Time{}, d(2026, 1, 1)); got != 0 {
		t.Errorf("no dates: %d", got)
	}
}

// TestHeartTalks: each committee member talks with each member once a
// year (支部工作条例 第十九条); a member is flagged while one has not;
// pending through the year, due soon in its last 14 days, missed after.
func TestHeartTalks(t *testing.T) {
	r := Rule{Code: "heart_talks", Kind: KindTalks, Period: PeriodYear, Minimum: 1, Enabled: true, EffectiveFrom: d(2018, 10, 28)}
	f := Facts{Year: 2024, Members: []MemberFacts{
		{ID: 1, Name: "书记", Committee: true},
		{ID: 2, Name: "委员", Committee: true},
		{ID: 3, Name: "甲"},
		{ID: 4, Name: "乙"},
	}, HeartTalks: map[TalkPair]int{
		PairOf(1, 2): 1, PairOf(3, 1): 1, PairOf(2, 3): 2, PairOf(1, 4): 1,
	}}
	eval := func(today time.Time) Result {
		for _, res := range Evaluate(f, []Rule{r}, Year(2024), today) {
			return res
		}
		t.Fatal("no result")
		return Result{}
	}
	res := eval(d(2024, 6, 1))
	// Pairs asked for: each of 2 committee members with the 3 others = 6.
	if res.Required != 6 || res.Actual != 5 || res.Status != Pending {
		t.Fatalf("mid-year: %v of %v, %s; want 5 of 6, pending", res.Actual, res.Required, res.Status)
	}
	if len(res.Members) != 1 || res.Members[0].ID != 4 || res.Members[0].Value != 1 {
		t.Fatalf("flagged %+v, want 乙 missing one committee member", res.Members)
	}
	for _, c := range []struct {
		today time.Time
		want  Status
	}{
		{d(2024, 12, 17), Pending}, // 15 days left
		{d(2024, 12, 18), DueSoon}, // 14 days left
		{d(2024, 12, 31), DueSoon}, // the last day
		{d(2025, 1, 1), Missed},    // the year is over
	} {
		if got := eval(c.today).Status; got != c.want {
			t.Errorf("%s: %s, want %s", c.today.Format(time.DateOnly), got, c.want)
		}
	}
	f.HeartTalks[PairOf(4, 2)] = 1
	if res := eval(d(2025, 1, 1)); res.Status != Met || res.Actual != 6 || len(res.Members) != 0 {
		t.Errorf("every pair talked: %s, %v of %v, %d flagged", res.Status, res.Actual, res.Required, len(res.Members))
	}
	// No committee: nothing to ask.
	if res := Evaluate(Facts{Year: 2024, Members: []MemberFacts{{ID: 3}}}, []Rule{r}, Year(2024), d(2024, 6, 1)); len(res) != 1 || res[0].Status != NotApplicable {
		t.Errorf("no committee: %+v", res)
	}
}
