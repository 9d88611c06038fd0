package alerts

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhibu/internal/dbtest"
	"zhibu/internal/rules"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// A member's own study alert measures the hours against the version of
// the rule that applies to the member's branch: the override of the
// branch's subtree under it, the agency's default in a sibling branch,
// pro rata for a member who arrived during the year.
func TestOwnStudyAlertUsesTheBranchsRule(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	id := func(sql string, args ...any) int64 { t.Helper(); return dbtest.ID(t, pool, sql, args...) }
	root := id(`INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '机关党委', '2015-01-01') RETURNING id`)
	local := id(`INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '另有规定支部', '2015-01-01') RETURNING id`, root)
	sibling := id(`INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '沿用默认支部', '2015-01-01') RETURNING id`, root)
	member := func(branch int64, name string) int64 {
		return id(`INSERT INTO members (branch_id, name, gender, birth_date, category, applied_on, admitted_on, converted_on)
VALUES ($1, $2, 'male', '1980-01-01', 'full', '2000-01-01', '2001-01-01', '2002-01-01') RETURNING id`, branch, name)
	}
	a, b, c := member(local, "甲"), member(sibling, "乙"), member(sibling, "丙")
	// 丙 transferred in on 10 July: six months of the year count.
	if _, err := pool.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on, to_org_id) VALUES ($1, 'transferred_in', '2026-07-10', $2)`, c, sibling); err != nil {
		t.Fatal(err)
	}
	if _, err := rules.NewStore(pool).SetOverride(ctx, rules.Override{Code: "study_hours_member", OrgID: local, Minimum: 40, Enabled: true,
		Source: "某局机关党委〔2026〕3号", EffectiveFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	def, err := rules.NewStore(pool).Current(ctx, "study_hours_member")
	if err != nil {
		t.Fatal(err)
	}
	s := New(pool)
	today := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC) // within 90 days of the year's end: behind the pace is due soon
	for _, w := range []struct {
		member         int64
		detail, source string
	}{
		{a, "0 / 40", "某局机关党委〔2026〕3号"},
		{b, "0 / 32", def.SourceText(ctx)},
		{c, "0 / 16", def.SourceText(ctx)},
	} {
		list, err := s.own(ctx, pool, w.member, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Status != rules.DueSoon {
			t.Fatalf("member %d: %+v", w.member, list)
		}
		if list[0].Source != w.source {
			t.Errorf("member %d: source %q, want %q", w.member, list[0].Source, w.source)
		}
		if got := list[0].Detail; !strings.Contains(got, w.detail) {
			t.Errorf("member %d: detail %q, want %q", w.member, got, w.detail)
		}
	}
}
