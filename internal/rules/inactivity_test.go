package rules

import (
	"testing"
	"time"
)

// The six-month count (党章 第九条) at its boundaries: whole months from
// the last day accounted for, month ends clamped, 29 February, an excused
// absence restarting the run and months without a meeting due left out.
func TestInactiveMonthsBoundaries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		m     MemberFacts
		today time.Time
		want  int
	}{
		{"a day short of six months", MemberFacts{LastPresent: d(2026, 1, 15)}, d(2026, 7, 14), 5},
		{"exactly six months", MemberFacts{LastPresent: d(2026, 1, 15)}, d(2026, 7, 15), 6},
		{"a day over six months", MemberFacts{LastPresent: d(2026, 1, 15)}, d(2026, 7, 16), 6},
		{"31 January to 30 July", MemberFacts{LastPresent: d(2026, 1, 31)}, d(2026, 7, 30), 5},
		{"31 January to 31 July", MemberFacts{LastPresent: d(2026, 1, 31)}, d(2026, 7, 31), 6},
		{"31 August to 27 February", MemberFacts{LastPresent: d(2025, 8, 31)}, d(2026, 2, 27), 5},
		{"31 August to 28 February (clamped)", MemberFacts{LastPresent: d(2025, 8, 31)}, d(2026, 2, 28), 6},
		{"29 February to 28 August", MemberFacts{LastPresent: d(2024, 2, 29)}, d(2024, 8, 28), 5},
		{"29 February to 29 August", MemberFacts{LastPresent: d(2024, 2, 29)}, d(2024, 8, 29), 6},
		{"the true count past six", MemberFacts{LastPresent: d(2026, 1, 10)}, d(2026, 9, 10), 8},
		{"never present: from admission", MemberFacts{Since: d(2026, 3, 1)}, d(2026, 9, 1), 6},
		{"an excused absence restarts the run", MemberFacts{LastPresent: d(2026, 1, 10), LastExcused: d(2026, 4, 10)}, d(2026, 9, 10), 5},
		{"an excused absence before the last presence changes nothing", MemberFacts{LastPresent: d(2026, 4, 10), LastExcused: d(2026, 1, 10)}, d(2026, 10, 10), 6},
		{"a month without a meeting due does not count", MemberFacts{LastPresent: d(2026, 1, 31), IdleMonths: []time.Time{d(2026, 4, 1)}}, d(2026, 7, 31), 5},
		{"two such months, one listed twice", MemberFacts{LastPresent: d(2026, 1, 10), IdleMonths: []time.Time{d(2026, 3, 1), d(2026, 5, 1), d(2026, 5, 1)}}, d(2026, 9, 10), 6},
		{"the month in progress is not yet idle", MemberFacts{LastPresent: d(2026, 1, 31), IdleMonths: []time.Time{d(2026, 7, 1)}}, d(2026, 7, 31), 6},
		{"an idle month ended on the day counts out", MemberFacts{LastPresent: d(2026, 1, 31), IdleMonths: []time.Time{d(2026, 7, 1)}}, d(2026, 8, 1), 5},
		{"the month of the last presence is not idle", MemberFacts{LastPresent: d(2026, 1, 10), IdleMonths: []time.Time{d(2026, 1, 1), d(2025, 12, 1)}}, d(2026, 7, 10), 6},
		{"nothing known", MemberFacts{}, d(2026, 7, 10), 0},
	}
	for _, c := range cases {
		if got := InactiveMonths(c.m, c.today); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// The rule flags with the true count, and an excused month in the middle of
// the absences breaks the run below the warning level.
func TestSixMonthRuleExcusedAndIdle(t *testing.T) {
	t.Parallel()
	rule := Rule{Code: "six_months", Kind: KindInactivity, Period: PeriodNone, Minimum: 4, Maximum: ptr(6.0), Enabled: true, EffectiveFrom: d(2017, 1, 1)}
	today := d(2026, 9, 15)
	f := Facts{Year: 2026, Members: []MemberFacts{
		{ID: 1, Name: "八个月", Category: "full", LastPresent: d(2026, 1, 15), Since: d(2010, 1, 1)},
		{ID: 2, Name: "请假", Category: "full", LastPresent: d(2026, 1, 15), LastExcused: d(2026, 6, 20), Since: d(2010, 1, 1)},
		{ID: 3, Name: "无会", Category: "full", LastPresent: d(2026, 4, 15), Since: d(2010, 1, 1), IdleMonths: []time.Time{d(2026, 5, 1), d(2026, 6, 1)}},
	}}
	r := only(t, Evaluate(f, []Rule{rule}, Year(2026), today), "six_months")
	if r.Status != Missed || len(r.Members) != 1 || r.Members[0].ID != 1 || r.Members[0].Level != 8 || r.Members[0].Status != Missed {
		t.Fatalf("want only member 1 at 8 months, missed: %+v", r.Members)
	}
	if !r.Members[0].DueOn.Equal(d(2026, 7, 15)) {
		t.Errorf("reached six months on %v, want 2026-07-15", r.Members[0].DueOn)
	}
	// With a month without a meeting due, a month later.
	idle := MemberFacts{LastPresent: d(2026, 1, 31), IdleMonths: []time.Time{d(2026, 3, 1)}}
	if got := reachesOn(idle, 6); !got.Equal(d(2026, 8, 31)) {
		t.Errorf("with March idle: reaches six on %v, want 2026-08-31", got)
	}
	if r.Actual != 2 || r.Required != 3 {
		t.Errorf("actual %v of %v, want 2 of 3", r.Actual, r.Required)
	}
}
