package leadgroup

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

type todoRow struct {
	ID      int64
	Name    string
	SetUp   bool
	Members int
}

// ReviewTodos lists, for the committee's workbench, the leadership groups
// of committees under orgIDs with members in office whose democratic-life
// meeting of today's year is not yet held (set up or not). The item has
// no due day: the meeting is normally held once a year, and a year's
// meeting is often held early in the next, so no deadline is asserted.
func ReviewTodos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	rows, err := db.Rows[todoRow](ctx, q, `
SELECT g.id, g.name, l.id IS NOT NULL AS set_up,
       (SELECT count(*) FROM leadership_group_members gm WHERE gm.group_id = g.id
           AND gm.from_on <= $2::date AND (gm.to_on IS NULL OR gm.to_on >= $2::date))::int AS members
  FROM leadership_groups g JOIN organisations c ON c.id = g.committee_id
  LEFT JOIN life_meetings l ON l.group_id = g.id AND l.year = extract(year FROM $2::date)::int
 WHERE c.path && $1::bigint[] AND (l.id IS NULL OR l.status = 'preparing')
 ORDER BY g.name, g.id`, orgIDs, today)
	if err != nil {
		return nil, fmt.Errorf("leadgroup: review todos: %w", err)
	}
	var out []todo.Item
	for _, r := range rows {
		if r.Members == 0 {
			continue
		}
		detail := i18n.T(ctx, "leadgroup.not_set_up")
		if r.SetUp {
			detail = i18n.T(ctx, "leadgroup.preparing")
		}
		out = append(out, todo.Item{Area: "leadgroup", Title: i18n.T(ctx, "leadgroup.todo", r.Name, today.Year()), Detail: detail,
			URL: fmt.Sprintf("/leadership-groups/%d#meetings", r.ID), Cite: i18n.T(ctx, "leadgroup.todo_cite")})
	}
	return out, nil
}
