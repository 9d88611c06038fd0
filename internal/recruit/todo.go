package recruit

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

// Todos returns the recruitment steps of the branches orgIDs that are
// overdue or due within the reminder days (remind_days) on today, and the
// receipts of their letters of introduction due or late, for the
// workbench; titles are in the context's language.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	rules, err := LoadRules(ctx, q, today)
	if err != nil {
		return nil, err
	}
	files, err := Pipeline(ctx, q, orgIDs, nil)
	if err != nil {
		return nil, err
	}
	var out []todo.Item
	for _, f := range files {
		d, ok := Next(f, rules, today)
		if !ok || d.On.IsZero() || !(d.Overdue || d.Soon) {
			continue
		}
		out = append(out, todo.Item{
			Area:    "recruit",
			Title:   i18n.T(ctx, "recruit.todo.title", f.Person.Name, i18n.T(ctx, stepKey(d.Kind))),
			Detail:  f.Person.BranchName,
			URL:     fmt.Sprintf("/recruitment/%d?kind=%s", f.Person.ID, d.Kind),
			Due:     d.On,
			Overdue: d.Overdue,
			Cite:    rules.Cite(d.Rule),
		})
	}
	letters, _, err := Letters(ctx, q, orgIDs, nil, 1000, 0)
	if err != nil {
		return nil, err
	}
	for _, l := range letters {
		if l.ReceiptOn != nil {
			continue
		}
		due := l.ReceiptDue(rules)
		late := today.After(due)
		if !late && today.Before(due.AddDate(0, 0, -rules.N("remind_days"))) {
			continue
		}
		out = append(out, todo.Item{
			Area:    "recruit",
			Title:   i18n.T(ctx, "recruit.todo.receipt", l.LetterNo, l.MemberName),
			Detail:  l.Destination,
			URL:     fmt.Sprintf("/recruitment/transfers?branch=%d", l.BranchID),
			Due:     due,
			Overdue: late,
			Cite:    rules.Cite("receipt_days"),
		})
	}
	todo.Sort(out)
	return out, nil
}
