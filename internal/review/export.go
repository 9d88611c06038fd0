package review

import (
	"context"
	"fmt"
	"net/http"

	"zhibu/internal/auth"
	"zhibu/internal/export"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
)

// Export writes the dashboard of the reviewer's subtree as an .xlsx
// workbook: one sheet per view (summary, branches, urgent items, rules
// with their sources).
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	today := h.today()
	p := dashboardPeriod(r, today)
	d, err := Subtree(ctx, h.reader(r), reviewRoots(auth.ScopeOf(ctx)), p, today, Options{Sort: "name", Urgent: 1000})
	if err != nil {
		return err
	}
	b := Workbook(ctx, d)
	defer func() { _ = b.Close() }()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="review-%s.xlsx"`, p.Key()))
	return b.Write(w)
}

// rate is a rate as a spreadsheet number, or an empty cell.
func rate(r Rate) any {
	if r.Den <= 0 {
		return export.NoValue{}
	}
	return export.Percent(r.Num / r.Den)
}

// Workbook builds the export of a dashboard: a header row on every sheet,
// one value per cell, rates as percentages and dates as dates.
func Workbook(ctx context.Context, d *Dashboard) *export.Book {
	t := func(key string, args ...any) string { return ui.T(ctx, key, args...) }
	b := export.NewBook()

	// Summary: what and how many.
	s := b.Sheet(t("review.sheet.summary"), t("review.col.item"), t("review.col.value"))
	s.Row(t("review.period"), PeriodLabel(ctx, d.Period.Key()))
	s.Row(t("review.col.as_of"), d.Today)
	s.Row(t("review.summary.branches"), d.Total)
	s.Row(t("review.summary.missed"), d.WithMissed)
	s.Row(t("review.summary.due_soon"), d.WithDueSoon)
	for _, st := range []string{"met", "pending", "due_soon", "missed"} {
		s.Row(t("review.status."+st), d.Counts[statusOf(st)])
	}
	for _, pt := range d.Chart {
		if pt.Checked > 0 {
			s.Row(t("review.chart.title")+" "+t("review.chart.month", int(pt.Month.Month())), export.Percent(float64(pt.Percent)/100))
		}
	}

	// Branches: one row each; per rule its status, what was done and what
	// is required, each in its own column.
	head := []string{t("review.col.branch"), t("review.col.parent"), t("review.col.score"), t("review.col.status")}
	for _, c := range d.Columns {
		label := RuleLabel(ctx, c.Rule)
		head = append(head, label, t("review.col.done_of", label), t("review.col.required_of", label))
	}
	head = append(head, t("review.col.attendance"), t("review.col.study"), t("review.col.open_items"), t("review.col.overdue_items"), t("review.col.rating"))
	s = b.Sheet(t("review.sheet.branches"), head...)
	for _, rw := range d.Rows {
		var score any = export.NoValue{}
		if v, ok := rw.Score(); ok {
			score = v
		}
		vals := []any{rw.Branch.Name, rw.Branch.Parent, score, StatusLabel(ctx, rw.Summary.Worst)}
		for _, c := range rw.Cells {
			if c.Status == rules.NotApplicable {
				vals = append(vals, StatusLabel(ctx, c.Status), export.NoValue{}, export.NoValue{})
				continue
			}
			vals = append(vals, StatusLabel(ctx, c.Status), c.Actual, c.Required)
		}
		rating := ""
		if rw.Rating != nil {
			rating = RatingLabel(ctx, rw.Rating.Rating)
		}
		vals = append(vals, rate(rw.Attendance), rate(rw.Study), rw.OpenItems, rw.OverdueItems, rating)
		s.Row(vals...)
	}

	// Urgent items with their rule and source.
	s = b.Sheet(t("review.sheet.urgent"), t("review.col.branch"), t("review.col.status"), t("review.col.subject"), t("review.col.detail"), t("review.col.rule"), t("review.col.source"), t("review.col.due"))
	for _, u := range d.Urgent {
		s.Row(u.Branch.Name, StatusLabel(ctx, u.Status), u.Subject, urgentText(ctx, u), u.Rule.TitleText(ctx), u.Rule.SourceText(ctx), u.DueOn)
	}

	// Rules in force, with their sources.
	s = b.Sheet(t("review.sheet.rules"), t("review.col.rule"), t("rules.col.period"), t("rules.col.minimum"), t("review.col.source"), t("rules.col.from"))
	for _, c := range d.Columns {
		s.Row(c.Rule.TitleText(ctx), t("rules.period."+c.Rule.Period), c.Rule.Minimum, c.Rule.SourceText(ctx), c.Rule.EffectiveFrom)
	}
	return b
}
