package review

import (
	"context"
	"fmt"
	"net/http"

	"github.com/xuri/excelize/v2"

	"zhibu/internal/auth"
	"zhibu/internal/export"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Export writes the dashboard of the reviewer's subtree as an .xlsx
// workbook: one sheet per view (summary, branches, urgent items, rules
// with their sources).
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	today := h.today()
	p := dashboardPeriod(r, today)
	d, err := Subtree(ctx, h.pool, reviewRoots(auth.ScopeOf(ctx)), p, today, Options{Sort: "name", Urgent: 1000})
	if err != nil {
		return err
	}
	f, err := Workbook(ctx, d)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="review-%s.xlsx"`, p.Key()))
	return f.Write(w)
}

// Workbook builds the export of a dashboard.
func Workbook(ctx context.Context, d *Dashboard) (*excelize.File, error) {
	f := excelize.NewFile()
	t := func(key string, args ...any) string { return ui.T(ctx, key, args...) }
	sheets := []string{t("review.sheet.summary"), t("review.sheet.branches"), t("review.sheet.urgent"), t("review.sheet.rules")}
	if err := f.SetSheetName("Sheet1", sheets[0]); err != nil {
		return nil, fmt.Errorf("review: export: %w", err)
	}
	for _, s := range sheets[1:] {
		if _, err := f.NewSheet(s); err != nil {
			return nil, fmt.Errorf("review: export: %w", err)
		}
	}
	var werr error
	put := func(sheet string, row int, vals ...any) {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err == nil {
			vals = export.Values(vals)
			err = f.SetSheetRow(sheet, cell, &vals)
		}
		if err != nil && werr == nil {
			werr = err
		}
	}
	// Summary.
	s := sheets[0]
	put(s, 1, t("review.title"), PeriodLabel(ctx, d.Period.Key()), t("review.as_of", i18n.Date(ctx, d.Today)))
	put(s, 3, t("review.summary.branches"), d.Total)
	put(s, 4, t("review.summary.missed"), d.BranchCounts["missed"])
	put(s, 5, t("review.summary.due_soon"), d.BranchCounts["due_soon"])
	row := 7
	for _, st := range []string{"met", "pending", "due_soon", "missed"} {
		put(s, row, t("review.status."+st), d.Counts[statusOf(st)])
		row++
	}
	row++
	put(s, row, t("review.chart.title"))
	for _, pt := range d.Chart {
		row++
		put(s, row, t("review.chart.month", int(pt.Month.Month())), pt.Percent)
	}
	// Branches: one row each, a column per rule.
	s = sheets[1]
	head := []any{t("review.col.branch"), t("review.col.parent"), t("review.col.status")}
	for _, c := range d.Columns {
		head = append(head, RuleLabel(ctx, c.Rule))
	}
	head = append(head, t("review.col.attendance"), t("review.col.study"), t("review.col.open_items"), t("review.col.overdue_items"), t("review.col.rating"))
	put(s, 1, head...)
	for i, rw := range d.Rows {
		vals := []any{rw.Branch.Name, rw.Branch.Parent, StatusLabel(ctx, rw.Summary.Worst)}
		for _, c := range rw.Cells {
			v := StatusLabel(ctx, c.Status)
			if fig := figure(ctx, c); fig != "" && fig != "—" {
				v += " (" + fig + ")"
			}
			vals = append(vals, v)
		}
		rating := ""
		if rw.Rating != nil {
			rating = RatingLabel(ctx, rw.Rating.Rating)
		}
		vals = append(vals, percent(rw.Attendance), percent(rw.Study), rw.OpenItems, rw.OverdueItems, rating)
		put(s, i+2, vals...)
	}
	// Urgent items with their rule and source.
	s = sheets[2]
	put(s, 1, t("review.col.branch"), t("review.col.status"), t("review.col.subject"), t("review.col.rule"), t("review.col.source"), t("review.col.due"))
	for i, u := range d.Urgent {
		put(s, i+2, u.Branch.Name, StatusLabel(ctx, u.Status), u.Subject+" "+urgentText(ctx, u), u.Rule.TitleText(ctx), u.Rule.SourceText(ctx), dateText(ctx, u.DueOn))
	}
	// Rules in force, with their sources.
	s = sheets[3]
	put(s, 1, t("review.col.rule"), t("rules.col.period"), t("rules.col.minimum"), t("review.col.source"), t("rules.col.from"))
	for i, c := range d.Columns {
		put(s, i+2, c.Rule.TitleText(ctx), t("rules.period."+c.Rule.Period), num(c.Rule.Minimum), c.Rule.SourceText(ctx), i18n.Date(ctx, c.Rule.EffectiveFrom))
	}
	if werr != nil {
		return nil, fmt.Errorf("review: export: %w", werr)
	}
	return f, nil
}
