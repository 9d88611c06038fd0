package review_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

// The facts of the six-month count come from the meetings a member was
// due at: a leave recorded in attendance and an approved leave request
// excuse, an absence does not, and months without a meeting due are idle.
func TestAccountedFacts(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	root := app.Int(t, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '计数机关党委', '2015-01-01') RETURNING id`)
	branch := app.Int(t, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '计数党支部', '2015-01-01') RETURNING id`, root)
	mem := app.Int(t, `INSERT INTO members (branch_id, name, gender, birth_date, category, admitted_on, converted_on) VALUES ($1, '计数甲', 'male', '1980-01-01', 'full', '2010-07-01', '2011-07-01') RETURNING id`, branch)
	other := app.Int(t, `INSERT INTO members (branch_id, name, gender, birth_date, category, admitted_on, converted_on) VALUES ($1, '计数乙', 'female', '1982-01-01', 'full', '2010-07-01', '2011-07-01') RETURNING id`, branch)
	meeting := func(day string, mine, theirs string) int64 {
		at, _ := time.ParseInLocation(time.DateOnly, day, time.FixedZone("CST", 8*3600))
		at = at.Add(9 * time.Hour)
		id := app.Int(t, `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at) VALUES ($1, 'party_day', '主题党日', $2, $3, 'submitted', now()) RETURNING id`, branch, at, at.Add(time.Hour))
		for m, st := range map[int64]string{mem: mine, other: theirs} {
			reason := ""
			if st == "leave" {
				reason = "出差"
			}
			if _, err := app.Pool.Exec(ctx, `INSERT INTO attendance (meeting_id, member_id, status, reason) VALUES ($1, $2, $3, $4)`, id, m, st, reason); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	meeting("2026-01-15", "present", "present")
	meeting("2026-03-10", "absent", "absent")
	meeting("2026-04-10", "leave", "absent")
	late := meeting("2026-06-12", "absent", "absent")
	meeting("2026-07-09", "absent", "absent")
	// The other member's absence in June was excused by an approved request.
	if _, err := app.Pool.Exec(ctx, `INSERT INTO leave_requests (meeting_id, member_id, reason, status, decided_at) VALUES ($1, $2, '病假', 'approved', now())`, late, other); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC)
	facts, err := review.LoadFacts(ctx, app.Pool, []int64{branch}, 2026, today)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]rules.MemberFacts{}
	for _, m := range facts[branch].Members {
		got[m.ID] = m
	}
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	a := got[mem]
	if !a.LastPresent.Equal(d(1, 15)) || !a.LastExcused.Equal(d(4, 10)) {
		t.Errorf("member: present %v excused %v", a.LastPresent, a.LastExcused)
	}
	// After April: May and August held nothing; September has not ended.
	if !slices.EqualFunc(a.IdleMonths, []time.Time{d(5, 1), d(8, 1)}, time.Time.Equal) {
		t.Errorf("member idle months %v", a.IdleMonths)
	}
	if n := rules.InactiveMonths(a, today); n != 3 {
		t.Errorf("member: %d months, want 3 (five since the leave, less May and August)", n)
	}
	b := got[other]
	if !b.LastExcused.Equal(d(6, 12)) || !slices.EqualFunc(b.IdleMonths, []time.Time{d(8, 1)}, time.Time.Equal) {
		t.Errorf("other: excused %v idle %v", b.LastExcused, b.IdleMonths)
	}
	if n := rules.InactiveMonths(b, today); n != 2 {
		t.Errorf("other: %d months, want 2", n)
	}
}
