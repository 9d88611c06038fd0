package inspect_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/inspect"
)

// TestReviewTodosOverdueFindings: the demo's finding past its deadline is on
// the committee's workbench list from the day after its deadline (not on
// the deadline day), leads to the page that closes it, and is gone once
// closed; the reviewer's home shows it.
func TestReviewTodosOverdueFindings(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	var insp, branch, committee, finding int64
	var deadline time.Time
	err := app.Pool.QueryRow(ctx, `
SELECT f.inspection_id, f.branch_id, i.committee_id, f.id, f.deadline FROM inspection_findings f JOIN inspections i ON i.id = f.inspection_id
 WHERE f.closed_on IS NULL AND f.deadline < current_date ORDER BY f.deadline LIMIT 1`).Scan(&insp, &branch, &committee, &finding, &deadline)
	if err != nil {
		t.Fatalf("demo data: no overdue finding: %v", err)
	}
	url := fmt.Sprintf("/inspections/%d/branches/%d", insp, branch)
	has := func(today time.Time) bool {
		items, err := inspect.ReviewTodos(ctx, app.Pool, []int64{committee}, today)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.URL == url {
				if !it.Overdue || it.Title == "" {
					t.Errorf("item %+v", it)
				}
				return true
			}
		}
		return false
	}
	if has(deadline) {
		t.Error("listed on its deadline day")
	}
	if !has(deadline.AddDate(0, 0, 1)) {
		t.Error("not listed the day after its deadline")
	}
	// Another committee's reviewer (a branch as root) does not see it.
	if items, err := inspect.ReviewTodos(ctx, app.Pool, []int64{branch}, deadline.AddDate(0, 0, 1)); err != nil || len(items) != 0 {
		t.Errorf("a branch root sees %d items (%v)", len(items), err)
	}
	if r := app.Login(t, "reviewer").Get("/"); !strings.Contains(r.Doc().Find(`[data-testid="reviewer-bench"]`).Text(), "督促检查整改逾期") {
		t.Error("reviewer's home lacks the overdue inspection finding")
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE inspection_findings SET closed_on = current_date WHERE inspection_id = $1 AND branch_id = $2 AND rectification_id IS NOT NULL`, insp, branch); err != nil {
		t.Fatal(err)
	}
	if has(deadline.AddDate(0, 0, 1)) {
		t.Error("listed after being closed")
	}
}
