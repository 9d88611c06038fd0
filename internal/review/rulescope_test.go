package review_test

import (
	"context"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

// A branch under an organisation with a rule of its own is judged by it,
// a sibling outside by the default; a month before the override's first
// day keeps the default, in the live evaluation, the stored rows the
// dashboard reads, the breach ledger and the year view's applied versions.
func TestBranchesAreJudgedByTheirSubtreesRules(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	root := app.Int(t, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '规则机关党委', '2015-01-01') RETURNING id`)
	gen := app.Int(t, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'general_branch', '规则党总支', '2015-01-01') RETURNING id`, root)
	under := app.Int(t, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '总支下党支部', '2015-01-01') RETURNING id`, gen)
	sibling := app.Int(t, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '直属党支部', '2015-01-01') RETURNING id`, root)
	// One party day a month in February and March, in both branches.
	for _, b := range []int64{under, sibling} {
		for _, m := range []time.Month{time.February, time.March} {
			at := time.Date(2026, m, 10, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
			if _, err := app.Pool.Exec(ctx, `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at) VALUES ($1, 'party_day', '主题党日', $2, $3, 'submitted', now())`, b, at, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	march := rules.Month(2026, time.March)
	// The dashboard's rows stored before the override …
	if _, err := review.Refresh(ctx, app.Pool, []int64{root}, march, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// … then the general branch asks for two a month from 1 March.
	if _, err := rules.NewStore(app.Pool).SetOverride(ctx, rules.Override{Code: "party_day", OrgID: gen, Minimum: 2, Enabled: true,
		Source: "规则党总支〔2026〕1号", EffectiveFrom: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)
	branches := []review.Branch{{ID: under, Name: "总支下党支部"}, {ID: sibling, Name: "直属党支部"}}
	status := func(p rules.Period) map[int64]rules.Status {
		t.Helper()
		d, err := review.Evaluate(ctx, app.Pool, branches, p, today, false)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]rules.Status{}
		for _, row := range d.Rows {
			for _, r := range row.Results {
				if r.Rule.Code == "party_day" {
					out[row.Branch.ID] = r.Status
				}
			}
		}
		return out
	}
	if got := status(rules.Month(2026, time.February)); got[under] != rules.Met || got[sibling] != rules.Met {
		t.Errorf("February (before the override): %v", got)
	}
	if got := status(march); got[under] != rules.Missed || got[sibling] != rules.Met {
		t.Errorf("March: %v", got)
	}
	// The live cells carry the version each branch is judged by.
	live, err := review.Evaluate(ctx, app.Pool, branches, march, today, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range live.Rows {
		for _, c := range row.Cells {
			if c.Rule.Code == "party_day" && (c.Rule.Minimum == 2) != (row.Branch.ID == under) {
				t.Errorf("branch %d: live cell by %+v", row.Branch.ID, c.Rule)
			}
		}
	}
	// The stored rows: the override marked the subtree's rows stale.
	d, err := review.Subtree(ctx, app.Pool, []int64{root}, march, time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), review.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, row := range d.Rows {
		for _, c := range row.Cells {
			if c.Rule.Code != "party_day" {
				continue
			}
			seen++
			switch row.Branch.ID {
			case under: // one of two held, the month still running; the cell carries the override
				if c.Required != 2 || c.Status != rules.Pending || c.Rule.Source != "规则党总支〔2026〕1号" || c.Rule.Minimum != 2 {
					t.Errorf("under the override: %+v", c)
				}
			case sibling:
				if c.Required != 1 || c.Status != rules.Met || c.Rule.OrgID != nil {
					t.Errorf("sibling: %+v", c)
				}
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d party-day cells", seen)
	}
	// The ledger: the branch under the override missed March, not February.
	if _, err := review.Refresh(ctx, app.Pool, []int64{root}, rules.Year(2026), today); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		branch int64
		period string
		want   bool
	}{{under, "2026-02", false}, {under, "2026-03", true}, {sibling, "2026-02", false}, {sibling, "2026-03", false}} {
		list, err := review.BreachesOfYear(ctx, app.Pool, c.branch, 2026)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, b := range list {
			found = found || (b.Code == "party_day" && b.Period == c.period)
		}
		if found != c.want {
			t.Errorf("branch %d, %s: party-day breach %v, want %v", c.branch, c.period, found, c.want)
		}
	}
	// The year view: January and February by the default, March on by the override.
	applied, err := review.AppliedRules(ctx, app.Pool, under, 2026, today)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range applied {
		if a.Rule.Code != "party_day" {
			continue
		}
		if len(a.Spans) != 2 || a.Spans[0].Scope != nil || a.Spans[0].To != time.February ||
			a.Spans[1].Scope == nil || a.Spans[1].Scope.ID != gen || a.Spans[1].From != time.March || a.Spans[1].To != time.April || a.Spans[1].Version.Minimum != 2 {
			t.Errorf("applied %+v", a.Spans)
		}
	}
}
