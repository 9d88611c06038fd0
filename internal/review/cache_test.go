package review_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

// sameAsLive checks that every branch's cached row equals a live evaluation.
func sameAsLive(t *testing.T, app *apptest.App, root int64, p rules.Period, step string) *review.Dashboard {
	t.Helper()
	return sameAsLiveWith(t, app, root, p, review.Options{}, step)
}

// sameAsLiveWith is sameAsLive for a dashboard with options (its sort is by name).
func sameAsLiveWith(t *testing.T, app *apptest.App, root int64, p rules.Period, opt review.Options, step string) *review.Dashboard {
	t.Helper()
	ctx := context.Background()
	today := time.Now().In(i18n.Shanghai)
	opt.Sort = "name"
	cached, err := review.Subtree(ctx, app.Pool, []int64{root}, p, today, opt)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	branches, err := review.Branches(ctx, app.Pool, []int64{root})
	if err != nil {
		t.Fatal(err)
	}
	live, err := review.Evaluate(ctx, app.Pool, branches, p, today, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(cached.Rows) != len(live.Rows) || cached.Total != len(live.Rows) {
		t.Fatalf("%s: %d cached rows, %d live", step, len(cached.Rows), len(live.Rows))
	}
	byID := map[int64]review.Row{}
	for _, r := range live.Rows {
		byID[r.Branch.ID] = r
	}
	for _, c := range cached.Rows {
		l := byID[c.Branch.ID]
		if c.Summary.Worst != l.Summary.Worst || c.Attendance != l.Attendance || c.Study != l.Study || c.OpenItems != l.OpenItems || c.OverdueItems != l.OverdueItems {
			t.Errorf("%s: %s differs: cached %+v / live %+v", step, c.Branch.Name, c.Summary, l.Summary)
		}
		for i := range c.Cells {
			if c.Cells[i].Status != l.Cells[i].Status || c.Cells[i].Actual != l.Cells[i].Actual || c.Cells[i].Required != l.Cells[i].Required || c.Cells[i].Flagged != l.Cells[i].Flagged {
				t.Errorf("%s: %s %s: cached %+v, live %+v", step, c.Branch.Name, c.Cells[i].Rule.Code, c.Cells[i], l.Cells[i])
			}
		}
	}
	for i, pt := range cached.Chart {
		if pt != live.Chart[i] {
			t.Errorf("%s: chart month %d: cached %+v, live %+v", step, i+1, pt, live.Chart[i])
		}
	}
	return cached
}

// refreshed stores a subtree's rows as the background job would (a
// dashboard only reads).
func refreshed(t *testing.T, app *apptest.App, root int64, p rules.Period) {
	t.Helper()
	if _, err := review.Refresh(context.Background(), app.Pool, []int64{root}, p, todayCN()); err != nil {
		t.Fatal(err)
	}
}

func TestCachedDashboardFollowsChanges(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	root := committeeID(t, app)
	finance := app.OrgID(t, "财务处党支部")
	year := time.Now().In(i18n.Shanghai).Year()
	p := rules.Year(year)
	refreshed(t, app, root, p)
	sameAsLive(t, app, root, p, "first load")
	n, err := review.Refresh(ctx, app.Pool, []int64{root}, p, time.Now().In(i18n.Shanghai))
	if err != nil || n != 0 {
		t.Fatalf("second refresh recomputed %d rows (%v), want none", n, err)
	}
	exec := func(step, sql string, args ...any) {
		t.Helper()
		if _, err := app.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		n, err := review.Refresh(ctx, app.Pool, []int64{root}, p, time.Now().In(i18n.Shanghai))
		if err != nil || n == 0 {
			t.Errorf("%s: refresh recomputed %d rows (%v), want the changed branch", step, n, err)
		}
		sameAsLive(t, app, root, p, step)
	}
	at := time.Date(year, 1, 15, 10, 0, 0, 0, i18n.Shanghai)
	exec("meeting added", `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at) VALUES ($1, 'committee', '补开', $2, $3, 'submitted', now())`, finance, at, at.Add(time.Hour))
	exec("item closed", `UPDATE rectification_items SET status = 'done', done_on = current_date WHERE org_id = $1`, finance)
	exec("term renewed", `UPDATE committee_terms SET due_on = current_date + 400 WHERE org_id = $1`, finance)
	exec("member left", `UPDATE members SET party_status = 'transferred_out' WHERE id = (SELECT max(id) FROM members WHERE branch_id = $1 AND category = 'full')`, finance)
	exec("appraisal held", `INSERT INTO appraisals (branch_id, year, held_on, status) VALUES ($1, $2, current_date, 'closed')`, finance, year)
	exec("post added", `INSERT INTO committee_posts (term_id, member_id, post) SELECT t.id, (SELECT max(id) FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal'), 'member' FROM committee_terms t WHERE t.org_id = $1 ON CONFLICT DO NOTHING`, finance)
	// A rule change recomputes every branch under the new version.
	exec("rule added", `INSERT INTO rules (code, kind, meeting_kind, period, minimum, title, source, enabled, effective_from) VALUES ('lecture_monthly', 'meetings', 'lecture', 'month', 1, '每月党课', '本机关规定', true, '2020-01-01')`)
	d := sameAsLive(t, app, root, p, "after the rule")
	if !slices.ContainsFunc(d.Columns, func(c review.Column) bool { return c.Rule.Code == "lecture_monthly" }) {
		t.Error("the new rule is not a column")
	}
}

// TestDashboardOverlaysChangedRowsWithoutWriting: after a record changes,
// the dashboard shows the change at once (rows, urgent items, summary)
// while the stored row stays as it was, marked stale, for the job.
func TestDashboardOverlaysChangedRowsWithoutWriting(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	root := committeeID(t, app)
	finance := app.OrgID(t, "财务处党支部")
	p := rules.Year(todayCN().Year())
	refreshed(t, app, root, p)
	itemsOf := func(d *review.Dashboard) int {
		n := 0
		for _, u := range d.Urgent {
			if u.Branch.ID == finance && u.Rule.Kind == rules.KindRectification {
				n++
			}
		}
		return n
	}
	before := sameAsLiveWith(t, app, root, p, review.Options{Urgent: 1000}, "stored")
	if itemsOf(before) == 0 {
		t.Fatal("no open rectification item of the finance branch among the urgent items")
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE rectification_items SET status = 'done', done_on = current_date WHERE org_id = $1`, finance); err != nil {
		t.Fatal(err)
	}
	after := sameAsLiveWith(t, app, root, p, review.Options{Urgent: 1000}, "items closed")
	if n := itemsOf(after); n != 0 {
		t.Errorf("%d closed items still urgent", n)
	}
	if after.Counts[rules.Met] <= before.Counts[rules.Met] {
		t.Errorf("results met: %d before, %d after closing the items", before.Counts[rules.Met], after.Counts[rules.Met])
	}
	var stale bool
	if err := app.Pool.QueryRow(ctx, `SELECT stale FROM branch_status WHERE branch_id = $1 AND period = $2`, finance, p.Key()).Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if !stale {
		t.Error("the dashboard wrote the changed row")
	}
}
