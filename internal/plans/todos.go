package plans

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

// todoHorizon is how many days before its due day a task to answer shows
// on the branch's to-do list.
const todoHorizon = 30

// Todos lists the plan tasks the organisations under orgIDs still have to
// answer (open or returned) that are due within the next 30 days or late:
// the secretary's to-do list.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	as, err := db.Rows[Answer](ctx, q, `SELECT `+answerCols+answerFrom+`
 WHERE a.org_id = ANY($1::bigint[]) AND a.state IN ('open', 'returned') AND t.due_on <= $2::date + $3::int
 ORDER BY t.due_on, a.id`, orgIDs, today, todoHorizon)
	if err != nil {
		return nil, fmt.Errorf("plans: todos: %w", err)
	}
	out := make([]todo.Item, 0, len(as))
	for _, a := range as {
		it := todo.Item{Area: "plans", Title: i18n.T(ctx, "plans.todo.answer", a.TaskTitle), URL: fmt.Sprintf("/plans/answers/%d", a.ID),
			Due: a.DueOn, Overdue: IsOverdue(a.State, a.DueOn, today)}
		switch {
		case a.State == Returned:
			it.Detail = i18n.T(ctx, "plans.todo.returned", a.ReviewComment)
		case a.LastReminded != nil:
			it.Detail = i18n.T(ctx, "plans.todo.reminded", i18n.Date(ctx, *a.LastReminded))
		}
		if len(orgIDs) > 1 {
			it.Detail = a.OrgName + " · " + it.Detail
		}
		out = append(out, it)
	}
	return out, nil
}

// ReviewTodos lists the answers inside the committees orgIDs that wait for
// the committee's acceptance: the reviewer's "waiting for the committee".
func ReviewTodos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	as, err := db.Rows[Answer](ctx, q, `SELECT `+answerCols+answerFrom+`
 WHERE o.path && $1::bigint[] AND a.state = 'answered' AND t.target <> 'self' AND a.org_id <> ALL($1::bigint[])
 ORDER BY a.answered_on, a.id`, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("plans: review todos: %w", err)
	}
	out := make([]todo.Item, 0, len(as))
	for _, a := range as {
		out = append(out, todo.Item{Area: "plans", Title: i18n.T(ctx, "plans.todo.review", a.OrgName, a.TaskTitle),
			URL: fmt.Sprintf("/plans/answers/%d", a.ID), Due: *a.AnsweredOn})
	}
	return out, nil
}
