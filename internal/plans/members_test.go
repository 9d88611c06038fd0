package plans_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/plans"
)

// TestMemberReadsBranchPlan: a member without a role reads the tasks their
// branch must answer, read only (no answer links, no forms), and not a task
// only another branch answers; the list is paged.
func TestMemberReadsBranchPlan(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	branch := app.Int(t, `SELECT m.branch_id FROM accounts a JOIN members m ON m.id = a.member_id WHERE a.username = 'member'`)
	year := app.Int(t, `SELECT max(t.year) FROM plan_tasks t JOIN plan_answers a ON a.task_id = t.id WHERE a.org_id = $1`, branch)
	tasks := app.Int(t, `SELECT count(DISTINCT task_id) FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id WHERE a.org_id = $1 AND t.year = $2`, branch, year)
	if tasks == 0 {
		t.Fatal("demo data: the member's branch has no plan tasks")
	}
	c := app.Login(t, "member")
	r := c.Get("/plans?year=" + strconv.FormatInt(year, 10))
	if r.Status != http.StatusOK {
		t.Fatalf("/plans: %d", r.Status)
	}
	if n := r.Doc().Find(`[data-testid="plan-task"]`).Length(); n != int(tasks) {
		t.Errorf("%d tasks shown, the branch answers %d", n, tasks)
	}
	if r.Has(`a[href^="/plans/answers/"]`) || r.Has(`[data-testid="plans-new"]`) {
		t.Error("the member's list links to answers or offers to add an item")
	}
	own := app.Int(t, `SELECT min(task_id) FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id WHERE a.org_id = $1 AND t.year = $2`, branch, year)
	if r := c.Get(fmt.Sprintf("/plans/%d", own)); r.Status != http.StatusOK || r.Has(`a[href^="/plans/answers/"]`) {
		t.Errorf("own task: %d", r.Status)
	}
	other := app.Int(t, `SELECT coalesce(min(t.id), 0) FROM plan_tasks t WHERE NOT EXISTS (SELECT 1 FROM plan_answers a WHERE a.task_id = t.id AND a.org_id = $1)
   AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = t.org_id AND $1 = ANY(o.path))`, branch)
	if other != 0 {
		if r := c.Get(fmt.Sprintf("/plans/%d", other)); r.Status != http.StatusNotFound {
			t.Errorf("another branch's task: %d, want 404", r.Status)
		}
	}
	if r := c.Get(fmt.Sprintf("/plans/answers/%d", app.Int(t, `SELECT min(id) FROM plan_answers WHERE org_id = $1`, branch))); r.Status != http.StatusForbidden {
		t.Errorf("an answer page: %d, want 403", r.Status)
	}

	// Paging: enough of the branch's own items for a second page.
	for i := range plans.ListPageSize {
		if _, err := app.Pool.Exec(ctx, `WITH t AS (
INSERT INTO plan_tasks (org_id, year, title, due_on, target, done_by) VALUES ($1, $2, $3, make_date($2::int, 12, 31), 'self', 'report') RETURNING id)
INSERT INTO plan_answers (task_id, org_id) SELECT id, $1 FROM t`, branch, year, fmt.Sprintf("分页测试 %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	total := int(tasks) + plans.ListPageSize
	r = c.Get("/plans?year=" + strconv.FormatInt(year, 10))
	if n := r.Doc().Find(`[data-testid="plan-task"]`).Length(); n != plans.ListPageSize {
		t.Errorf("page 1 shows %d tasks, want %d", n, plans.ListPageSize)
	}
	if got, want := r.TestID("page-of"), i18n.TL(i18n.ZH, "ui.page_of", 1, 2, total); got != want {
		t.Errorf("pager %q, want %q", got, want)
	}
	r = c.Get(fmt.Sprintf("/plans?year=%d&page=2", year))
	if n := r.Doc().Find(`[data-testid="plan-task"]`).Length(); n != total-plans.ListPageSize {
		t.Errorf("page 2 shows %d tasks, want %d", n, total-plans.ListPageSize)
	}
}
