package dues

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

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

// yuanCell is an amount as a spreadsheet number of yuan. The conversion
// to a float happens only here, for the spreadsheet: every sum is made in
// integer fen first, and a float64 holds any fen amount exactly enough to
// show it with two decimals.
func yuanCell(fen int64) float64 { return float64(fen) / 100 }

// Workbook builds the .xlsx of a report: one row per member (months due,
// months paid, expected, collected, outstanding), the totals, and what the
// ledger received in the range.
func Workbook(ctx context.Context, rep Report) (*excelize.File, error) {
	t := func(key string, args ...any) string { return ui.T(ctx, key, args...) }
	w, err := newSheetWriter(t("dues.sheet"))
	if err != nil {
		return nil, fmt.Errorf("dues: export: %w", err)
	}
	put := w.put
	put(rep.BranchName, rangeText(ctx, rep.From, rep.To))
	put(t("dues.col.member"), t("dues.col.months_due"), t("dues.col.months_paid"), t("dues.col.expected"), t("dues.col.collected"), t("dues.col.outstanding"))
	first := w.row + 1
	for _, m := range rep.Members {
		put(m.Name, len(m.Months), m.PaidMonths, yuanCell(m.ExpectedFen), yuanCell(m.CollectedFen), yuanCell(m.OutstandingFen))
	}
	put(t("dues.total"), "", "", yuanCell(rep.Totals.ExpectedFen), yuanCell(rep.Totals.CollectedFen), yuanCell(rep.Totals.OutstandingFen))
	put(t("dues.ledger_received"), "", "", "", yuanCell(rep.LedgerFen), "")
	if err := w.money("D", "F", first); err != nil {
		return nil, fmt.Errorf("dues: export: %w", err)
	}
	return w.f, nil
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

// RollupWorkbook builds the .xlsx of a month's roll-up: per branch the
// members owing, expected, collected, outstanding, the ledger's receipts
// and the month's state, then the totals.
func RollupWorkbook(ctx context.Context, month time.Time, rows []RollupRow) (*excelize.File, error) {
	t := func(key string, args ...any) string { return ui.T(ctx, key, args...) }
	w, err := newSheetWriter(t("dues.sheet"))
	if err != nil {
		return nil, fmt.Errorf("dues: rollup export: %w", err)
	}
	put := w.put
	put(t("dues.rollup_title", rangeText(ctx, month, month)))
	put(t("dues.col.branch"), t("duesroll.col.parent"), t("dues.col.members"), t("dues.col.expected"), t("dues.col.collected"), t("dues.col.outstanding"), t("dues.col.ledger"), t("dues.col.status"))
	first := w.row + 1
	var tot Totals
	var ledger int64
	for _, r := range rows {
		put(r.BranchName, r.Parent, r.Members, yuanCell(r.ExpectedFen), yuanCell(r.CollectedFen), yuanCell(r.OutstandingFen), yuanCell(r.LedgerFen), t("dues.state."+r.State.Status))
		tot.ExpectedFen += r.ExpectedFen
		tot.CollectedFen += r.CollectedFen
		tot.OutstandingFen += r.OutstandingFen
		ledger += r.LedgerFen
	}
	put(t("dues.total"), "", "", yuanCell(tot.ExpectedFen), yuanCell(tot.CollectedFen), yuanCell(tot.OutstandingFen), yuanCell(ledger), "")
	if err := w.money("D", "G", first); err != nil {
		return nil, fmt.Errorf("dues: rollup export: %w", err)
	}
	return w.f, nil
}

// sheetWriter writes a dues workbook's one sheet row by row, keeping the
// first error, for the branch report and the committee's roll-up.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	row   int
	err   error
}

func newSheetWriter(sheet string) (*sheetWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	return &sheetWriter{f: f, sheet: sheet}, nil
}

// put writes the next row (text neutralised against formulas).
func (w *sheetWriter) put(vals ...any) {
	w.row++
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err == nil {
		vals = export.Values(vals)
		err = w.f.SetSheetRow(w.sheet, cell, &vals)
	}
	if err != nil && w.err == nil {
		w.err = err
	}
}

// money formats columns from..to of rows first..last written as 0.00 and
// returns the first error of the writing.
func (w *sheetWriter) money(from, to string, first int) error {
	if w.err != nil {
		return w.err
	}
	style, err := w.f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	return w.f.SetCellStyle(w.sheet, from+strconv.Itoa(first), to+strconv.Itoa(w.row), style)
}
