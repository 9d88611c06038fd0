package inspect

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

// overdueRow is one branch of an inspection with findings open past their
// deadline.
type overdueRow struct {
	InspectionID int64
	Title        string
	BranchID     int64
	BranchName   string
	Findings     int
	Deadline     time.Time
}

// ReviewTodos lists, for the committee's workbench, the findings of the
// inspections of committees under orgIDs still open past their deadline:
// one item per inspected branch, at its earliest missed deadline, leading
// to the page where the committee closes them.
func ReviewTodos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	rows, err := db.Rows[overdueRow](ctx, q, `
SELECT i.id AS inspection_id, i.title, f.branch_id, b.name AS branch_name, count(*)::int AS findings, min(f.deadline) AS deadline
  FROM inspection_findings f
  JOIN inspections i ON i.id = f.inspection_id
  JOIN organisations c ON c.id = i.committee_id
  JOIN organisations b ON b.id = f.branch_id
 WHERE c.path && $1::bigint[] AND f.rectification_id IS NOT NULL AND f.closed_on IS NULL AND f.deadline < $2::date
 GROUP BY i.id, i.title, f.branch_id, b.name
 ORDER BY min(f.deadline), i.id, f.branch_id`, orgIDs, today)
	if err != nil {
		return nil, fmt.Errorf("inspect: review todos: %w", err)
	}
	out := make([]todo.Item, 0, len(rows))
	for _, r := range rows {
		out = append(out, todo.Item{Area: "inspect", Title: i18n.T(ctx, "selfadmin.todo.inspection_overdue", r.BranchName, r.Title),
			Detail: i18n.T(ctx, "selfadmin.todo.findings", r.Findings), Due: r.Deadline, Overdue: true,
			URL: fmt.Sprintf("/inspections/%d/branches/%d", r.InspectionID, r.BranchID)})
	}
	return out, nil
}
