package recruit_test

import (
	"slices"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/recruit"
)

// TestSanctionedMemberNeitherVotesNorIntroduces: a full member under
// 留党察看 in its period is left out of the 支部大会's voters (第二十、
// 二十一条 with 党章 第四十条) and of the introducers (第十四条), on the
// first and last day of the period, and counts again the day after.
func TestSanctionedMemberNeitherVotesNorIntroduces(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	branch := app.OrgID(t, "办公室党支部")
	// A member of the branch, full since long ago and under no sanction.
	m := app.Int(t, `SELECT id FROM members m WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal' AND converted_on < '2020-01-01'
	                   AND NOT EXISTS (SELECT 1 FROM sanctions s WHERE s.member_id = m.id) ORDER BY id LIMIT 1`, branch)
	start, end := d("2024-02-29"), d("2025-02-28") // from 29 February
	before, err := recruit.VotingMembers(ctx, app.Pool, branch, d("2024-02-28"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO sanctions (member_id, branch_id, kind, reason, decided_by, approved_by, document_no, decided_on, starts_on, ends_on)
VALUES ($1, $2, 'probation', '违反组织纪律', '支部大会', '机关党委', '机党纪〔2024〕1号', $3, $3, $4)`, m, branch, start, end); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		day  string
		less int
	}{{"2024-02-28", 0}, {"2024-02-29", 1}, {"2025-02-27", 1}, {"2025-02-28", 0}} {
		n, err := recruit.VotingMembers(ctx, app.Pool, branch, d(c.day))
		if err != nil {
			t.Fatal(err)
		}
		if c.day == "2024-02-28" && n != before {
			t.Errorf("%s: %d voters, %d before the sanction", c.day, n, before)
		}
		if c.less == 1 && n != countWithout(t, app, branch, c.day)-1 {
			t.Errorf("%s: %d voters; the member under 留党察看 still counts", c.day, n)
		}
		if c.less == 0 && n != countWithout(t, app, branch, c.day) {
			t.Errorf("%s: %d voters, want every full member", c.day, n)
		}
	}
	full, err := recruit.FullMembers(ctx, app.Pool, branch)
	if err != nil {
		t.Fatal(err)
	}
	// Today the sanction is over (it ended on 2025-02-28): an introducer again.
	if !slices.ContainsFunc(full, func(f recruit.FullMember) bool { return f.ID == m }) {
		t.Error("after the period the member is not offered as an introducer")
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE sanctions SET decided_on = current_date - 30, starts_on = current_date - 30, ends_on = current_date + 30 WHERE member_id = $1`, m); err != nil {
		t.Fatal(err)
	}
	full, err = recruit.FullMembers(ctx, app.Pool, branch)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(full, func(f recruit.FullMember) bool { return f.ID == m }) {
		t.Error("a member under 留党察看 today is offered as an introducer")
	}
}

// countWithout counts the branch's full members in good standing on day,
// sanctions ignored: the figure before has_vote.
func countWithout(t *testing.T, app *apptest.App, branch int64, day string) int {
	t.Helper()
	return int(app.Int(t, `SELECT count(*) FROM members m WHERE m.branch_id = $1 AND m.category = 'full'
	   AND in_good_standing(m.category, m.party_status) AND m.converted_on <= $2::date`, branch, day))
}
