package meeting

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

const todoMeetingsSQL = `
SELECT mt.id, mt.topic, mt.status, mt.starts_at, mt.ends_at
  FROM meetings mt JOIN organisations o ON o.id = mt.org_id
 WHERE o.path && $1::bigint[] AND mt.kind <> 'democratic_life'
   AND ((mt.status = 'draft') OR (mt.status = 'planned' AND mt.ends_at < $2))
 ORDER BY mt.starts_at, mt.id
 LIMIT 100`

const todoLeaveSQL = `
SELECT mt.id, mt.topic, mt.starts_at, count(*)::int
  FROM leave_requests l
  JOIN meetings mt ON mt.id = l.meeting_id
  JOIN organisations o ON o.id = mt.org_id
 WHERE o.path && $1::bigint[] AND l.status = 'pending'
 GROUP BY mt.id ORDER BY mt.starts_at`

const todoCreditSQL = `
SELECT c.id, mb.name, c.title, c.requested_at
  FROM credit_requests c
  JOIN members mb ON mb.id = c.member_id
  JOIN organisations o ON o.id = mb.branch_id
 WHERE o.path && $1::bigint[] AND c.status = 'pending'
 ORDER BY c.requested_at, c.id LIMIT 100`

// Todos lists what the branches under orgIDs must do about their
// meetings: meetings past their time still only planned, drafts whose
// minutes are not submitted (locked) with the late-entry day as their due
// day, and members' leave and credit requests waiting for a decision.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	lateDays, err := LateEntryDays(ctx, q)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var out []todo.Item
	rows, err := q.Query(ctx, todoMeetingsSQL, orgIDs, now)
	if err != nil {
		return nil, fmt.Errorf("meeting: todos: %w", err)
	}
	for rows.Next() {
		var id int64
		var topic, status string
		var starts, ends time.Time
		if err := rows.Scan(&id, &topic, &status, &starts, &ends); err != nil {
			rows.Close()
			return nil, fmt.Errorf("meeting: todos: %w", err)
		}
		day := dayOf(ends)
		if status == StatusPlanned {
			out = append(out, todo.Item{Area: "meeting", Title: i18n.T(ctx, "workbench.todo.unrecorded", topic),
				Detail: i18n.T(ctx, "workbench.todo.held_on", i18n.Date(ctx, starts)), URL: meetingURL(id, "/edit"), Due: day, Overdue: true})
			continue
		}
		due := day.AddDate(0, 0, lateDays)
		out = append(out, todo.Item{Area: "meeting", Title: i18n.T(ctx, "workbench.todo.unsubmitted", topic),
			Detail: i18n.T(ctx, "workbench.todo.held_on", i18n.Date(ctx, starts)), URL: meetingURL(id, "/submit"), Due: due, Overdue: due.Before(today)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meeting: todos: %w", err)
	}
	rows, err = q.Query(ctx, todoLeaveSQL, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("meeting: leave todos: %w", err)
	}
	for rows.Next() {
		var id int64
		var topic string
		var starts time.Time
		var n int
		if err := rows.Scan(&id, &topic, &starts, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("meeting: leave todos: %w", err)
		}
		out = append(out, todo.Item{Area: "meeting", Title: i18n.T(ctx, "workbench.todo.leave", n, topic),
			Detail: i18n.T(ctx, "workbench.todo.held_on", i18n.Date(ctx, starts)), URL: "/meetings/requests", Due: dayOf(starts), Overdue: dayOf(starts).Before(today)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meeting: leave todos: %w", err)
	}
	rows, err = q.Query(ctx, todoCreditSQL, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("meeting: credit todos: %w", err)
	}
	for rows.Next() {
		var id int64
		var name, title string
		var at time.Time
		if err := rows.Scan(&id, &name, &title, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("meeting: credit todos: %w", err)
		}
		out = append(out, todo.Item{Area: "meeting", Title: i18n.T(ctx, "workbench.todo.credit", name),
			Detail: title, URL: "/meetings/requests#credit-" + strconv.FormatInt(id, 10)})
	}
	rows.Close()
	return out, rows.Err()
}

// dayOf is the China-time calendar day of an instant, as a UTC date.
func dayOf(t time.Time) time.Time {
	t = t.In(i18n.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
