package dues_test

import (
	"context"
	"testing"
	"time"

	"zhibu/internal/dbtest"
	"zhibu/internal/dues"
	"zhibu/internal/rules"
)

// The arrears thresholds of a branch under an organisation with its own
// dues rule are the override's (remind at 2, breach at 4, its document);
// a sibling branch keeps the agency's 3 and 6: on the ledger and the
// workbench (ThresholdsOf, ThresholdsFor) and on the member's own page.
func TestDuesThresholdsFollowTheBranchsRule(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	id := func(sql string, args ...any) int64 { t.Helper(); return dbtest.ID(t, pool, sql, args...) }
	root := id(`INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '机关党委', '2015-01-01') RETURNING id`)
	gen := id(`INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'general_branch', '党总支', '2015-01-01') RETURNING id`, root)
	local := id(`INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '总支下支部', '2015-01-01') RETURNING id`, gen)
	sibling := id(`INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '直属支部', '2015-01-01') RETURNING id`, root)
	member := func(branch int64) int64 {
		return id(`INSERT INTO members (branch_id, name, gender, birth_date, category, applied_on, admitted_on, converted_on)
VALUES ($1, '甲', 'male', '1980-01-01', 'full', '2000-01-01', '2001-01-01', '2002-01-01') RETURNING id`, branch)
	}
	four := 4.0
	if _, err := rules.NewStore(pool).SetOverride(ctx, rules.Override{Code: "dues_arrears", OrgID: gen, Minimum: 2, Maximum: &four, Enabled: true,
		Source: "某党总支〔2026〕2号", EffectiveFrom: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	want := map[int64][3]any{local: {2, 4, "某党总支〔2026〕2号"}, sibling: {3, 6, "default"}}
	check := func(what string, branch int64, th dues.Thresholds) {
		t.Helper()
		w := want[branch]
		src := th.Rule.Source
		if th.Rule.OrgID == nil {
			src = "default"
		}
		if !th.Found || th.Remind != w[0] || th.Breach != w[1] || src != w[2] {
			t.Errorf("%s, branch %d: %+v, want %v", what, branch, th, w)
		}
	}
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	all, err := dues.ThresholdsFor(ctx, pool, []int64{local, sibling}, today)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []int64{local, sibling} {
		check("for", b, all[b])
		one, err := dues.ThresholdsOf(ctx, pool, b, today)
		if err != nil {
			t.Fatal(err)
		}
		check("of", b, one)
		mine, err := dues.ForMember(ctx, pool, member(b), today)
		if err != nil {
			t.Fatal(err)
		}
		check("mine", b, mine.Thresholds)
	}
	// The day before the override's first day, the default applies there too.
	before, err := dues.ThresholdsOf(ctx, pool, local, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil || before.Breach != 6 || before.Rule.OrgID != nil {
		t.Errorf("30 November: %+v %v", before, err)
	}
}
