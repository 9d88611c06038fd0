package dues

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/export"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// reportRange reads ?month=2026-07 (a monthly report) or ?year=2026 (the
// year's months up to the current one).
func (h *Handler) reportRange(r *http.Request) (time.Time, time.Time) {
	q := r.URL.Query()
	if m, ok := ParseMonth(q.Get("month")); ok {
		return m, m
	}
	y := h.yearParam(q.Get("year"))
	from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC)
	if cur := FirstOfMonth(h.today()); to.After(cur) {
		to = cur
	}
	if to.Before(from) {
		to = from
	}
	return from, to
}

// ReportPage shows a branch's monthly or yearly report, printable.
func (h *Handler) ReportPage(w http.ResponseWriter, r *http.Request) error {
	o, err := h.branch(r)
	if err != nil {
		return err
	}
	from, to := h.reportRange(r)
	// Read from a streaming replica when one has the person's last write
	// (db.Router); the primary otherwise.
	rep, err := BuildReport(r.Context(), db.ReadPool(r.Context(), h.pool), o.ID, o.Name, from, to)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ReportView(ReportView_{Report: rep, Query: r.URL.RawQuery, Today: h.today()}))
}

// ReportView_ is the report page's model.
type ReportView_ struct {
	Report Report
	Query  string
	Today  time.Time
}

// ReportExport writes the report as an .xlsx workbook; the export is
// audited (members' amounts leave the application).
func (h *Handler) ReportExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := h.branch(r)
	if err != nil {
		return err
	}
	from, to := h.reportRange(r)
	rep, err := BuildReport(ctx, db.ReadPool(ctx, h.pool), o.ID, o.Name, from, to)
	if err != nil {
		return err
	}
	f, err := Workbook(ctx, rep)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if err := h.store.AuditExport(ctx, o.ID, from, to, auth.ScopeOf(ctx).CanWrite(o.Path)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="dues-%d-%s-%s.xlsx"`, o.ID, MonthKey(from), MonthKey(to)))
	return f.Write(w)
}

// Workbook builds the .xlsx of a report on export.Book (its header row
// frozen, with an autofilter): one row per member (months due, months
// paid, expected, collected, outstanding), the totals, and what the ledger
// received in the range. The branch and the range are the workbook's
// title.
func Workbook(ctx context.Context, rep Report) (*export.Book, error) {
	t := func(key string, args ...any) string { return ui.T(ctx, key, args...) }
	b := export.NewBook()
	b.SetTitle(rep.BranchName + " " + rangeText(ctx, rep.From, rep.To))
	s := b.Sheet(t("dues.sheet"), t("dues.col.member"), t("dues.col.months_due"), t("dues.col.months_paid"), t("dues.col.expected"), t("dues.col.collected"), t("dues.col.outstanding"))
	for _, m := range rep.Members {
		s.Row(m.Name, len(m.Months), m.PaidMonths, export.Fen(m.ExpectedFen), export.Fen(m.CollectedFen), export.Fen(m.OutstandingFen))
	}
	none := export.NoValue{}
	s.Row(t("dues.total"), none, none, export.Fen(rep.Totals.ExpectedFen), export.Fen(rep.Totals.CollectedFen), export.Fen(rep.Totals.OutstandingFen))
	s.Row(t("dues.ledger_received"), none, none, none, export.Fen(rep.LedgerFen), none)
	return b, nil
}

func rangeText(ctx context.Context, from, to time.Time) string {
	if from.Equal(to) {
		return i18n.T(ctx, "dues.month_of", from.Year(), int(from.Month()))
	}
	return i18n.T(ctx, "dues.range_of", from.Year(), int(from.Month()), int(to.Month()))
}

// RollupExport writes the committee's roll-up of a month as an .xlsx
// workbook: the same kept figures as the page (Rollup), one row per
// branch, and the totals.
func (h *Handler) RollupExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	if s.Committee() == 0 {
		return fmt.Errorf("dues: roll-up export without a committee: %w", apperr.ErrNotFound)
	}
	month := h.monthParam(r.URL.Query().Get("month"))
	rows, err := Rollup(ctx, db.ReadPool(ctx, h.pool), s.ReadRoots(), month)
	if err != nil {
		return err
	}
	f, err := RollupWorkbook(ctx, month, rows)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="dues-rollup-%s.xlsx"`, MonthKey(month)))
	return f.Write(w)
}

// RollupWorkbook builds the .xlsx of a month's roll-up on export.Book:
// per branch the members owing, expected, collected, outstanding, the
// ledger's receipts and the month's state, then the totals; the month is
// the workbook's title.
func RollupWorkbook(ctx context.Context, month time.Time, rows []RollupRow) (*export.Book, error) {
	t := func(key string, args ...any) string { return ui.T(ctx, key, args...) }
	b := export.NewBook()
	b.SetTitle(t("dues.rollup_title", rangeText(ctx, month, month)))
	s := b.Sheet(t("dues.sheet"), t("dues.col.branch"), t("duesroll.col.parent"), t("dues.col.members"), t("dues.col.expected"), t("dues.col.collected"), t("dues.col.outstanding"), t("dues.col.ledger"), t("dues.col.status"))
	var tot Totals
	var ledger int64
	for _, r := range rows {
		s.Row(r.BranchName, r.Parent, r.Members, export.Fen(r.ExpectedFen), export.Fen(r.CollectedFen), export.Fen(r.OutstandingFen), export.Fen(r.LedgerFen), t("dues.state."+r.State.Status))
		tot.ExpectedFen += r.ExpectedFen
		tot.CollectedFen += r.CollectedFen
		tot.OutstandingFen += r.OutstandingFen
		ledger += r.LedgerFen
	}
	none := export.NoValue{}
	s.Row(t("dues.total"), none, none, export.Fen(tot.ExpectedFen), export.Fen(tot.CollectedFen), export.Fen(tot.OutstandingFen), export.Fen(ledger), none)
	return b, nil
}
