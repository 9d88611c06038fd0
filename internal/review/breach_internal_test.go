package review

import (
	"testing"
	"time"

	"zhibu/internal/rules"
)

// breachesOf keys breaches by the rule's own period for rules counted
// over periods (settled once the period ended) and by the month a
// member's breach fell due for rules checked on the day, which it covers
// only while the period includes today.
func TestBreachesOf(t *testing.T) {
	t.Parallel()
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	six, monthly := 6.0, "committee"
	all := []rules.Rule{
		{Code: "committee_meeting", Kind: rules.KindMeetings, MeetingKind: &monthly, Period: rules.PeriodMonth, Minimum: 1, Enabled: true, EffectiveFrom: d(2018, 1, 1)},
		{Code: "six_months", Kind: rules.KindInactivity, Period: rules.PeriodNone, Minimum: 4, Maximum: &six, Enabled: true, EffectiveFrom: d(2017, 1, 1)},
	}
	f := rules.Facts{Year: 2026, Members: []rules.MemberFacts{{ID: 9, Name: "甲", Category: "full", LastPresent: d(2026, 1, 15), Since: d(2010, 1, 1)}}}
	f.Months[1].Held = map[string]int{"committee": 1} // February held
	today := d(2026, 9, 20)
	found, covered := breachesOf(1, f, all, rules.Year(2026), today)
	keys := map[string]breachKey{}
	for _, k := range found {
		keys[k.Code+" "+k.Period] = k
	}
	if _, ok := keys["committee_meeting 2026-02"]; ok {
		t.Error("February held its meeting but is a breach")
	}
	for _, p := range []string{"2026-01", "2026-03", "2026-08"} {
		if k, ok := keys["committee_meeting "+p]; !ok || k.Member != 0 {
			t.Errorf("committee_meeting %s: %+v, %v", p, k, ok)
		}
	}
	if _, ok := keys["committee_meeting 2026-09"]; ok {
		t.Error("September is not over")
	}
	// Six months from 15 January: 15 July; eight months on the day.
	if k, ok := keys["six_months 2026-07"]; !ok || k.Member != 9 || k.Level != 8 || !k.Month.Equal(d(2026, 7, 1)) {
		t.Errorf("six-month breach: %+v, %v", k, ok)
	}
	var point bool
	for _, c := range covered {
		point = point || (c.Code == "six_months" && c.Period == "")
	}
	if !point || len(covered) != 9 { // eight months settled and the rule checked on the day
		t.Errorf("covered %+v", covered)
	}
	// A past year: only its periods, nothing checked on the day.
	f.Year = 2025
	found, covered = breachesOf(1, f, all, rules.Year(2025), today)
	for _, c := range covered {
		if c.Period == "" {
			t.Errorf("a past year covers %s on the day", c.Code)
		}
	}
	if len(found) != 11 { // February 2025 is on record too (the facts are the same)
		t.Errorf("2025: %d breaches, want 11", len(found))
	}
}
