package rules

import (
	"testing"
	"time"
)

func TestStudyMonthsAtTheirBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name  string
		since string // "" = unknown
		year  int
		want  int
	}{
		{"unknown", "", 2026, 12},
		{"the year before, on its last day", "2025-12-31", 2026, 12},
		{"the year's first day", "2026-01-01", 2026, 12},
		{"January's last day", "2026-01-31", 2026, 12},
		{"February's first day", "2026-02-01", 2026, 11},
		{"28 February, not a leap year", "2026-02-28", 2026, 11},
		{"29 February", "2028-02-29", 2028, 11},
		{"1 March after a leap day", "2028-03-01", 2028, 10},
		{"30 November", "2026-11-30", 2026, 2},
		{"1 December", "2026-12-01", 2026, 1},
		{"the year's last day", "2026-12-31", 2026, 1},
		{"the next year's first day", "2027-01-01", 2026, 0},
	} {
		var since time.Time
		if tc.since != "" {
			var err error
			if since, err = time.Parse(time.DateOnly, tc.since); err != nil {
				t.Fatal(err)
			}
		}
		if got := StudyMonths(since, tc.year); got != tc.want {
			t.Errorf("%s (%q in %d): %d months, want %d", tc.name, tc.since, tc.year, got, tc.want)
		}
	}
}

func TestProRate(t *testing.T) {
	for _, tc := range []struct {
		full   float64
		months int
		want   float64
	}{{32, 12, 32}, {32, 11, 29.3}, {32, 6, 16}, {32, 1, 2.7}, {56, 1, 4.7}, {56, 7, 32.7}, {32, 0, 0}} {
		if got := ProRate(tc.full, tc.months); got != tc.want {
			t.Errorf("ProRate(%v, %d) = %v, want %v", tc.full, tc.months, got, tc.want)
		}
	}
}

// A member who arrived during the year is held to the pro rata minimum:
// 16 of 32 hours after arriving in July; one hour short fails. Self-study
// counts only where the agency says so.
func TestStudyMinimumProRataAndSelfStudy(t *testing.T) {
	rule := Rule{Code: "study_hours_member", Kind: KindStudyHours, AppliesTo: "member", Period: PeriodYear, Minimum: 32, Enabled: true, EffectiveFrom: d(2019, 1, 1)}
	f := Facts{Year: 2025, Members: []MemberFacts{
		{ID: 1, Name: "arrived in July, on the mark", Category: "full", Hours: 16, Arrived: d(2025, 7, 31)},
		{ID: 2, Name: "arrived in July, a tenth short", Category: "full", Hours: 15.9, Arrived: d(2025, 7, 1)},
		{ID: 3, Name: "arrived in June, on July's mark", Category: "full", Hours: 16, Arrived: d(2025, 6, 30)},
		{ID: 4, Name: "whole year with self-study", Category: "full", Hours: 34, SelfHours: 4},
		{ID: 5, Name: "arrives next year", Category: "probationary", Hours: 0, Arrived: d(2026, 1, 1)},
	}}
	res := only(t, Evaluate(f, []Rule{rule}, Year(2025), d(2026, 1, 5)), "study_hours_member")
	flagged := map[int64]MemberIssue{}
	for _, m := range res.Members {
		flagged[m.ID] = m
	}
	if _, ok := flagged[1]; ok {
		t.Errorf("16 h after arriving in July is the pro rata minimum: flagged %+v", flagged[1])
	}
	if m, ok := flagged[2]; !ok || m.Need != 16 || m.Value != 15.9 {
		t.Errorf("15.9 of 16 h: %+v (flagged %v)", m, ok)
	}
	if m, ok := flagged[3]; !ok || m.Need != 18.7 {
		t.Errorf("arrived in June needs 18.7 h: %+v (flagged %v)", m, ok)
	}
	if m, ok := flagged[4]; !ok || m.Value != 30 || m.Need != 32 {
		t.Errorf("self-study left out by default (34 − 4 = 30 of 32): %+v (flagged %v)", m, ok)
	}
	if _, ok := flagged[5]; ok || res.Required != 4 {
		t.Errorf("a member arriving after the year is not counted: required %v, flagged %v", res.Required, ok)
	}
	f.SelfStudyCounts = true
	res = only(t, Evaluate(f, []Rule{rule}, Year(2025), d(2026, 1, 5)), "study_hours_member")
	for _, m := range res.Members {
		if m.ID == 4 {
			t.Errorf("self-study counts by the agency's setting: 34 of 32 h flagged %+v", m)
		}
	}
}
