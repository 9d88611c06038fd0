package inspect_test

import (
	"context"
	"testing"
	"time"

	"zhibu/internal/dbtest"
	"zhibu/internal/inspect"
	"zhibu/internal/rules"
)

// The checklist of a committee under an organisation with its own version
// of a rule cites that version; a sibling committee's cites the default.
// A branch whose general branch set a version of its own is held to it
// (BranchSources); a sibling branch to the committee's.
func TestChecklistCitesTheSubtreesRule(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	id := func(sql string, args ...any) int64 { t.Helper(); return dbtest.ID(t, pool, sql, args...) }
	org := func(parent *int64, kind, name string) int64 {
		return id(`INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, $2, $3, '2015-01-01') RETURNING id`, parent, kind, name)
	}
	top := org(nil, "committee", "机关党委")
	local := org(&top, "committee", "甲局机关党委")
	sibling := org(&top, "committee", "乙局机关党委")
	gen := org(&local, "general_branch", "甲局党总支")
	deep := org(&gen, "branch", "总支下支部")
	direct := org(&local, "branch", "甲局直属支部")
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	set := func(on int64, source string) {
		t.Helper()
		if _, err := rules.NewStore(pool).SetOverride(ctx, rules.Override{Code: "party_day", OrgID: on, Minimum: 2, Enabled: true,
			Source: source, EffectiveFrom: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, today); err != nil {
			t.Fatal(err)
		}
	}
	set(local, "甲局机关党委〔2026〕5号")
	set(gen, "甲局党总支〔2026〕1号")
	def, err := rules.NewStore(pool).Current(ctx, "party_day")
	if err != nil {
		t.Fatal(err)
	}
	source := func(list []inspect.ChecklistItem) string {
		for _, c := range list {
			if c.Code == "party_day" {
				return c.Source
			}
		}
		return "none"
	}
	for committee, want := range map[int64]string{local: "甲局机关党委〔2026〕5号", sibling: def.Source} {
		list, err := inspect.Checklist(ctx, pool, committee, today)
		if err != nil {
			t.Fatal(err)
		}
		if got := source(list); got != want {
			t.Errorf("committee %d: party day cites %q, want %q", committee, got, want)
		}
	}
	// Before the versions' first day, the default everywhere.
	if list, err := inspect.Checklist(ctx, pool, local, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); err != nil || source(list) != def.Source {
		t.Errorf("30 November: %q %v", source(list), err)
	}
	for branch, want := range map[int64]string{deep: "甲局党总支〔2026〕1号", direct: "甲局机关党委〔2026〕5号"} {
		got, err := inspect.BranchSources(ctx, pool, branch, today)
		if err != nil {
			t.Fatal(err)
		}
		if got["party_day"] != want {
			t.Errorf("branch %d: %q, want %q", branch, got["party_day"], want)
		}
	}
}
